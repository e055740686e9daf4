"""Command line: parse options, call one function, print, exit. No logic lives here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg.article import ArticleError
from kg.store import StoreError, default_store_path

STORE_OPTION = click.option(
    "--store",
    "store_path",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Store directory (default: $KG_STORE or .kg/store).",
)


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.version_option(package_name="defense-kg")
def main() -> None:
    """defense-kg: articles about bilateral defense relations -> an RDF knowledge graph."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@STORE_OPTION
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("graphs"), show_default=True, help="Folder for the Turtle and TriG outputs.")
def build(paths: tuple[Path, ...], store_path: Path | None, out_dir: Path) -> None:
    """Build ARTICLE_OR_DIR... (default: the bundled corpus) into the store and write graphs/."""
    from kg.build import build_articles, bundled_corpus, read_articles, write_atomic
    from kg.export import trig, turtle
    from kg.store import opened

    try:
        articles = read_articles(list(paths) or [bundled_corpus()])
        with opened(store_path or default_store_path(), create=True) as store:
            with click.progressbar(length=len(articles), label="Building", file=sys.stderr) as bar:
                reports = build_articles(store, articles, progress=lambda _a: bar.update(1))
            turtle_bytes = turtle(store)
            trig_bytes = trig(store)
        write_atomic(out_dir / "defense-kg.ttl", turtle_bytes)
        write_atomic(out_dir / "defense-kg.trig", trig_bytes)
    except (ArticleError, StoreError, OSError) as exc:
        _fail(str(exc))
    total = sum(r.triples for r in reports)
    click.echo(f"Built {len(reports)} article(s), {total} triples; wrote {out_dir}/defense-kg.ttl and .trig", err=True)


@main.command()
@STORE_OPTION
def validate(store_path: Path | None) -> None:
    """Check the store against the SHACL shapes; exit 1 if any violation."""
    from kg.export import union_graph
    from kg.store import opened
    from kg.validate import validate_graph

    try:
        with opened(store_path, read_only=True) as store:
            data = union_graph(store)
    except StoreError as exc:
        _fail(str(exc))
    violations = validate_graph(data)
    for v in violations:
        click.echo(f"{v.severity}: {v.focus} {v.path or ''}: {v.message}")
    if violations:
        _fail(f"{len(violations)} SHACL violation(s)")
    click.echo(f"Conforms: {len(data)} triples, 0 violations")


@main.command()
@STORE_OPTION
@click.option("--format", "fmt", type=click.Choice(["entities", "events", "turtle", "trig"]), required=True)
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
@click.option("-f", "--file", "query_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--name", default=None, help="Run a named query (see --list).")
@click.option("--list", "list_queries", is_flag=True, help="List the named queries and their questions.")
@click.option("--param", multiple=True, help="Bind a variable: name=value (repeatable).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "tsv", "json", "markdown"]), default="table")
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds before the query is stopped.")
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


if __name__ == "__main__":  # pragma: no cover
    main()
