"""Ordering the partial XSD dates of the graph (``xsd:date``, ``gYearMonth``, ``gYear``,
``gMonthDay``) without ever inventing a missing year.

Order: dates that state a year come first, chronologically, a less precise date before the more
precise dates it contains (``2021`` < ``2021-11`` < ``2021-11-23``); then dates that state no
year (``--01-30``), by month and day; then undated items.
"""

from __future__ import annotations

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
