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

TABLE_FORMATS = ["table", "csv", "tsv", "json", "markdown"]
RDF_FORMATS = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml"]
EXPORT_FORMATS = [*RDF_FORMATS, "entities", "events", "dyads", "graphml", "gexf"]
#: SELECT and ASK results, then CONSTRUCT and DESCRIBE results.
QUERY_FORMATS = ["table", "tsv", "csv", "xml", "json", "markdown",
                 "turtle", "ntriples", "trig", "jsonld", "rdfxml"]  # fmt: skip
#: What a results format asks for when the query gives a graph.
_GRAPH_FORMAT = {"table": "turtle", "json": "jsonld", "xml": "rdfxml"}


class FormatChoice(click.ParamType[str, str]):
    """A format by its name, a short name (``ttl``, ``nt``, ``nq``) or a media type."""

    name = "format"

    def __init__(self, choices: list[str]) -> None:
        self.choices = choices

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "[" + "|".join(self.choices) + "]"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from kg.format import format_name

        found = format_name(str(value), self.choices)
        if found is None:
            self.fail(f"{value!r} is none of {', '.join(self.choices)} (or their short names "
                      "and media types, e.g. ttl, nt, nq, text/turtle)", param, ctx)  # fmt: skip
        return found


def _format(fmt: str | None, output: Path | None, choices: list[str], default: str | None) -> str:
    """``--format``, else the format ``-o``'s extension names, else ``default``."""
    from kg.format import FORMAT_ALIASES, format_of_path

    if fmt is not None:
        return fmt
    found = format_of_path(output, choices) if output is not None else None
    if found is not None:
        return found
    key = output.suffix.lower().removeprefix(".") if output is not None else ""
    if (
        output is not None and key in FORMAT_ALIASES
    ):  # "-o x.nq" for a query: a format this command cannot write
        raise KgUsageError(
            f"{output.name!r} names {FORMAT_ALIASES[key][0]}, which this command does not "
            f"write; give --format (one of {', '.join(choices)})"
        )
    if default is None:
        named = f"{output.name!r} names no format" if output is not None else "no -o FILE"
        raise KgUsageError(f"give --format ({named}; one of {', '.join(choices)})")
    return default


def _write(data: bytes, output: Path | None) -> None:
    """``data`` into ``output`` (atomically) or onto stdout."""
    if output:
        from kg.build import write_atomic

        write_atomic(output, data)
        return
    try:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
    except OSError as exc:
        raise KgStoreError(f"stdout: cannot write ({exc.strerror or exc})") from None


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


def _read_text(sparql: str | None, query_file: Path | None, what: str) -> str:
    if query_file and str(query_file) == "-":
        try:
            data = sys.stdin.buffer.read()
            return data.decode("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or exc
            raise KgUsageError(f"stdin: cannot read the {what} ({reason})") from None
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
@click.option("-f", "--file", "query_file", type=click.Path(path_type=Path),
              help="Read the query from FILE ('-': from stdin).")  # fmt: skip
@click.option("--name", default=None, help="Run a named query (see --list).")
@click.option(
    "--list", "list_queries", is_flag=True, help="List the named queries and their questions."
)
@click.option(
    "--param", multiple=True, help="Bind a variable: name=value (repeatable; see --list)."
)
@click.option("--format", "fmt", type=FormatChoice(QUERY_FORMATS), default=None,
              help="SELECT/ASK: table (default), tsv, csv, xml, json (SPARQL 1.1 results), "
              "markdown; CONSTRUCT/DESCRIBE: turtle (default), ntriples, trig, jsonld, rdfxml. "
              "Default: from -o's extension.")  # fmt: skip
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None,
              help="Write the results into this file (format from its extension).")  # fmt: skip
