"""The scorer behind ``kg evaluate``: normalisation, matching, micro-averaging, CLI, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg.evaluate as ev
from kg.cli import main
from kg.evaluate import (
    EvaluationError,
    Facts,
    Official,
    Score,
    name_key,
    parse_gold,
    person_key,
    predicted_facts,
    render_errors,
    score,
)

ROOT = Path(__file__).resolve().parent.parent


def _officials(*items: tuple[str, str | None]) -> frozenset[Official]:
    return frozenset(Official.of(name, state) for name, state in items)


# --- normalisation ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Nobuo Kishi", "KISHI Nobuo"),
        ("Lloyd J. Austin III", "Lloyd Austin"),
        ("James N. Mattis", "mattis, james"),
        ("Mariusz Błaszczak", "Mariusz Blaszczak"),
        ("Yusuf Demirtaş", "Yusuf DEMIRTAS"),
        ("Ngô Xuân Lịch", "Ngo Xuan Lich"),
        ("Park Jin-ho", "Park Jin Ho"),
    ],
)
def test_person_names_equal(a: str, b: str) -> None:
    assert person_key(a) == person_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [("Park Jin-ho", "Park Jin"), ("Kishi", "Nobuo Kishi"), ("Kim Tae-soo", "Kim Tae-hoon")],
)
def test_person_names_differ(a: str, b: str) -> None:
    assert person_key(a) != person_key(b)


def test_person_key_exact() -> None:
    assert person_key("Gen. Romeo S. Brawner Jr.") == ("brawner", "gen", "romeo")
    assert person_key("Ms Claire Dubois") == ("claire", "dubois", "ms")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Freedom Shield 24", "Freedom Shield 2024"),
        ("Exercise Balikatan 2025", "Balikatan 25"),
        ("the Reciprocal Access Agreement", "Reciprocal Access Agreement"),
        ("Exercise Shakti", "SHAKTI"),
        ("African Lion 17", "African Lion 2017"),
        ("Freedom Shield '24", "freedom shield 24"),
    ],
)
def test_names_equal(a: str, b: str) -> None:
    assert name_key(a) == name_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Freedom Shield 24", "Freedom Shield 23"),
        ("Freedom Shield 24", "Freedom Shield"),
        ("Yudh Abhyas 2019", "Yudh Abhyas"),
        ("Mutual Defense Treaty", "Mutual Defense"),
    ],
)
def test_names_differ(a: str, b: str) -> None:
    assert name_key(a) != name_key(b)


def test_name_key_exact() -> None:
    assert name_key("The  Exercise Cobra-Gold 2025") == "cobra gold 25"
    assert name_key("Exercise") == "exercise"
    assert name_key("Theatre Shield 2100") == "theatre shield 2100"


# --- scoring ------------------------------------------------------------------------------


def test_score_rates_exact() -> None:
    assert (Score(3, 1, 2).precision, Score(3, 1, 2).recall) == (0.75, 0.6)
    assert Score(3, 1, 2).f1 == pytest.approx(2 / 3)
    assert (Score(0, 0, 4).precision, Score(0, 0, 4).recall, Score(0, 0, 4).f1) == (1.0, 0.0, 0.0)
    assert (Score(0, 2, 0).precision, Score(0, 2, 0).recall, Score(0, 2, 0).f1) == (0.0, 1.0, 0.0)
    assert Score(0, 0, 0).f1 == 1.0
    assert Score(1, 2, 3) + Score(4, 5, 6) == Score(5, 7, 9)


def test_micro_average_over_articles() -> None:
    gold = {
        "a": Facts(states=frozenset({"JPN", "KOR", "USA"})),
        "b": Facts(states=frozenset({"IND"})),
        "c": Facts(states=frozenset({"FRA", "GBR"})),
    }
    predicted = {
        "a": Facts(states=frozenset({"JPN", "KOR", "USA", "PRK"})),
        "b": Facts(states=frozenset({"IND"})),
    }
    result = score(gold, predicted)
    assert result.total("states") == Score(tp=4, fp=1, fn=2)
    assert result.articles["c"]["states"].score == Score(0, 0, 2)
    # Micro, not macro: 4 / 5 and 4 / 6, not the mean of the per-article rates.
    assert result.total("states").precision == 0.8
    assert result.total("states").recall == pytest.approx(2 / 3)
    assert result.total("states").f1 == pytest.approx(8 / 11)
    assert result.articles["a"]["states"].false_positives == ("PRK",)
    assert result.articles["c"]["states"].false_negatives == ("FRA", "GBR")
    assert result.overall() == Score(4, 1, 2)


def test_officials_order_initials_accents_and_state() -> None:
    gold = Facts(
        officials=_officials(
            ("Nobuo Kishi", "JPN"),
            ("James N. Mattis", "USA"),
            ("Mariusz Błaszczak", "POL"),
            ("Xavier Brunsen", "USA"),
            ("Kim Tae-soo", "KOR"),
        )
    )
    predicted = Facts(
        officials=_officials(
            ("KISHI Nobuo", "JPN"),  # name order and case
            ("James Mattis", "USA"),  # middle initial
            ("Mariusz Blaszczak", "POL"),  # accent
            ("Xavier Brunsen", "IND"),  # wrong state: one FP and one FN
            ("Kim Tae", "KOR"),  # truncated name
            ("Kim", None),
        )
    )
    result = score({"a": gold}, {"a": predicted}).articles["a"]["officials"]
    assert result.score == Score(tp=3, fp=3, fn=2)
    assert result.false_positives == ("Kim (-)", "Kim Tae (KOR)", "Xavier Brunsen (IND)")
    assert result.false_negatives == ("Kim Tae-soo (KOR)", "Xavier Brunsen (USA)")


def test_official_matches_through_an_alias_once() -> None:
    gold = Facts(officials=_officials(("Lloyd Austin", "USA")))
    merged = Official.of("Lloyd J. Austin III", "USA", aliases=("Austin", "Lloyd Austin"))
    twin = Official.of("Lloyd Austin", "USA")
    one = score({"a": gold}, {"a": Facts(officials=frozenset({merged}))}).total("officials")
    two = score({"a": gold}, {"a": Facts(officials=frozenset({merged, twin}))}).total("officials")
    assert one == Score(1, 0, 0)
    assert two == Score(1, 1, 0)  # a duplicate person node is a false positive


def test_events_names_dates_as_sets() -> None:
    gold = Facts(
        events=frozenset({("Meeting", ("JPN", "KOR")), ("Exercise", ("JPN", "KOR", "USA"))}),
        names=frozenset({"Freedom Shield 24", "Reciprocal Access Agreement"}),
        dates=frozenset({("Meeting", "2023-06-05"), ("Visit", "2023-06-04")}),
    )
    predicted = Facts(
        events=frozenset({("Meeting", ("JPN", "KOR")), ("Exercise", ("JPN", "USA"))}),
        names=frozenset({"Exercise Freedom Shield 2024", "the Reciprocal Access Agreement"}),
        dates=frozenset({("Meeting", "2023-06-05"), ("Agreement", "2023-06-05")}),
    )
    result = score({"a": gold}, {"a": predicted})
    assert result.total("events") == Score(1, 1, 1)
    assert result.total("names") == Score(2, 0, 0)
    assert result.total("dates") == Score(1, 1, 1)
    assert result.overall() == Score(4, 2, 2)
    assert render_errors(result) == (
        "== a\n"
        "  events    FP  Exercise JPN+USA\n"
        "  events    FN  Exercise JPN+KOR+USA\n"
        "  dates     FP  Agreement 2023-06-05\n"
        "  dates     FN  Visit 2023-06-04\n"
    )


def test_predicted_facts_from_export_records() -> None:
    entities = [
        {"type": "State", "iso3": "JPN", "name": "Japan", "articles": ["a", "b"]},
        {"type": "State", "iso3": "KOR", "name": "South Korea", "articles": ["a"]},
        {"type": "Official", "name": "Nobuo Kishi", "state": "JPN", "aliases": ["Kishi Nobuo"],
         "articles": ["a"]},
        {"type": "Organization", "name": "NATO", "articles": ["a"]},
        {"type": "Place", "name": "Korean Peninsula", "articles": ["b"]},
    ]  # fmt: skip
    events = [
        {"id": "e1", "article": "a", "type": "Meeting", "states": ["KOR", "JPN"],
         "date": "2023-06-05"},
        {"id": "e2", "article": "a", "type": "Exercise", "states": ["JPN", "KOR", "USA"],
         "date": "2023-11"},
        {"id": "e3", "article": "a", "type": "Statement", "states": ["JPN"], "date": "2023-06-05"},
        {"id": "e4", "article": "b", "type": "Agreement", "states": [], "date": None},
        {"id": "e5", "article": "b", "type": "Agreement", "states": ["JPN"], "date": "1951-09-08",
         "status": None},
    ]  # fmt: skip
    facts = predicted_facts(
        entities,
        events,
        names={"e2": {"Freedom Edge 23"}, "e1": {"not an exercise"}, "e5": {"Security Treaty"}},
        event_articles={"e1": {"b"}},
    )
    assert facts["a"] == Facts(
        states=frozenset({"JPN", "KOR"}),
        officials=frozenset({Official.of("Nobuo Kishi", "JPN", ["Kishi Nobuo"])}),
        events=frozenset({("Meeting", ("JPN", "KOR")), ("Exercise", ("JPN", "KOR", "USA"))}),
        names=frozenset({"Freedom Edge 23"}),
        dates=frozenset({("Meeting", "2023-06-05")}),
    )
    # e5 has no status: a treaty named, not an event reported (its name counts, nothing else).
    assert facts["b"] == Facts(
        states=frozenset({"JPN"}),
        events=frozenset({("Meeting", ("JPN", "KOR")), ("Agreement", ())}),
        names=frozenset({"Security Treaty"}),
        dates=frozenset({("Meeting", "2023-06-05")}),
    )


# --- gold validation ----------------------------------------------------------------------


def test_parse_gold_accepts_the_documented_format() -> None:
    gold = parse_gold(
        {
            "articles": {
                "x": {
                    "states": ["JPN", "KOR", "JPN"],
                    "officials": [{"name": "Suh Wook", "state": "KOR"}, {"name": "Spokesman Lee",
                                                                          "state": None}],
                    "events": [{"type": "Meeting", "states": ["KOR", "JPN"]}],
                    "names": ["Exercise Shakti"],
                    "dates": [{"type": "Meeting", "date": "2021-06-01"}],
                },
                "y": {},
            }
        }
    )  # fmt: skip
    assert gold["x"].states == frozenset({"JPN", "KOR"})
    assert gold["x"].events == frozenset({("Meeting", ("JPN", "KOR"))})
    assert {(o.name, o.state) for o in gold["x"].officials} == {
        ("Suh Wook", "KOR"),
        ("Spokesman Lee", None),
    }
    assert gold["y"] == Facts()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], 'gold: expected a JSON object with an "articles" object'),
        ({"articles": []}, 'gold: expected a JSON object with an "articles" object'),
        ({"articles": {"a": []}}, "gold: article a: each article's gold must be an object"),
        ({"articles": {"a": {"state": []}}}, "gold: article a: unknown key 'state' (expected "
         "states, officials, events, names, dates)"),
        ({"articles": {"a": {"states": "JPN"}}}, 'gold: article a: "states" must be a list'),
        ({"articles": {"a": {"states": ["Japan"]}}},
         "gold: article a.states: 'Japan' is not an ISO 3166-1 alpha-3 code"),
        ({"articles": {"a": {"officials": [{"name": "X Y"}]}}},
         "gold: article a.officials: each item must be an object with exactly the keys name, "
         "state"),
        ({"articles": {"a": {"officials": [{"name": "", "state": None}]}}},
         "gold: article a.officials: '' is not a person's name"),
        ({"articles": {"a": {"events": [{"type": "Summit", "states": ["JPN"]}]}}},
         "gold: article a.events: event type 'Summit' is not one of Meeting, Visit, Exercise, "
         "Agreement"),
        ({"articles": {"a": {"dates": [{"type": "Meeting", "date": "2021-06"}]}}},
         "gold: article a.dates: '2021-06' is not a YYYY-MM-DD date"),
        ({"articles": {"a": {"names": [3]}}}, "gold: article a.names: 3 is not a name"),
    ],
)  # fmt: skip
def test_parse_gold_rejects_bad_gold(data: object, message: str) -> None:
    with pytest.raises(EvaluationError) as info:
        parse_gold(data)
    assert str(info.value) == message


# --- CLI ----------------------------------------------------------------------------------

ARTICLE = "Japanese Defense Minister Nobuo Kishi met his South Korean counterpart in Tokyo.\n"


@pytest.fixture()
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two article files, a NOTES.md to skip, a gold file; predictions fixed (no extraction)."""
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "b.txt").write_text(ARTICLE, encoding="utf-8")
    (folder / "NOTES.md").write_text("# not an article\n", encoding="utf-8")
    gold = {
        "articles": {
            "a": {"states": ["JPN", "KOR"],
                  "events": [{"type": "Meeting", "states": ["JPN", "KOR"]}],
                  "officials": [{"name": "Nobuo Kishi", "state": "JPN"}]},
            "b": {"states": ["JPN"], "names": ["Freedom Shield 24"]},
        }
    }  # fmt: skip
    (tmp_path / "gold.json").write_text(json.dumps(gold), encoding="utf-8")

    def fake_build(paths: Sequence[Path]) -> dict[str, Facts]:
        assert [p.name for p in paths] == ["a.txt", "b.txt"]
        return {
            "a": Facts(
                states=frozenset({"JPN", "KOR", "USA"}),
                officials=_officials(("KISHI Nobuo", "JPN")),
                events=frozenset({("Meeting", ("JPN", "KOR"))}),
            ),
            "b": Facts(states=frozenset({"JPN"})),
        }

    monkeypatch.setattr(ev, "build_predictions", fake_build)
    return tmp_path


