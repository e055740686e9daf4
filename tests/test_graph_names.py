"""Graph names: checked in one place, escaped wherever they enter SPARQL or a Graph Store URL."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.graphname import GraphNameError, file_graph_name, graph_iri, gsp_query, sparql_iri
from kg.store import drop_graph_update, replace_graph_update

G = "https://w3id.org/defense-kg/graph/"
TRIPLE = "<https://w3id.org/defense-kg/id/state/KOR> <http://www.w3.org/2000/01/rdf-schema#comment> _:b .\n"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit)
    return result.exit_code, result.stdout, result.stderr


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


BAD_NAMES = [
    ("", "graph name '': empty"),
    ("a b", "graph name 'a b': a space is not allowed in an IRI"),
    ("x> <y", "graph name 'x> <y': '>' is not allowed in an IRI"),
    ("a\nb", "graph name 'a\\nb': control character U+000A is not allowed"),
    ("a\x1bb", "graph name 'a\\x1bb': control character U+001B is not allowed"),
    ("{", "graph name '{': '{' is not allowed in an IRI"),
    ("%zz", "graph name '%zz': '%zz' is not a %XX escape"),
    ("a%2", "graph name 'a%2': '%2' is not a %XX escape"),
    ('a"b', "graph name 'a\"b': '\"' is not allowed in an IRI"),
    ("a\\b", "graph name 'a\\\\b': '\\\\' is not allowed in an IRI"),
    ("a|b^c", "graph name 'a|b^c': '|' is not allowed in an IRI"),
    ("a`b", "graph name 'a`b': '`' is not allowed in an IRI"),
    ("a\ufffeb", "graph name 'a\\ufffeb': code point U+FFFE is not allowed"),
    ("a\u2028", "graph name 'a\\u2028': code point U+2028 is not allowed"),
    ("a\ue000", "graph name 'a\\ue000': not a valid IRI (Invalid IRI code point '\\ue000')"),
]


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_bad_graph_names_are_refused(name: str, message: str) -> None:
    with pytest.raises(GraphNameError) as caught:
        graph_iri(name)
    assert str(caught.value) == message
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(("name", "message"), BAD_NAMES)
def test_load_graph_option_refuses_bad_names(tmp_path: Path, name: str, message: str) -> None:
    data = tmp_path / "data.nt"
    data.write_text(TRIPLE)
    store = tmp_path / "store"
    assert run("load", str(data), "--graph", name, "--store", str(store)) == (
        2,
        "",
        f"Error: {message}\n",
    )
    assert not store.exists()  # refused before the store is opened
    # with an endpoint: refused before any request (nothing listens there; a request would
    # fail with "unreachable")
    url = f"http://127.0.0.1:{free_port()}"
    assert run("load", str(data), "--graph", name, "--endpoint", url) == (
        2,
        "",
        f"Error: {message}\n",
    )


def test_remove_and_export_refuse_bad_names(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    assert run("remove", "x> <y", "--endpoint", url) == (
        2, "", "Error: graph name 'x> <y': '>' is not allowed in an IRI\n"
    )  # fmt: skip
    store = tmp_path / "store"
    assert run("remove", "a b", "--store", str(store)) == (
        2, "", "Error: graph name 'a b': a space is not allowed in an IRI\n"
    )  # fmt: skip
    assert not store.exists()
    assert run("export", "--format", "nquads", "--article", "a\nb", "--endpoint", url) == (
        2, "", "Error: graph name 'a\\nb': control character U+000A is not allowed\n"
    )  # fmt: skip


def test_a_file_name_with_a_space_loads_lists_and_removes(tmp_path: Path) -> None:
    data = tmp_path / "my data.nt"
    data.write_text(TRIPLE)
    store = ["--store", str(tmp_path / "store")]
    code, _, err = run("load", str(data), *store)
    assert (code, err) == (0, f"Loaded {data} into <{G}my%20data> (1 triples)\n")
    code, out, _ = run("list", "--format", "csv", *store)
    assert out == "article,kind,published,triples,title\nmy%20data,loaded,,1,\n"
    code, out, _ = run("export", "--format", "nquads", *store)
    assert out == (
        "<https://w3id.org/defense-kg/id/state/KOR> <http://www.w3.org/2000/01/rdf-schema#comment> "
        f"<{G}my%20data/.well-known/genid/0> <{G}my%20data> .\n"
    )
    assert run("remove", "my%20data", *store) == (0, "", "Removed my%20data (1 triples)\n")
    assert run("list", "--format", "csv", *store)[1] == "article,kind,published,triples,title\n"


def test_file_graph_names_are_safe_deterministic_and_distinct() -> None:
    stems = ["my data", "my%20data", "a>b", "x\ny", "données", "a{b}", "\udcff", "plain-name_1.v2~"]
    names = [file_graph_name(s) for s in stems]
    assert names == [
        "my%20data",
        "my%2520data",
        "a%3Eb",
        "x%0Ay",
        "données",
        "a%7Bb%7D",
        "%FF",
        "plain-name_1.v2~",
    ]
    assert all(graph_iri(n) == G + n for n in names)


def test_graph_iris_enter_sparql_and_urls_escaped() -> None:
    graph = graph_iri("my%20data")
    assert sparql_iri(graph) == f"<{G}my%20data>"
    assert drop_graph_update(graph).count(f"<{G}my%20data>") == 3
    assert replace_graph_update(graph, []).count(f"<{G}my%20data>") == 4
    assert gsp_query(graph) == "graph=https%3A%2F%2Fw3id.org%2Fdefense-kg%2Fgraph%2Fmy%2520data"
    for unchecked in (G + "x> <y", G + "a b", G + "a\n"):  # a name that skipped graph_iri
        with pytest.raises(GraphNameError):
            drop_graph_update(unchecked)
        with pytest.raises(GraphNameError):
            gsp_query(unchecked)
