"""The safety wall for user SPARQL, decided on the parsed query, never by running it.

A query or update is parsed by rdflib's SPARQL 1.1 parser and translated to its algebra, which
resolves prefixed names (the project's prefixes are predeclared, as they are when the query
runs), ``BASE`` declarations (every one, in order) and ``\\u`` escapes exactly as the grammar
says. The algebra is then walked, and the text is refused when it holds

- a ``SERVICE`` pattern (anywhere: in ``OPTIONAL``, ``EXISTS``, subqueries, ``WHERE`` of an
  update) or a ``LOAD`` operation: both make the engine fetch from the network;
- a call of a function by IRI other than an XSD cast (``xsd:integer(?x)``): an endpoint runs
  its own extensions by IRI, and some fetch (Virtuoso's ``bif:http_get``, ``bif:http_client``,
  open to its anonymous SPARQL account);
- a graph IRI outside this project's namespace in any position that names a graph: the
  dataset clauses ``FROM``/``FROM NAMED``, ``USING``/``USING NAMED`` and ``WITH``, ``GRAPH``
  patterns and the graphs of ``INSERT``/``DELETE`` (``DATA``) quads, and the targets of
  ``CLEAR``, ``DROP``, ``CREATE``, ``COPY``, ``MOVE``, ``ADD`` (and their ``TO``).

Nothing here evaluates the text. Parsing can still be made slow or deep by the text, so
:mod:`kg.sparql.sandbox` runs this check inside the query's time and memory limits; nesting
deeper than :data:`MAX_DEPTH` is refused before parsing (the engine itself crashes on a few
thousand levels).
"""

from __future__ import annotations

import logging
import re
import sys
import threading
from collections.abc import Iterator
from typing import Any

from kg.iris import PREFIXES
from kg.sparql.lexer import KEYWORDS, nesting_depth
from kg.sparql.subset import XSD, local_query

LOCAL_IRI_PREFIX = "https://w3id.org/defense-kg/"

#: Deepest nesting of ``{``, ``(`` and ``[`` (outside strings, IRIs and comments) accepted.
MAX_DEPTH = 256

#: Stack for the parser thread: rdflib's parser recurses a few hundred frames per level.
_PARSER_STACK = 64 * 1024 * 1024


