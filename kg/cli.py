"""Command line: parse options, call one function, print, exit. No logic lives here."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg.cli_errors import KgError, KgGroup, KgInputError, KgStoreError
from kg.cli_eval import evaluate
from kg.cli_network import network, render
from kg.cli_options import ENDPOINT_OPTION, STORE_OPTION
from kg.cli_store import export, list_articles, load, query, remove, stats, update


@click.group(cls=KgGroup)
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
    help="Processes that extract articles, and batches loaded at once (default: the cores).",
)
@click.option(
    "--no-inference",
    is_flag=True,
    help="Leave out what only a guessing rule gives (title defaults, counterparts, venues...).",
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
    no_inference: bool,
    skip_unreadable: bool,
) -> None:
    """Build ARTICLE_OR_DIR... (default: the bundled corpus) into the store.

    Articles already in the store are replaced, the others added; nothing is exported unless
    --out DIR asks for the Turtle and TriG of the whole store."""
    from kg.article import UnreadableError
    from kg.backends import opened
    from kg.build import build_extractions, bundled_corpus, extract_all, read_articles, write_atomic

    def skipped(message: str) -> None:
        click.echo(f"Warning: {message}; skipped (--skip-unreadable)", err=True)

    if out_dir is not None and out_dir.exists() and not out_dir.is_dir():
        raise KgStoreError(f"{out_dir}: not a directory (--out)")
    sources = list(paths) or [bundled_corpus()]
    try:
        articles = read_articles(sources, skipped if skip_unreadable else None)
    except UnreadableError as exc:
        raise KgInputError(f"{exc}; pass --skip-unreadable to build without it") from None
    # extraction runs before the store is opened, so the pool can fork a clean process
    jobs = jobs or os.cpu_count() or 1
    extractions = extract_all(articles, jobs)
    with opened(store_path, create=True, endpoint=endpoint) as store:
        with click.progressbar(
            length=len(articles),
            label="Building",
            file=sys.stderr,
            hidden=not sys.stderr.isatty(),  # stderr of a script: only the outcome line
        ) as bar:
            reports = build_extractions(
                store,
                extractions,
                progress=lambda _a: bar.update(1),
                inference=not no_inference,
                jobs=jobs,
            )
        if out_dir is not None:
            from kg.export import trig, turtle  # networkx and the exporters: only when asked

            turtle_bytes = turtle(store)
            trig_bytes = trig(store)
    if out_dir is not None:
        write_atomic(out_dir / "defense-kg.ttl", turtle_bytes)
        write_atomic(out_dir / "defense-kg.trig", trig_bytes)
    total = sum(r.triples for r in reports)
    wrote = f"; wrote {out_dir}/defense-kg.ttl and .trig" if out_dir is not None else ""
    click.echo(f"Built {len(reports)} article(s), {total} triples{wrote}", err=True)


@main.command()
@STORE_OPTION
@ENDPOINT_OPTION
def validate(store_path: Path | None, endpoint: str | None) -> None:
    """Check the store against the SHACL shapes; exit 1 if any violation."""
    from kg.backends import opened
    from kg.validate import validate_store

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        report = validate_store(store)
    for v in report.violations:
        click.echo(f"{v.severity}: {v.focus} {v.path or ''}: {v.message}")
    if report.violations:
        raise KgError(f"{len(report.violations)} SHACL violation(s)")
    click.echo(f"Conforms: {report.triples} triples, 0 violations")


@main.group()
def native() -> None:
    """Compiled extraction (kg/extract built by mypyc): build it, or say if it is in use."""


@native.command("build")
@click.option("--force", is_flag=True, help="Rebuild even if the compiled modules are current.")
def native_build(force: bool) -> None:
    """Compile kg/extract unless the compiled modules match the sources (a few minutes)."""
    from kg import native as compiled

    try:
        message = compiled.build(force=force)
    except compiled.BuildError as exc:
        raise KgError(str(exc)) from exc
    click.echo(message, err=True)


@native.command("status")
def native_status() -> None:
    """Say whether this process runs the compiled modules, and if not, why."""
    from kg import native as compiled

    click.echo(compiled.status().reason)


main.add_command(query)
main.add_command(update)
main.add_command(export)
main.add_command(list_articles)
main.add_command(remove)
main.add_command(load)
main.add_command(stats)
main.add_command(network)
main.add_command(render)
main.add_command(evaluate)


if __name__ == "__main__":  # pragma: no cover
    main()
