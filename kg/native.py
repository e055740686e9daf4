"""Compiled extraction: the modules of ``kg/extract`` built by mypyc, used only while current.

``kg native build`` compiles every module of ``kg/extract`` with mypyc (Python to C,
then the machine's C compiler) into ``kg/_native/``, with a stamp that lists the SHA-256 of
every source of the package (mypyc builds in what it learns of the modules ``kg/extract``
imports: a named tuple's field order, a constant), the size and SHA-256 of each built file and
the interpreter it was built for. At import of ``kg``, :func:`activate` puts a finder in front of
:data:`sys.meta_path` that loads the compiled modules instead of the sources, but only when the
stamp still holds (every source unchanged, none added or removed; each built file of its size;
the same interpreter) and the build loads. Otherwise the sources run as they are, so an edited
module is never shadowed by an old build, and ``KG_PURE_PYTHON=1`` turns the compiled modules
off. The compiled modules compute what the sources do (the suite compares
their results with the sources' on every test article); they are only faster.

Building needs mypyc (part of mypy), setuptools, a C compiler and the interpreter's headers;
without them ``build`` says which is missing in one line and the sources are used.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.abc
import importlib.machinery
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

PACKAGE = Path(__file__).resolve().parent
NATIVE = PACKAGE / "_native"
STAMP = "stamp.json"
COMPILED = "extract"  # the subpackage of kg that is compiled, every module of it
OFF = "KG_PURE_PYTHON"
LOCK = "_native.lock"  # beside the build: one build at a time

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


def turned_off() -> bool:
    """Whether ``KG_PURE_PYTHON`` asks for the sources ("0", "false", "no", "off" do not)."""
    return os.environ.get(OFF, "").strip().lower() not in ("", "0", "false", "no", "off")


def _suffix() -> str:
    return str(sysconfig.get_config_var("EXT_SUFFIX") or importlib.machinery.EXTENSION_SUFFIXES[0])


def _interpreter() -> dict[str, str]:
    return {"python": sys.version, "suffix": _suffix()}


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _is_build(name: str) -> bool:
    """A folder of builds beside the package's sources: the build, a staging or an old one."""
    return name == NATIVE.name or name.startswith(f"{NATIVE.name}.")


def _source_files(root: Path) -> list[Path]:
    """The ``.py`` files of the package ``root``, not descending into its builds."""
    found: list[Path] = []
    for folder, subfolders, files in os.walk(root):
        top = Path(folder) == root
        subfolders[:] = sorted(d for d in subfolders if not (top and _is_build(d)))
        found.extend(Path(folder) / f for f in files if f.endswith(".py"))
    return sorted(found)


def _sources(root: Path = PACKAGE) -> dict[str, str]:
    """Every source of the package ``root`` (path relative to ``root``'s parent) -> SHA-256."""
    return {f.relative_to(root.parent).as_posix(): _digest(f) for f in _source_files(root)}


def _compiled(sources: dict[str, str], package: str) -> list[str]:
    """The sources that are compiled: those of ``package/extract``."""
    return [s for s in sources if s.startswith(f"{package}/{COMPILED}/")]


def _module_name(relative: str) -> str:
    """``kg/extract/events/__init__.py`` -> ``kg.extract.events``."""
    parts = relative.removesuffix(".py").split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


_FIELDS = ("interpreter", "sources", "modules", "files")
_STAMP_LIMIT = 1 << 20
_SHARED = re.compile(r"\w+__mypyc")  # the group's shared library (module name)


def _confined(stamp: dict[str, dict[str, str]], package: str) -> bool:
    """Whether the stamp names only modules of ``package/extract`` or the group's library,
    each a relative path inside the build."""
    compiled = re.compile(rf"{re.escape(package)}\.{COMPILED}(\.\w+)*")
    for name, relative in stamp["modules"].items():
        if not (compiled.fullmatch(name) or _SHARED.fullmatch(name)):
            return False
        path = Path(relative)
        if path.is_absolute() or ".." in path.parts or not relative:
            return False
    return set(stamp["modules"].values()) == set(stamp["files"])


