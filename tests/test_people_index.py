"""The index of officials kept beside the store (kg.people_index): adding articles resolves
them against only the officials they can match, with the same result as against all."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kg.article import read_article_text
from kg.build import build_articles, existing_people, extract_all, remove_article
from kg.lexicon import load_lexicon
from kg.mapping import graph_iri
from kg.people_index import open_index
from kg.resolve import resolve
from kg.store import PEOPLE_INDEX, open_store

FIRST = """---
title: Tokyo hosts Manila's defence chief
published: 2025-03-04
---
TOKYO - Defence Minister Aiko Moriyama of Japan received Philippine Defense Secretary Ramon \
Velasco in Tokyo on 3 March 2025.
"""

OTHER = """---
title: Berlin and Warsaw talk air defence
published: 2025-02-10
---
German Defence Minister Lena Brandt met Polish Defence Minister Tomasz Wrona in Berlin on \
9 February 2025.
"""

SECOND = """---
title: Japan and the Philippines plan drills
published: 2025-04-20
---
Japanese Defence Minister Moriyama told reporters on Saturday that Japan will hold naval drills \
with the Philippines in June.
"""

THIRD = """---
title: Manila reviews its ties with Tokyo
published: 2025-05-02
---
Ramon Velasco said on Thursday that the Philippines would deepen its cooperation with Japan.
"""


def _articles(*pairs: tuple[str, str]):  # noqa: ANN202 - test helper
    lexicon = load_lexicon()
    return [read_article_text(t, name=i, default_id=i, lexicon=lexicon) for i, t in pairs]


def _nquads(path: Path) -> list[str]:
    store = open_store(path, read_only=True)
    try:
        return sorted(str(q) for q in store.inner.quads_for_pattern(None, None, None, None))
    finally:
        store.close()


def _index_rows(path: Path) -> list[tuple[str, ...]]:
    db = sqlite3.connect(path / PEOPLE_INDEX)
    try:
        return sorted(db.execute("SELECT graph, iri, name, state FROM people"))
    finally:
        db.close()


@pytest.fixture()
def built(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = open_store(path, create=True)
    try:
        build_articles(store, _articles(("first", FIRST), ("other", OTHER)))
    finally:
        store.close()
    return path


def test_resolution_against_the_index_equals_resolution_against_every_official(built):
    new = extract_all(_articles(("second", SECOND), ("third", THIRD)))
    rebuilt = {graph_iri(x.article.id) for x in new}
    store = open_store(built)
    try:
        everyone = existing_people(store, rebuilt)
        index = open_index(store)
        try:
            subset = index.existing(new, rebuilt)
        finally:
            index.close()
    finally:
        store.close()
    assert sorted(p.name for p in everyone) == [
        "Aiko Moriyama",
        "Lena Brandt",
        "Ramon Velasco",
        "Tomasz Wrona",
    ]
    # only the people the new articles can match: a shared name word, a name they write
    assert sorted(p.name for p in subset) == ["Aiko Moriyama", "Ramon Velasco"]
    resolved = resolve(new, subset)
    assert resolved == resolve(new, everyone)
    second, third = resolved
    assert {e.key: e.name for e in second.entities if e.type == "Official"} == {
        "person:aiko-moriyama": "Moriyama"
    }
    assert {e.key: e.name for e in third.entities if e.type == "Official"} == {
        "person:ramon-velasco": "Ramon Velasco"
    }


def test_an_index_made_again_from_the_store_gives_the_same_build(built, tmp_path):
    again = tmp_path / "again"
    shutil.copytree(built, again)
    (again / PEOPLE_INDEX).unlink()  # the next build makes it from one scan of the store
    for path in (built, again):
        store = open_store(path)
        try:
            build_articles(store, _articles(("second", SECOND), ("third", THIRD)))
        finally:
            store.close()
    assert _nquads(built) == _nquads(again)
    assert _index_rows(built) == _index_rows(again)
    assert [r[2] for r in _index_rows(built) if r[0] == graph_iri("second")] == ["Moriyama"]


def _complete(path: Path) -> int:
    db = sqlite3.connect(path / PEOPLE_INDEX)
    try:
        return int(db.execute("SELECT complete FROM meta").fetchone()[0])
    finally:
        db.close()


def test_the_index_catches_up_with_graphs_it_missed_or_that_are_gone(built):
    before = _index_rows(built)
    assert _complete(built) == 1  # a finished build: trusted without comparing graphs
    assert {r[0] for r in before} == {graph_iri("first"), graph_iri("other")}
    store = open_store(built)
    try:
        index = open_index(store)
        index.forget([graph_iri("first")])  # as if killed after the store took the batch
        index.close()
        assert _complete(built) == 0  # a build that did not finish leaves it to be compared
        assert {r[0] for r in _index_rows(built)} == {graph_iri("other")}
        open_index(store).close()
        assert _index_rows(built) == before
        # a graph gone from the store behind the index's back is forgotten
        store.update(f"DROP GRAPH <{graph_iri('other')}>", keep_people_index=True)
        open_index(store).close()
    finally:
        store.close()
    assert _index_rows(built) == [r for r in before if r[0] == graph_iri("first")]


def test_writes_outside_the_build_delete_the_index_and_the_next_build_makes_it(built, tmp_path):
    index = built / PEOPLE_INDEX
    store = open_store(built)
    try:
        store.update(
            "INSERT DATA { GRAPH <https://w3id.org/defense-kg/graph/note> "
            '{ <https://w3id.org/defense-kg/id/person/x> <http://www.w3.org/2000/01/rdf-schema#label> "X" } }'
        )
        assert not index.exists()
        build_articles(store, _articles(("second", SECOND)))
        assert index.exists()
        store.add_nquads([b""])  # kg load's path
        assert not index.exists()
    finally:
        store.close()


def test_removing_an_article_forgets_only_its_rows(built, tmp_path):
    store = open_store(built)
    try:
        remove_article(store, "other")
    finally:
        store.close()
    assert _complete(built) == 1
    rows = _index_rows(built)
    assert {r[0] for r in rows} == {graph_iri("first")}
    (built / PEOPLE_INDEX).unlink()  # made again from the store: the same rows
    store = open_store(built)
    try:
        open_index(store).close()
    finally:
        store.close()
    assert _index_rows(built) == rows


def test_a_damaged_index_is_made_again(built):
    before = _index_rows(built)
    (built / PEOPLE_INDEX).write_bytes(b"\x00 not a database \xff" * 100)
    store = open_store(built)
    try:
        build_articles(store, _articles(("third", THIRD)))
    finally:
        store.close()
    rows = _index_rows(built)
    assert [r for r in rows if r[0] != graph_iri("third")] == before
    assert [r[2] for r in rows if r[0] == graph_iri("third")] == ["Ramon Velasco"]


def test_an_index_that_cannot_be_used_is_one_line_and_the_build_writes_nothing(built, tmp_path):
    index = built / PEOPLE_INDEX
    index.unlink()
    index.mkdir()  # a folder where the file should be: SQLite cannot open it
    before = _nquads(built)
    text = tmp_path / "second.txt"
    text.write_text(SECOND, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", str(text), "--store", str(built)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr.splitlines() == [
        f"Error: {index}: the index of officials cannot be used (unable to open database "
        "file); delete it and the next build makes it again"
    ]
    assert _nquads(built) == before
