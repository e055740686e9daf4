"""Claim stage: opinions and analysis, attributed to their source, never asserted as facts.

A claim opens with an attribution ("According to analysis by a news agency, ...") or an opinion verb
after a source ("Some analysts believe that ..."); the source's scope runs to the end of the
paragraph. Hedged sentences ("seems to indicate") in that scope are claims too. Inside a claim,
states after "pressure on" are targets, after "allies of" allies, and states joined by hyphens
before "framework"/"system" framework members. A clause about the past ("due to Japan's
occupation ... in the early 20th century") is a separate historical-context claim.
"""

from __future__ import annotations

import re

from kg.article import Sentence
from kg.extract.doc import AheadSearch, Doc, EntityDraft, Mention, WordSearch, ends_with_initial
from kg.extract.grammar import alt, compiled, words
from kg.lexicon import Lexicon, cue_regex, fold, slugify
from kg.records import Claim, Span


def _list_gap(doc: Doc) -> re.Pattern[str]:
    """Commas, determiners and list joiners between listed states ("China, and the DPRK");
    each item takes all the spaces after it, so there is one way to read a gap (linear)."""

    def build(lex: Lexicon) -> re.Pattern[str]:
        words = f"{alt(lex, 'determiner')}|{alt(lex, 'list_joiner')}"
        return re.compile(rf"\s*+(?:(?:{words})\s++|,\s*+)*+")

    return compiled(doc.lexicon, "claims.list_gap", build)


def _after_verb(doc: Doc) -> re.Pattern[str]:
    return compiled(
        doc.lexicon,
        "claims.complementizer",
        lambda lex: re.compile(rf"\s+(?:{alt(lex, 'complementizer')})\b"),
    )


def _historical_clause(doc: Doc) -> re.Pattern[str]:
    return compiled(
        doc.lexicon,
        "claims.historical_clause",
        lambda lex: re.compile(rf"\b(?:{alt(lex, 'historical_clause')})\b"),
    )


def find_claims(doc: Doc) -> Doc:
    """Stage 4 (before events): claims and the sentences they cover.

    Reads ``doc.mentions`` and ``doc.entities``; writes ``doc.claims``, ``doc.claim_sentences``
    and the Commentator mentions and drafts (``doc.mentions``, ``doc.entities``).
    """
    text = doc.article.text
    attribution = _searcher(doc, words(doc.lexicon, "attribution"))
    opinion = _searcher(doc, words(doc.lexicon, "opinion"))
    commentator_nouns = words(doc.lexicon, "commentator")
    quantifiers = words(doc.lexicon, "quantifier")
    scope: tuple[int, str, str] | None = None  # (paragraph, speaker key, kind)
    paragraph, counted = 0, 0  # line breaks before offset ``counted``
    for sentence in doc.article.sentences:
        doc.check_deadline()
        paragraph += text.count("\n", counted, sentence.start)
        counted = sentence.start
        if scope and scope[0] != paragraph:
            scope = None
        speaker: str | None = None
        body_start = sentence.start
        match = attribution.search(sentence.start, sentence.end)
        if match and match.start() - sentence.start < 40:
            after = [
                m
                for m in doc.mentions_in(match.end(), sentence.end)
                if m.type in ("Organization", "Official", "State")
            ]
            comma = text.find(",", match.end(), sentence.end)
            if after and (comma < 0 or after[0].start < comma):
                speaker = after[0].key
                body_start = comma + 1 if comma >= 0 else after[0].end
            else:
                group = _commentator(doc, match.end(), sentence, commentator_nouns, quantifiers)
                if group is not None:
                    speaker, body_start = group[0], (comma + 1 if comma >= 0 else group[1])
        if speaker is None:
            verb = opinion.search(sentence.start, sentence.end)
            if verb is not None:
                group = _commentator(
                    doc,
                    sentence.start,
                    sentence,
                    commentator_nouns,
                    quantifiers,
                    before=verb.start(),
                )
                if group is not None:
                    speaker = group[0]
                    that = _after_verb(doc).match(text[verb.end() : verb.end() + 16])
                    body_start = verb.end() + (that.end() if that else 0)
        kind = "analysis"
        if speaker is not None:
            scope = (paragraph, speaker, kind)
        elif scope is not None:
            speaker = scope[1]
        if speaker is None:
            continue
        doc.claim_sentences.add(sentence.index)
        _add_claims(doc, sentence, body_start, speaker)
    return doc


def _searcher(doc: Doc, cues: frozenset[str]) -> WordSearch | AheadSearch:
    """Searches of the cues' pattern within sentences, in text order: at the tokens a cue can
    begin at (``WordSearch``) when the cues allow it, else ahead of the sentences."""
    pattern = cue_regex(cues)
    return doc.word_search(pattern, cues) or AheadSearch(pattern, doc.article.text)


