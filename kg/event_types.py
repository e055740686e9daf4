"""The registry of event types: one row of ``kg/data/event_types.tsv`` per type.

Every part of kg that lists event types reads them here: the classes the mapping writes
(``kg.mapping.EVENT_CLASS``), the types exported and drawn (``kg.export``,
``kg.network.views``, ``kg.render.page``), the types shared across articles and matched by
name (``kg.resolve``), scored (``kg.evaluate``), counted in the dyad-years, and the fewest
states an unnamed event needs (``kg.extract``). The file is validated when it is loaded: a bad
row is one :class:`EventTypesError` whose message names the file, the line and the cell.

This module imports nothing of kg, so any module may import it.
"""

from __future__ import annotations

import csv
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from kg.errors import DataFileError

DATA = Path(__file__).resolve().parent / "data"
EVENT_TYPES_FILE = DATA / "event_types.tsv"
HEADER = (
    "class",
    "plover",
    "cameo",
    "shared",
    "named",
    "scored",
    "min_parties",
    "dyad_column",
    "dyad_order",
    "colour",
    "shape",
)
SHAPES = ("dot", "triangle", "square", "triangleDown", "diamond", "hexagon", "star")
"""The vis-network node shapes a page can draw (``kg.render.page.GLYPHS`` has a glyph each)."""
_FLAGS = {"yes": True, "no": False}
_CLASS = re.compile(r"[A-Z][A-Za-z]*")
_CAMEO = re.compile(r"\d{2,4}")
_COLUMN = re.compile(r"[a-z][a-z_]*")
_COLOUR = re.compile(r"#[0-9a-f]{6}")
_COUNT = re.compile(r"\d")


class EventTypesError(DataFileError):
    """A malformed ``event_types.tsv`` (the message is one line: file, line, what is wrong)."""


@dataclass(frozen=True, slots=True)
class EventType:
    """One event type: a row of ``event_types.tsv`` (the columns are documented there)."""

    name: str  # the class in ontology/defense.ttl ("Meeting")
    plover: str | None  # its dkg:ploverType notation ("CONSULT"); None: no PLOVER type
    cameo: str  # its dkg:cameoCode notation ("040")
    shared: bool  # one event across articles (same states, full date and status)
    named: bool  # events of the type may have a name that identifies them
    scored: bool  # kg evaluate scores the type
    min_parties: int  # states an unnamed event of the type needs to be kept
    dyad_column: str | None  # its count column in the dyad-years; None: not counted
    dyad_order: int | None  # the place of that column among the counts
    colour: str  # node colour on pages ("#d62728")
    shape: str  # vis-network node shape on pages (one of SHAPES)


