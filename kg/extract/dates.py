"""Date stage: absolute, partial, ranged and relative dates, typed as written.

"January 30" stays ``--01-30`` (xsd:gMonthDay): a missing year is never filled in, except from
the text's own evidence: a weekday beside the day ("On Friday 9 May") fixes the year when the
weekday matches that day in exactly one year near the ``published`` date, and an earlier full
date or range of the article that holds the day ("from 18 to 20 September 2018" before "On 18
September") gives its year when every such date agrees. Relative expressions
("today", "on Monday", "last year", "last November") resolve only against ``published`` and only
when unambiguous; without a published date they are left out.

Every word the patterns use (months, weekdays, relative words, range joiners, future cues)
comes from ``kg/data/date_words.tsv``; the patterns themselves are built from those lists once
per lexicon. No pattern nests quantifiers, so matching is linear in the text.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

from kg.extract.doc import DateMention, Doc
from kg.lexicon import Lexicon, first_character_test, fold
from kg.records import DateValue

NEAR_DAYS = 183
"""A weekday fixes a day-month's year only within half a year of the published date."""


def _alt(words: list[str]) -> str:
    return "|".join(
        re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True)
    )


class Spans:
    """Disjoint spans, sorted, for overlap tests in logarithmic time (a list scanned for each
    new span made articles with thousands of dates or names quadratic)."""

    __slots__ = ("_starts", "_ends")

    def __init__(self) -> None:
        self._starts: list[int] = []
        self._ends: list[int] = []

    def free(self, start: int, end: int) -> bool:
        """No span overlaps [start, end)."""
        i = bisect.bisect_left(self._starts, end)
        return i == 0 or self._ends[i - 1] <= start

    def add(self, start: int, end: int) -> None:
        """Add [start, end), which must be free."""
        i = bisect.bisect_left(self._starts, start)
        self._starts.insert(i, start)
        self._ends.insert(i, end)


@dataclass(frozen=True, slots=True)
class DateGrammar:
    """Date patterns and word tables built from ``date_words.tsv``."""

    months: dict[str, int]  # folded month word (no full stop) -> month number
    weekdays: dict[str, int]  # folded weekday -> 0..6
    days: dict[str, int]  # folded relative day word -> offset
    years: dict[str, int]  # folded relative year phrase (spaces collapsed) -> offset
    before_weekday: dict[str, str]  # folded word -> tense | past | future
    before_month: dict[str, str]  # folded word -> past | future | same
    year_openers: frozenset[str]
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    relative: re.Pattern[str]
    relative_words: frozenset[str]  # the words ``relative`` begins with (``Doc.word_search``)
    relative_month: re.Pattern[str]
    future: re.Pattern[str]
    future_before: re.Pattern[str]
    month_word: re.Pattern[str]
    weekday_before: re.Pattern[str]
    weekday_after: re.Pattern[str]
    until: re.Pattern[str]
    frame: re.Pattern[str]


