"""Meetings: one per counterpart, their labels, and the state of an unnamed counterpart."""

from __future__ import annotations

from kg.article import Sentence
from kg.extract.doc import Doc, replace
from kg.extract.events.common import _clause_start, _sorted_states, _w
from kg.extract.events.parties import is_venue
from kg.extract.grammar import register
from kg.lexicon import Trigger, fill_label, fold, listed
from kg.records import Event

EVENT_TYPE = register("Meeting", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _one_per_counterpart(
    doc: Doc, sentence: Sentence, start: int, trigger: Trigger, event: Event
) -> list[Event]:
    """ "meetings with his counterparts from A, B and C": one meeting of the subject's state
    with each (``plural_meeting`` triggers, one subject state, two or more others)."""
    if trigger.event != "Meeting" or fold(trigger.surface) not in _w(doc).plural_meetings:
        return [event]
    clause = _clause_start(doc, sentence, start)
    before = doc.mentions_in(clause, start)
    subject = list(dict.fromkeys(m.state for m in before if m.type == "Official" and m.state))
    subject = subject or list(
        dict.fromkeys(
            m.state
            for m in before
            if m.type == "State" and m.state and not is_venue(doc, m, clause)
        )
    )
    others = [p for p in event.parties if p not in subject]
    if not subject and len(others) >= 2:
        return []  # the states met the subject, not each other, and the subject is unknown
    if len(set(subject)) != 1 or len(others) < 2:
        return [event]
    return [
        replace(
            event,
            key=f"{event.key}-{other.lower()}",
            parties=_sorted_states({subject[0], other}),
            label=_meeting_label(doc, replace(event, parties=_sorted_states({subject[0], other}))),
        )
        for other in others
    ]


def _complete_pairs(doc: Doc) -> None:
    """An official of unknown state met or hosted by a counterpart: the other party's state
    ("Prime Minister X ... and his Australian counterpart ..." at a Japan–Australia summit)."""
    for event in doc.events:
        if event.type not in ("Meeting", "Visit") or len(event.parties) != 2:
            continue
        people = [doc.entities[p] for p in event.participants if p in doc.entities]
        unknown = [p for p in people if p.state is None]
        known = {p.state for p in people if p.state}
        rest = set(event.parties) - known
        if len(unknown) == 1 and len(rest) == 1:
            unknown[0].state = rest.pop()
            for mention in doc.mentions:
                if mention.key == unknown[0].key:
                    mention.state = unknown[0].state


def _meeting_label(doc: Doc, event: Event) -> str:
    names = [doc.lexicon.states[s].name for s in event.parties if s in doc.lexicon.states]
    if len(names) >= 2:
        return fill_label(doc.lexicon, "meeting-parties", parties=listed(doc.lexicon, names))
    if names:
        return fill_label(doc.lexicon, "meeting-party", party=names[0])
    return fill_label(doc.lexicon, "meeting")
