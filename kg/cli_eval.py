"""The ``kg evaluate`` command (added to the main ``kg`` group in :mod:`kg.cli`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option(
    "--gold",
    "gold_path",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Gold JSON file (format: README, 'Evaluating the extractor').",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
)
@click.option("--per-article", is_flag=True, help="Also score each article separately.")
@click.option("--errors", is_flag=True, help="Also list false positives and negatives.")
def evaluate(
    paths: tuple[Path, ...], gold_path: Path, fmt: str, per_article: bool, errors: bool
) -> None:
    """Build ARTICLE_OR_DIR... in a temporary store and score it against a gold file.

    Prints precision, recall and F1 (with TP/FP/FN) for states, officials, events, names of
    exercises and agreements, and full dates, micro-averaged over the articles.
    """
    from kg.evaluate import evaluate as run_evaluation
    from kg.evaluate import render_errors, render_scores

    result = run_evaluation(gold_path, list(paths))
    if fmt == "json":
        click.echo(render_scores(result, fmt, per_article or errors), nl=False)
        return
    click.echo(render_scores(result, fmt, per_article), nl=False)
    if errors:
        click.echo("\n" + render_errors(result), nl=False)
