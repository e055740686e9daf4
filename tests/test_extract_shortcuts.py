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


def _extractions() -> list[tuple[Article, object]]:
    lexicon = load_lexicon()
    return [(article, extract(article, lexicon)) for article in _articles()]


def test_replace_is_dataclasses_replace() -> None:
    """kg.extract.doc.replace (one C-level getter per class) builds what dataclasses.replace
    builds, for every record kind extraction copies, with and without changes."""
    import dataclasses

    from kg.extract.doc import replace

    copied = 0
    for _article, extraction in _extractions():
        records: list[object] = [*extraction.events, *extraction.claims, *extraction.entities]  # type: ignore[attr-defined]
        for record in records:
            assert replace(record) == dataclasses.replace(record)  # type: ignore[call-overload]
            name = dataclasses.fields(record)[2].name  # type: ignore[arg-type]
            changed = replace(record, **{name: None})
            assert changed == dataclasses.replace(record, **{name: None})  # type: ignore[call-overload]
            assert type(changed) is type(record) and changed is not record
            copied += 1
    assert copied > 500
    with pytest.raises(TypeError):
        replace(extraction.events[0], no_such_field=1)  # type: ignore[attr-defined]


def _without_lookahead(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """The pattern without its (first) first-character lookahead."""
    plain = re.sub(r"\(\?=\[[^\]]*\]\)", "", pattern.pattern, count=1)
    assert plain != pattern.pattern
    return re.compile(plain, pattern.flags)


HOSTILE = [
    "Today TODAY tödAy  this\n\tYEAR",
    "ON\u00a0monday 1999-2000 2024x -2024 2024",
    "ſ K on  Mon",
]


def test_date_patterns_match_as_without_the_first_character_test() -> None:
    from kg.extract.dates import grammar

    g = grammar(load_lexicon())
    year = dict(g.patterns)["y"]
    plain_year = re.compile(r"(?<![\w-])(?P<y>(?:19|20)\d\d)(?![\w-]|\s*[-–]\s*\d)")
    texts = [a.text for a in _articles()] + HOSTILE + ["2019", "x2019 -2020 \n1999\n", "20 19"]
    for fast, plain in ((g.relative, _without_lookahead(g.relative)), (year, plain_year)):
        for text in texts:
            assert [m.span("y" if fast is year else 0) for m in fast.finditer(text)] == [
                m.span("y" if fast is year else 0) for m in plain.finditer(text)
            ]
    assert sum(1 for text in texts for _ in g.relative.finditer(text)) > 10


def test_back_reference_matches_as_without_the_first_character_test() -> None:
    from kg.extract.people import _back_reference

    texts = [a.text for a in _articles()] + HOSTILE
    lexicon = load_lexicon()
    fast = _back_reference(Doc(_articles()[0], lexicon))
    plain = _without_lookahead(fast)
    found = 0
    for text in texts:
        mine = [(m.span(), m.groups()) for m in fast.finditer(text)]
        assert mine == [(m.span(), m.groups()) for m in plain.finditer(text)]
        found += len(mine)
    assert found > 10


def _word_patterns(lexicon: object) -> list[tuple[re.Pattern[str], frozenset[str]]]:
    """Every pattern extraction searches at tokens (``Doc.finditer_words``), with its words."""
    from kg.extract.dates import grammar
    from kg.extract.events.common import _words_of
    from kg.extract.mentions import _patterns
    from kg.extract.people import _back_reference

    lex = load_lexicon()
    doc = Doc(_articles()[0], lex)
    people, mentions = lex.people_words, lex.mention_words
    cue_sets = [words(lex, c) for c in (*CUE_CLASSES, "ally", "historical", "last_held")]
    found = [(cue_regex(w), w) for w in [*cue_sets, frozenset(lex.status_words)]]
    patterns = _patterns(doc)
    found += [
        (grammar(lex).relative, grammar(lex).relative_words),
        (_back_reference(doc), frozenset([*people["back-determiner"], *people["pronoun"]])),
        (_words_of(lex).named_exercise[-1], words(lex, "exercise_verb")),
        (_words_of(lex).topic, _words_of(lex).topic_words),
        (_words_of(lex).anaphor, _words_of(lex).anaphor_words),
        (_words_of(lex).cues.passive, _words_of(lex).cues.passive_words),
        (patterns.forces, frozenset(mentions["force"])),
        (patterns.adjective_ministry, frozenset(mentions["ministry-adjective"])),
        (
            patterns.ministry_of,
            frozenset([*mentions["determiner"], *mentions["ministry-head"]]),
        ),
    ]
    return found


WIDE = "ſ\u212a ı İ Σ ’s K\u0301 É "  # characters whose case variants lie outside ASCII


def test_word_search_is_the_plain_search() -> None:
    """WordSearch (the pattern tried only at tokens a match can begin at) finds what the
    pattern finds: over the whole text, each sentence, spans cut inside words, and on text
    with characters whose case variants are other characters."""
    lexicon = load_lexicon()
    pairs = _word_patterns(lexicon)
    texts = [a.text for a in _articles()]
    texts.append(WIDE.join(t[:400] for t in texts[:6]).upper())
    texts.append(WIDE + texts[0].replace("s", "ſ").replace("k", "\u212a") + WIDE)
    compared = 0
    for n, text in enumerate(texts):
        doc = Doc(read_article_text(text, name=f"w{n}.txt", default_id=f"w{n}"), lexicon)
        body = doc.article.text
        bounds = [(0, len(body))] + [(s.start, s.end) for s in doc.article.sentences]
        bounds += [(s.start + 3, s.end - 5) for s in doc.article.sentences if s.end - s.start > 9]
        for pattern, cues in pairs:
            search = doc.word_search(pattern, cues)
            assert search is not None, pattern.pattern[:40]
            for start, end in bounds:
                mine = [m.span() for m in search.finditer(start, end)]
                assert mine == [m.span() for m in pattern.finditer(body, start, end)]
                first = search.search(start, end)
                plain = pattern.search(body, start, end)
                assert (first and first.span()) == (plain and plain.span())
                compared += len(mine)
    assert compared > 500


def test_word_search_on_bounds_that_cut_a_word() -> None:
    """A bound inside a word ("plan|ned", "wi|thout") leaves a part that can be one of the
    words although the whole token is none: WordSearch finds what the pattern finds there."""
    lexicon = load_lexicon()
    compared = 0
    for pattern, cues in _word_patterns(lexicon):
        chosen = sorted(cues)[:40]
        text = " ".join(f"{word}ned and {word[:-1]}, {word.upper()}s" for word in chosen) + "."
        doc = Doc(read_article_text(text, name="cut.txt", default_id="cut"), lexicon)
        body = doc.article.text
        search = doc.word_search(pattern, cues)
        assert search is not None, pattern.pattern[:40]
        cuts = sorted({t.start + k for t in doc.tokens for k in range(1, len(t.text))})
        for end in cuts[:400]:
            for start in (0, max(0, end - 30)):
                mine = [m.span() for m in search.finditer(start, end)]
                assert mine == [m.span() for m in pattern.finditer(body, start, end)], end
                first, plain = search.search(start, end), pattern.search(body, start, end)
                assert (first and first.span()) == (plain and plain.span()), end
                compared += bool(mine)
    assert compared > 1000


def test_leading_runs_refuse_words_outside_ascii() -> None:
    from kg.extract.doc import leading_runs

    assert leading_runs(frozenset({"According to", "argues"})) == frozenset({"according", "argues"})
    assert leading_runs(frozenset({"über"})) is None
    assert leading_runs(frozenset({"’s view"})) is None
    assert leading_runs(frozenset({"x\u0345"})) is None  # its next character has case variants
    assert leading_runs(frozenset()) == frozenset()


def test_guarded_search_is_the_plain_search() -> None:
    """GuardedSearch (a short string searched only when one of its words can open a cue)
    finds what the pattern finds, on the six words before every word of our articles and on
    strings whose case variants lie outside ASCII."""
    from kg.extract.doc import GuardedSearch
    from kg.extract.events.common import _words_of

    lexicon = load_lexicon()
    cues = _words_of(lexicon).cues
    guarded = [
        cues.negation_in,
        cues.hypothetical_in,
        cues.planned_in,
        _words_of(lexicon).took_place,
    ]
    strings = [WIDE, "NOT", "Would ſign", "won’t", "\u212aept"]
    for article in _articles():
        for sentence in article.sentences:
            tokens = sentence.text.split()
            strings += [" ".join(tokens[max(0, k - 6) : k]) for k in range(1, len(tokens) + 1)]
    found = 0
    # each guard over every string, then every guard over each string in a row (the words of
    # the string last read are kept), then over an equal string that is another object
    pairs = [(search, string) for search in guarded for string in strings]
    pairs += [(search, string) for string in strings for search in guarded]
    pairs += [(search, "".join(list(string))) for string in strings[:200] for search in guarded]
    for search, string in pairs:
        assert isinstance(search, GuardedSearch)
        mine, plain = search.search(string), search.pattern.search(string)
        assert (mine and mine.span()) == (plain and plain.span()), string
        found += plain is not None
    assert found > 300


def test_keyword_sentences_are_the_sentences_the_patterns_find() -> None:
    """_keyword_sentences (every occurrence of each key word by str.find, in a lower-cased
    copy of the text) picks the sentences a search of each (lower-cased) sentence picks."""
    from kg.extract.events.common import _words_of
    from kg.extract.events.names import _keyword_sentences

    lexicon = load_lexicon()
    g = _words_of(lexicon)
    texts = [a.text for a in _articles()]
    texts += ["The Treaty.  Drills.\nNo WAR GAMES here. Exercise İ.", "ΣExercise Σ. Agreements."]
    picked = 0
    for n, text in enumerate(texts):
        doc = Doc(read_article_text(text, name=f"k{n}.txt", default_id=f"k{n}"), lexicon)
        sentences = doc.article.sentences
        agreements, exercises = _keyword_sentences(doc)
        assert agreements == [x for x in sentences if g.agreement_noun_any.search(x.text)]
        assert exercises == [x for x in sentences if g.exercise_keys.search(x.text.lower())]
        picked += len(agreements) + len(exercises)
    assert picked > 50


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from("AZaz9_. \n\t’é²Ωx"), max_size=12))
def test_ends_with_initial_is_the_pattern(text: str) -> None:
    from kg.extract.doc import _INITIAL_AT_END, ends_with_initial

    assert ends_with_initial(text) == (_INITIAL_AT_END.search(text) is not None)