@functools.lru_cache(maxsize=4)
def _grammar(words: tuple[tuple[str, str, str], ...]) -> DateGrammar:
    by_class: dict[str, dict[str, str]] = {}
    for cls, text, value in words:
        by_class.setdefault(cls, {})[text] = value
    month_words = list(by_class.get("month", {}))
    weekday_words = list(by_class.get("weekday", {}))
    m = rf"(?P<{{n}}>{_alt(month_words)})"
    y = r"(?P<{n}>(?:19|20)\d\d)"
    ordinal = _alt(list(by_class.get("ordinal", {})))
    d = rf"(?P<{{n}}>[0-3]?\d)(?:{ordinal})?"
    joiners = list(by_class.get("range", {}))
    punct = [w for w in joiners if not w[0].isalpha()]
    worded = [w for w in joiners if w[0].isalpha()]
    sep = rf"(?:\s*(?:{_alt(punct)})\s*|\s+(?:{_alt(worded)})\s+)"
    verbs = _alt(list(by_class.get("range-verb", {})))
    verb_joiner = _alt(list(by_class.get("range-verb-joiner", {})))
    month_year = _alt(list(by_class.get("month-year-link", {})))
    patterns = (
        # ranges first: "10-12 June 2022", "18 to 20 September 2018", "June 10-12, 2022"
        (
            "range_dm",
            re.compile(
                rf"\b{d.format(n='d1')}{sep}{d.format(n='d2')}\s+{m.format(n='m')}(?:,?\s+{y.format(n='y')})?\b"
            ),
        ),
        (
            "range_md",
            re.compile(
                rf"\b{m.format(n='m')}\s+{d.format(n='d1')}{sep}{d.format(n='d2')}(?:,?\s+{y.format(n='y')})?\b"
            ),
        ),
        (  # "March 4 to March 14, 2024", "Feb. 26 - March 7, 2024"
            "range_words",
            re.compile(
                rf"\b{m.format(n='m')}\s+{d.format(n='d1')}(?:\s+(?:{verb_joiner})\s+(?:{verbs}))?{sep}{m.format(n='m2')}\s+{d.format(n='d2')},?\s+{y.format(n='y')}\b"
            ),
        ),
        (  # "26 February to 7 March 2024": two months, the year once at the end
            "range_dmdm",
            re.compile(
                rf"\b{d.format(n='d1')}\s+{m.format(n='m')}{sep}{d.format(n='d2')}\s+{m.format(n='m2')},?\s+{y.format(n='y')}\b"
            ),
        ),
        (
            "mdy",
            re.compile(rf"\b{m.format(n='m')}\s+{d.format(n='d')}(?:,\s*|\s+){y.format(n='y')}\b"),
        ),
        ("dmy", re.compile(rf"\b{d.format(n='d')}\s+{m.format(n='m')},?\s+{y.format(n='y')}\b")),
        ("my", re.compile(rf"\b{m.format(n='m')},?\s+(?:(?:{month_year})\s+)?{y.format(n='y')}\b")),
        ("md", re.compile(rf"\b{m.format(n='m')}\s+{d.format(n='d')}\b(?!\s*[-–]\s*\d)")),
        ("dm", re.compile(rf"\b{d.format(n='d')}\s+{m.format(n='m')}\b")),
        (  # the century's digits first (a fast scan for them), then the test of what stands before
            "y",
            re.compile(r"(?P<y>(?:19|20)(?<![\w-]..)\d\d)(?![\w-]|\s*[-–]\s*\d)"),
        ),
    )
    day_words = list(by_class.get("day", {}))
    year_words = list(by_class.get("year", {}))
    weekday_openers = list(by_class.get("before-weekday", {}))
    on_weekday = rf"(?P<mod>{_alt(weekday_openers)})\s+(?P<wd>{_alt(weekday_words)})"
    # a cheap test of the first character before the alternatives (the same matches)
    relative_start = first_character_test(day_words + year_words + weekday_openers)
    relative = re.compile(
        rf"\b{relative_start}(?P<word>{_alt(day_words + year_words)}|{on_weekday})\b",
        re.IGNORECASE,
    )
    month_full = [w for w in month_words if not w.endswith(".")]
    month_mods = _alt(list(by_class.get("before-month", {})))
    relative_month = re.compile(
        rf"\b(?P<mod>(?i:{month_mods}))\s+(?P<m>{_alt(month_full)})\b(?!\s+\d)"
    )
    future = re.compile(rf"\b(?:{_alt(list(by_class.get('future', {})))})\b", re.IGNORECASE)
    until_words = list(by_class.get("until", {}))
    ahead_words = list(by_class.get("future-before", {}))
    frame_words = list(by_class.get("frame", {}))
    weekday_before = re.compile(rf"\b(?P<wd>{_alt(weekday_words)}),?\s+(?:\(\s*)?$")
    weekday_after = re.compile(rf"\s*(?:,\s*|\(\s*)(?P<wd>{_alt(weekday_words)})\b")
    return DateGrammar(
        months={fold(k).rstrip("."): int(v) for k, v in by_class.get("month", {}).items()},
        weekdays={fold(k): int(v) for k, v in by_class.get("weekday", {}).items()},
        days={fold(k): int(v) for k, v in by_class.get("day", {}).items()},
        years={" ".join(fold(k).split()): int(v) for k, v in by_class.get("year", {}).items()},
        before_weekday={fold(k): v for k, v in by_class.get("before-weekday", {}).items()},
        before_month={fold(k): v for k, v in by_class.get("before-month", {}).items()},
        year_openers=frozenset(fold(k) for k in by_class.get("year-opener", {})),
        patterns=patterns,
        relative=relative,
        relative_words=frozenset(day_words + year_words + weekday_openers),
        relative_month=relative_month,
        future=future,
        future_before=re.compile(rf"\b(?:{_alt(ahead_words)})\b", re.IGNORECASE),
        month_word=re.compile(m.format(n="m")),
        weekday_before=weekday_before,
        weekday_after=weekday_after,
        until=re.compile(rf"\b(?:{_alt(until_words)})\s+$", re.IGNORECASE),
        frame=re.compile(rf"\b(?:{_alt(frame_words)})\s+(?:[\w’'-]+\s+){{0,4}}$", re.IGNORECASE),
    )


