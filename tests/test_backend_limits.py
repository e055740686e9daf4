"""The embedded store enforces its own time limit behind the Backend methods (issue 11, 4).

``Store.query`` and ``Store.update`` with a ``timeout`` run in a sandboxed child: the answers
are the in-process answers, a runaway operation stops at the limit, and a stopped update
leaves the store as it was. A lazily opened handle holds the locks without Oxigraph.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.query import QueryError
from kg.store import Backend, Store, open_store

ID = "https://w3id.org/defense-kg/id/"
CROSS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


@pytest.fixture(scope="module")
def big(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("limits")
    data = folder / "big.nt"
    data.write_text(
        "".join(f"<{ID}n{i}> <{ID}p{i % 7}> <{ID}n{(i * 31) % 3000}> .\n" for i in range(3000))
    )
    store = folder / "store"
    assert CliRunner().invoke(main, ["load", str(data), "--store", str(store)]).exit_code == 0
    return store


def everything(path: Path) -> set[ox.Quad]:
    store = open_store(path, read_only=True)
    try:
        return set(store.inner.quads_for_pattern(None, None, None, None))
    finally:
        store.close()


@pytest.mark.parametrize(
    "text",
    [
        f"SELECT ?o ?p WHERE {{ <{ID}n1> ?p ?o }}",
        f"ASK {{ <{ID}n1> ?p ?o }}",
        f"CONSTRUCT WHERE {{ <{ID}n2> ?p ?o }}",
        f"SELECT ?x WHERE {{ VALUES ?x {{ 'a'@en 1 <{ID}n3> }} }}",
    ],
)
def test_a_limited_query_answers_as_the_unlimited_one(big: Path, text: str) -> None:
    store = open_store(big, read_only=True, lazy=True)
    try:
        assert isinstance(store, Backend)
        limited = store.query(text, timeout=30)
        assert store._handle is None  # the child opened the store, not this process
        plain = store.query(text)
        if isinstance(plain, ox.QueryBoolean):
            assert isinstance(limited, ox.QueryBoolean) and bool(limited) == bool(plain)
        elif isinstance(plain, ox.QuerySolutions):
            assert isinstance(limited, ox.QuerySolutions)
            assert [v.value for v in limited.variables] == [v.value for v in plain.variables]
            assert [list(s) for s in limited] == [list(s) for s in plain]
        else:
            triples = list(limited)
            assert all(isinstance(t, ox.Triple) for t in triples)
            assert sorted(map(str, triples)) == sorted(map(str, plain))
            assert [str(t.object) for t in triples] == [f"<{ID}n62>"]
    finally:
        store.close()


def test_a_runaway_query_stops_at_the_backends_limit(big: Path) -> None:
    store = open_store(big, read_only=True, lazy=True)
    try:
        with pytest.raises(QueryError) as info:
            store.query(CROSS, timeout=1)
        assert (str(info.value), info.value.exit_code) == (
            "query stopped after the 1 s time limit (--timeout)",
            1,
        )
    finally:
        store.close()


def test_a_runaway_update_stops_and_changes_nothing(big: Path) -> None:
    before = everything(big)
    store = open_store(big, lazy=True)
    try:
        with pytest.raises(QueryError) as info:
            store.update(
                "INSERT { GRAPH <https://w3id.org/defense-kg/graph/x> { ?a ?b ?f } } "
                "WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
                timeout=1,
            )
        assert str(info.value) == "update stopped after the 1 s time limit (--timeout)"
    finally:
        store.close()
    assert everything(big) == before


def test_a_limited_update_is_committed(tmp_path: Path, big: Path) -> None:
    import shutil

    path = tmp_path / "store"
    shutil.copytree(big, path)
    store = open_store(path, lazy=True)
    try:
        store.update(
            f"INSERT DATA {{ GRAPH <https://w3id.org/defense-kg/graph/x> {{ <{ID}a> <{ID}b> 1 }} }}",
            timeout=30,
        )
    finally:
        store.close()
    assert len(everything(path)) == len(everything(big)) + 1


def test_a_closed_store_says_so_instead_of_reopening(big: Path) -> None:
    store = open_store(big, read_only=True)
    store.close()
    with pytest.raises(Exception, match="the store was closed"):
        store.inner  # noqa: B018
    assert isinstance(Store(big), Backend)