def test_cli_table(inputs: Path) -> None:
    result = CliRunner().invoke(
        main, ["evaluate", "--gold", str(inputs / "gold.json"), str(inputs / "articles")]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "category   tp  fp  fn  precision  recall     f1\n"
        "---------  --  --  --  ---------  ------  -----\n"
        "states      3   1   0      0.750   1.000  0.857\n"
        "officials   1   0   0      1.000   1.000  1.000\n"
        "events      1   0   0      1.000   1.000  1.000\n"
        "names       0   0   1      1.000   0.000  0.000\n"
        "dates       0   0   0      1.000   1.000  1.000\n"
        "overall     5   1   1      0.833   0.833  0.833\n"
        "invented facts: 0 officials with a wrong state, 0 event parties gold lacks, "
        "0 names that are clauses\n"
    )


def test_cli_json_per_article(inputs: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["evaluate", "--gold", str(inputs / "gold.json"), str(inputs / "articles"),
         "--format", "json", "--per-article"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["articles"] == 2
    assert data["total"]["states"] == {
        "tp": 3, "fp": 1, "fn": 0, "precision": 0.75, "recall": 1.0, "f1": 0.8571,
    }  # fmt: skip
    assert data["overall"]["f1"] == 0.8333
    assert data["per_article"]["a"]["states"]["false_positives"] == ["USA"]
    assert data["per_article"]["b"]["names"]["false_negatives"] == ["Freedom Shield 24"]


def test_cli_per_article_table_and_errors(inputs: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["evaluate", "--gold", str(inputs / "gold.json"), str(inputs / "articles"),
         "--per-article", "--errors", "--format", "markdown"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "| category | tp | fp | fn | precision | recall | f1 |"
    assert "| a states | 2 | 1 | 0 | 0.667 | 1.000 | 0.800 |" in lines
    assert "| b names | 0 | 0 | 1 | 1.000 | 0.000 | 0.000 |" in lines
    assert len(lines) == 2 + 6 + 2 * 5 + 1 + 4
    assert lines[-4:] == [
        "== a",
        "  states    FP  USA",
        "== b",
        "  names     FN  Freedom Shield 24",
    ]


def _error(args: list[str]) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["evaluate", *args])
    return result.exit_code, result.stderr


def test_cli_bad_gold(tmp_path: Path, inputs: Path) -> None:
    articles = str(inputs / "articles")
    missing = tmp_path / "none.json"
    code, err = _error(["--gold", str(missing), articles])
    assert (code, err) == (1, f"Error: {missing}: no such gold file\n")
    bad = tmp_path / "bad.json"
    bad.write_text('{"articles": {', encoding="utf-8")
    code, err = _error(["--gold", str(bad), articles])
    assert (code, err) == (
        1,
        f"Error: {bad}: malformed JSON (Expecting property name enclosed in double quotes at "
        "line 1 column 15)\n",
    )
    bad.write_bytes(b"\xff\xfe{}")
    assert _error(["--gold", str(bad), articles]) == (
        1,
        f"Error: {bad}: gold file is not UTF-8 text\n",
    )


def test_cli_gold_and_inputs_disagree(tmp_path: Path, inputs: Path) -> None:
    gold = json.loads((inputs / "gold.json").read_text(encoding="utf-8"))
    gold["articles"]["c"] = {}
    extra = tmp_path / "extra.json"
    extra.write_text(json.dumps(gold), encoding="utf-8")
    assert _error(["--gold", str(extra), str(inputs / "articles")]) == (
        1,
        "Error: gold article 'c' not among the inputs\n",
    )
    del gold["articles"]["c"], gold["articles"]["b"]
    extra.write_text(json.dumps(gold), encoding="utf-8")
    assert _error(["--gold", str(extra), str(inputs / "articles")]) == (
        1,
        f"Error: article 'b' has no entry in {extra}\n",
    )


def test_cli_bad_inputs(tmp_path: Path, inputs: Path) -> None:
    gold = str(inputs / "gold.json")
    assert _error(["--gold", gold, str(tmp_path / "nope")]) == (
        1,
        f"Error: {tmp_path / 'nope'}: no such file or folder\n",
    )
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "README.md").write_text("docs\n", encoding="utf-8")
    assert _error(["--gold", gold, str(empty)]) == (
        1,
        f"Error: no article files (.txt or .md) in {empty}\n",
    )
    code, err = _error([str(empty)])
    assert code == 2 and "Missing option '--gold'" in err


def test_real_build_rejects_a_binary_article(tmp_path: Path) -> None:
    (tmp_path / "x.txt").write_bytes(b"\x00\x01binary")
    gold = tmp_path / "gold.json"
    gold.write_text('{"articles": {"x": {}}}', encoding="utf-8")
    code, err = _error(["--gold", str(gold), str(tmp_path / "x.txt")])
    assert code == 1
    assert err.startswith("Error: ") and err.count("\n") == 1 and "binary" in err


def test_subprocess_on_the_bundled_corpus() -> None:
    """The installed command, for real: seed corpus against its gold."""
    kg = Path(sys.executable).parent / "kg"
    command = [str(kg)] if kg.exists() else [sys.executable, "-m", "kg"]
    done = subprocess.run(
        [*command, "evaluate", "--gold", "scripts/gold/seed.json", "corpus", "--format", "json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "KG_STORE": str(ROOT / "does-not-exist")},
    )
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["articles"] == 1
    assert list(data["total"]) == ["states", "officials", "events", "names", "dates"]
    assert not (ROOT / "does-not-exist").exists()
    bad = subprocess.run(
        [*command, "evaluate", "--gold", "no-such-gold.json", "corpus"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert (bad.returncode, bad.stdout) == (1, "")
    assert bad.stderr == "Error: no-such-gold.json: no such gold file\n"