_BY_LEXICON: dict[int, tuple[Lexicon, DateGrammar]] = {}


def grammar(lexicon: Lexicon) -> DateGrammar:
    """The date grammar of ``lexicon`` (built once per lexicon; looked up by the lexicon's
    identity, since hashing its word table on every call cost more than the lookups)."""
    known = _BY_LEXICON.get(id(lexicon))
    if known is not None and known[0] is lexicon:
        return known[1]
    built = _grammar(lexicon.date_words)
    if len(_BY_LEXICON) >= 4:
        _BY_LEXICON.clear()
    _BY_LEXICON[id(lexicon)] = (lexicon, built)
    return built


def ends_something(lexicon: Lexicon, text: str, mention: DateMention) -> bool:
    """ "through 14 June", "until 3 May": the date where something ends, not its day."""
    return bool(grammar(lexicon).until.search(text, max(0, mention.start - 16), mention.start))


def frame_start(lexicon: Lexicon, text: str, lo: int, pos: int) -> int | None:
    """Where "during the state visit" begins, when a frame word leads to ``pos``."""
    found = grammar(lexicon).frame.search(text, max(lo, pos - 60), pos)
    return found.start() if found else None


def _month(g: DateGrammar, text: str) -> int:
    return g.months[fold(text).rstrip(".")]


def _full(y: int, m: int, d: int, text: str) -> DateValue | None:
    try:
        return DateValue(dt.date(y, m, d).isoformat(), "date", text)
    except ValueError:
        return None


def _month_day(m: int, d: int, text: str) -> DateValue | None:
    if not 1 <= d <= (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31):
        return None
    return DateValue(f"--{m:02d}-{d:02d}", "gMonthDay", text)


def _parse(
    g: DateGrammar, kind: str, match: re.Match[str]
) -> tuple[DateValue | None, DateValue | None]:
    text = match.group()
    groups = match.groupdict()
    y = int(groups["y"]) if groups.get("y") else None
    if kind in ("range_dm", "range_md"):
        m = _month(g, groups["m"])
        d1, d2 = int(groups["d1"]), int(groups["d2"])
        if y:
            return _full(y, m, d1, text), _full(y, m, d2, text)
        return _month_day(m, d1, text), _month_day(m, d2, text)
    if kind in ("range_words", "range_dmdm"):
        assert y is not None
        return _full(y, _month(g, groups["m"]), int(groups["d1"]), text), _full(
            y, _month(g, groups["m2"]), int(groups["d2"]), text
        )
    if kind in ("mdy", "dmy"):
        assert y is not None
        return _full(y, _month(g, groups["m"]), int(groups["d"]), text), None
    if kind == "my":
        return DateValue(f"{y:04d}-{_month(g, groups['m']):02d}", "gYearMonth", text), None
    if kind in ("md", "dm"):
        return _month_day(_month(g, groups["m"]), int(groups["d"]), text), None
    if kind == "y":
        return DateValue(f"{y:04d}", "gYear", text), None
    return None, None


