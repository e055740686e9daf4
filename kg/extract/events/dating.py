"""When an event happened: the date nearest its trigger, a sentence's opening date, the
dateline, and dates that own an event noun elsewhere ("Today's meeting").
"""

from __future__ import annotations

import re

from kg.article import Sentence
from kg.extract.dates import ends_something
from kg.extract.doc import DateMention, Doc, replace
from kg.extract.events.common import _w
from kg.records import DateValue


def _date_near(
    doc: Doc,
    sentence: Sentence,
    pos: int,
    within: tuple[int, int] | None = None,
    before_ok: bool = True,
    opener_ok: bool = True,
) -> tuple[DateValue | None, DateValue | None]:
    """The date expression nearest to ``pos`` in [lo, hi). Without ``before_ok`` (another
    event was reported just before this one) only dates after ``pos`` count. Without one, the
    sentence's opening date or the dateline (unless not ``opener_ok``)."""
    lo, hi = within or (sentence.start, sentence.end)
    text = doc.article.text
    candidates = [d for d in doc.dates if lo <= d.start and d.end <= hi and not d.used]
    if candidates:
        candidates = [d for d in candidates if not ends_something(doc.lexicon, text, d)]
    if not before_ok:
        candidates = [
            d
            for d in candidates
            if d.start >= pos or _w(doc).relative_adverb.search(text, d.end, pos)
        ]
    if not candidates:
        opener = (
            (_opening_date(doc, sentence, lo) or _dateline(doc, sentence)) if opener_ok else None
        )
        return (opener.value, opener.end_value) if opener else (None, None)
    best = min(candidates, key=lambda d: abs(d.start - pos))
    return best.value, best.end_value


_OPENER_BEFORE = re.compile(r"(?:^|,)\s*+(?:[\w’'-]++\s++)?$")


def _opening_date(doc: Doc, sentence: Sentence, before: int) -> DateMention | None:
    """A day set off by a comma before the clauses of its sentence ("On 18 September, X was
    received ..., followed by a meeting"; "Today, ..."): it dates every event of the sentence
    whose own clause gives no date."""
    text = doc.article.text
    for d in doc.dates:
        if d.start >= before:
            break  # the dates are in text order
        if d.start < sentence.start or d.end > before:
            continue
        if d.value.datatype not in ("date", "gMonthDay") or text[d.end : d.end + 1] != ",":
            continue
        if _OPENER_BEFORE.search(text[sentence.start : d.start]):
            return d
    return None


_POSSESSIVE_AFTER = re.compile(r"[’']s\s++(?:[\w-]++\s++){0,2}")
_DATELINE_FILL = re.compile(r"[\s,.–—-]*+(?:[A-Z][\w’'.-]*+[\s,.–—-]*+)*+")


def _dates_from_elsewhere(doc: Doc) -> None:
    """A date that owns an event noun in another sentence ("Today's meeting", "yesterday's
    talks") dates the undated reported events of that type, when all of them stand in one
    sentence."""
    text = doc.article.text
    for mention in doc.dates:
        if mention.value.datatype != "date":
            continue
        own = _POSSESSIVE_AFTER.match(text, mention.end)
        if own is None:
            continue
        sentence = doc.article.sentence_at(mention.start)
        hi = min(sentence.end, own.end() + 30)
        nouns = doc.find(doc.lexicon.triggers, own.start(), hi)
        noun = next((n for n in nouns if n.value.pos == "noun" and n.start <= own.end()), None)
        if noun is not None:
            _date_undated(doc, noun.value.event, mention.value)
    for mention in doc.dates:  # "our engagement today": the day right after a meeting noun
        if mention.value.datatype != "date" or mention.value.text[:1].isdigit():
            continue
        lo = doc.article.sentence_at(mention.start).start
        if _w(doc).owned_noun.search(text, max(lo, mention.start - 40), mention.start):
            _date_undated(doc, "Meeting", mention.value)


def _date_undated(doc: Doc, event_type: str, date: DateValue) -> None:
    """Give ``date`` to the reported events of ``event_type`` (named, or with two sides) when
    none has a date yet and they all stand in one sentence."""
    reported = [
        (i, e)
        for i, e in enumerate(doc.events)
        if e.type == event_type and e.status and (e.name or len(set(e.parties)) > 1)
    ]
    undated = [(i, e) for i, e in reported if e.date is None]
    if not undated or len(undated) < len(reported):
        return
    if len({e.evidence[0].sentence for _, e in undated}) != 1:
        return
    for i, event in undated:
        doc.events[i] = replace(event, date=date)


def _dateline(doc: Doc, sentence: Sentence) -> DateMention | None:
    """The date of a dateline, a first line that is only a full date and place names ("12 May
    2025, Oslo"): it dates the events of the sentence right after it that give no date."""
    if sentence.index != 1:
        return None
    text, first = doc.article.text, doc.article.sentences[0]
    line = [d for d in doc.dates if first.start <= d.start and d.end <= first.end]
    if (
        len(line) == 1
        and line[0].value.datatype == "date"
        and _DATELINE_FILL.fullmatch(text, first.start, line[0].start)
        and _DATELINE_FILL.fullmatch(text, line[0].end, first.end)
    ):
        return line[0]
    return None
