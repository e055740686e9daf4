"""The project's own conventions: what `make test` enforces."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _make_dry_run(target: str) -> list[str]:
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.splitlines()


def test_make_test_lints_and_type_checks_before_the_suite() -> None:
    lines = _make_dry_run("test")
    wanted = [
        ".venv/bin/ruff check kg tests scripts",
        ".venv/bin/ruff format --check kg tests scripts",
        ".venv/bin/mypy kg",
        ".venv/bin/python -m pytest -q",
    ]
    positions = [lines.index(command) for command in wanted]
    assert positions == sorted(positions)


def test_mypy_runs_strict() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
    assert "strict = true" in section.splitlines()
