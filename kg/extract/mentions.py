"""Gazetteer stage: states, regions, organisations, places and bases in the text.

Longest match wins across gazetteers, so "Japan Maritime Self-Defense Force" is an
organisation, "Korean Peninsula" a region and "South China Sea" a sea, not states. A seat of
government after a locative preposition ("held in Tokyo") is a place; elsewhere ("Seoul and
Tokyo agreed") it stands for the state.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections.abc import Iterable
from dataclasses import dataclass

from kg.extract.doc import Doc, EntityDraft, Mention
from kg.lexicon import NamedThing, fill_label, first_character_test, fold, slugify


def _without_determiner(doc: Doc, surface: str) -> str:
    """ "the Hague" -> "Hague": a leading determiner is no part of a place's name."""
    first, _, rest = surface.partition(" ")
    return rest if rest and fold(first) in _words(doc, "determiner") else surface


def _words(doc: Doc, cls: str) -> dict[str, str]:
    return doc.lexicon.mention_words.get(cls, {})


def _alt(words: Iterable[str], spaced: bool = True) -> str:
    """A regex alternation of literal words, longest first, any run of spaces inside them."""
    forms = sorted({re.escape(w) for w in words}, key=len, reverse=True)
    if spaced:
        forms = [f.replace(r"\ ", r"\s+") for f in forms]
    return "|".join(forms) or "(?!x)x"


@dataclass(frozen=True, slots=True)
class _Patterns:
    ministry_of: re.Pattern[str]
    adjective_ministry: re.Pattern[str]
    forces: re.Pattern[str]
    base: re.Pattern[str]


def _patterns(doc: Doc) -> _Patterns:
    words = doc.lexicon.mention_words
    return _compile(
        *(
            tuple(words.get(cls, {}))
            for cls in (
                "ministry-head", "ministry-qualifier", "ministry-field", "determiner", "of-link",
                "ministry-adjective", "ministry-noun", "force", "base-noun", "base-preposition",
            )
        )
    )  # fmt: skip


@functools.lru_cache(maxsize=8)
def _compile(
    head: tuple[str, ...],
    qualifier: tuple[str, ...],
    field_words: tuple[str, ...],
    determiner: tuple[str, ...],
    of: tuple[str, ...],
    adjective: tuple[str, ...],
    noun: tuple[str, ...],
    force: tuple[str, ...],
    base: tuple[str, ...],
    preposition: tuple[str, ...],
) -> _Patterns:
    """The stage's patterns, built from ``mention_words.tsv`` (no nested quantifiers)."""
    the = _alt(determiner)
    return _Patterns(
        ministry_of=re.compile(
            rf"\b(?:(?:{the})\s+)?(?:{_alt(head)})\s+(?:(?:{_alt(qualifier)})\s+)?"
            rf"({_alt(field_words)})\b"
            rf"(?:\s*(?:\(|(?:{_alt(of)})\s+(?:(?:{the})\s+)?)(?P<tail>[A-Z][^,;.()“”\"]{{1,60}}))?"
        ),
        adjective_ministry=re.compile(
            rf"\b{first_character_test(adjective)}({_alt(adjective)})\s+({_alt(noun)})\b",
            re.IGNORECASE,
        ),
        forces=re.compile(
            rf"\b{first_character_test(force)}({_alt(force, spaced=False)})\b", re.IGNORECASE
        ),
        base=re.compile(rf"\s+({_alt(base, spaced=False)})\s+(?:{_alt(preposition)})\s+"),
    )


def state_draft(doc: Doc, iso3: str) -> EntityDraft:
    info = doc.lexicon.states[iso3]
    return doc.add_entity(
        EntityDraft(
            key=f"state:{iso3}",
            type="State",
            name=info.name,
            iso3=iso3,
            state=iso3,
            wikidata=info.wikidata,
            cow=info.cow,
        )
    )


def named_draft(doc: Doc, thing: NamedThing) -> EntityDraft:
    prefix = {"Region": "region", "Organization": "org", "Place": "place"}[thing.category]
    entity_type = "Place" if thing.category == "Region" else thing.category
    located = f"place:{slugify(thing.located_in)}" if thing.located_in else None
    if located is None and thing.state and thing.category != "Organization":
        located = f"state:{thing.state}"
    return doc.add_entity(
        EntityDraft(
            key=f"{prefix}:{slugify(thing.name)}",
            type=entity_type,
            name=thing.name,
            kind="region" if thing.category == "Region" else thing.kind,
            state=thing.state,
            wikidata=thing.wikidata,
            located_in=located,
        )
    )