def _resolve_relative(
    g: DateGrammar, match: re.Match[str], published: dt.date, future: bool
) -> DateValue | None:
    word = " ".join(fold(match.group("word")).split())
    text = match.group()
    if word in g.days:
        day = published + dt.timedelta(days=g.days[word])
        return DateValue(day.isoformat(), "date", text)
    if word in g.years:
        return DateValue(f"{published.year + g.years[word]:04d}", "gYear", text)
    weekday = match.group("wd")
    if weekday:
        target = g.weekdays[fold(weekday)]
        tense = g.before_weekday.get(fold(match.group("mod") or ""), "tense")
        if tense == "future" or (tense == "tense" and future):
            ahead = (target - published.weekday()) % 7 or 7
            return DateValue((published + dt.timedelta(days=ahead)).isoformat(), "date", text)
        delta = (published.weekday() - target) % 7
        if tense == "past" and delta == 0:
            delta = 7  # "last Friday" said on a Friday is a week ago
        return DateValue((published - dt.timedelta(days=delta)).isoformat(), "date", text)
    return None


def _resolve_month(g: DateGrammar, match: re.Match[str], published: dt.date) -> DateValue | None:
    """ "last November", "next March", "this May": only when the year is certain."""
    month = _month(g, match.group("m"))
    how = g.before_month.get(fold(match.group("mod")))
    if how == "past" and month >= published.month:
        year = published.year - 1  # the most recent such month was last year
    elif how == "future" and month <= published.month:
        year = published.year + 1
    elif how == "same":
        year = published.year
    else:
        return None  # "last March" said in May may be this year's or last year's
    return DateValue(f"{year:04d}-{month:02d}", "gYearMonth", match.group())


def _weekday_year(
    g: DateGrammar, text: str, start: int, end: int, value: DateValue, published: dt.date
) -> tuple[DateValue | None, int, int] | None:
    """ "Friday 9 May", "Monday (2 December)", "9 May, Friday": the one year near ``published``
    in which that day falls on that weekday; the span grows to take in the weekday."""
    before = g.weekday_before.search(text, max(0, start - 14), start)
    after = g.weekday_after.match(text, end, min(len(text), end + 14))
    found = before or after
    if found is None:
        return None
    weekday = g.weekdays[fold(found.group("wd"))]
    month, day = int(value.value[2:4]), int(value.value[5:7])
    years = []
    for year in (published.year - 1, published.year, published.year + 1):
        try:
            candidate = dt.date(year, month, day)
        except ValueError:
            continue
        if abs((candidate - published).days) <= NEAR_DAYS and candidate.weekday() == weekday:
            years.append(candidate)
    if len(years) != 1:
        # the weekday contradicts the day (or fits several years): neither is resolved
        return None, found.start("wd"), found.end("wd")
    lo = found.start("wd") if before else start
    hi = end if before else found.end("wd")
    close = text[hi : hi + 1] == ")" and before is not None and "(" in text[lo:start]
    hi = hi + 1 if close else hi
    return DateValue(years[0].isoformat(), "date", text[lo:hi]), lo, hi


