"""kg validate: compiled span checks and pySHACL report exactly what pySHACL alone reports."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import SEED_ID

from kg.backends import opened
from kg.export import union_graph
from kg.validate import compile_shapes, shapes_graph, validate_graph, validate_store

ART = f"dkgr:article\\/{SEED_ID}"
EV = f"dkgr:article\\/{SEED_ID}\\/evidence\\/"
# One update that breaks every constraint kind the shapes use, through kg's own writes (so
# the union default graph is maintained as in any store).
BREAK = f"""
PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
INSERT DATA {{ GRAPH dkgg:{SEED_ID} {{
  {EV}2854-3090 nif:endIndex 9999 .
  dkgr:event\\/x1 a dkg:Meeting ; dkg:evidence {EV}bad1, {EV}bad2, "not a span" .
  {EV}bad1 a dkg:Evidence ; nif:beginIndex 10 ; nif:endIndex 5 ; nif:anchorOf "abcde" ;
      dkg:inArticle {ART} .
  {EV}bad2 a dkg:Evidence ; nif:beginIndex -1 ; nif:endIndex "seven" ; dkg:inArticle "an article" .
  {EV}bad3 a dkg:Evidence ; nif:beginIndex 0 ; nif:endIndex 3 ; nif:anchorOf "xyz" ;
      dkg:inArticle {ART} .
  dkgr:sentence\\/s1 a dkg:Sentence ; nif:beginIndex 0 ; nif:endIndex 1 ; nif:anchorOf "a"@en .
  dkgr:state\\/XXX a dkg:State .
  dkgr:person\\/p1 a dkg:Official .
}} }}
"""


@pytest.fixture(scope="module")
def broken(seed_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kg.query import run_update

    path = tmp_path_factory.mktemp("broken") / "store"
    shutil.copytree(seed_store_path, path)
    with opened(path, lazy=True) as store:
        run_update(store, BREAK, timeout=120)
    return path


def test_most_shapes_compile_and_the_rest_go_to_pyshacl() -> None:
    checks, compiled, others = compile_shapes(shapes_graph())
    names = sorted(str(s).rsplit("#", 1)[-1] for s in others)
    assert names == ["ClaimShape", "EventShape", "StateShape"]
    assert len(compiled) == 10
    assert len(checks) == 57


def test_the_seed_conforms(seed_store_path: Path) -> None:
    with opened(seed_store_path, read_only=True) as store:
        report = validate_store(store)
        assert report.violations == []
        assert report.triples == len(union_graph(store))


def test_every_violation_kind_is_reported_as_pyshacl_reports_it(broken: Path) -> None:
    with opened(broken, read_only=True) as store:
        fast = validate_store(store).violations
        slow = validate_graph(union_graph(store))
    assert fast == slow
    kinds = Counter((v.path or "").rsplit("#", 1)[-1] + " | " + v.message for v in fast)
    offsets = "must satisfy end > begin and end - begin = length of nif:anchorOf."
    assert kinds == Counter(
        {
            "endIndex | A span needs exactly one nif:endIndex (xsd:integer).": 3,
            "anchorOf | A span needs exactly one nif:anchorOf (xsd:string).": 3,
            "inArticle | A span needs exactly one dkg:inArticle.": 3,
            "evidence | Needs at least one dkg:evidence (an IRI of a text span).": 3,
            "beginIndex | A span needs exactly one nif:beginIndex, an xsd:integer >= 0.": 2,
            f" | Span offsets 2854-9999 {offsets}": 1,
            f" | Span offsets 10-5 {offsets}": 1,
            " | nif:anchorOf is not the article text between offsets 2854 and 9999.": 1,
            " | nif:anchorOf is not the article text between offsets 10 and 5.": 1,
            " | nif:anchorOf is not the article text between offsets 0 and 3.": 1,
            "label | Needs an rdfs:label.": 1,
            "label | A dkg:State needs exactly one rdfs:label.": 1,
            "iso3 | A dkg:State needs exactly one dkg:iso3: three capital letters (xsd:string).": 1,
            " | An evidence span needs one begin and end offset, one quote and one article.": 1,
        }
    )


def test_the_cli_prints_each_violation_and_exits_1(broken: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["validate", "--store", str(broken)])
    assert result.exit_code == 1
    assert result.stderr == "Error: 23 SHACL violation(s)\n"
    assert len(result.stdout.splitlines()) == 23
    bad1 = f"https://w3id.org/defense-kg/id/article/{SEED_ID}/evidence/bad1"
    assert (
        f"Violation: {bad1} : Span offsets 10-5 must satisfy end > begin and end - begin = "
        "length of nif:anchorOf." in result.stdout.splitlines()
    )
