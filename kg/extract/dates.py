"""Date stage: absolute, partial, ranged and relative dates, typed as written.

"January 30" stays ``--01-30`` (xsd:gMonthDay): a missing year is never filled in. Relative
expressions ("today", "on Monday", "last year") resolve only against the article's
``published`` date; without it they are left out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from kg.extract.doc import DateMention, Doc
from kg.records import DateValue

MONTHS = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4, "apr": 4,
    "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8, "september": 9,
    "sept": 9, "sep": 9, "october": 10, "oct": 10, "november": 11, "nov": 11, "december": 12,
    "dec": 12,
}  # fmt: skip
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_M = r"(?P<{n}>January|February|March|April|May|June|July|August|September|October|November|December|Jan\.|Feb\.|Mar\.|Apr\.|Jun\.|Jul\.|Aug\.|Sept\.|Sep\.|Oct\.|Nov\.|Dec\.)"  # noqa: E501
_Y = r"(?P<{n}>(?:19|20)\d\d)"
_D = r"(?P<{n}>[0-3]?\d)(?:st|nd|rd|th)?"

PATTERNS = [
    # ranges first: "10-12 June 2022", "June 10-12, 2022", "March 4 ... through March 14, 2024"
    (
        "range_dm",
        re.compile(
            rf"\b{_D.format(n='d1')}\s*[-–]\s*{_D.format(n='d2')}\s+{_M.format(n='m')}(?:,?\s+{_Y.format(n='y')})?\b"
        ),
    ),
    (
        "range_md",
        re.compile(
            rf"\b{_M.format(n='m')}\s+{_D.format(n='d1')}\s*[-–]\s*{_D.format(n='d2')}(?:,?\s+{_Y.format(n='y')})?\b"
        ),
    ),
    (
        "range_words",
        re.compile(
            rf"\b{_M.format(n='m')}\s+{_D.format(n='d1')}\s+(?:and\s+(?:continues|runs|lasts)\s+)?(?:through|until|to|till)\s+{_M.format(n='m2')}\s+{_D.format(n='d2')},?\s+{_Y.format(n='y')}\b"
        ),
    ),
    (
        "mdy",
        re.compile(rf"\b{_M.format(n='m')}\s+{_D.format(n='d')}(?:,\s*|\s+){_Y.format(n='y')}\b"),
    ),
    ("dmy", re.compile(rf"\b{_D.format(n='d')}\s+{_M.format(n='m')},?\s+{_Y.format(n='y')}\b")),
    ("my", re.compile(rf"\b{_M.format(n='m')},?\s+(?:of\s+)?{_Y.format(n='y')}\b")),
    ("md", re.compile(rf"\b{_M.format(n='m')}\s+{_D.format(n='d')}\b(?!\s*[-–]\s*\d)")),
    ("dm", re.compile(rf"\b{_D.format(n='d')}\s+{_M.format(n='m')}\b")),
    ("y", re.compile(rf"(?<![\w-]){_Y.format(n='y')}(?![\w-]|\s*[-–]\s*\d)")),
]
_RELATIVE = re.compile(
    r"\b(?P<word>today|yesterday|tomorrow|(?:later\s+|earlier\s+)?this\s+year|last\s+year|next\s+year|"
    r"(?:on|last|next|this)\s+(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|to be held|scheduled|plans? to|set to|next|upcoming)\b", re.IGNORECASE
)


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _full(y: int, m: int, d: int, text: str) -> DateValue | None:
    try:
        return DateValue(dt.date(y, m, d).isoformat(), "date", text)
    except ValueError:
        return None


def _month_day(m: int, d: int, text: str) -> DateValue | None:
    if not 1 <= d <= (29 if m == 2 else 30 if m in (4, 6, 9, 11) else 31):
        return None
    return DateValue(f"--{m:02d}-{d:02d}", "gMonthDay", text)


def _parse(kind: str, match: re.Match[str]) -> tuple[DateValue | None, DateValue | None]:
    text = match.group()
    g = match.groupdict()
    y = int(g["y"]) if g.get("y") else None
    if kind in ("range_dm", "range_md"):
        m = _month(g["m"])
        d1, d2 = int(g["d1"]), int(g["d2"])
        if y:
            return _full(y, m, d1, text), _full(y, m, d2, text)
        return _month_day(m, d1, text), _month_day(m, d2, text)
    if kind == "range_words":
        assert y is not None
        return _full(y, _month(g["m"]), int(g["d1"]), text), _full(
            y, _month(g["m2"]), int(g["d2"]), text
        )
    if kind in ("mdy", "dmy"):
        assert y is not None
        return _full(y, _month(g["m"]), int(g["d"]), text), None
    if kind == "my":
        return DateValue(f"{y:04d}-{_month(g['m']):02d}", "gYearMonth", text), None
    if kind in ("md", "dm"):
        return _month_day(_month(g["m"]), int(g["d"]), text), None
    if kind == "y":
        return DateValue(f"{y:04d}", "gYear", text), None
    return None, None


def _resolve_relative(match: re.Match[str], published: dt.date, future: bool) -> DateValue | None:
    word = " ".join(match.group("word").lower().split())
    text = match.group()
    if word == "today":
        return DateValue(published.isoformat(), "date", text)
    if word == "yesterday":
        return DateValue((published - dt.timedelta(days=1)).isoformat(), "date", text)
    if word == "tomorrow":
        return DateValue((published + dt.timedelta(days=1)).isoformat(), "date", text)
    if word.endswith("this year"):
        return DateValue(f"{published.year:04d}", "gYear", text)
    if word == "last year":
        return DateValue(f"{published.year - 1:04d}", "gYear", text)
    if word == "next year":
        return DateValue(f"{published.year + 1:04d}", "gYear", text)
    weekday = match.group("wd")
    if weekday:
        target = WEEKDAYS.index(weekday.lower())
        delta = (published.weekday() - target) % 7
        if word.startswith("next") or (future and not word.startswith("last")):
            ahead = (target - published.weekday()) % 7 or 7
            return DateValue((published + dt.timedelta(days=ahead)).isoformat(), "date", text)
        return DateValue((published - dt.timedelta(days=delta)).isoformat(), "date", text)
    return None


def find_dates(doc: Doc) -> Doc:
    """Stage 3: every date expression with its span and typed value."""
    text = doc.article.text
    taken: list[tuple[int, int]] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    # month names anchor every pattern but the bare year: try those patterns only around them
    month_starts = [m.start() for m in _MONTH_WORD.finditer(text)]
    for kind, pattern in PATTERNS:
        for match in _candidates(kind, pattern, text, month_starts):
            if not free(match.start(), match.end()):
                continue
            if kind == "md" and re.match(r"\s*(?:,\s*)?\d", text[match.end() : match.end() + 3]):
                continue
            if kind == "y" and _inside_name(text, match.start()):
                continue
            value, end_value = _parse(kind, match)
            if value is None:
                continue
            taken.append((match.start(), match.end()))
            doc.dates.append(DateMention(match.start(), match.end(), value, end_value))
    published = doc.article.published
    if published is not None:
        for match in _RELATIVE.finditer(text):
            if not free(match.start(), match.end()):
                continue
            sentence = doc.article.sentence_at(match.start())
            future = bool(_FUTURE.search(sentence.text))
            value = _resolve_relative(match, published, future)
            if value is not None:
                taken.append((match.start(), match.end()))
                doc.dates.append(DateMention(match.start(), match.end(), value))
    doc.dates.sort(key=lambda d: d.start)
    return doc


_MONTH_WORD = re.compile(_M.format(n="m"))
_MONTH_FIRST = frozenset({"range_md", "range_words", "mdy", "my", "md"})
_DAY_FIRST_REACH = 16  # "10 - 12 " / "15th " before the month


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
            match = pattern.search(text, max(0, pos - _DAY_FIRST_REACH), pos + 40)
            if match is not None and match.start("m") != pos:
                match = None
        if match is not None and match.start() not in seen:
            seen.add(match.start())
            yield match


def _inside_name(text: str, pos: int) -> bool:
    """A year right after a capitalised word that is not a month or preposition: "Balikatan 2025"."""  # noqa: E501
    before = text[max(0, pos - 30) : pos]
    match = re.search(r"([A-Z][\w’'-]*)\s+$", before)
    if not match:
        return False
    word = match.group(1).lower().rstrip(".")
    return word not in MONTHS and word not in {"in", "since", "of", "the", "by", "until", "during"}
