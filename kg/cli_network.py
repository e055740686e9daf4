"""Commands ``kg network ...`` (analyses of a network view) and ``kg render`` (an offline page)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any

import click

from kg.cli_options import ENDPOINT_OPTION, STORE_OPTION

VIEW_HELP = "View: full, states, officials, article:ID or ego:ENTITY[:DEPTH]."
FORMAT_OPTION = click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "tsv", "json", "markdown"]),
    default="table",
    show_default=True,
)
VIEW_OPTION = click.option("--view", "view_name", default="full", show_default=True, help=VIEW_HELP)


def _run(store_path: Path | None, endpoint: str | None, view_name: str,
         analysis: Callable[[Any], list[Any]], columns: tuple[str, ...] | None,
         fmt: str) -> None:  # fmt: skip
    """Open the store (or endpoint), build the view, run ``analysis`` on it, print its rows."""
    from kg.backends import opened
    from kg.network import format_rows, view

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        graph = view(store, view_name)
    rows = analysis(graph)
    if not rows:
        click.echo("(no rows)", err=True)
    row_type = type(rows[0]) if rows else None
    names = columns or (tuple(f.name for f in fields(row_type)) if row_type else ())
    click.echo(format_rows(rows, names, fmt), nl=False)


@click.group()
def network() -> None:
    """Analyse a network view of the store (entities may be named by IRI, label or ISO-3)."""


@network.command("centrality")
@STORE_OPTION
@ENDPOINT_OPTION
@VIEW_OPTION
@click.option("--top", type=click.IntRange(min=1), default=None, help="Only the N first rows.")
@FORMAT_OPTION
def centrality_command(store_path: Path | None, endpoint: str | None, view_name: str,
                       top: int | None, fmt: str) -> None:  # fmt: skip
    """Degree, betweenness and PageRank of every node, highest PageRank first."""
    from kg.network import centrality

    columns = ("label", "type", "degree", "betweenness", "pagerank", "node")
    _run(store_path, endpoint, view_name, lambda g: centrality(g, top), columns, fmt)


@network.command("path")
@click.argument("source")
@click.argument("target")
@STORE_OPTION
@ENDPOINT_OPTION
@VIEW_OPTION
@FORMAT_OPTION
def path_command(source: str, target: str, store_path: Path | None, endpoint: str | None,
                 view_name: str, fmt: str) -> None:  # fmt: skip
    """The shortest connection from SOURCE to TARGET, with the evidence quote of each hop."""
    from kg.network import resolve, shortest_path

    columns = ("step", "source", "edge", "target", "quote", "article")
    _run(
        store_path, endpoint, view_name,
        lambda g: shortest_path(g, resolve(g, source), resolve(g, target)), columns, fmt,
    )  # fmt: skip


@network.command("neighbors")
@click.argument("entity")
@STORE_OPTION
@ENDPOINT_OPTION
@VIEW_OPTION
@FORMAT_OPTION
def neighbors_command(entity: str, store_path: Path | None, endpoint: str | None,
                      view_name: str, fmt: str) -> None:  # fmt: skip
    """Every edge at ENTITY: direction, property, the node at the other end, evidence."""
    from kg.network import neighbors, resolve

    columns = ("direction", "edge", "neighbor", "type", "quote", "article")
    _run(store_path, endpoint, view_name, lambda g: neighbors(g, resolve(g, entity)), columns, fmt)


@network.command("communities")
@STORE_OPTION
@ENDPOINT_OPTION
@VIEW_OPTION
@click.option("--seed", type=int, default=42, show_default=True, help="Louvain random seed.")
@FORMAT_OPTION
def communities_command(store_path: Path | None, endpoint: str | None, view_name: str,
                        seed: int, fmt: str) -> None:  # fmt: skip
    """Louvain communities (fixed seed), largest first."""
    from kg.network import communities

    _run(store_path, endpoint, view_name, lambda g: communities(g, seed), None, fmt)


@network.command("timeline")
@click.argument("state1")
@click.argument("state2")
@STORE_OPTION
@ENDPOINT_OPTION
@FORMAT_OPTION
def timeline_command(state1: str, state2: str, store_path: Path | None, endpoint: str | None,
                     fmt: str) -> None:  # fmt: skip
    """The events STATE1 and STATE2 are both party to, in date order (undated last)."""
    from kg.network import resolve, timeline

    columns = ("date", "kind", "type", "label", "status", "quote", "article")
    _run(
        store_path, endpoint, "full",
        lambda g: timeline(g, resolve(g, state1), resolve(g, state2)), columns, fmt,
    )  # fmt: skip


@click.command()
@STORE_OPTION
@ENDPOINT_OPTION
@click.option(
    "--view",
    "view_name",
    default="full",
    show_default=True,
    help="full, states, officials, ontology, article:ID, ego:ENTITY[:DEPTH] or "
    "timeline:STATE1:STATE2 (a dyad's timeline page).",
)
@click.option(
    "--max-nodes",
    type=click.IntRange(min=1),
    default=None,
    help="Keep the N highest-degree nodes; the page lists what was left out.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="HTML file to write (default: stdout).",
)
def render(store_path: Path | None, endpoint: str | None, view_name: str, max_nodes: int | None,
           output: Path | None) -> None:  # fmt: skip
    """Write one self-contained, offline HTML page showing a view of the store."""
    from kg.backends import opened
    from kg.build import write_atomic
    from kg.render import render_view

    with opened(store_path, read_only=True, endpoint=endpoint) as store:
        page = render_view(store, view_name, max_nodes=max_nodes)
    data = page.html.encode("utf-8")
    if output:
        write_atomic(output, data)
    else:
        sys.stdout.buffer.write(data)
    if output and view_name.startswith("timeline:"):
        click.echo(f"Wrote {output}: {page.nodes} timeline entries", err=True)
    elif output:
        left = f", {page.left_out} left out" if page.left_out else ""
        click.echo(f"Wrote {output}: {page.nodes} nodes, {page.edges} edges{left}", err=True)
