"""The event stage itself: triggers sentence by sentence, the clause tests that keep or drop
each, and the event each opens (dispatched to the type modules).
"""

from __future__ import annotations

import re

from kg.article import Sentence
from kg.extract.dates import frame_start
from kg.extract.doc import Doc, replace
from kg.extract.events.agreement import _agreement, _link_agreements_to_meetings, _object_end
from kg.extract.events.common import (
    _clause_start,
    _Cues,
    _event_key,
    _inside_entity,
    _is_definite,
    _near_prefix,
    _noun_phrase,
    _passive_status,
    _planned,
    _sorted_states,
    _status_near,
    _update,
    _w,
)
from kg.extract.events.dating import _date_near, _dates_from_elsewhere
from kg.extract.events.exercise import _exercise, _listed_exercises, _named_exercise_triggers
from kg.extract.events.incident import _incidents
from kg.extract.events.meeting import _complete_pairs, _meeting_label, _one_per_counterpart
from kg.extract.events.merge import _merge
from kg.extract.events.names import _find_named_spans
from kg.extract.events.parties import (
    _compound_states,
    _latest,
    _participants_and_states,
    _speaker_states,
    _topic_start,
)
from kg.extract.events.statement import _statements
from kg.extract.events.visit import _dates_from_arrivals, _visit
from kg.lexicon import Match, Trigger, fold
from kg.records import Event


def find_events(doc: Doc) -> Doc:
    """Stage 5: events from triggers, clause by clause.

    Reads ``doc.mentions``, ``doc.entities``, ``doc.dates`` and ``doc.claim_sentences`` (a
    claim's sentence reports no event); writes ``doc.named_spans``, ``doc.events`` and
    ``doc.grammar``. It also drops Official mentions inside an exercise's name and gives an
    official of unknown state the other side of a two-state meeting or visit.
    """
    cues = _w(doc).cues
    text = doc.article.text
    _find_named_spans(doc)
    for sentence in doc.article.sentences:
        doc.check_deadline()
        if sentence.index in doc.claim_sentences:
            continue
        _statements(doc, sentence)
        handled = _incidents(doc, cues, sentence)
        agreements: list[tuple[int, int, Event]] = []  # (object start, object end, event)
        triggers = doc.find(doc.lexicon.triggers, sentence.start, sentence.end, sentence.start)
        triggers = _one_per_phrase(text, triggers, sentence.start)
        triggers = _named_exercise_triggers(doc, sentence, triggers)
        triggers = _without_hosting(doc, sentence, triggers)
        event_triggers = [
            sentence.start + m.start
            for m in triggers
            if m.value.event in ("Meeting", "Visit", "Exercise", "Incident")
            and text[max(0, sentence.start + m.start - 3) : sentence.start + m.start].lower()
            not in _w(doc).shared_prefixes
        ]
        for raw in triggers:
            start, end = sentence.start + raw.start, sentence.start + raw.end
            trigger: Trigger = raw.value

            before = [p for p in event_triggers if p < start]
            after = [p for p in event_triggers if p > start]
            window = (before[-1] if before else sentence.start, after[0] if after else sentence.end)
            if trigger.event == "Meeting" and _w(doc).planning.search(text, start, end):
                # "a planning conference for exercise X ... with Chilean planners": the
                # conference's parties are the clause's, on both sides of the exercise it plans
                window = (window[0], sentence.end)
            if trigger.event == "Statement":
                continue
            if _inside_entity(doc, start, end) or start in handled:
                continue
            if fold(trigger.surface) in _w(doc).transitive and _w(doc).passive_by.match(
                text, end, end + 12
            ):
                continue  # "hosted in Kenya, the exercise ...": a participle, no meeting
            if text[max(0, start - 3) : start].lower() in _w(doc).shared_prefixes:
                continue  # "co-hosted by": hosting an exercise, not a meeting
            clause = _clause_start(doc, sentence, start)
            prefix = _near_prefix(text, clause, start)
            # "during talks in Beijing" reports talks that took place, whatever came before
            took_place = _w(doc).took_place.search(prefix)
            planned = _planned(doc, cues, prefix) and not cues.negation_in.search(prefix)
            if not took_place and (
                cues.negation_in.search(prefix)
                or (cues.hypothetical_in.search(prefix) and not planned)
            ):
                if trigger.event == "Agreement" and any(
                    s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
                ):
                    # "an attack would invoke the Mutual Defense Treaty": the treaty is named,
                    # nothing happened to it
                    _agreement(doc, cues, sentence, raw.start, start, end, trigger, referenced=True)
                continue
            if trigger.event != "Agreement" and any(
                s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
            ):
                continue  # "Visiting Forces Agreement" is no visit
            if trigger.surface.endswith(_w(doc).preposition_end) and (
                _w(doc).determiner_next.match(text, end, end + 8)
                or _w(doc).audience_next.match(text, end, end + 16)
            ):
                continue  # "committed to the treaty", "confirmed to reporters": no agreement
            if (
                trigger.event in ("Meeting", "Visit")
                and trigger.pos == "noun"
                and trigger.surface.endswith("s")
                and _w(doc).generic.search(text[clause:start])
            ):
                continue
            inside_agreement = next((a for a in agreements if a[0] <= start < a[1]), None)
            if trigger.event == "Agreement":
                if inside_agreement is not None and not (
                    _w(doc).joined_before.search(text[max(0, start - 15) : start])
                    or any(
                        s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
                    )
                ):
                    continue  # "the plan of action agreed upon in October" inside an agreement
                event = _agreement(doc, cues, sentence, raw.start, start, end, trigger)
                if event is not None and planned and trigger.pos == "verb":
                    event = _update(doc, event, status="planned")  # "would sign", "plan to sign"
                if event is not None:
                    object_end = _object_end(doc, sentence, end, trigger)
                    agreements.append((end, object_end, event))
                continue
            if (
                inside_agreement is not None
                and trigger.event in ("Meeting", "Visit")
                and not _w(doc).subordinate.search(text[max(0, start - 30) : start])
            ):
                continue  # "agreed to hold regular meetings" is part of the agreement
            event = _event(
                doc, cues, sentence, start, end, trigger, inside_agreement is not None, window
            )
            if event is None:
                continue
            if planned and trigger.pos == "verb":
                event = replace(event, status="planned")  # "said they would meet"
            if inside_agreement is not None and inside_agreement[2].parties:
                parties = _sorted_states({*event.parties, *inside_agreement[2].parties})
                event = replace(event, parties=parties)
            split = _one_per_counterpart(doc, sentence, start, trigger, event)
            if not split:
                continue
            for part in split[:-1]:
                _merge(doc, part, definite=False)
            event = split[-1]
            merged = _merge(doc, event, definite=_is_definite(doc, start))
            if inside_agreement is not None:
                agreement = inside_agreement[2]
                _update(
                    doc, agreement, concerns=tuple(dict.fromkeys((*agreement.concerns, merged.key)))
                )
            if trigger.event == "Exercise":
                _listed_exercises(doc, sentence, merged, inside_agreement)
    _dates_from_elsewhere(doc)
    _dates_from_arrivals(doc)
    _link_agreements_to_meetings(doc)
    _complete_pairs(doc)
    return doc


