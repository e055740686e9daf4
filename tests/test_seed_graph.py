"""The seed graph answers every competency question (named queries) with exact rows."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import SEED_ID

from kg.export import union_graph
from kg.query import named_queries, run_on_store
from kg.store import Store
from kg.validate import validate_graph


def rows(store: Store, name: str, **params: str) -> list[tuple[str | None, ...]]:
    table = run_on_store(store.inner, named_queries()[name].text, params or None)
    return list(table.rows)


def test_named_queries_open_with_their_question() -> None:
    queries = named_queries()
    assert sorted(queries) == [
        "cq01_meetings", "cq02_agreements", "cq03_exercise", "cq04_areas", "cq05_visits",
        "cq06_statements", "cq07_claims", "cq08_state_roles", "cq09_evidence", "cq10_timeline",
    ]  # fmt: skip
    for query in queries.values():
        assert query.text.startswith("# ") and query.question.endswith((")", "?", "last"))


def test_cq1_who_met_whom_when_where(seed_store: Store) -> None:
    assert rows(seed_store, "cq01_meetings") == [
        ("Meeting between Japan and South Korea", "Nobuo Kishi", "JPN", "--01-30", "Yokosuka"),
        ("Meeting between Japan and South Korea", "Suh Wook", "KOR", "--01-30", "Yokosuka"),
    ]


def test_cq2_the_six_agreements_with_evidence(seed_store: Store) -> None:
    found = rows(seed_store, "cq02_agreements")
    agreements = sorted({r[1] for r in found})
    assert [a.split(",")[0][:60].strip() for a in agreements] == [
        "achieve complete denuclearization of the Korean Peninsula",
        "activate personnel and unit exchanges to enhance mutual unde",
        "hold regular ministerial visits and meetings",
        "our two countries will cooperate to maintain regional peace",
        "resume joint maritime search and rescue exercises and enhanc",
        "seek cooperation in areas ranging from artificial intelligen",
    ]
    evidence = {r[1]: r[2] for r in found}
    assert evidence[agreements[2]].startswith(
        "As part of these efforts, Japan and South Korea agreed"
    )
    assert all(r[0] == "Meeting between Japan and South Korea" for r in found)


def test_cq3_exercise_to_resume(seed_store: Store) -> None:
    assert rows(seed_store, "cq03_exercise") == [
        (
            "joint maritime search and rescue exercises", "agreed", "maritime", "humanitarian",
            "2017", "Japan’s plan to display the Rising Sun flag", "2018",
        )
    ]  # fmt: skip


def test_cq4_cooperation_areas(seed_store: Store) -> None:
    assert rows(seed_store, "cq04_areas") == [("artificial intelligence",), ("space",)]


def test_cq5_visits(seed_store: Store) -> None:
    assert rows(seed_store, "cq05_visits") == [
        ("Visit by Nobuo Kishi to South Korea", "South Korea", "planned"),
        (
            "Visit by Suh Wook to Japan Maritime Self-Defense Force base in Yokosuka",
            "Japan Maritime Self-Defense Force base in Yokosuka",
            "held",
        ),
    ]


def test_cq6_statements_and_speakers(seed_store: Store) -> None:
    found = rows(seed_store, "cq06_statements")
    assert [(r[0], r[1]) for r in found] == [
        (
            "Joint press release by Ministry of Defense of South Korea",
            "Ministry of Defense of South Korea",
        ),
        ("Press conference by Nobuo Kishi", "Nobuo Kishi"),
    ]
    assert found[0][2] is not None and found[0][2].startswith("Both ministers agreed to activate")
    assert found[1][2] is not None and found[1][2].startswith(
        "During this meeting, we exchanged views"
    )


def test_cq7_claims_by_source(seed_store: Store) -> None:
    found = rows(seed_store, "cq07_claims")
    by_source: dict[str, set[str]] = {}
    for source, _kind, _claim, state in found:
        by_source.setdefault(source or "", set()).add(state or "")
    assert by_source == {
        "Reuters": {"Japan", "South Korea", "United States"},
        "some analysts": {"China", "Japan", "North Korea", "South Korea", "United States"},
        "some East Asian studies scholars": {"China", "Japan", "North Korea", "South Korea"},
    }
    assert {r[1] for r in found} == {"analysis", "historical context"}


def test_cq8_state_roles(seed_store: Store) -> None:
    assert rows(seed_store, "cq08_state_roles") == [
        ("CHN", "target"),
        ("JPN", "framework member"),
        ("JPN", "party"),
        ("KOR", "framework member"),
        ("KOR", "party"),
        ("PRK", "target"),
        ("USA", "ally"),
        ("USA", "framework member"),
    ]


def test_cq9_evidence_for_one_fact(seed_store: Store) -> None:
    visit = f"https://w3id.org/defense-kg/id/article/{SEED_ID}/event/visit-2038"
    assert rows(seed_store, "cq09_evidence", subject=visit) == [
        (
            visit,
            "Visit by Nobuo Kishi to South Korea",
            "Kishi announced that he will visit South Korea next.",
            "2009",
            "2061",
            "Kishi announced that he will visit South Korea next.",
            SEED_ID,  # offsets count characters of this article's text
            None,  # the seed article gives no source URL
        )
    ]


def test_cq10_timeline_dated_first_undated_last(seed_store: Store) -> None:
    found = rows(seed_store, "cq10_timeline")
    dated = [(r[2], r[3], r[5]) for r in found if r[2]]
    assert dated == [
        ("2017", "Exercise", "held"),
        ("2018", "Exercise", "suspended"),
        ("2018", "Incident", "held"),
        ("--01-30", "Meeting", "held"),
        ("--01-30", "Agreement", "agreed"),
        ("--01-30", "Agreement", "agreed"),
        ("--01-30", "Agreement", "agreed"),
        ("--01-30", "Agreement", "agreed"),
    ]
    undated = [(r[3], r[4], r[5]) for r in found if not r[2]]
    assert ("Visit", "Visit by Nobuo Kishi to South Korea", "planned") in undated
    assert all(r[0] == "JPN" and r[1] == "KOR" for r in found)
    assert rows(seed_store, "cq10_timeline", state1="KOR", state2="JPN") == found
    assert rows(seed_store, "cq10_timeline", state1="CHN", state2="USA") == []


def test_graph_conforms_to_shapes(seed_store: Store) -> None:
    assert validate_graph(union_graph(seed_store)) == []


def test_every_evidence_quote_matches_the_article_body(seed_store: Store) -> None:
    query = """
    PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
    PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
    SELECT ?quote ?start ?end ?body WHERE {
      ?ev a dkg:Evidence ; nif:anchorOf ?quote ; nif:beginIndex ?start ; nif:endIndex ?end ;
          dkg:inArticle/nif:isString ?body .
    }"""
    result = seed_store.query(query)
    count = 0
    for solution in result:
        body = solution["body"].value
        assert (
            body[int(solution["start"].value) : int(solution["end"].value)]
            == solution["quote"].value
        )
        count += 1
    assert count == 95
    # every entity, event, agreement and claim has evidence
    missing = seed_store.query("""
    PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
    SELECT ?x WHERE {
      ?x a ?c . VALUES ?c { dkg:State dkg:Official dkg:Organization dkg:Place dkg:Region dkg:Meeting
        dkg:Visit dkg:Exercise dkg:Agreement dkg:Statement dkg:Incident dkg:Claim dkg:Commentator }
      FILTER NOT EXISTS { ?x dkg:evidence ?e }
    }""")
    assert list(missing) == []


def test_one_named_graph_no_blank_nodes_and_typed_dates(seed_store: Store) -> None:
    assert seed_store.article_graphs() == [f"https://w3id.org/defense-kg/graph/{SEED_ID}"]
    for quad in seed_store.quads():
        assert not isinstance(quad.subject, ox.BlankNode) and not isinstance(
            quad.object, ox.BlankNode
        )
    dates = {
        (s["d"].value, s["d"].datatype.value.rsplit("#", 1)[-1])
        for s in seed_store.query(
            "SELECT ?d WHERE { ?e <https://w3id.org/defense-kg/ontology#date>|"
            "<https://w3id.org/defense-kg/ontology#lastHeld> ?d }"
        )
    }
    assert dates == {("--01-30", "gMonthDay"), ("2017", "gYear"), ("2018", "gYear")}


def test_article_node_holds_text_and_sources(seed_store: Store) -> None:
    result = list(
        seed_store.query(
            f"""PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
            PREFIX nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#>
            SELECT ?src WHERE {{ <https://w3id.org/defense-kg/id/article/{SEED_ID}> nif:isString ?t ;
            dkg:citesSource/<http://www.w3.org/2000/01/rdf-schema#label> ?src }} ORDER BY ?src"""
        )
    )
    assert [r["src"].value for r in result] == ["Reuters", "Yonhap News Agency"]


@pytest.mark.parametrize("name", sorted(named_queries()))
def test_named_queries_parse_standalone(name: str, tmp_path: Path) -> None:
    """Each .rq declares its own prefixes, so other tools (roqet, Fuseki) can run it as is."""
    ox.Store().query(named_queries()[name].text)