def _commentator(
    doc: Doc,
    lo: int,
    sentence: Sentence,
    nouns: frozenset[str],
    quantifiers: frozenset[str],
    before: int | None = None,
) -> tuple[str, int] | None:
    """An unnamed group ("some East Asian studies scholars") -> (entity key, end offset)."""
    text = doc.article.text
    hi = before if before is not None else sentence.end
    words = list(re.finditer(r"[\w’'-]+", text[lo:hi]))
    for i, word in enumerate(words):
        if fold(word.group()) not in nouns:
            continue
        first = i
        for back in range(i - 1, max(-1, i - 6), -1):
            if fold(words[back].group()) in quantifiers:
                first = back
                break
        else:
            while first > 0 and words[first - 1].group()[0].isupper():
                first -= 1
        start = lo + words[first].start()
        end = lo + word.end()
        if before is not None and text[end:before].strip():
            continue
        surface = text[start:end]
        label = (
            surface[0].lower() + surface[1:]
            if fold(words[first].group()) in quantifiers
            else surface
        )
        key = f"agent:{doc.article.id}:{slugify(label)}"
        draft = doc.add_entity(EntityDraft(key=key, type="Commentator", name=label))
        draft.aliases.add(surface)
        doc.mentions.append(Mention(start, end, surface, key, "Commentator", "pattern"))
        doc.mentions.sort(key=lambda m: (m.start, -m.end))
        return key, end
    return None


def _states_after(doc: Doc, cues: frozenset[str], start: int, end: int) -> list[str]:
    """States in the "X and Y" list right after each cue ("pressure on China and North Korea")."""
    text = doc.article.text
    found: list[str] = []
    for cue in doc.finditer_words(cue_regex(cues), cues, start, end):
        pos = cue.end()
        for mention in doc.mentions_in(pos, end):
            if mention.type != "State":
                continue
            gap = text[pos : mention.start]
            if not _list_gap(doc).fullmatch(gap):
                break
            found.append(mention.state or "")
            pos = mention.end
    return found


def _framework_members(doc: Doc, start: int, end: int, nouns: frozenset[str]) -> list[str]:
    """States chained by hyphens before a framework noun: "U.S.-Japan-South Korea security framework"."""  # noqa: E501
    text = doc.article.text
    members: list[str] = []
    states = [m for m in doc.mentions_in(start, end) if m.type == "State"]
    i = 0
    while i < len(states):
        chain = [states[i]]
        while i + 1 < len(states) and text[chain[-1].end : states[i + 1].start] in ("-", "–", "/"):
            chain.append(states[i + 1])
            i += 1
        i += 1
        if len(chain) < 2:
            continue
        tail = text[chain[-1].end : min(end, chain[-1].end + 40)]
        following = [fold(w) for w in re.findall(r"[\w-]+", tail)[:3]]
        if any(w in nouns for w in following):
            members.extend(m.state or "" for m in chain)
    return members


def _trim_end(text: str) -> str:
    """Drop trailing spaces, commas and a sentence-final full stop (not the one of "U.S.")."""
    text = text.rstrip(" ,")
    if text.endswith(".") and not ends_with_initial(text):
        text = text[:-1]
    return text.rstrip(" ,")


def _add_claims(doc: Doc, sentence: Sentence, body_start: int, speaker: str) -> None:
    text = doc.article.text
    span = doc.span(body_start, sentence.end)
    about = list(
        dict.fromkeys(
            m.state for m in doc.mentions_in(span.start, span.end) if m.type == "State" and m.state
        )
    )
    target = _states_after(doc, words(doc.lexicon, "target"), span.start, span.end)
    ally = _states_after(doc, words(doc.lexicon, "ally"), span.start, span.end)
    framework = _framework_members(doc, span.start, span.end, words(doc.lexicon, "framework"))
    historical = words(doc.lexicon, "historical")
    hist_match = doc.search_words(cue_regex(historical), historical, span.start, span.end)
    main_end = span.end
    hist_span: Span | None = None
    if hist_match:
        clause = _historical_clause(doc).search(text[span.start : hist_match.start()])
        if clause:
            hist_lo = span.start + clause.start()
            hist_span = doc.span(hist_lo, span.end)
            main_end = hist_lo
    main = doc.span(span.start, main_end)
    main = doc.span(main.start, main.start + len(_trim_end(main.text)))
    doc.claims.append(
        Claim(
            key=f"claim-{main.start}",
            kind="analysis",
            text=main,
            speaker=speaker,
            evidence=(doc.sentence_span(sentence),),
            about=tuple(sorted(set(about))),
            ally=tuple(sorted(set(ally))),
            framework=tuple(sorted(set(framework))),
            target=tuple(sorted(set(target))),
        )
    )
    if hist_span is not None:
        hist_text = _trim_end(hist_span.text)
        hist_span = doc.span(hist_span.start, hist_span.start + len(hist_text))
        hist_states = sorted(
            {
                m.state
                for m in doc.mentions_in(hist_span.start, hist_span.end)
                if m.type == "State" and m.state
            }
        )
        doc.claims.append(
            Claim(
                key=f"claim-{hist_span.start}",
                kind="historical-context",
                text=hist_span,
                speaker=speaker,
                evidence=(doc.sentence_span(sentence),),
                about=tuple(hist_states),
            )
        )
