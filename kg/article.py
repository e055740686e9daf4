"""Reading articles: front matter, body text and sentences with character offsets.

Owns the ``Article`` record. Every character offset elsewhere in the project refers to
``Article.text`` (the body after the front matter), so ``text[start:end] == quote`` can be
checked anywhere.
"""

from __future__ import annotations

import datetime as dt
import re
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


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str


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
        """The sentence containing character ``offset`` of the body."""
        for sentence in self.sentences:
            if sentence.start <= offset < sentence.end:
                return sentence
        raise ValueError(f"offset {offset} is outside every sentence of {self.id}")


_ID_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_article_id(raw: str) -> str:
    """An article id usable in IRIs and file names (letters, digits, ``.``, ``_``, ``-``)."""
    cleaned = _ID_UNSAFE.sub("-", raw.strip()).strip("-.")
    if not cleaned:
        raise ArticleError(f"article id {raw!r} has no usable characters")
    return cleaned


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
    """Build an ``Article`` from decoded text (front matter optional)."""
    meta, body = split_front_matter(raw, name)
    if not body.strip():
        raise ArticleError(f"{name}: article has no body text")
    published = parse_published(meta["published"], name) if meta.get("published") else None
    article_id = safe_article_id(meta.get("id") or default_id)
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


def read_article(path: Path, lexicon: Lexicon | None = None) -> Article:
    """Read one article file; raise ``ArticleError`` with a one-line message on bad input."""
    if not path.exists():
        raise ArticleError(f"{path}: no such file")
    if not path.is_file():
        raise ArticleError(f"{path}: not a regular file")
    size = path.stat().st_size
    if size > MAX_ARTICLE_BYTES:
        raise ArticleError(
            f"{path}: file is {size / 1e6:.1f} MB, larger than the "
            f"{MAX_ARTICLE_BYTES // (1024 * 1024)} MB limit for one article"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"{path}: cannot read ({exc.strerror})") from None
    text = decode_article_bytes(data, str(path))
    return read_article_text(text, name=str(path), default_id=path.stem, lexicon=lexicon)


def find_article_files(paths: list[Path]) -> list[Path]:
    """Expand files and folders into a sorted list of article files."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and p.suffix.lower() in ARTICLE_SUFFIXES
                and not p.name.startswith(".")
                and p.stem.upper() not in NOT_ARTICLES
            )
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
