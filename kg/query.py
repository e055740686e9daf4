"""SPARQL over the store: safety checks, named queries, parameters, time limits, result tables.

User SPARQL never reaches the network: ``SERVICE`` and ``LOAD`` are refused, and so are
``FROM``/``FROM NAMED``/``GRAPH``/``USING``/``WITH``/``INTO``/``TO`` references to IRIs outside
this project's graphs, before anything runs. The check reads the query's tokens (after
SPARQL's ``\\u`` escapes are decoded), so keywords inside strings, comments, IRIs, variable
names and prefixed names do not count, and any case or whitespace does.

``kg query`` is read-only; ``kg update`` runs SPARQL Update. On the embedded store both run in
a child process that is killed at the time limit (an interrupted update is an uncommitted
transaction, so the store is unchanged); on an endpoint the HTTP request is abandoned.
"""

from __future__ import annotations

import multiprocessing as mp
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.store import Backend, Store, StoreError, one_line, with_resync
from kg.vocab import PREFIXES

LOCAL_IRI_PREFIX = "https://w3id.org/defense-kg/"
DEFAULT_TIMEOUT = 30.0
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


class QueryError(ValueError):
    """A refused, malformed or failed query (the message is one line).

    ``exit_code`` is 2 for refused or malformed input, 1 for a failure while running.
    """

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    question: str
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """Query results.

    ``rows`` holds plain strings (None for unbound); ``terms`` holds the same cells as SPARQL
    1.1 Query Results JSON terms (``{"type": "uri"|"literal"|"bnode", "value": ...}`` with
    ``datatype`` or ``xml:lang``), for typed output.
    """

    kind: str  # select | ask | graph
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None
    turtle: str | None = None
    terms: tuple[tuple[dict[str, str] | None, ...], ...] = field(default=())


# --- lexical analysis -----------------------------------------------------------------------

_UNICODE_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

