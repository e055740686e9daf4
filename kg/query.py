"""SPARQL over the store: named queries, parameters, sandboxed runs, result tables.

User SPARQL never reaches the network. Each query or update is parsed with a real SPARQL 1.1
parser and refused, on the parsed form, when it holds ``SERVICE`` or ``LOAD`` or names a graph
outside this project (:mod:`kg.sparql.safety`); nothing is evaluated to decide. The check and
the run both happen in a sandboxed child (:mod:`kg.sparql.sandbox`): time and memory limits,
no network where the OS allows a private network namespace, killed with its parent.

``kg query`` is read-only; ``kg update`` runs SPARQL Update. On the embedded store both run in
the child, which is killed at the time limit (an interrupted update is an uncommitted
transaction, so the store is unchanged); on an endpoint the child only checks the text and the
HTTP request is abandoned at the limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.results import Table as Table
from kg.sparql import safety
from kg.sparql.safety import LOCAL_IRI_PREFIX, QueryError, local_iri, tokens
from kg.sparql.sandbox import Limits, default_max_memory, run_limited
from kg.sparql.text import Masked as Masked
from kg.sparql.text import bind_with_values as bind_with_values
from kg.sparql.text import decode_escapes as decode_escapes
from kg.sparql.text import mask as mask
from kg.store import Backend, Store, StoreError, one_line, with_resync
from kg.vocab import PREFIXES

__all__ = [
    "LOCAL_IRI_PREFIX",
    "Limits",
    "NamedQuery",
    "QueryError",
    "Table",
    "check_query",
    "check_query_safety",
    "check_update",
    "local_iri",
    "named_queries",
    "run_query",
    "run_update",
]

DEFAULT_TIMEOUT = 30.0
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A variable a named query is meant to have bound (a ``# param ?name kind: help`` line).

    ``kind`` is ``entity`` (an IRI; also given as a prefixed name, an ISO-3 code or a label),
    ``state`` (an ISO-3 code; also given as a state's IRI, prefixed name or label) or
    ``value`` (a string, or an IRI when written as one).
    """

    name: str
    kind: str
    help: str


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    question: str
    text: str
    params: tuple[Parameter, ...] = ()


def check_query_safety(text: str) -> None:
    """Refuse a query or update that could reach the network or a graph outside the store.

    Decided on the parsed text (:mod:`kg.sparql.safety`), in this process: commands run it
    inside the sandbox's limits; call it directly only on text you trust not to be huge.

    Examples
    --------
    >>> check_query_safety("SELECT * { ?s ?p 'SERVICE <http://x>' }")
    >>> try:
    ...     check_query_safety("select * { service <http://example.org/sparql> { ?s ?p ?o } }")
    ... except QueryError as exc:
    ...     print(exc)
    refused: SERVICE would reach the network; queries run on the local store only
    """
    try:
        safety.check(text, update=False)
    except QueryError as error:
        if "'kg query' is read-only" not in str(error):
            raise
        safety.check(text, update=True)


def parse_error(exc: BaseException) -> str:
    """The engine's message as one line that names the line and column.

    Examples
    --------
    >>> parse_error(SyntaxError("error at 2:9: expected one of LATERAL, SERVICE, [_]"))
    'malformed SPARQL at line 2, column 9: expected one of LATERAL, SERVICE, [_]'
    """
    message = one_line(exc)
    m = re.match(r"error at (\d+):(\d+): ?(.*)", message)
    if m:
        return f"malformed SPARQL at line {m.group(1)}, column {m.group(2)}: {m.group(3)}"
    return f"malformed SPARQL: {message}"


def check_query(query: str) -> None:
    """Everything ``kg query`` checks before running (in this process; see the sandbox)."""
    safety.check(query, update=False)


def check_update(update: str) -> None:
    """Everything ``kg update`` checks before running (in this process; see the sandbox)."""
    safety.check(update, update=True)


# --- named queries ------------------------------------------------------------------------


def named_queries() -> dict[str, NamedQuery]:
    """The competency questions shipped in ``kg/queries/*.rq`` (first comment = question)."""
    found: dict[str, NamedQuery] = {}
    folder = resources.files("kg") / "queries"
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.endswith(".rq"):
            continue
        text = entry.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        question = first.lstrip("# ").strip()
        name = entry.name[: -len(".rq")]
        found[name] = NamedQuery(name, question, text, _declared(text))
    return found


_PARAM_LINE = re.compile(r"^# param \?(\w+) (entity|state|value): (.+)$", re.MULTILINE)


