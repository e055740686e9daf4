"""Formatting: query results (table, CSV, TSV, SPARQL JSON, Markdown) and stable Turtle/TriG.

The Turtle and TriG writers here are the project's own: output depends only on the set of
triples (subjects, predicates and objects sorted, ``rdf:type`` first), a ``@prefix`` line is
written for every project namespace the output uses and no other, IRIs whose local part is
not a plain name stay in ``<...>`` (never ``ns1:``), so the same graph always gives the same
bytes. They are also fast: a million triples in a few seconds.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import textwrap
from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox

from kg.query import Table
from kg.vocab import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_ESCAPES.update({ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"})
_ESCAPES.update({c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _ESCAPES})


def shorten(value: str | None) -> str:
    """An IRI with a known namespace as ``prefix:local``; anything else unchanged.

    Examples
    --------
    >>> shorten("https://w3id.org/defense-kg/id/state/JPN")
    'dkgr:state/JPN'
    """
    if value is None:
        return ""
    for prefix, iri in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if value.startswith(iri) and len(value) > len(iri):
            return f"{prefix}:{value[len(iri) :]}"
    return value


# --- query results ----------------------------------------------------------------------------


def sparql_json(table: Table) -> str:
    """SPARQL 1.1 Query Results JSON (typed terms; ASK as ``boolean``)."""
    if table.kind == "ask":
        document: dict[str, Any] = {"head": {}, "boolean": bool(table.boolean)}
    else:
        terms = table.terms or tuple(
            tuple(None if v is None else {"type": "literal", "value": v} for v in row)
            for row in table.rows
        )
        bindings = [
            {c: t for c, t in zip(table.columns, row, strict=True) if t is not None}
            for row in terms
        ]
        document = {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=1) + "\n"


def _wrap_widths(natural: list[int], total: int) -> list[int]:
    """Column widths that fit ``total`` characters: shrink the widest columns first."""
    widths = list(natural)
    budget = max(total - 2 * (len(widths) - 1), 6 * len(widths))
    while sum(widths) > budget:
        widest = max(range(len(widths)), key=lambda i: widths[i])
        if widths[widest] <= 6:
            break
        widths[widest] -= 1
    return widths


def aligned_table(table: Table, width: int | None = None) -> str:
    """An aligned text table wrapped to ``width`` (default: the terminal), IRIs shortened."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = [[shorten(v) for v in row] for row in table.rows]
    natural = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(table.columns)]
    widths = _wrap_widths(natural, width)
    lines = [
        "  ".join(c[:w].ljust(w) for c, w in zip(table.columns, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    for row in rows:
        cells = [
            textwrap.wrap(v, w, break_long_words=True, break_on_hyphens=False) or [""]
            for v, w in zip(row, widths, strict=True)
        ]
        for k in range(max(len(c) for c in cells)):
            lines.append(
                "  ".join(
                    (c[k] if k < len(c) else "").ljust(w)
                    for c, w in zip(cells, widths, strict=True)
                ).rstrip()
            )
    lines.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(lines) + "\n"


def render_table(table: Table, fmt: str, width: int | None = None) -> str:
    """Render SELECT results as ``table``, ``csv``, ``tsv``, ``json`` or ``markdown``."""
    if fmt == "json":
        return sparql_json(table)
    if fmt in ("csv", "tsv"):
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if fmt == "csv" else "\t", lineterminator="\n")
        writer.writerow(table.columns)
        for row in table.rows:
            writer.writerow(["" if v is None else v for v in row])
        return out.getvalue()
    if fmt == "markdown":
        rows = [[shorten(v) for v in row] for row in table.rows]
        lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += [
            "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in row) + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return aligned_table(table, width)
    raise ValueError(f"unknown format {fmt!r}")


# --- Turtle and TriG --------------------------------------------------------------------------


class TermWriter:
    """Turtle forms of terms, with the prefixes actually used collected on the way."""

    def __init__(self, prefixes: Mapping[str, str] = PREFIXES) -> None:
        self.namespaces = {iri: p for p, iri in prefixes.items()}
        self.used: dict[str, str] = {}
        self._cache: dict[Any, str] = {}

    def iri(self, value: str) -> str:
        cut = max(value.rfind("#"), value.rfind("/")) + 1
        prefix = self.namespaces.get(value[:cut])
        local = value[cut:]
        if prefix is not None and _LOCAL_NAME.match(local):
            self.used[prefix] = value[:cut]
            return f"{prefix}:{local}"
        return "<" + value.replace("\\", "\\u005C").replace(">", "\\u003E") + ">"

    def term(self, term: Any) -> str:
        cached = self._cache.get(term)
        if cached is not None:
            return cached
        if isinstance(term, ox.NamedNode):
            text = self.iri(term.value)
        elif isinstance(term, ox.Literal):
            text = '"' + term.value.translate(_ESCAPES) + '"'
            if term.language:
                text += "@" + term.language
            elif term.datatype.value != XSD_STRING:
                text += "^^" + self.iri(term.datatype.value)
        elif isinstance(term, ox.BlankNode):
            text = "_:" + term.value
        else:
            raise TypeError(f"unexpected term {term!r}")
        self._cache[term] = text
        return text

    def header(self) -> str:
        return "".join(f"@prefix {p}: <{self.used[p]}> .\n" for p in sorted(self.used))


def _index(triples: Iterable[Any], writer: TermWriter) -> dict[str, dict[str, set[str]]]:
    index: dict[str, dict[str, set[str]]] = {}
    term = writer.term
    for t in triples:
        if isinstance(t, ox.Quad | ox.Triple):
            s, p, o = t.subject, t.predicate, t.object
        else:
            s, p, o = t
        predicate = "a" if p.value == RDF_TYPE else term(p)
        index.setdefault(term(s), {}).setdefault(predicate, set()).add(term(o))
    return index


def _blocks(index: dict[str, dict[str, set[str]]], indent: str) -> list[str]:
    out = []
    pad = indent + "    "
    for subject in sorted(index):
        predicates = index[subject]
        lines = []
        for predicate in sorted(predicates, key=lambda p: (p != "a", p)):
            objects = f",\n{pad}    ".join(sorted(predicates[predicate]))
            lines.append(f"{predicate} {objects}")
        out.append(f"{indent}{subject} " + f" ;\n{pad}".join(lines) + " .\n")
    return out


def turtle_bytes(triples: Iterable[Any], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Stable Turtle for ``triples`` (pyoxigraph triples, quads or ``(s, p, o)`` tuples).

    Examples
    --------
    >>> t = (ox.NamedNode("https://w3id.org/defense-kg/id/state/JPN"),
    ...      ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
    ...      ox.NamedNode("https://w3id.org/defense-kg/ontology#State"))
    >>> print(turtle_bytes([t]).decode())
    @prefix dkg: <https://w3id.org/defense-kg/ontology#> .
    <BLANKLINE>
    <https://w3id.org/defense-kg/id/state/JPN> a dkg:State .
    <BLANKLINE>
    """
    writer = TermWriter(prefixes)
    blocks = _blocks(_index(triples, writer), "")
    return (writer.header() + "\n" + "\n".join(blocks)).encode("utf-8")


def trig_bytes(quads: Iterable[ox.Quad], prefixes: Mapping[str, str] = PREFIXES) -> bytes:
    """Stable TriG: one block per named graph, graphs sorted by IRI."""
    writer = TermWriter(prefixes)
    graphs: dict[str, list[ox.Quad]] = {}
    for q in quads:
        name = "" if isinstance(q.graph_name, ox.DefaultGraph) else writer.term(q.graph_name)
        graphs.setdefault(name, []).append(q)
    parts = []
    for name in sorted(graphs):
        blocks = _blocks(_index(graphs[name], writer), "    ")
        parts.append(f"{name + ' ' if name else ''}{{\n" + "\n".join(blocks) + "}\n")
    return (writer.header() + "\n" + "\n".join(parts)).encode("utf-8")
