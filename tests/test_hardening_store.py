"""Damaged stores and hostile files (issue 12): one line, a non-zero exit, nothing changed.

Tests run as root, for whom ``chmod 000`` blocks nothing, so "unreadable" is simulated by
monkeypatching ``os.scandir`` / ``Path.read_bytes`` to raise ``PermissionError`` for one path.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from test_hardening_inputs import _elsewhere, invoke  # noqa: F401 (an autouse fixture)
from test_hardening_inputs import files as snapshot

import kg.build
from kg.build import STARTED, clean_stale_temporaries, write_atomic
from kg.store import PEOPLE_INDEX

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = ROOT / "tests" / "articles"
ONE = ARTICLES / "kor-jpn-ministers-meet-wire.txt"
TWO = ARTICLES / "deu-ltu-brigade-agreement.txt"


# --- damaged stores -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def pristine(seed_store_path: Path) -> Path:
    """The session's seed store: only copied or read."""
    return seed_store_path


def _largest_sst(store: Path) -> Path:
    return max(store.glob("*.sst"), key=lambda p: (p.stat().st_size, p.name))


def damage(store: Path, kind: str) -> str:
    """Damage ``store`` one way; return the reason the error must give."""
    if kind == "empty CURRENT":
        (store / "CURRENT").write_bytes(b"")
        return "CURRENT file does not end with newline"
    if kind == "CURRENT deleted":
        (store / "CURRENT").unlink()
        return "CURRENT is missing"
    manifest = next(store.glob("MANIFEST-*"))
    if kind == "truncated MANIFEST":
        manifest.write_bytes(manifest.read_bytes()[:100])
        return "no log_file_number, next_file_number, last_sequence entry in MANIFEST"
    if kind == "MANIFEST deleted":
        manifest.unlink()
        return f"{manifest.name} is missing"
    sst = _largest_sst(store)
    if kind == "missing .sst":
        sst.unlink()
        return f"{sst.name} is missing"
    size = sst.stat().st_size
    sst.write_bytes(sst.read_bytes()[:1000])
    return f"{sst.name} is truncated (1000 of {size} bytes)"


KINDS = [
    "empty CURRENT",
    "CURRENT deleted",
    "truncated MANIFEST",
    "MANIFEST deleted",
    "missing .sst",
    "truncated .sst",
]
COMMANDS = [
    ["list"],
    ["export", "--format", "ntriples"],
    ["export", "--format", "graphml"],
    ["stats"],
    ["validate"],
    ["remove", "x"],
    ["build", str(ONE)],
    ["load", "LOADFILE"],
    ["query", "ASK {}"],
    ["update", "CLEAR GRAPH <https://w3id.org/defense-kg/graph/x>"],
]


@pytest.mark.parametrize("kind", KINDS)
def test_a_damaged_store_is_one_line_and_stays_byte_identical(
    pristine: Path, tmp_path: Path, kind: str
) -> None:
    store = tmp_path / "store"
    shutil.copytree(pristine, store)
    reason = damage(store, kind)
    before = snapshot(store)
    data = tmp_path / "extra.nt"
    data.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    for command in COMMANDS:
        args = [str(data) if a == "LOADFILE" else a for a in command]
        code, out, err = (
            invoke(*args, "--store", str(store), "--out", str(tmp_path / "out"))
            if (command[0] == "build")
            else invoke(*args, "--store", str(store))
        )
        assert (code, out) == (1, ""), (command, err)
        assert err == f"Error: the store at {store} is damaged: {reason}; nothing was changed\n", (
            command
        )
        assert snapshot(store) == before, command
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("indexed", [False, True])
def test_corrupt_blocks_found_by_a_build_are_one_line(
    pristine: Path, tmp_path: Path, indexed: bool
) -> None:
    # Whichever access touches a corrupt block first finds it: a read before the write (the
    # officials of the store, with or without their index), or the write, which then fails
    # as a whole. Either way one line, and the damaged file is left as it was.
    store = tmp_path / "store"
    shutil.copytree(pristine, store)
    if not indexed:
        (store / PEOPLE_INDEX).unlink()
    sst = _largest_sst(store)
    data = bytearray(sst.read_bytes())
    for i in range(1000, len(data) - 2000, 997):
        data[i] ^= 0xFF
    sst.write_bytes(bytes(data))
    code, _, err = invoke("build", str(ONE), "--store", str(store), "--out", str(tmp_path / "o"))
    said = (
        f"Error: the store at {store} is damaged: {sst.name} is corrupt (block checksum mismatch)"
    )
    found = {said + "; nothing was changed", said + " (found while writing)"}
    assert code == 1
    assert err.splitlines()[-1] in found
    assert "Traceback" not in err
    assert sst.read_bytes() == bytes(data)


