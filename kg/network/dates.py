"""Ordering the partial XSD dates of the graph (``xsd:date``, ``gYearMonth``, ``gYear``,
``gMonthDay``) without ever inventing a missing year.

Order: dates that state a year come first, chronologically, a less precise date before the more
precise dates it contains (``2021`` < ``2021-11`` < ``2021-11-23``); then dates that state no
year (``--01-30``), by month and day; then undated items.
"""

from __future__ import annotations

import calendar
import datetime
import re

_WITH_YEAR = re.compile(r"^(-?\d{4,})(?:-(\d{2})(?:-(\d{2}))?)?(?:Z|[+-]\d{2}:\d{2})?$")
_NO_YEAR = re.compile(r"^--(\d{2})(?:-(\d{2}))?(?:Z|[+-]\d{2}:\d{2})?$")

DateKey = tuple[int, int, int, int]


def date_key(value: str | None) -> DateKey:
    """Sort key of a partial date: ``(tier, year, month, day)``, tier 0 dated, 1 yearless, 2 none.

    Examples
    --------
    >>> sorted(["--01-30", None, "2021-11-23", "2017", "2021-11"], key=date_key)
    ['2017', '2021-11', '2021-11-23', '--01-30', None]
    """
    if value:
        match = _WITH_YEAR.match(value)
        if match:
            year, month, day = match.groups()
            return (0, int(year), int(month or 0), int(day or 0))
        match = _NO_YEAR.match(value)
        if match:
            month, day = match.groups()
            return (1, 0, int(month), int(day or 0))
    return (2, 0, 0, 0)


def is_dated(value: str | None) -> bool:
    """Whether ``value`` is a date this module can order (with or without a year).

    >>> is_dated("--01-30"), is_dated("last week"), is_dated(None)
    (True, False, False)
    """
    return date_key(value)[0] < 2


def precision(value: str | None) -> str:
    """What a date states: ``day``, ``month``, ``year``, ``month-day`` (no year) or ``none``.

    >>> [precision(v) for v in ("2021-11-23", "2021-11", "2021", "--01-30", None, "soon")]
    ['day', 'month', 'year', 'month-day', 'none', 'none']
    """
    tier, _, month, day = date_key(value)
    if tier == 0:
        return "day" if day else "month" if month else "year"
    return "month-day" if tier == 1 and day else "none"


def period(value: str | None) -> tuple[str, str] | None:
    """The first and last day (``xsd:date``) of the period a date with a year covers, or None.

    A year covers its twelve months and a month its days; a date without a year (or before
    year 1) covers no period that could be placed on a timeline.

    >>> period("2021"), period("2024-02"), period("2021-11-23"), period("--01-30")
    (('2021-01-01', '2021-12-31'), ('2024-02-01', '2024-02-29'), ('2021-11-23', '2021-11-23'), None)
    """
    tier, year, month, day = date_key(value)
    if tier != 0 or not 1 <= year <= 9999:
        return None
    first_month, last_month = (month, month) if month else (1, 12)
    last_day = day or calendar.monthrange(year, last_month)[1]
    return (
        f"{year:04d}-{first_month:02d}-{day or 1:02d}",
        f"{year:04d}-{last_month:02d}-{last_day:02d}",
    )


def spells(periods: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Periods sorted and merged where they overlap or touch (Gephi's spells of one element).

    >>> spells([("2021-03-01", "2021-03-31"), ("2020-01-01", "2020-12-31"),
    ...         ("2021-03-15", "2021-04-02"), ("2021-04-03", "2021-04-03")])
    [('2020-01-01', '2020-12-31'), ('2021-03-01', '2021-04-03')]
    """
    merged: list[tuple[str, str]] = []
    for start, end in sorted(periods):
        if merged and _next_day(merged[-1][1]) >= start:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _next_day(iso: str) -> str:
    day = datetime.date.fromisoformat(iso)
    return iso if day == datetime.date.max else (day + datetime.timedelta(days=1)).isoformat()