def find_gazetteer_mentions(doc: Doc) -> Doc:
    """Stage 1: states, regions, named organisations and places, and cities.

    Reads ``article.text`` and the lexicon's gazetteers; writes ``doc.mentions`` (State,
    Region, Organization, Place) and their drafts in ``doc.entities``.
    """
    lex = doc.lexicon
    tokens = doc.tokens
    state_keys = doc.keys(lex.state_names)
    named_keys = doc.keys(lex.named)
    text = doc.article.text
    name_nouns = _words(doc, "name-noun")
    locative = _words(doc, "locative")
    # only positions where some entry can begin
    starts = sorted({*doc.openers(lex.state_names), *doc.openers(lex.named)})
    position = 0
    i = 0
    while position < len(starts):
        i = max(i, starts[position])
        position += 1
        if i != starts[position - 1]:
            continue  # inside the previous match
        state_match = lex.state_names.match_at(tokens, i, state_keys)
        named_match = lex.named.match_at(tokens, i, named_keys)
        if named_match and (state_match is None or named_match.last >= state_match.last):
            thing = named_match.value
            draft = named_draft(doc, thing)
            draft.aliases.add(text[named_match.start : named_match.end])
            if thing.state:
                state_draft(doc, thing.state)
            doc.mentions.append(
                Mention(
                    named_match.start,
                    named_match.end,
                    text[named_match.start : named_match.end],
                    draft.key,
                    draft.type if thing.category != "Region" else "Region",
                    "name",
                    thing.state,
                )
            )
            if thing.category == "Organization" and thing.state:
                # "U.S. Air Force" also mentions the United States
                inner = lex.state_names.match_at(tokens, i, state_keys)
                if (
                    inner is not None
                    and inner.value[0] == thing.state
                    and inner.last < named_match.last
                ):
                    doc.mentions.append(
                        Mention(inner.start, inner.end, text[inner.start : inner.end],
                                f"state:{thing.state}", "State", inner.value[1], thing.state)
                    )  # fmt: skip
            i = named_match.last
            continue
        if state_match:
            iso3, how = state_match.value
            surface = text[state_match.start : state_match.end]
            follower = tokens[state_match.last].text if state_match.last < len(tokens) else ""
            if how == "seat" and follower in name_nouns:
                i = state_match.last  # "Lima Company", "the Vilnius Summit": part of a name
                continue
            prev = tokens[i - 1].text.lower() if i > 0 else ""
            if how == "seat" and prev in locative and surface in lex.cities:
                city_name = _without_determiner(doc, surface)
                city = doc.add_entity(
                    EntityDraft(
                        key=f"place:{slugify(city_name)}",
                        type="Place",
                        name=city_name,
                        kind="city",
                        state=iso3,
                        located_in=f"state:{iso3}",
                    )
                )
                state_draft(doc, iso3)
                doc.mentions.append(
                    Mention(
                        state_match.start, state_match.end, surface, city.key, "Place", "name", iso3
                    )
                )
            else:
                draft = state_draft(doc, iso3)
                if how == "name":
                    draft.aliases.add(surface)
                nxt = text[state_match.end : state_match.end + 2]
                if how == "name" and nxt in ("’s", "'s"):
                    how = "possessive"
                doc.mentions.append(
                    Mention(
                        state_match.start, state_match.end, surface, draft.key, "State", how, iso3
                    )
                )
            i = state_match.last
            continue
        i += 1
    _find_cities(doc)
    _find_organisation_patterns(doc)
    _find_bases(doc)
    doc.mentions.sort(key=lambda m: (m.start, -m.end))
    return doc


_TEXT = operator.itemgetter(0)  # a token's text


