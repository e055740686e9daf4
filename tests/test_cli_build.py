"""The build command end to end: outputs, determinism, the public tables and bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from conftest import ROOT, SEED, SEED_ID

from kg.cli import main

ENTITY_KEYS = [
    "id", "type", "name", "aliases", "iso3", "state", "role", "wikidata", "articles", "basis",
]  # fmt: skip
EVENT_KEYS = [
    "id", "article", "type", "label", "date", "date_precision", "date_start", "date_end",
    "states", "source", "target", "participants", "location", "status", "plover", "quad_class",
    "cameo", "evidence", "basis",
]  # fmt: skip


def build(tmp_path: Path, *paths: str, out: str = "out") -> tuple[int, str, str]:
    runner = CliRunner()
    result = runner.invoke(
        main, ["build", *paths, "--store", str(tmp_path / "store"), "--out", str(tmp_path / out)]
    )
    return result.exit_code, result.stdout, result.stderr


def test_build_writes_turtle_and_trig_byte_identically(tmp_path: Path) -> None:
    code, _, err = build(tmp_path)
    assert code == 0, err
    first = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    assert sorted(first) == ["defense-kg.trig", "defense-kg.ttl"]
    code, _, _ = build(tmp_path, out="again")
    second = {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir()}
    assert first == second
    assert b"ns1:" not in first["defense-kg.ttl"]
    assert b"_:" not in first["defense-kg.ttl"]
    graph = ox.Store()
    graph.load(first["defense-kg.trig"], format=ox.RdfFormat.TRIG)
    assert [g.value for g in graph.named_graphs()] == [
        f"https://w3id.org/defense-kg/graph/{SEED_ID}"
    ]


def test_export_tables_have_the_documented_fields(tmp_path: Path) -> None:
    assert build(tmp_path)[0] == 0
    runner = CliRunner()
    store = str(tmp_path / "store")
    entities = [
        json.loads(line)
        for line in runner.invoke(
            main, ["export", "--store", store, "--format", "entities"]
        ).stdout.splitlines()
    ]
    assert all(list(e) == ENTITY_KEYS for e in entities)
    by_name = {e["name"]: e for e in entities}
    assert by_name["Nobuo Kishi"] == {
        "id": "https://w3id.org/defense-kg/id/person/nobuo-kishi",
        "type": "Official",
        "name": "Nobuo Kishi",
        "aliases": ["Kishi"],
        "iso3": None,
        "state": "JPN",
        "role": "Defense Minister",
        "wikidata": None,
        "articles": [SEED_ID],
        "basis": [
            {"article": SEED_ID, "rule": "adjective", "inferred": False, "state": "JPN",
             "start": 404, "end": 412, "quote": "Japanese"}
        ],
    }  # fmt: skip
    assert by_name["South Korea"]["iso3"] == "KOR" and by_name["South Korea"]["wikidata"] == "Q884"
    assert {e["type"] for e in entities} == {"State", "Official", "Organization", "Place"}
    events = [
        json.loads(line)
        for line in runner.invoke(
            main, ["export", "--store", store, "--format", "events"]
        ).stdout.splitlines()
    ]
    assert all(list(e) == EVENT_KEYS for e in events)
    meeting = next(e for e in events if e["type"] == "Meeting")
    assert (
        meeting["date"],
        meeting["states"],
        meeting["location"],
        meeting["status"],
        meeting["plover"],
    ) == ("--01-30", ["JPN", "KOR"], "Yokosuka", "held", "CONSULT")
    assert meeting["participants"] == ["Nobuo Kishi", "Suh Wook"]
    assert (
        meeting["date_precision"],
        meeting["source"],
        meeting["quad_class"],
        meeting["cameo"],
    ) == ("month-day", None, "verbal cooperation", "040")
    body = SEED.read_text(encoding="utf-8")
    for event in events:
        for ev in event["evidence"]:
            assert body[ev["start"] : ev["end"]] == ev["text"]
    assert sorted({e["type"] for e in events}) == [
        "Agreement", "Claim", "Exercise", "Incident", "Meeting", "Statement", "Visit",
    ]  # fmt: skip


def test_validate_passes_then_fails_on_a_broken_graph(tmp_path: Path) -> None:
    assert build(tmp_path)[0] == 0
    runner = CliRunner()
    ok = runner.invoke(main, ["validate", "--store", str(tmp_path / "store")])
    assert ok.exit_code == 0 and "0 violations" in ok.stdout
    store = ox.Store(str(tmp_path / "store"))
    store.add(
        ox.Quad(
            ox.NamedNode("https://w3id.org/defense-kg/id/state/XXX"),
            ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
            ox.NamedNode("https://w3id.org/defense-kg/ontology#State"),
            ox.NamedNode(f"https://w3id.org/defense-kg/graph/{SEED_ID}"),
        )
    )
    store.flush()
    del store
    bad = runner.invoke(main, ["validate", "--store", str(tmp_path / "store")])
    assert bad.exit_code == 1
    assert "state/XXX" in bad.stdout
    assert bad.stderr.strip().endswith("SHACL violation(s)")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "file is empty"),
        (b"\x00\x01\x02binary\xff", "binary"),
        (b"Seoul \xff\xfe and Tokyo", "not valid UTF-8"),
    ],
)
def test_bad_article_fails_cleanly_and_changes_nothing(
    tmp_path: Path, content: bytes, expected: str
) -> None:
    assert build(tmp_path)[0] == 0
    before = sorted((p.name, p.stat().st_size) for p in (tmp_path / "store").iterdir())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    code, _, err = build(tmp_path, str(bad), out="bad-out")
    assert code == 1
    assert err.count("\n") == 1 and expected in err and "Traceback" not in err
    assert not (tmp_path / "bad-out").exists()
    assert sorted((p.name, p.stat().st_size) for p in (tmp_path / "store").iterdir()) == before


def test_huge_missing_and_not_a_store(tmp_path: Path) -> None:
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.write(b"Defense ministers met in Seoul. " * (50 * 1024 * 1024 // 32))
    code, _, err = build(tmp_path, str(huge))
    assert code == 1 and "larger than the 5 MB limit" in err and err.count("\n") == 1
    code, _, err = build(tmp_path, str(tmp_path / "missing.txt"))
    assert code == 1 and "no such file" in err
    not_store = tmp_path / "photos"
    not_store.mkdir()
    (not_store / "holiday.jpg").write_bytes(b"\xff\xd8")
    result = CliRunner().invoke(
        main, ["build", "--store", str(not_store), "--out", str(tmp_path / "o")]
    )
    assert result.exit_code == 1 and "not a defense-kg store" in result.stderr
    assert sorted(p.name for p in not_store.iterdir()) == ["holiday.jpg"]
    assert not (tmp_path / "o").exists()


def test_installed_command_runs_as_a_real_process(tmp_path: Path) -> None:
    env = {**os.environ, "KG_STORE": str(tmp_path / "store")}
    done = subprocess.run(
        [sys.executable, "-m", "kg", "build", "--out", str(tmp_path / "g")],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Built 1 article(s)" in done.stderr
    listed = subprocess.run(
        [sys.executable, "-m", "kg", "query", "--name", "cq04_areas", "--format", "csv"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert listed.stdout == "area\nartificial intelligence\nspace\n"


def test_a_person_without_a_state_in_one_article_and_with_one_in_another(tmp_path: Path) -> None:
    """Three builds into one store: "Defense Minister X" without a state, then "Japanese
    Defense Minister X", then an article that names X without a title beside Japan. The third
    build reads people known with and without a state (it used to fail with a TypeError) and
    recognises X with the state another article gave (inferred, basis known-official)."""
    texts = {
        "a": "Defense Minister Emi Takeda spoke to reporters on Monday about the budget.",
        "b": "Japanese Defense Minister Emi Takeda visited Fiji on Tuesday and met Fiji's "
        "Defence Minister Jone Vakaloa in Suva.",
        "c": "Emi Takeda met Australian Defence Minister Ruth Hallam in Canberra on Friday to "
        "discuss Japan's role in the region.",
    }
    store = tmp_path / "store"
    runner = CliRunner()
    for name, body in texts.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(f"---\ntitle: {name}\npublished: 2025-03-1{len(name)}\n---\n{body}\n")
        result = runner.invoke(main, ["build", str(path), "--store", str(store)])
        assert result.exit_code == 0, result.output
    query = (
        "SELECT ?g ?s ?rule WHERE { GRAPH ?g { <https://w3id.org/defense-kg/id/person/"
        "emi-takeda> a <https://w3id.org/defense-kg/ontology#Official> . OPTIONAL { "
        "<https://w3id.org/defense-kg/id/person/emi-takeda> "
        "<https://w3id.org/defense-kg/ontology#ofState> ?s ; "
        "<https://w3id.org/defense-kg/ontology#attribution>/"
        "<https://w3id.org/defense-kg/ontology#basisRule> ?rule } } } ORDER BY ?g"
    )
    result = runner.invoke(main, ["query", query, "--store", str(store), "--format", "tsv"])
    assert result.exit_code == 0, result.output
    rows = [line.split("\t") for line in result.stdout.splitlines()[1:]]
    state = "<https://w3id.org/defense-kg/id/state/JPN>"
    assert [(g.rsplit("/", 1)[-1], s, r) for g, s, r in rows] == [
        ("a>", "", ""),
        ("b>", state, '"adjective"'),
        ("c>", state, '"known-official"'),
    ]