def _without_hosting(
    doc: Doc, sentence: Sentence, triggers: list[Match[Trigger]]
) -> list[Match[Trigger]]:
    """A hosting verb (``host_verb``) whose object is an event ("Kenya hosted the exercise",
    "honoured to host this inaugural meeting") is no meeting of its own: it is dropped, so
    the hosted event's parties are looked for from before the verb and take in its subject."""
    g = _w(doc)
    kept: list[Match[Trigger]] = []
    for k, match in enumerate(triggers):
        nxt = triggers[k + 1] if k + 1 < len(triggers) else None
        if (
            nxt is not None
            and fold(match.value.surface) in g.host_verbs
            and nxt.value.event in ("Meeting", "Visit", "Exercise")
            and _host_object(doc, sentence.start + match.end, sentence.start + nxt.start)
        ):
            continue
        kept.append(match)
    return kept


def _host_object(doc: Doc, end: int, start: int) -> bool:
    """Whether the words in [end, start) are only what stands before an event noun ("the",
    "this inaugural", "the 11th"): at most four words, none a person or a state."""
    words = doc.article.text[end:start].split()
    if len(words) > 4 or any(not re.fullmatch(r"[\w’'-]+", w) for w in words):
        return False
    return not any(m.type in ("Official", "State") for m in doc.mentions_in(end, start))


def _one_per_phrase(text: str, triggers: list[Match[Trigger]], offset: int) -> list[Match[Trigger]]:
    """Two trigger words of one type in one capitalised phrase are one event:
    "2+2 Ministerial Dialogue" is a single meeting."""
    kept: list[Match[Trigger]] = []
    for match in triggers:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.value.event == match.value.event
            and match.value.event in ("Meeting", "Exercise")
            and re.fullmatch(
                r"(?:\s++[A-Z][\w’'-]*+)*+\s++", text[offset + previous.end : offset + match.start]
            )
        ):
            continue
        kept.append(match)
    return kept


