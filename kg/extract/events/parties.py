"""Who takes part in an event: officials and states around a trigger, without observers,
targets, places of origin and venues; speakers' "we" and "you"; compound names.
"""

from __future__ import annotations

import bisect
import re

from kg.extract.doc import Doc, Mention
from kg.extract.events.common import _states, _w
from kg.lexicon import fold
from kg.records import Event


def _contexts(doc: Doc) -> dict[str, re.Pattern[str]]:
    return _w(doc).contexts


def _not_a_party(doc: Doc, m: Mention, lo: int, after: int | None = None) -> str | None:
    """Why the state of mention ``m`` is not a party of an event around it, if it is not:
    an observer, a target or threat, or (past the trigger at ``after``) a place of origin."""
    # the answer depends only on these (memoised: a mention is tested for many triggers)
    key = (
        "_not_a_party",
        m.type == "State",
        max(lo, m.start - 60),
        m.start,
        m.end,
        after is not None and m.start >= after,
    )
    memo = doc.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    memo[key] = why = _why_not_a_party(doc, m, lo, after)
    return why


def _why_not_a_party(doc: Doc, m: Mention, lo: int, after: int | None) -> str | None:
    text = doc.article.text
    patterns = _contexts(doc)
    before = text[max(lo, m.start - 60) : m.start]
    if patterns["observers"].match(text, m.end, min(len(text), m.end + 80)):
        return "observer"
    if m.type == "State" and patterns["not_party_before"].search(before):
        return "target"
    if m.type == "State" and patterns["not_party_after"].match(text, m.end, m.end + 40):
        return "target"
    if (
        after is not None
        and m.start >= after
        and patterns["origin"].search(before[-25:])
        and not patterns["people_from"].search(before[-40:])
    ):
        return "origin"
    return None


def is_venue(doc: Doc, m: Mention, lo: int) -> bool:
    """A place, seat or state written as where something happens ("in Doha, Qatar")."""
    if m.type not in ("Place", "State"):
        return False
    key = ("is_venue", max(lo, m.start - 50), m.start)
    memo = doc.memo
    if key not in memo:
        text = doc.article.text
        memo[key] = _contexts(doc)["venue"].search(text[key[1] : m.start]) is not None
    return memo[key]  # type: ignore[no-any-return]


def _speakers(doc: Doc) -> list[tuple[int, str | None, str | None]]:
    """Where each speaker's words begin, the speaker's state (None when the label names no
    official: "JOURNALIST:", "SUBJECTS:") and the state of the official addressed at the start
    of the turn ("AUSTIN: Minister Gram, welcome ..."), in text order. A turn begins after a
    transcript label ("NAME, TITLE: ...") or a line that introduces speech ("X said:")."""
    cached = _SPEAKERS.get(id(doc))
    if cached is not None and cached[0] is doc:
        return cached[1]
    from kg.extract.people import _LABEL_LINE

    text = doc.article.text
    found: list[tuple[int, str | None, str | None]] = []
    line_start = 0
    while ":" in text and line_start < len(text):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[line_start:line_end].rstrip()
        label = _LABEL_LINE.match(text, line_start, line_end)
        if label is not None:
            at = label.end(1)
            found.append((at, _state_in(doc, line_start, at), _addressed(doc, at + 1, line_end)))
        elif line.endswith(":") and _w(doc).speech_verb_last.search(line):
            found.append((line_end, _state_in(doc, line_start, line_end), None))
        line_start = line_end + 1
    _SPEAKERS.clear()
    _SPEAKERS[id(doc)] = (doc, found)
    return found


_SPEAKERS: dict[int, tuple[Doc, list[tuple[int, str | None, str | None]]]] = {}


def _state_in(doc: Doc, lo: int, hi: int) -> str | None:
    """The state of the official (else of the title) named in [lo, hi)."""
    mentions = [m for m in doc.mentions_in(lo, hi) if m.state]
    official = [m for m in mentions if m.type == "Official"]
    titles = [m for m in mentions if m.how == "title" and m.type in ("State", "Organization")]
    chosen = (official or titles)[:1]
    return chosen[0].state if chosen else None


def _addressed(doc: Doc, lo: int, hi: int) -> str | None:
    """The state of the official a turn opens by addressing ("Minister Gram, welcome ..."):
    an official named in its first words, right before a comma."""
    text = doc.article.text
    for m in doc.mentions_in(lo, min(hi, lo + 40)):
        if m.type == "Official" and m.state and text.startswith(",", m.end):
            return m.state if len(text[lo : m.start].split()) <= 2 else None
    return None