def test_ends_with_initial_on_our_names() -> None:
    from kg.extract.doc import _INITIAL_AT_END, ends_with_initial

    cases = ["U.S.", "James N.", "A.\n", "Mr.", "X.\n\n", "éA.", "_A.", "²A.", ".A.", "A."]
    cases += [
        s.text[: k + 1] for a in _articles() for s in a.sentences for k in range(len(s.text))
    ][:20000]
    assert [ends_with_initial(c) for c in cases] == [
        _INITIAL_AT_END.search(c) is not None for c in cases
    ]
    expected = [True, True, True, False, False, False, False, False, True, True]
    assert [ends_with_initial(c) for c in cases[:10]] == expected


def test_name_patterns_match_as_with_the_test_before_the_name() -> None:
    """The exercise-name patterns that test what stands before a name after its first capital
    match as with the test before it (our articles, capitals after apostrophes and hyphens)."""
    from kg.extract.events import common

    fast_patterns = common._words_of(load_lexicon()).named_exercise[1:3]
    at_token = "(?P<name>" + common._NAME_RUN_AT_TOKEN
    plain_start = common._TOKEN_START + "(?P<name>" + common._NAME_RUN
    texts = [a.text for a in _articles()]
    texts += ["Coral Tide 2025 exercise, x-Coral Tide exercise, ’Coral Tide exercise", "A"]
    found = 0
    for fast in fast_patterns:
        assert at_token in fast.pattern
        plain = re.compile(fast.pattern.replace(at_token, plain_start, 1), fast.flags)
        for text in texts:
            mine = [m.span("name") for m in fast.finditer(text)]
            assert mine == [m.span("name") for m in plain.finditer(text)]
            found += len(mine)
    assert found > 5


