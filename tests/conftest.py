"""Shared fixtures (the bundled seed article built once into a temporary store) and the one
policy for a missing external tool."""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import NoReturn

import pytest

from kg.article import read_article
from kg.build import build_articles, bundled_corpus, read_articles
from kg.extract import extract
from kg.records import Extraction
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
SEED_ID = "000_83c0c4f066b0d405"


def missing(reason: str) -> NoReturn:
    """A test that needs something not installed: a failure in CI ($CI set), else a skip."""
    if os.environ.get("CI"):
        pytest.fail(f"{reason} (CI runs every test)", pytrace=False)
    pytest.skip(reason)


def require_tool(name: str, install: str, path: str | None = None) -> str:
    """The path of the external program ``name`` (searched in ``path``, default $PATH); see
    :func:`missing` when it is not there. ``install`` says how to get it."""
    found = shutil.which(name, path=path)
    if found is None:
        missing(f"{name} is not installed ({install})")
    return found


def require_module(name: str, install: str = "pip install -e '.[test]'") -> ModuleType:
    """The Python module ``name``; see :func:`missing` when it cannot be imported."""
    try:
        return importlib.import_module(name)
    except ImportError:
        missing(f"Python module {name} is not installed ({install})")


@pytest.fixture(scope="session")
def seed_extraction() -> Extraction:
    return extract(read_article(SEED))


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus, built once for the whole session. Read-only for every test: a test
    that changes a store copies this one first (``shutil.copytree``)."""
    path = tmp_path_factory.mktemp("seed") / "store"
    store = open_store(path, create=True)
    build_articles(store, read_articles([bundled_corpus()]))
    store.close()
    return path


@pytest.fixture()
def seed_store(seed_store_path: Path) -> Iterator[Store]:
    store = open_store(seed_store_path, read_only=True)
    yield store
    store.close()