def _find_cities(doc: Doc) -> None:
    """Cities from the GeoNames gazetteer, only where the context says "place"."""
    tokens = doc.tokens
    text = doc.article.text
    cities = doc.lexicon.cities
    starts = doc.lexicon.city_starts
    # only the tokens a city name begins with (picked out at C level)
    for i in itertools.compress(itertools.count(), map(starts.__contains__, map(_TEXT, tokens))):
        token = tokens[i]
        if doc.occupied(token.start, token.end):
            continue
        for length in (3, 2, 1):
            j = i + length
            if j > len(tokens):
                continue
            surface = text[token.start : tokens[j - 1].end]
            found = cities.get(surface)
            if not found:
                continue
            prev = tokens[i - 1].text.lower() if i > 0 else ""
            after = text[tokens[j - 1].end : tokens[j - 1].end + 40]
            followed_by_state = bool(re.match(r",\s+[A-Z]", after)) and any(
                m.start > tokens[j - 1].end
                and m.start - tokens[j - 1].end <= 3
                and m.type == "State"
                for m in doc.mentions
            )
            if prev not in _words(doc, "locative") and not followed_by_state:
                continue
            name, iso3 = found
            draft = doc.add_entity(
                EntityDraft(
                    key=f"place:{slugify(name)}",
                    type="Place",
                    name=name,
                    kind="city",
                    state=iso3,
                    located_in=f"state:{iso3}",
                )
            )
            state_draft(doc, iso3)
            doc.mentions.append(
                Mention(token.start, tokens[j - 1].end, surface, draft.key, "Place", "name", iso3)
            )
            break


_POSSESSIVE_S = re.compile(r"^(?:’s|'s)")
_GAP_BREAK = re.compile(r"[,.;:“”\"]")


def _state_before(
    doc: Doc,
    pos: int,
    window: int = 3,
    states: list[Mention] | None = None,
    ends: list[int] | None = None,
) -> Mention | None:
    """The state mention (adjective, name or possessive) ending right before ``pos``.

    Only the nearest state mention ending at or before ``pos`` can qualify: the gap of any
    earlier one holds that gap and more. ``states`` (state mentions sorted by end) and
    ``ends`` (their ends) save the scan when the caller asks many times."""
    if states is None:
        states = sorted((m for m in doc.mentions if m.type == "State"), key=lambda m: m.end)
    if ends is None:
        ends = [m.end for m in states]
    k = bisect.bisect_right(ends, pos) - 1 if states else -1
    if k < 0:
        return None
    while k > 0 and states[k - 1].end == states[k].end:
        k -= 1  # the first of several mentions ending there, as a scan would find it
    best = states[k]
    gap = doc.article.text[best.end : pos]
    possessive = _POSSESSIVE_S.match(gap)
    if possessive is not None:
        gap = gap[possessive.end() :]
    # at most ``window - 1`` words: splitting stops at the window-th (the gap can be long)
    if len(gap.split(maxsplit=window - 1)) <= window - 1 and not _GAP_BREAK.search(gap):
        return best
    return None


def org_draft(
    doc: Doc, iso3: str, org_kind: str, surface: str, label: str | None = None, alias: bool = True
) -> EntityDraft:
    state_name = doc.lexicon.states[iso3].name
    kind_label = _words(doc, "org-label").get(org_kind) or org_kind.title()
    name = label or fill_label(doc.lexicon, "organization", kind=kind_label, state=state_name)
    draft = doc.add_entity(
        EntityDraft(
            key=f"org:{iso3.lower()}-{org_kind}",
            type="Organization",
            name=name,
            kind=org_kind,
            state=iso3,
        )
    )
    if alias:
        draft.aliases.add(surface)
    state_draft(doc, iso3)
    return draft