_TOKENS = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\s]*>)
      |(?P<str>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
      |(?P<comment>\#[^\n\r]*)
      |(?P<var>[?$][A-Za-z0-9_\u00B7\u00C0-\uFFFF]+)
      |(?P<pname>(?:[A-Za-z\u00C0-\uFFFF][\w.\-\u00B7\u00C0-\uFFFF]*)?:(?:[\w\-\u00B7\u00C0-\uFFFF%\\.:]*[\w\-\u00B7\u00C0-\uFFFF%:])?)
      |(?P<bnode>_:[\w.\-]+)
      |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)""",
    re.DOTALL | re.VERBOSE,
)


def decode_escapes(query: str) -> str:
    r"""Decode SPARQL's ``\uXXXX``/``\UXXXXXXXX`` escapes, as the parser does before parsing.

    Examples
    --------
    >>> decode_escapes("\\u0053ERVICE")
    'SERVICE'
    """
    return _UNICODE_ESCAPE.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), query)


@dataclass(frozen=True, slots=True)
class Masked:
    """A query with IRIs, prefixed names, strings, comments and variables blanked out.

    Blanked tokens keep their length (so positions still match the query) and are replaced
    by ``<`` + spaces + ``>`` for IRIs, ``:`` + spaces for prefixed names and spaces for the
    rest. ``iris`` maps the start offset of each IRI or prefixed name to its text.
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
    for match in _TOKENS.finditer(query):
        start, end = match.span()
        parts.append(query[last:start])
        token = match.group(0)
        kind = match.lastgroup
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


def _declared_prefixes(query: str, masked: Masked) -> tuple[dict[str, str], str | None]:
    prefixes = dict(PREFIXES)
    base: str | None = None
    for m in re.finditer(r"(?i)\b(PREFIX|BASE)\b", masked.text):
        rest = sorted(k for k in masked.iris if k >= m.end())
        if m.group(1).upper() == "BASE":
            if rest and masked.text[m.end() : rest[0]].strip() == "":
                base = masked.iris[rest[0]]
            continue
        if len(rest) >= 2 and masked.text[m.end() : rest[0]].strip() == "":
            prefixes[masked.iris[rest[0]].rstrip(":")] = masked.iris[rest[1]]
    return prefixes, base


def _resolve(reference: str, is_iri: bool, prefixes: dict[str, str], base: str | None) -> str:
    if is_iri:
        return urllib.parse.urljoin(base, reference) if base else reference
    prefix, _, local = reference.partition(":")
    namespace = prefixes.get(prefix)
    return namespace + local if namespace is not None else reference


def local_iri(iri: str) -> bool:
    """True for this project's IRIs and relative references (which stay in the store).

    Examples
    --------
    >>> local_iri("https://w3id.org/defense-kg/graph/seed"), local_iri("http://example.org/g")
    (True, False)
    """
    return iri.startswith(LOCAL_IRI_PREFIX) or not re.match(r"^[a-zA-Z][\w+.-]*:", iri)


_KEYWORD = r"(?<![\w:?$@\-]){}(?![\w:\-])"
_GRAPH_REFERENCE = re.compile(
    r"(?<![\w:?$@\-])(FROM(?:\s+NAMED)?|GRAPH|USING(?:\s+NAMED)?|INTO|WITH|TO)\s*([<:])",
    re.IGNORECASE,
)


def check_query_safety(query: str) -> None:
    """Refuse SERVICE, LOAD and remote FROM/FROM NAMED/GRAPH before anything runs.

    Examples
    --------
    >>> check_query_safety("SELECT * { ?s ?p 'SERVICE <http://x>' }")
    >>> try:
    ...     check_query_safety("select * { service <http://example.org/sparql> { ?s ?p ?o } }")
    ... except QueryError as exc:
    ...     print(exc)
    refused: SERVICE would reach the network; queries run on the local store only
    """
    text = decode_escapes(query)
    masked = mask(text)
    for keyword in ("SERVICE", "LOAD"):
        if re.search(_KEYWORD.format(keyword), masked.text, re.IGNORECASE):
            raise QueryError(
                f"refused: {keyword} would reach the network; queries run on the local store only"
            )
    prefixes, base = _declared_prefixes(text, masked)
    if base is not None and not local_iri(base):
        raise QueryError(f"refused: BASE <{base}> is not an IRI of this store")
    for m in _GRAPH_REFERENCE.finditer(masked.text):
        start = m.start(2)
        reference = masked.iris.get(start)
        if reference is None:
            continue
        iri = _resolve(reference, m.group(2) == "<", prefixes, base)
        if not local_iri(iri):
            keyword = " ".join(m.group(1).upper().split())
            raise QueryError(f"refused: {keyword} <{iri}> is not a graph of this store")


def parse_error(exc: BaseException) -> str:
    """The parser's message as one line that names the line and column.

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


def _syntax_error(text: str, *, update: bool) -> SyntaxError | None:
    """The parser's error for ``text`` as a query (or an update), None when it parses."""
    try:
        if update:
            ox.Store().update(text, prefixes=dict(PREFIXES))
        else:
            ox.Store().query(text, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        return exc
    except (OSError, ValueError, RuntimeError, TypeError):
        pass
    return None


def check_query(query: str) -> None:
    """Everything ``kg query`` checks before running: safety, read-only, syntax."""
    check_query_safety(query)
    error = _syntax_error(query, update=False)
    if error is None:
        return
    if _syntax_error(query, update=True) is None:
        raise QueryError("refused: 'kg query' is read-only; use 'kg update' to change data")
    raise QueryError(parse_error(error))


def check_update(update: str) -> None:
    """Everything ``kg update`` checks before running: safety and syntax."""
    check_query_safety(update)
    error = _syntax_error(update, update=True)
    if error is None:
        return
    if _syntax_error(update, update=False) is None:
        raise QueryError("refused: 'kg update' runs SPARQL Update; use 'kg query' to read")
    raise QueryError(parse_error(error))


# kept for callers of the first version
check_read_only = check_query


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
        found[name] = NamedQuery(name, question, text)
    return found


# --- parameters -----------------------------------------------------------------------------


def param_term(value: str) -> ox.NamedNode | ox.Literal:
    """A ``--param`` value: an IRI when it is one (``<...>`` or ``http(s)://...``), else a string.

    Examples
    --------
    >>> param_term("JPN"), param_term("<https://w3id.org/defense-kg/id/state/JPN>").value
    (<Literal value=JPN datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#string>>, 'https://w3id.org/defense-kg/id/state/JPN')
    """
    try:
        if value.startswith("<") and value.endswith(">"):
            return ox.NamedNode(value[1:-1])
        if re.match(r"^https?://\S+$", value):
            return ox.NamedNode(value)
    except ValueError as exc:
        raise QueryError(f"--param value {value!r} is not a valid IRI ({one_line(exc)})") from None
    return ox.Literal(value)


def parse_params(items: Iterable[str]) -> dict[str, ox.NamedNode | ox.Literal]:
    """``name=value`` strings -> variable name -> term."""
    out: dict[str, ox.NamedNode | ox.Literal] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lstrip("?$")
        if not sep or not re.fullmatch(r"\w+", key):
            raise QueryError(f"--param must be name=value, got {item!r}")
        out[key] = param_term(value)
    return out


def bind_with_values(query: str, substitutions: dict[str, ox.NamedNode | ox.Literal]) -> str:
    """Bind variables for an endpoint: a ``VALUES`` block of escaped terms opening the WHERE.

    Terms are written in N-Triples syntax by pyoxigraph (quotes and backslashes escaped), so
    a value can never change the query's structure.

    Examples
    --------
    >>> bind_with_values("SELECT ?x WHERE { ?x ?p ?y }", {"y": ox.Literal('a" } DROP ALL')})
    'SELECT ?x WHERE { VALUES (?y) { ("a\\\\" } DROP ALL") } ?x ?p ?y }'
    """
    masked = mask(decode_escapes(query)).text
    if len(masked) != len(query):  # escapes shortened the text: work on the decoded query
        query = decode_escapes(query)
    m = re.search(r"(?i)\bWHERE\s*\{", masked)
    if m is None:
        m = re.search(r"(?i)\b(SELECT|ASK|DESCRIBE)\b[^{]*\{", masked)
    if m is None:
        raise QueryError("cannot bind parameters: no WHERE clause")
    names = list(substitutions)
    values = " ".join(str(substitutions[n]) for n in names)
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ ({values}) }}"
    return query[: m.end()] + block + query[m.end() :]


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
    from kg.format import turtle_bytes

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
        triples = {(t.subject, t.predicate, t.object) for t in result}
        return Table("graph", (), (), turtle=turtle_bytes(triples).decode("utf-8"))
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None


