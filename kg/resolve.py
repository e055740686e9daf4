"""Resolution across articles: one node per person and per event, whichever article says it.

States, organisations and places already share IRIs (ISO codes and canonical names). Officials
are matched alias-aware: the folded name tokens of one must contain the other's ("Tanaka",
"TANAKA Hiroshi" and "Hiroshi Tanaka" are one person) and their states must agree. The same event
reported by several articles (same type, states, full date and status, or the same name for a
named exercise or agreement) gets one corpus-level key, so its node collects evidence from each.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from kg.lexicon import fold, slugify
from kg.records import Entity, Event, Extraction

SHARED_EVENT_TYPES = frozenset({"Meeting", "Visit", "Exercise"})
NAMED_EVENT_TYPES = frozenset({"Exercise", "Agreement"})


@dataclass(frozen=True, slots=True)
class KnownPerson:
    key: str  # "person:<slug>"
    name: str
    tokens: frozenset[str]
    state: str | None


def name_tokens(name: str) -> frozenset[str]:
    """Folded name words without initials: "James N. Mattis" -> {"james", "mattis"}."""
    words = (fold(w).strip(".,") for w in name.replace("-", " ").split())
    return frozenset(w for w in words if len(w) > 1)


def _compatible(a: KnownPerson, tokens: frozenset[str], state: str | None) -> bool:
    if not tokens or not a.tokens:
        return False
    if not (tokens <= a.tokens or a.tokens <= tokens):
        return False
    return a.state is None or state is None or a.state == state


def known_people(rows: Iterable[tuple[str, str, str | None]]) -> list[KnownPerson]:
    """People already in the store: (IRI, label or alias, ISO-3 state or None) rows."""
    people: dict[str, KnownPerson] = {}
    for iri, name, state in rows:
        key = "person:" + iri.rsplit("/", 1)[-1]
        tokens = name_tokens(name)
        previous = people.get(key)
        if previous is None or len(tokens) > len(previous.tokens):
            people[key] = KnownPerson(
                key, name, tokens, state or (previous.state if previous else None)
            )
    return sorted(people.values(), key=lambda p: p.key)


def resolve(
    extractions: list[Extraction], existing: list[KnownPerson] | None = None
) -> list[Extraction]:
    """Rewrite person and event keys so the same person or event shares one node."""
    people = list(existing or [])
    # the fullest form of each person in this batch becomes the canonical key
    batch = sorted(
        (e for x in extractions for e in x.entities if e.type == "Official"),
        key=lambda e: (-len(name_tokens(e.name)), e.key),
    )
    canonical: dict[tuple[str, str], str] = {}  # (article id, old key) -> new key
    for x in extractions:
        for e in x.entities:
            if e.type != "Official":
                continue
            tokens = name_tokens(e.name)
            match = next((p for p in people if _compatible(p, tokens, e.state)), None)
            if match is None:
                fuller = next(
                    (
                        b
                        for b in batch
                        if b is not e
                        and _compatible(
                            KnownPerson(b.key, b.name, name_tokens(b.name), b.state),
                            tokens,
                            e.state,
                        )
                    ),
                    None,
                )
                key = (
                    fuller.key
                    if fuller is not None and len(name_tokens(fuller.name)) > len(tokens)
                    else e.key
                )
                if any(p.key == key for p in people):
                    # the same name, but another person (another state): keep them apart
                    key = f"{key}-{(e.state or 'unknown').lower()}"
                match = KnownPerson(key, e.name, tokens, e.state)
                people.append(match)
            canonical[(x.article.id, e.key)] = match.key
    return [_rewrite(x, canonical) for x in extractions]


def _rewrite(x: Extraction, canonical: dict[tuple[str, str], str]) -> Extraction:
    aid = x.article.id

    def key(k: str | None) -> str | None:
        return canonical.get((aid, k), k) if k else k

    merged: dict[str, Entity] = {}
    for e in x.entities:
        new_key = key(e.key) or e.key
        if new_key in merged:
            other = merged[new_key]
            merged[new_key] = replace(
                other,
                aliases=tuple(
                    sorted(set(other.aliases) | set(e.aliases) | {e.name} - {other.name})
                ),
                mentions=tuple(
                    sorted(set(other.mentions) | set(e.mentions), key=lambda s: (s.start, s.end))
                ),
            )
        else:
            merged[new_key] = replace(e, key=new_key)
    entities = tuple(merged[k] for k in sorted(merged))
    events = tuple(
        replace(
            ev,
            participants=tuple(dict.fromkeys(key(p) or p for p in ev.participants)),
            speaker=key(ev.speaker),
            shared_key=shared_event_key(ev),
        )
        for ev in x.events
    )
    claims = tuple(replace(c, speaker=key(c.speaker) or c.speaker) for c in x.claims)
    return replace(x, entities=entities, events=events, claims=claims)


def shared_event_key(event: Event) -> str | None:
    """The corpus-level key of an event several articles can report, else None.

    Examples
    --------
    >>> from kg.records import DateValue, Event
    >>> e = Event("meeting-1", "Meeting", "m", (), status="held", parties=("KOR", "JPN"),
    ...           date=DateValue("2023-06-05", "date", "June 5, 2023"))
    >>> shared_event_key(e)
    'meeting-jpn-kor-2023-06-05-held'
    """
    status = event.status or "none"
    states = "-".join(s.lower() for s in sorted(event.parties))
    if event.name and event.type in NAMED_EVENT_TYPES and states:
        date = event.date.value if event.date else "undated"
        return f"{event.type.lower()}-{slugify(event.name)}-{states}-{slugify(date)}-{status}"
    if (
        event.type in SHARED_EVENT_TYPES
        and event.date
        and event.date.datatype == "date"
        and event.parties
    ):
        states = "-".join(s.lower() for s in sorted(event.parties))
        return f"{event.type.lower()}-{states}-{event.date.value}-{status}"
    return None
