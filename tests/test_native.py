"""The compiled kg/extract (kg/native.py): used only while it matches the sources, and when
used it computes exactly what the sources compute."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kg import native

ROOT = Path(__file__).resolve().parent.parent


def _fake_build(tmp_path: Path) -> tuple[Path, Path]:
    """A package with two compiled sources and one other, and a build whose stamp holds."""
    package = tmp_path / "pkg"
    (package / "extract").mkdir(parents=True)
    (package / "extract" / "__init__.py").write_text("", encoding="utf-8")
    (package / "extract" / "words.py").write_text("A = 1\n", encoding="utf-8")
    (package / "records.py").write_text("B = 1\n", encoding="utf-8")
    build = package / "_native"
    (build / "pkg" / "extract").mkdir(parents=True)
    suffix = native._interpreter()["suffix"]
    modules = {
        "pkg.extract": f"pkg/extract/__init__{suffix}",
        "pkg.extract.words": f"pkg/extract/words{suffix}",
        "abc__mypyc": f"abc__mypyc{suffix}",
    }
    files = {}
    for relative in modules.values():
        (build / relative).write_bytes(b"built")
        files[relative] = f"5 {hashlib.sha256(b'built').hexdigest()}"
    stamp = {
        "interpreter": native._interpreter(),
        "sources": native._sources(package),
        "modules": modules,
        "files": files,
    }
    (build / native.STAMP).write_text(json.dumps(stamp), encoding="utf-8")
    return package, build


def test_a_current_build_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.OFF, "0")  # "0" does not turn it off
    package, build = _fake_build(tmp_path)
    suffix = native._interpreter()["suffix"]
    found = native.check(build, package, verify=True)
    assert found == {
        "pkg.extract": build / f"pkg/extract/__init__{suffix}",
        "pkg.extract.words": build / f"pkg/extract/words{suffix}",
        "abc__mypyc": build / f"abc__mypyc{suffix}",
    }
    assert native._sources(package) == {
        "pkg/extract/__init__.py": hashlib.sha256(b"").hexdigest(),
        "pkg/extract/words.py": hashlib.sha256(b"A = 1\n").hexdigest(),
        "pkg/records.py": hashlib.sha256(b"B = 1\n").hexdigest(),
    }
    assert native._compiled(native._sources(package), "pkg") == [
        "pkg/extract/__init__.py",
        "pkg/extract/words.py",
    ]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("edit", "stale: pkg/extract/words.py changed since the build (kg native build)"),
        ("add", "stale: pkg/extract/more.py changed since the build (kg native build)"),
        ("remove", "stale: pkg/extract/words.py changed since the build (kg native build)"),
        # mypyc builds in what it learns of the modules the compiled ones import
        ("edit outside", "stale: pkg/records.py changed since the build (kg native build)"),
        ("interpreter", "built for another interpreter (kg native build)"),
        ("lost module", "damaged build: pkg/extract/words"),
        ("truncated", "damaged build: abc__mypyc"),
        ("same size", "damaged build: abc__mypyc"),
        ("module same size", "damaged build: pkg/extract/words"),
        ("outside name", "unreadable stamp (modules outside the build)"),
        ("outside path", "unreadable stamp (modules outside the build)"),
        ("files differ", "unreadable stamp (modules outside the build)"),
        ("stamp not a file", "unreadable stamp (not a file of at most 1 MiB)"),
        ("deep stamp", "unreadable stamp (RecursionError)"),
        ("bad stamp", "unreadable stamp (JSONDecodeError)"),
        ("no stamp", "not built (kg native build)"),
        ("stamp fields", "unreadable stamp (missing fields)"),
        ("stamp values", "unreadable stamp (missing fields)"),
        ("turned off", "turned off (KG_PURE_PYTHON is set)"),
    ],
)
def test_a_build_that_does_not_hold_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str, reason: str
) -> None:
    monkeypatch.delenv(native.OFF, raising=False)
    package, build = _fake_build(tmp_path)
    stamp_file = build / native.STAMP
    stamp = json.loads(stamp_file.read_text(encoding="utf-8"))
    shared = next(build.glob("abc__mypyc*"))
    suffix = native._interpreter()["suffix"]
    if change == "edit":
        (package / "extract" / "words.py").write_text("A = 2\n", encoding="utf-8")
    elif change == "add":
        (package / "extract" / "more.py").write_text("", encoding="utf-8")
    elif change == "remove":
        (package / "extract" / "words.py").unlink()
    elif change == "edit outside":
        (package / "records.py").write_text("B = 2\n", encoding="utf-8")
    elif change == "interpreter":
        stamp["interpreter"]["python"] = "2.7.18"
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    elif change == "lost module":
        next((build / "pkg" / "extract").glob("words*")).unlink()
    elif change == "truncated":
        shared.write_bytes(b"bui")
    elif change == "same size":
        shared.write_bytes(b"BUILT")
    elif change == "module same size":
        next((build / "pkg" / "extract").glob("words*")).write_bytes(b"BUILT")
    elif change == "outside name":
        stamp["modules"]["os"] = stamp["modules"].pop("pkg.extract.words")
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    elif change == "outside path":
        stamp["modules"]["pkg.extract.words"] = "../../words.so"
        stamp["files"]["../../words.so"] = stamp["files"].pop(f"pkg/extract/words{suffix}")
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    elif change == "files differ":
        del stamp["files"][f"pkg/extract/words{suffix}"]
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    elif change == "stamp not a file":
        stamp_file.unlink()
        stamp_file.mkdir()
    elif change == "deep stamp":
        stamp_file.write_text("[" * 100_000, encoding="utf-8")
    elif change == "bad stamp":
        stamp_file.write_text("{", encoding="utf-8")
    elif change == "no stamp":
        stamp_file.unlink()
    elif change == "stamp fields":
        stamp_file.write_text(json.dumps({"sources": {}}), encoding="utf-8")
    elif change == "stamp values":
        stamp["files"][next(iter(stamp["files"]))] = 5
        stamp_file.write_text(json.dumps(stamp), encoding="utf-8")
    elif change == "turned off":
        monkeypatch.setenv(native.OFF, "1")
    # a file of its size but other bytes is found by the full check (kg native build/status)
    found = native.check(build, package, verify=True)
    assert isinstance(found, native.Status)
    assert not found.active
    assert found.reason.startswith(reason) if "damaged" in reason else found.reason == reason
    if change == "same size":  # the check at every import: the shared library by its size
        assert not isinstance(native.check(build, package), native.Status)
    if change == "module same size":  # ... and the small per-module files by their hashes
        assert isinstance(native.check(build, package), native.Status)


def test_a_build_that_does_not_load_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(native.OFF, raising=False)
    monkeypatch.setattr(native, "_status", native.status())  # put back after the test
    package, build = _fake_build(tmp_path)  # its files are not shared libraries
    finders = list(sys.meta_path)
    found = native.activate(build, package)
    assert not found.active
    assert found.reason.startswith("unloadable build: ")
    assert found.reason.endswith(" (kg native build)")
    assert sys.meta_path == finders
    assert "abc__mypyc" not in sys.modules


def test_a_build_without_its_tools_says_so_and_keeps_the_sources(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(native.OFF, raising=False)
    package, build = _fake_build(tmp_path)
    (package / "extract" / "words.py").write_text("A = 2\n", encoding="utf-8")
    before = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    monkeypatch.setattr(native, "missing_tools", lambda: "no C compiler (cc is not on PATH)")
    message = native.build(build, package)
    assert message == (
        "not compiled: no C compiler (cc is not on PATH); extraction runs as pure Python"
    )
    assert sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*")) == before


@pytest.mark.parametrize("off", ["", "1"])
def test_a_current_build_is_not_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, off: str
) -> None:
    monkeypatch.setenv(native.OFF, off)  # turning the build off does not make it stale
    package, build = _fake_build(tmp_path)
    monkeypatch.setattr(native, "missing_tools", lambda: pytest.fail("tried to build"))
    assert native.build(build, package) == "compiled modules are up to date"


def _python(code: str, argument: Path, pure: bool = False) -> str:
    """What ``code`` prints, run by this interpreter with ``argument``; ``pure``: with the
    compiled modules turned off."""
    env = {k: v for k, v in os.environ.items() if k != native.OFF}
    env["PYTHONPATH"] = str(ROOT)
    if pure:
        env[native.OFF] = "1"
    run = [sys.executable, "-c", code, str(argument)]
    return subprocess.run(run, capture_output=True, text=True, env=env, check=True).stdout


needs_tools = pytest.mark.skipif(
    native.missing_tools() is not None, reason=f"cannot compile here: {native.missing_tools()}"
)

_PROBE = """\
import sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from kg import native
package = Path(sys.argv[1]) / "pkg"
print(native.activate(package / "_native", package).reason)
import pkg.extract.words as words
print(Path(words.__file__).name, words.double(21))
"""


@needs_tools
@pytest.mark.slow
def test_a_small_package_is_compiled_used_and_dropped_when_edited(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "extract").mkdir(parents=True)
    (package / "__init__.py").write_text("", encoding="utf-8")
    (package / "extract" / "__init__.py").write_text("", encoding="utf-8")
    words = package / "extract" / "words.py"
    words.write_text("def double(n: int) -> int:\n    return 2 * n\n", encoding="utf-8")
    build = package / "_native"
    assert native.build(build, package) == f"compiled 2 modules of pkg/extract into {build}"

    def probe() -> list[str]:
        return _python(_PROBE, tmp_path).splitlines()

    suffix = native._interpreter()["suffix"]
    assert probe() == ["compiled: 2 modules of pkg/extract (mypyc)", f"words{suffix} 42"]
    words.write_text("def double(n: int) -> int:\n    return n + n + 1\n", encoding="utf-8")
    assert probe() == [
        "stale: pkg/extract/words.py changed since the build (kg native build)",
        "words.py 43",
    ]
    # a source that does not type-check fails the build, which leaves the old build in place
    good = words.read_text(encoding="utf-8")
    words.write_text("def double(n: int) -> int:\n    return 'two'\n", encoding="utf-8")
    with pytest.raises(native.BuildError, match=r"^mypyc failed: .*words\.py:2: error"):
        native.build(build, package)
    assert (build / native.STAMP).is_file()
    # rebuilt over the old build: the new code runs, and nothing else is left beside it
    words.write_text(good, encoding="utf-8")
    assert native.build(build, package) == f"compiled 2 modules of pkg/extract into {build}"
    assert probe() == ["compiled: 2 modules of pkg/extract (mypyc)", f"words{suffix} 43"]
    assert sorted(p.name for p in package.iterdir() if p.name.startswith("_native")) == [
        "_native",
        "_native.lock",
    ]
    # a shared library of the right size that does not load: the sources run, and say why
    shared = next(build.glob(f"*__mypyc{suffix}"))
    shared.write_bytes(b"\0" * shared.stat().st_size)
    reason, loaded = probe()
    assert reason.startswith("unloadable build: ") and reason.endswith(" (kg native build)")
    assert loaded == "words.py 43"
    assert native.build(build, package) == f"compiled 2 modules of pkg/extract into {build}"
    assert probe()[1] == f"words{suffix} 43"


_HASH = """\
import hashlib, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1] + "/scripts")
from synthetic import generate
from kg import native
from kg.article import read_article, read_article_text
from kg.extract import extract
from kg.lexicon import load_lexicon
lexicon = load_lexicon()
articles = [read_article_text(t.text, name=t.id, default_id=t.id, lexicon=lexicon)
            for t in generate(60, 11)]
