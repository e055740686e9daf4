"""The project's own conventions: what `make test` enforces."""

from __future__ import annotations

import ast
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
        ".venv/bin/kg native build",  # the suite runs the compiled extractor
        "KG_NATIVE_REQUIRED=1 .venv/bin/python -m pytest -q",
    ]
    positions = [lines.index(command) for command in wanted]
    assert positions == sorted(positions)


def test_mypy_runs_strict() -> None:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    section = text.split("[tool.mypy]", 1)[1].split("\n[", 1)[0]
    assert "strict = true" in section.splitlines()


def _kg_imports() -> dict[str, set[str]]:
    """Each module under kg/ and the kg modules it imports (at the top or inside functions)."""
    import ast

    modules: dict[str, set[str]] = {}
    for path in sorted((ROOT / "kg").rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
                found.add(node.module)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("kg")}
        modules[name] = found
    return modules


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph[node] & graph.keys()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            part: list[str] = []
            while not part or part[-1] != node:
                part.append(stack.pop())
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_circle_under_kg() -> None:
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _circles(_kg_imports()) == []


def test_every_pipeline_stage_says_what_it_reads_and_writes_on_the_doc() -> None:
    from kg.extract import PIPELINE

    def docstring(stage: object) -> str:
        """From the source: a compiled stage (kg/native.py) keeps no docstring."""
        module = ROOT.joinpath(*stage.__module__.split("."))
        path = module / "__init__.py" if module.is_dir() else module.with_suffix(".py")
        tree = ast.parse(path.read_text(encoding="utf-8"))
        defs = [n for n in tree.body if isinstance(n, ast.FunctionDef)]
        return next(ast.get_docstring(n) or "" for n in defs if n.name == stage.__name__)

    silent = [
        stage.__name__
        for stage in PIPELINE
        if "Reads " not in docstring(stage) or "writes " not in docstring(stage)
    ]
    assert [stage.__name__ for stage in PIPELINE] == [
        "find_gazetteer_mentions", "find_people", "find_dates", "find_claims", "find_events",
    ]  # fmt: skip
    assert silent == []
