"""Network views and analyses (kg.network, ``kg network ...``) on the bundled seed article.

Expected values were counted by hand from ``kg export --format events`` and the seed's Turtle.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kg.backends import opened
from kg.cli import main
from kg.export import events as export_events
from kg.network import (
    EVENT_TYPES,
    NODE_TYPES,
    NetworkError,
    centrality,
    communities,
    date_key,
    ego_view,
    full_view,
    neighbors,
    officials_view,
    resolve,
    shortest_path,
    states_view,
    timeline,
    view,
)
from kg.store import Store, open_store

ID = "https://w3id.org/defense-kg/id/"
SEED = "000_83c0c4f066b0d405"
EVENT = f"{ID}article/{SEED}/event/"
JPN, KOR, CHN, PRK, USA = (f"{ID}state/{c}" for c in ("JPN", "KOR", "CHN", "PRK", "USA"))
KISHI, SUH = f"{ID}person/nobuo-kishi", f"{ID}person/suh-wook"


@pytest.fixture(scope="session")
def full(seed_store_path: Path) -> nx.MultiDiGraph:
    with opened(seed_store_path, read_only=True) as store:
        return full_view(store)


@pytest.fixture()
def store(seed_store_path: Path) -> Store:
    return open_store(seed_store_path, read_only=True)


# --- the full projection ------------------------------------------------------------------


NODE_VALUES = " ".join(f"dkg:{t}" for t in NODE_TYPES)
PREFIX = "PREFIX dkg: <https://w3id.org/defense-kg/ontology#>\n"
NOT_EDGES = "dkg:evidence dkg:inArticle dkg:inSentence dkg:mentions"


def _rows(store: Store, query: str) -> list[tuple[str, ...]]:
    result = store.query(PREFIX + query)
    return [tuple(sol[v].value for v in result.variables) for sol in result]


def _sparql_edges(store: Store) -> Counter[str]:
    """Object-property triples between two typed entities or events, counted by property."""
    rows = _rows(
        store,
        f"""SELECT DISTINCT ?s ?p ?o WHERE {{
          ?s ?p ?o . ?s a ?st . ?o a ?ot .
          VALUES ?st {{ {NODE_VALUES} }} VALUES ?ot {{ {NODE_VALUES} }}
          FILTER(?p NOT IN ({", ".join(NOT_EDGES.split())}))
        }}""",
    )
    return Counter(p.rsplit("#", 1)[-1] for _, p, _ in rows)


def test_full_view_has_entities_and_events_as_nodes_and_literals_as_attributes(full, store):
    typed = _rows(store, f"SELECT DISTINCT ?s WHERE {{ ?s a ?t VALUES ?t {{ {NODE_VALUES} }} }}")
    assert sorted(full) == sorted(s for (s,) in typed)
    assert dict(Counter(k for _, _, k in full.edges(keys=True))) == dict(_sparql_edges(store))
    types = Counter(t for _, t in full.nodes(data="type"))
    assert (types["State"], types["Official"], types["Meeting"], types["BilateralRelation"]) == (
        5, 2, 1, 1
    )  # fmt: skip
    assert all(t in NODE_TYPES for t in types)
    assert all(n.startswith(ID) and "/evidence/" not in n for n in full)
    assert not [label for _, label in full.nodes(data="label") if label.startswith("http")]
    literal_like = [n for n in full if not n.startswith("https://")]
    assert literal_like == []


def test_full_view_node_attributes(full):
    meeting = full.nodes[f"{EVENT}meeting-92"]
    assert meeting["label"] == "Meeting between Japan and South Korea"
    assert (meeting["type"], meeting["date"], meeting["status"]) == ("Meeting", "--01-30", "held")
    assert (meeting["plover"], meeting["cameo"]) == ("CONSULT", "040")
    assert meeting["evidence"][0] == {
        "text": "On January 30, the Defense Minister of Japan and the Defense Minister of South "
        "Korea held a meeting in Yokosuka, Japan.",
        "article": SEED,
        "start": 0,
        "end": 119,
    }
    assert full.nodes[KOR]["iso3"] == "KOR"
    exercise = full.nodes[f"{EVENT}exercise-175"]
    assert (exercise["last_held"], exercise["halted_since"]) == ("2017", "2018")


def test_edges_carry_the_property_label_and_an_evidence_quote(full):
    edge = full.get_edge_data(KISHI, JPN, key="ofState")
    assert edge["label"] == "of state"
    assert edge["property"] == "https://w3id.org/defense-kg/ontology#ofState"
    assert edge["quote"]["text"].startswith("During the meeting, South Korean Defense Minister")
    assert "Japanese Defense Minister Nobuo Kishi" in edge["quote"]["text"]
    assert all(d["quote"] for _, _, d in full.edges(data=True))


# --- states and officials views -----------------------------------------------------------


def test_states_view_is_the_dyads_counted_by_hand(full):
    states = states_view(full)
    assert not states.is_directed()
    assert sorted(states) == [CHN, JPN, KOR, PRK, USA]
    assert list(states.edges) == [(JPN, KOR)]
    edge = states.edges[JPN, KOR]
    assert edge["weight"] == 11
    assert edge["counts"] == {
        "Meeting": 1, "Visit": 2, "Exercise": 1, "Agreement": 6, "Statement": 0, "Incident": 1
    }  # fmt: skip
    assert (edge["first"], edge["last"]) == ("2018", "--01-30")


def test_states_view_agrees_with_the_events_export(full, store):
    """Every pair of parties of each exported event (claims excluded) is one dyad count."""
    expected: Counter[tuple[str, str]] = Counter()
    for record in export_events(store):
        if record["type"] in EVENT_TYPES:
            parties = sorted(
                v.rsplit("/", 1)[-1]
                for _, v, k in full.out_edges(record["id"], keys=True)
                if k == "party"
            )
            expected.update(
                (a, b) for i, a in enumerate(parties) for b in parties[i + 1 :]
            )  # fmt: skip
    states = states_view(full)
    got = {
        tuple(sorted((states.nodes[u]["iso3"], states.nodes[v]["iso3"]))): w
        for u, v, w in states.edges(data="weight")
    }
    assert got == dict(expected) == {("JPN", "KOR"): 11}


def test_officials_view_counts_co_participation(full):
    officials = officials_view(full)
    assert sorted(officials) == [KISHI, SUH]
    edge = officials.edges[KISHI, SUH]
    assert edge["weight"] == 7
    assert edge["counts"] == {
        "Meeting": 1, "Visit": 1, "Exercise": 1, "Agreement": 4, "Statement": 0, "Incident": 0
    }  # fmt: skip


def test_ego_view_depth_one_and_two(full, store):
    around = _rows(
        store,
        f"""SELECT DISTINCT ?x WHERE {{
          {{ <{SUH}> ?p ?x }} UNION {{ ?x ?p <{SUH}> }}
          ?x a ?t VALUES ?t {{ {NODE_VALUES} }}
          FILTER(?p NOT IN ({", ".join(NOT_EDGES.split())}))
        }}""",
    )
    ego = ego_view(full, SUH, 1)
    assert sorted(ego) == sorted({SUH} | {x for (x,) in around})
    assert {full.nodes[n]["type"] for n in ego} >= {"Official", "Post", "State", "Meeting"}
    assert ego.number_of_edges() == sum(
        1 for u, v in full.edges() if u in ego and v in ego
    )  # fmt: skip
    assert ego_view(full, SUH, 2).number_of_nodes() > ego.number_of_nodes()


def test_article_view_and_view_names(store, full):
    article = view(store, f"article:{SEED}")  # the corpus is this one article
    assert (article.number_of_nodes(), article.number_of_edges()) == (
        full.number_of_nodes(), full.number_of_edges()
    )  # fmt: skip
    assert sorted(view(store, "ego:Suh Wook:1")) == sorted(ego_view(full, SUH, 1))
    with pytest.raises(NetworkError, match="no article 'nope'"):
        view(store, "article:nope")
    with pytest.raises(NetworkError, match="unknown view 'sideways'"):
        view(store, "sideways")


def test_resolve_by_iri_iso3_label_and_alias(full):
    assert resolve(full, KOR) == KOR
    assert resolve(full, "kor") == KOR
    assert resolve(full, "south korea") == KOR
    assert resolve(full, "Nobuo Kishi") == KISHI
    with pytest.raises(NetworkError, match="no entity 'Atlantis'"):
        resolve(full, "Atlantis")
    twins = nx.Graph()
    twins.add_node("a", label="Kim", type="Official")
    twins.add_node("b", label="Kim", type="Official")
    with pytest.raises(NetworkError, match="'Kim' names 2 nodes"):
        resolve(twins, "Kim")


# --- analyses -----------------------------------------------------------------------------


def test_centrality(full):
    rows = centrality(full)
    assert [(r.label, r.degree) for r in rows[:3]] == [
        ("Japan", 30), ("South Korea", 26), ("Japan – South Korea", 13)
    ]  # fmt: skip
    assert rows[0].betweenness == pytest.approx(0.433098)
    assert sum(r.pagerank for r in rows) == pytest.approx(1.0, abs=1e-4)
    assert len(centrality(full, top=5)) == 5


def test_shortest_path_with_a_quote_per_hop(full):
    hops = shortest_path(full, KISHI, CHN)
    assert [(h.source, h.edge, h.target) for h in hops] == [
        ("Nobuo Kishi", "of state →", "Japan"),
        ("Japan", "← about", "Strengthening cooperation with Japan seems to indicate that South "
         "Korea is more…"),
        ("Strengthening cooperation with Japan seems to indicate that South Korea is more…",
         "about →", "China"),
    ]  # fmt: skip
    assert hops[1].quote.startswith(
        "Strengthening cooperation with Japan seems to indicate that South Korea is more "
        "inclined to rely on the U.S.-Japan security system rather than seeking a balance "
        "between China and the U.S"
    )
    assert {h.article for h in hops} == {SEED}
    states = states_view(full)
    with pytest.raises(NetworkError, match="no path between 'Japan' and 'China'"):
        shortest_path(states, JPN, CHN)


def test_neighbors(full):
    rows = neighbors(full, SUH)
    assert [(r.direction, r.edge, r.type) for r in rows] == [
        ("out", "holds post", "Post"),
        ("out", "of state", "State"),
        ("in", "participant", "Meeting"),
        ("in", "participant", "Visit"),
        ("in", "participant", "Agreement"),
        ("in", "participant", "Agreement"),
        ("in", "participant", "Exercise"),
        ("in", "participant", "Agreement"),
        ("in", "participant", "Agreement"),
    ]
    assert rows[1].neighbor == "South Korea"


def test_communities_are_reproducible(full):
    rows = communities(full)
    assert rows == communities(full)
    assert sorted(r.node for r in rows) == sorted(full)
    community = {r.label: r.community for r in rows}
    sizes = Counter(community.values())
    assert [sizes[i] for i in sorted(sizes)] == sorted(sizes.values(), reverse=True)
    assert community["China"] == community["North Korea"] == community["United States"]
    assert community["Nobuo Kishi"] == community["Suh Wook"]
    # regions only mentioned, never linked: each is a community of its own
    assert sizes[community["Asia"]] == sizes[community["Korean Peninsula"]] == 1


def test_timeline_of_japan_and_south_korea(full):
    rows = timeline(full, JPN, KOR)
    assert [(r.date, r.kind, r.type, r.status, r.event.rsplit("/", 1)[-1]) for r in rows] == [
        ("2017", "last held", "Exercise", "held", "exercise-175"),
        ("2018", "halted since", "Exercise", "suspended", "exercise-175"),
        ("2018", "event", "Incident", "held", "incident-2352"),
        ("--01-30", "event", "Meeting", "held", "meeting-92"),
        ("--01-30", "event", "Agreement", "agreed", "agreement-125"),
        ("--01-30", "event", "Agreement", "agreed", "agreement-934"),
        ("--01-30", "event", "Agreement", "agreed", "agreement-1301"),
        ("--01-30", "event", "Agreement", "agreed", "agreement-1579"),
        ("", "event", "Exercise", "agreed", "exercise-175"),
        ("", "event", "Agreement", "agreed", "agreement-746"),
        ("", "event", "Agreement", "agreed", "agreement-1890"),
        ("", "event", "Visit", "planned", "visit-2038"),
        ("", "event", "Visit", "held", "visit-2076"),
    ]
    assert (
        rows[0].quote
        == "The last time South Korea and Japan held joint maritime exercises was in 2017."
    )
    assert timeline(full, KOR, JPN) == rows
    assert timeline(full, JPN, CHN) == []


def _event_graph(dates: dict[str, str | None]) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.add_node("A", label="A", type="State")
    graph.add_node("B", label="B", type="State")
    for offset, (name, date) in enumerate(dates.items()):
        quote = {"text": name, "article": "x", "start": offset, "end": offset + 1}
        attrs = {"label": name, "type": "Meeting", "status": "held", "evidence": [quote]}
        if date:
            attrs["date"] = date
        graph.add_node(name, **attrs)
        graph.add_edge(name, "A", key="party")
        graph.add_edge(name, "B", key="party")
    return graph


def test_timeline_orders_partial_dates_and_puts_undated_last():
    graph = _event_graph(
        {
            "undated": None,
            "yearless": "--01-30",
            "day": "2021-11-23",
            "year": "2017",
            "month": "2021-11",
            "early": "2021-01-05",
        }  # fmt: skip
    )
    assert [r.date for r in timeline(graph, "A", "B")] == [
        "2017", "2021-01-05", "2021-11", "2021-11-23", "--01-30", ""
    ]  # fmt: skip
    with pytest.raises(NetworkError):
        timeline(graph, "A", "A")


def test_date_key():
    assert date_key("2021-11-23") == (0, 2021, 11, 23)
    assert date_key("2021-11") == (0, 2021, 11, 0)
    assert date_key("--01-30") == (1, 0, 1, 30)
    assert date_key("2018Z") == (0, 2018, 0, 0)
    assert date_key("sometime") == date_key(None) == (2, 0, 0, 0)


# --- the commands -------------------------------------------------------------------------


def _invoke(seed_store_path: Path, *args: str):
    return CliRunner().invoke(main, [*args, "--store", str(seed_store_path)])


def test_cli_centrality_csv(seed_store_path):
    result = _invoke(seed_store_path, "network", "centrality", "--top", "2", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "label,type,degree,betweenness,pagerank,node",
        f"Japan,State,30,0.433098,{centrality_value(seed_store_path, 0)},{JPN}",
        f"South Korea,State,26,0.313237,{centrality_value(seed_store_path, 1)},{KOR}",
    ]


def centrality_value(path: Path, index: int) -> float:
    with opened(path, read_only=True) as store:
        return centrality(full_view(store))[index].pagerank


def test_cli_path_json(seed_store_path):
    result = _invoke(seed_store_path, "network", "path", "Nobuo Kishi", "CHN", "--format", "json")
    assert result.exit_code == 0, result.output
    hops = json.loads(result.output)
    assert [h["step"] for h in hops] == [1, 2, 3]
    assert hops[0] == {
        "step": 1, "source": "Nobuo Kishi", "edge": "of state →", "target": "Japan",
        "quote": hops[0]["quote"], "article": SEED,
    }  # fmt: skip


def test_cli_states_view_neighbors_and_communities(seed_store_path):
    result = _invoke(
        seed_store_path, "network", "neighbors", "JPN", "--view", "states", "--format", "tsv"
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        "direction\tedge\tneighbor\ttype\tquote\tarticle",
        "both\t11 events\tSouth Korea\tState\t\t",
    ]
    result = _invoke(
        seed_store_path, "network", "communities", "--view", "officials", "--format", "csv"
    )
    assert result.output.splitlines() == [
        "community,node,label,type",
        f"1,{KISHI},Nobuo Kishi,Official",
        f"1,{SUH},Suh Wook,Official",
    ]


def test_cli_errors_are_one_line(seed_store_path, tmp_path):
    for args in (
        ["network", "path", "Atlantis", "JPN"],
        ["network", "timeline", "JPN", "JPN"],
        ["network", "centrality", "--view", "nonsense"],
        ["network", "neighbors", "X", "--store", str(tmp_path / "missing")],
    ):
        result = CliRunner().invoke(
            main, args + ([] if "--store" in args else ["--store", str(seed_store_path)])
        )
        assert result.exit_code == 1, args
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
        assert "Traceback" not in result.output


def test_timeline_command_in_a_real_process(seed_store_path):
    kg = Path(sys.executable).with_name("kg")
    done = subprocess.run(
        [str(kg), "network", "timeline", "Japan", "South Korea", "--store", str(seed_store_path),
         "--format", "csv"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    lines = done.stdout.splitlines()
    assert lines[0] == "date,kind,type,label,status,quote,article"
    assert lines[4].startswith("--01-30,event,Meeting,Meeting between Japan and South Korea,held,")
    assert len(lines) == 14