def _read_stamp(native: Path) -> dict[str, dict[str, str]] | str:
    """The stamp of a build, or why there is none to use (one line)."""
    file = native / STAMP
    try:
        if not file.exists():
            return "not built (kg native build)"
        if not file.is_file() or file.stat().st_size > _STAMP_LIMIT:
            return "unreadable stamp (not a file of at most 1 MiB)"
        stamp = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError) as exc:
        return f"unreadable stamp ({exc.__class__.__name__})"
    if not isinstance(stamp, dict) or not all(
        isinstance(stamp.get(k), dict)
        and all(isinstance(k2, str) and isinstance(v, str) for k2, v in stamp[k].items())
        for k in _FIELDS
    ):
        return "unreadable stamp (missing fields)"
    return stamp


def check(
    native: Path = NATIVE, package: Path = PACKAGE, *, verify: bool = False, honour_off: bool = True
) -> Status | dict[str, Path]:
    """The compiled files to load (module name -> file) if the build in ``native`` matches the
    sources under ``package`` and this interpreter; else a ``Status`` saying why not. Each built
    file is checked by its size, and with ``verify`` by its SHA-256 too."""
    if honour_off and turned_off():
        return Status(False, f"turned off ({OFF} is set)")
    stamp = _read_stamp(native)
    if isinstance(stamp, str):
        return Status(False, stamp)
    if stamp["interpreter"] != _interpreter():
        return Status(False, "built for another interpreter (kg native build)")
    now = _sources(package)
    changed = sorted(set(now.items()) ^ set(stamp["sources"].items()))
    if changed:
        return Status(False, f"stale: {changed[0][0]} changed since the build (kg native build)")
    if not _confined(stamp, package.name):
        return Status(False, "unreadable stamp (modules outside the build)")
    shared = {r for n, r in stamp["modules"].items() if _SHARED.fullmatch(n)}
    for relative, expected in sorted(stamp["files"].items()):
        file = native / relative
        size, _, digest = expected.partition(" ")
        # the small per-module files are hashed at every check (a few ms); the shared library,
        # loaded at once by activate(), by its size unless ``verify``
        hashed = verify or relative not in shared
        try:
            damaged = file.stat().st_size != int(size) or (hashed and _digest(file) != digest)
        except (OSError, ValueError):
            damaged = True
        if damaged:
            return Status(False, f"damaged build: {relative} (kg native build)")
    return {name: native / relative for name, relative in stamp["modules"].items()}


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
    """Load the compiled modules from now on if the build holds (see :func:`check`) and its
    shared library loads; returns and records the outcome. Called once, by ``kg/__init__.py``,
    before anything imports ``kg.extract``."""
    global _status
    found = check(native, package)
    if isinstance(found, Status):
        _status = found
    elif f"{package.name}.{COMPILED}" in sys.modules:
        _status = Status(False, "kg.extract was imported before the compiled modules")
    else:
        finder = _Finder(found)
        sys.meta_path.insert(0, finder)
        shared = [name for name in found if not name.startswith(f"{package.name}.")]
        try:
            for name in shared:  # the group's code: a file that does not load fails here
                importlib.import_module(name)
        except Exception as exc:  # an extension that does not load: any error, one line
            sys.meta_path.remove(finder)
            for name in shared:
                sys.modules.pop(name, None)
            first = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
            _status = Status(False, f"unloadable build: {first} (kg native build)")
        else:
            count = len(found) - len(shared)
            where = f"{package.name}/{COMPILED}"
            _status = Status(True, f"compiled: {count} modules of {where} (mypyc)")
    return _status


def status() -> Status:
    """What :func:`activate` decided in this process."""
    return _status