@TIMEOUT_OPTION
@MAX_MEMORY_OPTION
def query(sparql: str | None, store_path: Path | None, endpoint: str | None,
          query_file: Path | None, name: str | None, list_queries: bool,
          param: tuple[str, ...], fmt: str | None, output: Path | None, timeout: float,
          max_memory: str | None) -> None:  # fmt: skip
    """Run a read-only SPARQL query: SELECT as a table, ASK as true/false (exit 0/1),
    CONSTRUCT and DESCRIBE as Turtle (see --format)."""
    from kg.format import render_table, sparql_results
    from kg.query import (
        check_param_names,
        named_params,
        named_queries,
        parse_params,
        run_query,
        split_params,
    )

    queries = named_queries() if list_queries or name else {}
    if list_queries:
        for q in queries.values():
            params = "".join(f" --param {p.name}=<{p.kind}>" for p in q.params)
            click.echo(f"{q.name}\t{q.question}" + (f"\t{params.strip()}" if params else ""))
        return
    from kg.backends import opened

    fmt = _format(fmt, output, QUERY_FORMATS, "table")
    limits: dict[str, Any] = {"timeout": timeout, "max_memory": _memory(max_memory)}
    if name:
        if name not in queries:
            raise KgUsageError(f"no named query {name!r}; see 'kg query --list'")
        text = queries[name].text
        check_param_names(queries[name], split_params(param))  # before the store is opened
    else:
        text = _read_text(sparql, query_file, "query")
        bindings = parse_params(param)
    # lazy: Oxigraph is opened by the query's sandboxed child (see kg.store.Store)
    with opened(store_path, read_only=True, endpoint=endpoint, lazy=True) as store:
        if name:
            bindings = named_params(store, queries[name], param, **limits)
        table = run_query(store, text, substitutions=bindings or None, **limits)
    if table.kind == "graph":
        rdf = _GRAPH_FORMAT.get(fmt, fmt)
        if rdf not in RDF_FORMATS:
            raise KgUsageError(f"--format {fmt} is for SELECT and ASK; CONSTRUCT and DESCRIBE "
                               "give RDF: turtle, ntriples, trig, jsonld or rdfxml")  # fmt: skip
        from kg.export import result_bytes

        _write(result_bytes(table, rdf), output)
        return
    if fmt in ("tsv", "csv", "xml", "json"):
        data = sparql_results(table, fmt)
    elif table.kind == "ask":
        data = b"true\n" if table.boolean else b"false\n"
    elif fmt in ("table", "markdown"):
        data = render_table(table, fmt).encode("utf-8")
    else:
        raise KgUsageError(f"--format {fmt} is for CONSTRUCT and DESCRIBE; SELECT and ASK "
                           "give table, tsv, csv, xml, json or markdown")  # fmt: skip
    _write(data, output)
    if table.kind == "ask":
        click.get_current_context().exit(0 if table.boolean else 1)


@click.command()
@click.argument("sparql", required=False)
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("-f", "--file", "update_file", type=click.Path(path_type=Path),
              help="Read the update from FILE ('-': from stdin).")  # fmt: skip
@TIMEOUT_OPTION
@MAX_MEMORY_OPTION
def update(sparql: str | None, store_path: Path | None, endpoint: str | None,
           update_file: Path | None, timeout: float,
           max_memory: str | None) -> None:  # fmt: skip
    """Change data with SPARQL Update (the deliberate way; 'kg query' is read-only)."""
    from kg.backends import opened
    from kg.query import run_update

    text = _read_text(sparql, update_file, "update")
    with opened(store_path, endpoint=endpoint, lazy=True) as store:  # see query
        kept = run_update(store, text, timeout=timeout, max_memory=_memory(max_memory))
        where = store.describe()
    if not kept:
        click.echo(
            "Warning: the update names no graph, and the default graph is the union of the "
            "named graphs: nothing was kept (write into GRAPH <https://w3id.org/defense-kg/"
            "graph/NAME>)",
            err=True,
        )
    click.echo(f"Updated {where}", err=True)


@click.command()
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=FormatChoice(EXPORT_FORMATS), default=None,
              help="Default: from -o's extension (.ttl, .nt, .nq, .trig, .jsonld, .rdf, "
              ".graphml, .gexf, .csv for dyads).")  # fmt: skip
