"""Shared machinery of the event stage: its word patterns (``_Words``, ``_Cues``), clauses,
quotations, status words, state lists, labels and in-place updates of ``doc.events``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.article import Sentence
from kg.extract.doc import Doc, GuardedSearch, Mention, replace
from kg.extract.grammar import alt, alternation, cased, check_extractors, validate
from kg.extract.grammar import words as cue_words
from kg.lexicon import Concept, Gazetteer, Lexicon, cue_regex, fold, tokenize
from kg.records import Event

QUOTE_MIN = 12  # characters a quotation holds at least
SCARE_QUOTE_MAX = 40  # a closed quotation this short inside a clause quotes a phrase, no speech
_TOKEN_START = r"(?<![\w’'-])"
_EXERCISE_NAME_TOKEN = r"[A-Z][\w’'-]*(?:/[A-Z][\w’'-]*+)*+"  # "East/Cooperation-2026"
_EXERCISE_NUMBER = r"(?:(?:\s+|\s*[-–]\s*)(?:19|20)?\d\d(?:-\d+)?(?![\w-]))?"
_NAME_RUN = rf"{_EXERCISE_NAME_TOKEN}(?:\s+{_EXERCISE_NAME_TOKEN}){{0,3}}"
# ``_TOKEN_START`` then ``_NAME_RUN``, with the test of what stands before moved behind the
# first capital: the pattern then opens with a character class, which the engine scans for
_NAME_RUN_AT_TOKEN = (
    rf"[A-Z](?<![\w’'-].)[\w’'-]*(?:/[A-Z][\w’'-]*+)*+(?:\s+{_EXERCISE_NAME_TOKEN}){{0,3}}"
)


class _Words:
    """The stage's word-bearing patterns and word sets, built from cue classes (``cues.tsv``).

    Every pattern is linear by construction: each repetition is bounded or possessive, and
    each item of a repeated group starts with a character the previous item cannot end with.
    """

    def __init__(self, lex: Lexicon) -> None:
        validate(lex)
        check_extractors()  # every type of event_types.tsv has its module, and no other

        def a(name: str) -> str:
            return alt(lex, name)

        def w(name: str) -> frozenset[str]:
            return cue_words(lex, name)

        det, join = a("determiner"), a("list_joiner")
        self.speech_verb = re.compile(rf"(?<![\w’'])(?:{a('speech_verb')})(?![\w])")
        self.speech_verb_last = re.compile(rf"(?<![\w’'])(?:{a('speech_verb')})\W*+$")
        self.statement_nouns = tuple(sorted(w("statement_noun"), key=lambda x: (-len(x), x)))
        self.topic_words = w("topic_cue")
        self.topic = re.compile(rf"(?<![\w’'])(?:{a('topic_cue')})(?![\w])", re.IGNORECASE)
        self.generic = re.compile(
            # lower case only: "regular meetings" is a kind, "Ministerial Talks" a name
            rf"(?<![\w’'])(?:{a('generic_modifier')})\s++(?:\w++\s++){{0,2}}$"
        )
        self.np_stop, self.np_keep_ed = w("np_stop"), w("np_keep_ed")
        self.participle = tuple(w("participle_suffix"))
        self.joiners = w("list_joiner")
        self.clause_breaks = tuple(f" {b} " for b in sorted(w("clause_break")))
        nouns = cased(lex, "agreement_noun")
        conn = a("name_connector")
        self.named_agreement = re.compile(
            rf"(?<![\w’'.-])(?P<name>(?:[A-Z][\w’'.-]*+\s++|(?:{conn})\s++|-\s*+){{0,10}}?"
            rf"(?:{alternation(nouns)})\b"
            rf"(?:\s++(?:{a('name_tail_intro')})\s++(?:(?:{det})\s++)?"
            rf"(?!(?:{alternation(cased(lex, 'date_word'))})\b)[A-Z][\w’'.-]*+"
            rf"(?:\s++(?:[A-Z][\w’'.-]*+|(?:{conn})(?!\w))){{0,12}})?)"
        )
        self.agreement_noun = re.compile(rf"\b(?:{alternation(nouns)})\b")
        self.agreement_noun_any = re.compile("|".join(map(re.escape, sorted(nouns))))
        self.agreement_nouns = tuple(sorted(nouns))  # the same, for str.find
        ex_noun = a("exercise_noun")
        # a cheap pre-check on lower-cased sentences
        self.exercise_keys = re.compile("|".join(map(re.escape, sorted(w("exercise_noun")))))
        self.exercise_key_words = tuple(sorted(w("exercise_noun")))  # the same, for str.find
        self.exercise_word_whole = re.compile(rf"\b(?:{ex_noun})\b", re.IGNORECASE)
        self.named_exercise = (
            re.compile(
                rf"\b(?i:{a('exercise_keyword')})\s+(?P<name>{_NAME_RUN}{_EXERCISE_NUMBER})"
            ),
            re.compile(
                rf"(?P<name>{_NAME_RUN_AT_TOKEN}{_EXERCISE_NUMBER})"
                rf"\s+(?:[a-z][\w-]*\s+){{0,3}}(?:{ex_noun})\b"
            ),
            re.compile(
                rf"(?P<name>{_NAME_RUN_AT_TOKEN}\s+(?:19|20)?\d\d)"
                rf",\s+(?:{det})\s+[^.,]{{0,40}}?\b(?:{ex_noun})\b"
            ),
            re.compile(  # "the largest exercise, Coral Lantern, began"
                rf"\b(?:{ex_noun}),\s++(?P<name>{_NAME_RUN}{_EXERCISE_NUMBER}),"
            ),
            re.compile(
                rf"\b(?:{a('exercise_verb')})\s+(?:(?:{det})\s+)?"
                rf"(?P<name>{_NAME_RUN}\s+(?:19|20)?\d\d)\b"
            ),
        )
        # "exercise Cooperation Afloat Readiness and Training (CARAT) Bangladesh": a long name
        # with its acronym; the acronym and what follows it are its short form
        self.acronym_exercise = re.compile(
            rf"\b(?i:{a('exercise_keyword')})\s+(?P<name>(?P<long>{_NAME_RUN}"
            rf"(?:\s++(?:{conn})\s++{_NAME_RUN})?)\s++\((?P<acr>[A-Z]{{2,}}+)\)"
            rf"(?P<tail>(?:\s++{_EXERCISE_NAME_TOKEN}){{0,2}}){_EXERCISE_NUMBER})"
        )
        # "kicked off Coral Tide IV (4), the annual multinational exercise": a name set off
        # by the exercise it is
        self.apposed_exercise = re.compile(
            rf"\b(?:{a('exercise_verb')})\s++(?:(?:{det})\s++)?(?P<name>{_NAME_RUN})"
            rf"(?:\s*+\([^()]{{1,12}}+\))?,\s++(?:{det})\s++[^.,]{{0,60}}?\b(?:{ex_noun})\b"
        )
        self.name_part = re.compile(rf"{_TOKEN_START}{_NAME_RUN}{_EXERCISE_NUMBER}")
        self.listed_names = re.compile(
            rf"\b(?:{a('name_intro')})\s+(?:(?:{det})\s+)?"
            rf"(?P<names>{_NAME_RUN}{_EXERCISE_NUMBER}"
            rf"(?:(?:,\s*+(?:(?:{join})\s++)?|\s++(?:{join})\s++)(?:(?:{det})\s+)?"
            rf"{_NAME_RUN}{_EXERCISE_NUMBER})*)"
        )
        self.not_name = cased(lex, "not_name_word")
        self.not_name_lower = frozenset(x.lower() for x in self.not_name)
        self.date_words = cased(lex, "date_word")
        self.name_skip_first = cased(lex, "name_skip_first")
        self.took_place = GuardedSearch(
            re.compile(rf"(?<![\w’'])(?:{a('took_place')})\s++(?:(?:{det})\s++)?(?:\w++\s++)?$"),
            w("took_place"),
        )
        self.determiner_next = re.compile(rf"\s*+(?:{det})\b")
        self.audience_next = re.compile(rf"\s*+(?:{a('audience')})\b", re.IGNORECASE)
        self.joined_before = re.compile(rf"(?<![\w’'])(?:{join})\s++(?:\w++\s++)?$")
        self.subordinate = re.compile(
            rf"(?<![\w’'])(?:{a('subordinator')})\s++(?:\w++\s++){{0,3}}$"
        )
        self.relative_adverb = re.compile(rf"\b(?:{a('relative_adverb')})\b")
        self.definite = re.compile(
            rf"(?:(?<![\w’'])(?:{a('definite')})\s++(?:\w++\s++){{0,3}}"
            rf"|\w(?:{a('time_unit')})[’']s\s++)$",
            re.IGNORECASE,
        )
        also = a("filler_adverb")
        self.next_agreement_verb = re.compile(
            rf"(?:,|(?<![\s,]))\s++(?:{join})\s++(?:(?:{also})\s++)?"
            rf"(?:{a('next_agreement_verb')})\b"
        )
        self.anaphor = re.compile(rf"\b(?:{a('anaphor')})\b", re.IGNORECASE)
        self.anaphor_words = w("anaphor")
        self.participation = re.compile(rf"\b(?:{a('participation')})\b", re.IGNORECASE)
        self.location = re.compile(rf"\b(?:{a('location_prep')})\s++(?:(?:{det})\s++)?$")
        self.accompanied = re.compile(rf"\b(?:{a('accompaniment')})\s++$")
        self.accompaniment_next = re.compile(rf"\s++(?:{a('accompaniment')})\s++")
        host = a("host_prep")
        self.host = re.compile(rf"\b(?:{host})\s++(?:(?:{det})\s++)?$")
        self.host_city = re.compile(rf"\b(?:{host})\s++[A-Z][\w’'-]*+,\s*+$")
        self.agreement_verb = re.compile(rf"\b(?:{a('agreement_verb')})\b")
        self.signing_verb = re.compile(rf"\b({a('signing_verb')})\b")
        self.signed_before = re.compile(rf"\b(?:{a('signing_verb')})\s++(?:(?:{det})\s++)?“$")
        self.signing_phrase = re.compile(rf"\b(?:{a('signing_phrase')})\b")
        meeting = a("meeting_noun")
        self.object_lead = re.compile(
            rf"^(?:(?:{a('meeting_context')})\s++(?:{det})\s++(?:{meeting})\s++)?"
            rf"(?:(?:{a('object_lead')})(?![\w])|,)?\s*+"
        )
        self.adverbial_lead = re.compile(rf"^(?:{a('adverbial_lead')})\s[^,]{{3,80}},\s++")
        self.area_intro = re.compile(rf"\b(?:{a('area_intro')})\b")
        self.halt = re.compile(rf"\b({a('halt_noun')})\b")
        self.example_intros = tuple(f"{x} " for x in sorted(w("example_intro")))
        self.shared_prefixes = tuple(sorted(w("shared_prefix")))
        self.preposition_end = tuple(f" {x}" for x in sorted(w("preposition_end")))
        self.contexts = {
            # "amid growing [Russian] activity", "in the face of continued [Russian] aggression"
            "not_party_before": re.compile(
                rf"(?<![\w’'])(?i:{a('not_party_before')})\s++"
                rf"(?:(?:{det})\s++)?(?:[a-z][\w-]*+\s++){{0,2}}$"
            ),
            # "[Russia]'s war of aggression", "[Chinese] naval activity"
            "not_party_after": re.compile(
                rf"(?:’s|'s)?\s++(?:[a-z][\w-]*+\s++){{0,2}}?(?:{a('not_party_after')})(?![\w])"
            ),
            # "arriving from [Seoul]", "the border with [Russia]"
            "origin": re.compile(rf"(?<![\w’'])(?i:{a('origin')})\s++(?:(?:{det})\s++)?$"),
            # "counterparts from [Chile]": people from a state are its representatives
            "people_from": re.compile(
                rf"(?<![\w’'])(?i:{a('person_noun')})\s++(?i:{a('origin')})\s++(?:(?:{det})\s++)?$"
            ),
            # "in [Doha]", "at the [Pentagon]", "in Doha, [Qatar]"
            "venue": re.compile(
                rf"(?<![\w’'])(?:{a('venue')})\s++(?:(?:{det})\s++)?"
                r"(?:[A-Z][\w’'.-]*+(?:\s++[A-Z][\w’'.-]*+){0,3},\s*+)?$"
            ),
            # "[Japan], Australia and other nations observing", "[Chile] attending as an observer"
            "observers": re.compile(
                rf"(?:,?\s*+(?:(?:{join})\s++)?(?:(?:{det})\s++)?[A-Z][\w.’'-]*+)*+,?\s*+"
                rf"(?:(?:{join})\s++)?(?:(?:{a('observer_link')})\s++){{0,5}}"
                rf"(?:{a('observer')})(?![\w])"
            ),
        }
        self.cues = _Cues(lex)
        self.plural_meetings = w("plural_meeting")
        self.transitive = w("transitive_trigger")
        self.host_verbs = w("host_verb")
        self.second_person = w("second_person")
        self.pair_intro = re.compile(rf"\b(?:{a('pair_intro')})\b", re.IGNORECASE)
        self.passive_by = re.compile(rf"\s++(?:{a('participle_prep')})\s", re.IGNORECASE)
        self.finite_clause = re.compile(rf"\s++(?:{a('finite_clause')})\b", re.IGNORECASE)
        self.planning = re.compile(rf"\b(?:{a('planning_noun')})\b", re.IGNORECASE)
        self.at_the_meeting = re.compile(
            rf"\b(?:{a('meeting_context')})\s++(?:{a('definite')}|{det})\s++(?:\w++\s++){{0,2}}"
            rf"(?:{meeting})\b",
            re.IGNORECASE,
        )
        # "arrived in Riga on ", "entered Latvian airspace on ": right before a date
        self.arrival = re.compile(
            rf"(?<![\w’'])(?:{a('arrival')})\s++(?:[\w’'.,-]++\s++){{0,4}}$", re.IGNORECASE
        )
        self.arrival_veto = re.compile(rf"\b(?:{a('arrival_veto')})\b", re.IGNORECASE)
        # "our engagement ", "the talks ": right before a relative day
        self.owned_noun = re.compile(
            rf"(?<![\w’'])(?:{a('owned_noun_lead')})\s++(?:[\w-]++\s++)?(?:{a('owned_noun')})\s++$",
            re.IGNORECASE,
        )


def _w(doc: Doc) -> _Words:
    grammar = doc.grammar
    if grammar is None:
        grammar = doc.grammar = _words_of(doc.lexicon)
    return grammar  # type: ignore[no-any-return]


def _words_of(lexicon: Lexicon) -> _Words:
    cached = _WORDS.get(id(lexicon))
    if cached is None or cached[0] is not lexicon:
        cached = (lexicon, _Words(lexicon))
        _WORDS[id(lexicon)] = cached
    return cached[1]


_WORDS: dict[int, tuple[Lexicon, _Words]] = {}


class _Cues:
    def __init__(self, lex: Lexicon) -> None:
        self.negation = cue_regex(cue_words(lex, "negation"))
        self.hypothetical = cue_regex(cue_words(lex, "hypothetical"))
        # the searches of the short strings before a trigger, skipped when no cue can be there
        self.negation_in = GuardedSearch(self.negation, cue_words(lex, "negation"))
        self.hypothetical_in = GuardedSearch(self.hypothetical, cue_words(lex, "hypothetical"))
        self.status_words = frozenset(lex.status_words)
        self.status = cue_regex(self.status_words)
        self.cause_words = cue_words(lex, "cause")
        self.cause = cue_regex(self.cause_words)
        self.last_held_words = cue_words(lex, "last_held")
        self.last_held = cue_regex(self.last_held_words)
        self.planned = cue_regex(cue_words(lex, "planned_modal"))
        self.planned_in = GuardedSearch(self.planned, cue_words(lex, "planned_modal"))
        aux = alt(lex, "passive_aux")
        self.passive_words = cue_words(lex, "passive_aux")
        self.passive = re.compile(rf"(?<![\w’'])(?:{aux})\s++(?:[a-z]++\s++)?", re.IGNORECASE)


_CLOSING = {"“": "”", '"': '"'}


def _quotations(
    text: str, lo: int, hi: int, min_len: int = QUOTE_MIN, curly_only: bool = False
) -> Iterator[tuple[int, int]]:
    """Offsets of the inside of each quotation (“...” or "...") of at least ``min_len``
    characters in [lo, hi), left to right, without overlap. Each opening mark looks for the
    first closing mark after it, and a mark with no closing one ends the search for its kind,
    so the scan is linear however many unbalanced marks the text holds."""
    openers = ("“",) if curly_only else ("“", '"')
    exhausted: set[str] = set()
    pos = lo
    while pos < hi:
        found = [(text.find(o, pos, hi), o) for o in openers if o not in exhausted]
        found = [(i, o) for i, o in found if i >= 0]
        if not found:
            return
        start, mark = min(found)
        close = text.find(_CLOSING[mark], start + 1, hi)
        if close < 0:
            exhausted.add(mark)
            pos = start + 1
            continue
        if close - start - 1 >= min_len:
            yield start + 1, close
            pos = close + 1
        else:
            pos = start + 1


def _clause_start(doc: Doc, sentence: Sentence, pos: int) -> int:
    """Start of the clause holding ``pos``: after the last opening quote mark, ';', ':' or
    clause break ("but") before it; a short quotation closed before ``pos`` ("elevated to “a
    new level” by ...") quotes a phrase of the clause and starts none."""
    segment = doc.article.text[sentence.start : pos]
    marks = (";", ":", *_w(doc).clause_breaks)
    cut = max(segment.rfind(mark) for mark in marks)
    opening = segment.rfind("“")
    closing = segment.find("”", opening + 1) if opening >= 0 else -1
    if opening >= 0 and not 0 < closing - opening <= SCARE_QUOTE_MAX:
        cut = max(cut, opening)  # a short quotation closed before ``pos`` is a phrase of it
    return sentence.start + cut + 1 if cut >= 0 else sentence.start


def _near_prefix(text: str, start: int, pos: int, words: int = 6) -> str:
    segment = text[start:pos]
    last_comma = segment.rfind(",")
    if last_comma >= 0 and pos - (start + last_comma) > 3:
        segment = segment[last_comma + 1 :]
    return " ".join(segment.split()[-words:])


def _status_near(doc: Doc, cues: _Cues, start: int, end: int) -> str | None:
    found = [
        (m.start(), m.group())
        for m in doc.finditer_words(cues.status, cues.status_words, start, end)
    ]
    if not found:
        return None
    return doc.lexicon.status_words.get(fold(" ".join(found[-1][1].split())))


def _planned(doc: Doc, cues: _Cues, prefix: str) -> bool:
    """Whether the words before a trigger are a plan ("would sign", "plan to also hold",
    ``planned_modal`` cues) and nothing else in them makes it a mere possibility."""
    found = cues.planned_in.search(prefix)
    if found is None or len(prefix[found.end() :].split()) > 1:
        return False
    rest = prefix[: found.start()] + prefix[found.end() :]
    return cues.hypothetical_in.search(rest) is None


def _passive_status(doc: Doc, cues: _Cues, start: int, end: int) -> str | None:
    """The status a passive verb gives the trigger noun before it ("were postponed")."""
    found = doc.search_words(cues.passive, cues.passive_words, start, end)
    if found is None:
        return None
    status = cues.status.match(doc.article.text, found.end(), end)
    if status is None:
        return None
    return doc.lexicon.status_words.get(fold(" ".join(status.group().split())))


def _states(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.state for m in mentions if m.state and m.type != "Region"))


