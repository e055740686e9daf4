"""Officials, their states and the basis of each state; dates near the published date.

Every article here is one of ours (tests/articles/, see NOTES.md) or a few lines written in
the test; each test pins one class of error with exact expectations.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from kg.article import read_article, read_article_text
from kg.backends import opened
from kg.build import build_articles
from kg.evaluate import Facts, Official, invented_facts
from kg.export import entities
from kg.extract import extract
from kg.extract.dates import find_dates
from kg.extract.doc import Doc
from kg.lexicon import (
    DATE_WORD_CLASSES,
    MENTION_WORD_CLASSES,
    PEOPLE_WORD_CLASSES,
    LexiconError,
    load_lexicon,
)
from kg.records import Extraction
from kg.resolve import KnownPerson, resolve

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
DATA = ROOT / "kg" / "data"


def _own(name: str) -> Extraction:
    return extract(read_article(ARTICLES / f"{name}.txt"))


def _text(body: str, published: str | None = "2025-05-07", article_id: str = "t") -> Extraction:
    front = f"---\npublished: {published}\npublisher: Example Wire\n---\n" if published else ""
    article = read_article_text(
        front + body, name=article_id, default_id=article_id, lexicon=load_lexicon()
    )
    return extract(article)


def _officials(x: Extraction) -> dict[str, tuple[str | None, str | None, str | None, bool]]:
    """name -> (state, role, basis rule, inferred)."""
    return {
        e.name: (
            e.state,
            e.role,
            e.basis.rule if e.basis else None,
            e.basis.inferred if e.basis else False,
        )
        for e in x.entities
        if e.type == "Official"
    }


def _states(x: Extraction) -> set[str]:
    return {e.iso3 or "" for e in x.entities if e.type == "State"}


# --- ranks, abbreviations, ships, given names ---------------------------------------------


def test_ranks_abbreviations_and_ships() -> None:
    x = _own("aus-nzl-ranks-and-ships")
    assert _officials(x) == {
        "Helen Carver": ("AUS", "Commander", "organization", False),
        "Tomas Reeve": ("NZL", "Brigadier General", "organization", False),
        "Aaron Pike": ("AUS", "Chief of Army", "possessive", False),
        "Judith Okafor": ("AUS", "Rear Admiral", "organization", False),
        "Owen Tarrant": ("NZL", "Spokesperson", "organization", False),
        "Gen Moriyama": ("JPN", "Defense Minister", "possessive", False),
    }
    # "Ottawa Company" is a unit: Canada is not mentioned
    assert _states(x) == {"AUS", "JPN", "NZL"}


def test_rank_word_is_a_given_name_without_a_period_or_a_full_name() -> None:
    x = _text(
        "Defence Minister Gen Tanaka of Japan met Gen. Ana Ruiz of Spain and Gen Luis Mora "
        "of Chile in Tokyo."
    )
    assert _officials(x) == {
        "Gen Tanaka": ("JPN", "Defense Minister", "of-state", False),
        "Ana Ruiz": ("ESP", "General", "of-state", False),
        "Luis Mora": ("CHL", "General", "of-state", False),
    }


def test_lower_case_rank_word_is_no_title() -> None:
    x = _text("Exercise Northern Gale, a major Dutch exercise, began today in the North Sea.")
    assert _officials(x) == {}


# --- transcripts ---------------------------------------------------------------------------


def test_speaker_labels() -> None:
    x = _own("fji-ton-press-conference-suva")
    assert _officials(x) == {
        "Leilani Tupou": ("FJI", "Defense Minister", "adjective", False),
        "Sione Fakatava": ("TON", "Defense Minister", "adjective", False),
    }
    tupou = next(e for e in x.entities if e.name == "Leilani Tupou")
    assert [m.text for m in tupou.mentions] == ["LEILANI TUPOU", "Tupou", "TUPOU"]


# --- titles after the name, former holders ----------------------------------------------


def test_titles_after_the_name_and_former_holders() -> None:
    x = _own("chl-esp-titles-after-names")
    assert _officials(x) == {
        "Ricardo Fuentes": ("CHL", "Under Secretary of Defense", "possessive", False),
        "Marta Ibarra": ("ESP", "Secretary", "ministry", False),
        "Carmen Ortega": ("ESP", "Defense Minister", "list-state", False),
    }
    assert _states(x) == {"CHL", "ESP"}  # "the Riga Summit" is no mention of Latvia


def test_former_office_holder_is_not_an_official() -> None:
    x = _text(
        "Former Prime Minister Anna Berg of Sweden and Prime Minister Olle Lind of Sweden spoke."
    )
    assert _officials(x) == {"Olle Lind": ("SWE", "Prime Minister", "of-state", False)}


# --- states: explicit evidence beats defaults, guesses only fill gaps -----------------------


def test_title_default_yields_to_an_explicit_holder_of_the_post() -> None:
    x = _own("phl-usa-secretaries-manila")
    assert _officials(x) == {
        "Ramon Cruz": ("PHL", "Defense Secretary", "counterpart", True),
        "Daniel Whitaker": ("USA", "Defense Secretary", "adjective", False),
        "Lee Jae-sung": ("KOR", "Foreign Minister", "adjective", False),
        "Amina Al-Thani": ("QAT", "Defense Attaché", "of-state", False),
        "Oliver Grant": ("GBR", "Defense Secretary", "title-default", True),
    }


def test_basis_span_quotes_the_evidence() -> None:
    x = _own("phl-usa-secretaries-manila")
    attache = next(e for e in x.entities if e.name == "Amina Al-Thani")
    assert attache.basis is not None and attache.basis.span is not None
    span = attache.basis.span
    assert (span.text, x.article.text[span.start : span.end]) == ("Qatari", "Qatari")


def test_ambassador_to_a_state_does_not_serve_it() -> None:
    x = _text("British High Commissioner to Kenya Jane Moss met Kenyan officials in Nairobi.")
    assert _officials(x)["Jane Moss"] == ("GBR", "High Commissioner", "adjective", False)


def test_no_guess_beside_officials_of_both_sides() -> None:
    x = _text(
        "Defence Minister Ivo Marin of Croatia hosted Defence Minister Aku Salo of Finland in "
        "Zagreb.\n\nMarin, Salo and Col. Petra Horvat discussed air policing."
    )
    assert _officials(x)["Petra Horvat"] == (None, "Colonel", None, False)


# --- dates -------------------------------------------------------------------------------


def _dates(body: str, published: str | None) -> list[tuple[str, str, str]]:
    front = f"---\npublished: {published}\n---\n" if published else ""
    article = read_article_text(front + body, name="d", default_id="d", lexicon=load_lexicon())
    doc = find_dates(Doc(article, load_lexicon()))
    return [(d.value.value, d.value.datatype, d.value.text) for d in doc.dates]


def test_weekday_day_month_takes_the_year_near_publication() -> None:
    x = _own("deu-pol-weekday-dates")
    assert sorted((e.type, e.date.value if e.date else None) for e in x.events) == [
        ("Meeting", "2024-11"),
        ("Meeting", "2025-03-03"),
        ("Meeting", "2025-05-09"),
    ]
    assert _dates("They meet on Friday 9 May.", "2025-05-07") == [
        ("2025-05-09", "date", "Friday 9 May")
    ]
    assert _dates("They met on Monday (5 May).", "2025-05-07") == [
        ("2025-05-05", "date", "Monday (5 May)")
    ]


def test_weekday_that_does_not_match_leaves_the_year_open() -> None:
    # the weekday contradicts the day: the year stays open and "Thursday" is not resolved
    assert _dates("They will meet on Thursday 9 May.", "2025-05-07") == [
        ("--05-09", "gMonthDay", "9 May")
    ]
    assert _dates("They meet on Friday 9 May.", None) == [("--05-09", "gMonthDay", "9 May")]


def test_relative_months_and_weekdays() -> None:
    published = "2025-05-08"  # a Thursday
    assert _dates("The ministers met on Wednesday.", published) == [
        ("2025-05-07", "date", "on Wednesday")
    ]
    assert _dates("They met last November and will meet next year.", published) == [
        ("2024-11", "gYearMonth", "last November"),
        ("2026", "gYear", "next year"),
    ]
    # "last March" said in May may be this year's or last year's: left open
    assert _dates("They met last March.", published) == []
    # "this may" is a modal verb, not the month
    assert _dates("this may help, officials said.", published) == []


def test_date_range_with_words_gives_start_and_end() -> None:
    article = read_article_text(
        "Talks ran from 18 to 20 September 2018.", name="r", default_id="r", lexicon=load_lexicon()
    )
    doc = find_dates(Doc(article, load_lexicon()))
    assert [(d.value.value, d.end_value.value if d.end_value else None) for d in doc.dates] == [
        ("2018-09-18", "2018-09-20")
    ]


# --- across articles ------------------------------------------------------------------------


def test_bare_surname_is_never_linked_to_a_different_full_name() -> None:
    first = _text("Defence Minister Rajan Mehta of India met officials.", article_id="first")
    second = _text(
        "Defence Minister Arun Mehta of India arrived in Paris. Mehta said talks went well.",
        article_id="second",
    )
    third = _text("Defence Minister Mehta of India spoke.", article_id="third")
    a, b, c = resolve([first, second, third])
    keys = {
        x.article.id: sorted(e.key for e in x.entities if e.type == "Official") for x in (a, b, c)
    }
    assert keys == {
        "first": ["person:rajan-mehta"],
        "second": ["person:arun-mehta"],
        "third": ["person:mehta"],  # "Mehta" alone fits two people: linked to neither
    }


def test_known_official_is_recognised_without_a_title() -> None:
    known = [KnownPerson("person:ilse-brandt", "Ilse Brandt", frozenset({"ilse", "brandt"}), "DEU")]
    x = _text("Ilse Brandt said Germany would send two frigates.", article_id="later")
    (resolved,) = resolve([x], known)
    assert _officials(resolved) == {"Ilse Brandt": ("DEU", None, "known-official", True)}


# --- evaluation: invented facts ----------------------------------------------------------


def test_invented_facts_report_states_parties_and_clauses() -> None:
    gold = Facts(
        officials=frozenset({Official.of("Ana Ruiz", "ESP"), Official.of("Li Wei", "CHN")}),
        events=frozenset({("Meeting", ("CHN", "ESP"))}),
        names=frozenset({"Atlantic Shield"}),
    )
    predicted = Facts(
        officials=frozenset({Official.of("Ana Ruiz", "USA"), Official.of("Li Wei", None)}),
        events=frozenset({("Meeting", ("CHN", "ESP", "RUS")), ("Visit", ("FRA",))}),
        names=frozenset({"Atlantic Shield", "Accord when the ministers met in February"}),
    )
    assert [(f.category, f.item, f.invented, f.gold) for f in invented_facts(gold, predicted)] == [
        ("officials", "Ana Ruiz (USA)", ("USA",), "Ana Ruiz (ESP)"),
        ("events", "Meeting CHN+ESP+RUS", ("RUS",), "Meeting CHN+ESP"),
        ("names", "Accord when the ministers met in February", ("clause",), None),
    ]


# --- RDF and export: the basis is queryable -------------------------------------------------


def test_basis_in_rdf_and_in_the_entities_export(tmp_path: Path) -> None:
    article = read_article(ARTICLES / "phl-usa-secretaries-manila.txt")
    with opened(tmp_path / "store", create=True) as store:
        build_articles(store, [article])
        rows = {r["name"]: r for r in entities(store) if r["type"] == "Official"}
        inferred = store.query(
            """PREFIX dkg: <https://w3id.org/defense-kg/ontology#>
            SELECT ?rule WHERE { ?p dkg:attribution ?a . ?a a dkg:InferredAttribution ;
              dkg:basisRule ?rule } ORDER BY ?rule"""
        )
        rules = [solution["rule"].value for solution in inferred]
    assert rules == ["counterpart", "title-default"]
    assert rows["Amina Al-Thani"]["basis"] == [
        {
            "article": "phl-usa-secretaries-manila",
            "rule": "of-state",
            "inferred": False,
            "state": "QAT",
            "start": rows["Amina Al-Thani"]["basis"][0]["start"],
            "end": rows["Amina Al-Thani"]["basis"][0]["start"] + len("Qatari"),
            "quote": "Qatari",
        }
    ]
    assert rows["Ramon Cruz"]["basis"][0]["rule"] == "counterpart"
    assert rows["Ramon Cruz"]["basis"][0]["inferred"] is True
    json.dumps(rows)  # every row is plain JSON


# --- data files: every class is read, unknown classes fail at load --------------------------


@pytest.mark.parametrize(
    ("filename", "classes", "source"),
    [
        ("people_words.tsv", PEOPLE_WORD_CLASSES, "kg/extract/people.py"),
        ("date_words.tsv", DATE_WORD_CLASSES, "kg/extract/dates.py"),
        ("mention_words.tsv", MENTION_WORD_CLASSES, "kg/extract/mentions.py"),
    ],
)
def test_every_word_class_is_used_and_every_used_class_exists(
    filename: str, classes: frozenset[str], source: str
) -> None:
    rows = [
        line.split("\t")[0]
        for line in (DATA / filename).read_text(encoding="utf-8").splitlines()[1:]
        if line.strip() and not line.startswith("#")
    ]
    assert set(rows) == set(classes)
    code = (ROOT / source).read_text(encoding="utf-8")
    used = set(re.findall(r'"([a-z]+(?:-[a-z]+)*)"', code)) & set(classes)
    special = {"title-adjective", "back-title"}  # read through Lexicon dictionaries
    assert used | special >= set(classes), sorted(set(classes) - used - special)


def test_unknown_word_class_fails_at_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "people_words.tsv").write_text("class\ttext\tvalue\nnonsense\tword\t\n")
    monkeypatch.setenv("KG_LEXICON_DIR", str(tmp_path))
    with pytest.raises(LexiconError, match="unknown class 'nonsense'"):
        load_lexicon()


# --- no pattern of these stages backtracks on long runs of capitals, digits, punctuation ----


@pytest.mark.parametrize(
    "unit",
    [
        "DR ANNA KOWALSKA, PNG MINISTER FOR NATIONAL DEFENCE: ",
        "Papua New Guinea, Australia and Indonesia ",
        "12 - 14 - 2024 , 3 to 5 May 2025 ; ",
        "Maj. Gen. Lt. Col. Rear Adm. ",
        "A.B.C. D'E – F — G (H) ",
        "Friday Monday 9 May last November next March ",
    ],
)
def test_long_runs_finish_and_keep_offsets(unit: str) -> None:
    from kg.extract.mentions import find_gazetteer_mentions
    from kg.extract.people import find_people

    body = unit * 400  # about 10,000 to 20,000 characters on one line
    article = read_article_text(
        "---\npublished: 2025-05-07\n---\n" + body, name="run", default_id="run",
        lexicon=load_lexicon(),
    )  # fmt: skip
    doc = find_dates(find_people(find_gazetteer_mentions(Doc(article, load_lexicon()))))
    assert all(article.text[m.start : m.end] == m.text for m in doc.mentions)
    assert all(d.start < d.end for d in doc.dates)