def test_an_intact_store_still_opens_for_readers_and_writers(
    pristine: Path, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(pristine, store)
    code, out, _ = invoke("list", "--store", str(store), "--format", "tsv")
    assert (code, out.splitlines()[1:]) == (0, ["000_83c0c4f066b0d405\tarticle\t\t1330\t"])
    code, _, err = invoke("build", str(ONE), "--store", str(store), "--out", str(tmp_path / "o"))
    assert code == 0, err
    code, out, _ = invoke("query", "ASK { GRAPH ?g { ?s ?p ?o } }", "--store", str(store))
    assert (code, out) == (0, "true\n")


# --- folders and files that cannot be read --------------------------------------------------------


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    (folder / "locked").mkdir(parents=True)
    shutil.copy(ONE, folder / ONE.name)
    shutil.copy(TWO, folder / "locked" / TWO.name)
    return folder


def _deny(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_scandir = os.scandir
    real_read = Path.read_bytes

    def scandir(path: Any = ".") -> Any:
        if Path(path) == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_scandir(path)

    def read_bytes(self: Path) -> bytes:
        if self == denied:
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(Path, "read_bytes", read_bytes)


def test_an_unreadable_subfolder_fails_the_build_naming_it(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _deny(monkeypatch, corpus / "locked")
    store, out = tmp_path / "store", tmp_path / "out"
    code, _, err = invoke("build", str(corpus), "--store", str(store), "--out", str(out))
    assert (code, err) == (
        1,
        f"Error: {corpus / 'locked'}: cannot read folder (Permission denied); "
        "pass --skip-unreadable to build without it\n",
    )
    assert not store.exists() and not out.exists()
    code, _, err = invoke(
        "build", str(corpus), "--store", str(store), "--out", str(out), "--skip-unreadable"
    )
    assert code == 0
    assert err.splitlines()[0] == (
        f"Warning: {corpus / 'locked'}: cannot read folder (Permission denied); "
        "skipped (--skip-unreadable)"
    )
    assert err.splitlines()[-1].startswith("Built 1 article(s), ")


def test_an_unreadable_file_is_one_line_not_a_usage_block(
    corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article = corpus / ONE.name
    _deny(monkeypatch, article)
    code, _, err = invoke("build", str(article), "--store", str(tmp_path / "s"))
    assert (code, err) == (
        1,
        f"Error: {article}: cannot read (Permission denied); "
        "pass --skip-unreadable to build without it\n",
    )
    code, _, err = invoke("build", str(corpus), "--store", str(tmp_path / "s"), "--skip-unreadable")
    assert code == 0 and err.splitlines()[0] == (
        f"Warning: {article}: cannot read (Permission denied); skipped (--skip-unreadable)"
    )
    rdf = tmp_path / "data.ttl"
    rdf.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    _deny(monkeypatch, rdf)
    code, _, err = invoke("load", str(rdf), "--store", str(tmp_path / "s"))
    assert (code, err) == (1, f"Error: {rdf}: cannot read (Permission denied)\n")


def test_missing_paths_and_wrong_kinds_are_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    code, _, err = invoke("load", str(missing), "--store", str(tmp_path / "s"))
    assert (code, err) == (1, f"Error: {missing}: no such file\n")
    code, _, err = invoke("load", str(tmp_path), "--store", str(tmp_path / "s"))
    assert code == 1 and err.count("\n") == 1 and "Usage" not in err
    rq = tmp_path / "q.rq"
    code, _, err = invoke("query", "-f", str(rq), "--store", str(tmp_path / "s"))
    assert (code, err) == (2, f"Error: {rq}: cannot read (No such file or directory)\n")
    a_file = tmp_path / "file"
    a_file.write_text("x")
    code, _, err = invoke("list", "--store", str(a_file))
    assert (code, err) == (1, f"Error: {a_file}: not a directory, so not a store\n")
    code, _, err = invoke("build", str(ONE), "--store", str(tmp_path / "s"), "--out", str(a_file))
    assert (code, err) == (1, f"Error: {a_file}: not a directory (--out)\n")
    assert not (tmp_path / "s").exists()


def test_symlink_loops_are_reported_as_loops(tmp_path: Path) -> None:
    (tmp_path / "a.txt").symlink_to(tmp_path / "b.txt")
    (tmp_path / "b.txt").symlink_to(tmp_path / "a.txt")
    store = tmp_path / "store"
    code, _, err = invoke("build", str(tmp_path / "a.txt"), "--store", str(store))
    assert (code, err) == (1, f"Error: {tmp_path / 'a.txt'}: symlink loop\n")
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ONE, folder / ONE.name)
    (folder / "again").symlink_to(folder)
    code, _, err = invoke("build", str(folder), "--store", str(store))
    assert (code, err) == (
        1,
        f"Error: {folder / 'again'}: symlink loop (it leads back to a folder that contains it); "
        "pass --skip-unreadable to build without it\n",
    )
    (folder / "again").unlink()
    (folder / "loop.txt").symlink_to(folder / "loop.txt")
    code, _, err = invoke("build", str(folder), "--store", str(store))
    assert (code, err) == (
        1,
        f"Error: {folder / 'loop.txt'}: symlink loop; pass --skip-unreadable to build without it\n",
    )
    (folder / "gone.txt").symlink_to(folder / "nowhere.txt")
    code, _, err = invoke("build", str(folder), "--store", str(store), "--skip-unreadable")
    assert code == 0
    assert err.splitlines()[:2] == [
        f"Warning: {folder / 'gone.txt'}: broken symlink (its target does not exist); "
        "skipped (--skip-unreadable)",
        f"Warning: {folder / 'loop.txt'}: symlink loop; skipped (--skip-unreadable)",
    ]
    assert err.splitlines()[-1].startswith("Built 1 article(s), ")


def test_a_symlinked_subfolder_is_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(TWO, elsewhere / TWO.name)
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(ONE, folder / ONE.name)
    (folder / "linked").symlink_to(elsewhere)
    code, _, err = invoke("build", str(folder), "--store", str(tmp_path / "store"))
    assert code == 0 and err.splitlines()[-1].startswith("Built 2 article(s), ")


@pytest.mark.parametrize(
    ("name", "text", "raw"),
    [
        ("---.txt", "Defense ministers met in Seoul.\n", "---"),
        ("x.txt", "---\nid: ???\n---\nDefense ministers met in Seoul.\n", "???"),
    ],
)
def test_an_unusable_article_id_names_the_file(
    tmp_path: Path, name: str, text: str, raw: str
) -> None:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    code, _, err = invoke("build", str(path), "--store", str(tmp_path / "store"))
    assert (code, err) == (
        1,
        f"Error: {path}: article id {raw!r} has no usable characters (letters, digits, '.', "
        "'_', '-'); set 'id:' in the front matter or rename the file\n",
    )


# --- writing outputs ----------------------------------------------------------------------------


class _FullDisk:
    """A file object whose writes fail as on a full disk."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle

    def __enter__(self) -> _FullDisk:
        return self

    def __exit__(self, *exc: object) -> None:
        self.handle.close()

    def fileno(self) -> int:
        return int(self.handle.fileno())

    def write(self, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")


def test_no_space_left_names_the_file_and_leaves_no_temporary(
    pristine: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_fdopen = os.fdopen
    monkeypatch.setattr(kg.build.os, "fdopen", lambda fd, mode: _FullDisk(real_fdopen(fd, mode)))
    target = tmp_path / "out.nt"
    target.write_bytes(b"old\n")
    code, _, err = invoke(
        "export", "--store", str(pristine), "--format", "ntriples", "-o", str(target)
    )
    assert (code, err) == (1, f"Error: {target}: cannot write (no space left on device)\n")
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]
    store = tmp_path / "store"
    code, _, err = invoke("build", str(ONE), "--store", str(store), "--out", str(tmp_path / "g"))
    assert (code, err.splitlines()[-1]) == (
        1,
        f"Error: {tmp_path / 'g' / 'defense-kg.ttl'}: cannot write (no space left on device)",
    )
    assert list((tmp_path / "g").iterdir()) == []


def test_stale_temporaries_of_our_own_pattern_are_cleaned(tmp_path: Path) -> None:
    target = tmp_path / "out.nt"
    old = STARTED - 3600
    names = {
        "stale": ".out.nt.k3j_9x2a.tmp",
        "fresh": ".out.nt.q0w9e8r7.tmp",  # written after this process started
        "locked": ".out.nt.zz11yy22.tmp",  # a live writer holds its lock
        "short": ".out.nt.abc.tmp",
        "other": ".other.nt.k3j_9x2a.tmp",
        "mine": "out.nt.k3j_9x2a.tmp",
    }
    for key, name in names.items():
        (tmp_path / name).write_bytes(b"partial")
        if key != "fresh":
            os.utime(tmp_path / name, (old, old))
    holder = os.open(tmp_path / names["locked"], os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        assert clean_stale_temporaries(target) == [tmp_path / names["stale"]]
        write_atomic(target, b"new\n")
    finally:
        os.close(holder)
    left = sorted(p.name for p in tmp_path.iterdir())
    assert left == sorted([*(n for k, n in names.items() if k != "stale"), "out.nt"])
    assert target.read_bytes() == b"new\n"


def test_a_killed_export_leaves_a_temporary_the_next_export_removes(
    pristine: Path, tmp_path: Path
) -> None:
    target = tmp_path / "out.nt"
    stale = tmp_path / ".out.nt.abcd1234.tmp"
    stale.write_bytes(b"<http://example.org/half")  # what kill -9 during export -o leaves
    os.utime(stale, (STARTED - 60, STARTED - 60))
    code, _, err = invoke(
        "export", "--store", str(pristine), "--format", "ntriples", "-o", str(target)
    )
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]
    code, _, err = invoke("export", "--store", str(pristine), "--format", "nquads", "-o", ".")
    assert (code, err) == (1, "Error: .: cannot write (is a directory)\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.nt"]
