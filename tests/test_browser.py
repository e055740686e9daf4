"""The rendered pages in a real browser: Debian's Chromium, headless, driven by Playwright, with
every request that is not the page file itself recorded and (if not file:, about: or data:)
aborted. No browser is downloaded: the Debian binary is launched by path.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from conftest import missing

from kg.backends import opened
from kg.build import build_articles, read_articles
from kg.network import EVENT_TYPES, date_key, full_view
from kg.render import render_view

pytestmark = pytest.mark.external

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]  # fmt: skip
ROOT = Path(__file__).resolve().parent.parent
INJECTION = ROOT / "tests" / "articles" / "injection.txt"
ID = "https://w3id.org/defense-kg/id/"
MEETING = f"{ID}article/000_83c0c4f066b0d405/event/meeting-92"
ALLOWED = ("file:", "about:", "data:")
TRAP = """
window.__pwned = false;
window.alert = window.confirm = window.prompt = function () { window.__pwned = true; };
"""


@dataclass
class Visit:
    """A page opened in the browser, with what it asked for and what it complained about."""

    page: object
    url: str
    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def others(self) -> list[str]:
        """Requests other than the page itself."""
        return [r for r in self.requests if r != self.url]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    if not CHROMIUM.exists():
        missing(f"chromium is not installed at {CHROMIUM} (make test-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield launched
        launched.close()


def _write_page(store_path: Path, out: Path, view_name: str = "full") -> Path:
    with opened(store_path, read_only=True) as store:
        out.write_text(render_view(store, view_name).html, encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def seed_pages(
    seed_store_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, object]:
    """The bundled corpus's full view graph and its page."""
    base = tmp_path_factory.mktemp("browser")
    with opened(seed_store_path, read_only=True) as store:
        graph = full_view(store)
    return {"graph": graph, "full": _write_page(seed_store_path, base / "full.html")}


LINKED = """---
id: link-test
title: Norway and Finland sign a defence agreement
published: 2024-02-14
publisher: Test Wire
source: https://example.org/news/nor-fin?id=1&lang=en
---
Norwegian Defence Minister Ola Berg and Finnish Defence Minister Mikko Laine signed an agreement \
in Oslo today on joint air surveillance.
"""
SCRIPTED = """---
id: js-test
title: Estonia and Latvia hold talks
published: 2023-09-05
publisher: Test Wire
source: javascript:alert(1)
---
Estonian Defence Minister Kalle Tamm met Latvian Defence Minister Janis Ozols in Riga today.
"""
OWN_URL = "https://example.org/news/nor-fin?id=1&lang=en"


@pytest.fixture(scope="module")
def own_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """Our test articles plus two with a source URL (one http, one ``javascript:``)."""
    base = tmp_path_factory.mktemp("browser-own")
    extra = base / "extra"
    extra.mkdir()
    (extra / "link-test.txt").write_text(LINKED, encoding="utf-8")
    (extra / "js-test.txt").write_text(SCRIPTED, encoding="utf-8")
    articles = sorted(p for p in (ROOT / "tests" / "articles").glob("*.txt") if p != INJECTION)
    with opened(base / "store", create=True) as store:
        build_articles(store, read_articles([*articles, extra]))
        graph = full_view(store)
    pages = {"graph": graph, "full": _write_page(base / "store", base / "full.html")}
    for a, b in (("EST", "LVA"), ("NOR", "FIN"), ("JPN", "KOR")):
        name = f"timeline:{a}:{b}"
        pages[name] = _write_page(base / "store", base / f"{a}-{b}.html", name)
    return pages


@pytest.fixture(scope="module")
def injection_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("browser-injection")
    with opened(base / "store", create=True) as store:
        build_articles(store, read_articles([INJECTION]))
    return _write_page(base / "store", base / "injection.html")


def open_page(browser, path: Path) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    page = context.new_page()
    visit = Visit(page, path.resolve().as_uri())
    page.add_init_script(TRAP)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", lambda m: visit.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: visit.errors.append(str(exc)))
    page.on("dialog", lambda d: (visit.dialogs.append(d.message), d.dismiss()))

    def route(route_) -> None:
        url = route_.request.url
        if url.startswith(ALLOWED):
            route_.continue_()
        else:
            visit.blocked.append(url)
            route_.abort()

    page.route("**/*", route)
    page.goto(visit.url)
    if path.read_text(encoding="utf-8").count('id="kg-network"'):
        page.wait_for_function("() => window.kg && window.kg.ready === true", timeout=60_000)
    try:
        yield visit
    finally:
        context.close()


