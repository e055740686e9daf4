"""Command line: parse options, call one function, print, exit. No logic lives here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.article import ArticleError, UnreadableError
from kg.store import StoreError, default_store_path

STORE_OPTION = click.option(
    "--store",
    "store_path",
    type=click.Path(path_type=Path),  # checked by kg.store, in one line
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
    type=click.Path(path_type=Path),
    default=None,
    help="Also write the whole store as Turtle and TriG into this folder (e.g. graphs).",
)
@click.option(
    "--jobs",
    type=click.IntRange(min=1),
    default=None,
    help="Processes that extract articles (default: the machine's cores).",
)
@click.option(
    "--skip-unreadable",
    is_flag=True,
    help="Leave out files and folders that cannot be read (with a warning) instead of failing.",
)
def build(
    paths: tuple[Path, ...],
    store_path: Path | None,
    endpoint: str | None,
    out_dir: Path | None,
    jobs: int | None,
    skip_unreadable: bool,
) -> None:
    """Build ARTICLE_OR_DIR... (default: the bundled corpus) into the store.

    Articles already in the store are replaced, the others added; nothing is exported unless
    --out DIR asks for the Turtle and TriG of the whole store."""
    from kg.build import build_extractions, bundled_corpus, extract_all, read_articles, write_atomic
    from kg.export import trig, turtle
    from kg.store import opened

    def skipped(message: str) -> None:
        click.echo(f"Warning: {message}; skipped (--skip-unreadable)", err=True)

    try:
        if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
            _fail(f"{out_dir}: not a directory (--out)")
        sources = list(paths) or [bundled_corpus()]
        try:
            articles = read_articles(sources, skipped if skip_unreadable else None)
        except UnreadableError as exc:
            _fail(f"{exc}; pass --skip-unreadable to build without it")
        # extraction runs before the store is opened, so the pool can fork a clean process
        extractions = extract_all(articles, jobs or os.cpu_count() or 1)
        with opened(store_path or default_store_path(), create=True, endpoint=endpoint) as store:
            with click.progressbar(
                length=len(articles),
                label="Building",
                file=sys.stderr,
                hidden=not sys.stderr.isatty(),  # stderr of a script: only the outcome line
            ) as bar:
                reports = build_extractions(store, extractions, progress=lambda _a: bar.update(1))
            if out_dir is not None:
                turtle_bytes = turtle(store)
                trig_bytes = trig(store)
        if out_dir is not None:
            write_atomic(out_dir / "defense-kg.ttl", turtle_bytes)
            write_atomic(out_dir / "defense-kg.trig", trig_bytes)
    except (ArticleError, StoreError, OSError) as exc:
        _fail(str(exc))
    total = sum(r.triples for r in reports)
    wrote = f"; wrote {out_dir}/defense-kg.ttl and .trig" if out_dir is not None else ""
    click.echo(f"Built {len(reports)} article(s), {total} triples{wrote}", err=True)


@main.command()
@STORE_OPTION
@ENDPOINT_OPTION
def validate(store_path: Path | None, endpoint: str | None) -> None:
    """Check the store against the SHACL shapes; exit 1 if any violation."""
    from kg.store import opened
    from kg.validate import validate_store

    try:
        with opened(store_path, read_only=True, endpoint=endpoint) as store:
            report = validate_store(store)
    except StoreError as exc:
        _fail(str(exc))
    for v in report.violations:
        click.echo(f"{v.severity}: {v.focus} {v.path or ''}: {v.message}")
    if report.violations:
        _fail(f"{len(report.violations)} SHACL violation(s)")
    click.echo(f"Conforms: {report.triples} triples, 0 violations")


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
