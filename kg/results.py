"""Query results as kg passes them between the engines and the writers (:mod:`kg.format`).

CONSTRUCT and DESCRIBE results keep their triples; ``kg.export.result_bytes`` writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class Table:
    """Query results.

    ``rows`` holds plain strings (None for unbound); ``terms`` holds the same cells as SPARQL
    1.1 Query Results JSON terms (``{"type": "uri"|"literal"|"bnode", "value": ...}`` with
    ``datatype`` or ``xml:lang``), for typed output. CONSTRUCT and DESCRIBE results
    (``kind == "graph"``) are ``triples`` of pyoxigraph terms; ``kg.export.result_bytes``
    writes them.
    """

    kind: str  # select | ask | graph
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None
    triples: tuple[tuple[Any, Any, Any], ...] = field(default=())
    terms: tuple[tuple[dict[str, str] | None, ...], ...] = field(default=())