def run_on_store(
    store: ox.Store | Backend,
    query: str,
    substitutions: dict[str, str] | dict[str, ox.NamedNode | ox.Literal] | None = None,
) -> Table:
    """Run a query on a pyoxigraph store or a backend, without a time limit."""
    subs = {k: param_term(v) if isinstance(v, str) else v for k, v in (substitutions or {}).items()}
    if isinstance(store, ox.Store):
        store = Store(path=Path("<memory>"), inner=store, read_only=True)
    return run_on_backend(store, query, subs or None)


def _child(path: str, text: str, subs: Any, update: bool, conn: Any) -> None:
    try:
        if update:
            store = ox.Store(path)
            store.update(with_resync(text), prefixes=dict(PREFIXES))
            store.flush()
            conn.send(("ok", None))
        else:
            backend = Store(path=Path(path), inner=ox.Store.read_only(path), read_only=True)
            conn.send(("ok", run_on_backend(backend, text, subs)))
    except QueryError as exc:
        conn.send(("error", str(exc)))
    except SyntaxError as exc:
        conn.send(("error", parse_error(exc)))
    except Exception as exc:  # noqa: BLE001 - any failure in the child becomes one line
        message = one_line(exc)
        if "lock" in message.lower():
            message = f"{path}: the store is in use by another writer"
        conn.send(("failed", f"{'update' if update else 'query'} failed: {message[:300]}"))


def _in_child(path: Path, text: str, subs: Any, update: bool, timeout: float) -> Table | None:
    # spawn, not fork: a forked child inherits RocksDB's global state (background thread pools
    # that do not exist in the child) from a parent that opened a store, and can hang
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(str(path), text, subs, update, child), daemon=True)
    process.start()
    child.close()
    try:
        ready = parent.poll(timeout)
        if ready:
            try:
                status, payload = parent.recv()
            except EOFError:
                status, payload = "failed", "the query process died"
    finally:
        if process.is_alive() and not ready:
            process.kill()
        process.join()
    if not ready:
        what = "update" if update else "query"
        raise QueryError(
            f"{what} stopped after the {timeout:g} s time limit (--timeout)", exit_code=1
        )
    if status == "error":
        raise QueryError(payload)
    if status == "failed":
        raise QueryError(payload, exit_code=1)
    return payload


def run_query(
    store: Path | Backend,
    query: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    substitutions: dict[str, str] | dict[str, ox.NamedNode | ox.Literal] | None = None,
    read_only: bool = True,
) -> Table:
    """Check and run ``query`` on a store directory or an endpoint within ``timeout`` seconds."""
    check_query(query)
    subs = {k: param_term(v) if isinstance(v, str) else v for k, v in (substitutions or {}).items()}
    if isinstance(store, Path):
        text = bind_with_values(query, subs) if subs else query
        table = _in_child(store, text, None, False, timeout)
        assert table is not None
        return table
    try:
        return run_on_backend(store, query, subs or None, timeout=timeout)
    except StoreError as exc:
        from kg.endpoint import EndpointTimeout

        if isinstance(exc, EndpointTimeout):
            raise QueryError(
                f"query stopped after the {timeout:g} s time limit (--timeout)", exit_code=1
            ) from None
        raise


def run_update(store: Path | Backend, update: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Check and run a SPARQL Update; killed at ``timeout`` (the store is then unchanged)."""
    check_update(update)
    if isinstance(store, Path):
        _in_child(store, update, None, True, timeout)
        return
    try:
        store.update(with_resync(update), timeout=timeout)
    except SyntaxError as exc:
        raise QueryError(parse_error(exc)) from None
