"""The rendered pages in a real browser: Debian's Chromium, headless, driven by Playwright, with
every request that is not the page file itself recorded and (if not file:, about: or data:)
aborted. No browser is downloaded: the Debian binary is launched by path.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from kg.build import build_articles, bundled_corpus, read_articles
from kg.network import full_view
from kg.render import render_view
from kg.store import opened

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
        if os.environ.get("CI"):
            pytest.fail("chromium is missing (make test installs it)")
        pytest.skip("no /usr/bin/chromium (run make test-deps)")
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
def seed_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    """The bundled corpus in a temporary store, its full view graph and its page."""
    base = tmp_path_factory.mktemp("browser")
    with opened(base / "store", create=True) as store:
        build_articles(store, read_articles([bundled_corpus()]))
        graph = full_view(store)
    return {"graph": graph, "full": _write_page(base / "store", base / "full.html")}


@pytest.fixture(scope="module")
def injection_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("browser-injection")
    with opened(base / "store", create=True) as store:
        build_articles(store, read_articles([INJECTION]))
    return _write_page(base / "store", base / "injection.html")


def open_page(browser, path: Path) -> Iterator[Visit]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
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
    cites = page.locator("#kg-panel .kg-evidence cite").all_text_contents()
    assert cites[0] == "article: 000_83c0c4f066b0d405"
    facts = page.locator("#kg-panel .kg-facts > li").count()
    assert facts == seed_pages["graph"].degree(MEETING)
    assert full_visit.errors == []


def test_class_filters_hide_and_show_nodes(full_visit, seed_pages):
    page = full_visit.page
    claims = sum(1 for _, t in seed_pages["graph"].nodes(data="type") if t == "Claim")
    page.uncheck('#kg-legend input[data-type="Claim"]')
    drawn = page.evaluate("kg.network.body.nodeIndices.length")
    assert drawn == seed_pages["graph"].number_of_nodes() - claims
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
    assert page.locator("img").count() == 0
    assert injection_visit.others() == [] and injection_visit.blocked == []
    assert injection_visit.errors == []


def test_large_page_draws_every_node_with_physics_off(browser, tmp_path):
    import networkx as nx

    from kg.render import PHYSICS_LIMIT, render_graph

    graph = nx.MultiDiGraph()
    size = PHYSICS_LIMIT * 2
    for i in range(size):
        graph.add_node(f"n{i:05d}", label=f"Node {i}", type=("State", "Official", "Meeting")[i % 3])
    for i in range(1, size):
        graph.add_edge(f"n{i:05d}", f"n{(i * 7919) % i:05d}", key="party", label="party")
    path = tmp_path / "large.html"
    path.write_text(render_graph(graph, "large", "full", directed=True).html, encoding="utf-8")
    for visit in open_page(browser, path):
        page = visit.page
        assert page.evaluate("kg.network.physics.physicsEnabled") is False
        assert page.evaluate("kg.network.body.nodeIndices.length") == size
        assert page.evaluate("kg.network.body.edgeIndices.length") == size - 1
        assert visit.others() == [] and visit.errors == []