def _sorted_states(states: list[str] | set[str]) -> tuple[str, ...]:
    return tuple(sorted(set(s for s in states if s)))


def _inside_entity(doc: Doc, start: int, end: int) -> bool:
    for m in doc.mentions:
        if m.start <= start and end <= m.end and m.type in ("Organization", "Place", "Region"):
            return True
    return False


def _is_definite(doc: Doc, start: int) -> bool:
    """ "the exercise", "Monday's talks": the event noun at ``start`` points back."""
    return bool(_w(doc).definite.search(doc.article.text[max(0, start - 40) : start]))


def _event_key(event_type: str, start: int) -> str:
    return f"{event_type.lower()}-{start}"


def _entity_name(doc: Doc, key: str) -> str:
    if key.startswith("state:"):
        return doc.lexicon.states[key[6:]].name
    draft = doc.entities.get(key)
    return draft.name if draft else key


def _noun_phrase(doc: Doc, start: int, end: int, floor: int) -> str:
    """The trigger noun with the modifiers before it: "joint maritime search and rescue
    exercises" (``np_stop`` words end it, list joiners only inside it)."""
    text, g = doc.article.text, _w(doc)
    tokens = list(re.finditer(r"[\w’'+-]+", text[floor:start]))
    first = start
    for token in reversed(tokens):
        lower = token.group().lower()
        joiner = lower in g.joiners
        if lower in g.np_stop and not joiner:
            break
        if lower.endswith(g.participle) and lower not in g.np_keep_ed:
            break
        if joiner and first == start:
            break
        first = floor + token.start()
    while True:  # no phrase opens with a joiner
        lead = re.match(r"([\w’']+)\s+", text[first:end])
        if not (lead and lead.group(1).lower() in g.joiners):
            break
        first += lead.end()
    return text[first:end]


def _concepts_in(doc: Doc, text: str, start: int, end: int) -> list[Concept]:
    gazetteer: Gazetteer[Concept] = doc.lexicon.concepts
    if text is doc.article.text:
        return [m.value for m in doc.find(gazetteer, start, end)]
    return [m.value for m in gazetteer.find_all(tokenize(text[start:end]))]


def _in_sentences(
    pattern: re.Pattern[str], text: str, sentences: list[Sentence]
) -> Iterator[re.Match[str]]:
    for sentence in sentences:
        yield from pattern.finditer(text, sentence.start, sentence.end)


def _update(doc: Doc, event: Event, **changes: object) -> Event:
    for i, other in enumerate(doc.events):
        if other.key == event.key:
            doc.events[i] = replace(other, **changes)
            return doc.events[i]
    return event
