"""Why each event has its parties and its status: a ``EventBasis`` per fact, read from the evidence.

Runs on the finished document (after every stage), so it sees the parties and status the
event ended with. A party comes from a state mention in the event's sentences (its rule is how
the state was written: ``name``, ``adjective``, ``seat``, ``possessive``, ``title``), an
official of that state (``official``), an organisation of it (``organization``), a place in it
(``place``), a venue ("in Doha, Qatar": ``venue``, inferred) or, when the sentences do not name
it, the article's context (the meeting an anaphor points to: ``context``, inferred). A status
comes from a status word near the trigger (``status-word``) or the trigger and tense
(``trigger``).
"""

from __future__ import annotations

import functools
import re

from kg.extract.doc import Doc, Mention, replace
from kg.extract.events import is_venue
from kg.extract.grammar import compiled
from kg.lexicon import cue_regex, fold, read_tsv
from kg.records import Event, EventBasis

# how a mention supports a party, strongest first
_RANK = {"State": 0, "Official": 1, "Organization": 2, "Place": 3}


@functools.lru_cache(maxsize=1)
def event_codes() -> dict[tuple[str, str], str]:
    """(event type, status) -> CAMEO notation, from ``event_codes.tsv`` (validated)."""
    codes: dict[tuple[str, str], str] = {}
    for row in read_tsv("event_codes.tsv"):
        event, status, cameo = row.get("event", ""), row.get("status", ""), row.get("cameo", "")
        if not (event and status and cameo.isdigit() and 2 <= len(cameo) <= 4):
            raise ValueError(f"event_codes.tsv: bad row {row!r}")
        codes[(event, status)] = cameo
    return codes


def with_basis(doc: Doc, events: tuple[Event, ...]) -> tuple[Event, ...]:
    """Each event with its CAMEO code (when its status sets one) and the basis of its facts."""
    by_sentence: dict[int, list[Mention]] = {}
    sentence_at = doc.article.sentence_at
    for m in doc.mentions:
        if m.state and m.type in _RANK:
            by_sentence.setdefault(sentence_at(m.start).index, []).append(m)
    words = compiled(
        doc.lexicon, "basis.status", lambda lex: cue_regex(frozenset(lex.status_words))
    )

    # events often share their sentences: a party's basis is a function of the sentences and
    # the party, a status word's of the span and the status (computed once for each)
    parties: dict[tuple[tuple[int, ...], str], EventBasis] = {}
    statuses: dict[tuple[int, int], list[tuple[str | None, int, int]]] = {}
    return tuple(_with_basis(doc, e, by_sentence, words, parties, statuses) for e in events)


def _with_basis(
    doc: Doc,
    event: Event,
    by_sentence: dict[int, list[Mention]],
    words: re.Pattern[str],
    parties: dict[tuple[tuple[int, ...], str], EventBasis],
    statuses: dict[tuple[int, int], list[tuple[str | None, int, int]]],
) -> Event:
    sentences = tuple(span.sentence for span in event.evidence)
    basis = []
    mentions: list[Mention] | None = None
    for party in event.parties:
        found = parties.get((sentences, party))
        if found is None:
            if mentions is None:
                mentions = [m for k in sentences for m in by_sentence.get(k, ())]
            found = parties[(sentences, party)] = _party_basis(doc, party, mentions)
        basis.append(found)
    if event.status:
        basis.append(_status_basis(doc, event, words, statuses))
    cameo = event_codes().get((event.type, event.status or ""))
    return replace(event, basis=tuple(basis), cameo=cameo or event.cameo)


def _party_basis(doc: Doc, party: str, mentions: list[Mention]) -> EventBasis:
    fact = f"party:{party}"
    supporting = sorted(
        (m for m in mentions if m.state == party and m.type in _RANK),
        key=lambda m: (_RANK[m.type], m.start),
    )
    for m in supporting:
        if m.type in ("State", "Place") and is_venue(doc, m, 0):
            continue  # a venue supports a party only when nothing else does
        rule = m.how if m.type == "State" else m.type.lower()
        return EventBasis(fact, rule, doc.span(m.start, m.end))
    if supporting:
        m = supporting[0]
        return EventBasis(fact, "venue", doc.span(m.start, m.end), inferred=True)
    return EventBasis(fact, "context", None, inferred=True)


def _status_basis(
    doc: Doc,
    event: Event,
    words: re.Pattern[str],
    statuses: dict[tuple[int, int], list[tuple[str | None, int, int]]],
) -> EventBasis:
    fact = f"status:{event.status}"
    status_words = doc.lexicon.status_words
    for span in event.evidence:
        found = statuses.get((span.start, span.end))
        if found is None:
            scan = doc.finditer_words(words, frozenset(status_words), span.start, span.end)
            found = statuses[(span.start, span.end)] = [
                (status_words.get(fold(" ".join(w.group().split()))), w.start(), w.end())
                for w in scan
            ]
        for status, start, end in found:
            if status == event.status:
                return EventBasis(fact, "status-word", doc.span(start, end))
    return EventBasis(fact, "trigger", event.evidence[0] if event.evidence else None)
