"""Extraction never hangs: linear patterns on hostile text, and a time budget per article."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.article import ArticleError, read_article_text
from kg.cli import main
from kg.extract import ExtractionBudgetError, extract, extraction_budget
from kg.records import Extraction

# A speaker label in capitals right after a state's short name, then a list of states: the
# shape that once made an observer pattern backtrack without end (our own words and names).
LABEL_SHAPE = (
    "SUBJECTS: Fiji Defence Ministers’ Meeting\n"
    "DR LENA MARSHALLTON, PNG MINISTER FOR NATIONAL DEFENCE: Welcome to Lae for this Defence "
    "Ministers’ Meeting between Papua New Guinea, Fiji and Tonga.\n"
)

# Long runs of one kind of character, each after words that open a pattern on it.
LONG = 60_000
RUNS = {
    "capitals after a state": "Fiji " + "QWERTYUIOP" * (LONG // 10) + " observers.",
    "capitalised words": "Fiji " + "Abc " * (LONG // 4) + "observers.",
    "full stops": "Talks." + "." * LONG + "x",
    "spaces": "They met and" + " " * LONG + "x agreed",
    "hyphenated capitals": "Exercise " + "A-" * (LONG // 2) + "x",
    "initials": "Treaty " + "A." * (LONG // 2) + "x",
    "opening quotes": "The minister said " + "“" * LONG,
    "straight quotes": "He said " + '"ab ' * (LONG // 4),
    "names before a treaty word": "signed the " + "Abc " * (LONG // 4) + "x Agreement",
    "list gaps in a claim": "According to analysts, pressure on China" + ", and the" * 6000 + " x",
    "commas after a state": "Japan" + ", " * (LONG // 2) + "observing",
}


@pytest.fixture()
def budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "10")


def _extract(body: str, name: str = "hostile") -> Extraction:
    return extract(read_article_text(body, name=name, default_id=name))


def _spans_exact(x: Extraction) -> bool:
    text = x.article.text
    spans = [s for e in x.entities for s in e.mentions] + [s for e in x.events for s in e.evidence]
    return all(text[s.start : s.end] == s.text for s in spans)


def test_speaker_label_in_capitals_completes(budget: None) -> None:
    x = _extract(LABEL_SHAPE)
    welcomed = [e for e in x.events if e.evidence[0].text.startswith("DR LENA")]
    assert [(e.type, e.parties) for e in welcomed] == [("Meeting", ("FJI", "PNG", "TON"))]


@pytest.mark.parametrize("name", sorted(RUNS))
def test_long_runs_complete_within_the_budget(budget: None, name: str) -> None:
    """A super-linear pattern would take minutes on these; the budget turns that into a
    failure of this test instead of a hang."""
    x = _extract(RUNS[name], name="run")
    assert _spans_exact(x)


ALPHABET = st.sampled_from(
    list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,;:-–—'’\"“”()/& \n")
    + ["Fiji ", "Tonga", "PNG ", " and ", " the ", "Agreement ", "Exercise ", "Meeting ",
       " observers", " met ", " signed ", "Mr. ", "U.S. ", "2026", " of "]
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(st.lists(ALPHABET, min_size=1, max_size=1500).map("".join))
def test_any_run_of_capitals_digits_and_punctuation_completes(body: str) -> None:
    """Whatever the mix, extraction ends inside its budget (raised as an error otherwise)."""
    if not body.strip():
        return
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("KG_EXTRACT_BUDGET", "10")
        x = _extract(body)
    assert _spans_exact(x)


def test_budget_exceeded_is_one_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0.000000001")
    with pytest.raises(ExtractionBudgetError) as caught:
        _extract("Fiji and Tonga met in Suva.", name="slow")
    assert str(caught.value) == "slow: extraction exceeded the 1e-09 s budget"
    assert isinstance(caught.value, ArticleError)


def test_budget_is_checked_between_steps_outside_the_main_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """No timer signal there: the deadline checks between stages and sentences decide."""
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0.000000001")
    article = read_article_text("Fiji and Tonga met in Suva.", name="t", default_id="t")
    errors: list[BaseException] = []

    def run() -> None:
        try:
            extract(article)
        except ExtractionBudgetError as exc:
            errors.append(exc)

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(60)
    assert [str(e) for e in errors] == ["t: extraction exceeded the 1e-09 s budget"]


def test_budget_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KG_EXTRACT_BUDGET", raising=False)
    assert extraction_budget() == 20.0
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0")
    assert extraction_budget() is None
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "2.5")
    assert extraction_budget() == 2.5
    for bad in ("soon", "-1", "nan", "inf"):
        monkeypatch.setenv("KG_EXTRACT_BUDGET", bad)
        with pytest.raises(ArticleError, match="KG_EXTRACT_BUDGET must be a number"):
            extraction_budget()


def test_build_fails_the_article_and_leaves_no_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "slow.txt"
    article.write_text("Fiji and Tonga met in Suva.\n", encoding="utf-8")
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0.000000001")
    result = CliRunner().invoke(
        main,
        ["build", str(article), "--store", str(tmp_path / "store"), "--out", str(tmp_path / "g")],
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert lines[-1] == f"Error: {article}: extraction exceeded the 1e-09 s budget"
    assert not (tmp_path / "g").exists()


def test_evaluate_reports_an_exceeded_budget_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = tmp_path / "slow.txt"
    article.write_text("Fiji and Tonga met in Suva.\n", encoding="utf-8")
    gold = tmp_path / "gold.json"
    gold.write_text('{"articles": {}}\n', encoding="utf-8")
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0.000000001")
    result = CliRunner().invoke(main, ["evaluate", "--gold", str(gold), str(article)])
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"Error: {article}: extraction exceeded the 1e-09 s budget"
    )
