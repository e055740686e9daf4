"""Extraction: an article in, typed records (entities, events, claims) out.

A pipeline of small stages, each a function of the working ``Doc``:

1. ``find_gazetteer_mentions`` states, regions, organisations, places (data files + GeoNames)
2. ``find_people``             officials by title patterns, then surnames, titles, pronouns
3. ``find_dates``              absolute, partial, ranged and relative dates
4. ``find_claims``             attributed opinions and analysis (kept out of the facts)
5. ``find_events``             meetings, visits, exercises, agreements, statements, incidents

``extract`` runs them and assembles ``Extraction`` records; entities without a mention in the
text are dropped, so every record has evidence.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from kg.article import Article
from kg.extract.claims import find_claims
from kg.extract.dates import find_dates
from kg.extract.doc import Doc, EntityDraft
from kg.extract.events import find_events
from kg.extract.mentions import find_gazetteer_mentions
from kg.extract.people import find_people
from kg.lexicon import Lexicon, load_lexicon
from kg.records import INFERRED_BASES, Basis, Entity, Event, Extraction

Stage = Callable[[Doc], Doc]

PIPELINE: tuple[Stage, ...] = (
    find_gazetteer_mentions,
    find_people,
    find_dates,
    find_claims,
    find_events,
)

NEWS_KINDS = frozenset({"news-agency", "newspaper", "broadcaster"})


def extract(article: Article, lexicon: Lexicon | None = None) -> Extraction:
    """Run every stage on ``article`` and return its records."""
    doc = Doc(article, lexicon or load_lexicon())
    for stage in PIPELINE:
        doc = stage(doc)
    return assemble(doc)


def assemble(doc: Doc) -> Extraction:
    mentions_by_key: dict[str, list] = {}
    for mention in doc.mentions:
        mentions_by_key.setdefault(mention.key, []).append(doc.span(mention.start, mention.end))
    kept = {key for key in doc.entities if key in mentions_by_key}

    def ref(key: str | None) -> str | None:
        return key if key in kept else None

    entities: list[Entity] = []
    for key in sorted(kept):
        draft = doc.entities[key]
        spans = tuple(sorted(set(mentions_by_key[key]), key=lambda s: (s.start, s.end)))
        state = draft.state if draft.state and f"state:{draft.state}" in kept else None
        aliases = tuple(sorted(a for a in draft.aliases if a and a != draft.name))
        entities.append(
            Entity(
                key=key,
                type=draft.type,
                name=draft.name,
                aliases=aliases,
                mentions=spans,
                iso3=draft.iso3,
                state=state,
                role=draft.role,
                post_org=ref(draft.post_org),
                kind=draft.kind,
                wikidata=draft.wikidata,
                cow=draft.cow,
                located_in=ref(draft.located_in),
                operated_by=ref(draft.operated_by),
                basis=_basis(doc, draft) if state and draft.type == "Official" else None,
            )
        )
    events = tuple(_clean_event(e, kept) for e in doc.events)
    # an event no state can be attached to is a mention we could not resolve: leave it out
    events = tuple(e for e in events if e.parties or e.type in ("Statement",))
    keys = {e.key for e in events}
    events = tuple(  # no reference to an event that was left out
        replace(
            e,
            concerns=tuple(k for k in e.concerns if k in keys),
            agreed_at=e.agreed_at if e.agreed_at in keys else None,
            halted_by=e.halted_by if e.halted_by in keys else None,
        )
        for e in events
    )
    claims = tuple(c for c in doc.claims if c.speaker in kept)
    sources = tuple(
        sorted(e.key for e in entities if e.type == "Organization" and e.kind in NEWS_KINDS)
    )
    return Extraction(doc.article, tuple(entities), events, claims, sources)


def _basis(doc: Doc, draft: EntityDraft) -> Basis:
    """The basis of an official's state; a state set without one (an event stage pairing an
    official with the other party of a two-state meeting) is a counterpart guess."""
    rule = draft.basis or "counterpart"
    span = doc.span(*draft.basis_span) if draft.basis_span else None
    return Basis(rule, rule in INFERRED_BASES, span)


def _clean_event(event: Event, kept: set[str]) -> Event:
    """Drop references to entities that have no mention (and so no evidence)."""
    states = tuple(s for s in event.parties if f"state:{s}" in kept)
    return replace(
        event,
        parties=states,
        participants=tuple(p for p in event.participants if p in kept),
        location=event.location if event.location in kept else None,
        destination=event.destination if event.destination in kept else None,
        speaker=event.speaker if event.speaker in kept else None,
    )


__all__ = ["extract", "assemble", "PIPELINE", "Doc"]
