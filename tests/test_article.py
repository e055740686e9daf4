"""Reading articles: front matter, body offsets, sentences, and bad input."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import SEED, SEED_ID
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.article import (
    ArticleError,
    decode_article_bytes,
    read_article,
    read_article_text,
)
from kg.lexicon import load_lexicon


def test_seed_reads_with_id_from_file_name_and_curly_quotes() -> None:
    article = read_article(SEED)
    assert article.id == SEED_ID
    assert article.published is None and article.title is None
    assert len(article.sentences) == 19
    assert article.sentences[0].text.startswith("On January 30, the Defense Minister of Japan")
    assert "“divide and conquer”" in article.sentences[17].text
    for sentence in article.sentences:
        assert article.text[sentence.start : sentence.end] == sentence.text


def test_front_matter_fields_and_offsets_refer_to_the_body(tmp_path: Path) -> None:
    path = tmp_path / "x.md"
    path.write_text(
        "---\ntitle: Ministers meet\nsource: https://example.org/a\npublished: 2023-06-05\n"
        "publisher: Ministry of Defense\nid: my-article\n---\n\nGen. Lee met U.S. officials. "
        "James N. Mattis arrived. It rained.\n",
        encoding="utf-8",
    )
    article = read_article(path)
    assert article.id == "my-article"
    assert article.title == "Ministers meet"
    assert article.source == "https://example.org/a"
    assert article.published == dt.date(2023, 6, 5)
    assert article.publisher == "Ministry of Defense"
    assert article.text.startswith("Gen. Lee met")
    assert [s.text for s in article.sentences] == [
        "Gen. Lee met U.S. officials.",
        "James N. Mattis arrived.",
        "It rained.",
    ]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "file is empty"),
        (b"   \n\n", "file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", "binary"),
        (b"caf\xe9 au lait", "not valid UTF-8 (byte 0xe9 at offset 3)"),
        (b"---\ntitle: x\nno end", "never closed"),
        (b"---\npublished: 30 January\n---\nText.", "'published' must be YYYY-MM-DD"),
        (b"---\ntitle: only front matter\n---\n", "no body text"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path: Path, data: bytes, message: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(ArticleError) as info:
        read_article(path)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_and_huge_files(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no such file"):
        read_article(tmp_path / "nope.txt")
    huge = tmp_path / "huge.txt"
    huge.write_bytes(b"Defense ministers met. " * (50 * 1024 * 1024 // 23))
    with pytest.raises(ArticleError, match="larger than the 5 MB limit"):
        read_article(huge)


def test_crlf_and_bom_are_normalised() -> None:
    text = decode_article_bytes("\ufeffOne.\r\nTwo.\r\n".encode(), "x")
    assert text == "One.\nTwo.\n"


@settings(max_examples=150, deadline=None)
@given(st.text(min_size=1, max_size=400))
def test_any_text_reads_or_fails_cleanly(text: str) -> None:
    """Untrusted text never crashes the reader, and sentence offsets always hold."""
    try:
        article = read_article_text(text, name="t", default_id="t", lexicon=load_lexicon())
    except ArticleError:
        return
    for sentence in article.sentences:
        assert article.text[sentence.start : sentence.end] == sentence.text
        assert sentence.text.strip() == sentence.text
