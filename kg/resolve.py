"""Resolution across articles: one node per person and per event, whichever article says it.

States, organisations and places already share IRIs (ISO codes and canonical names). Officials
are matched alias-aware: the folded name tokens of one must contain the other's ("Tanaka",
"TANAKA Hiroshi" and "Hiroshi Tanaka" are one person) and their states must agree. The same event
reported by several articles (same type, states, full date and status, or the same name for a
named exercise or agreement) gets one corpus-level key, so its node collects evidence from each.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace

from kg.event_types import event_types
from kg.lexicon import fold, slugify
from kg.records import Basis, Entity, Event, Extraction, Span

SHARED_EVENT_TYPES = event_types().shared()  # kg/data/event_types.tsv: shared, named
NAMED_EVENT_TYPES = frozenset(event_types().named())
#: Names of more tokens than this are matched against everyone sharing a token (2^n subsets).
_MAX_SUBSET_TOKENS = 8


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


_WORD = re.compile(r"[\w’'-]+")


def name_start(name: str) -> tuple[str, ...] | None:
    """The key :func:`recognise_known` looks a name up by: its first two words (one for a
    one-word name), None when the name does not start with a word."""
    if not _WORD.match(name):
        return None
    return tuple(m.group() for m in _WORD.finditer(name))[:2]


def text_starts(text: str) -> set[tuple[str, ...] | None]:
    """Every :func:`name_start` a name written in ``text`` can have: its words, the pairs of
    consecutive words, and None."""
    words = _WORD.findall(text)
    present: set[tuple[str, ...] | None] = {None, *((w,) for w in words)}
    present.update(zip(words, words[1:], strict=False))
    return present


def _compatible(a: KnownPerson, tokens: frozenset[str], state: str | None) -> bool:
    if not tokens or not a.tokens:
        return False
    if not (tokens <= a.tokens or a.tokens <= tokens):
        return False
    return a.state is None or state is None or a.state == state


def known_people(rows: Iterable[tuple[str, str, str | None]]) -> list[KnownPerson]:
    """People already in the store: (IRI, label or alias, ISO-3 state or None) rows, in any
    order (a person with no state in one graph and a state in another keeps the state)."""
    people: dict[str, KnownPerson] = {}
    for iri, name, state in sorted(rows, key=lambda r: (r[0], r[1], r[2] is None, r[2] or "")):
        key = "person:" + iri.rsplit("/", 1)[-1]
        tokens = name_tokens(name)
        previous = people.get(key)
        if previous is None or len(tokens) > len(previous.tokens):
            people[key] = KnownPerson(
                key, name, tokens, state or (previous.state if previous else None)
            )
    return sorted(people.values(), key=lambda p: p.key)


class _PeopleIndex:
    """People by name token and by the set of their name tokens, so that a lookup only looks
    at the people whose names contain the name looked up, or are contained in it."""

    def __init__(self) -> None:
        self.people: list[KnownPerson] = []
        self.keys: set[str] = set()
        self._by_token: dict[str, list[int]] = {}
        self._by_tokens: dict[frozenset[str], list[int]] = {}

    def add(self, person: KnownPerson) -> None:
        position = len(self.people)
        self.people.append(person)
        self.keys.add(person.key)
        for token in person.tokens:
            self._by_token.setdefault(token, []).append(position)
        self._by_tokens.setdefault(person.tokens, []).append(position)

    def _related(self, tokens: frozenset[str]) -> list[int]:
        """Positions of the people whose tokens contain ``tokens`` or are contained in them
        (every person :func:`_compatible` can accept), in the order they were added."""
        if not tokens:
            return []
        lists = sorted((self._by_token.get(t, []) for t in tokens), key=len)
        found = set(lists[0]).intersection(*lists[1:])  # names containing every token
        if len(tokens) <= _MAX_SUBSET_TOKENS:
            words = sorted(tokens)
            for size in range(1, len(words)):  # names made of some of the tokens
                for subset in itertools.combinations(words, size):
                    found.update(self._by_tokens.get(frozenset(subset), ()))
        else:  # an unusually long name: every person sharing a token
            for positions in lists:
                found.update(positions)
        return sorted(found)

    def first_compatible(
        self, tokens: frozenset[str], state: str | None, longer: bool = False
    ) -> KnownPerson | None:
        """The earliest-added person compatible with ``tokens`` and ``state`` (with
        ``longer``, only one whose name has more words). A short name that fits people of
        different full names ("Singh": "Rajnath Singh" and "Rajesh Kumar Singh") is ambiguous
        and fits nobody."""
        found = None
        for position in self._related(tokens):
            person = self.people[position]
            if longer and len(person.tokens) <= len(tokens):
                continue
            if _compatible(person, tokens, state):
                if found is None:
                    found = person
                elif not (found.tokens <= person.tokens or person.tokens <= found.tokens):
                    return None  # two different full names: a bare surname is ambiguous
        return found


def resolve(
    extractions: list[Extraction], existing: list[KnownPerson] | None = None
) -> list[Extraction]:
    """Rewrite person and event keys so the same person or event shares one node; officials
    already known (from the store or another article of the batch) are recognised by their
    full name in an article that names them without a title."""
    extractions = recognise_known(extractions, existing or [])
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
        officials = [e for e in x.entities if e.type == "Official"]
        # fullest names first, so a short name of this article can follow its own full name
        for e in sorted(officials, key=lambda e: (-len(name_tokens(e.name)), e.key)):
            tokens = name_tokens(e.name)
            own = next(
                (
                    o
                    for o in officials
                    if o.key != e.key
                    and tokens < name_tokens(o.name)
                    and (x.article.id, o.key) in canonical
                    and (o.state is None or e.state is None or o.state == e.state)
                ),
                None,
            )
            if own is not None:
                # never link a bare surname past the full name its own article gives
                canonical[(x.article.id, e.key)] = canonical[(x.article.id, own.key)]
                continue
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


def recognise_known(extractions: list[Extraction], existing: list[KnownPerson]) -> list[Extraction]:
    """Add an official known elsewhere (two or more name words, a state) to an article that
    writes the full name but gives no title: "Rajnath Singh said" after another article named
    "Defence Minister Rajnath Singh". The state is the known one, marked inferred."""
    known: dict[str, KnownPerson] = {}
    for person in existing:
        if person.state and len(person.tokens) >= 2:
            known.setdefault(person.name, person)
    for x in extractions:
        for e in x.entities:
            if e.type == "Official" and e.state and len(name_tokens(e.name)) >= 2:
                known.setdefault(e.name, KnownPerson(e.key, e.name, name_tokens(e.name), e.state))
    # each article is searched only for the names whose first two words it writes one after
    # the other (linear in the corpus: a common first name does not make every article look
    # at every person of that first name); a name of one word is looked up by that word
    by_words: dict[tuple[str, ...] | None, list[str]] = {}
    for name in known:
        by_words.setdefault(name_start(name), []).append(name)
    out = []
    for x in extractions:
        text = x.article.text
        taken = [(m.start, m.end) for e in x.entities for m in e.mentions]
        have = {name_tokens(e.name) for e in x.entities if e.type == "Official"}
        added: list[Entity] = []
        present = text_starts(text)
        candidates = sorted(n for key in present & by_words.keys() for n in by_words[key])
        for name in candidates:
            person = known[name]
            if person.tokens in have or any(person.tokens < t for t in have):
                continue
            spans = []
            for found in re.finditer(rf"(?<![\w’'-]){re.escape(name)}(?![\w’'-])", text):
                if any(found.start() < hi and lo < found.end() for lo, hi in taken):
                    continue
                sentence = x.article.sentence_at(found.start()).index
                spans.append(Span(found.start(), found.end(), found.group(), sentence))
            if not spans or f"state:{person.state}" not in {e.key for e in x.entities}:
                continue  # only where the article itself mentions the person's state
            added.append(
                Entity(
                    key=person.key,
                    type="Official",
                    name=person.name,
                    aliases=(),
                    mentions=tuple(spans),
                    state=person.state,
                    basis=Basis("known-official", True, None),
                )
            )
            have.add(person.tokens)
        out.append(replace(x, entities=x.entities + tuple(added)) if added else x)
    return out


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
