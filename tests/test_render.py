"""The offline HTML page (kg.render, ``kg render``): self-contained, escaped, deterministic."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from kg.backends import opened
from kg.build import build_articles, bundled_corpus, read_articles
from kg.cli import main
from kg.network import full_view, states_view
from kg.render import DIGEST_LIMIT, ontology_view, render_graph, render_view, script_json

ROOT = Path(__file__).resolve().parent.parent
INJECTION = ROOT / "tests" / "articles" / "injection.txt"
ID = "https://w3id.org/defense-kg/id/"
PAYLOADS = ('<script>alert("x")</script>', "<img src=x onerror=alert(1)>",
            '<a href="javascript:alert(1)">click</a>')  # fmt: skip


def _build(path: Path, sources: list[Path]) -> Path:
    with opened(path, create=True) as store:
        build_articles(store, read_articles(sources))
    return path


@pytest.fixture(scope="session")
def render_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built once into a temporary store (this module's own fixture)."""
    return _build(tmp_path_factory.mktemp("render") / "store", [bundled_corpus()])


@pytest.fixture(scope="session")
def injection_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The injection article (HTML/script payloads in front matter and quotes)."""
    return _build(tmp_path_factory.mktemp("injection") / "store", [INJECTION])


def page_of(store_path: Path, view_name: str = "full", **kwargs):
    with opened(store_path, read_only=True) as store:
        return render_view(store, view_name, **kwargs)


def data_of(html: str) -> dict:
    """The page's data blocks: ``page`` (metadata) merged with ``nodes``, ``edges``, ``options``."""
    blocks = {}
    for name in ("page", "nodes", "edges", "options"):
        match = re.search(
            rf'<script type="application/json" id="kg-{name}">(.*?)</script>', html, re.S
        )
        assert match, name
        blocks[name] = json.loads(match.group(1))
    return {**blocks.pop("page"), **blocks}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def tags_of(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


# --- self-contained and readable ----------------------------------------------------------


def test_page_is_self_contained(render_store):
    html = page_of(render_store).html
    tags = tags_of(html)
    assert [t for t, _ in tags if t in ("link", "img", "iframe", "object", "embed")] == []
    assert [a for _, a in tags if "src" in a or "href" in a] == []
    assert [a.get("type") for t, a in tags if t == "script"] == ["application/json"] * 4 + [
        None
    ] * 2
    assert not re.search(r"url\(\s*['\"]?(https?:)?//", html)
    assert "sourceMappingURL" not in html
    assert "default-src 'none'" in html  # the page itself forbids any fetch


def test_page_shows_the_view_with_names_legend_and_tooltips(render_store):
    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
    page = page_of(render_store)
    data = data_of(page.html)
    assert (page.nodes, page.edges) == (len(data["nodes"]), len(data["edges"]))
    assert (len(data["nodes"]), len(data["edges"])) == (
        graph.number_of_nodes(), graph.number_of_edges()
    )  # fmt: skip
    assert data["directed"] is True and data["options"]["physics"] == {"enabled": False}
    assert not [n for n in data["nodes"] if n["label"].startswith("http") or "://" in n["full"]]
    assert {e["label"] for e in data["edges"]} >= {"of state", "holds post", "party", "participant"}
    assert not [e for e in data["edges"] if "#" in e["label"] or "/" in e["label"]]
    assert all(isinstance(n["x"], float) and isinstance(n["y"], float) for n in data["nodes"])
    legend = {t["name"]: (t["color"], t["shape"], t["count"]) for t in data["types"]}
    assert legend["State"] == ("#1f77b4", "dot", 5)
    assert legend["Meeting"] == ("#d62728", "diamond", 1)
    assert len({(c, s) for c, s, _ in legend.values()}) == len(legend)
    meeting = next(n for n in data["nodes"] if n["kind"] == "Meeting")
    assert meeting["title"].splitlines()[:5] == [
        "Meeting between Japan and South Korea", "type: Meeting", "date: --01-30",
        "date as written: January 30", "status: held",
    ]  # fmt: skip
    assert meeting["title"].splitlines()[-1].startswith("“On January 30, the Defense Minister")
    assert meeting["ev"][0][0] == "000_83c0c4f066b0d405"
    assert ["status", "held"] in meeting["info"]
    kishi = next(n for n in data["nodes"] if n["full"] == "Nobuo Kishi")
    assert kishi["info"][:3] == [["type", "Official"], ["state", "Japan"],
                                 ["post", "Defense Minister of Japan"]]  # fmt: skip
    assert kishi["ev"][0] == [
        "000_83c0c4f066b0d405",
        "During the meeting, South Korean Defense Minister Suh Wook and Japanese Defense Minister ",
        "Nobuo Kishi",
        " discussed regional security cooperation and ways to deepen defense cooperation and "
        "exchanges between the two countries, including the resumption of joint maritime search "
        "and rescue exercises with a humanitarian purpose.",
    ]


def test_edges_keep_their_direction(render_store):
    data = data_of(page_of(render_store).html)
    kishi, japan = f"{ID}person/nobuo-kishi", f"{ID}state/JPN"
    edges = [(e["from"], e["to"], e["label"]) for e in data["edges"]]
    assert (kishi, japan, "of state") in edges
    assert (japan, kishi, "of state") not in edges


def test_states_page_is_undirected_with_weighted_dyads(render_store):
    data = data_of(page_of(render_store, "states").html)
    assert data["directed"] is False
    assert [(e["from"], e["to"], e["label"], e["width"]) for e in data["edges"]] == [
        (f"{ID}state/JPN", f"{ID}state/KOR", "11 events", 8)
    ]
    assert data["edges"][0]["title"].splitlines() == [
        "11 events", "Meeting: 1", "Visit: 2", "Exercise: 1", "Agreement: 6", "Incident: 1",
        "first 2018, last --01-30",
    ]  # fmt: skip


def test_ontology_page(render_store):
    with opened(render_store, read_only=True) as store:
        graph = ontology_view(store)
    onto = "https://w3id.org/defense-kg/ontology#"
    assert graph.has_edge(f"{onto}Official", f"{onto}Post", key="holdsPost")
    assert graph.edges[f"{onto}Meeting", f"{onto}Event", "subClassOf"]["label"] == "subclass of"
    assert graph.nodes[f"{onto}Meeting"]["type"] == "Event class"
    assert "date" in graph.nodes[f"{onto}Event"]["data_properties"]
    data = data_of(page_of(render_store, "ontology").html)
    assert data["title"] == "defense-kg ontology: classes and properties"
    labels = [n["full"] for n in data["nodes"]]
    assert set(labels) >= {"State", "Official", "Meeting", "Claim", "sem:Event", "schema:Place"}
    assert len(labels) == len(set(labels))


# --- escaping -----------------------------------------------------------------------------


def test_injection_article_is_rendered_as_text(injection_store):
    html = page_of(injection_store).html
    for payload in PAYLOADS:
        assert payload not in html
    assert "onerror" not in html.split('id="kg-page">')[0]
    assert [t for t, _ in tags_of(html) if t in ("img", "a")] == []
    data = data_of(html)
    texts = json.dumps(data, ensure_ascii=False)
    # the payloads survive as text, unchanged, inside the data
    assert 'Our cooperation is <script>alert(\\"x\\")</script> stronger than ever.' in texts
    assert "<img src=x onerror=alert(1)>" in texts
    assert data["articles"]["injection"]["title"].startswith("Defence talks <script>")
    assert "url" not in data["articles"]["injection"]


@given(st.text())
def test_script_json_cannot_close_the_script(text):
    encoded = script_json({"t": text})
    assert "<" not in encoded and ">" not in encoded and "&" not in encoded
    assert json.loads(encoded) == {"t": text}


# --- deterministic and large graphs -------------------------------------------------------


def test_same_store_same_bytes(render_store):
    assert page_of(render_store).html == page_of(render_store).html


def _synthetic(n: int) -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    for i in range(n):
        graph.add_node(f"n{i:05d}", label=f"Node {i}", type=("State", "Meeting")[i % 2])
    for i in range(1, n):
        graph.add_edge(f"n{i:05d}", f"n{(i * 7919) % i:05d}", key="party", label="party")
    return graph


def test_large_graph_has_python_positions_a_digest_and_no_physics():
    graph = _synthetic(DIGEST_LIMIT + 100)
    first = render_graph(graph, "big", "full")
    assert first.html == render_graph(graph, "big", "full").html
    data = data_of(first.html)
    assert data["options"]["physics"] == {"enabled": False}
    assert len({(n["x"], n["y"]) for n in data["nodes"]}) == DIGEST_LIMIT + 100
    assert data["hidden"] == []  # only states and meetings: nothing to leave for later
    graph.add_node("p", label="Someone", type="Official")
    assert data_of(render_graph(graph, "big", "full").html)["hidden"] == ["Official"]
    small = data_of(render_graph(_synthetic(50), "small", "full").html)
    assert small["hidden"] == []


def test_max_nodes_keeps_highest_degree_and_says_what_was_left_out(render_store):
    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
    page = page_of(render_store, max_nodes=10)
    data = data_of(page.html)
    ranked = sorted(graph, key=lambda n: (-graph.degree(n), graph.nodes[n]["label"], n))
    assert sorted(n["id"] for n in data["nodes"]) == sorted(ranked[:10])
    assert (page.nodes, page.left_out) == (10, graph.number_of_nodes() - 10)
    assert data["leftOut"]["count"] == graph.number_of_nodes() - 10
    assert sum(count for _, count in data["leftOut"]["byType"]) == data["leftOut"]["count"]
    assert data["total"] == graph.number_of_nodes()


# --- the command --------------------------------------------------------------------------


def test_render_command_writes_the_file(render_store, tmp_path):
    out = tmp_path / "page.html"
    result = CliRunner().invoke(
        main, ["render", "--store", str(render_store), "--view", "ego:JPN", "-o", str(out)]
    )
    assert result.exit_code == 0, result.output
    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
    expected = len(list(graph.predecessors(f"{ID}state/JPN"))) + 1  # Japan only has in-edges
    assert result.stderr.startswith(f"Wrote {out}: {expected} nodes,")
    assert len(data_of(out.read_text(encoding="utf-8"))["nodes"]) == expected


def test_render_command_errors_are_one_line(render_store, tmp_path):
    for args in (
        ["render", "--view", "nowhere", "--store", str(render_store)],
        ["render", "--view", "ego:Atlantis", "--store", str(render_store)],
        ["render", "--store", str(tmp_path / "missing")],
    ):
        result = CliRunner().invoke(main, [*args, "-o", str(tmp_path / "x.html")])
        assert result.exit_code == 1, args
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert not (tmp_path / "x.html").exists()


def test_render_in_a_real_process_states_view(render_store, tmp_path):
    out = tmp_path / "states.html"
    kg = Path(sys.executable).with_name("kg")
    subprocess.run(
        [str(kg), "render", "--store", str(render_store), "--view", "states", "-o", str(out)],
        check=True, capture_output=True,
    )  # fmt: skip
    with opened(render_store, read_only=True) as store:
        states = states_view(full_view(store))
    data = data_of(out.read_text(encoding="utf-8"))
    assert [n["full"] for n in data["nodes"]] == [states.nodes[n]["label"] for n in sorted(states)]


def test_timeline_figure_is_static_and_escaped():
    from kg.network.analysis import TimelineRow
    from kg.render import timeline_html

    rows = [
        TimelineRow(
            "2017", "last held", "Exercise", "<b>drill</b>", "held", PAYLOADS[0], "a", "e1"
        ),
        TimelineRow("2018-05-02", "event", "Meeting", "Met", "held", "", "b", "e4"),
        TimelineRow("--01-30", "event", "Meeting", "Talks", "held", PAYLOADS[1], "a", "e2"),
        TimelineRow("", "event", "Visit", "Trip", "planned", "", "b", "e3"),
    ]
    articles = {
        "a": {"title": "T <u>", "source": "javascript:alert(1)"},
        "b": {"title": "U", "publisher": "P", "source": "https://example.org/x?a=1&b=2"},
    }
    page = timeline_html(rows, "A – B <i>", "sub", articles=articles)  # fmt: skip
    assert [t for t, _ in tags_of(page) if t in ("script", "img", "i", "link", "u")] == []
    assert [a for t, a in tags_of(page) if t == "a"] == [
        {"href": "https://example.org/x?a=1&b=2", "rel": "noopener noreferrer"}
    ] * 2
    assert "&lt;b&gt;drill&lt;/b&gt; — last held" in page
    assert "<title>A – B &lt;i&gt;</title>" in page
    sections = re.findall(r"<h2>(.*?)</h2>", page)
    assert sections == ["Dated", "Month or year only", "Dated without a year", "Undated"]
    labels = re.findall(r'<div class="label">(.*?)</div>', page)
    assert labels == ["Met", "&lt;b&gt;drill&lt;/b&gt; — last held", "Talks", "Trip"]


def test_timeline_view_is_the_network_timeline_in_either_order(render_store, tmp_path):
    from kg.network import resolve, timeline

    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
    rows = timeline(graph, resolve(graph, "JPN"), resolve(graph, "KOR"))
    pages = []
    for view_name in ("timeline:JPN:KOR", "timeline:KOR:japan"):
        out = tmp_path / "t.html"
        result = CliRunner().invoke(
            main, ["render", "--store", str(render_store), "--view", view_name, "-o", str(out)]
        )
        assert result.exit_code == 0, result.output
        assert result.stderr == f"Wrote {out}: 13 timeline entries\n"
        pages.append(out.read_text(encoding="utf-8"))
    assert pages[0] == pages[1].replace("KOR JPN", "JPN KOR").replace(
        "South Korea – Japan", "Japan – South Korea"
    )
    labels = re.findall(r'<div class="label">(.*?)</div>', pages[0])
    import html as html_module

    expected = [r.label + ("" if r.kind == "event" else f" — {r.kind}") for r in rows]
    from kg.render import SECTIONS, section_of

    expected_order = [e for s in SECTIONS for e, r in zip(expected, rows, strict=True)
                      if section_of(r.date) == s]  # fmt: skip
    assert [html_module.unescape(label) for label in labels] == expected_order
    assert re.findall(r"<h2>(.*?)</h2>", pages[0]) == [
        "Month or year only",
        "Dated without a year",
        "Undated",
    ]


def test_timeline_view_errors(render_store):
    for view_name in ("timeline:JPN", "timeline:JPN:JPN", "timeline:JPN:Atlantis"):
        result = CliRunner().invoke(main, ["render", "--store", str(render_store), "--view",
                                           view_name])  # fmt: skip
        assert result.exit_code == 1, view_name
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


def test_to_pyvis_is_a_directed_pyvis_network(render_store):
    from pyvis.network import Network

    from kg.render import to_pyvis

    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
    net = to_pyvis(graph, title="seed")
    assert isinstance(net, Network) and net.directed is True
    assert (net.num_nodes(), net.num_edges()) == (graph.number_of_nodes(), graph.number_of_edges())
    assert net.get_nodes() == sorted(graph)
    assert net.generate_html() == page_of(render_store).html.replace(
        "defense-kg: full view", "seed"
    ).replace('"view":"full"', '"view":""')


def test_rendering_writes_nothing_in_the_working_directory(render_store, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    page_of(render_store)
    CliRunner().invoke(
        main, ["render", "--store", str(render_store), "-o", str(tmp_path / "p.html")]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.html"]


def test_one_copy_of_vis_network():
    import pyvis

    from kg.render.page import VIS_NETWORK

    assert VIS_NETWORK.is_relative_to(Path(pyvis.__file__).parent)
    assert list((ROOT / "kg").rglob("vis-network*")) == []


def test_cq10_timeline_is_the_network_timeline_in_either_order(render_store):
    from kg.network import resolve, timeline
    from kg.query import named_queries, run_on_store

    query = named_queries()["cq10_timeline"].text
    with opened(render_store, read_only=True) as store:
        graph = full_view(store)
        expected = [(r.date, r.type, r.label, r.status, r.kind)
                    for r in timeline(graph, resolve(graph, "KOR"), resolve(graph, "JPN"))]  # fmt: skip
        for pair in (("JPN", "KOR"), ("KOR", "JPN")):
            table = run_on_store(
                store.inner, query, dict(zip(("state1", "state2"), pair, strict=True))
            )
            found = [(r[2] or "", r[3], r[4], r[5] or "", r[6]) for r in table.rows]
            assert found == expected
    assert len(expected) == 13


def test_to_pyvis_escapes_its_heading_and_writes_where_asked(tmp_path, monkeypatch):
    from kg.render import to_pyvis

    graph = _synthetic(3)
    net = to_pyvis(graph, title="<b>x</b> & y")
    html = net.generate_html()
    assert "<title>&lt;b&gt;x&lt;/b&gt; &amp; y</title>" in html
    assert '<h1 id="kg-title">&lt;b&gt;x&lt;/b&gt; &amp; y</h1>' in html
    monkeypatch.chdir(tmp_path)
    net.write_html("page.html")
    frame = net.show("shown.html", notebook=True)
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == html
    assert (tmp_path / "shown.html").read_text(encoding="utf-8") == html
    assert type(frame).__name__ == "IFrame"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["page.html", "shown.html"]


def test_every_identifier_the_page_prints_pastes_back_into_a_query(render_store):
    data = data_of(page_of(render_store).html)
    identifiers = {dict(n["info"])["identifier"] for n in data["nodes"]}
    assert len(identifiers) == len(data["nodes"])
    assert f"<{ID}state/JPN>" in identifiers
    pasted = " ".join(sorted(identifiers))
    query = f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ VALUES ?s {{ {pasted} }} ?s ?p ?o }}"
    result = CliRunner().invoke(
        main, ["query", "--store", str(render_store), "--format", "csv", query]
    )
    assert (result.exit_code, result.stdout_bytes) == (0, f"n\r\n{len(identifiers)}\r\n".encode())