def missing_tools() -> str | None:
    """What the build lacks on this machine (one line), or None."""
    if importlib.util.find_spec("mypyc") is None:
        return "mypyc is not installed (pip install -e '.[native]')"
    if importlib.util.find_spec("setuptools") is None:
        return "setuptools is not installed (pip install -e '.[native]')"
    compiler = (os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc").split()[0]
    if shutil.which(compiler) is None:
        return f"no C compiler ({compiler} is not on PATH)"
    headers = Path(sysconfig.get_paths()["include"]) / "Python.h"
    if not headers.is_file():
        return f"the interpreter's C headers are not installed ({headers} is missing)"
    return None


class BuildError(Exception):
    """The compiler failed (the message is one line)."""


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (POSIX; elsewhere no lock)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    with open(path, "a", encoding="utf-8") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build(native: Path = NATIVE, package: Path = PACKAGE, force: bool = False) -> str:
    """Compile ``kg/extract`` into ``native`` unless the build there is current (every built
    file's SHA-256 checked); returns what was done (one line). One build at a time (a lock
    beside ``native``; a build that waited finds the other's result current). The sources are
    copied to a scratch directory first and the stamp lists the copies' hashes, so an edit
    during the build makes it stale, never wrong; the new build replaces the old one only once
    it is complete."""

    def current() -> bool:
        return not isinstance(check(native, package, verify=True, honour_off=False), Status)

    if not force and current():
        return "compiled modules are up to date"
    lacking = missing_tools()
    if lacking is not None:
        return f"not compiled: {lacking}; extraction runs as pure Python"
    with _locked(native.with_name(LOCK)):
        if not force and current():  # built by another process while this one waited
            return "compiled modules are up to date"
        for left in native.parent.iterdir():  # staging or old builds of a build that was killed
            if left.name.startswith(f"{native.name}.") and left.name != LOCK and left.is_dir():
                shutil.rmtree(left, ignore_errors=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{native.name}.", dir=native.parent))
        old = native.with_name(f"{staging.name}.old")
        try:
            count = _compile_into(staging, package)
            staging.chmod(0o755)
            if native.exists():
                native.rename(old)
            staging.rename(native)
        except BaseException:
            if old.exists() and not native.exists():
                old.rename(native)  # the old build back in place
            shutil.rmtree(staging, ignore_errors=True)
            raise
        shutil.rmtree(old, ignore_errors=True)
    return f"compiled {count} modules of {package.name}/{COMPILED} into {native}"


def _compile_into(staging: Path, package: Path) -> int:
    """Compile a scratch copy of ``package`` and put the built files and the stamp into
    ``staging``; returns the number of modules compiled."""
    suffix = _suffix()
    with tempfile.TemporaryDirectory(prefix="kg-native-") as scratch:
        work = Path(scratch)
        # the whole package, so that mypy sees the types kg/extract imports
        for source in _source_files(package):
            target = work / package.name / source.relative_to(package)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
        sources = _sources(work / package.name)
        compiled = _compiled(sources, package.name)
        run = subprocess.run(
            [sys.executable, "-c", _SETUP, *compiled],
            cwd=work,
            capture_output=True,
            text=True,
            check=False,
        )
        if run.returncode != 0:
            lines = [ln for ln in (run.stdout + run.stderr).splitlines() if ln.strip()]
            detail = next((ln for ln in lines if ": error:" in ln), lines[-1] if lines else "")
            raise BuildError(f"mypyc failed: {detail.strip()}")
        modules: dict[str, str] = {}
        for relative in compiled:
            built = relative.removesuffix(".py") + suffix
            if not (work / built).is_file():
                raise BuildError(f"mypyc built no module for {relative}")
            modules[_module_name(relative)] = built
        for shared in sorted(work.glob(f"*__mypyc{suffix}")):
            modules[shared.name.removesuffix(suffix)] = shared.name
        files: dict[str, str] = {}
        for built in modules.values():
            (staging / built).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(work / built, staging / built)
            files[built] = f"{(staging / built).stat().st_size} {_digest(staging / built)}"
        for folder in sorted({p for b in modules.values() for p in (staging / b).parents}):
            if staging in folder.parents:
                folder.chmod(0o755)
        stamp = {
            "interpreter": _interpreter(),
            "sources": sources,
            "modules": modules,
            "files": files,
        }
        text = json.dumps(stamp, indent=1, sort_keys=True) + "\n"
        (staging / STAMP).write_text(text, encoding="utf-8")
    return len(compiled)
