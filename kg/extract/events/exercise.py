"""Exercises: names, listed exercises, domains, purposes and planning conferences."""

from __future__ import annotations

from kg.article import Sentence
from kg.extract.dates import grammar as date_grammar
from kg.extract.doc import Doc, replace
from kg.extract.events.common import (
    _clause_start,
    _concepts_in,
    _Cues,
    _event_key,
    _noun_phrase,
    _status_near,
    _update,
    _w,
)
from kg.extract.grammar import register
from kg.lexicon import Match, Trigger, fold
from kg.records import Event

EVENT_TYPE = register("Exercise", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _named_exercise_triggers(
    doc: Doc, sentence: Sentence, triggers: list[Match[Trigger]]
) -> list[Match[Trigger]]:
    """A sentence that names a known exercise without an exercise word ("leaders from A, B
    and C will adjust the scope of Coral Lantern") speaks of that exercise: its name is the
    trigger, so the states the sentence gives join it."""
    if any(m.value.event == "Exercise" for m in triggers):
        return triggers
    named = [
        (s, e, n)
        for s, e, kind, n in doc.named_spans
        if kind == "Exercise" and sentence.start <= s < sentence.end
    ]
    if not named:
        return triggers
    s, e, name = named[0]
    trigger = Trigger(name, "Exercise", "name", None)  # a name: no date, no status of its own
    found = Match(s - sentence.start, e - sentence.start, 0, 0, trigger)
    return sorted([*triggers, found], key=lambda m: m.start)


def _listed_exercises(
    doc: Doc,
    sentence: Sentence,
    event: Event,
    inside_agreement: tuple[int, int, Event] | None,
) -> None:
    """Other named exercises in the sentence ("including Foal Eagle and Key Resolve") become
    events of their own, sharing the status, parties and date of the trigger's event."""
    names = [
        (s, n)
        for s, _e, kind, n in doc.named_spans
        if kind == "Exercise" and sentence.start <= s < sentence.end
    ]
    for start, name in names:
        if any(e.type == "Exercise" and e.name and fold(e.name) == fold(name) for e in doc.events):
            continue
        named = replace(event, key=_event_key("Exercise", start), name=name, label=name)
        doc.events.append(named)
        if inside_agreement is not None:
            agreement = next(e for e in doc.events if e.key == inside_agreement[2].key)
            _update(doc, agreement, concerns=tuple(dict.fromkeys((*agreement.concerns, named.key))))


def _exercise(
    doc: Doc, cues: _Cues, sentence: Sentence, start: int, end: int, event: Event
) -> Event | None:
    text = doc.article.text
    name = next(
        (
            n
            for s, e, kind, n in doc.named_spans
            if kind == "Exercise"
            and sentence.start <= s < sentence.end
            and (abs(s - start) < 80 or s <= start <= e)
        ),
        None,
    )
    label = name or _noun_phrase(doc, start, end, sentence.start)
    concepts = _concepts_in(doc, text, max(sentence.start, start - 60), min(sentence.end, end + 40))
    domains = tuple(c.iri for c in concepts if c.scheme == "Domain")
    purposes = tuple(c.iri for c in concepts if c.scheme == "Purpose")
    last_held = None
    date, end_date = event.date, event.end_date
    clause = _clause_start(doc, sentence, start)
    planning = _w(doc).planning.search(text, clause, start)
    if planning is not None:
        # "held a planning conference on 3 March for exercise X": the conference took place
        # on that date; the exercise is only planned, dated by what the text says after it in
        # the future ("which will begin on 10 June"); "is underway ... March 7-9" is the
        # conference's own date
        future = date_grammar(doc.lexicon).future
        later = [
            d
            for d in doc.dates
            if end <= d.start and d.end <= sentence.end and future.search(text, end, d.start)
        ]
        date, end_date = (later[0].value, later[0].end_value) if later else (None, None)
        after = _status_near(doc, cues, end, sentence.end)
        event = replace(event, status=after or "planned")
    if doc.search_words(cues.last_held, cues.last_held_words, sentence.start, sentence.end):
        last_held = date
        date, end_date = None, None
    return replace(
        event,
        label=label,
        name=name,
        domains=domains,
        purposes=purposes,
        last_held=last_held,
        date=date,
        end_date=end_date,
    )
