"""A fast parser for the local, read-only part of SPARQL 1.1: queries that need no safety walk.

:func:`local_query` parses a query with a recursive-descent parser for a *sub-grammar* of the
SPARQL 1.1 query grammar: every production of the standard except those that can name
something outside the store (``SERVICE``, ``GRAPH``, ``FROM``/``FROM NAMED``, calls of
functions by IRI other than XSD casts, which an endpoint may run as its own extensions) and
except updates (``LOAD``, ``INSERT``...). A text that parses completely under it holds none of those
constructs, so it is safe by its parse, and the slow, complete check
(:func:`kg.sparql.safety.checked`, rdflib's parser and a walk of its algebra) is not needed.
Whatever this parser does not accept (an update, a dataset clause, a ``GRAPH`` pattern, a
keyword prefix, a syntax error, anything unusual) goes through the complete check, which
decides exactly as before; this module never refuses anything.

Two guards make the network rule independent of this parser's correctness: a text in which
the letters ``service`` or ``load`` occur anywhere (in any case, even inside strings, IRIs or
comments) is never accepted here, and ``\\u`` escapes were refused before (see
:func:`kg.sparql.safety.checked`), so no parser can find those keywords in an accepted text.

The parser only recognises (it builds no tree) and is more permissive than the standard in
places that cannot matter for safety (e.g. the number of a function's arguments): the engine
reports such errors, and :mod:`kg.query` then runs the complete check for its message.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from kg.iris import PREFIXES
from kg.sparql.lexer import KEYWORDS, TOKENS

#: Words that may call a built-in function or an aggregate (SPARQL 1.1, section 17.4).
BUILTINS = frozenset(
    """STR LANG LANGMATCHES DATATYPE BOUND IRI URI BNODE RAND ABS CEIL FLOOR ROUND CONCAT STRLEN
    UCASE LCASE ENCODE_FOR_URI CONTAINS STRSTARTS STRENDS STRBEFORE STRAFTER YEAR MONTH DAY
    HOURS MINUTES SECONDS TIMEZONE TZ NOW UUID STRUUID MD5 SHA1 SHA256 SHA384 SHA512 COALESCE
    IF STRLANG STRDT SAMETERM ISIRI ISURI ISBLANK ISLITERAL ISNUMERIC REGEX SUBSTR REPLACE
    COUNT SUM MIN MAX AVG SAMPLE GROUP_CONCAT""".split()
)

#: The namespace of the only functions called by IRI that are accepted here: XSD's casts.
XSD = PREFIXES["xsd"]

#: Never accepted here, in any case and anywhere in the text (see the module docstring).
_NETWORK = re.compile(r"(?i)service|load")

_NUMBER = re.compile(r"(?:[0-9]+\.[0-9]*|\.[0-9]+|[0-9]+)(?:[eE][+-]?[0-9]+)?")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PUNCT = re.compile(r"\^\^|&&|\|\||!=|<=|>=|[.;,*/|^?+\-!=<>]")
_SPACE = re.compile(r"[ \t\n\r]*")


class _NotLocal(Exception):
    """The text is outside the sub-grammar (the complete check decides)."""


def _lex(text: str) -> Iterator[tuple[str, str]]:
    """(kind, token) pairs: ``iri``, ``str``, ``var``, ``pname``, ``bnode``, ``lang``,
    ``num``, ``word`` (upper-cased, except ``a``), or the token itself for punctuation."""
    pos = _SPACE.match(text, 0).end()  # type: ignore[union-attr]
    while pos < len(text):
        match = TOKENS.match(text, pos)
        if match is not None and match.lastgroup != "comment":
            kind = match.lastgroup or ""
            token = match.group(0)
            yield (token, token) if kind in ("open", "close") else (kind, token)
        elif match is None:
            match = _NUMBER.match(text, pos)
            if match is not None:
                yield "num", match.group(0)
            else:
                match = _WORD.match(text, pos)
                if match is not None:
                    word = match.group(0)
                    yield "word", word if word == "a" else word.upper()
                else:
                    match = _PUNCT.match(text, pos)
                    if match is None:
                        raise _NotLocal
                    yield match.group(0), match.group(0)
        pos = _SPACE.match(text, match.end()).end()  # type: ignore[union-attr]


class _Parser:
    """Recursive descent over the sub-grammar; each method consumes one production."""

    def __init__(self, text: str) -> None:
        self.tokens = list(_lex(text)) + [("end", "")]
        self.at = 0
        self.prefixes = dict(PREFIXES)  # then the text's own, the last declaration winning

    # --- tokens ---------------------------------------------------------------------------

    def peek(self, ahead: int = 0) -> tuple[str, str]:
        return self.tokens[min(self.at + ahead, len(self.tokens) - 1)]

    def is_(self, *what: str) -> bool:
        """Whether the next token is one of ``what`` (a kind, punctuation or a keyword)."""
        kind, token = self.peek()
        return kind in what or (kind == "word" and token in what)

    def take(self, *what: str) -> str:
        if not self.is_(*what):
            raise _NotLocal
        token = self.peek()[1]
        self.at += 1
        return token

    def maybe(self, *what: str) -> bool:
        if self.is_(*what):
            self.at += 1
            return True
        return False

    def separated(self, item: Callable[[], None], *between: str) -> None:
        """``item (between item)*``."""
        item()
        while self.maybe(*between):
            item()

    # --- query forms ----------------------------------------------------------------------

    def query(self) -> None:
        while self.is_("BASE", "PREFIX"):
            if self.take("BASE", "PREFIX") == "BASE":
                self.take("iri")
                continue
            prefix = self.take("pname")
            if not prefix.endswith(":") or prefix[:-1].upper() in KEYWORDS:
                raise _NotLocal
            self.prefixes[prefix[:-1]] = self.take("iri")[1:-1]
        if self.maybe("SELECT"):
            self.select_clause()
            self.where_clause()
            self.solution_modifier()
        elif self.maybe("CONSTRUCT"):
            if self.is_("{"):
                self.triples_template()
                self.where_clause()
            else:
                self.take("WHERE")
                self.triples_template()
            self.solution_modifier()
        elif self.maybe("DESCRIBE"):
            if not self.maybe("*"):
                self.var_or_iri()
                while self.is_("var", "iri", "pname"):
                    self.var_or_iri()
            if self.is_("WHERE", "{"):
                self.where_clause()
            self.solution_modifier()
        else:
            self.take("ASK")
            self.where_clause()
            self.solution_modifier()
        self.values_clause()
        self.take("end")

    def select_clause(self) -> None:
        self.maybe("DISTINCT", "REDUCED")
        if self.maybe("*"):
            return
        self.select_item()
        while self.is_("var", "("):
            self.select_item()

    def select_item(self) -> None:
        if self.maybe("var"):
            return
        self.take("(")
        self.expression()
        self.take("AS")
        self.take("var")
        self.take(")")

    def where_clause(self) -> None:
        self.maybe("WHERE")
        self.group_graph_pattern()

    def solution_modifier(self) -> None:
        if self.maybe("GROUP"):
            self.take("BY")
            self.group_condition()
            while self.is_("var", "(", "iri", "pname") or self.builtin_next():
                self.group_condition()
        if self.maybe("HAVING"):
            self.constraint()
            while self.is_("(", "iri", "pname") or self.builtin_next():
                self.constraint()
        if self.maybe("ORDER"):
            self.take("BY")
            self.order_condition()
            while self.is_("var", "(", "iri", "pname", "ASC", "DESC") or self.builtin_next():
                self.order_condition()
        for _ in range(2):
            if self.maybe("LIMIT", "OFFSET"):
                self.take("num")

    def group_condition(self) -> None:
        if self.maybe("var"):
            return
        if self.maybe("("):
            self.expression()
            if self.maybe("AS"):
                self.take("var")
            self.take(")")
            return
        self.constraint()

    def order_condition(self) -> None:
        if self.maybe("ASC", "DESC"):
            self.bracketted()
        elif not self.maybe("var"):
            self.constraint()

    def values_clause(self) -> None:
        if self.maybe("VALUES"):
            self.data_block()

    def data_block(self) -> None:
        if self.maybe("var"):
            self.take("{")
            while not self.maybe("}"):
                self.data_value()
            return
        self.take("(")
        while not self.maybe(")"):
            self.take("var")
        self.take("{")
        while not self.maybe("}"):
            self.take("(")
            while not self.maybe(")"):
                self.data_value()

    def data_value(self) -> None:
        if self.maybe("UNDEF", "iri", "pname", "TRUE", "FALSE"):
            return
        if self.is_("-", "+"):
            self.at += 1
            self.take("num")
            return
        if self.maybe("num"):
            return
        self.literal()

    def literal(self) -> None:
        self.take("str")
        if self.maybe("^^"):
            self.take("iri", "pname")
        else:
            self.maybe("lang")

    # --- graph patterns -------------------------------------------------------------------

    def group_graph_pattern(self) -> None:
        self.take("{")
        if self.maybe("SELECT"):  # a subquery
            self.select_clause()
            self.where_clause()
            self.solution_modifier()
            self.values_clause()
            self.take("}")
            return
        while not self.maybe("}"):
            if self.is_("{"):
                self.group_graph_pattern()
                while self.maybe("UNION"):
                    self.group_graph_pattern()
            elif self.maybe("OPTIONAL", "MINUS"):
                self.group_graph_pattern()
            elif self.maybe("FILTER"):
                self.constraint()
            elif self.maybe("BIND"):
                self.take("(")
                self.expression()
                self.take("AS")
                self.take("var")
                self.take(")")
            elif self.maybe("VALUES"):
                self.data_block()
            else:
                self.triples_same_subject(path=True)
            self.maybe(".")

    def triples_template(self) -> None:
        self.take("{")
        while not self.maybe("}"):
            self.triples_same_subject(path=False)
            if not self.is_("}"):
                self.take(".")

    def triples_same_subject(self, *, path: bool) -> None:
        if self.is_("[") and self.peek(1)[0] != "]" or self.is_("(") and self.peek(1)[0] != ")":
            self.triples_node(path=path)
            if not self.is_(".", "}"):
                self.property_list(path=path)
            return
        self.var_or_term()
        self.property_list(path=path)

    def property_list(self, *, path: bool) -> None:
        self.verb(path=path)
        self.object_list(path=path)
        while self.maybe(";"):
            if self.is_(";", ".", "}", "]", "end"):
                continue
            self.verb(path=path)
            self.object_list(path=path)

    def verb(self, *, path: bool) -> None:
        if self.maybe("var"):
            return
        if path:
            self.path()
        elif not self.maybe("a"):
            self.take("iri", "pname")

    def object_list(self, *, path: bool) -> None:
        self.graph_node(path=path)
        while self.maybe(","):
            self.graph_node(path=path)

    def graph_node(self, *, path: bool) -> None:
        if self.is_("[") and self.peek(1)[0] != "]" or self.is_("(") and self.peek(1)[0] != ")":
            self.triples_node(path=path)
        else:
            self.var_or_term()

    def triples_node(self, *, path: bool) -> None:
        if self.maybe("["):
            self.property_list(path=path)
            self.take("]")
            return
        self.take("(")
        self.graph_node(path=path)
        while not self.maybe(")"):
            self.graph_node(path=path)

    def var_or_iri(self) -> None:
        self.take("var", "iri", "pname")

    def var_or_term(self) -> None:
        if self.maybe("var", "iri", "pname", "bnode", "num", "TRUE", "FALSE"):
            return
        if self.is_("-", "+") and self.peek(1)[0] == "num":
            self.at += 2
            return
        if self.is_("[", "("):  # ANON or NIL
            closing = "]" if self.take("[", "(") == "[" else ")"
            self.take(closing)
            return
        self.literal()

    # --- property paths -------------------------------------------------------------------

    def path(self) -> None:
        self.separated(self.path_sequence, "|")

    def path_sequence(self) -> None:
        self.separated(self.path_element, "/")

    def path_element(self) -> None:
        self.maybe("^")
        if self.maybe("a", "iri", "pname"):
            pass
        elif self.maybe("!"):
            if self.maybe("("):
                if not self.maybe(")"):
                    self.path_one_in_set()
                    while self.maybe("|"):
                        self.path_one_in_set()
                    self.take(")")
            else:
                self.path_one_in_set()
        else:
            self.take("(")
            self.path()
            self.take(")")
        self.maybe("?", "*", "+")

    def path_one_in_set(self) -> None:
        self.maybe("^")
        self.take("a", "iri", "pname")

    # --- expressions ----------------------------------------------------------------------

    def builtin_next(self) -> bool:
        kind, token = self.peek()
        return kind == "word" and (token in BUILTINS or token in ("EXISTS", "NOT"))

    def constraint(self) -> None:
        if self.is_("("):
            self.bracketted()
        elif self.builtin_next():
            self.builtin()
        else:
            self.function_call()

    def function_call(self) -> None:
        """``iri(...)``, only for an XSD cast: an endpoint may run any other IRI as its own
        extension, which could fetch (Virtuoso's ``bif:http_get``)."""
        token = self.take("iri", "pname")
        if token.startswith("<"):
            iri = token[1:-1]
        else:
            prefix, _, local = token.partition(":")
            iri = self.prefixes[prefix] + local if prefix in self.prefixes else ""
        if not iri.startswith(XSD):
            raise _NotLocal
        self.arguments()

    def bracketted(self) -> None:
        self.take("(")
        self.expression()
        self.take(")")

    def expression(self) -> None:
        self.separated(self.and_expression, "||")

    def and_expression(self) -> None:
        self.separated(self.relational, "&&")

    def relational(self) -> None:
        self.additive()
        if self.maybe("=", "!=", "<", ">", "<=", ">="):
            self.additive()
        elif self.maybe("IN") or self.is_("NOT") and self.peek(1) == ("word", "IN"):
            if self.maybe("NOT"):
                self.take("IN")
            self.arguments()

    def additive(self) -> None:
        self.separated(self.multiplicative, "+", "-")

    def multiplicative(self) -> None:
        self.separated(self.unary, "*", "/")

    def unary(self) -> None:
        self.maybe("!", "+", "-")
        if self.is_("("):
            self.bracketted()
        elif self.builtin_next():
            self.builtin()
        elif self.is_("iri", "pname") and self.peek(1)[0] == "(":
            self.function_call()
        elif self.maybe("iri", "pname"):
            pass
        elif not self.maybe("var", "num", "TRUE", "FALSE"):
            self.literal()

    def builtin(self) -> None:
        if self.maybe("NOT"):
            self.take("EXISTS")
            self.group_graph_pattern()
            return
        if self.maybe("EXISTS"):
            self.group_graph_pattern()
            return
        self.take("word")
        self.arguments(aggregate=True)

    def arguments(self, *, aggregate: bool = False) -> None:
        """``( [DISTINCT] (* | expr, ...) [; SEPARATOR = "..."] )`` or ``()``."""
        self.take("(")
        if self.maybe(")"):
            return
        if aggregate:
            self.maybe("DISTINCT")
            if self.maybe("*"):
                self.take(")")
                return
        self.expression()
        while self.maybe(","):
            self.expression()
        if aggregate and self.maybe(";"):
            self.take("SEPARATOR")
            self.take("=")
            self.take("str")
        self.take(")")


def local_query(text: str) -> bool:
    """Whether ``text`` parses as a query of the local, read-only sub-grammar.

    Run it where the recursion it needs is allowed (nesting is bounded by
    :data:`kg.sparql.safety.MAX_DEPTH` before it is called; see :func:`kg.sparql.safety.checked`).

    Examples
    --------
    >>> local_query("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    True
    >>> local_query("SELECT * { GRAPH <http://x.example/g> { ?s ?p ?o } }")
    False
    >>> local_query("SELECT ?s { ?s ?p 'a service' }")  # the complete check decides
    False
    """
    if _NETWORK.search(text):
        return False
    try:
        _Parser(text).query()
    except (_NotLocal, RecursionError):  # deep text: the complete check has the stack for it
        return False
    return True
