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
from pathlib import Path, PurePath
from typing import Any

import pyoxigraph as ox

from kg.iris import PREFIXES
from kg.results import Table

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
_LOCAL_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*$")
_ESCAPES = {ord("\\"): "\\\\", ord('"'): '\\"', ord("\n"): "\\n", ord("\r"): "\\r"}
_ESCAPES.update({ord("\t"): "\\t", ord("\b"): "\\b", ord("\f"): "\\f"})
_ESCAPES.update({c: f"\\u{c:04X}" for c in [*range(0x20), 0x7F] if c not in _ESCAPES})


_PN_CHARS_BASE = (
    (0x41, 0x5A), (0x61, 0x7A), (0xC0, 0xD6), (0xD8, 0xF6), (0xF8, 0x2FF), (0x370, 0x37D),
    (0x37F, 0x1FFF), (0x200C, 0x200D), (0x2070, 0x218F), (0x2C00, 0x2FEF), (0x3001, 0xD7FF),
    (0xF900, 0xFDCF), (0xFDF0, 0xFFFD), (0x10000, 0xEFFFF),
)  # fmt: skip
_PN_CHARS_EXTRA = ((0x30, 0x39), (0xB7, 0xB7), (0x300, 0x36F), (0x203F, 0x2040))
_PN_LOCAL_ESC = frozenset("_~.-!$&'()*+,;=/?#@%")
_HEX = frozenset("0123456789abcdefABCDEF")


def _in(c: str, ranges: tuple[tuple[int, int], ...]) -> bool:
    return any(lo <= ord(c) <= hi for lo, hi in ranges)


def pn_local(local: str) -> str | None:
    r"""``local`` as a SPARQL/Turtle ``PN_LOCAL``, with ``\``-escapes; None where none exists.

    Examples
    --------
    >>> pn_local("state/JPN"), pn_local("-x."), pn_local("a%20b"), pn_local("a b")
    ('state\\/JPN', '\\-x\\.', 'a%20b', None)
    """
    out = []
    last = len(local) - 1
    for i, c in enumerate(local):
        if c == "_" or c == ":" or _in(c, _PN_CHARS_BASE) or "0" <= c <= "9":
            out.append(c)
        elif c == "%" and i + 2 <= last and local[i + 1] in _HEX and local[i + 2] in _HEX:
            out.append(c)  # a percent-encoded octet is written as it is
        elif c == "-" and i > 0 or c == "." and 0 < i < last or _in(c, _PN_CHARS_EXTRA) and i > 0:
            out.append(c)
        elif c in _PN_LOCAL_ESC:
            out.append("\\" + c)
        else:
            return None
    return "".join(out)


def pn_unescape(local: str) -> str:
    r"""The IRI part a ``PN_LOCAL`` stands for (its ``\``-escapes removed).

    Examples
    --------
    >>> pn_unescape("state\\/JPN")
    'state/JPN'
    """
    return re.sub(r"\\(.)", r"\1", local)


_BY_LENGTH = sorted(PREFIXES.items(), key=lambda kv: -len(kv[1]))


def shorten(value: str | None) -> str:
    r"""An IRI as a prefixed name that SPARQL and Turtle read back, else ``<IRI>``; other text
    (anything not in a project namespace) unchanged.

    A local name is escaped as the grammars require (``/`` as ``\/``); where no escape can
    make it one (a space, say), the full ``<IRI>`` is written.

    Examples
    --------
    >>> print(shorten("https://w3id.org/defense-kg/id/state/JPN"))
    dkgr:state\/JPN
    >>> print(shorten("https://w3id.org/defense-kg/ontology#Meeting"))
    dkg:Meeting
    """
    if value is None:
        return ""
    for prefix, iri in _BY_LENGTH:
        if value.startswith(iri) and len(value) > len(iri):
            local = pn_local(value[len(iri) :])
            return f"{prefix}:{local}" if local is not None else f"<{value}>"
    return value


def term_text(term: Mapping[str, str] | None) -> str:
    """A result term as the aligned table shows it: IRIs as :func:`shorten` or ``<IRI>``
    (either pastes back into a query), blank nodes as ``_:id``, literals as their text."""
    if term is None:
        return ""
    if term["type"] == "uri":
        short = shorten(term["value"])
        return short if short != term["value"] else f"<{term['value']}>"
    if term["type"] == "bnode":
        return "_:" + term["value"]
    return term["value"]


# --- format names ---------------------------------------------------------------------------