def _declared(text: str) -> tuple[Parameter, ...]:
    """The ``# param ?name kind: help`` lines of a named query."""
    return tuple(Parameter(m[1], m[2], m[3].strip()) for m in _PARAM_LINE.finditer(text))


# --- parameters -----------------------------------------------------------------------------


def as_iri(value: str) -> str | None:
    r"""The IRI ``value`` writes: ``<IRI>``, ``http(s)://...`` or a prefixed name of a project
    namespace (``dkgr:state\/JPN``, as ``kg query`` prints it); None for anything else.

    Examples
    --------
    >>> as_iri("dkgr:state\\/JPN"), as_iri("<http://x/a>"), as_iri("JPN")
    ('https://w3id.org/defense-kg/id/state/JPN', 'http://x/a', None)
    """
    from kg.format import pn_unescape

    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    if re.match(r"^https?://\S+$", value):
        return value
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and re.fullmatch(r"(?:[^\s\\]|\\.)+", local):
        return PREFIXES[prefix] + pn_unescape(local)
    return None


def param_term(value: str) -> ox.NamedNode | ox.Literal:
    """A ``--param`` value: an IRI when it writes one (:func:`as_iri`), else a string.

    Examples
    --------
    >>> param_term("JPN"), param_term("<https://w3id.org/defense-kg/id/state/JPN>").value
    (<Literal value=JPN datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>, 'https://w3id.org/defense-kg/id/state/JPN')
    """
    try:
        iri = as_iri(value)
        return ox.Literal(value) if iri is None else ox.NamedNode(iri)
    except ValueError as exc:
        raise QueryError(f"--param value {value!r} is not a valid term ({one_line(exc)})") from None


def split_params(items: Iterable[str]) -> dict[str, str]:
    """``name=value`` strings -> variable name -> value as written."""
    out: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", key):
            raise QueryError(f"--param must be name=value, got {item!r}")
        out[key] = value
    return out


