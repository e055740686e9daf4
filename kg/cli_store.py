"""Commands for analysts: query and export (registered on the main ``kg`` group)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.cli import STORE_OPTION, _fail, main
from kg.store import StoreError, default_store_path


@main.command()
@STORE_OPTION
@click.option(
    "--format", "fmt", type=click.Choice(["entities", "events", "turtle", "trig"]), required=True
)
@click.option("--article", default=None, help="Only this article's graph (RDF formats).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None)
def export(store_path: Path | None, fmt: str, article: str | None, output: Path | None) -> None:
    """Export the store: JSON Lines tables (entities, events) or RDF (turtle, trig)."""
    from kg import export as ex
    from kg.build import write_atomic
    from kg.store import opened

    try:
        with opened(store_path, read_only=True) as store:
            if fmt == "entities":
                data = ex.json_lines(ex.entities(store)).encode("utf-8")
            elif fmt == "events":
                data = ex.json_lines(ex.events(store)).encode("utf-8")
            elif fmt == "turtle":
                data = ex.turtle(store, article)
            else:
                data = ex.trig(store, article)
        if output:
            write_atomic(output, data)
        else:
            sys.stdout.buffer.write(data)
    except (StoreError, OSError) as exc:
        _fail(str(exc))


@main.command()
@click.argument("sparql", required=False)
@STORE_OPTION
@click.option(
    "-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--name", default=None, help="Run a named query (see --list).")
@click.option(
    "--list", "list_queries", is_flag=True, help="List the named queries and their questions."
)
@click.option("--param", multiple=True, help="Bind a variable: name=value (repeatable).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "markdown"]),
    default="table",
)
@click.option(
    "--timeout",
    type=float,
    default=30.0,
    show_default=True,
    help="Seconds before the query is stopped.",
)
def query(sparql: str | None, store_path: Path | None, query_file: Path | None, name: str | None,
          list_queries: bool, param: tuple[str, ...], fmt: str, timeout: float) -> None:  # fmt: skip
    """Run a read-only SPARQL query on the store."""
    from kg.format import render_table
    from kg.query import QueryError, named_queries, run_query
    from kg.store import open_store

    queries = named_queries()
    if list_queries:
        for q in queries.values():
            click.echo(f"{q.name}\t{q.question}")
        return
    if name:
        if name not in queries:
            _fail(f"no named query {name!r}; see 'kg query --list'", 2)
        text = queries[name].text
    elif query_file:
        text = query_file.read_text(encoding="utf-8")
    elif sparql:
        text = sparql
    else:
        _fail("give a query, -f FILE or --name NAME", 2)
    bindings = {}
    for item in param:
        key, sep, value = item.partition("=")
        if not sep or not key:
            _fail(f"--param must be name=value, got {item!r}", 2)
        bindings[key.lstrip("?$")] = value
    path = store_path or default_store_path()
    try:
        open_store(path, read_only=True)
        table = run_query(path, text, timeout=timeout, substitutions=bindings or None)
    except StoreError as exc:
        _fail(str(exc))
    except QueryError as exc:
        _fail(str(exc), 2 if str(exc).startswith(("malformed", "refused")) else 1)
    if table.kind == "ask":
        click.echo("true" if table.boolean else "false")
        sys.exit(0 if table.boolean else 1)
    if table.kind == "graph":
        click.echo(table.turtle, nl=False)
        return
    click.echo(render_table(table, fmt), nl=False)
