"""The extraction's shortcuts give exactly what the plain computations give.

Each shortcut (offsets from run lengths, a bisection, an index of the tokens entries begin at,
a whole-text search ahead of the sentences, a first-character test) is checked against the
straightforward computation it replaces, on the seed, our own articles and hostile strings.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.article import Article, read_article, read_article_text
from kg.extract import extract
from kg.extract.doc import AheadSearch, Doc
from kg.extract.grammar import words
from kg.lexicon import TOKEN_RE, Gazetteer, Match, Token, cue_regex, load_lexicon, tokenize

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = sorted([*(ROOT / "tests" / "articles").glob("*.txt"), *(ROOT / "corpus").glob("*.txt")])
CUE_CLASSES = ("attribution", "opinion", "negation", "hypothetical", "cause", "target")


def _articles() -> list[Article]:
    return [read_article(path) for path in ARTICLES]


def _plain_tokens(text: str) -> list[Token]:
    return [Token(m.group(), m.start(), m.end()) for m in TOKEN_RE.finditer(text)]


def _plain_find(
    doc: Doc, gazetteer: Gazetteer[object], start: int, end: int
) -> list[Match[object]]:
    """Doc.find as a scan of every token (what the index of openers replaces)."""
    keys = doc.keys(gazetteer)
    tokens, found, i = doc.tokens, [], 0
    while i < len(tokens) and tokens[i].start < start:
        i += 1
    while i < len(tokens) and tokens[i].end <= end:
        match = gazetteer.match_at(tokens, i, keys)
        if match is None or match.end > end:
            i += 1
            continue
        found.append(match)
        i = match.last
    return found


def _plain_cue_regex(cues: frozenset[str]) -> re.Pattern[str]:
    """cue_regex without its first-character lookahead."""
    alternatives = sorted(
        (re.escape(w).replace(r"\ ", r"\s+") for w in cues), key=len, reverse=True
    )
    return re.compile(r"(?<![\w’'])(?:" + "|".join(alternatives) + r")(?![\w])", re.IGNORECASE)


@pytest.mark.parametrize(
    "text",
    ["", " ", "  U.S.–Japan  talks\n\n", "naïve Ωmega_1 ’s", "\tend.", "a", "…!?", "x\u00a0y"],
)
def test_tokens_on_edge_strings(text: str) -> None:
    assert tokenize(text) == _plain_tokens(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("aZ9_ \n\t.,’'-–“”éΩ\u00a0"), max_size=80))
def test_tokens_on_any_string(text: str) -> None:
    assert tokenize(text) == _plain_tokens(text)


def test_tokens_of_every_article() -> None:
    for article in _articles():
        assert tokenize(article.text) == _plain_tokens(article.text), article.id


def test_sentence_at_is_the_sentence_that_holds_the_offset() -> None:
    for article in _articles():
        for offset in range(len(article.text) + 1):
            holding = [s for s in article.sentences if s.start <= offset < s.end]
            if holding:
                assert article.sentence_at(offset) == holding[0]
            else:
                with pytest.raises(ValueError, match="outside every sentence"):
                    article.sentence_at(offset)


def test_find_is_the_scan_of_every_token() -> None:
    lexicon = load_lexicon()
    gazetteers = (lexicon.titles, lexicon.triggers, lexicon.state_names, lexicon.named)
    for article in _articles():
        doc = Doc(article, lexicon)
        for gazetteer in gazetteers:
            assert doc.find(gazetteer, 0, len(article.text)) == _plain_find(
                doc, gazetteer, 0, len(article.text)
            )
            for s in article.sentences:
                assert doc.find(gazetteer, s.start, s.end) == _plain_find(
                    doc, gazetteer, s.start, s.end
                ), (article.id, s.index)


def test_search_ahead_is_the_search_within_each_sentence() -> None:
    lexicon = load_lexicon()
    compared = 0
    for article in _articles():
        for cls in CUE_CLASSES:
            pattern = cue_regex(words(lexicon, cls))
            ahead = AheadSearch(pattern, article.text)
            for s in article.sentences:
                mine = ahead.search(s.start, s.end)
                plain = pattern.search(article.text, s.start, s.end)
                assert (mine and mine.span()) == (plain and plain.span()), (article.id, cls)
                compared += plain is not None
    assert compared > 20  # the cues do occur in these articles


def test_search_ahead_on_spans_followed_by_a_word() -> None:
    """Spans that end inside a word ("analys|ts") are searched directly."""
    pattern = cue_regex(frozenset({"analyst", "analysts"}))
    text = "The analysts say. An analyst agrees."
    ahead = AheadSearch(pattern, text)
    assert ahead.search(0, 11).span() == (4, 11)  # type: ignore[union-attr]
    assert ahead.search(0, len(text)).span() == (4, 12)  # type: ignore[union-attr]
    assert ahead.search(13, len(text)).span() == (21, 28)  # type: ignore[union-attr]
    assert ahead.search(29, len(text)) is None


def test_cue_patterns_match_as_without_the_first_character_test() -> None:
    lexicon = load_lexicon()
    texts = [a.text for a in _articles()]
    for cls in CUE_CLASSES:
        cues = words(lexicon, cls)
        fast, plain = cue_regex(cues), _plain_cue_regex(cues)
        assert fast.pattern.startswith("(?=[")
        for text in texts:
            assert [m.span() for m in fast.finditer(text)] == [
                m.span() for m in plain.finditer(text)
            ]


def test_cue_pattern_with_a_leading_space_has_no_first_character_test() -> None:
    pattern = cue_regex(frozenset({" on", "Über"}))
    assert not pattern.pattern.startswith("(?=")
    assert pattern.search("pressure,\non").span() == (9, 12)  # type: ignore[union-attr]
    assert cue_regex(frozenset({"über"})).search("ÜBER alles") is not None


def test_claims_through_the_search_ahead_and_the_paragraph_count() -> None:
    """A claim after a sentence without cues; its scope runs to the end of its paragraph, not
    into the next one (our own words)."""
    text = (
        "The ministers met in Lae on Monday.\n"
        "Some analysts believe that pressure on Fiji has grown. It will grow further.\n"
        "The ministers left.\n"
    )
    claims = extract(read_article_text(text, name="claims.txt", default_id="claims")).claims
    assert [(c.text.text, c.speaker, c.target, c.evidence[0].sentence) for c in claims] == [
        ("pressure on Fiji has grown", "agent:claims:some-analysts", ("FJI",), 1),
        ("It will grow further", "agent:claims:some-analysts", (), 2),
    ]


def test_organisation_patterns_match_as_without_the_first_character_test() -> None:
    from kg.extract.mentions import _alt, _patterns

    lexicon = load_lexicon()
    mention_words = lexicon.mention_words
    adjective, noun = mention_words["ministry-adjective"], mention_words["ministry-noun"]
    force = mention_words["force"]
    plain = {
        "adjective_ministry": re.compile(
            rf"\b({_alt(adjective)})\s+({_alt(noun)})\b", re.IGNORECASE
        ),
        "forces": re.compile(rf"\b({_alt(force, spaced=False)})\b", re.IGNORECASE),
    }
    for article in _articles():
        fast = _patterns(Doc(article, lexicon))
        for name, pattern in plain.items():
            mine = getattr(fast, name)
            assert mine.pattern.startswith(r"\b(?=[")
            assert [m.span() for m in mine.finditer(article.text)] == [
                m.span() for m in pattern.finditer(article.text)
            ], (article.id, name)
