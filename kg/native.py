"""Compiled extraction: the modules of ``kg/extract`` built by mypyc, used only while current.

``kg native build`` compiles every module of ``kg/extract`` with mypyc (Python to C,
then the machine's C compiler) into ``kg/_native/``, with a stamp that lists each compiled
source's SHA-256 and the interpreter the modules were built for. At import of ``kg``,
:func:`activate` puts a finder in front of :data:`sys.meta_path` that loads the compiled
modules instead of the sources, but only when the stamp still holds: every source unchanged
(none added, none removed) and the same interpreter. Otherwise the sources run as they are,
so an edited module is never shadowed by an old build, and ``KG_PURE_PYTHON=1`` turns the
compiled modules off. The compiled modules compute what the sources do (the suite compares
their results with the sources' on every test article); they are only faster.

Building needs mypyc (part of mypy), setuptools, a C compiler and the interpreter's headers;
without them ``build`` says which is missing in one line and the sources are used.
"""

from __future__ import annotations

import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
NATIVE = PACKAGE / "_native"
STAMP = "stamp.json"
COMPILED = "extract"  # the subpackage of kg that is compiled, every module of it
OFF = "KG_PURE_PYTHON"

# Run by the interpreter in the build's scratch directory: mypyc over the given sources, the C
# modules built in place (no package metadata, no discovery of the scratch tree).
_SETUP = """\
import sys
from mypyc.build import mypycify
from setuptools import setup
options = ["--ignore-missing-imports"]
setup(name="kg-native", packages=[], py_modules=[], ext_modules=mypycify(options + sys.argv[1:]),
      script_args=["build_ext", "--inplace"])
"""


@dataclass(frozen=True, slots=True)
class Status:
    """Whether the compiled modules are in use, and if not, why (one line)."""

    active: bool
    reason: str


_status = Status(False, "not activated")


def _interpreter() -> dict[str, str]:
    return {
        "python": sys.version,
        "suffix": importlib.machinery.EXTENSION_SUFFIXES[0],
    }


def _sources(root: Path = PACKAGE) -> dict[str, str]:
    """Each compiled source under ``root`` (path relative to ``root``'s parent) -> SHA-256."""
    files = sorted((root / COMPILED).rglob("*.py"))
    return {
        f.relative_to(root.parent).as_posix(): hashlib.sha256(f.read_bytes()).hexdigest()
        for f in files
    }