def _plain_holds_word(text: str, lo: int, hi: int, words: frozenset[str]) -> bool:
    from kg.lexicon import fold

    return any(fold(w.group()) in words for w in re.finditer(r"\w+", text[lo:hi]))


_PERSON_WORDS = frozenset({"we", "our", "you", "i", "ours", "s"})


@pytest.mark.parametrize(
    "text",
    [
        "We met. You and I, our talks: ours.",
        "Answer now; twe said ‘you’—we’re “our” I’s",
        "ſs Ours ＷＥ ℡ you\u00a0we\tYOU",
        "…!? —",
        "x",
    ],
)
def test_may_hold_word_never_misses_a_word_of_the_slice(text: str) -> None:
    """The C-level pre-test of the speaker words ("we", "you") says False only when a search
    of the slice finds none of the words, for every bound, including bounds inside a word."""
    from kg.extract.events.parties import _may_hold_word

    doc = Doc(read_article_text(text, name="t", default_id="t"), load_lexicon())
    body = doc.article.text
    refused = 0
    for lo in range(len(body) + 1):
        for hi in range(lo, len(body) + 1):
            plain = _plain_holds_word(body, lo, hi, _PERSON_WORDS)
            quick = _may_hold_word(doc, lo, hi, _PERSON_WORDS, frozenset({"i"}))
            assert quick or not plain, (body[lo:hi], lo, hi)
            refused += not quick
    assert refused > 0  # the pre-test does spare searches


