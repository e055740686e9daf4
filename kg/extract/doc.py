"""The working document that extraction stages enrich, one stage after another."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import itertools
import operator
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar

from kg.article import Article, Sentence
from kg.lexicon import Gazetteer, Lexicon, Match, Token, fold, tokenize
from kg.records import Claim, DateValue, Event, Span

T = TypeVar("T")

_FIELDS: dict[type, tuple[dict[str, int], Callable[[Any], tuple[Any, ...]]]] = {}


def replace(obj: T, /, **changes: Any) -> T:
    """``dataclasses.replace`` for the records (dataclasses whose fields are all set by
    ``__init__``, positionally): the fields are read by one C-level getter built once per class
    instead of a loop over ``dataclasses.fields`` on every call, and passed back by position.
    The same object comes out."""
    cls = type(obj)
    known = _FIELDS.get(cls)
    if known is None:
        fields = dataclasses.fields(cls)  # type: ignore[arg-type]
        if any(not f.init or f.kw_only for f in fields) or len(fields) < 2:
            return dataclasses.replace(obj, **changes)  # type: ignore[type-var]
        names = tuple(f.name for f in fields)
        known = _FIELDS[cls] = ({n: i for i, n in enumerate(names)}, operator.attrgetter(*names))
    positions, values = known[0], list(known[1](obj))
    for name, value in changes.items():
        position = positions.get(name)
        if position is None:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
        values[position] = value
    return cls(*values)


_INITIAL_AT_END = re.compile(r"(?<!\w)[A-Z]\.$")


def ends_with_initial(text: str) -> bool:
    """Whether ``text`` ends with an initial or an abbreviation's last letter ("U.S."): what
    ``_INITIAL_AT_END`` finds, read at the two places its ``$`` can stand (the end, and
    before a final line break) instead of searched for along the whole text."""
    for end in (len(text), len(text) - 1 if text.endswith("\n") else -1):
        if end >= 2 and text[end - 1] == "." and "A" <= text[end - 2] <= "Z":
            before = text[end - 3] if end >= 3 else ""
            if not (before.isalnum() or before == "_"):
                return True
    return False


_WORD_CHAR = re.compile(r"\w")


class AheadSearch:
    """``pattern.search(text, start, end)`` over spans in text order (sentences), scanning the
    text about once: a search without an end says where the next match can begin at the
    earliest, and only a span that holds that position is searched within its bounds.

    For word patterns (``kg.lexicon.cue_regex``): a match inside a span is then a match of the
    whole text at the same place, since nothing after it but a non-word character matters
    (a span followed by a word character is searched directly)."""

    __slots__ = ("_pattern", "_text", "_origin", "_next")

    def __init__(self, pattern: re.Pattern[str], text: str) -> None:
        self._pattern, self._text = pattern, text
        self._origin = len(text) + 1  # no search yet
        self._next: re.Match[str] | None = None  # the first match at or after ``_origin``

    def search(self, start: int, end: int) -> re.Match[str] | None:
        text, pattern = self._text, self._pattern
        if _WORD_CHAR.match(text, end):
            return pattern.search(text, start, end)
        found = self._next
        if not (self._origin <= start and (found is None or start <= found.start())):
            self._origin, found = start, pattern.search(text, start)
            self._next = found
        if found is None or found.start() >= end:
            return None
        return pattern.search(text, start, end)


_FEW_FIRST_KEYS = 4


def _positions(keys: list[str], key: str) -> Iterator[int]:
    """The indexes of ``key`` in ``keys``, ascending (a C-level scan for each)."""
    i = -1
    while True:
        try:
            i = keys.index(key, i + 1)
        except ValueError:
            return
        yield i


_LEADING_RUN = re.compile(r"\w+")


@functools.lru_cache(maxsize=64)
def leading_runs(words: frozenset[str]) -> frozenset[str] | None:
    """The lower-cased leading word runs of ``words`` ("according" for "according to"): a
    match of a word pattern built from them (``kg.lexicon.cue_regex``, or any alternation of
    them behind ``\\b`` or a lookbehind for a non-word character) begins with a token that is
    one of these runs, up to case, or holds a character outside ASCII (``WordSearch``).

    None when a word does not open with a word character, or its leading run or the
    character after it lies outside ASCII (whose case variants may be other characters)."""
    runs = set()
    for word in words:
        run = _LEADING_RUN.match(word)
        if run is None or not word[: run.end() + 1].isascii():
            return None
        runs.add(run.group().lower())
    return frozenset(runs)


class GuardedSearch:
    """``pattern.search(string)`` for a word pattern whose words' ``leading_runs`` are known:
    an ASCII string none of whose words is one of the runs (up to case) holds no match, and
    is not searched (a short string costs the pattern about as much as a long one)."""

    __slots__ = ("pattern", "_runs")

    _last: ClassVar[tuple[str, frozenset[str]]] = ("", frozenset())  # last string read, its words

    def __init__(self, pattern: re.Pattern[str], words: frozenset[str]) -> None:
        self.pattern, self._runs = pattern, leading_runs(words)

    def search(self, string: str) -> re.Match[str] | None:
        runs = self._runs
        if runs is not None and string.isascii():
            last = GuardedSearch._last  # several guards often read the same string in a row
            if last[0] is not string:
                last = GuardedSearch._last = (
                    string,
                    frozenset(_LEADING_RUN.findall(string.lower())),
                )
            if runs.isdisjoint(last[1]):
                return None
        return self.pattern.search(string)


class WordSearch:
    """``pattern.search`` and ``pattern.finditer`` within [start, end) of the body, trying the
    pattern only at the tokens a match can begin at.

    ``pattern`` matches an alternation of words whose ``leading_runs`` are ``runs``, behind
    a test that the character before is no word character. A match then begins at a word
    token that spells one of the runs (its folded key, which is its lower case for ASCII) or
    that holds a character outside ASCII. A token the bound ``end`` cuts ("plan|ned") can
    match as its part inside the bound whatever it spells, so it is tried too (last: no other
    token starts after it)."""

    __slots__ = ("_pattern", "_text", "_starts", "_tokens", "_token_starts")

    def __init__(self, doc: Doc, pattern: re.Pattern[str], runs: frozenset[str]) -> None:
        self._pattern, self._text = pattern, doc.article.text
        self._tokens, self._token_starts = doc.tokens, doc.token_starts
        index, wide = doc.token_index()
        present = index.keys() & runs  # at C level, over the smaller of the two
        self._starts = sorted(itertools.chain(wide, *map(index.__getitem__, present)))

    def _cut(self, end: int) -> int:
        """The start of the token that ``end`` cuts, or -1 when it cuts none."""
        k = bisect.bisect_left(self._token_starts, end) - 1
        if k >= 0 and self._tokens[k].end > end:
            return self._tokens[k].start
        return -1

    def search(self, start: int, end: int) -> re.Match[str] | None:
        text, pattern, starts = self._text, self._pattern, self._starts
        k = bisect.bisect_left(starts, start)
        tried = -1
        while k < len(starts) and starts[k] < end:
            tried = starts[k]
            found = pattern.match(text, tried, end)
            if found is not None:
                return found
            k += 1
        cut = self._cut(end)
        if cut >= start and cut != tried:
            return pattern.match(text, cut, end)
        return None

    def finditer(self, start: int, end: int) -> Iterator[re.Match[str]]:
        text, pattern, starts = self._text, self._pattern, self._starts
        k = bisect.bisect_left(starts, start)
        after = start  # where the previous match ended
        tried = -1
        while k < len(starts) and starts[k] < end:
            if starts[k] >= after:
                tried = starts[k]
                found = pattern.match(text, tried, end)
                if found is not None:
                    yield found
                    after = max(found.end(), tried + 1)
            k += 1
        cut = self._cut(end)
        if cut >= after and cut != tried:
            found = pattern.match(text, cut, end)
            if found is not None:
                yield found


@dataclass(slots=True)
class Mention:
    """A span that refers to an entity (``key``) in the lexicon or found by a pattern."""

    start: int
    end: int
    text: str
    key: str
    type: str  # State | Official | Organization | Place | Region | Commentator
    how: str  # name | adjective | seat | possessive | title | pronoun | pattern | surname
    state: str | None = None  # the state the referent belongs to


@dataclass(slots=True)
class EntityDraft:
    key: str
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    iso3: str | None = None
    state: str | None = None
    role: str | None = None
    post_org: str | None = None
    kind: str | None = None
    wikidata: str | None = None
    cow: int | None = None
    located_in: str | None = None
    operated_by: str | None = None
    name_tokens: tuple[str, ...] = ()
    basis: str | None = None  # officials: the rule that gave ``state`` (records.Basis.rule)
    basis_span: tuple[int, int] | None = None  # its evidence (character offsets)
    counterpart_of: str | None = None  # "his counterpart X": the official X is the counterpart of
    titles: set[str] = field(default_factory=set)  # officials: folded texts of their titles


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    value: DateValue
    end_value: DateValue | None = None
    used: bool = False


@dataclass(slots=True)
class Doc:
    """The article and what the stages found in it so far (``kg.extract.PIPELINE``).

    ``mentions`` and ``entities`` are written by stages 1 (gazetteer), 2 (people) and 4
    (claims' commentators); ``dates`` by stage 3; ``claims`` and ``claim_sentences`` by stage
    4; ``named_spans``, ``events`` and ``grammar`` by stage 5 (events). ``deadline`` and
    ``budget_error`` are set by ``extract`` before the first stage.
    """

    article: Article
    lexicon: Lexicon
    tokens: list[Token] = field(init=False)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, EntityDraft] = field(default_factory=dict)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    claim_sentences: set[int] = field(default_factory=set)
    named_spans: list[tuple[int, int, str, str]] = field(
        default_factory=list
    )  # exercise/agreement names
    sources: set[str] = field(default_factory=set)
    deadline: float | None = None  # time.monotonic() by which extraction must end
    grammar: Any = None  # the event stage's compiled word patterns (set by that stage)
    budget_error: Exception | None = None  # raised when the deadline has passed
    memo: dict[Any, Any] = field(default_factory=dict, repr=False)  # stages' per-text answers

    _mask: bytearray = field(default_factory=bytearray, repr=False)
    _mask_signature: tuple[int, int] = (-1, 0)
    _mask_of: list[Mention] = field(default_factory=list, repr=False)  # mentions in the mask
    _keys: dict[bool, list[str]] = field(default_factory=dict, repr=False)
    _starts: list[int] = field(default_factory=list, repr=False)
    _searches: dict[int, tuple[re.Pattern[str], WordSearch | None]] = field(
        default_factory=dict, repr=False
    )
    _openers: dict[int, tuple[Gazetteer[Any], list[int]]] = field(
        default_factory=dict, repr=False
    )  # id(gazetteer) -> (gazetteer, token indexes an entry can begin at)

    def __post_init__(self) -> None:
        self.tokens = tokenize(self.article.text)
        self._starts = list(map(operator.itemgetter(1), self.tokens))

    def check_deadline(self) -> None:
        """Raise ``budget_error`` once the deadline has passed (called between steps)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise self.budget_error or TimeoutError("extraction exceeded its budget")

    @property
    def token_starts(self) -> list[int]:
        """Start offsets of the tokens, ascending (for bisecting a character offset)."""
        return self._starts

    def span(self, start: int, end: int) -> Span:
        text = self.article.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(start, end, text[start:end], self.article.sentence_at(start).index)

    def sentence_span(self, sentence: Sentence) -> Span:
        return Span(sentence.start, sentence.end, sentence.text, sentence.index)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def occupied(self, start: int, end: int) -> bool:
        """Whether any mention overlaps [start, end) (a character mask, rebuilt on change)."""
        mentions = self.mentions
        signature = (len(mentions), id(mentions[-1]) if mentions else 0)
        if signature != self._mask_signature:
            done = self._mask_of
            built = len(self._mask) == len(self.article.text) + 1
            if built and len(mentions) > len(done) and all(map(operator.is_, mentions, done)):
                mask = self._mask  # mentions were only appended: mark the new ones
                fresh = mentions[len(done) :]
            else:
                mask = bytearray(len(self.article.text) + 1)
                fresh = mentions
            for m in fresh:
                mask[m.start : m.end] = b"\x01" * (m.end - m.start)
            self._mask = mask
            self._mask_of = list(mentions)
            self._mask_signature = signature
        return any(self._mask[start:end])

    def find(
        self, gazetteer: Gazetteer[T], start: int, end: int, offset: int = 0
    ) -> list[Match[T]]:
        """Longest matches of ``gazetteer`` among the body's tokens inside [start, end), with
        character offsets shifted by ``-offset`` (so a sentence can see its own offsets).

        Only the tokens an entry can begin with are tried (``openers``, computed once)."""
        keys = self.keys(gazetteer)
        openers = self.openers(gazetteer)
        tokens = self.tokens
        p = bisect.bisect_left(openers, bisect.bisect_left(self._starts, start))
        found: list[Match[T]] = []
        while p < len(openers):
            i = openers[p]
            if tokens[i].end > end:
                break
            match = gazetteer.match_at(tokens, i, keys)
            if match is None or match.end > end:
                p += 1
                continue
            found.append(
                match
                if offset == 0
                else Match(
                    match.start - offset, match.end - offset, match.first, match.last, match.value
                )
            )
            p = bisect.bisect_left(openers, match.last, p + 1)
        return found

    def openers(self, gazetteer: Gazetteer[Any]) -> list[int]:
        """Indexes of the tokens some entry of ``gazetteer`` begins with, ascending (once)."""
        cached = self._openers.get(id(gazetteer))
        if cached is None or cached[0] is not gazetteer:
            first, keys = gazetteer.first_keys(), self.keys(gazetteer)
            if len(first) <= _FEW_FIRST_KEYS:  # a few keys: each looked for by list.index
                indexes = sorted(i for key in first for i in _positions(keys, key))
            else:
                begins = map(first.__contains__, keys)
                indexes = list(itertools.compress(itertools.count(), begins))
            cached = self._openers[id(gazetteer)] = (gazetteer, indexes)
        return cached[1]

    def keys(self, gazetteer: Gazetteer[Any]) -> list[str]:
        """The gazetteer's lookup keys for every token of the body (computed once)."""
        cached = self._keys.get(gazetteer.casefold)
        if cached is None:
            cached = gazetteer.keys_for(self.tokens)
            self._keys[gazetteer.casefold] = cached
        return cached

    def token_index(self) -> tuple[dict[str, list[int]], list[int]]:
        """(folded token -> start offsets of its occurrences, start offsets of the tokens
        that hold a character outside ASCII), computed once."""
        cached = self.memo.get("token_index")
        if cached is None:
            index: dict[str, list[int]] = {}
            for key, start in zip(self.folded_keys(), self._starts, strict=True):
                index.setdefault(key, []).append(start)
            wide = map(operator.not_, map(str.isascii, map(operator.itemgetter(0), self.tokens)))
            cached = self.memo["token_index"] = (
                index,
                list(itertools.compress(self._starts, wide)),
            )
        return cached

    def folded_keys(self) -> list[str]:
        """``fold`` of every token of the body (the keys of case-blind gazetteers, once)."""
        cached = self._keys.get(True)
        if cached is None:
            cached = self._keys[True] = list(map(fold, map(operator.itemgetter(0), self.tokens)))
        return cached

    def word_search(self, pattern: re.Pattern[str], words: frozenset[str]) -> WordSearch | None:
        """A ``WordSearch`` of ``pattern``, an alternation of ``words`` (once per pattern);
        None when the words do not allow it (``leading_runs``)."""
        searches = self._searches  # id(pattern) -> (pattern, its search): hashing a pattern
        known = searches.get(id(pattern))  # hashes its compiled code
        if known is None or known[0] is not pattern:
            runs = leading_runs(words)
            known = searches[id(pattern)] = (
                pattern,
                None if runs is None else WordSearch(self, pattern, runs),
            )
        return known[1]

    def search_words(
        self, pattern: re.Pattern[str], words: frozenset[str], start: int, end: int
    ) -> re.Match[str] | None:
        """``pattern.search(text, start, end)`` for an alternation of ``words``."""
        found = self.word_search(pattern, words)
        if found is None:
            return pattern.search(self.article.text, start, end)
        return found.search(start, end)

    def finditer_words(
        self, pattern: re.Pattern[str], words: frozenset[str], start: int, end: int
    ) -> Iterator[re.Match[str]]:
        """``pattern.finditer(text, start, end)`` for an alternation of ``words``."""
        found = self.word_search(pattern, words)
        if found is None:
            return pattern.finditer(self.article.text, start, end)
        return found.finditer(start, end)

    def add_entity(self, draft: EntityDraft) -> EntityDraft:
        existing = self.entities.get(draft.key)
        if existing is None:
            self.entities[draft.key] = draft
            return draft
        existing.aliases |= draft.aliases
        for attr in ("iso3", "state", "role", "post_org", "kind", "wikidata", "cow"):
            if getattr(existing, attr) is None and getattr(draft, attr) is not None:
                setattr(existing, attr, getattr(draft, attr))
        for attr in ("located_in", "operated_by"):
            if getattr(existing, attr) is None and getattr(draft, attr) is not None:
                setattr(existing, attr, getattr(draft, attr))
        return existing

    def state_of(self, key: str) -> str | None:
        if key.startswith("state:"):
            return key[6:]
        draft = self.entities.get(key)
        return draft.state if draft else None

    def date_value(self, start: int, end: int) -> DateValue | None:
        for mention in self.dates:
            if mention.start >= start and mention.end <= end:
                return mention.value
        return None
