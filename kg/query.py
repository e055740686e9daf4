"""SPARQL over the store: safety checks, named queries, result tables.

User SPARQL never reaches the network: ``SERVICE`` and ``LOAD`` are refused, and so are
``FROM``/``FROM NAMED``/``GRAPH`` references to IRIs outside this project's graphs, before
anything runs. Queries run in a child process that is killed at the time limit.
"""

from __future__ import annotations

import multiprocessing as mp
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import pyoxigraph as ox

from kg.vocab import PREFIXES

ONTOLOGY_GRAPH_PREFIX = "https://w3id.org/defense-kg/"
DEFAULT_TIMEOUT = 30.0


class QueryError(ValueError):
    """A refused, malformed or failed query (the message is one line)."""


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    question: str
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    """Query results: variable names and rows of plain strings (None for unbound)."""

    kind: str  # select | ask | graph
    columns: tuple[str, ...]
    rows: tuple[tuple[str | None, ...], ...]
    boolean: bool | None = None
    turtle: str | None = None


# --- safety -------------------------------------------------------------------------------

_STRIP = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\s]*>)|(?P<str>'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")|(?P<comment>\#[^\n]*)""",
    re.DOTALL,
)


def _mask(query: str) -> tuple[str, list[str]]:
    """Replace IRIs by ``<IRIn>`` and drop strings and comments, so keywords can be found."""
    iris: list[str] = []

    def sub(match: re.Match[str]) -> str:
        if match.group("iri"):
            iris.append(match.group("iri")[1:-1])
            return f"<IRI{len(iris) - 1}>"
        if match.group("str"):
            return '""'
        return " "

    return _STRIP.sub(sub, query), iris


def _local_iri(iri: str) -> bool:
    return iri.startswith(ONTOLOGY_GRAPH_PREFIX) or not re.match(r"^[a-zA-Z][\w+.-]*:", iri)


def check_query_safety(query: str) -> None:
    """Refuse SERVICE, LOAD and remote FROM/FROM NAMED/GRAPH before anything runs."""
    masked, iris = _mask(query)
    for keyword in ("SERVICE", "LOAD"):
        if re.search(rf"\b{keyword}\b", masked, re.IGNORECASE):
            raise QueryError(
                f"refused: {keyword} would reach the network; queries run on the local store only"
            )
    for match in re.finditer(
        r"\b(FROM(?:\s+NAMED)?|GRAPH|USING(?:\s+NAMED)?|INTO|WITH)\s+<IRI(\d+)>",
        masked,
        re.IGNORECASE,
    ):
        iri = iris[int(match.group(2))]
        if not _local_iri(iri):
            raise QueryError(
                f"refused: {match.group(1).upper()} <{iri}> is not a graph of this store"
            )


def check_read_only(query: str) -> None:
    masked, _ = _mask(query)
    if re.search(
        r"\b(INSERT|DELETE|DROP|CLEAR|CREATE|ADD|MOVE|COPY)\b", masked, re.IGNORECASE
    ) and not re.search(
        r"^\s*(?:PREFIX\s+\S*\s*<IRI\d+>\s*|BASE\s+<IRI\d+>\s*)*(SELECT|ASK|CONSTRUCT|DESCRIBE)\b",
        masked,
        re.IGNORECASE,
    ):
        raise QueryError("refused: 'kg query' is read-only; use 'kg update' to change data")


def prefix_header() -> str:
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())


def parse_check(query: str) -> None:
    """Raise ``QueryError`` with the parser's line and column for malformed SPARQL."""
    try:
        ox.Store().query(query, prefixes=dict(PREFIXES))
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {' '.join(str(exc).split())}") from None
    except (OSError, ValueError, RuntimeError):
        pass


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


# --- running ------------------------------------------------------------------------------


def _term(term: object) -> str | None:
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return term.value
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def _param_term(value: str) -> ox.NamedNode | ox.Literal:
    """A ``--param`` value: an IRI when it is one (``<...>`` or ``http(s)://...``), else a string."""
    if value.startswith("<") and value.endswith(">"):
        return ox.NamedNode(value[1:-1])
    if re.match(r"^https?://\S+$", value):
        return ox.NamedNode(value)
    return ox.Literal(value)


def run_on_store(store: ox.Store, query: str, substitutions: dict[str, str] | None = None) -> Table:
    subs = {ox.Variable(k): _param_term(v) for k, v in (substitutions or {}).items()}
    try:
        result = store.query(
            query,
            use_default_graph_as_union=True,
            prefixes=dict(PREFIXES),
            substitutions=subs or None,
        )
    except SyntaxError as exc:
        raise QueryError(f"malformed SPARQL: {' '.join(str(exc).split())}") from None
    if isinstance(result, ox.QueryBoolean):
        return Table("ask", (), (), boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        columns = tuple(v.value for v in result.variables)
        rows = tuple(tuple(_term(solution[c]) for c in columns) for solution in result)
        return Table("select", columns, rows)
    data = ox.serialize(result, format=ox.RdfFormat.TURTLE, prefixes=dict(PREFIXES)) or b""
    return Table("graph", (), (), turtle=data.decode("utf-8"))


def _worker(path: str, query: str, subs: dict[str, str] | None, conn: object) -> None:
    try:
        store = ox.Store.read_only(path)
        conn.send(("ok", run_on_store(store, query, subs)))  # type: ignore[attr-defined]
    except QueryError as exc:
        conn.send(("error", str(exc)))  # type: ignore[attr-defined]
    except Exception as exc:  # noqa: BLE001 - any failure in the child becomes one line
        conn.send(("error", f"query failed: {' '.join(str(exc).split())}"))  # type: ignore[attr-defined]


def run_query(
    store_path: Path,
    query: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    substitutions: dict[str, str] | None = None,
    read_only: bool = True,
) -> Table:
    """Check and run ``query`` on the store at ``store_path`` within ``timeout`` seconds."""
    check_query_safety(query)
    if read_only:
        check_read_only(query)
    parse_check(query)
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(
        target=_worker, args=(str(store_path), query, substitutions, child), daemon=True
    )
    process.start()
    child.close()
    if not parent.poll(timeout):
        process.kill()
        process.join()
        raise QueryError(f"query stopped after the {timeout:g} s time limit")
    status, payload = parent.recv()
    process.join()
    if status == "error":
        raise QueryError(payload)
    return payload
