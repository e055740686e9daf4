"""Commands for analysts: query, update, export, list, remove, load, stats.

Each is a thin wrapper over :mod:`kg.query`, :mod:`kg.export` and :mod:`kg.store`; every one
takes ``--store DIR`` (the embedded store) or ``--endpoint URL`` / ``$KG_ENDPOINT`` (a remote
SPARQL 1.1 endpoint). Results go to stdout, messages to stderr, failures are one line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from kg.cli_errors import KgStoreError, KgUsageError
from kg.cli_options import ENDPOINT_OPTION, STORE_OPTION
from kg.store import default_store_path

TABLE_FORMATS = ["table", "csv", "tsv", "json", "markdown"]
EXPORT_FORMATS = [
    "turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml",
    "entities", "events", "dyads", "graphml", "gexf",
]  # fmt: skip


def _finite_seconds(_ctx: click.Context, _param: click.Parameter, value: float) -> float:
    if not value < 7 * 24 * 3600:  # also refuses nan
        raise click.BadParameter("must be a number of seconds below a week")
    return value


TIMEOUT_OPTION = click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    default=30.0,
    show_default=True,
    callback=_finite_seconds,
    help="Seconds before the query or update is stopped.",
)
MAX_MEMORY_OPTION = click.option(
    "--max-memory",
    "max_memory",
    default=None,
    metavar="SIZE",
    help="Memory cap of the query process, e.g. 512M or 2G "
    "(default: $KG_MAX_MEMORY, else a quarter of RAM, at most 4G).",
)


def _memory(text: str | None) -> int | None:
    from kg.query import QueryError
    from kg.sparql.sandbox import parse_size

    if text is None:
        return None
    try:
        return parse_size(text)
    except QueryError as exc:
        raise KgUsageError(f"--max-memory: {exc}") from None


def _target(store_path: Path | None, endpoint: str | None) -> Any:
    """The store directory (checked, not opened: the query runs in a child) or the endpoint."""
    from kg.store import _check_dir, check_intact, connect

    if endpoint:
        return connect(endpoint=endpoint, read_only=False)
    path = store_path or default_store_path()
    _check_dir(path, create=False)
    check_intact(path, probe=False)  # the child's own open reports the rest of any damage
    return path


def _read_text(sparql: str | None, query_file: Path | None, what: str) -> str:
    if query_file:
        try:
            return query_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise KgUsageError(f"{query_file}: cannot read ({reason})") from None
    if sparql:
        return sparql
    raise KgUsageError(f"give a {what}, -f FILE" + (" or --name NAME" if what == "query" else ""))


@click.command()
@click.argument("sparql", required=False)
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path))
@click.option("--name", default=None, help="Run a named query (see --list).")
@click.option(
    "--list", "list_queries", is_flag=True, help="List the named queries and their questions."
)
@click.option("--param", multiple=True, help="Bind a variable: name=value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table")
@TIMEOUT_OPTION
@MAX_MEMORY_OPTION
def query(sparql: str | None, store_path: Path | None, endpoint: str | None,
          query_file: Path | None, name: str | None, list_queries: bool,
          param: tuple[str, ...], fmt: str, timeout: float,
          max_memory: str | None) -> None:  # fmt: skip
    """Run a read-only SPARQL query: SELECT as a table, ASK as true/false (exit 0/1),
    CONSTRUCT and DESCRIBE as Turtle."""
    from kg.format import render_table
    from kg.query import named_queries, parse_params, run_query

    queries = named_queries()
    if list_queries:
        for q in queries.values():
            click.echo(f"{q.name}\t{q.question}")
        return
    if name:
        if name not in queries:
            raise KgUsageError(f"no named query {name!r}; see 'kg query --list'")
        text = queries[name].text
    else:
        text = _read_text(sparql, query_file, "query")
    bindings = parse_params(param)
    table = run_query(
        _target(store_path, endpoint),
        text,
        timeout=timeout,
        substitutions=bindings or None,
        max_memory=_memory(max_memory),
    )
    if table.kind == "ask":
        click.echo("true" if table.boolean else "false")
        click.get_current_context().exit(0 if table.boolean else 1)
    if table.kind == "graph":
        click.echo(table.turtle, nl=False)
        return
    click.echo(render_table(table, fmt), nl=False)


@click.command()
@click.argument("sparql", required=False)
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("-f", "--file", "update_file", type=click.Path(path_type=Path))
@TIMEOUT_OPTION
@MAX_MEMORY_OPTION
def update(sparql: str | None, store_path: Path | None, endpoint: str | None,
           update_file: Path | None, timeout: float,
           max_memory: str | None) -> None:  # fmt: skip
    """Change data with SPARQL Update (the deliberate way; 'kg query' is read-only)."""
    from kg.query import run_update

    text = _read_text(sparql, update_file, "update")
    target = _target(store_path, endpoint)
    run_update(target, text, timeout=timeout, max_memory=_memory(max_memory))
    where = target if isinstance(target, Path) else target.describe()
    click.echo(f"Updated {where}", err=True)


@click.command()
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=click.Choice(EXPORT_FORMATS), required=True)
@click.option("--article", default=None, help="Only this article's graph (RDF and graph formats).")
@click.option("--with-ontology", is_flag=True, help="Put the ontology and code lists in the file.")
@click.option("--inferred", is_flag=True, help="Add RDFS entailments (subclasses, subproperties).")
@click.option(
    "--view",
    default="full",
    show_default=True,
    help="Network view for graphml/gexf: full, states, officials, article:ID, ego:ENTITY.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def export(store_path: Path | None, endpoint: str | None, fmt: str, article: str | None,
           with_ontology: bool, inferred: bool, view: str,
           output: Path | None) -> None:  # fmt: skip
    """Export the store: RDF, JSON Lines tables (entities, events), dyad-year CSV (dyads), or a
    network view as GraphML/GEXF."""
    from kg import export as ex
    from kg.build import write_atomic
    from kg.store import opened

    if article and fmt in ("entities", "events", "dyads"):
        raise KgUsageError(f"--article applies to RDF and graph formats, not {fmt}")
    if (with_ontology or inferred) and fmt not in ex.RDF_FORMATS:
        raise KgUsageError(f"--with-ontology and --inferred apply to RDF formats, not {fmt}")
    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        if fmt == "entities":
            data = ex.json_lines(ex.entities(store)).encode("utf-8")
        elif fmt == "events":
            data = ex.json_lines(ex.events(store)).encode("utf-8")
        elif fmt == "dyads":
            data = ex.dyads_csv(store).encode("utf-8")
        elif fmt in ex.GRAPH_FORMATS:
            data = ex.network_document(store, fmt, f"article:{article}" if article else view)
        else:
            data = ex.rdf_export(
                store, fmt, article, with_ontology=with_ontology, inferred=inferred
            )
    if output:
        write_atomic(output, data)
        return
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        raise KgStoreError(f"stdout: cannot write ({exc.strerror or exc})") from None


@click.command("list")
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table")
def list_articles(store_path: Path | None, endpoint: str | None, fmt: str) -> None:
    """List the articles (and loaded files) in the store with title, date and triple count."""
    from kg.format import render_table
    from kg.query import Table
    from kg.store import list_graphs, opened

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        graphs = list_graphs(store)
    table = Table(
        "select",
        ("article", "kind", "published", "triples", "title"),
        tuple((g.name, g.kind, g.published, str(g.triples), g.title) for g in graphs),
    )
    click.echo(render_table(table, fmt), nl=False)


@click.command()
@click.argument("article_id")
@STORE_OPTION
@ENDPOINT_OPTION
def remove(article_id: str, store_path: Path | None, endpoint: str | None) -> None:
    """Remove one article's graph; entities no other article mentions go with it."""
    from kg.graphname import graph_iri
    from kg.store import opened, remove_article

    graph_iri(article_id)  # a name that is no graph IRI is refused before the store opens
    with opened(store_path, endpoint=endpoint) as store:
        triples = remove_article(store, article_id)
    click.echo(f"Removed {article_id} ({triples} triples)", err=True)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@STORE_OPTION
