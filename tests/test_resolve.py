"""Resolution across articles: one node per person and per event, whichever article says it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.article import read_article_text
from kg.build import build_articles
from kg.extract import extract
from kg.lexicon import load_lexicon
from kg.resolve import KnownPerson, name_tokens, resolve, shared_event_key
from kg.store import open_store

MINISTRY = """---
title: Defence ministers meet in Canberra
published: 2024-05-14
publisher: Ministry of Defence
---
CANBERRA - Australian Defence Minister Richard Marles held a meeting with \
Indonesian Defence Minister Prabowo Subianto in Canberra on May 13, 2024.
The two ministers agreed to resume joint naval drills later this year.
"""

WIRE = """---
title: Indonesia, Australia defence chiefs hold talks
published: 2024-05-14
publisher: Example Wire
---
Australia's defence minister, Richard MARLES, met Indonesian Defence Minister Subianto \
in Canberra yesterday, officials said.
Marles said the talks were "very productive".
"""

LATER = """---
title: Marles visits Jakarta
published: 2024-09-02
---
Defence Minister Marles of Australia arrived in Jakarta today for a two-day visit to Indonesia.
"""


def _article(text: str, article_id: str):  # noqa: ANN202 - test helper
    return read_article_text(text, name=article_id, default_id=article_id, lexicon=load_lexicon())


def test_name_tokens_ignore_case_order_accents_and_initials() -> None:
    assert name_tokens("James N. Mattis") == frozenset({"james", "mattis"})
    assert name_tokens("MARLES Richard") == name_tokens("Richard Marles")
    assert name_tokens("Błaszczak") == frozenset({"blaszczak"})


def test_same_person_and_same_event_across_two_reports() -> None:
    a = extract(_article(MINISTRY, "ministry"))
    b = extract(_article(WIRE, "wire"))
    ra, rb = resolve([a, b])
    people_a = {e.key: e.name for e in ra.entities if e.type == "Official"}
    people_b = {e.key: e.name for e in rb.entities if e.type == "Official"}
    assert people_a == {
        "person:prabowo-subianto": "Prabowo Subianto",
        "person:richard-marles": "Richard Marles",
    }
    # "Subianto" alone and "Richard MARLES" resolve to the fuller names of the other report
    assert set(people_b) == set(people_a)
    meeting_a = next(e for e in ra.events if e.type == "Meeting")
    meeting_b = next(e for e in rb.events if e.type == "Meeting")
    assert meeting_a.shared_key == meeting_b.shared_key == "meeting-aus-idn-2024-05-13-held"


def test_states_must_agree_for_a_person_match() -> None:
    known = [KnownPerson("person:kim-min-jae", "Kim Min-jae", name_tokens("Kim Min-jae"), "KOR")]
    north = _article(
        "North Korean Defence Minister Kim Min-jae inspected a drill on Monday.\n", "north"
    )
    (resolved,) = resolve([extract(north)], known)
    person = next(e for e in resolved.entities if e.type == "Official")
    assert person.state == "PRK"
    assert person.key != "person:kim-min-jae"


def test_no_shared_key_without_a_full_date_or_a_name() -> None:
    article = _article("Japan and Vietnam held talks in Hanoi on January 30.\n", "partial")
    (resolved,) = resolve([extract(article)])
    meeting = next(e for e in resolved.events if e.type == "Meeting")
    assert meeting.date is not None and meeting.date.value == "--01-30"
    assert shared_event_key(meeting) is None and meeting.shared_key is None


@pytest.fixture()
def store_path(tmp_path: Path) -> Path:
    return tmp_path / "store"


def test_building_a_folder_merges_nodes_and_keeps_evidence_from_each(store_path: Path) -> None:
    store = open_store(store_path, create=True)
    build_articles(store, [_article(MINISTRY, "ministry"), _article(WIRE, "wire")])
    rows = list(
        store.query(
            """PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
            SELECT ?g (COUNT(?ev) AS ?n) WHERE {
              GRAPH ?g { <https://w3id.org/defense-kg/id/event/meeting-aus-idn-2024-05-13-held>
                           dkg:evidence ?ev } } GROUP BY ?g ORDER BY ?g"""
        )
    )
    assert [(r["g"].value.rsplit("/", 1)[-1], int(r["n"].value)) for r in rows] == [
        ("ministry", 1),
        ("wire", 2),
    ]
    # a later, separate build still finds the person already in the store
    build_articles(store, [_article(LATER, "later")])
    people = {
        r["p"].value.rsplit("/", 1)[-1]
        for r in store.query(
            "SELECT DISTINCT ?p WHERE { ?p a <https://w3id.org/defense-kg/ontology#Official> }"
        )
    }
    assert people == {"prabowo-subianto", "richard-marles"}
