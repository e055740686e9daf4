"""Incidents: a cause that halted another event ("X led to a standstill in the exercises")."""

from __future__ import annotations

from kg.article import Sentence
from kg.extract.doc import Doc
from kg.extract.events.common import _Cues, _event_key, _sorted_states, _update, _w
from kg.extract.events.dating import _date_near
from kg.extract.events.parties import _participants_and_states
from kg.extract.grammar import register
from kg.records import Event

EVENT_TYPE = register("Incident", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _incidents(doc: Doc, cues: _Cues, sentence: Sentence) -> set[int]:
    """ "X led to a standstill in the exercises": X is an incident that halted them.

    Returns the offsets of the triggers it consumed (the halted event's mention).
    """
    text = doc.article.text
    handled: set[int] = set()
    for cause in doc.finditer_words(cues.cause, cues.cause_words, sentence.start, sentence.end):
        tail = text[cause.end() : min(sentence.end, cause.end() + 60)]
        status_word = _w(doc).halt.search(tail)
        if not status_word:
            continue
        head = text[sentence.start : cause.start()]
        such = max(((head.rfind(x), x) for x in _w(doc).example_intros), default=(-1, ""))
        lo = sentence.start + (such[0] + len(such[1]) if such[0] >= 0 else 0)
        span = doc.span(lo, cause.start())
        cause_text = span.text.rstrip(" ,")
        span = doc.span(span.start, span.start + len(cause_text))
        label = cause_text.split(",")[0]
        people, states = _participants_and_states(doc, span.start, span.end)
        date, _ = _date_near(doc, sentence, span.end, within=(span.start, span.end))
        key = _event_key("Incident", span.start)
        incident = Event(
            key=key,
            type="Incident",
            label=label,
            evidence=(doc.sentence_span(sentence),),
            status="held",
            parties=_sorted_states(states),
            participants=tuple(people),
            date=date,
        )
        doc.events.append(incident)
        affected_at = cause.end() + status_word.end()
        target_trigger = next(
            (m for m in doc.find(doc.lexicon.triggers, affected_at, sentence.end, affected_at)),
            None,
        )
        if target_trigger is None:
            continue
        handled.add(affected_at + target_trigger.start)
        wanted = target_trigger.value.event
        halted = [
            e for e in doc.events if e.type == wanted and set(e.parties) & set(incident.parties)
        ]
        if not halted:
            continue
        target = halted[-1]
        _update(
            doc,
            target,
            halted_by=key,
            halted_since=date,
            evidence=tuple(dict.fromkeys((*target.evidence, doc.sentence_span(sentence)))),
        )
        _update(doc, incident, concerns=(target.key,))
    return handled