@pytest.fixture()
def full_visit(browser, seed_pages) -> Iterator[Visit]:
    yield from open_page(browser, seed_pages["full"])


@pytest.fixture()
def injection_visit(browser, injection_page) -> Iterator[Visit]:
    yield from open_page(browser, injection_page)


@pytest.fixture()
def own_visit(browser, own_pages) -> Iterator[Visit]:
    yield from open_page(browser, own_pages["full"])


def _click_node(visit: Visit, node: str) -> None:
    page = visit.page
    point = page.evaluate(
        "id => { const n = window.kg.network; return n.canvasToDOM(n.getPositions([id])[id]); }",
        node,
    )
    box = page.locator("#kg-network").bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def test_page_draws_the_whole_view_offline(full_visit, seed_pages):
    graph = seed_pages["graph"]
    counts = full_visit.page.evaluate(
        """() => [kg.nodeView.length, kg.edges.length,
                  kg.network.body.nodeIndices.length, kg.network.body.edgeIndices.length]"""
    )
    assert counts == [graph.number_of_nodes(), graph.number_of_edges()] * 2
    assert full_visit.page.title() == "defense-kg: full view"
    assert full_visit.page.locator("#kg-legend label").count() == 15
    assert full_visit.others() == [] and full_visit.blocked == []
    assert full_visit.errors == []


def test_search_box_finds_a_node(full_visit):
    page = full_visit.page
    page.fill("#kg-search", "suh wook")
    page.press("#kg-search", "Enter")
    assert page.evaluate("kg.network.getSelectedNodes()") == [f"{ID}person/suh-wook"]
    assert page.locator("#kg-search-status").text_content() == "1 of 2: Suh Wook"
    assert page.locator("#kg-panel h2").text_content() == "Suh Wook"
    page.press("#kg-search", "Enter")
    assert page.locator("#kg-search-status").text_content().startswith("2 of 2: Visit by Suh Wook")
    assert full_visit.errors == []


def test_clicking_a_node_shows_its_evidence(full_visit, seed_pages):
    page = full_visit.page
    assert page.locator("#kg-panel").is_hidden()
    _click_node(full_visit, MEETING)
    assert page.locator("#kg-panel").is_visible()
    assert page.locator("#kg-panel h2").text_content() == "Meeting between Japan and South Korea"
    quotes = page.locator("#kg-panel .kg-evidence blockquote").all_text_contents()
    evidence = [q["text"] for q in seed_pages["graph"].nodes[MEETING]["evidence"]]
    assert quotes == evidence
    assert quotes[0].startswith("On January 30, the Defense Minister of Japan")
    cites = page.locator("#kg-panel .kg-evidence .kg-source").all_text_contents()
    assert cites[0] == "000_83c0c4f066b0d405"
    assert page.locator("#kg-panel .kg-evidence mark").all_text_contents() == evidence
    facts = page.locator("#kg-panel .kg-facts > li").count()
    assert facts == seed_pages["graph"].degree(MEETING)
    assert full_visit.errors == []


def test_class_filters_hide_and_show_nodes(full_visit, seed_pages):
    page = full_visit.page
    claims = sum(1 for _, t in seed_pages["graph"].nodes(data="type") if t == "Claim")
    page.uncheck('#kg-legend input[data-type="Claim"]')
    drawn = page.evaluate("kg.network.body.nodeIndices.length")
    assert drawn == seed_pages["graph"].number_of_nodes() - claims
    assert page.locator("#kg-visible").text_content().startswith(f"showing {drawn} of 42 nodes")
    page.check('#kg-legend input[data-type="Claim"]')
    assert (
        page.evaluate("kg.network.body.nodeIndices.length") == seed_pages["graph"].number_of_nodes()
    )


def test_injection_article_executes_nothing(injection_visit):
    page = injection_visit.page
    ids = page.evaluate("kg.nodes.getIds()")
    _click_node(injection_visit, ids[0])
    # open every node's panel: every string of the article goes into the page
    panel_text = page.evaluate(
        """ids => ids.map(id => {
             kg.network.emit("click", {nodes: [id], edges: []});
             return document.getElementById("kg-panel").textContent;
           }).join("\\n")""",
        ids,
    )
    assert '<script>alert("x")</script>' in panel_text  # shown as text
    assert "<img src=x onerror=alert(1)>" in panel_text
    assert page.evaluate("window.__pwned") is False
    assert injection_visit.dialogs == []
    assert page.locator("#kg-panel img, #kg-panel script, #kg-panel a").count() == 0
    assert page.locator("a").count() == 0
    assert page.locator("img").count() == 0
    assert injection_visit.others() == [] and injection_visit.blocked == []
    assert injection_visit.errors == []


