"""Extraction: an article in, typed records (entities, events, claims) out.

A pipeline of small stages, each a function of the working ``Doc``:

1. ``find_gazetteer_mentions`` states, regions, organisations, places (data files + GeoNames)
2. ``find_people``             officials by title patterns, then surnames, titles, pronouns
3. ``find_dates``              absolute, partial, ranged and relative dates
4. ``find_claims``             attributed opinions and analysis (kept out of the facts)
5. ``find_events``             meetings, visits, exercises, agreements, statements, incidents

Each stage's docstring says which fields of the ``Doc`` it reads and which it writes (the
fields are listed on ``kg.extract.doc.Doc``). ``extract`` runs them and assembles
``Extraction`` records; entities without a mention in the text are dropped, so every record
has evidence.
"""

from __future__ import annotations

import contextlib
import gc
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

from kg.article import Article, ArticleError
from kg.event_types import event_types
from kg.extract.basis import with_basis
from kg.extract.claims import find_claims
from kg.extract.dates import find_dates
from kg.extract.doc import Doc, EntityDraft, replace
from kg.extract.events import find_events
from kg.extract.mentions import find_gazetteer_mentions
from kg.extract.people import find_people
from kg.lexicon import Lexicon, load_lexicon
from kg.records import INFERRED_BASES, Basis, Entity, Event, Extraction, Span

Stage = Callable[[Doc], Doc]

PIPELINE: tuple[Stage, ...] = (
    find_gazetteer_mentions,
    find_people,
    find_dates,
    find_claims,
    find_events,
)

MIN_PARTIES = event_types().min_parties()  # kg/data/event_types.tsv: min_parties
NEWS_KINDS = frozenset({"news-agency", "newspaper", "broadcaster"})


BUDGET_ENV = "KG_EXTRACT_BUDGET"
DEFAULT_BUDGET = 20.0  # seconds of extraction per article


class ExtractionBudgetError(ArticleError):
    """An article whose extraction ran past the time budget (the message is one line)."""


def extraction_budget() -> float | None:
    """Seconds one article may take (``KG_EXTRACT_BUDGET``; 0 turns the limit off)."""
    raw = os.environ.get(BUDGET_ENV, "").strip()
    if not raw:
        return DEFAULT_BUDGET
    try:
        budget = float(raw)
    except ValueError:
        budget = -1.0
    if not budget >= 0 or budget == float("inf"):
        raise ArticleError(f"{BUDGET_ENV} must be a number of seconds (0: no limit), got {raw!r}")
    return budget or None


def extract(article: Article, lexicon: Lexicon | None = None) -> Extraction:
    """Run every stage on ``article`` and return its records.

    Raises
    ------
    ExtractionBudgetError
        When the article takes longer than ``KG_EXTRACT_BUDGET`` seconds (default 20). The
        deadline is checked between stages and sentences; in the main thread an interval timer
        also interrupts a stage stuck inside one call.
    """
    lexicon = lexicon or load_lexicon()
    budget = extraction_budget()
    with _collector_paused():
        doc = Doc(article, lexicon)
        try:
            if budget is None:
                return _run(doc)
            doc.deadline = time.monotonic() + budget
            error = ExtractionBudgetError(
                f"{article.path or article.id}: extraction exceeded the {budget:g} s budget"
            )
            doc.budget_error = error
            with _alarm(budget, error):
                return _run(doc)
        finally:
            del doc  # freed while the collector still sleeps (see _collector_paused)


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for one article, then resume it as it was.

    Extraction makes no reference cycles: its document, memos, mentions and records form
    trees that reference counting frees (``tests/test_extract_shortcuts.py`` checks that no
    cyclic garbage is left). The collections its allocations would trigger (about one per
    article, each walking the young objects) would find nothing, and the document is freed
    before the collector resumes, so its objects do not count towards the next one: 1,000
    synthetic articles trigger 16 collections instead of about 980. A cycle made meanwhile
    (an exception's traceback) is collected once the collector runs again; another thread's
    ``extract`` finishing first may resume it early, which costs only time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run(doc: Doc) -> Extraction:
    for stage in PIPELINE:
        doc = stage(doc)
        doc.check_deadline()
    return assemble(doc)


@contextlib.contextmanager
def _alarm(seconds: float, error: ExtractionBudgetError) -> Iterator[None]:
    """Raise ``error`` after ``seconds`` (SIGALRM, main thread only, when no timer is set)."""
    usable = (
        hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    )
    if not usable:
        yield
        return

    def expired(_signum: int, _frame: object) -> None:
        raise error

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assemble(doc: Doc) -> Extraction:
    mentions_by_key: dict[str, list[Span]] = {}
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
    # a relation needs two sides: an unnamed meeting, visit, exercise or agreement with fewer
    # than two states is a mention whose counterpart we could not resolve, so it is left out
    # (a named exercise or treaty is a known thing whatever the parties the article gives)
    events = tuple(e for e in events if e.name or len(e.parties) >= MIN_PARTIES.get(e.type, 0))
    # a named exercise or treaty with fewer than two sides known is named, not reported as a
    # relation: it stays as a name (no status)
    events = tuple(
        replace(e, status=None) if e.name and len(e.parties) < MIN_PARTIES.get(e.type, 0) else e
        for e in events
    )
    events = with_basis(doc, events)
    keys = {e.key for e in events}
    events = tuple(_without_dropped(e, keys) for e in events)
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
    changes = {
        "parties": tuple(s for s in event.parties if f"state:{s}" in kept),
        "participants": tuple(p for p in event.participants if p in kept),
        "location": event.location if event.location in kept else None,
        "destination": event.destination if event.destination in kept else None,
        "speaker": event.speaker if event.speaker in kept else None,
    }
    return _changed(event, changes)


def _without_dropped(event: Event, keys: set[str]) -> Event:
    """No reference to an event that was left out."""
    changes = {
        "concerns": tuple(k for k in event.concerns if k in keys),
        "agreed_at": event.agreed_at if event.agreed_at in keys else None,
        "halted_by": event.halted_by if event.halted_by in keys else None,
    }
    return _changed(event, changes)


def _changed(event: Event, changes: dict[str, Any]) -> Event:
    """``event`` with ``changes``; the event itself when they change nothing (no copy)."""
    if all(getattr(event, name) == value for name, value in changes.items()):
        return event
    return replace(event, **changes)


__all__ = ["extract", "assemble", "PIPELINE", "Doc", "ExtractionBudgetError", "extraction_budget"]