@dataclass(frozen=True, slots=True)
class EventTypes:
    """The registry: the event types in the order of the file."""

    types: tuple[EventType, ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Every type's class name, in the order of the file."""
        return tuple(t.name for t in self.types)

    def get(self, name: str) -> EventType:
        """The type called ``name``; ``KeyError`` if the file has none."""
        for t in self.types:
            if t.name == name:
                return t
        raise KeyError(name)

    def shared(self) -> frozenset[str]:
        return frozenset(t.name for t in self.types if t.shared)

    def named(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.types if t.named)

    def scored(self) -> tuple[str, ...]:
        return tuple(t.name for t in self.types if t.scored)

    def min_parties(self) -> dict[str, int]:
        """The fewest states of an unnamed event, for the types that need any."""
        return {t.name: t.min_parties for t in self.types if t.min_parties}

    def dyad_counts(self) -> tuple[tuple[str, str], ...]:
        """(dyad-year column, type) of the counted types, in ``dyad_order``."""
        counted = sorted((t for t in self.types if t.dyad_column), key=lambda t: t.dyad_order or 0)
        return tuple((t.dyad_column or "", t.name) for t in counted)


def load_event_types(path: Path | None = None) -> EventTypes:
    """Read and validate an ``event_types.tsv`` (default: ``EVENT_TYPES_FILE``).

    Raises
    ------
    EventTypesError
        On a missing file, a header other than ``HEADER``, a row with the wrong number of
        cells, a bad cell (each column's rule is in ``kg/data/README.md``), a class given
        twice, or two types counted in the same dyad column or place.
    """
    path = path or EVENT_TYPES_FILE
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise EventTypesError(f"{path.name}: cannot be read ({exc.__class__.__name__})") from None
    header = tuple(lines[0].split("\t")) if lines else ()
    if header != HEADER:
        raise EventTypesError(f"{path.name}: the header must be {' '.join(HEADER)}")
    types: list[EventType] = []
    for number, line in enumerate(lines[1:], start=2):
        if not line.strip() or line.startswith("#"):
            continue
        cells = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        types.append(_row(f"{path.name}:{number}", cells))
    _check_unique(path.name, types)
    if not types:
        raise EventTypesError(f"{path.name}: no event type")
    return EventTypes(tuple(types))


def _row(where: str, cells: list[str]) -> EventType:
    if len(cells) != len(HEADER):
        raise EventTypesError(f"{where}: {len(cells)} cells, {len(HEADER)} expected")
    row = dict(zip(HEADER, (c.strip() for c in cells), strict=True))

    def check(column: str, ok: bool, wanted: str) -> str:
        if not ok:
            raise EventTypesError(f"{where}: {column} {row[column]!r} is not {wanted}")
        return row[column]

    def flag(column: str) -> bool:
        check(column, row[column] in _FLAGS, "yes or no")
        return _FLAGS[row[column]]

    name = check("class", bool(_CLASS.fullmatch(row["class"])), "a class name (Meeting)")
    plover = check("plover", row["plover"] in _plover_types() or not row["plover"], "a PLOVER type")
    cameo = check("cameo", bool(_CAMEO.fullmatch(row["cameo"])), "a CAMEO code (040)")
    minimum = check("min_parties", bool(_COUNT.fullmatch(row["min_parties"])), "a digit")
    dyad = row["dyad_column"]
    column = check("dyad_column", not dyad or bool(_COLUMN.fullmatch(dyad)), "a column name")
    place = row["dyad_order"]
    placed = place.isdigit() and int(place) > 0 if column else not place
    order = check("dyad_order", placed, "a place from 1 (empty without a dyad_column)")
    return EventType(
        name=name,
        plover=plover or None,
        cameo=cameo,
        shared=flag("shared"),
        named=flag("named"),
        scored=flag("scored"),
        min_parties=int(minimum),
        dyad_column=column or None,
        dyad_order=int(order) if order else None,
        colour=check("colour", bool(_COLOUR.fullmatch(row["colour"])), "a colour (#d62728)"),
        shape=check("shape", row["shape"] in SHAPES, f"one of {', '.join(SHAPES)}"),
    )


def _check_unique(name: str, types: list[EventType]) -> None:
    for label, values in (
        ("class", [t.name for t in types]),
        ("dyad_column", [t.dyad_column for t in types if t.dyad_column]),
        ("dyad_order", [str(t.dyad_order) for t in types if t.dyad_order]),
    ):
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise EventTypesError(f"{name}: {label} {', '.join(twice)} given more than once")


@functools.cache
def _plover_types() -> frozenset[str]:
    """The PLOVER notations of ``plover_quads.tsv`` (the types a class may have)."""
    with (DATA / "plover_quads.tsv").open(encoding="utf-8", newline="") as handle:
        lines = [line for line in handle if line.strip() and not line.startswith("#")]
    return frozenset(row["plover"] for row in csv.DictReader(lines, delimiter="\t"))


@functools.cache
def event_types() -> EventTypes:
    """The bundled registry, read once."""
    return load_event_types()


__all__ = ["EventType", "EventTypes", "EventTypesError", "event_types", "load_event_types"]
