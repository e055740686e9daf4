"""Mentions of the same event fold into one (``_merge``), per type (``_same_event``)."""

from __future__ import annotations

from kg.extract.doc import Doc, replace
from kg.extract.events.common import _sorted_states, _w
from kg.lexicon import fold
from kg.records import Event


def _merge(doc: Doc, event: Event, definite: bool) -> Event:
    """Add ``event`` or fold it into an earlier mention of the same event."""
    candidates = list(enumerate(doc.events))
    anaphor = event.type == "Exercise" and definite and not event.name
    if anaphor:
        # "the exercise" points back to the latest exercise; it adds states only when the
        # sentence says they take part ("Germany also sent fighters to the exercise")
        latest = [(i, e) for i, e in candidates if e.type == "Exercise"]
        candidates = latest[-1:]
        sentence = doc.article.sentences[event.evidence[0].sentence]
        if candidates and not _w(doc).participation.search(sentence.text):
            event = replace(event, parties=candidates[0][1].parties)
    for i, other in candidates:
        if other.type != event.type:
            continue
        if not (definite and event.type == "Exercise" and not event.name) and not _same_event(
            doc, other, event, definite
        ):
            continue
        merged = replace(
            other,
            evidence=tuple(dict.fromkeys((*other.evidence, *event.evidence))),
            parties=_sorted_states({*other.parties, *event.parties}),
            participants=tuple(dict.fromkeys((*other.participants, *event.participants))),
            location=other.location or event.location,
            destination=other.destination or event.destination,
            date=other.date or event.date,
            end_date=other.end_date or event.end_date,
            status=other.status or event.status,
            name=other.name or event.name,
            label=_merged_label(other, event),
            domains=tuple(dict.fromkeys((*other.domains, *event.domains))),
            purposes=tuple(dict.fromkeys((*other.purposes, *event.purposes))),
            last_held=other.last_held or event.last_held,
        )
        doc.events[i] = merged
        return merged
    doc.events.append(event)
    return event


def _merged_label(kept: Event, new: Event) -> str:
    """The label of two merged mentions: a name, else the one that says more (for a visit:
    the one that knows its destination and visitor, "his visit to the country" knows less)."""
    if kept.name:
        return kept.label
    if kept.type == "Visit":
        if (new.destination, new.participants[:1]) != (None, ()) and kept.destination is None:
            return new.label
        return kept.label
    return kept.label if len(kept.label) >= len(new.label) else new.label


def _same_event(doc: Doc, a: Event, b: Event, definite: bool) -> bool:
    if a.type == "Exercise" and a.name and b.name:
        return fold(a.name) == fold(b.name)  # one named exercise, whatever dates its mentions carry
    if a.date and b.date and a.date.value != b.date.value:
        return False
    if a.type == "Exercise":
        if a.name and b.name:
            return fold(a.name) == fold(b.name)
        named = [e for e in doc.events if e.type == "Exercise" and e.name]
        if b.name and not a.name:
            return False
        if a.name and not b.name:
            return len(named) == 1 and (definite or set(a.parties) & set(b.parties) != set())
        return set(a.parties) == set(b.parties) or (definite and set(b.parties) <= set(a.parties))
    if a.type == "Visit":
        return a.participants[:1] == b.participants[:1] and (
            a.destination == b.destination or b.destination is None
        )
    if a.type in ("Meeting", "Incident"):
        if a.status != b.status and not definite:
            return False
        if set(a.parties) == set(b.parties):
            return True
        return definite and (set(b.parties) <= set(a.parties) or set(a.parties) <= set(b.parties))
    return False