def _event(
    doc: Doc,
    cues: _Cues,
    sentence: Sentence,
    start: int,
    end: int,
    trigger: Trigger,
    agreed: bool,
    window: tuple[int, int] | None = None,
) -> Event | None:
    text = doc.article.text
    clause = _clause_start(doc, sentence, start)
    lo, hi = window or (clause, sentence.end)
    lo = max(lo, clause)
    topic = _topic_start(doc, end, hi)
    people, states = _participants_and_states(
        doc,
        lo,
        topic,
        after=end if trigger.event in ("Meeting", "Visit") else None,
        venues=trigger.event == "Meeting",
    )
    compound = _compound_states(doc, clause, start) if trigger.event == "Meeting" else []
    if compound:
        states = compound  # "the Japan-Fiji Defence Ministerial Meeting": exactly these two
    if doc.search_words(_w(doc).anaphor, _w(doc).anaphor_words, clause, start):
        meeting = _latest(doc, "Meeting")
        if meeting is not None:
            states = list(dict.fromkeys([*meeting.parties, *states]))
    subject_in_window = any(m.type == "Official" for m in doc.mentions_in(lo, start))
    if not subject_in_window and lo > clause:
        # the subject of an earlier clause carries over: "Mattis ... to meet ... and to meet ..."
        subject, _ = _participants_and_states(doc, clause, lo)
        people = list(dict.fromkeys(subject[:1] + people))
        states = list(
            dict.fromkeys(
                [
                    *(doc.entities[p].state or "" for p in subject[:1] if doc.entities[p].state),
                    *states,
                ]
            )
        )
    if len(set(states)) < 2:  # "our very good friends from the United Kingdom": the speaker's
        states.extend(s for s in _speaker_states(doc, lo, topic) if s not in states)
    if trigger.event == "Meeting" and len(set(states)) < 2 and lo > clause:
        # "on the occasion of the Norwegian minister's visit, a meeting was held in Santiago":
        # the clause's earlier states fill a missing side
        _earlier_people, earlier = _participants_and_states(
            doc, clause, lo, venues=True, venue_fill=False
        )
        states = list(dict.fromkeys([*states, *earlier]))
    status = trigger.status
    if agreed:
        status = "agreed"
    else:
        near = _status_near(doc, cues, lo, min(hi, end + 25))
        if trigger.pos == "noun":  # "Talks ..., planned for May, were postponed"
            near = _passive_status(doc, cues, end, hi) or near
        status = near or status or "held"
    if doc.search_words(cues.last_held, cues.last_held_words, sentence.start, start):
        status = trigger.status or status if status not in ("held",) else "held"
    frame = frame_start(doc.lexicon, text, lo, start) if trigger.event == "Visit" else None
    if frame is not None:  # "signed today during the state visit": today is the signing's
        date, end_date = _date_near(
            doc, sentence, start, within=(frame, hi), before_ok=False, opener_ok=False
        )
    else:
        date, end_date = _date_near(doc, sentence, start, within=(lo, hi), before_ok=lo == clause)
    location = (
        _location(doc, end, sentence.end) if trigger.event in ("Meeting", "Exercise") else None
    )
    event = Event(
        key=_event_key(trigger.event, start),
        type=trigger.event,
        label="",
        evidence=(doc.sentence_span(sentence),),
        status=status,
        parties=_sorted_states(states),
        participants=tuple(people),
        location=location,
        date=date,
        end_date=end_date,
    )
    if trigger.pos == "name":
        event = replace(event, status=None, date=None, end_date=None)
    if trigger.event == "Visit":
        event = _visit(doc, sentence, start, end, event)
    elif trigger.event == "Exercise":
        exercise = _exercise(doc, cues, sentence, start, end, event)
        if exercise is None:
            return None
        event = exercise
    elif trigger.event == "Meeting":
        event = replace(event, label=_meeting_label(doc, event))
    elif trigger.event == "Incident":
        event = replace(event, label=_noun_phrase(doc, start, end, sentence.start))
    if event is not None and not event.parties and trigger.event != "Meeting":
        latest = _latest(doc, "Meeting")
        if latest is not None:
            event = replace(event, parties=latest.parties)
    return event


def _location(doc: Doc, pos: int, end: int) -> str | None:
    """The place after "in"/"at" following the trigger."""
    text = doc.article.text
    for m in doc.mentions_in(pos, end):
        if m.type in ("Place",) and _w(doc).location.search(text[max(pos, m.start - 12) : m.start]):
            return m.key
    return None