def test_large_page_draws_every_node_with_physics_off(browser, tmp_path):
    import networkx as nx

    from kg.render import render_graph

    graph = nx.MultiDiGraph()
    size = 1000
    for i in range(size):
        graph.add_node(f"n{i:05d}", label=f"Node {i}", type=("State", "Official", "Meeting")[i % 3])
    for i in range(1, size):
        graph.add_edge(f"n{i:05d}", f"n{(i * 7919) % i:05d}", key="party", label="party")
    path = tmp_path / "large.html"
    path.write_text(render_graph(graph, "large", "full").html, encoding="utf-8")
    for visit in open_page(browser, path):
        page = visit.page
        assert page.evaluate("kg.network.physics.physicsEnabled") is False
        # the first screen is the digest: states and meetings (the officials on demand)
        assert page.evaluate("kg.network.body.nodeIndices.length") == 667
        page.click("#kg-reset")
        assert page.evaluate("kg.network.body.nodeIndices.length") == size
        assert page.evaluate("kg.network.body.edgeIndices.length") == size - 1
        assert visit.others() == [] and visit.errors == []


# --- the analyst's features, on our own articles -------------------------------------------

DRAWN = "kg.network.body.nodeIndices.slice().sort()"


def _labels(graph, ids) -> list[str]:
    return sorted(graph.nodes[n]["label"] for n in ids)


def _named(graph, label: str) -> str:
    return next(n for n, name in graph.nodes(data="label") if name == label)


def _set_range(page, low: int, high: int) -> None:
    page.evaluate(
        """([low, high]) => {
             for (const [id, v] of [["kg-from", low], ["kg-to", high]]) {
               const input = document.getElementById(id);
               input.value = String(v);
               input.dispatchEvent(new Event("input"));
             }
           }""",
        [low, high],
    )


def test_first_screen_is_a_digest_of_states_and_events(own_visit, own_pages):
    graph = own_pages["graph"]
    digest = [n for n, t in graph.nodes(data="type") if t in ("State", *EVENT_TYPES)]
    page = own_visit.page
    assert page.evaluate(DRAWN) == sorted(digest)
    assert len(digest) == 185
    unticked = page.evaluate(
        "[...document.querySelectorAll('#kg-legend input:not(:checked)')].map(b => b.dataset.type)"
    )
    assert unticked == ["Official", "Organization", "Post", "Place", "Region", "BilateralRelation"]
    assert own_visit.errors == [] and own_visit.others() == []


def test_date_slider_filters_events_and_their_participants(own_visit, own_pages):
    graph = own_pages["graph"]
    page = own_visit.page
    # months since year 0: 2010-01 is 2010 * 12, 2026-04 is 2026 * 12 + 3
    bounds = page.evaluate("['kg-from', 'kg-to'].map(id => document.getElementById(id))"
                           ".map(input => [input.min, input.max, input.value])")  # fmt: skip
    assert bounds == [["24120", "24315", "24120"], ["24120", "24315", "24315"]]
    assert page.locator("#kg-from-label").text_content() == "2010-01"
    assert page.locator("#kg-to-label").text_content() == "2026-04"
    assert page.locator("#kg-undated-count").text_content() == "53"
    _set_range(page, 2023 * 12 + 8, 2023 * 12 + 8)  # September 2023 only
    assert page.locator("#kg-from-label").text_content() == "2023-09"
    drawn = page.evaluate(DRAWN)
    events = [n for n in drawn if graph.nodes[n]["type"] in EVENT_TYPES]
    dated = [n for n in events if date_key(graph.nodes[n].get("date"))[0] == 0]
    # a year alone covers its twelve months, so the 2023 events are in September 2023 too
    assert sorted((graph.nodes[n]["date"], graph.nodes[n]["label"]) for n in dated) == [
        ("2023", "Channel Sentinel"), ("2023", "Meeting between United Kingdom and Türkiye"),
        ("2023", "continue joint air patrols"), ("2023", "trilateral missile-warning drill"),
        ("2023-09-05", "Meeting between Estonia and Latvia"),
    ]  # fmt: skip
    # the events without a year stay (behind the tick box), with the states they involve
    assert (len(events), len(drawn)) == (5 + 53, 98)
    page.uncheck("#kg-undated")
    drawn = page.evaluate(DRAWN)
    events = [n for n in drawn if graph.nodes[n]["type"] in EVENT_TYPES]
    assert sorted(events) == sorted(dated)
    states = sorted(
        {v for e in events for _, v, k in graph.out_edges(e, keys=True) if k == "party"}
    )
    assert sorted(drawn) == sorted(events + states)
    assert len(drawn) == 5 + 10
    _set_range(page, 2024 * 12, 2024 * 12 + 11)  # the year 2024
    drawn = page.evaluate(DRAWN)
    dated = [graph.nodes[n]["date"] for n in drawn if graph.nodes[n]["type"] in EVENT_TYPES]
    assert sorted(dated) == [
        "2024", "2024", "2024-02-14", "2024-03", "2024-03-14", "2024-05", "2024-05-27", "2024-06-07",
        "2024-06-10",
        "2024-09-11", "2024-10-21", "2024-10-30", "2024-11", "2024-11-07", "2024-11-08",
        "2024-11-08", "2024-11-08",
    ]  # fmt: skip
    assert len(drawn) == 38
    shown = page.locator("#kg-visible").text_content()
    assert shown == "showing 38 of 539 nodes, 42 of 1298 edges"
    assert own_visit.errors == []


