"""Reading articles: front matter, body text and sentences with character offsets.

Owns the ``Article`` record. Every character offset elsewhere in the project refers to
``Article.text`` (the body after the front matter), so ``text[start:end] == quote`` can be
checked anywhere.
"""

from __future__ import annotations

import bisect
import datetime as dt
import errno
import operator
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kg.lexicon import Lexicon, load_lexicon

MAX_ARTICLE_BYTES = 5 * 1024 * 1024
"""Articles are news items; anything above 5 MB is almost certainly not one."""

ARTICLE_SUFFIXES = (".txt", ".md")
NOT_ARTICLES = frozenset({"README", "NOTES", "CHANGELOG", "LICENSE", "CONTRIBUTING"})
"""Documentation files a corpus folder may hold next to its articles (skipped in folders)."""
FRONT_MATTER_KEYS = ("id", "title", "source", "published", "publisher", "language")


class ArticleError(ValueError):
    """An input file that cannot be read as an article (the message is one line)."""


class UnreadableError(ArticleError):
    """A file or folder the operating system will not let us read (``--skip-unreadable``)."""


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


_START = operator.attrgetter("start")


@dataclass(frozen=True, slots=True)
class Article:
    id: str
    text: str
    sentences: tuple[Sentence, ...]
    title: str | None = None
    source: str | None = None
    published: dt.date | None = None
    publisher: str | None = None
    language: str | None = None
    path: str | None = field(default=None, compare=False)

    def sentence_at(self, offset: int) -> Sentence:
        """The sentence containing character ``offset`` of the body (a bisection: sentences
        are in text order and do not overlap)."""
        k = bisect.bisect_right(self.sentences, offset, key=_START) - 1
        if k >= 0 and offset < self.sentences[k].end:
            return self.sentences[k]
        raise ValueError(f"offset {offset} is outside every sentence of {self.id}")


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_article_id(raw: str, name: str | None = None) -> str:
    """An article id usable in IRIs and file names (letters, digits, ``.``, ``_``, ``-``).

    Examples
    --------
    >>> safe_article_id("Seoul talks (2023)")
    'Seoul-talks-2023'
    """
    cleaned = _ID_UNSAFE.sub("-", raw.strip()).strip("-.")
    if not cleaned:
        where = f"{name}: " if name else ""
        raise ArticleError(
            f"{where}article id {raw!r} has no usable characters (letters, digits, '.', '_', "
            "'-'); set 'id:' in the front matter or rename the file"
        )
    return cleaned


#: Code points XML 1.0 cannot hold (C0 controls other than tab, newline and carriage return;
#: surrogates; U+FFFE, U+FFFF). They would make the RDF/XML, GraphML and GEXF exports unreadable.
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_WHITESPACE_CONTROLS = frozenset("\x0b\x0c\x1c\x1d\x1e\x1f")


def _replacement(match: re.Match[str]) -> str:
    return " " if match.group() in _WHITESPACE_CONTROLS else "\ufffd"


def normalise_text(text: str) -> str:
    r"""Replace each code point XML 1.0 cannot hold by one code point, so offsets stay valid.

    Whitespace controls (U+000B, U+000C, U+001C-U+001F) become a space, every other one
    U+FFFD. Tab, newline and carriage return are kept.

    Examples
    --------
    >>> normalise_text("a\x01b\x0bc\uffffd") == "a\ufffdb c\ufffdd"
    True
    """
    if XML_ILLEGAL.search(text) is None:
        return text
    return XML_ILLEGAL.sub(_replacement, text)