def _module_name(relative: str) -> str:
    """``kg/extract/events/__init__.py`` -> ``kg.extract.events``."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _read_stamp(native: Path) -> dict[str, dict[str, str]] | str:
    """The stamp of a build, or why there is none to use (one line)."""
    try:
        stamp = json.loads((native / STAMP).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return "not built (kg native build)"
    except (OSError, ValueError) as exc:
        return f"unreadable stamp ({exc.__class__.__name__})"
    if not isinstance(stamp, dict) or not all(
        isinstance(stamp.get(k), dict) for k in ("interpreter", "sources", "modules")
    ):
        return "unreadable stamp (missing fields)"
    return stamp


def check(native: Path = NATIVE, package: Path = PACKAGE) -> Status | dict[str, Path]:
    """The compiled files to load (module name -> file) if the build in ``native`` matches
    the sources under ``package`` and this interpreter; else a ``Status`` saying why not."""
    if os.environ.get(OFF):
        return Status(False, f"turned off ({OFF} is set)")
    stamp = _read_stamp(native)
    if isinstance(stamp, str):
        return Status(False, stamp)
    if stamp["interpreter"] != _interpreter():
        return Status(False, "built for another interpreter (rebuild)")
    now = _sources(package)
    changed = sorted(set(now.items()) ^ set(stamp["sources"].items()))
    if changed:
        return Status(False, f"stale: {changed[0][0]} changed since the build (rebuild)")
    files = {name: native / relative for name, relative in stamp["modules"].items()}
    missing = [str(f) for f in files.values() if not f.is_file()]
    if missing:
        return Status(False, f"incomplete build: {missing[0]} is missing (rebuild)")
    return files


class _Finder(importlib.abc.MetaPathFinder):
    """Finds the compiled modules of one build (a compiled package's ``__path__`` is its
    directory in the build, which holds every one of its modules)."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.files = files

    def find_spec(
        self, fullname: str, path: Sequence[str] | None = None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        file = self.files.get(fullname)
        if file is None:
            return None
        loader = importlib.machinery.ExtensionFileLoader(fullname, str(file))
        package = file.name.startswith("__init__.")
        return importlib.util.spec_from_file_location(
            fullname,
            file,
            loader=loader,
            submodule_search_locations=[str(file.parent)] if package else None,
        )


def activate(native: Path = NATIVE, package: Path = PACKAGE) -> Status:
    """Load the compiled modules from now on if the build holds (see :func:`check`); returns
    and records the outcome. Called once, by ``kg/__init__.py``, before anything imports
    ``kg.extract``."""
    global _status
    found = check(native, package)
    if isinstance(found, Status):
        _status = found
    elif f"{package.name}.{COMPILED}" in sys.modules:
        _status = Status(False, "kg.extract was imported before the compiled modules")
    else:
        sys.meta_path.insert(0, _Finder(found))
        count = sum(name.startswith(f"{package.name}.") for name in found)
        _status = Status(True, f"compiled: {count} modules of {package.name}/{COMPILED} (mypyc)")
    return _status


def status() -> Status:
    """What :func:`activate` decided in this process."""
    return _status


def missing_tools() -> str | None:
    """What the build lacks on this machine (one line), or None."""
    if importlib.util.find_spec("mypyc") is None:
        return "mypyc is not installed (pip install mypy)"
    if importlib.util.find_spec("setuptools") is None:
        return "setuptools is not installed"
    compiler = (sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler} is not on PATH)"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        return f"the interpreter's C headers are not installed ({headers} is missing)"
    return None


class BuildError(Exception):
    """The compiler failed (the message is one line)."""


def build(native: Path = NATIVE, package: Path = PACKAGE, force: bool = False) -> str:
    """Compile ``kg/extract`` into ``native`` unless the build there is current; returns what
    was done (one line). The sources are copied to a scratch directory first, and the stamp
    lists the copies' hashes, so an edit during the build makes it stale, never wrong. The
    new build replaces the old one only once it is complete."""
    if not force and not isinstance(check(native, package), Status):
        return "compiled modules are up to date"
    lacking = missing_tools()
    if lacking is not None:
        return f"not compiled: {lacking}; extraction runs as pure Python"
    with tempfile.TemporaryDirectory(prefix="kg-native-") as scratch:
        work = Path(scratch)
        # the whole package, so that mypy sees the types kg/extract imports
        for source in sorted(package.rglob("*.py")):
            if native in source.parents:
                continue
            target = work / package.name / source.relative_to(package)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        sources = _sources(work / package.name)
        run = subprocess.run(
            [sys.executable, "-c", _SETUP, *sources],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            lines = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.strip()]
            detail = next((ln for ln in lines if ": error:" in ln), lines[-1] if lines else "")
            raise BuildError(f"mypyc failed: {detail.strip()}")
        suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
        modules: dict[str, str] = {}
        for relative in sources:
            built = relative.removesuffix(".py") + suffix
            if not (work / built).is_file():
                raise BuildError(f"mypyc built no module for {relative}")
            modules[_module_name(relative)] = built
        for shared in sorted(work.glob(f"*__mypyc{suffix}")):
            modules[shared.name.removesuffix(suffix)] = shared.name
        staging = Path(tempfile.mkdtemp(prefix="_native.", dir=native.parent))
        try:
            for built in modules.values():
                (staging / built).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(work / built, staging / built)
            stamp = {"interpreter": _interpreter(), "sources": sources, "modules": modules}
            text = json.dumps(stamp, indent=1, sort_keys=True) + "\n"
            (staging / STAMP).write_text(text, encoding="utf-8")
            if native.exists():
                shutil.rmtree(native)
            staging.rename(native)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return f"compiled {len(sources)} modules of {package.name}/{COMPILED} into {native}"
