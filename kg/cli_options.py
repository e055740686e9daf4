"""Options that several ``kg`` commands share (``--store``, ``--endpoint``)."""

from __future__ import annotations

from pathlib import Path

import click

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
    default=None,
    metavar="URL",
    help="A SPARQL 1.1 endpoint to use instead of the store (default: $KG_ENDPOINT, unless "
    "--store is given).",
)