def decode_article_bytes(data: bytes, name: str) -> str:
    """Decode untrusted bytes as UTF-8 text, rejecting binary, empty and oversized input."""
    if len(data) > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{name}: file is {len(data) / 1e6:.1f} MB, larger than the "
            f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB limit for one article"
        )
    if b"\x00" in data:
        raise ArticleError(f"{name}: looks like a binary file (contains NUL bytes), not text")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ArticleError(
            f"{name}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start})"
        ) from None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise ArticleError(f"{name}: file is empty")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\n\t")
    if controls > max(8, len(text) // 100):
        raise ArticleError(f"{name}: looks like a binary file (control characters), not text")
    return text


def split_front_matter(text: str, name: str) -> tuple[dict[str, str], str]:
    """Split ``---``-delimited ``key: value`` front matter from the body."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---", 3)
    while end != -1 and text[end + 4 : end + 5] not in ("\n", ""):
        end = text.find("\n---", end + 4)
    if end == -1:
        raise ArticleError(f"{name}: front matter opened with '---' is never closed")
    meta: dict[str, str] = {}
    for lineno, line in enumerate(text[4:end].split("\n"), start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ArticleError(f"{name}: front matter line {lineno} is not 'key: value'")
        meta[key.strip().lower()] = value.strip().strip('"').strip("'")
    body = text[end + 4 :].lstrip("\n")
    return meta, body


def parse_published(value: str, name: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArticleError(f"{name}: 'published' must be YYYY-MM-DD, got {value!r}") from None


def read_article_text(
    raw: str, *, name: str, default_id: str, lexicon: Lexicon | None = None
) -> Article:
    """Build an ``Article`` from decoded text (front matter optional).

    Code points XML cannot hold are replaced one for one first (:func:`normalise_text`).
    """
    meta, body = split_front_matter(normalise_text(raw), name)
    if not body.strip():
        raise ArticleError(f"{name}: article has no body text")
    published = parse_published(meta["published"], name) if meta.get("published") else None
    article_id = safe_article_id(meta.get("id") or default_id, name)
    lex = lexicon or load_lexicon()
    return Article(
        id=article_id,
        text=body,
        sentences=split_sentences(body, lex.abbreviations),
        title=meta.get("title") or None,
        source=meta.get("source") or None,
        published=published,
        publisher=meta.get("publisher") or None,
        language=meta.get("language") or None,
        path=name,
    )


def os_reason(exc: OSError, path: Path) -> str:
    """A short, one-line reason for an ``OSError`` on ``path`` (symlink loops named as such)."""
    if exc.errno == errno.ELOOP:
        return "symlink loop"
    if exc.errno == errno.ENOENT:
        return "broken symlink (its target does not exist)" if path.is_symlink() else "no such file"
    return f"cannot read ({exc.strerror or exc})"


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as exc:
        error = UnreadableError if exc.errno in (errno.EACCES, errno.EPERM) else ArticleError
        raise error(f"{path}: {os_reason(exc, path)}") from None


def read_article(path: Path, lexicon: Lexicon | None = None) -> Article:
    """Read one article file; raise ``ArticleError`` with a one-line message on bad input."""
    info = _stat(path)
    if not stat.S_ISREG(info.st_mode):
        raise ArticleError(f"{path}: not a regular file")
    size = info.st_size
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{path}: file is {size / 1e6:.1f} MB, larger than the "
            f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB limit for one article"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UnreadableError(f"{path}: {os_reason(exc, path)}") from None
    text = decode_article_bytes(data, str(path))
    return read_article_text(text, name=str(path), default_id=path.stem, lexicon=lexicon)


def _is_article_name(name: str) -> bool:
    stem, dot, suffix = name.rpartition(".")
    return (
        bool(dot)
        and f".{suffix.lower()}" in ARTICLE_SUFFIXES
        and not name.startswith(".")
        and stem.upper() not in NOT_ARTICLES
    )


def _walk(
    folder: Path,
    ancestors: frozenset[tuple[int, int]],
    found: list[Path],
    problem: Callable[[Path, str], None],
) -> None:
    """Article files under ``folder`` (symlinks followed; a cycle is reported as a loop)."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError as exc:
        problem(folder, f"cannot read folder ({exc.strerror or exc})")
        return
    for entry in entries:
        path = Path(entry.path)
        try:
            info = os.stat(entry.path)
        except OSError as exc:
            problem(path, os_reason(exc, path))
            continue
        if stat.S_ISDIR(info.st_mode):
            key = (info.st_dev, info.st_ino)
            if key in ancestors:
                problem(path, "symlink loop (it leads back to a folder that contains it)")
                continue
            _walk(path, ancestors | {key}, found, problem)
        elif stat.S_ISREG(info.st_mode) and _is_article_name(entry.name):
            found.append(path)


def find_article_files(
    paths: list[Path], on_skip: Callable[[str], None] | None = None
) -> list[Path]:
    """Expand files and folders into a sorted list of article files.

    A folder entry that cannot be read (permissions, a symlink loop, a broken symlink) raises
    :class:`UnreadableError` naming it; with ``on_skip`` it is reported there and skipped.
    """

    def problem(path: Path, reason: str) -> None:
        if on_skip is None:
            raise UnreadableError(f"{path}: {reason}")
        on_skip(f"{path}: {reason}")

    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside: list[Path] = []
            info = path.stat()
            _walk(path, frozenset({(info.st_dev, info.st_ino)}), inside, problem)
            found.extend(sorted(inside))
        else:
            found.append(path)
    return found


# --- sentence splitting -------------------------------------------------------------------

# starts only at the first mark of a run, and no part gives back what it took: linear
_BOUNDARY = re.compile(r"(?<![.!?…])[.!?…]++[\"”’')\]]*+(?=\s++[\"“‘(\[]?[A-Z0-9À-Ý])")


def _word_before(line: str, end: int) -> str:
    """The whitespace-free run of ``line`` that ends at ``end`` (a backward scan)."""
    start = end
    while start > 0 and not line[start - 1].isspace():
        start -= 1
    return line[start:end]


def _first_word(line: str, start: int) -> str:
    """The first whitespace-free run of ``line`` from ``start`` (a forward scan)."""
    while start < len(line) and line[start].isspace():
        start += 1
    end = start
    while end < len(line) and not line[end].isspace():
        end += 1
    return line[start:end]


def split_sentences(text: str, abbreviations: frozenset[str]) -> tuple[Sentence, ...]:
    """Split a body into sentences with offsets; paragraphs (lines) always end a sentence.

    Full stops after known abbreviations ("Gen.", "Oct.") and single initials ("James N.
    Mattis") do not end a sentence. Offsets exclude surrounding whitespace.
    """
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        start = line_start
        for match in _BOUNDARY.finditer(line):
            end = line_start + match.end()
            word = _word_before(line, match.start() + 1)
            if _is_abbreviation(word, abbreviations, _first_word(line, match.end())):
                continue
            spans.append((start, end))
            start = end
        spans.append((start, line_start + len(line)))
    sentences: list[Sentence] = []
    for start, end in spans:
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sentences.append(Sentence(len(sentences), start, end, text[start:end]))
    return tuple(sentences)


_SENTENCE_STARTERS = frozenset(
    "It The They He She This That These Those We In On At As But And However Meanwhile "
    "Both Its Their His Her A An".split()
)


def _is_abbreviation(word: str, abbreviations: frozenset[str], rest: str) -> bool:
    """Whether the full stop ending ``word`` belongs to it; ``rest`` is the next word."""
    word = word.lstrip('("“‘[').rsplit("-", 1)[-1].rsplit("/", 1)[-1]
    if not word.endswith("."):
        return False
    if re.fullmatch(r"[A-Z]\.", word):
        return True  # an initial: "James N. Mattis"
    if re.fullmatch(r"(?:[A-Z]\.){2,}", word):
        # "U.S." ends a sentence only when a typical sentence opener follows
        return not rest or rest not in _SENTENCE_STARTERS
    return word in abbreviations or word.lower() in abbreviations
