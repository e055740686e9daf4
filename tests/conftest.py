"""Shared fixtures: the bundled seed article built once into a temporary store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.article import read_article
from kg.build import build_articles, bundled_corpus, read_articles
from kg.extract import extract
from kg.records import Extraction
from kg.store import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "corpus" / "000_83c0c4f066b0d405.txt"
SEED_ID = "000_83c0c4f066b0d405"


@pytest.fixture(scope="session")
def seed_extraction() -> Extraction:
    return extract(read_article(SEED))


@pytest.fixture(scope="session")
def seed_store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
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