@ENDPOINT_OPTION
@click.option(
    "--graph",
    "graph_name",
    default=None,
    help="Graph name (default: the file name's stem, characters other than letters, digits and "
    "-._~ percent-encoded).",
)
def load(file: Path, store_path: Path | None, endpoint: str | None, graph_name: str | None) -> None:
    """Add an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) as its own graph
    https://w3id.org/defense-kg/graph/<name>, replacing a graph of that name."""
    from kg.graphname import file_graph_name, graph_iri
    from kg.store import load_triples, opened, parse_rdf_file

    name = file_graph_name(file.stem) if graph_name is None else graph_name
    target = graph_iri(name)
    parsed = parse_rdf_file(file)  # malformed input fails before the store is opened
    with opened(store_path, endpoint=endpoint, create=True) as store:
        graph, triples = load_triples(store, target, parsed)
    click.echo(f"Loaded {file} into <{graph}> ({triples} triples)", err=True)


@click.command()
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def stats(store_path: Path | None, endpoint: str | None, fmt: str) -> None:
    """Counts: triples, articles, instances by class, date range, states, dyads."""
    from kg.export import stats as compute
    from kg.store import opened

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        numbers = compute(store)
    if fmt == "json":
        click.echo(json.dumps(numbers, ensure_ascii=False, indent=1))
        return
    for key, value in numbers.items():
        if key == "classes":
            for cls, n in value.items():
                click.echo(f"  {cls:<18} {n}")
            continue
        click.echo(f"{key:<20} {'' if value is None else value}")
        if key == "loaded graphs":
            click.echo("instances by class:")