for folder in ("tests/articles", "corpus"):
    for path in sorted((Path(sys.argv[1]) / folder).rglob("*")):
        if path.suffix in (".txt", ".md") and path.name != "README.md":
            articles.append(read_article(path, lexicon=lexicon))
digest = hashlib.sha256()
for article in articles:
    digest.update(repr(extract(article)).encode())
print(native.status().active, len(articles), digest.hexdigest())
"""


# `make test` sets KG_NATIVE_REQUIRED: where the tools are there, a build not in use fails
_REQUIRED = bool(os.environ.get("KG_NATIVE_REQUIRED")) and native.missing_tools() is None


@pytest.mark.slow
@pytest.mark.skipif(
    not native.status().active and not _REQUIRED, reason=f"compiled: {native.status().reason}"
)
def test_the_compiled_extractor_computes_what_the_sources_compute() -> None:
    import kg.extract.doc

    assert native.status().active, native.status().reason

    assert Path(kg.extract.doc.__file__).is_relative_to(native.NATIVE)

    compiled = _python(_HASH, ROOT).split()
    pure = _python(_HASH, ROOT, pure=True).split()
    assert compiled[0] == "True" and pure[0] == "False"
    assert int(compiled[1]) > 80
    assert compiled[1:] == pure[1:]


def test_no_compiled_module_has_doctests() -> None:
    """pytest does not collect kg/extract for doctests (pyproject.toml: its compiled modules
    are not the files pytest would read): that loses nothing while no module there has one."""
    sources = sorted((ROOT / "kg" / "extract").rglob("*.py"))
    assert sources
    assert [p for p in sources if ">>> " in p.read_text(encoding="utf-8")] == []


def test_compiled_modules_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert {"/kg/_native/", "/kg/_native.*"} <= set(ignored)  # the build, staging, lock


def test_the_commands_say_what_they_did(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    runner = CliRunner()
    shown = runner.invoke(main, ["native", "status"])
    assert (shown.exit_code, shown.output) == (0, native.status().reason + "\n")
    monkeypatch.setattr(native, "build", lambda force: f"built (force={force})")
    built = runner.invoke(main, ["native", "build", "--force"])
    assert (built.exit_code, built.output) == (0, "built (force=True)\n")

    def failing(force: bool) -> str:
        raise native.BuildError("mypyc failed: kg/extract/doc.py:3: error: bad")

    monkeypatch.setattr(native, "build", failing)
    failed = runner.invoke(main, ["native", "build"])
    assert failed.exit_code == 1
    assert failed.output.splitlines() == ["Error: mypyc failed: kg/extract/doc.py:3: error: bad"]
