"""SPARQL text handling that is not parsing: masking tokens that may hold
keywords, binding parameters as a ``VALUES`` block. Never used to decide what is safe (that is
:mod:`kg.sparql.safety`'s, on the parsed query); only to edit text."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyoxigraph as ox

from kg.sparql.lexer import tokens
from kg.sparql.safety import QueryError


@dataclass(frozen=True, slots=True)
class Masked:
    """A query with IRIs, prefixed names, strings, comments and variables blanked out.

    Blanked tokens keep their length (so positions still match the query) and are replaced
    by ``<`` + spaces + ``>`` for IRIs, ``:`` + spaces for prefixed names and spaces for the
    rest. ``iris`` maps the start offset of each IRI or prefixed name to its text. Used to
    edit text (binding parameters, appending the union's re-derivation); never to decide
    what is safe: that is :mod:`kg.sparql.safety`'s, on the parsed query.
    """

    text: str
    iris: dict[int, str]


def mask(query: str) -> Masked:
    """Blank out every token that may contain a keyword without being one.

    Examples
    --------
    >>> mask('SELECT ?load { ?s <http://x/SERVICE> "LOAD" } # SERVICE').text
    'SELECT ?     { ?  <                > "    " }          '
    """
    iris: dict[int, str] = {}
    parts: list[str] = []
    last = 0
    for match in tokens(query):
        kind = match.lastgroup
        if kind in ("open", "close"):
            continue
        start, end = match.span()
        parts.append(query[last:start])
        token = match.group(0)
        if kind == "iri":
            iris[start] = token[1:-1]
            parts.append("<" + " " * (len(token) - 2) + ">")
        elif kind == "pname":
            iris[start] = token
            parts.append(":" + " " * (len(token) - 1))
        elif kind == "str":
            parts.append('"' + " " * (len(token) - 2) + '"')
        elif kind == "var" and token[0] == "?":
            parts.append("?" + " " * (len(token) - 1))
        else:
            parts.append(" " * len(token))
        last = end
    parts.append(query[last:])
    return Masked("".join(parts), iris)


def bind_with_values(query: str, substitutions: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables for an endpoint: a ``VALUES`` block of escaped terms opening the WHERE.

    Terms are written in N-Triples syntax by pyoxigraph (quotes and backslashes escaped), so
    a value can never change the query's structure.

    Examples
    --------
    >>> bind_with_values("SELECT ?x WHERE { ?x ?p ?y }", {"y": ox.Literal('a" } DROP ALL')})
    'SELECT ?x WHERE { VALUES (?y) { ("a\\\\" } DROP ALL") } ?x ?p ?y }'
    """
    # the text as written: \u escapes are refused by the safety check after binding, as
    # they are without parameters
    masked = mask(query).text
    m = re.search(r"(?i)\bWHERE\s*\{", masked)
    if m is None:
        m = re.search(r"(?i)\b(SELECT|ASK|DESCRIBE)\b[^{]*\{", masked)
    if m is None:
        raise QueryError("cannot bind parameters: no WHERE clause")
    names = list(substitutions)
    values = " ".join(str(substitutions[n]) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    return query[: m.end()] + block + query[m.end() :]