def test_dyad_filter_shows_its_events_and_their_participants(own_visit, own_pages):
    graph = own_pages["graph"]
    page = own_visit.page
    page.click("#kg-reset")  # every class
    page.select_option("#kg-state-a", f"{ID}state/LVA")
    page.select_option("#kg-state-b", f"{ID}state/EST")
    assert _labels(graph, page.evaluate(DRAWN)) == [
        "Estonia", "Estonia – Latvia", "Janis Ozols", "Kalle Tamm", "Latvia",
        "Meeting between Estonia and Latvia", "Riga",
    ]  # fmt: skip
    with page.expect_download() as info:
        page.click("#kg-csv")
    download = info.value
    assert download.suggested_filename == "defense-kg-full-visible.csv"
    rows = Path(download.path()).read_text(encoding="utf-8").split("\n")
    meeting = _named(graph, "Meeting between Estonia and Latvia")
    assert rows[0] == "kind,id,label,type,date,from,to"
    assert rows[1:8] == sorted(rows[1:8])
    assert f"node,{meeting},Meeting between Estonia and Latvia,Meeting,2023-09-05,," in rows
    assert f"node,{ID}state/EST,Estonia,State,,," in rows
    edges = [r for r in rows if r.startswith("edge,")]
    expected = sorted(
        (u, v, d["label"]) for u, v, d in graph.edges(data=True)
        if u in set(page.evaluate(DRAWN)) and v in set(page.evaluate(DRAWN))
    )  # fmt: skip
    assert sorted((r.split(",")[5], r.split(",")[6], r.split(",")[2]) for r in edges) == expected
    assert len(edges) == 12 and rows[-1] == "" and len(rows) == 1 + 7 + 12 + 1
    with page.expect_download() as info:
        page.click("#kg-json")
    data = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert (len(data["nodes"]), len(data["edges"])) == (7, 12)
    assert own_visit.others() == [] and own_visit.blocked == [] and own_visit.errors == []


def test_neighbours_only(own_visit, own_pages):
    graph = own_pages["graph"]
    page = own_visit.page
    tamm = f"{ID}person/kalle-tamm"
    page.evaluate("id => kg.select(id)", tamm)
    page.check("#kg-neighbours")
    assert _labels(graph, page.evaluate(DRAWN)) == [
        "Defense Minister of Estonia", "Estonia", "Kalle Tamm", "Meeting between Estonia and Latvia",
    ]  # fmt: skip
    page.uncheck("#kg-neighbours")
    officials = sum(1 for _, t in graph.nodes(data="type") if t == "Official")
    assert len(page.evaluate(DRAWN)) == 185 + officials  # selecting an official showed them


