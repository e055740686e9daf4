"""Names of exercises and agreements (``doc.named_spans``): "Freedom Shield 24",
"Reciprocal Access Agreement", acronyms and later short mentions.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kg.article import Sentence
from kg.extract.dates import Spans
from kg.extract.dates import grammar as date_grammar
from kg.extract.doc import Doc, ends_with_initial
from kg.extract.events.common import _in_sentences, _quotations, _w
from kg.extract.grammar import words as cue_words
from kg.lexicon import Gazetteer, fold

_YEAR_SUFFIX = re.compile(r"\s++(?:19|20)?\d\d(?:-\d++)?$")
_YEAR_AFTER = re.compile(r"\s++(?:19|20)?\d\d\b")
_BLOCKING = {True: ("State", "Organization"), False: ("State", "Organization", "Official")}
_POSSESSIVE = re.compile(r"[’']s$")


def _name_cut(doc: Doc, start: int, end: int) -> int:
    """Where an agreement's name ends when it runs on into its parties, place or date
    ("... Agreement on Defence Co-operation in October in London", "... Agreement between the
    UK and Kenya"): before the linking word (``name_cut`` cues) ahead of the first state, place
    or date inside it."""
    text = doc.article.text
    cut_words = cue_words(doc.lexicon, "name_cut")
    inside = [m.start for m in doc.mentions_in(start, end) if m.type in ("State", "Place")]
    inside += [d.start for d in doc.dates if start <= d.start and d.end <= end]
    months = date_grammar(doc.lexicon).months
    inside += [  # a month alone is no date mention, but still no part of a name
        start + w.start()
        for w in re.finditer(r"[\w’']+", text[start:end])
        if fold(w.group()) in months
    ]
    for pos in sorted(inside):
        first = re.match(r"[\w’']+", text[pos:end])
        if first and fold(first.group()) in cut_words:
            return pos  # the date mention holds its preposition: "on Monday"
        words = list(re.finditer(r"[\w’']+", text[max(start, pos - 30) : pos]))
        for word in reversed(words[-3:]):
            if fold(word.group()) in cut_words:
                return max(start, pos - 30) + word.start()
    return end


def _name_words_ok(doc: Doc, words: list[str], start: int, end: int) -> bool:
    """An exercise name is no date ("March 23"), no lone sentence-opening verb form
    ("Modifying ..."), and no hyphenated verb ("South-conducted")."""
    if words[0].lower() in _w(doc).not_name_lower or words[0] in _w(doc).date_words:
        return False
    if any(d.start < end and start < d.end for d in doc.dates if not d.value.value.isdigit()):
        return False
    suffixes = tuple(cue_words(doc.lexicon, "verb_suffix"))
    for word in words:
        tail = word.rsplit("-", 1)[-1]
        if "-" in word and tail[:1].islower() and tail.endswith(suffixes):
            return False
    sentence = doc.article.sentence_at(start)
    opening = doc.article.text[sentence.start : start].strip(" “\"‘'(") == ""
    return not (len(words) == 1 and opening and words[0].lower().endswith(suffixes))


def _gap_breaks(doc: Doc, start: int, end: int) -> bool:
    """A function word between a name and its exercise word ("Lalmonirhat during exercise")
    means the two do not belong together."""
    stop = cue_words(doc.lexicon, "name_gap_stop")
    return any(fold(w) in stop for w in re.findall(r"[\w’']+", doc.article.text[start:end]))


def _drop_people_inside(doc: Doc, start: int, end: int) -> None:
    doc.mentions = [
        m for m in doc.mentions if not (m.type == "Official" and start <= m.start and m.end <= end)
    ]


def _find_named_spans(doc: Doc) -> None:
    """Names of exercises and agreements ("Freedom Shield 24", "Reciprocal Access Agreement")."""
    text, g = doc.article.text, _w(doc)
    spans: list[tuple[int, int, str, str]] = []
    taken, indexed = Spans(), [0]

    def overlaps(s: int, e: int) -> bool:
        for s2, e2, _, _ in spans[indexed[0] :]:  # the spans added since the last test
            if taken.free(s2, e2):
                taken.add(s2, e2)
            else:  # an overlapping one (none so far): fall back to the plain scan
                return any(s < e3 and s3 < e for s3, e3, _, _ in spans)
        indexed[0] = len(spans)
        return not taken.free(s, e)

    for lo, hi in _quotations(text, 0, len(text), min_len=0, curly_only=True):
        if g.agreement_noun.search(text, lo, hi):  # a quoted title: “Treaty of ...”
            spans.append((lo, hi, "Agreement", text[lo:hi]))
        elif text[lo : lo + 1].isupper() and g.signed_before.search(text, max(0, lo - 30), lo):
            spans.append((lo, hi, "Agreement", text[lo:hi]))  # signed the “Joint Vision ...”
    # the costly name patterns only run over sentences that hold one of their key words
    agreement_sentences, exercise_sentences = _keyword_sentences(doc)
    for match in _in_sentences(g.named_agreement, text, agreement_sentences):
        name = match.group("name").strip()
        if overlaps(match.start("name"), match.end("name")) or len(name.split()) < 2:
            continue
        words = name.split()
        while words and (words[0] in g.name_skip_first or words[0] == "-" or words[0][0].islower()):
            words = words[1:]
        if len(words) < 2:
            continue
        offset = match.group("name").find(words[0])
        name = " ".join(words)
        if name.endswith(".") and not ends_with_initial(name):
            name = name[:-1]
        s = match.start("name") + offset
        name = name[: _name_cut(doc, s, s + len(name)) - s].rstrip(" ,")
        if len(name.split()) < 2:
            continue
        year = _YEAR_AFTER.match(text, s + len(name))
        if year and g.exercise_keys.search(doc.article.sentence_at(s).text.lower()):
            # "Justified Accord 2024 was the largest exercise": an edition, so an exercise
            spans.append((s, year.end(), "Exercise", text[s : year.end()]))
            continue
        spans.append((s, s + len(name), "Agreement", name))
    for match in _in_sentences(g.listed_names, text, exercise_sentences):
        sentence = doc.article.sentence_at(match.start())
        if not g.exercise_word_whole.search(sentence.text):
            continue
        for part in g.name_part.finditer(match.group("names")):
            s = match.start("names") + part.start()
            e = match.start("names") + part.end()
            words = part.group().split()
            if words[0] in g.not_name or overlaps(s, e) or doc.occupied(s, e):
                continue
            spans.append((s, e, "Exercise", part.group()))
    short_forms = _acronym_exercises(doc, spans, exercise_sentences, overlaps)
    for match in _in_sentences(g.apposed_exercise, text, exercise_sentences):
        s, e = match.span("name")
        words = match.group("name").split()
        if words[0] in g.not_name or overlaps(s, e) or doc.occupied(s, e):
            continue
        if _name_words_ok(doc, words, s, e):
            spans.append((s, e, "Exercise", match.group("name")))
    for index, pattern in enumerate(g.named_exercise):
        # the last pattern ("conducting Balikatan 2025") needs no exercise word nearby
        last = index == len(g.named_exercise) - 1
        for match in (
            doc.finditer_words(pattern, cue_words(doc.lexicon, "exercise_verb"), 0, len(text))
            if last
            else _in_sentences(pattern, text, exercise_sentences)
        ):
            name = match.group("name").strip()
            words = name.split()
            while words and words[0] in g.not_name:
                words = words[1:]
            if words and _POSSESSIVE.search(words[-1]):  # "during Pacific Angel’s 12th year"
                if index == 1:
                    continue  # "Asia's largest exercise": a possessive modifier, no name
                words[-1] = _POSSESSIVE.sub("", words[-1])
            if not words or all(w.isdigit() for w in words):
                continue
            name = " ".join(words)
            s = match.start("name") + match.group("name").find(words[0])
            e = s + len(name)
            # after the word "exercise" a name is a name, even one the people stage took
            # for a person ("Exercise Spring Storm")
            blocking = _BLOCKING[index == 0]
            if overlaps(s, e) or any(
                m.start < e and s < m.end and m.type in blocking for m in doc.mentions
            ):
                continue
            if not _name_words_ok(doc, words, s, e) or (
                index == 1 and _gap_breaks(doc, match.end("name"), match.end())
            ):
                continue
            if index == 0:
                _drop_people_inside(doc, s, e)
            spans.append((s, e, "Exercise", name))
    # later mentions of a known exercise name (without its year), found in one pass over the
    # tokens whatever the number of names
    bases: Gazetteer[str] = Gazetteer()
    for _s, _e, kind, name in spans:
        if kind == "Exercise":
            bases.add(_YEAR_SUFFIX.sub("", name), name)  # the first name of a base wins
    for short in short_forms:
        bases.add(short, "")  # a short form names itself ("CARAT Bangladesh 2014")
    for name in _title_exercise_names(doc):
        bases.add(name, name)  # the title's "Exercise Coral Tide": the body's "Coral Tide"
    if any(kind == "Exercise" for _s, _e, kind, _n in spans) or bases:
        for found in doc.find(bases, 0, len(text)):
            year = _YEAR_AFTER.match(text, found.end)
            e = year.end() if year else found.end
            if not overlaps(found.start, e):
                spans.append((found.start, e, "Exercise", found.value or text[found.start : e]))
    # a name never runs past its sentence ("... Partnership. Both sides ...")
    clipped = []
    for s, e, kind, name in spans:
        end = min(e, doc.article.sentence_at(s).end)
        piece = text[s:end].rstrip(" .")
        if ends_with_initial(text[s:end].rstrip(" ")) and not piece.endswith("."):
            piece = text[s:end].rstrip(" ")
        if piece:
            clipped.append(
                (s, s + len(piece), kind, piece if (s, e) != (s, s + len(piece)) else name)
            )
    doc.named_spans = sorted(clipped)


def _keyword_sentences(doc: Doc) -> tuple[list[Sentence], list[Sentence]]:
    """The sentences that hold an agreement noun (as written) and those that hold an exercise
    key word (lower-cased): what searching each sentence for the alternation of the words
    finds (``_sentences_holding``). The text is lower-cased once in place of each sentence
    when lowering keeps every offset (no character changes length, no capital sigma, whose
    lower case depends on what follows)."""
    text, g = doc.article.text, _w(doc)
    agreement_sentences = _sentences_holding(doc, text, g.agreement_nouns)
    lowered = text.lower()
    if len(lowered) != len(text) or "\u03a3" in text:
        sentences = doc.article.sentences
        return agreement_sentences, [x for x in sentences if g.exercise_keys.search(x.text.lower())]
    return agreement_sentences, _sentences_holding(doc, lowered, g.exercise_key_words)


def _sentences_holding(doc: Doc, text: str, keys: tuple[str, ...]) -> list[Sentence]:
    """The sentences within whose bounds ``text`` (the body, or a copy of it with the same
    offsets) holds one of ``keys``: every occurrence of each key, found by ``str.find``."""
    sentences = doc.article.sentences
    if "" in keys:
        return list(sentences)
    chosen: set[int] = set()
    for key in keys:
        at = text.find(key)
        while at >= 0:
            try:
                sentence = doc.article.sentence_at(at)
            except ValueError:
                sentence = None  # between sentences: in none of them
            if sentence is not None and at + len(key) <= sentence.end:
                chosen.add(sentence.index)
            at = text.find(key, at + 1)
    return [x for x in sentences if x.index in chosen]


def _acronym_exercises(
    doc: Doc,
    spans: list[tuple[int, int, str, str]],
    sentences: list[Sentence],
    overlaps: Callable[[int, int], bool],
) -> list[str]:
    """Exercise names spelt out with their acronym, added to ``spans``; their short forms
    (acronym and the words after it) returned. The acronym must be the initials of the long
    name's words (with or without its lower-case connectors)."""
    text, g = doc.article.text, _w(doc)
    short_forms = []
    for match in _in_sentences(g.acronym_exercise, text, sentences):
        words = match.group("long").split()
        initials = "".join(w[0] for w in words).upper()
        capitals = "".join(w[0] for w in words if w[0].isupper())
        if match.group("acr") not in (initials, capitals) or words[0] in g.not_name:
            continue
        s, e = match.span("name")
        if overlaps(s, e):
            continue
        _drop_people_inside(doc, s, e)
        spans.append((s, e, "Exercise", match.group("name")))
        short_forms.append(f"{match.group('acr')}{match.group('tail')}")
    return short_forms


def _title_exercise_names(doc: Doc) -> list[str]:
    """Names the title gives after the exercise keyword ("... Scope of Exercise Coral Tide to
    ..."): the title is no evidence, but it says what the body's mentions of the name are."""
    title = doc.article.title or ""
    names = []
    for match in _w(doc).named_exercise[0].finditer(title):
        words = match.group("name").split()
        while words and words[0] in _w(doc).not_name:
            words = words[1:]
        if len(words) >= 2 and not any(w in _w(doc).not_name for w in words):
            names.append(" ".join(words))
    return names
