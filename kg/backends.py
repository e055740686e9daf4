"""The backend a command uses: the embedded store or a SPARQL endpoint.

The one place that knows both (:mod:`kg.store` and :mod:`kg.endpoint` do not import each
other's way back): ``--endpoint`` wins, then ``$KG_ENDPOINT`` unless ``--store`` names a store.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kg.store import ENDPOINT_ENV, Backend, Store, _damage, damaged, open_store


def chosen_endpoint(store_path: Path | None, endpoint: str | None) -> str | None:
    """The endpoint a command uses: ``--endpoint``, else ``$KG_ENDPOINT`` unless ``--store``
    names a store (an explicit store beats the environment), else none.

    >>> chosen_endpoint(Path("s"), None) is None
    True
    >>> chosen_endpoint(None, "http://127.0.0.1:7878")
    'http://127.0.0.1:7878'
    """
    if endpoint:
        return endpoint
    if store_path is not None:
        return None
    return os.environ.get(ENDPOINT_ENV) or None


def connect(
    store_path: Path | None = None,
    endpoint: str | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
    lazy: bool = False,
) -> Backend:
    """The backend for a command: the endpoint when given, else the store (see
    :func:`chosen_endpoint` for ``$KG_ENDPOINT``). ``lazy``: the store opens Oxigraph on
    first use (see :func:`kg.store.open_store`); an endpoint connects per request anyway."""
    endpoint = chosen_endpoint(store_path, endpoint)
    if endpoint:
        from kg.endpoint import Endpoint  # the HTTP client only when an endpoint is used

        return Endpoint.from_url(endpoint, read_only=read_only)
    return open_store(store_path, read_only=read_only, create=create, lazy=lazy)


@contextmanager
def opened(
    path: Path | None = None,
    *,
    read_only: bool = False,
    create: bool = False,
    endpoint: str | None = None,
    lazy: bool = False,
) -> Iterator[Any]:
    """Open the store (or the endpoint, when given) for the duration of a ``with`` block."""
    store = connect(path, endpoint, read_only=read_only, create=create, lazy=lazy)
    try:
        yield store
    except RuntimeError as exc:
        # corruption RocksDB only finds while reading (a damaged block) surfaces lazily
        if isinstance(store, Store) and type(exc) is RuntimeError:
            raise damaged(store.path, _damage(store.path, exc)) from None
        raise
    except (AssertionError, AttributeError, KeyError, TypeError, ValueError) as exc:
        from kg.sparql.safety import QueryError  # a refused or failed query: its own message

        if isinstance(store, Store) or isinstance(exc, QueryError):
            raise
        from kg.endpoint import unusable_answer  # a well-formed answer with values we cannot use

        raise unusable_answer(store, exc) from None
    finally:
        store.close()  # the embedded store's close also closes its Oxigraph handle
