"""Visits: visitor, destination and host, and the date of an arrival."""

from __future__ import annotations

from kg.article import Sentence
from kg.extract.doc import Doc, replace
from kg.extract.events.common import _clause_start, _entity_name, _sorted_states, _w
from kg.extract.events.parties import _speaker_states
from kg.extract.grammar import register
from kg.lexicon import fill_label
from kg.records import Event

EVENT_TYPE = register("Visit", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _dates_from_arrivals(doc: Doc) -> None:
    """ "entered Latvian airspace on Monday (2 May)", "arrived in Riga on 3 May": the arrival's
    full date dates the article's undated visit, when every reported visit is undated, they
    all have the same two or more parties and the arrival's clause names one of them (a
    sentence that reports an incident, such as an airspace violation, dates no visit)."""
    text = doc.article.text
    incidents = {e.evidence[0].sentence for e in doc.events if e.type == "Incident"}
    vetoed: dict[int, bool] = {}  # sentence index -> whether it holds a veto word (once)
    for mention in doc.dates:
        if mention.value.datatype != "date" or mention.used:
            continue
        sentence = doc.article.sentence_at(mention.start)
        if sentence.index in incidents:
            continue
        if sentence.index not in vetoed:
            vetoed[sentence.index] = _w(doc).arrival_veto.search(sentence.text) is not None
        if vetoed[sentence.index]:
            continue
        clause = _clause_start(doc, sentence, mention.start)
        arrival = _w(doc).arrival.search(text, max(clause, mention.start - 60), mention.start)
        if arrival is None:
            continue
        named = {m.state for m in doc.mentions_in(clause, mention.start) if m.state}
        visits = [e for e in doc.events if e.type == "Visit" and e.status]
        sides = {e.parties for e in visits}
        if len(sides) != 1 or any(e.date is not None for e in visits):
            continue
        parties = next(iter(sides))
        if len(parties) < 2 or not named & set(parties):
            continue
        for i, event in enumerate(doc.events):
            if event.type == "Visit" and event.status:
                doc.events[i] = replace(event, date=mention.value)
        return


def _visit(doc: Doc, sentence: Sentence, start: int, end: int, event: Event) -> Event:
    text = doc.article.text
    clause = _clause_start(doc, sentence, start)
    before = [m for m in doc.mentions_in(clause, start) if m.type == "Official"]
    visitor = before[-1].key if before else None
    others = [  # "Alongside Norway Defence Minister X, Y visited ..."
        m.key for m in doc.mentions_in(clause, start) if m.type == "Official" and m.key != visitor
    ]
    after = [
        m
        for m in doc.mentions_in(end, sentence.end)
        if m.type in ("Place", "State", "Organization")
    ]
    destination = None
    if after:
        first_start = after[0].start
        if len(text[end:first_start].split()) <= 3:
            candidates = [m for m in after if m.start == first_start]
            destination = max(candidates, key=lambda m: m.end).key
    with_people = [
        m.key
        for m in doc.mentions_in(end, sentence.end)
        if m.type == "Official"
        and _w(doc).accompanied.search(text[max(end, m.start - 6) : m.start])
    ]
    participants = tuple(dict.fromkeys([k for k in (visitor, *with_people, *others) if k]))
    states: list[str] = []
    if visitor and doc.entities[visitor].state:
        states.append(doc.entities[visitor].state or "")
    elif visitor is None:
        # "The UK delegation visited ...", "The Defence Secretary will visit ...": the subject
        subject = [m.state for m in doc.mentions_in(clause, start) if m.type == "State" and m.state]
        states.extend(subject[:1])
    for key in others:
        if doc.entities[key].state:
            states.append(doc.entities[key].state or "")
    dest_state = doc.state_of(destination) if destination else None
    if dest_state:
        states.append(dest_state)
    for key in with_people:
        if doc.entities[key].state:
            states.append(doc.entities[key].state or "")
    if len(set(states)) < 2:  # "since your last visit to the Pentagon": the addressee's
        states.extend(s for s in _speaker_states(doc, clause, start) if s not in states)
    if len(set(states)) < 2:
        host = _visit_host(doc, sentence, set(states))
        if host:
            states.append(host)
    if not states:
        states = list(event.parties)
    lexicon = doc.lexicon
    visitor_name = doc.entities[visitor].name if visitor else fill_label(lexicon, "no-visitor")
    dest_name = _entity_name(doc, destination) if destination else fill_label(lexicon, "no-host")
    return replace(
        event,
        participants=participants or event.participants,
        parties=_sorted_states(states),
        destination=destination,
        label=fill_label(lexicon, "visit", visitor=visitor_name, host=dest_name),
    )


def _visit_host(doc: Doc, sentence: Sentence, known: set[str]) -> str | None:
    """The host of a visit whose destination is not named: a place "in X" in the sentence,
    the dateline's state, or the other party of the article's meeting."""
    text = doc.article.text
    for m in doc.mentions_in(sentence.start, sentence.end):
        if m.state and m.state not in known and m.type in ("Place", "State"):
            before = text[max(0, m.start - 30) : m.start]
            if _w(doc).host.search(before) or (
                m.type == "State" and _w(doc).host_city.search(before)
            ):
                return m.state  # "in Hanoi", "at Bodø, Norway"
    from kg.extract.people import dateline_state

    host = dateline_state(doc)
    if host and host not in known:
        return host
    for event in reversed(doc.events):
        if event.type in ("Meeting", "Agreement") and len(event.parties) == 2:
            rest = set(event.parties) - known
            if len(rest) == 1 and len(known) == 1 and known <= set(event.parties):
                return rest.pop()
    return None
