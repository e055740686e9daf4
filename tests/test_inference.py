"""Every attribution has a basis; `kg build --no-inference` leaves out what only a guess gave."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = ROOT / "tests" / "articles" / "gbr-tur-defence-secretary-ankara.txt"


def _export(store: Path, fmt: str) -> list[dict]:
    result = CliRunner().invoke(main, ["export", "--store", str(store), "--format", fmt])
    assert result.exit_code == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("inference")
    for name, extra in (("with", []), ("without", ["--no-inference"])):
        result = CliRunner().invoke(
            main, ["build", str(ARTICLE), "--store", str(folder / name), *extra]
        )
        assert result.exit_code == 0, result.stderr
    return folder / "with", folder / "without"


def _official(rows: list[dict], name: str) -> dict:
    return next(r for r in rows if r["type"] == "Official" and r["name"] == name)


def test_a_title_default_is_an_inferred_basis_and_no_inference_drops_it(
    stores: tuple[Path, Path],
) -> None:
    with_inference, without = (_export(s, "entities") for s in stores)
    grant = _official(with_inference, "Alistair Grant")
    assert grant["state"] == "GBR"
    assert [(b["rule"], b["inferred"], b["state"]) for b in grant["basis"]] == [
        ("title-default", True, "GBR")
    ]
    assert _official(without, "Alistair Grant")["state"] is None
    assert _official(without, "Alistair Grant")["basis"] == []
    demirtas = _official(without, "Yusuf Demirtaş")
    assert demirtas["state"] == "TUR" and all(not b["inferred"] for b in demirtas["basis"])


def test_event_parties_carry_their_basis_and_guesses_are_left_out(
    stores: tuple[Path, Path],
) -> None:
    with_inference, without = (_export(s, "events") for s in stores)

    def visits(rows: list[dict]) -> list[tuple]:
        return sorted(
            (r["status"], r["states"], [(b["fact"], b["rule"], b["inferred"]) for b in r["basis"]])
            for r in rows
            if r["type"] == "Visit"
        )

    assert visits(with_inference) == [
        (
            "held",
            ["GBR", "TUR"],
            [("party:GBR", "venue", True), ("party:TUR", "context", True),
             ("status:held", "trigger", False)],
        ),
        (
            "planned",
            ["GBR", "TUR"],
            [("party:GBR", "title", False), ("party:TUR", "name", False),
             ("status:planned", "status-word", False)],
        ),
    ]  # fmt: skip
    assert visits(without) == [
        ("held", [], [("status:held", "trigger", False)]),
        (
            "planned",
            ["GBR", "TUR"],
            [("party:GBR", "title", False), ("party:TUR", "name", False),
             ("status:planned", "status-word", False)],
        ),
    ]  # fmt: skip
    # a party read off an official whose state was only a guess goes with the guess
    meetings = sorted(r["states"] for r in without if r["type"] == "Meeting")
    assert meetings == [["GBR", "TUR"], ["TUR"]]


def test_no_inferred_attribution_is_stored_without_inference(stores: tuple[Path, Path]) -> None:
    ask = "ASK { ?a a dkg:InferredAttribution }"
    for store, expected in zip(stores, (0, 1), strict=True):
        assert CliRunner().invoke(main, ["query", "--store", str(store), ask]).exit_code == expected
