"""Graph names: the one place that checks a graph name and writes a graph IRI into SPARQL.

A graph name (``kg load --graph NAME``, ``kg remove NAME``, ``kg export --article NAME``) is
joined to the project's graph base ``https://w3id.org/defense-kg/graph/`` and must give a valid
IRI: it must not be empty and must not contain spaces, control characters, any of
``<>"{}|^`\\``, or a ``%`` that does not start a ``%XX`` escape. A refused name is a one-line
:class:`GraphNameError` (exit 2).

A graph name derived from a file name (``kg load 'my data.ttl'``) is made safe instead:
letters, digits and ``-._~`` are kept, every other character is percent-encoded as UTF-8
(``my data.ttl`` -> graph ``my%20data``), so two different file names never share a graph.

Graph IRIs go into SPARQL text only through :func:`sparql_iri` (pyoxigraph's escaped
``<...>`` form) and into Graph Store Protocol URLs only through :func:`gsp_query`
(URL-encoded).
"""

from __future__ import annotations

import re
import unicodedata
import urllib.parse

import pyoxigraph as ox

from kg.errors import StoreError
from kg.iris import GRAPH

_FORBIDDEN = frozenset(' <>"{}|^`\\')
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
_KEEP = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


class GraphNameError(StoreError):
    """A graph name that does not make a valid graph IRI (exit code 2)."""

    exit_code = 2


def _printable(text: str) -> str:
    """One line, non-printable characters as ``\\uXXXX``."""
    return " ".join("".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text).split())


def _problem(name: str) -> str | None:
    if not name:
        return "empty"
    for char in name:
        category = unicodedata.category(char)
        if category == "Cc":
            return f"control character U+{ord(char):04X} is not allowed"
        if category in ("Cs", "Cn", "Zl", "Zp"):  # surrogates, noncharacters, line separators
            return f"code point U+{ord(char):04X} is not allowed"
        if char in _FORBIDDEN:
            shown = "a space" if char == " " else repr(char)
            return f"{shown} is not allowed in an IRI"
    bad = _BAD_ESCAPE.search(name)
    if bad:
        return f"{name[bad.start() : bad.start() + 3]!r} is not a %XX escape"
    try:
        ox.NamedNode(GRAPH + name)
    except ValueError as exc:
        return f"not a valid IRI ({_printable(str(exc))})"
    return None


def graph_iri(name: str) -> str:
    """The graph IRI of a graph name; :class:`GraphNameError` when it is not a valid IRI.

    Examples
    --------
    >>> graph_iri("seed")
    'https://w3id.org/defense-kg/graph/seed'
    >>> try:
    ...     graph_iri("x> <y")
    ... except GraphNameError as exc:
    ...     print(exc)
    graph name 'x> <y': '>' is not allowed in an IRI
    """
    problem = _problem(name)
    if problem is not None:
        raise GraphNameError(f"graph name {name!r}: {problem}")
    return GRAPH + name


def file_graph_name(stem: str) -> str:
    """A safe graph name for a file name's stem: unsafe characters percent-encoded (UTF-8).

    Examples
    --------
    >>> file_graph_name("my data"), file_graph_name("a%b"), file_graph_name("données")
    ('my%20data', 'a%25b', 'données')
    """
    out = []
    for char in stem:
        if char in _KEEP or (ord(char) > 127 and unicodedata.category(char)[0] in "LN"):
            out.append(char)
        else:
            try:
                data = char.encode("utf-8", "surrogateescape")  # undecodable file-name bytes
            except UnicodeEncodeError:
                data = char.encode("utf-8", "surrogatepass")
            out.append(urllib.parse.quote_from_bytes(data, safe=""))
    return "".join(out)


def sparql_iri(iri: str) -> str:
    """``<iri>`` escaped for SPARQL text (pyoxigraph's N-Triples form of the IRI).

    Examples
    --------
    >>> sparql_iri("https://w3id.org/defense-kg/graph/seed")
    '<https://w3id.org/defense-kg/graph/seed>'
    """
    try:
        return str(ox.NamedNode(iri))
    except ValueError as exc:
        problem = _printable(str(exc))
        raise GraphNameError(f"graph {iri!r}: not a valid IRI ({problem})") from None


def gsp_query(iri: str) -> str:
    """The ``graph=`` query string of a Graph Store Protocol URL (URL-encoded).

    Examples
    --------
    >>> gsp_query("https://w3id.org/defense-kg/graph/my%20data")
    'graph=https%3A%2F%2Fw3id.org%2Fdefense-kg%2Fgraph%2Fmy%2520data'
    """
    sparql_iri(iri)  # refuse what is not an IRI
    return urllib.parse.urlencode({"graph": iri})
