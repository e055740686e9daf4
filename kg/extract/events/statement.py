"""Statements: a quotation with its speaker."""

from __future__ import annotations

import re

from kg.article import Sentence
from kg.extract.doc import Doc, Mention
from kg.extract.events.common import QUOTE_MIN, _entity_name, _event_key, _quotations, _w
from kg.extract.grammar import register
from kg.lexicon import fill_label
from kg.records import Event

EVENT_TYPE = register("Statement", __name__)
"""The type this module extracts (a class of ``kg/data/event_types.tsv``)."""


def _statements(doc: Doc, sentence: Sentence) -> None:
    """A quotation with a speaker: "<speaker> stated: “...”" or "“...,” <speaker> said"."""
    text = doc.article.text
    if (
        text.find("“", sentence.start, sentence.end) < 0
        and text.find('"', sentence.start, sentence.end) < 0
    ):
        return  # no quotation mark, no quotation
    for q_start, q_end in _quotations(text, sentence.start, sentence.end):
        if q_end - q_start < QUOTE_MIN:
            continue
        before = text[sentence.start : q_start - 1]
        after = text[q_end + 1 : sentence.end]
        speaker: Mention | None = None
        verb_before = _w(doc).speech_verb_last.search(before)
        if verb_before:
            cands = [
                m
                for m in doc.mentions_in(sentence.start, sentence.start + verb_before.start())
                if m.type in ("Official", "Organization", "State")
            ]
            speaker = max(cands, key=lambda m: (m.end, -m.start)) if cands else None
        if speaker is None and re.match(r"\W*,?\W*", after):
            cands = [
                m
                for m in doc.mentions_in(q_end + 1, sentence.end)
                if m.type in ("Official", "Organization", "State")
            ]
            if cands and _w(doc).speech_verb.search(text, q_end + 1, sentence.end):
                speaker = cands[0]
        if speaker is None:
            continue
        lowered = before.lower()
        nouns = _w(doc).statement_nouns
        noun = next((n for n in nouns if n in lowered), "Statement")
        speaker_name = _entity_name(doc, speaker.key)
        quote = doc.span(q_start, q_end)
        state = speaker.state
        doc.events.append(
            Event(
                key=_event_key("Statement", q_start),
                type="Statement",
                label=fill_label(
                    doc.lexicon, "statement", noun=noun[0].upper() + noun[1:], speaker=speaker_name
                ),
                evidence=(doc.sentence_span(sentence),),
                status="held",
                parties=(state,) if state else (),
                participants=(speaker.key,) if speaker.type == "Official" else (),
                speaker=speaker.key,
                quote=quote,
            )
        )