#: Other names for formats: short names, file extensions and media types (lower case). Where
#: one name fits two formats (``.json``, ``.xml``) the first the command offers is taken.
FORMAT_ALIASES: Mapping[str, tuple[str, ...]] = {
    "ttl": ("turtle",), "text/turtle": ("turtle",), "application/x-turtle": ("turtle",),
    "nt": ("ntriples",), "n-triples": ("ntriples",), "application/n-triples": ("ntriples",),
    "nq": ("nquads",), "n-quads": ("nquads",), "application/n-quads": ("nquads",),
    "application/trig": ("trig",),
    "json-ld": ("jsonld",), "application/ld+json": ("jsonld",),
    "rdf": ("rdfxml",), "owl": ("rdfxml",), "rdf/xml": ("rdfxml",),
    "application/rdf+xml": ("rdfxml",),
    "text/tab-separated-values": ("tsv",), "text/csv": ("csv",),
    "srx": ("xml",), "application/sparql-results+xml": ("xml",),
    "srj": ("json",), "application/sparql-results+json": ("json",),
    "md": ("markdown",), "text/markdown": ("markdown",),
    "application/graphml+xml": ("graphml",), "gexf": ("gexf",),
    "json": ("json", "jsonld"), "xml": ("xml", "rdfxml"), "csv": ("csv", "dyads"),
    "turtle": ("turtle",), "trig": ("trig",), "jsonld": ("jsonld",), "graphml": ("graphml",),
    "tsv": ("tsv",), "ntriples": ("ntriples",), "nquads": ("nquads",),
    "rdfxml": ("rdfxml",),
}  # fmt: skip


#: The pyoxigraph format of each RDF format name.
OX_RDF_FORMATS: Mapping[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "ntriples": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdfxml": ox.RdfFormat.RDF_XML,
}


def format_name(text: str, choices: Iterable[str]) -> str | None:
    """The format of ``choices`` that ``text`` (a name, alias, extension or media type) names.

    Examples
    --------
    >>> format_name("ttl", ["turtle", "ntriples"]), format_name("text/turtle", ["turtle"])
    ('turtle', 'turtle')
    >>> format_name("json", ["table", "json"]), format_name(".json", ["turtle", "jsonld"])
    ('json', 'jsonld')
    >>> print(format_name("docx", ["turtle"]))
    None
    """
    offered = list(choices)
    key = text.strip().lower().removeprefix(".").split(";")[0].strip()
    if key in offered:
        return key
    return next((name for name in FORMAT_ALIASES.get(key, ()) if name in offered), None)


def format_of_path(path: str | Path, choices: Iterable[str]) -> str | None:
    """The format ``path``'s extension names among ``choices`` (None: none or unknown).

    Examples
    --------
    >>> format_of_path("out/x.ttl", ["turtle"]), format_of_path("x.nq", ["nquads"])
    ('turtle', 'nquads')
    """
    suffix = PurePath(path).suffix
    return format_name(suffix, choices) if suffix else None


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


def _display_rows(table: Table) -> list[list[str]]:
    """Cells as people read them and queries take them back (see :func:`term_text`)."""
    if table.terms:
        return [[term_text(t) for t in row] for row in table.terms]
    return [[shorten(v) for v in row] for row in table.rows]


def aligned_table(table: Table, width: int | None = None) -> str:
    """An aligned text table wrapped to ``width`` (default: the terminal), IRIs shortened."""
    width = width or shutil.get_terminal_size((120, 24)).columns
    rows = _display_rows(table)
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
    """Render rows as ``table``, ``csv``, ``tsv``, ``json`` or ``markdown`` (plain cells).

    For the tables of ``kg list`` and ``kg network``; query results go through
    :func:`sparql_results`, which writes the SPARQL 1.1 result formats.
    """
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
        rows = _display_rows(table)
        lines = ["| " + " | ".join(table.columns) + " |", "|" + "---|" * len(table.columns)]
        lines += [
            "| " + " | ".join(v.replace("|", "\\|").replace("\n", " ") for v in row) + " |"
            for row in rows
        ]
        return "\n".join(lines) + "\n"
    if fmt == "table":
        return aligned_table(table, width)
    raise ValueError(f"unknown format {fmt!r}")


#: What ``kg query --format`` writes for SELECT and ASK (``table`` and ``markdown`` are for
#: people; the others are the SPARQL 1.1 result formats).
RESULT_FORMATS = ("table", "tsv", "csv", "xml", "json", "markdown")
_OX_RESULTS = {
    "tsv": ox.QueryResultsFormat.TSV,
    "csv": ox.QueryResultsFormat.CSV,
    "xml": ox.QueryResultsFormat.XML,
}


def sparql_results(table: Table, fmt: str) -> bytes:
    """SELECT or ASK results in a SPARQL 1.1 results format: ``json``, ``xml``, ``csv``, ``tsv``.

    TSV has ``?var`` headers and terms in SPARQL syntax (``<iri>``, ``"lit"^^<dt>``,
    ``"x"@en``); CSV ends lines with CRLF and holds plain values; XML and JSON are typed.
    Written by pyoxigraph's serialisers from the same terms whether the results came from
    the store or from an endpoint.

    Examples
    --------
    >>> t = Table("select", ("s", "n"), (), terms=(({"type": "uri", "value": "http://x/a"},
    ...     {"type": "literal", "value": "1", "datatype": XSD + "integer"}),))
    >>> sparql_results(t, "tsv"), sparql_results(t, "csv")
    (b'?s\\t?n\\n<http://x/a>\\t1\\n', b's,n\\r\\nhttp://x/a,1\\r\\n')
    """
    document = sparql_json(table).encode("utf-8")
    if fmt == "json":
        return document
    if fmt not in _OX_RESULTS:
        raise ValueError(f"unknown results format {fmt!r}")
    parsed = ox.parse_query_results(document, format=ox.QueryResultsFormat.JSON)
    data = parsed.serialize(format=_OX_RESULTS[fmt]) or b""
    return data if data.endswith(b"\n") else data + b"\n"


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