def test_speaker_states_on_every_article_as_without_the_pre_test() -> None:
    """``_speaker_states`` with the pre-test answers what the plain loop answers, for every
    clause window of our articles' triggers and for every sentence."""
    from kg.extract import _run
    from kg.extract.events import parties

    compared, articles = 0, _articles()
    for article in articles:
        doc = Doc(article, load_lexicon())
        _run(doc)  # the document as the event stage left it (mentions, speakers' turns)
        for sentence in article.sentences:
            for lo, hi in ((sentence.start, sentence.end), (sentence.start + 1, sentence.end - 1)):
                fast = parties._speaker_states(doc, lo, hi)
                original = parties._may_hold_word
                parties._may_hold_word = lambda *_: True  # type: ignore[assignment]
                try:
                    assert parties._speaker_states(doc, lo, hi) == fast, (article.id, lo, hi)
                finally:
                    parties._may_hold_word = original
                compared += 1
    assert compared == 2 * sum(len(a.sentences) for a in articles)


def test_the_lexicon_is_kept_out_of_the_cyclic_collections() -> None:
    """After the lexicon loads, its dictionaries are no longer walked by the garbage
    collector (``gc.freeze``), and it still works (checked in a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from kg.lexicon import load_lexicon\n"
        "lexicon = load_lexicon()\n"
        "walked = {id(o) for o in gc.get_objects()}\n"
        "print(gc.get_freeze_count() > 0, id(lexicon.states) in walked,"
        " id(lexicon.named) in walked, 'JPN' in lexicon.states)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.split() == ["True", "False", "False", "True"]


def test_extraction_leaves_no_cyclic_garbage_so_the_collector_can_sleep() -> None:
    """``extract`` pauses the cyclic collector for each article; that is only free if
    extraction makes no reference cycles, which the collector would have to find: none on our
    articles and the seed. With the document freed before the collector resumes, the 40-odd
    articles trigger a couple of collections, not one each."""
    import gc

    articles = _articles()
    started: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    gc.collect()
    gc.callbacks.append(count)
    try:
        for article in articles:
            extract(article)
    finally:
        gc.callbacks.remove(count)
    assert len(started) < len(articles) // 4
    gc.disable()
    try:
        for article in articles:
            extract(article)
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_extract_gives_the_collector_back_as_it_found_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Enabled before, enabled after (also when the article runs out of its budget);
    disabled before (the caller's choice), still disabled after."""
    import gc

    from kg.extract import ExtractionBudgetError

    article = _articles()[0]
    assert gc.isenabled()
    extract(article)
    assert gc.isenabled()
    gc.disable()
    try:
        extract(article)
        assert not gc.isenabled()
    finally:
        gc.enable()
    monkeypatch.setenv("KG_EXTRACT_BUDGET", "0.000001")
    with pytest.raises(ExtractionBudgetError):
        extract(article)
    assert gc.isenabled()