def _find_organisation_patterns(doc: Doc) -> None:
    """Ministries and armed forces named by pattern ("the South Korean Defense Ministry")."""
    text = doc.article.text
    states = sorted((m for m in doc.mentions if m.type == "State"), key=lambda m: m.end)
    ends = [m.end for m in states]
    patterns = _patterns(doc)
    fields = _words(doc, "ministry-field")
    field_kinds = {" ".join(k.split()): v for k, v in fields.items()}
    openers = frozenset([*_words(doc, "determiner"), *_words(doc, "ministry-head")])
    for match in doc.finditer_words(patterns.ministry_of, openers, 0, len(text)):
        if doc.occupied(match.start(), match.start(1)):
            continue
        kind = field_kinds[" ".join(match.group(1).split())]
        iso3 = None
        end = match.end(1)
        tail = match.group("tail")
        if tail:
            for mention in doc.mentions_in(match.start("tail"), match.end("tail")):
                if mention.type == "State" and mention.start == match.start("tail"):
                    iso3, end = mention.state, mention.end
                    break
        if iso3 is None:
            state = _state_before(doc, match.start(), states=states, ends=ends)
            if state:
                iso3 = state.state
        if iso3 is None:
            continue
        determiners = _alt(_words(doc, "determiner"))
        lead = re.match(rf"(?:{determiners})\s+", text[match.start() : end])
        start = match.start() + (lead.end() if lead else 0)
        surface = text[start:end]
        draft = org_draft(doc, iso3, kind, surface)
        doc.mentions.append(
            Mention(start, end, surface, draft.key, "Organization", "pattern", iso3)
        )
    adjectives = {fold(k): v for k, v in _words(doc, "ministry-adjective").items()}
    nouns = {fold(k): v for k, v in _words(doc, "ministry-noun").items()}
    adjective_words = frozenset(_words(doc, "ministry-adjective"))
    for match in doc.finditer_words(patterns.adjective_ministry, adjective_words, 0, len(text)):
        if doc.occupied(match.start(), match.end()):
            continue
        kind = adjectives[fold(match.group(1))]
        state = _state_before(doc, match.start(), states=states, ends=ends)
        if state is not None:
            surface = text[state.start : match.end()]
            draft = org_draft(doc, state.state or "", kind, surface)
            doc.mentions.append(
                Mention(
                    state.start,
                    match.end(),
                    surface,
                    draft.key,
                    "Organization",
                    "pattern",
                    state.state,
                )
            )
            continue
        if nouns.get(fold(match.group(2))) == "plural":
            # "their defense ministries": one ministry per state of the clause's subject
            sentence = doc.article.sentence_at(match.start())
            subject_states = [
                m.state
                for m in doc.mentions_in(sentence.start, match.start())
                if m.type == "State" and m.state
            ]
            for iso3 in dict.fromkeys(subject_states):
                surface = text[match.start() : match.end()]
                span_start = match.start()
                owners = _alt(_words(doc, "plural-possessive"))
                owner = re.search(
                    rf"\b(?:{owners})\s+$",
                    text[max(0, match.start() - 12) : match.start()],
                )
                if owner:
                    span_start -= len(owner.group())
                draft = org_draft(doc, iso3, kind, text[span_start : match.end()])
                doc.mentions.append(
                    Mention(
                        span_start,
                        match.end(),
                        text[span_start : match.end()],
                        draft.key,
                        "Organization",
                        "pattern",
                        iso3,
                    )
                )
    force_labels = {fold(k): v for k, v in _words(doc, "force").items()}
    force_words = frozenset(_words(doc, "force"))
    for match in doc.finditer_words(patterns.forces, force_words, 0, len(text)):
        if doc.occupied(match.start(), match.end()):
            continue
        state = _state_before(doc, match.start(), window=1, states=states, ends=ends)
        if state is None or state.how not in ("adjective", "possessive", "name"):
            continue
        word = fold(match.group(1))
        label_kind = force_labels[word]
        kind = slugify(label_kind)
        surface = text[state.start : match.end()]
        state_name = doc.lexicon.states[state.state or ""].name
        name = fill_label(doc.lexicon, "organization", kind=label_kind, state=state_name)
        draft = org_draft(doc, state.state or "", kind, surface, label=name)
        doc.mentions.append(
            Mention(
                state.start, match.end(), surface, draft.key, "Organization", "pattern", state.state
            )
        )


def _find_bases(doc: Doc) -> None:
    """ "the <organisation> base in <place>" -> a base, operated by it, located in the place."""
    text = doc.article.text
    base = _patterns(doc).base
    for org in [m for m in doc.mentions if m.type == "Organization"]:
        after = text[org.end : org.end + 60]
        match = base.match(after)
        if not match:
            continue
        place_start = org.end + match.end()
        place = next(
            (m for m in doc.mentions if m.start == place_start and m.type in ("Place", "State")),
            None,
        )
        if place is None:
            continue
        surface = text[org.start : place.end]
        org_draft_ = doc.entities[org.key]
        draft = doc.add_entity(
            EntityDraft(
                key=f"place:{slugify(surface)}",
                type="Place",
                name=surface,
                kind="base",
                state=place.state or org.state,
                located_in=place.key,
                operated_by=org_draft_.key,
            )
        )
        draft.aliases.add(surface)
        doc.mentions.append(
            Mention(org.start, place.end, surface, draft.key, "Place", "pattern", draft.state)
        )
