"""Typed records produced by extraction and consumed by mapping (no RDF here)."""

from __future__ import annotations

from dataclasses import dataclass

from kg.article import Article


@dataclass(frozen=True, slots=True)
class Span:
    """A piece of the article body: ``article.text[start:end] == text``."""

    start: int
    end: int
    text: str
    sentence: int


@dataclass(frozen=True, slots=True)
class DateValue:
    """A date as written: ``value`` is the XSD lexical form of ``datatype``."""

    value: str
    datatype: str  # date | gYearMonth | gYear | gMonthDay
    text: str


@dataclass(frozen=True, slots=True)
class Basis:
    """Why an official is attributed to a state: the rule, its evidence span, and whether the
    rule only guesses (``inferred``: title default, counterpart, venue, dateline, publisher)."""

    rule: str  # adjective | of-state | possessive | ministry | seat | organization | list-state
    #            | title-default | counterpart | same-side | venue | dateline | publisher
    #            | known-official (the state another article or the store gave the person)
    inferred: bool
    span: Span | None = None


INFERRED_BASES = frozenset(
    {
        "title-default",
        "counterpart",
        "same-side",
        "venue",
        "dateline",
        "publisher",
        "known-official",
    }
)
"""Rules that guess a state the text does not state next to the person."""


@dataclass(frozen=True, slots=True)
class Entity:
    key: str  # "state:JPN", "person:jane-doe", "org:...", "place:...", "agent:..."
    type: str  # State | Official | Organization | Place | Region | Commentator
    name: str
    aliases: tuple[str, ...]
    mentions: tuple[Span, ...]
    iso3: str | None = None
    state: str | None = None
    role: str | None = None
    post_org: str | None = None  # key of the organisation the post sits in
    kind: str | None = None
    wikidata: str | None = None
    cow: int | None = None
    located_in: str | None = None  # key of a place or state
    operated_by: str | None = None  # key of an organisation
    basis: Basis | None = None  # officials: why ``state`` is this state


@dataclass(frozen=True, slots=True)
class EventBasis:
    """Why an event has a party or a status: the rule that set it and the text it read.

    ``fact`` is ``party:ISO3`` or ``status:STATUS``; ``rule`` names the rule (``name``,
    ``adjective``, ``seat``, ``official``, ``compound``, ``venue``, ``anaphor``, ``trigger``,
    ``status-word``, ``modal`` ...); ``inferred`` marks rules that only fill a gap explicit
    evidence leaves (a venue, the article's meeting); ``span`` is the evidence, when there is one.
    """

    fact: str
    rule: str
    span: Span | None = None
    inferred: bool = False


@dataclass(frozen=True, slots=True)
class Event:
    key: str
    type: str  # a class of kg/data/event_types.tsv (Meeting, Visit, ...)
    label: str
    evidence: tuple[Span, ...]
    status: str | None = None
    date: DateValue | None = None
    end_date: DateValue | None = None
    parties: tuple[str, ...] = ()
    participants: tuple[str, ...] = ()
    location: str | None = None
    destination: str | None = None
    name: str | None = None
    areas: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    purposes: tuple[str, ...] = ()
    last_held: DateValue | None = None
    halted_since: DateValue | None = None
    halted_by: str | None = None
    agreed_at: str | None = None
    concerns: tuple[str, ...] = ()
    speaker: str | None = None
    quote: Span | None = None
    shared_key: str | None = None  # set by kg.resolve for events other articles may report too
    cameo: str | None = None  # CAMEO code of this event when its status sets one ("057" signed)
    basis: tuple[EventBasis, ...] = ()  # why each party and the status are what they are


@dataclass(frozen=True, slots=True)
class Claim:
    key: str
    kind: str  # analysis | historical-context | assessment
    text: Span
    speaker: str
    evidence: tuple[Span, ...]
    about: tuple[str, ...] = ()
    ally: tuple[str, ...] = ()
    framework: tuple[str, ...] = ()
    target: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Extraction:
    article: Article
    entities: tuple[Entity, ...]
    events: tuple[Event, ...]
    claims: tuple[Claim, ...]
    sources: tuple[str, ...]  # keys of organisations the article cites
