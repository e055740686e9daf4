"""Extraction on the seed article and on articles written for the tests: general rules only."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import ROOT, SEED, SEED_ID
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.article import ArticleError, read_article, read_article_text
from kg.build import bundled_corpus
from kg.extract import extract
from kg.lexicon import load_lexicon
from kg.records import Extraction


def _entities(x: Extraction, kind: str) -> dict[str, object]:
    return {e.name: e for e in x.entities if e.type == kind}


def test_states_with_codes_and_wikidata(seed_extraction: Extraction) -> None:
    states = {(e.iso3, e.name, e.wikidata) for e in seed_extraction.entities if e.type == "State"}
    assert states == {
        ("CHN", "China", "Q148"),
        ("JPN", "Japan", "Q17"),
        ("KOR", "South Korea", "Q884"),
        ("PRK", "North Korea", "Q423"),
        ("USA", "United States", "Q30"),
    }


def test_officials_found_by_title_patterns_with_posts(seed_extraction: Extraction) -> None:
    officials = {
        (e.name, e.role, e.state) for e in seed_extraction.entities if e.type == "Official"
    }
    assert officials == {
        ("Suh Wook", "Defense Minister", "KOR"),
        ("Nobuo Kishi", "Defense Minister", "JPN"),
    }
    kishi = next(e for e in seed_extraction.entities if e.name == "Nobuo Kishi")
    # later mentions by surname and pronoun resolve to the same person
    assert [m.text for m in kishi.mentions] == [
        "Nobuo Kishi",
        "Nobuo Kishi",
        "Kishi",
        "Kishi",
        "he",
        "Kishi",
    ]


def test_organisations_places_and_regions(seed_extraction: Extraction) -> None:
    orgs = {(e.name, e.state) for e in seed_extraction.entities if e.type == "Organization"}
    assert orgs == {
        ("Ministry of Defense of South Korea", "KOR"),
        ("Ministry of Defense of Japan", "JPN"),
        ("Armed Forces of South Korea", "KOR"),
        ("Japan Self-Defense Forces", "JPN"),
        ("Japan Maritime Self-Defense Force", "JPN"),
        ("Reuters", None),
        ("Yonhap News Agency", "KOR"),
    }
    places = {(e.name, e.kind, e.located_in) for e in seed_extraction.entities if e.type == "Place"}
    assert places == {
        ("Yokosuka", "city", "state:JPN"),
        ("Japan Maritime Self-Defense Force base in Yokosuka", "base", "place:yokosuka"),
        ("Korean Peninsula", "region", None),
        ("Asia", "region", None),
    }
    assert seed_extraction.sources == ("org:reuters", "org:yonhap-news-agency")


def test_events_with_status_dates_and_parties(seed_extraction: Extraction) -> None:
    summary = sorted(
        (e.type, e.status, e.date.value if e.date else "", e.parties)
        for e in seed_extraction.events
    )
    assert summary == [
        ("Agreement", "agreed", "", ("JPN", "KOR")),
        ("Agreement", "agreed", "", ("JPN", "KOR")),
        # agreed "during the meeting" or by "they": the meeting's date, still without a year
        ("Agreement", "agreed", "--01-30", ("JPN", "KOR")),
        ("Agreement", "agreed", "--01-30", ("JPN", "KOR")),
        ("Agreement", "agreed", "--01-30", ("JPN", "KOR")),
        ("Agreement", "agreed", "--01-30", ("JPN", "KOR")),
        ("Exercise", "agreed", "", ("JPN", "KOR")),
        ("Incident", "held", "2018", ("JPN", "KOR")),
        ("Meeting", "held", "--01-30", ("JPN", "KOR")),
        ("Statement", "held", "", ("JPN",)),
        ("Statement", "held", "", ("KOR",)),
        ("Visit", "held", "", ("JPN", "KOR")),
        ("Visit", "planned", "", ("JPN", "KOR")),
    ]
    meeting = next(e for e in seed_extraction.events if e.type == "Meeting")
    assert meeting.date is not None and meeting.date.datatype == "gMonthDay"  # no year invented
    assert meeting.location == "place:yokosuka"
    assert set(meeting.participants) == {"person:suh-wook", "person:nobuo-kishi"}
    exercise = next(e for e in seed_extraction.events if e.type == "Exercise")
    assert exercise.last_held is not None and exercise.last_held.value == "2017"
    assert exercise.halted_since is not None and exercise.halted_since.value == "2018"
    incident = next(e for e in seed_extraction.events if e.type == "Incident")
    assert exercise.halted_by == incident.key
    assert incident.label == "Japan’s plan to display the Rising Sun flag"


def test_claims_are_attributed_not_facts(seed_extraction: Extraction) -> None:
    claims = sorted((c.speaker, c.kind, c.target, c.ally) for c in seed_extraction.claims)
    agent = f"agent:{SEED_ID}:"
    assert claims == [
        (f"{agent}some-analysts", "analysis", (), ()),
        (f"{agent}some-analysts", "analysis", ("CHN", "PRK"), ()),
        (f"{agent}some-east-asian-studies-scholars", "analysis", ("CHN", "PRK"), ()),
        ("org:reuters", "analysis", (), ()),
        ("org:reuters", "analysis", (), ("USA",)),
        ("org:reuters", "historical-context", (), ()),
    ]


def test_every_span_quotes_the_body_exactly(seed_extraction: Extraction) -> None:
    text = seed_extraction.article.text
    spans = [m for e in seed_extraction.entities for m in e.mentions]
    spans += [s for e in seed_extraction.events for s in e.evidence]
    spans += [e.quote for e in seed_extraction.events if e.quote]
    spans += [c.text for c in seed_extraction.claims] + [
        s for c in seed_extraction.claims for s in c.evidence
    ]
    assert len(spans) == 104
    for span in spans:
        assert text[span.start : span.end] == span.text
        sentence = seed_extraction.article.sentences[span.sentence]
        assert sentence.start <= span.start and span.end <= sentence.end


def test_no_seed_specific_names_in_code() -> None:
    """General rules only: nothing from the seed article is spelled out in Python code."""
    forbidden = [
        "Kishi",
        "Suh",
        "Wook",
        "Nobuo",
        "Yokosuka",
        "Rising Sun",
        "Yonhap",
        "Reuters",
        "83c0c4f0",
    ]
    offenders = []
    for path in sorted((ROOT / "kg").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for word in forbidden:
            if re.search(rf"\b{re.escape(word)}\b", source, re.IGNORECASE):
                offenders.append(f"{path.relative_to(ROOT)}: {word}")
    assert offenders == []


ARTICLE = """---
title: Defence chiefs meet in Canberra
published: 2024-05-14
publisher: Example Wire
---
Australian Defence Minister Richard Marles received Indonesian Defense Minister Prabowo Subianto in Canberra on Monday.
The two ministers signed a Defence Cooperation Agreement and agreed to hold joint naval drills later this year.
Marles said the agreement would deepen ties. No decisions have been made on joint patrols.
"""


def test_a_new_article_without_any_seed_names() -> None:
    article = read_article_text(ARTICLE, name="t", default_id="canberra", lexicon=load_lexicon())
    x = extract(article)
    officials = {(e.name, e.state, e.role) for e in x.entities if e.type == "Official"}
    assert officials == {
        ("Richard Marles", "AUS", "Defense Minister"),
        ("Prabowo Subianto", "IDN", "Defense Minister"),
    }
    meeting = next(e for e in x.events if e.type == "Meeting")
    assert (meeting.parties, meeting.date.value if meeting.date else None) == (
        ("AUS", "IDN"),
        "2024-05-13",
    )
    assert meeting.location == "place:canberra"
    agreement = next(e for e in x.events if e.type == "Agreement" and e.name)
    assert (agreement.name, agreement.status, agreement.parties) == (
        "Defence Cooperation Agreement",
        "signed",
        ("AUS", "IDN"),
    )
    drills = [e for e in x.events if e.type == "Exercise"]
    assert [(e.status, e.date.value if e.date else None) for e in drills] == [("agreed", "2024")]
    assert not any("patrol" in e.label for e in x.events)  # negated: not an event


def test_test_articles_folder_reads() -> None:
    files = sorted(Path(ROOT / "tests" / "articles").glob("*.txt"))
    assert len(files) == 40
    for path in files:
        x = extract(read_article(path))
        for e in x.entities:
            for m in e.mentions:
                assert x.article.text[m.start : m.end] == m.text


def test_seed_file_is_the_bundled_example() -> None:
    assert sorted(bundled_corpus().iterdir()) == [SEED]
    assert read_article(SEED).id == SEED_ID


WORDS = [
    "Japan", "South Korea", "U.S.", "the Pentagon", "Defense Minister", "Gen.", "Kim", "Lee",
    "met", "visited", "agreed to", "signed", "the", "exercise", "Freedom", "Shield", "24",
    "on", "January 30", "2017", "today", ",", ".", "“", "”", "said", "not", "would", "Seoul",
    "Ministry of Defense", "of", "and", "talks", "in", "Tokyo", "memorandum", "-", "'s", "\n",
]  # fmt: skip


@settings(max_examples=120, deadline=None)
@given(st.lists(st.sampled_from(WORDS) | st.text(max_size=12), min_size=1, max_size=60))
def test_extraction_of_any_text_keeps_spans_exact(words: list[str]) -> None:
    """Untrusted text of the genre's words never crashes extraction, and every span it
    reports quotes the body exactly."""
    text = " ".join(words)
    try:
        article = read_article_text(text, name="t", default_id="t", lexicon=load_lexicon())
    except ArticleError:
        return
    x = extract(article)
    spans = [m for e in x.entities for m in e.mentions]
    spans += [s for e in x.events for s in e.evidence] + [e.quote for e in x.events if e.quote]
    spans += [c.text for c in x.claims]
    for span in spans:
        assert article.text[span.start : span.end] == span.text