def parse_params(items: Iterable[str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """``name=value`` strings -> variable name -> term."""
    return {k: param_term(v) for k, v in split_params(items).items()}


def check_param_names(query: NamedQuery, names: Iterable[str]) -> None:
    """Refuse (exit 2) a parameter the named query does not declare, listing those it does.

    Examples
    --------
    >>> q = NamedQuery("q", "?", "", (Parameter("state1", "state", "a state"),))
    >>> try:
    ...     check_param_names(q, ["state3"])
    ... except QueryError as exc:
    ...     print(exc)
    q has no parameter 'state3'; its parameters: state1 (state: a state)
    """
    declared = {p.name: p for p in query.params}
    for name in names:
        if name in declared:
            continue
        listed = "; ".join(f"{p.name} ({p.kind}: {p.help})" for p in query.params)
        if not listed:
            raise QueryError(f"{query.name} takes no parameters (got {name!r})")
        raise QueryError(f"{query.name} has no parameter {name!r}; its parameters: {listed}")


_LOOKUP = """SELECT DISTINCT ?e ?iso WHERE {
  { ?e <https://w3id.org/defense-kg/ontology#iso3> ?name }
  UNION { ?e <http://www.w3.org/2000/01/rdf-schema#label> ?name }
  UNION { ?e <http://www.w3.org/2004/02/skos/core#altLabel> ?name }
  FILTER(LCASE(STR(?name)) = LCASE(?v))
  OPTIONAL { ?e <https://w3id.org/defense-kg/ontology#iso3> ?iso }
} ORDER BY ?e LIMIT 6"""
_ISO3_OF = "SELECT ?iso WHERE { ?e <https://w3id.org/defense-kg/ontology#iso3> ?iso } LIMIT 1"


def resolve_param(
    store: Path | Backend, param: Parameter, value: str, **limits: Any
) -> ox.NamedNode | ox.Literal:
    """The term a named query's parameter gets for ``value`` (see :class:`Parameter`).

    An entity is an IRI, a prefixed name, an ISO-3 code or a label or alias (any case); a
    state is an ISO-3 code or any of those for a state. The lookup is itself a sandboxed
    query with ``value`` bound as an escaped term. Nothing or several things found: exit 2.
    """
    from kg.format import shorten

    node = param_term(value)  # refuses what is no valid term, in one line
    if param.kind == "value":
        return node
    if isinstance(node, ox.NamedNode):
        if param.kind == "entity":
            return node
        found = run_query(store, _ISO3_OF, substitutions={"e": node}, **limits).rows
        if not found or found[0][0] is None:
            raise QueryError(f"--param {param.name}: {value} is no state with an ISO-3 code")
        return ox.Literal(found[0][0])
    rows = run_query(store, _LOOKUP, substitutions={"v": node}, **limits).rows
    if param.kind == "state":
        rows = tuple(r for r in rows if r[1] is not None)
    hits = sorted({r[0] for r in rows if r[0] is not None})
    if not hits:
        what = "state" if param.kind == "state" else "entity"
        raise QueryError(
            f"--param {param.name}: {value!r} names no {what} in the store "
            "(give an IRI, a prefixed name, an ISO-3 code or a label)"
        )
    if len(hits) > 1:
        listed = ", ".join(shorten(h) for h in hits[:5])
        raise QueryError(
            f"--param {param.name}: {value!r} names several entities, give one: {listed}"
        )
    if param.kind == "state":
        return ox.Literal(next(r[1] or "" for r in rows if r[0] == hits[0]))
    return ox.NamedNode(hits[0])


def named_params(
    store: Path | Backend, query: NamedQuery, items: Iterable[str], **limits: Any
) -> dict[str, ox.NamedNode | ox.Literal]:
    """``--param name=value`` of a named query: names checked, values resolved."""
    values = split_params(items)
    check_param_names(query, values)
    declared = {p.name: p for p in query.params}
    return {k: resolve_param(store, declared[k], v, **limits) for k, v in values.items()}


def expand_escaped_names(query: str) -> str:
    r"""Prefixed names with ``\``-escapes in their local part written as full ``<IRI>``s.

    The same query for every engine: Virtuoso 7.2 refuses the escapes (``dkgr:state\/KOR``,
    as ``kg query`` prints IRIs) that SPARQL 1.1 allows. A prefix is the text's own
    ``PREFIX`` declaration before the name, else the project's; names of other prefixes,
    relative namespaces and local parts with other characters than letters, digits and
    ``_-.~/%:#`` (rdflib reads no ``'`` in an IRI) stay as written.

    Examples
    --------
    >>> expand_escaped_names("SELECT * { dkgr:state\\/KOR ?p 'dkgr:a\\/b' }")
    "SELECT * { <https://w3id.org/defense-kg/id/state/KOR> ?p 'dkgr:a\\/b' }"
    """
    from kg.format import pn_unescape

    if "\\" not in query:
        return query
    declared: dict[str, str] = dict(PREFIXES)
    parts: list[str] = []
    last = 0
    pending: str | None = None
    for match in tokens(query):
        kind, token, start = match.lastgroup, match.group(0), match.start()
        gap = query[last:start]
        if kind == "iri" and pending is not None and not gap.strip():
            declared[pending] = token[1:-1]
        pending = None
        parts.append(gap)
        prefix, _, local = token.partition(":")
        if kind == "pname" and not local and re.search(r"(?i)\bPREFIX\s*$", gap):
            pending = prefix
        namespace = declared.get(prefix) if kind == "pname" and "\\" in local else None
        plain = pn_unescape(local)
        if (
            namespace is not None
            and re.match(r"^[A-Za-z][\w+.-]*:", namespace)
            and re.fullmatch(r"[\w\-.~/%:#]+", plain)  # what every parser reads in an <IRI>
        ):
            token = f"<{namespace}{plain}>"
        parts.append(token)
        last = match.end()
    parts.append(query[last:])
    return "".join(parts)


def query_variables(query: str) -> set[str]:
    """The names of the variables written in ``query`` (outside strings and comments).

    Examples
    --------
    >>> sorted(query_variables("SELECT ?s { ?s ?p $o FILTER(?p != '?q') } # ?c"))
    ['o', 'p', 's']
    """
    return {m.group(0)[1:] for m in tokens(query) if m.lastgroup == "var"}


# --- running ------------------------------------------------------------------------------


def term_json(term: Any) -> dict[str, str] | None:
    """A term as a SPARQL 1.1 Query Results JSON object.

    Examples
    --------
    >>> term_json(ox.Literal("2021-01-30", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")))
    {'type': 'literal', 'value': '2021-01-30', 'datatype': 'http://www.w3.org/2001/XMLSchema#date'}
    >>> term_json(ox.Literal("Tokyo", language="en"))
    {'type': 'literal', 'value': 'Tokyo', 'xml:lang': 'en'}
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    return {"type": "triple", "value": str(term)}


def run_on_backend(
    store: Backend,
    query: str,
    substitutions: dict[str, ox.NamedNode | ox.Literal] | None = None,
    timeout: float | None = None,
) -> Table:
    """Run an already checked query on any backend and collect the results in a :class:`Table`."""
    if substitutions:
        query = bind_with_values(query, substitutions)
    try:
        result = store.query(query, prefixes=dict(PREFIXES), timeout=timeout)
        if isinstance(result, ox.QueryBoolean):
            return Table("ask", (), (), boolean=bool(result))
        if isinstance(result, ox.QuerySolutions):
            columns = tuple(v.value for v in result.variables)
            terms = tuple(tuple(term_json(s[c]) for c in columns) for s in result)
            rows = tuple(tuple(None if t is None else t["value"] for t in row) for row in terms)
            return Table("select", columns, rows, terms=terms)
        triples = sorted({(t.subject, t.predicate, t.object) for t in result}, key=str)
        return Table("graph", (), (), triples=tuple(triples))
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None


def run_on_store(
    store: ox.Store | Backend,
    query: str,
    substitutions: Mapping[str, str | ox.NamedNode | ox.Literal] | None = None,
) -> Table:
    """Run a query on a pyoxigraph store or a backend, without a time limit."""
    subs = {k: param_term(v) if isinstance(v, str) else v for k, v in (substitutions or {}).items()}
    if isinstance(store, ox.Store):
        store = Store(path=Path("<memory>"), inner=store, read_only=True)
    return run_on_backend(store, query, subs or None)


def _run_in_child(
    path: str | None, text: str, update: bool, subs: dict[str, Any] | None = None
) -> Table | str | tuple[str | None, bool]:
    """The sandboxed child's work: bind ``subs``, check the text, run it on the store at ``path``.

    With ``path`` None only the binding and the check run, and the checked text is returned
    for the endpoint: the text that is checked is the text that runs. The store is opened
    here, with its locks: a query waits for a running build, an update for readers. An
    update returns ``(text for the endpoint or None, whether it writes a named graph)``.
    """
    from kg.store import open_store

    text = expand_escaped_names(safety.prepare(text))
    variables = query_variables(text) if subs else set()
    if subs:
        text = bind_with_values(text, subs)
    text, parsed = safety.checked(text, update=update)
    unknown = sorted(set(subs or ()) - variables)
    if unknown:
        listed = ", ".join("?" + v for v in sorted(variables)) or "none"
        raise QueryError(f"--param {unknown[0]}: the query has no variable ?{unknown[0]} "
                         f"(its variables: {listed})")  # fmt: skip
    final = safety.check(with_resync(text), update=True) if update else text
    named = update and safety.writes_named_graph(parsed)
    if path is None:
        return (final, named) if update else final
    what = "update" if update else "query"
    try:
        store = open_store(Path(path), read_only=not update)
        try:
            if update:
                store.update(final)
                return None, named
            return run_on_backend(store, final)
        finally:
            store.close()
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None
    except StoreError as exc:
        raise QueryError(str(exc), exit_code=exc.exit_code) from None
    except OSError as exc:
        raise QueryError(f"{what} failed: {one_line(exc)[:300]}", exit_code=1) from None


def _limits(timeout: float, max_memory: int | None) -> Limits:
    return Limits(timeout, default_max_memory() if max_memory is None else max_memory)


def run_query(
    store: Path | Backend,
    query: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    substitutions: Mapping[str, str | ox.NamedNode | ox.Literal] | None = None,
    max_memory: int | None = None,
) -> Table:
    """Check and run ``query`` on a store directory or an endpoint within the limits.

    ``timeout`` (seconds) and ``max_memory`` (bytes; default :func:`default_max_memory`)
    bound the parsing, the check and the run. Parameters are bound as escaped terms in a
    ``VALUES`` block before the check, so the checked text is the text that runs.
    """
    subs = {k: param_term(v) if isinstance(v, str) else v for k, v in (substitutions or {}).items()}
    limits = _limits(timeout, max_memory)
    where = str(store) if isinstance(store, Path) else None
    result = run_limited(_run_in_child, (where, query, False, subs), limits=limits, what="query")
    assert not isinstance(result, tuple)
    if isinstance(result, Table):
        return result
    assert isinstance(result, str) and not isinstance(store, Path)
    return run_on_backend(store, result, timeout=timeout)  # the request's own deadline


def run_update(
    store: Path | Backend,
    update: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_memory: int | None = None,
) -> bool:
    """Check and run a SPARQL Update within the limits (when stopped, the store is unchanged).

    Returns whether the update names a named graph it writes to: False means it changed at
    most the default graph, which is the union of the named graphs and recomputed, so
    nothing of it was kept (``kg update`` warns).
    """
    limits = _limits(timeout, max_memory)
    where = str(store) if isinstance(store, Path) else None
    outcome = run_limited(_run_in_child, (where, update, True), limits=limits, what="update")
    assert isinstance(outcome, tuple)
    final, named = outcome
    if isinstance(store, Path):
        return bool(named)
    assert isinstance(final, str)
    try:
        store.update(final, timeout=timeout)
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None
    return bool(named)