def _speaker_states(doc: Doc, lo: int, hi: int) -> list[str]:
    """The states "we", "our" or "I" (``first-person``) and "you", "your" (``second_person``)
    in [lo, hi) stand for: the current speaker's and the addressee's, when the text gives
    them (a transcript label or "X said:" line before, an official addressed by name)."""
    first = doc.lexicon.people_words.get("first-person", frozenset())
    second = _w(doc).second_person
    if not _may_hold_word(doc, lo, hi, first, second):
        return []
    found: list[str] = []
    for word in re.finditer(r"\w+", doc.article.text[lo:hi]):
        folded = fold(word.group())
        if folded not in first and folded not in second:
            continue
        turns = [t for t in _speakers(doc) if t[0] <= lo + word.start()]
        state = (turns[-1][1] if folded in first else turns[-1][2]) if turns else None
        if state and state not in found:
            found.append(state)
    return found


def _may_hold_word(doc: Doc, lo: int, hi: int, *words: frozenset[str]) -> bool:
    """False when no ``\\w+`` word of the body's [lo, hi) folds to one of ``words``: the
    folded keys of the tokens there are tested at C level, a token cut by a bound by its part
    inside (as a search of the slice reads it). True means "search the slice"."""
    tokens, keys, starts = doc.tokens, doc.folded_keys(), doc.token_starts
    i = max(0, bisect.bisect_right(starts, lo) - 1)  # the token that may hold ``lo``
    j = bisect.bisect_left(starts, hi)
    inside = keys[i:j]
    if any(not w.isdisjoint(inside) for w in words):
        return True
    text = doc.article.text
    for k in {i, j - 1}:
        if 0 <= k < len(tokens) and (tokens[k].start < lo or tokens[k].end > hi):
            part = fold(text[max(lo, tokens[k].start) : min(hi, tokens[k].end)])
            if any(part in w for w in words):
                return True
    return False


def _participants_and_states(
    doc: Doc,
    lo: int,
    hi: int,
    after: int | None = None,
    venues: bool = False,
    origins: bool = True,
    venue_fill: bool = True,
) -> tuple[list[str], list[str]]:
    """Officials and states of the mentions in [lo, hi). Observers, targets ("deter Russian
    aggression") and places of origin ("arriving from Seoul") are not parties, nor the states
    listed with them. With ``venues`` a state given only as where the event happens ("in
    Doha, Qatar") is a party only when the text names fewer than two others."""
    text = doc.article.text
    mentions = []
    venue_states: list[str] = []
    excluded_end = -1
    for m in doc.mentions_in(lo, hi):
        gap = text[excluded_end : m.start] if excluded_end >= 0 else "x"
        if _listed(doc, gap) or _not_a_party(doc, m, lo, after if origins else None):
            excluded_end = max(excluded_end, m.end)
            continue
        if venues and is_venue(doc, m, lo):
            if m.state and m.type != "Region":
                venue_states.append(m.state)
            excluded_end = max(excluded_end, m.end)
            continue
        mentions.append(m)
    people = list(dict.fromkeys(m.key for m in mentions if m.type == "Official"))
    states = _states(mentions)
    for key in people:
        state = doc.entities[key].state
        if state and state not in states:
            states.append(state)
    if venue_fill and len(set(states)) < 2:
        states.extend(s for s in dict.fromkeys(venue_states) if s not in states)
    return people, states


_COMPOUND_JOINS = ("-", "–", "—", "/")
_NAME_WORDS = re.compile(r"(?:\s*+(?:[A-Z0-9][\w’'+-]*+|&))*+\s*+")


def _compound_states(doc: Doc, lo: int, start: int) -> list[str]:
    """States joined by hyphens or slashes in the name right before a trigger ("the
    Japan-Australia-ROK Trilateral Meeting", "Australian-Papua New Guinean Defence Ministers
    Meeting"): the event's parties, when there are two or more."""
    text = doc.article.text
    states = [m for m in doc.mentions_in(max(lo, start - 120), start) if m.type == "State"]
    chain: list[Mention] = []
    for m in reversed(states):
        if not chain:
            if not _NAME_WORDS.fullmatch(text, m.end, start):
                return []
            chain.append(m)
        elif text[m.end : chain[-1].start] in _COMPOUND_JOINS:
            chain.append(m)
        else:
            break
    found = list(dict.fromkeys(m.state for m in reversed(chain) if m.state))
    return found if len(found) >= 2 else []


def _listed(doc: Doc, gap: str) -> bool:
    """Whether ``gap`` only joins list items (", ", " and ", ", or ")."""
    if len(gap) > 12:
        return False  # longer than ", and " with some spaces
    rest = gap.strip().lstrip(",").strip()
    return rest == "" or rest.lower() in _w(doc).joiners


def _topic_start(doc: Doc, start: int, end: int) -> int:
    g = _w(doc)
    match = doc.search_words(g.topic, g.topic_words, start, end)
    return match.start() if match else end


def _latest(doc: Doc, event_type: str) -> Event | None:
    """The latest event of a type, preferring one that took place."""
    found = [e for e in doc.events if e.type == event_type and e.parties]
    found = [e for e in found if len(e.parties) >= 2] or found  # a relation has two sides
    held = [e for e in found if e.status == "held"]
    return (held or found)[-1] if found else None
