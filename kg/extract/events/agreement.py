"""Agreements: named treaties, agreement verbs and their object clauses, partners, and the
meeting an agreement was reached at.
"""

from __future__ import annotations

from kg.article import Sentence
from kg.extract.doc import Doc, replace
from kg.extract.events.common import (
    _clause_start,
    _concepts_in,
    _Cues,
    _event_key,
    _is_definite,
    _noun_phrase,
    _sorted_states,
    _states,
    _update,
    _w,
)
from kg.extract.events.dating import _date_near
from kg.extract.events.parties import (
    _latest,
    _listed,
    _participants_and_states,
    _speaker_states,
    _topic_start,
)
from kg.extract.grammar import register
from kg.extract.grammar import words as cue_words
from kg.lexicon import Trigger, fold
from kg.records import Event

EVENT_TYPE = register("Agreement", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _object_end(doc: Doc, sentence: Sentence, pos: int, trigger: Trigger | None = None) -> int:
    """End of the object clause after an agreement verb: quote end, ';', the next agreement
    verb ("... and agreed to ...") or the sentence end."""
    rest = doc.article.text[pos : sentence.end]
    cut = len(rest)
    following = _w(doc).next_agreement_verb.search(rest)
    if following:
        cut = following.start()
    clause = _w(doc).finite_clause.search(rest, 0, cut)
    if clause:
        cut = clause.start()  # "... a roadmap when their ministers met in February"
    if trigger is not None and trigger.status in ("signed", "concluded") and ", " in rest[:cut]:
        cut = rest.index(", ")  # "signed an agreement ..., following talks": the object is a noun
    for mark in ("”", ";"):
        idx = rest.find(mark)
        if idx >= 0:
            cut = min(cut, idx)
    return pos + cut


def _agreement(
    doc: Doc,
    cues: _Cues,
    sentence: Sentence,
    rel: int,
    start: int,
    end: int,
    trigger: Trigger,
    referenced: bool = False,
) -> Event | None:
    text = doc.article.text
    named = [
        (s, e, n)
        for s, e, kind, n in doc.named_spans
        if kind == "Agreement" and sentence.start <= s < sentence.end
    ]
    clause = _clause_start(doc, sentence, start)
    if clause == start and text[start - 1 : start] == "“":
        clause = _clause_start(doc, sentence, start - 1)  # a quoted title: the clause quoting it
    if trigger.pos == "noun":
        inside = next(((s, e, n) for s, e, n in named if s <= start < e), None)
        if inside is None:
            verb = _w(doc).agreement_verb.search(text, clause, min(sentence.end, end + 60))
            if verb is None:
                return None
            if _named_agreement_near(doc, named, start):
                return None
            label = _noun_phrase(doc, start, end, sentence.start)
            words = doc.lexicon.status_words  # "working on" (the phrase) before "signed" (a word)
            phrase, first = fold(" ".join(verb.group().split())), fold(verb.group().split()[0])
            status = words.get(phrase) or words.get(first, "agreed")
        else:
            s, e, label = inside
            if any(ev.name == label for ev in doc.events):
                return None
            around = text[clause : sentence.end]
            verbs = list(_w(doc).signing_verb.finditer(text, clause, s))
            verb = verbs[-1] if verbs else _w(doc).signing_verb.search(around)
            # a treaty only named, with no verb saying what happened to it, is no event
            status = (
                doc.lexicon.status_words.get(fold(verb.group(1)), "agreed")
                if verb
                else trigger.status or "concluded"  # the verb whose object the name is
            )
            if _w(doc).signing_phrase.search(around):
                status = "signed"
            if referenced:
                status = None
        date, end_date = _date_near(
            doc, sentence, start, within=(max(clause, start - 60), min(sentence.end, end + 30))
        )
        topic = _topic_start(doc, end, sentence.end)
        people, states = _participants_and_states(doc, clause, topic, after=end, origins=False)
        if len(set(states)) < 2:  # "the treaty we are working on with Indonesia"
            states.extend(s for s in _speaker_states(doc, clause, topic) if s not in states)
        earlier = None if inside else _antecedent_agreement(doc, trigger, start)
        if earlier is not None:
            # "the memorandum" after a memorandum already reported: the same agreement
            return _update(
                doc,
                earlier,
                evidence=tuple(dict.fromkeys((*earlier.evidence, doc.sentence_span(sentence)))),
                parties=_sorted_states({*earlier.parties, *states}),
                participants=tuple(dict.fromkeys((*earlier.participants, *people))),
                date=earlier.date or date,
                status=earlier.status or status,
            )
        event = Event(
            key=_event_key("Agreement", start),
            type="Agreement",
            label=label,
            name=label if inside else None,
            evidence=(doc.sentence_span(sentence),),
            status=status,
            parties=_sorted_states(states),
            participants=tuple(people),
            date=date,
            end_date=end_date,
            areas=tuple(
                c.iri for c in _concepts_in(doc, label, 0, len(label)) if c.scheme == "Area"
            ),
        )
        if not event.parties:
            meeting = _latest(doc, "Meeting")
            event = replace(event, parties=meeting.parties if meeting else ())
        doc.events.append(event)
        return event
    # a verb: the agreement is its object clause
    object_end = _object_end(doc, sentence, end, trigger)
    if _object_is_an_event(doc, end, object_end):
        return None  # "will conclude his trip", "concluded the exercise": no agreement
    in_object = [(s, e, n) for s, e, n in named if end <= s < object_end and s - end < 60]
    if in_object:
        for s, e, n in in_object:
            if not any(ev.name == n for ev in doc.events):
                _agreement(
                    doc,
                    cues,
                    sentence,
                    s - sentence.start,
                    s,
                    e,
                    Trigger(n, "Agreement", "noun", trigger.status),
                )
        return None
    obj = text[end:object_end].strip(" ,")
    obj = _w(doc).object_lead.sub("", obj, count=1).strip()
    # an opening adverbial ("in the increasingly challenging security environment, ...")
    obj = _w(doc).adverbial_lead.sub("", obj, count=1)
    if len(obj.split()) < 2:
        return None
    subject_end = min(start, _topic_start(doc, clause, start))
    people, states = _participants_and_states(doc, clause, subject_end)
    if states or people:  # "Our partners from A and B have agreed": the speaker's side too
        states.extend(s for s in _speaker_states(doc, clause, subject_end) if s not in states)
    partner = _with_partner(doc, start, end, object_end)
    if partner is not None and (people or states):
        # "X confirmed with Minister Y on ...", "X agreed with Y to ...": Y is the other side
        key, state = partner
        people = list(dict.fromkeys([*people, *([key] if key else [])]))
        states = list(dict.fromkeys([*states, state]))

    if not states:
        meeting = _latest(doc, "Meeting")
        states = (
            list(meeting.parties)
            if meeting
            else _states(doc.mentions_in(sentence.start, sentence.end))
        )
        if not people and meeting:
            people = list(meeting.participants)
        if len(set(states)) < 2:
            # "The two ministers agreed to bolster cooperation between the ROK and Vietnam":
            # with no side in the subject, the pair the object names
            states = _pair_in(doc, end, object_end) or states
    label = obj.rstrip(".")
    obj_start = text.find(obj, end)
    area_lo = obj_start
    intro = _w(doc).area_intro.search(text[obj_start:object_end])
    areas: tuple[str, ...] = ()
    if intro:
        area_lo = obj_start + intro.start()
        areas = tuple(
            dict.fromkeys(
                c.iri for c in _concepts_in(doc, text, area_lo, object_end) if c.scheme == "Area"
            )
        )
    # an act of signing happens at a time the clause may give after the verb; "agreed to ..."
    # looks ahead, so its later dates belong to what was agreed
    date_hi = object_end if trigger.status in ("signed", "concluded") else start
    date, end_date = _date_near(doc, sentence, start, within=(clause, date_hi))
    event = Event(
        key=_event_key("Agreement", start),
        type="Agreement",
        label=label,
        evidence=(doc.sentence_span(sentence),),
        status=trigger.status or "agreed",
        parties=_sorted_states(states),
        participants=tuple(people),
        areas=areas,
        date=date,
        end_date=end_date,
    )
    doc.events.append(event)
    return event


def _with_partner(doc: Doc, start: int, end: int, hi: int) -> tuple[str | None, str] | None:
    """The official or state right after "with" at an agreement verb ("confirmed with
    Minister Y", "agreed with Chile"): (official key or None, state), if the text names one."""
    text, g = doc.article.text, _w(doc)
    lo = end
    if not g.accompanied.search(text[start:end] + " "):
        lead = g.accompaniment_next.match(text, end, hi)
        if lead is None:
            return None
        lo = lead.end()
    for m in doc.mentions_in(lo, min(hi, lo + 60)):
        if m.type not in ("Official", "State") or not m.state:
            continue
        if len(text[lo : m.start].split()) > 3:
            return None
        return (m.key if m.type == "Official" else None), m.state
    return None


def _pair_in(doc: Doc, lo: int, hi: int) -> list[str]:
    """The two states of a "between A and B" (``pair_intro``) in [lo, hi), if it names two."""
    text, g = doc.article.text, _w(doc)
    intro = g.pair_intro.search(text, lo, hi)
    if intro is None:
        return []
    states = [m for m in doc.mentions_in(intro.end(), hi) if m.type == "State" and m.state][:2]
    if len(states) < 2 or not _listed(doc, text[states[0].end : states[1].start]):
        return []
    between = text[intro.end() : states[0].start].split()
    if len(between) > 1 or (
        between and fold(between[0]) not in cue_words(doc.lexicon, "pair_article")
    ):
        return []
    found = list(dict.fromkeys(m.state for m in states if m.state))
    return found if len(found) == 2 else []


def _object_is_an_event(doc: Doc, start: int, end: int) -> bool:
    """Whether a verb's object is a meeting, visit or exercise ("his trip", "the drills")."""
    determiners = cue_words(doc.lexicon, "determiner")
    for found in doc.find(doc.lexicon.triggers, start, min(end, start + 40)):
        words = doc.article.text[start : found.start].split()
        if len(words) > 2 or any(fold(w) not in determiners for w in words):
            return False
        return found.value.event in ("Meeting", "Visit", "Exercise")
    return False


def _antecedent_agreement(doc: Doc, trigger: Trigger, start: int) -> Event | None:
    """The agreement a definite noun ("the memorandum", "this letter of intent") points back
    to: the latest one whose name or label holds the same noun."""
    if not _is_definite(doc, start):
        return None
    noun = fold(trigger.surface)
    for event in reversed(doc.events):
        if event.type == "Agreement" and noun in fold(event.name or event.label):
            return event
    return None


def _named_agreement_near(doc: Doc, named: list[tuple[int, int, str]], pos: int) -> bool:
    return any(abs(s - pos) < 80 for s, _, _ in named)


def _link_agreements_to_meetings(doc: Doc) -> None:
    """An agreement reported after a held meeting of the same states was reached at it."""
    meetings = [e for e in doc.events if e.type == "Meeting" and e.status == "held"]
    if not meetings:
        return
    for event in list(doc.events):
        if event.type != "Agreement" or event.agreed_at:
            continue
        if event.name and not _tied_to_any(doc, event, meetings):
            continue  # a named treaty is not made at every meeting that mentions it
        first = min(s.start for s in event.evidence)
        for meeting in reversed(meetings):
            if min(s.start for s in meeting.evidence) <= first and (
                set(event.parties) <= set(meeting.parties) or not event.parties
            ):
                changes: dict[str, object] = {"agreed_at": meeting.key}
                if (
                    event.date is None
                    and meeting.date is not None
                    and _tied_to(doc, event, meeting)
                ):
                    changes["date"] = meeting.date
                _update(doc, event, **changes)
                break


def _tied_to_any(doc: Doc, agreement: Event, meetings: list[Event]) -> bool:
    return agreement.status in ("signed", "agreed") and any(
        _tied_to(doc, agreement, m) for m in meetings
    )


def _tied_to(doc: Doc, agreement: Event, meeting: Event) -> bool:
    """The text ties the agreement to the meeting: same sentence, or "at the meeting"."""
    sentences = {s.sentence for s in agreement.evidence}
    if sentences & {s.sentence for s in meeting.evidence}:
        return True
    text = doc.article.text
    if any(_w(doc).at_the_meeting.search(text, s.start, s.end) for s in agreement.evidence):
        return True
    # "The two ministers ... agreed": the meeting's participants, so the meeting's day
    return any(
        _w(doc).anaphor.match(text, s.start) or _w(doc).anaphor.match(text, s.start + 4)
        for s in agreement.evidence
    )