def test_search_enter_selects_the_exact_name_centred_with_its_panel(own_visit):
    page = own_visit.page
    page.fill("#kg-search", "japan")
    page.press("#kg-search", "Enter")
    japan = f"{ID}state/JPN"
    assert page.evaluate("kg.network.getSelectedNodes()") == [japan]
    assert page.locator("#kg-search-status").text_content().startswith("1 of ")
    assert page.locator("#kg-panel h2").text_content() == "Japan"
    centre = page.evaluate(
        """id => { const n = kg.network, p = n.getPositions([id])[id], v = n.getViewPosition();
                   return [Math.round(p.x - v.x), Math.round(p.y - v.y)]; }""",
        japan,
    )
    assert centre == [0, 0]
    # an alias ranks before names that merely contain the words
    assert page.evaluate("kg.find('Turkey')")[0] == f"{ID}state/TUR"
    assert own_visit.errors == []


def test_evidence_panel_links_to_the_source_and_highlights_the_span(own_visit, own_pages):
    graph = own_pages["graph"]
    page = own_visit.page
    agreement = _named(graph, "an agreement in Oslo today on joint air surveillance")
    page.evaluate("id => kg.select(id)", agreement)
    links = page.locator("#kg-panel .kg-evidence .kg-source a")
    assert links.count() == 1
    assert links.get_attribute("href") == OWN_URL
    assert links.get_attribute("rel") == "noopener noreferrer"
    source = page.locator("#kg-panel .kg-evidence .kg-source").first.text_content()
    assert source == "Norway and Finland sign a defence agreement · Test Wire · 2024-02-14 · source"
    assert (
        page.locator("#kg-panel .kg-evidence mark").first.text_content()
        == (graph.nodes[agreement]["evidence"][0]["text"])
    )
    berg = f"{ID}person/ola-berg"
    page.evaluate("id => kg.select(id)", berg)
    dl = page.locator("#kg-panel dl").inner_text().split("\n")
    assert dl[:6] == ["type", "Official", "state", "Norway", "post", "Defense Minister of Norway"]
    blockquote = page.locator("#kg-panel .kg-evidence blockquote").first
    assert blockquote.locator("mark").text_content() == "Ola Berg"
    assert blockquote.text_content().startswith("Norwegian Defence Minister Ola Berg and Finnish")
    # a javascript: source is shown as text, never as a link
    meeting = _named(graph, "Meeting between Estonia and Latvia")
    page.evaluate("id => kg.select(id)", meeting)
    assert page.locator("#kg-panel a").count() == 0
    assert (
        page.locator("#kg-panel .kg-evidence .kg-source")
        .first.text_content()
        .endswith(" · source: javascript:alert(1)")
    )
    page.locator("#kg-panel .kg-evidence .kg-source").first.click()
    assert page.evaluate("window.__pwned") is False and own_visit.dialogs == []
    assert own_visit.others() == [] and own_visit.errors == []


def _timeline_labels(visit: Visit) -> list[str]:
    return visit.page.locator("li .label").all_text_contents()


def test_timeline_view_rows_in_order(browser, own_pages):
    from kg.network import resolve, timeline
    from kg.render import SECTIONS, section_of

    graph = own_pages["graph"]
    rows = timeline(graph, resolve(graph, "JPN"), resolve(graph, "KOR"))
    expected = [
        r.label + ("" if r.kind == "event" else f" — {r.kind}")
        for section in SECTIONS for r in rows if section_of(r.date) == section
    ]  # fmt: skip
    for visit in open_page(browser, own_pages["timeline:JPN:KOR"]):
        assert _timeline_labels(visit) == expected
        assert visit.page.locator("li .date").all_text_contents()[:3] == [
            "2023-06-04", "2023-06-05", "2023-06-05",
        ]  # fmt: skip
        assert visit.page.locator("h2").all_text_contents()[0] == "Dated"
        assert visit.others() == [] and visit.errors == []
    for visit in open_page(browser, own_pages["timeline:NOR:FIN"]):
        labels = _timeline_labels(visit)
        assert labels[0] == "an agreement in Oslo today on joint air surveillance"
        assert labels[1:] == ["Arctic Shield 2024", "Visit by Aino Virtanen to unknown destination"]
        assert visit.page.locator("a").count() == 1
        assert visit.page.locator("a").get_attribute("href") == OWN_URL
        assert visit.page.locator("a").get_attribute("rel") == "noopener noreferrer"
    for visit in open_page(browser, own_pages["timeline:EST:LVA"]):
        assert _timeline_labels(visit) == ["Meeting between Estonia and Latvia"]
        assert visit.page.locator("a").count() == 0
        assert visit.page.evaluate("window.__pwned") is False
