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


class _PeopleIndex:
    """People by name token, so a lookup only looks at people who share a word of the name."""

    def __init__(self) -> None:
        self.people: list[KnownPerson] = []
        self.keys: set[str] = set()
        self._by_token: dict[str, list[int]] = {}

    def add(self, person: KnownPerson) -> None:
        position = len(self.people)
        self.people.append(person)
        self.keys.add(person.key)
        for token in person.tokens:
            self._by_token.setdefault(token, []).append(position)

    def first_compatible(
        self, tokens: frozenset[str], state: str | None, longer: bool = False
    ) -> KnownPerson | None:
        """The earliest-added person compatible with ``tokens`` and ``state`` (with
        ``longer``, only one whose name has more words)."""
        positions: set[int] = set()
        for token in tokens:
            positions.update(self._by_token.get(token, ()))
        for position in sorted(positions):
            person = self.people[position]
            if longer and len(person.tokens) <= len(tokens):
                continue
            if _compatible(person, tokens, state):
                return person
        return None


def resolve(
    extractions: list[Extraction], existing: list[KnownPerson] | None = None
) -> list[Extraction]:
    """Rewrite person and event keys so the same person or event shares one node."""
    people = _PeopleIndex()
    for person in existing or []:
        people.add(person)
    # the fullest form of each person in this batch becomes the canonical key
    fullest = _PeopleIndex()
    for e in sorted(
        (e for x in extractions for e in x.entities if e.type == "Official"),
        key=lambda e: (-len(name_tokens(e.name)), e.key),
    ):
        fullest.add(KnownPerson(e.key, e.name, name_tokens(e.name), e.state))
    canonical: dict[tuple[str, str], str] = {}  # (article id, old key) -> new key
    for x in extractions:
        for e in x.entities:
            if e.type != "Official":
                continue
            tokens = name_tokens(e.name)
            match = people.first_compatible(tokens, e.state)
            if match is None:
                fuller = fullest.first_compatible(tokens, e.state, longer=True)
                key = fuller.key if fuller is not None else e.key
                if key in people.keys:
                    # the same name, but another person (another state): keep them apart
                    key = f"{key}-{(e.state or 'unknown').lower()}"
                match = KnownPerson(key, e.name, tokens, e.state)
                people.add(match)
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