class QueryError(ValueError):
    """A refused, malformed or failed query (the message is one line).

    ``exit_code`` is 2 for refused or malformed input, 1 for a failure while running.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


# --- parsing ----------------------------------------------------------------------------------


def _in_deep_thread(function: Any, *args: Any) -> Any:
    """Run ``function(*args)`` in a thread with a large stack and recursion limit."""
    outcome: dict[str, Any] = {}

    def target() -> None:
        try:
            outcome["value"] = function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    old_limit = sys.getrecursionlimit()
    old_stack = threading.stack_size()
    sys.setrecursionlimit(max(old_limit, 200_000))
    try:
        threading.stack_size(_PARSER_STACK)
        thread = threading.Thread(target=target, name="sparql-parser")
        try:
            thread.start()
        except RuntimeError:  # no room for the parser's stack under the memory limit
            raise MemoryError from None
    finally:
        threading.stack_size(old_stack)
    thread.join()
    sys.setrecursionlimit(old_limit)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")


def _resolved(tree: Any, update: bool, namespaces: dict[str, Any]) -> list[Any]:
    """The parse tree (a second parse: rdflib's trees do not deep-copy) with prefixed names
    and relative IRIs resolved as rdflib's translation resolves them, nothing else changed.

    The translation edits the tree in place and loses parts of it: the ``FILTER``s of a
    group inside ``EXISTS`` are missing from both afterwards, so ``FILTER EXISTS { FILTER
    EXISTS { SERVICE <...> { } } }`` would hide its ``SERVICE`` from a walk of them.
    """
    import functools

    from rdflib.plugins.sparql.algebra import translatePName, translatePrologue, traverse

    if update:  # an update of only comments or PREFIX lines has no request
        pairs = list(zip(tree.prologue or [], tree.request or [], strict=False))
    else:
        pairs = [(tree[0], tree[1])]
    resolved: list[Any] = []
    prologue = None
    for declarations, body in pairs:
        prologue = translatePrologue(declarations, None, namespaces, prologue)
        resolve = functools.partial(translatePName, prologue=prologue)
        resolved += [declarations, traverse(body, visitPost=resolve)]
    return resolved


def _parse(text: str, update: bool) -> Any:
    from rdflib import Namespace
    from rdflib.plugins.sparql.algebra import translateQuery, translateUpdate
    from rdflib.plugins.sparql.parser import parseQuery, parseUpdate

    namespaces = {prefix: Namespace(iri) for prefix, iri in PREFIXES.items()}
    if update:
        update_tree = parseUpdate(text)
        whole = _resolved(parseUpdate(text), update, namespaces)
        return update_tree, translateUpdate(update_tree, initNs=namespaces), whole
    query_tree = parseQuery(text)
    whole = _resolved(parseQuery(text), update, namespaces)
    return query_tree, translateQuery(query_tree, initNs=namespaces), whole


def _parse_error(exc: BaseException) -> str:
    line, column = getattr(exc, "lineno", None), getattr(exc, "col", None)
    message = " ".join(str(getattr(exc, "msg", None) or exc).split())
    message = re.sub(r"\s*\(at char \d+\), \(line:\d+, col:\d+\)$", "", message)
    if len(message) > 200:
        message = message[:197] + "..."
    if line is not None and column is not None:
        return f"malformed SPARQL at line {line}, column {column}: {message}"
    return f"malformed SPARQL: {message}"


def parse(text: str, *, update: bool) -> Any:
    """The rdflib parse tree and algebra of ``text`` as a query (or an update), and the
    whole tree with its names resolved (:func:`_resolved`), for :func:`refuse_unsafe`.

    Raises
    ------
    QueryError
        When the text nests deeper than :data:`MAX_DEPTH` or does not parse; the message names
        the line and column where the parser stopped.
    """
    depth = nesting_depth(text)
    if depth > MAX_DEPTH:
        raise QueryError(f"refused: the text nests {depth} levels deep; the limit is {MAX_DEPTH}")
    logging.getLogger("rdflib").setLevel(logging.ERROR)
    try:
        return _in_deep_thread(_parse, text, update)
    except (RecursionError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is malformed input
        raise QueryError(_parse_error(exc)) from None


# --- the walk ----------------------------------------------------------------------------------


def local_iri(iri: str) -> bool:
    """True for this project's IRIs and relative references (which stay in the store).

    Examples
    --------
    >>> local_iri("https://w3id.org/defense-kg/graph/seed"), local_iri("http://example.org/g")
    (True, False)
    """
    return iri.startswith(LOCAL_IRI_PREFIX) or not re.match(r"^[a-zA-Z][\w+.-]*:", iri)


def _network(keyword: str) -> QueryError:
    return QueryError(
        f"refused: {keyword} would reach the network; queries run on the local store only"
    )


def _graph_refs(node: Any) -> Iterator[tuple[str, Any]]:
    """(keyword, term) for every position of ``node`` that names a graph."""
    name = getattr(node, "name", "")
    if name in ("Graph", "GraphGraphPattern"):
        yield "GRAPH", dict.get(node, "term")
    elif name == "DatasetClause":
        yield "FROM", dict.get(node, "default")
        yield "FROM NAMED", dict.get(node, "named")
    elif name == "UsingClause":
        yield "USING", dict.get(node, "default")
        yield "USING NAMED", dict.get(node, "named")
    elif name in ("Clear", "Drop", "Create"):
        yield name.upper(), dict.get(node, "graphiri")
    elif name in ("Add", "Move", "Copy"):
        source, *target = list(dict.get(node, "graph") or [])
        yield name.upper(), source
        for term in target:
            yield "TO", term
    if name == "Modify":
        yield "WITH", dict.get(node, "withClause")
    quads = dict.get(node, "quads") if isinstance(node, dict) else None
    if isinstance(quads, dict):
        for graph in quads:
            yield "GRAPH", graph


def _children(node: Any) -> Iterator[Any]:
    from pyparsing import ParseResults  # rdflib's parser is built on pyparsing

    if isinstance(node, dict):
        for key, value in node.items():
            if key != "_vars":
                yield value
            if isinstance(key, tuple):
                yield key
    elif isinstance(node, (list, tuple, ParseResults)):
        yield from node
    else:
        algebra = getattr(node, "algebra", None)
        if algebra is not None:
            yield algebra


def refuse_unsafe(parsed: Any) -> None:
    """Raise :class:`QueryError` when the parsed query or update could leave the store.

    Examples
    --------
    >>> refuse_unsafe(parse("SELECT * { ?s ?p 'SERVICE <http://x.example/>' }", update=False))
    >>> try:
    ...     refuse_unsafe(parse("PREFIX : <http://x.example/> ASK { SERVICE:x { } }", update=False))
    ... except QueryError as exc:
    ...     print(exc)
    refused: SERVICE would reach the network; queries run on the local store only
    """
    from rdflib.term import URIRef, Variable

    stack = [parsed]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, (str, int, float)) or id(node) in seen:
            continue
        seen.add(id(node))
        name = getattr(node, "name", "")
        prefix = str(dict.get(node, "prefix") or "") if name == "PrefixDecl" else ""
        if prefix.upper() in KEYWORDS:
            raise QueryError(
                f"refused: the prefix name {prefix}: is a SPARQL keyword, which makes the text "
                "read differently by different parsers"
            )
        if name == "ServiceGraphPattern":
            raise _network("SERVICE")
        if name == "Load":
            raise _network("LOAD")
        if name == "Function":
            iri = dict.get(node, "iri")
            if isinstance(iri, URIRef) and not str(iri).startswith(XSD):
                raise QueryError(
                    f"refused: the function <{iri}> is no XSD cast; only SPARQL's own functions "
                    "and XSD casts run (an endpoint's extensions, such as Virtuoso's "
                    "bif:http_get, can fetch URLs)"
                )
        if name:
            for keyword, term in _graph_refs(node):
                if isinstance(term, URIRef) and not str(term).startswith(LOCAL_IRI_PREFIX):
                    if local_iri(str(term)):  # still relative: parsers resolve such IRIs apart
                        raise QueryError(
                            f"refused: {keyword} <{term}> is a relative IRI; write the full IRI "
                            "of a graph of this store"
                        )
                    raise QueryError(f"refused: {keyword} <{term}> is not a graph of this store")
            if name == "InsertClause":
                for graph in dict.get(node, "quads") or {}:
                    if isinstance(graph, Variable):
                        raise QueryError(
                            f"refused: INSERT into GRAPH ?{graph}: a variable could name a graph "
                            "outside this store; name the graph"
                        )
        stack.extend(_children(node))


_ESCAPE = re.compile(r"\\[uU]")


def prepare(text: str) -> str:
    """The text both the check and the engine get: line ends as LF.

    rdflib ends a comment at LF only, Oxigraph at CR too, so ``#...\\r SERVICE`` would hide a
    pattern from one of them; after this, both read the same lines.

    Examples
    --------
    >>> prepare("ASK {} #a\\rSERVICE")
    'ASK {} #a\\nSERVICE'
    """
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check(text: str, *, update: bool) -> str:
    """Everything checked before ``text`` runs: depth, syntax, the right command, safety.

    Returns the text to run: :func:`prepare`'s form of ``text``, the one that was checked.
    See :func:`checked` for the rest.
    """
    return checked(text, update=update)[0]


def local(text: str) -> str | None:
    """:func:`prepare`'s form of a query that the fast parser proves local and read-only
    (:func:`kg.sparql.subset.local_query`: nothing to walk), else None (the complete check,
    :func:`checked`, decides). Linear in the text.

    Examples
    --------
    >>> local("ASK { ?s ?p ?o }"), local("SELECT * { GRAPH ?g { } }")
    ('ASK { ?s ?p ?o }', None)
    """
    text = prepare(text)
    if _ESCAPE.search(text) or nesting_depth(text) > MAX_DEPTH or not local_query(text):
        return None
    return text


def checked(text: str, *, update: bool) -> tuple[str, Any]:
    """:func:`check`, also returning the parse (rdflib's tree and algebra; None for a query
    that :func:`kg.sparql.subset.local_query` parsed, which holds nothing to walk).

    ``kg query`` is read-only and ``kg update`` runs SPARQL Update; text for the other one is
    refused with a pointer to it. Codepoint escapes (``\\u0053``) are refused: rdflib decodes
    them in the whole text before parsing (and reads up to eight digits after ``\\u``), Oxigraph
    only inside tokens, so an escaped quote ends a string for one and not the other.
    """
    if not update:
        local_text = local(text)
        if local_text is not None:
            return local_text, None
    text = prepare(text)
    if _ESCAPE.search(text):
        raise QueryError(
            "refused: \\u and \\U escapes are read differently by SPARQL parsers; write the "
            "character itself"
        )
    try:
        parsed = parse(text, update=update)
    except QueryError as error:
        if error.args[0].startswith("refused:"):
            raise
        try:
            parse(text, update=not update)
        except QueryError:
            raise error from None
        if update:
            raise QueryError(
                "refused: 'kg update' runs SPARQL Update; use 'kg query' to read"
            ) from None
        raise QueryError(
            "refused: 'kg query' is read-only; use 'kg update' to change data"
        ) from None
    refuse_unsafe(parsed)
    return text, parsed


def writes_named_graph(parsed: Any) -> bool:
    """Whether any operation of a parsed update changes a named graph.

    The store's default graph is the union of its named graphs, recomputed after every
    update, so what an update does to the default graph alone is not kept.

    Examples
    --------
    >>> g = "GRAPH <https://w3id.org/defense-kg/graph/x>"
    >>> writes_named_graph(parse("INSERT DATA { <a:s> <a:p> 1 }", update=True))
    False
    >>> writes_named_graph(parse(f"INSERT DATA {{ {g} {{ <a:s> <a:p> 1 }} }}", update=True))
    True
    """
    for op in parsed[0].request or ():
        name = op.name
        if name in ("InsertData", "DeleteData", "DeleteWhere"):
            if dict.get(op, "quads"):
                return True
        elif name == "Modify":
            if dict.get(op, "withClause") is not None:
                return True
            for clause in ("insert", "delete"):
                part = dict.get(op, clause)
                if part is not None and dict.get(part, "quads"):
                    return True
        elif name in ("Clear", "Drop"):
            if str(dict.get(op, "graphiri")) != "DEFAULT":
                return True
        elif name in ("Add", "Move", "Copy"):
            *_, target = list(dict.get(op, "graph") or [None])
            if str(target) != "DEFAULT" or name == "Move":  # MOVE also empties its source
                return True
        else:  # Create and anything newer: assume it keeps something
            return True
    return False
