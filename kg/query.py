"""SPARQL over the store: named queries, parameters, limited runs, result tables.

User SPARQL never reaches the network. Each query or update is parsed and refused, on the
parsed form, when it holds ``SERVICE`` or ``LOAD`` or names a graph outside this project
(:mod:`kg.sparql.safety`); nothing is evaluated to decide. A query of the local, read-only
sub-grammar (:mod:`kg.sparql.subset`: no ``SERVICE``, ``GRAPH``, ``FROM``, no update) is
proved safe by a fast parser in this process when it is short (:data:`FAST_TEXT`); every
other text is parsed by rdflib's SPARQL parser and walked, in a sandboxed child
(:mod:`kg.sparql.sandbox`: time and memory limits, no network where the OS allows a private
network namespace, killed with its parent).

``kg query`` is read-only; ``kg update`` runs SPARQL Update. The checked text then runs on
the backend with what is left of the time limit, and each backend enforces it itself
(:class:`kg.store.Backend`): the embedded store runs it in a sandboxed child killed at the
limit (an interrupted update is an uncommitted transaction, so the store is unchanged), an
endpoint abandons the HTTP request at the deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import one_line
from kg.iris import PREFIXES
from kg.results import Table as Table
from kg.sparql import safety
from kg.sparql.lexer import tokens
from kg.sparql.safety import LOCAL_IRI_PREFIX, QueryError, local_iri
from kg.sparql.sandbox import Limits, default_max_memory, run_limited
from kg.sparql.text import bind_with_values as bind_with_values
from kg.store import Backend, Store, with_resync

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

    Decided on the parsed text (:mod:`kg.sparql.safety`), in this process: commands run the
    complete check inside the sandbox's limits; call it directly only on text you trust not
    to be huge.

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
    from importlib import resources

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
    store: Backend, param: Parameter, value: str, **limits: Any
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
    store: Backend, query: NamedQuery, items: Iterable[str], **limits: Any
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
    max_memory: int | None = None,
) -> Table:
    """Run an already checked query on any backend and collect the results in a :class:`Table`
    (with ``timeout``, the backend's own time limit applies: :class:`kg.store.Backend`)."""
    if substitutions:
        query = bind_with_values(query, substitutions)
    try:
        result = store.query(query, prefixes=dict(PREFIXES), timeout=timeout, max_memory=max_memory)
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


#: Texts up to this many characters are first tried in this process with the fast parser
#: (:mod:`kg.sparql.subset`, linear in the text: well under the shortest time limit a user
#: would set); longer texts and those it does not accept are checked in a sandboxed child.
FAST_TEXT = 64 * 1024


def _prepared(
    text: str, update: bool, subs: dict[str, Any] | None, fast_only: bool = False
) -> tuple[str, bool] | None:
    """Bind ``subs``, check the text; the text to run and whether an update writes a named
    graph. The text that is checked is the text that runs.

    ``fast_only``: only the fast parser decides, and None means it could not (the complete
    check, rdflib's, must run, in a sandboxed child: :func:`_checked`).
    """
    text = expand_escaped_names(safety.prepare(text))
    variables = query_variables(text) if subs else set()
    if subs:
        text = bind_with_values(text, subs)
    parsed: Any = None
    if fast_only:
        local = None if update else safety.local(text)
        if local is None:
            return None
        text = local
    else:
        text, parsed = safety.checked(text, update=update)
    unknown = sorted(set(subs or ()) - variables)
    if unknown:
        listed = ", ".join("?" + v for v in sorted(variables)) or "none"
        raise QueryError(f"--param {unknown[0]}: the query has no variable ?{unknown[0]} "
                         f"(its variables: {listed})")  # fmt: skip
    if not update:
        return text, False
    return safety.check(with_resync(text), update=True), safety.writes_named_graph(parsed)


def _checked(
    text: str, update: bool, subs: dict[str, Any] | None, limits: Limits
) -> tuple[str, bool, bool]:
    """:func:`_prepared` within ``limits``: the text to run, whether it writes a named graph,
    and whether the fast parser decided."""
    if len(text) <= FAST_TEXT:
        fast = _prepared(text, update, subs, fast_only=True)
        if fast is not None:
            return fast[0], fast[1], True
    what = "update" if update else "query"
    checked = run_limited(_prepared, (text, update, subs), limits=limits, what=what)
    assert checked is not None
    return checked[0], checked[1], False


def _complete_check(text: str) -> None:
    safety.parse(text, update=False)


def _limits(timeout: float, max_memory: int | None) -> Limits:
    return Limits(timeout, default_max_memory() if max_memory is None else max_memory)


def run_query(
    store: Backend,
    query: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    substitutions: Mapping[str, str | ox.NamedNode | ox.Literal] | None = None,
    max_memory: int | None = None,
) -> Table:
    """Check and run ``query`` on a backend within the limits.

    ``timeout`` (seconds) and ``max_memory`` (bytes; default :func:`default_max_memory`)
    bound the complete check (when it runs, in its own child) and the run, each; the backend
    enforces them on the run (:class:`kg.store.Backend`). Parameters are bound as escaped
    terms in a ``VALUES`` block before the check, so the checked text is the text that runs.
    """
    subs = {k: param_term(v) if isinstance(v, str) else v for k, v in (substitutions or {}).items()}
    limits = _limits(timeout, max_memory)
    text, _, fast = _checked(query, False, subs or None, limits)
    try:
        return run_on_backend(store, text, timeout=timeout, max_memory=limits.max_memory)
    except QueryError as error:
        if fast and str(error).startswith("malformed SPARQL"):  # the fast parser let it
            run_limited(_complete_check, (text,), limits=limits, what="query")  # through:
        raise  # the message of rdflib's parser, as any other malformed query gets


def run_update(
    store: Backend,
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
    final, named, _ = _checked(update, True, None, limits)
    try:
        store.update(final, timeout=timeout, max_memory=limits.max_memory)
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None
    return named