@click.option("--article", default=None, help="Only this article's graph (RDF and graph formats).")
@click.option("--with-ontology", is_flag=True, help="Put the ontology and code lists in the file.")
@click.option("--inferred", is_flag=True, help="Add RDFS entailments (subclasses, subproperties).")
@click.option(
    "--for-reasoner",
    is_flag=True,
    help="OWL 2 DL form for HermiT and Protégé (implies --with-ontology): XSD dates become "
    "annotations, with their parts as integers beside them.",
)
@click.option(
    "--view",
    default="full",
    show_default=True,
    help="Network view for graphml/gexf: full, states, officials, article:ID, ego:ENTITY.",
)
@click.option("--directed", is_flag=True, help="dyads: each pair in both orders.")
@click.option(
    "--panel",
    default=None,
    metavar="FROM-TO",
    help="dyads: every dyad-year of the states in the store in these years, zeros included.",
)
@click.option("-o", "--output", type=click.Path(path_type=Path), default=None)
def export(store_path: Path | None, endpoint: str | None, fmt: str | None, article: str | None,
           with_ontology: bool, inferred: bool, for_reasoner: bool, view: str, directed: bool,
           panel: str | None,
           output: Path | None) -> None:  # fmt: skip
    """Export the store: RDF, JSON Lines tables (entities, events), dyad-year CSV (dyads), or a
    network view as GraphML/GEXF."""
    from kg import export as ex
    from kg.backends import opened

    fmt = _format(fmt, output, EXPORT_FORMATS, None)
    if article and fmt in ("entities", "events", "dyads"):
        raise KgUsageError(f"--article applies to RDF and graph formats, not {fmt}")
    if (with_ontology or inferred or for_reasoner) and fmt not in ex.RDF_FORMATS:
        raise KgUsageError(
            f"--with-ontology, --for-reasoner and --inferred apply to RDF formats, not {fmt}"
        )
    if (directed or panel is not None) and fmt != "dyads":
        raise KgUsageError(f"--directed and --panel apply to dyads, not {fmt}")
    try:
        years = ex.parse_panel(panel) if panel is not None else None
    except ex.ExportError as exc:
        raise KgUsageError(str(exc)) from None
    note = None
    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        if fmt == "entities":
            data = ex.json_lines(ex.entities(store)).encode("utf-8")
        elif fmt == "events":
            data = ex.json_lines(ex.events(store)).encode("utf-8")
        elif fmt == "dyads":
            dyads = ex.dyad_years(store, directed=directed, panel=years)
            data, note = ex.dyads_csv(dyads).encode("utf-8"), dyads.note()
        elif fmt in ex.GRAPH_FORMATS:
            data = ex.network_document(store, fmt, f"article:{article}" if article else view)
        else:
            data = ex.rdf_export(store, fmt, article, with_ontology=with_ontology,
                                 inferred=inferred, for_reasoner=for_reasoner)  # fmt: skip
    _write(data, output)
    if note:
        click.echo(note, err=True)


@click.command("list")
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=click.Choice(TABLE_FORMATS), default="table")
def list_articles(store_path: Path | None, endpoint: str | None, fmt: str) -> None:
    """List the articles (and loaded files) in the store with title, date and triple count."""
    from kg.backends import opened
    from kg.format import render_table
    from kg.query import Table
    from kg.store import list_graphs

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        graphs = list_graphs(store)
    if fmt == "json":  # records as kg network writes them: snake_case keys, numbers as numbers
        records = [{"article": g.name, "kind": g.kind, "published": g.published,
                    "triples": g.triples, "title": g.title} for g in graphs]  # fmt: skip
        click.echo(json.dumps(records, ensure_ascii=False, indent=1))
        return
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
    from kg.backends import opened
    from kg.build import remove_article
    from kg.graphname import graph_iri

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
@click.option("--format", "fmt", type=FormatChoice(RDF_FORMATS), default=None,
              help="The file's RDF format (default: from its extension).")  # fmt: skip
def load(file: Path, store_path: Path | None, endpoint: str | None, graph_name: str | None,
         fmt: str | None) -> None:  # fmt: skip
    """Add an RDF file (Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML) as its own graph
    https://w3id.org/defense-kg/graph/<name>, replacing a graph of that name."""
    from kg.backends import opened
    from kg.format import OX_RDF_FORMATS
    from kg.graphname import file_graph_name, graph_iri
    from kg.store import load_statements, parse_rdf_statements

    name = file_graph_name(file.stem) if graph_name is None else graph_name
    target = graph_iri(name)
    # malformed input fails before the store is opened
    parsed = parse_rdf_statements(file, OX_RDF_FORMATS[fmt] if fmt else None)
    with opened(store_path, endpoint=endpoint, create=True) as store:
        graph, triples = load_statements(store, target, parsed)
    click.echo(f"Loaded {file} into <{graph}> ({triples} triples)", err=True)


@click.command()
@STORE_OPTION
@ENDPOINT_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
def stats(store_path: Path | None, endpoint: str | None, fmt: str) -> None:
    """Counts: triples, articles, instances by class, date range, states, dyads."""
    from kg.backends import opened
    from kg.export import stats as compute

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
        click.echo(f"{key.replace('_', ' '):<20} {'' if value is None else value}")
        if key == "loaded_graphs":
            click.echo("instances by class:")