def find_dates(doc: Doc) -> Doc:
    """Stage 3: every date expression with its span and typed value.

    Reads ``article.text`` and ``article.published``; writes ``doc.dates`` (in text order).
    """
    g = grammar(doc.lexicon)
    text = doc.article.text
    published = doc.article.published
    taken = Spans()
    free = taken.free

    # month names anchor every pattern but the bare year: try those patterns only around them
    month_starts = [m.start() for m in g.month_word.finditer(text)]
    for kind, pattern in g.patterns:
        for match in _candidates(kind, pattern, text, month_starts):
            if not free(match.start(), match.end()):
                continue
            if kind == "md" and re.match(r"\s*(?:,\s*)?\d", text[match.end() : match.end() + 3]):
                continue
            if kind == "y" and _inside_name(g, text, match.start()):
                continue
            value, end_value = _parse(g, kind, match)
            if value is None:
                continue
            start, end = match.start(), match.end()
            if published is not None and value.datatype == "gMonthDay" and end_value is None:
                dated = _weekday_year(g, text, start, end, value, published)
                if dated is not None and dated[0] is not None:
                    value, start, end = dated[0], dated[1], dated[2]
                elif dated is not None:
                    if free(dated[1], dated[2]):
                        taken.add(dated[1], dated[2])  # the weekday is no relative date
            taken.add(start, end)
            doc.dates.append(DateMention(start, end, value, end_value))
    _years_from_earlier_dates(doc.dates)
    if published is not None:
        for match in doc.finditer_words(g.relative, g.relative_words, 0, len(text)):
            if not free(match.start(), match.end()):
                continue
            sentence = doc.article.sentence_at(match.start())
            future = bool(g.future.search(sentence.text)) or bool(
                g.future_before.search(text, sentence.start, match.start())
            )
            value = _resolve_relative(g, match, published, future)
            if value is not None:
                taken.add(match.start(), match.end())
                doc.dates.append(DateMention(match.start(), match.end(), value))
        for pos in month_starts:  # "last November": only where a month name stands
            around = g.relative_month.finditer(text, max(0, pos - 12), pos + 12)
            month = next((found for found in around if found.start("m") == pos), None)
            if month is None or not free(month.start(), month.end()):
                continue
            value = _resolve_month(g, month, published)
            if value is not None:
                taken.add(month.start(), month.end())
                doc.dates.append(DateMention(month.start(), month.end(), value))
    doc.dates.sort(key=lambda d: d.start)
    return doc


def _years_from_earlier_dates(dates: list[DateMention]) -> None:
    """ "On 18 September" after "from 18 to 20 September 2018": a day and month without a year
    take the year of an earlier full date of the same day, or of an earlier full range that holds
    the day, when every such date gives the same year (the text's own evidence, never a guess)."""
    full = sorted(
        (d for d in dates if d.value.datatype == "date"),
        key=lambda d: d.start,
    )
    if not full:
        return
    for i, mention in enumerate(dates):
        if mention.value.datatype != "gMonthDay" or mention.end_value is not None:
            continue
        month, day = int(mention.value.value[2:4]), int(mention.value.value[5:7])
        years = set()
        for earlier in full:
            if earlier.start >= mention.start:
                break
            first = dt.date.fromisoformat(earlier.value.value)
            last = first
            if earlier.end_value is not None and earlier.end_value.datatype == "date":
                last = dt.date.fromisoformat(earlier.end_value.value)
            for year in {first.year, last.year}:
                candidate = _full(year, month, day, "")
                if candidate is not None and first <= dt.date(year, month, day) <= last:
                    years.add(year)
        if len(years) == 1:
            value = _full(years.pop(), month, day, mention.value.text)
            dates[i] = DateMention(mention.start, mention.end, value or mention.value)


_MONTH_FIRST = frozenset({"range_md", "range_words", "mdy", "my", "md"})
_DAY_FIRST_REACH = 24  # "18 to 20 " / "15th " before the month


def _candidates(
    kind: str, pattern: re.Pattern[str], text: str, month_starts: list[int]
) -> Iterator[re.Match[str]]:
    """The pattern's matches, in text order, looking only where a month name could anchor it."""
    if kind == "y":
        yield from pattern.finditer(text)
        return
    seen: set[int] = set()
    for pos in month_starts:
        if kind in _MONTH_FIRST:
            match = pattern.match(text, pos)
        else:
            match = next(
                (
                    found
                    for found in pattern.finditer(text, max(0, pos - _DAY_FIRST_REACH), pos + 40)
                    if found.start("m") == pos
                ),
                None,
            )
        if match is not None and match.start() not in seen:
            seen.add(match.start())
            yield match


def _inside_name(g: DateGrammar, text: str, pos: int) -> bool:
    """A year right after a capitalised word that is not a month or an opener: "Balikatan 2025"."""  # noqa: E501
    before = text[max(0, pos - 30) : pos]
    match = re.search(r"([A-Z][\w’'-]*)\s+$", before)
    if not match:
        return False
    word = fold(match.group(1)).rstrip(".")
    return word not in g.months and word not in g.year_openers
