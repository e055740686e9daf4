"""Command line: parse options, call one function, print, exit. No logic lives here."""

from __future__ import annotations

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


ENDPOINT_OPTION = click.option(
    "--endpoint",
    "endpoint",
    envvar="KG_ENDPOINT",
    default=None,
    metavar="URL",
    help="A SPARQL 1.1 endpoint to use instead of the store (default: $KG_ENDPOINT).",
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
@ENDPOINT_OPTION
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("graphs"),
    show_default=True,
    help="Folder for the Turtle and TriG outputs.",
)
def build(
    paths: tuple[Path, ...], store_path: Path | None, endpoint: str | None, out_dir: Path
) -> None:
    """Build ARTICLE_OR_DIR... (default: the bundled corpus) into the store and write graphs/."""
    from kg.build import build_articles, bundled_corpus, read_articles, write_atomic
    from kg.export import trig, turtle
    from kg.store import opened

    try:
        articles = read_articles(list(paths) or [bundled_corpus()])
        with opened(store_path or default_store_path(), create=True, endpoint=endpoint) as store:
            with click.progressbar(
                length=len(articles),
                label="Building",
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),  # stderr of a script: only the outcome line
            ) as bar:
                reports = build_articles(store, articles, progress=lambda _a: bar.update(1))
            turtle_bytes = turtle(store)
            trig_bytes = trig(store)
        write_atomic(out_dir / "defense-kg.ttl", turtle_bytes)
        write_atomic(out_dir / "defense-kg.trig", trig_bytes)
    except (ArticleError, StoreError, OSError) as exc:
        _fail(str(exc))
    total = sum(r.triples for r in reports)
    click.echo(
        f"Built {len(reports)} article(s), {total} triples; "
        f"wrote {out_dir}/defense-kg.ttl and .trig",
        err=True,
    )


@main.command()
@STORE_OPTION
@ENDPOINT_OPTION
def validate(store_path: Path | None, endpoint: str | None) -> None:
    """Check the store against the SHACL shapes; exit 1 if any violation."""
    from kg.export import union_graph
    from kg.store import opened
    from kg.validate import validate_graph

    try:
        with opened(store_path, read_only=True, endpoint=endpoint) as store:
            data = union_graph(store)
    except StoreError as exc:
        _fail(str(exc))
    violations = validate_graph(data)
    for v in violations:
        click.echo(f"{v.severity}: {v.focus} {v.path or ''}: {v.message}")
    if violations:
        _fail(f"{len(violations)} SHACL violation(s)")
    click.echo(f"Conforms: {len(data)} triples, 0 violations")


def _register_plugins() -> None:
    """Commands that live in their own modules (kg/cli_*.py) register themselves on ``main``."""
    import importlib
    import pkgutil

    import kg

    for module in sorted(
        m.name for m in pkgutil.iter_modules(kg.__path__) if m.name.startswith("cli_")
    ):
        importlib.import_module(f"kg.{module}")


_register_plugins()


if __name__ == "__main__":  # pragma: no cover
    main()
