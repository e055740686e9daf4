"""Event stage: meetings, visits, exercises, agreements, statements and incidents.

A trigger word (``triggers.tsv``) opens an event in its sentence. Its clause decides whether it
happened: negation and hypothetical cues (``cues.tsv``) drop it; status words
(``status_words.tsv``) and tense set its status; an event named inside the object of "agreed
to ..." has status ``agreed``. Parties are the states of the mentions around the trigger
(subjects for agreements, visitor and host for visits), falling back to the article's meeting
for "they" and "both ministers". Mentions of the same event merge.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace

from kg.article import Sentence
from kg.extract.dates import Spans, ends_something, frame_start
from kg.extract.dates import grammar as date_grammar
from kg.extract.doc import DateMention, Doc, Mention, ends_with_initial
from kg.extract.grammar import alt, alternation, cased, validate
from kg.extract.grammar import words as cue_words
from kg.lexicon import Concept, Gazetteer, Lexicon, Match, Trigger, cue_regex, fold, tokenize
from kg.records import DateValue, Event

QUOTE_MIN = 12  # characters a quotation holds at least
SCARE_QUOTE_MAX = 40  # a closed quotation this short inside a clause quotes a phrase, no speech
_TOKEN_START = r"(?<![\w’'-])"
_EXERCISE_NAME_TOKEN = r"[A-Z][\w’'-]*(?:/[A-Z][\w’'-]*+)*+"  # "East/Cooperation-2026"
_EXERCISE_NUMBER = r"(?:(?:\s+|\s*[-–]\s*)(?:19|20)?\d\d(?:-\d+)?(?![\w-]))?"
_NAME_RUN = rf"{_EXERCISE_NAME_TOKEN}(?:\s+{_EXERCISE_NAME_TOKEN}){{0,3}}"


class _Words:
    """The stage's word-bearing patterns and word sets, built from cue classes (``cues.tsv``).

    Every pattern is linear by construction: each repetition is bounded or possessive, and
    each item of a repeated group starts with a character the previous item cannot end with.
    """

    def __init__(self, lex: Lexicon) -> None:
        validate(lex)

        def a(name: str) -> str:
            return alt(lex, name)

        def w(name: str) -> frozenset[str]:
            return cue_words(lex, name)

        det, join = a("determiner"), a("list_joiner")
        self.speech_verb = re.compile(rf"(?<![\w’'])(?:{a('speech_verb')})(?![\w])")
        self.speech_verb_last = re.compile(rf"(?<![\w’'])(?:{a('speech_verb')})\W*+$")
        self.statement_nouns = tuple(sorted(w("statement_noun"), key=lambda x: (-len(x), x)))
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
        ex_noun = a("exercise_noun")
        # a cheap pre-check on lower-cased sentences
        self.exercise_keys = re.compile("|".join(map(re.escape, sorted(w("exercise_noun")))))
        self.exercise_word_whole = re.compile(rf"\b(?:{ex_noun})\b", re.IGNORECASE)
        self.named_exercise = (
            re.compile(
                rf"\b(?i:{a('exercise_keyword')})\s+(?P<name>{_NAME_RUN}{_EXERCISE_NUMBER})"
            ),
            re.compile(
                rf"{_TOKEN_START}(?P<name>{_NAME_RUN}{_EXERCISE_NUMBER})"
                rf"\s+(?:[a-z][\w-]*\s+){{0,3}}(?:{ex_noun})\b"
            ),
            re.compile(
                rf"{_TOKEN_START}(?P<name>{_NAME_RUN}\s+(?:19|20)?\d\d)"
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
        self.took_place = re.compile(
            rf"(?<![\w’'])(?:{a('took_place')})\s++(?:(?:{det})\s++)?(?:\w++\s++)?$"
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


# --- small helpers ------------------------------------------------------------------------


class _Cues:
    def __init__(self, lex: Lexicon) -> None:
        self.negation = cue_regex(cue_words(lex, "negation"))
        self.hypothetical = cue_regex(cue_words(lex, "hypothetical"))
        self.status = cue_regex(frozenset(lex.status_words))
        self.cause = cue_regex(cue_words(lex, "cause"))
        self.last_held = cue_regex(cue_words(lex, "last_held"))
        self.planned = cue_regex(cue_words(lex, "planned_modal"))
        aux = alt(lex, "passive_aux")
        self.passive = re.compile(rf"(?<![\w’'])(?:{aux})\s++(?:[a-z]++\s++)?", re.IGNORECASE)


_YEAR_SUFFIX = re.compile(r"\s++(?:19|20)?\d\d(?:-\d++)?$")
_YEAR_AFTER = re.compile(r"\s++(?:19|20)?\d\d\b")
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
    found = [(m.start(), m.group()) for m in cues.status.finditer(doc.article.text, start, end)]
    if not found:
        return None
    return doc.lexicon.status_words.get(fold(" ".join(found[-1][1].split())))


def _planned(doc: Doc, cues: _Cues, prefix: str) -> bool:
    """Whether the words before a trigger are a plan ("would sign", "plan to also hold",
    ``planned_modal`` cues) and nothing else in them makes it a mere possibility."""
    found = cues.planned.search(prefix)
    if found is None or len(prefix[found.end() :].split()) > 1:
        return False
    rest = prefix[: found.start()] + prefix[found.end() :]
    return cues.hypothetical.search(rest) is None


def _passive_status(doc: Doc, cues: _Cues, start: int, end: int) -> str | None:
    """The status a passive verb gives the trigger noun before it ("were postponed")."""
    found = cues.passive.search(doc.article.text, start, end)
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


# --- the stage ----------------------------------------------------------------------------


def find_events(doc: Doc) -> Doc:
    """Stage 4: events from triggers, clause by clause."""
    cues = _w(doc).cues
    text = doc.article.text
    _find_named_spans(doc)
    for sentence in doc.article.sentences:
        doc.check_deadline()
        if sentence.index in doc.claim_sentences:
            continue
        _statements(doc, sentence)
        handled = _incidents(doc, cues, sentence)
        agreements: list[tuple[int, int, Event]] = []  # (object start, object end, event)
        triggers = doc.find(doc.lexicon.triggers, sentence.start, sentence.end, sentence.start)
        triggers = _one_per_phrase(text, triggers, sentence.start)
        triggers = _named_exercise_triggers(doc, sentence, triggers)
        triggers = _without_hosting(doc, sentence, triggers)
        event_triggers = [
            sentence.start + m.start
            for m in triggers
            if m.value.event in ("Meeting", "Visit", "Exercise", "Incident")
            and text[max(0, sentence.start + m.start - 3) : sentence.start + m.start].lower()
            not in _w(doc).shared_prefixes
        ]
        for raw in triggers:
            start, end = sentence.start + raw.start, sentence.start + raw.end
            trigger: Trigger = raw.value

            before = [p for p in event_triggers if p < start]
            after = [p for p in event_triggers if p > start]
            window = (before[-1] if before else sentence.start, after[0] if after else sentence.end)
            if trigger.event == "Meeting" and _w(doc).planning.search(text, start, end):
                # "a planning conference for exercise X ... with Chilean planners": the
                # conference's parties are the clause's, on both sides of the exercise it plans
                window = (window[0], sentence.end)
            if trigger.event == "Statement":
                continue
            if _inside_entity(doc, start, end) or start in handled:
                continue
            if fold(trigger.surface) in _w(doc).transitive and _w(doc).passive_by.match(
                text, end, end + 12
            ):
                continue  # "hosted in Kenya, the exercise ...": a participle, no meeting
            if text[max(0, start - 3) : start].lower() in _w(doc).shared_prefixes:
                continue  # "co-hosted by": hosting an exercise, not a meeting
            clause = _clause_start(doc, sentence, start)
            prefix = _near_prefix(text, clause, start)
            # "during talks in Beijing" reports talks that took place, whatever came before
            took_place = _w(doc).took_place.search(prefix)
            planned = _planned(doc, cues, prefix) and not cues.negation.search(prefix)
            if not took_place and (
                cues.negation.search(prefix) or (cues.hypothetical.search(prefix) and not planned)
            ):
                if trigger.event == "Agreement" and any(
                    s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
                ):
                    # "an attack would invoke the Mutual Defense Treaty": the treaty is named,
                    # nothing happened to it
                    _agreement(doc, cues, sentence, raw.start, start, end, trigger, referenced=True)
                continue
            if trigger.event != "Agreement" and any(
                s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
            ):
                continue  # "Visiting Forces Agreement" is no visit
            if trigger.surface.endswith(_w(doc).preposition_end) and (
                _w(doc).determiner_next.match(text, end, end + 8)
                or _w(doc).audience_next.match(text, end, end + 16)
            ):
                continue  # "committed to the treaty", "confirmed to reporters": no agreement
            if (
                trigger.event in ("Meeting", "Visit")
                and trigger.pos == "noun"
                and trigger.surface.endswith("s")
                and _w(doc).generic.search(text[clause:start])
            ):
                continue
            inside_agreement = next((a for a in agreements if a[0] <= start < a[1]), None)
            if trigger.event == "Agreement":
                if inside_agreement is not None and not (
                    _w(doc).joined_before.search(text[max(0, start - 15) : start])
                    or any(
                        s <= start < e for s, e, kind, _ in doc.named_spans if kind == "Agreement"
                    )
                ):
                    continue  # "the plan of action agreed upon in October" inside an agreement
                event = _agreement(doc, cues, sentence, raw.start, start, end, trigger)
                if event is not None and planned and trigger.pos == "verb":
                    event = _update(doc, event, status="planned")  # "would sign", "plan to sign"
                if event is not None:
                    object_end = _object_end(doc, sentence, end, trigger)
                    agreements.append((end, object_end, event))
                continue
            if (
                inside_agreement is not None
                and trigger.event in ("Meeting", "Visit")
                and not _w(doc).subordinate.search(text[max(0, start - 30) : start])
            ):
                continue  # "agreed to hold regular meetings" is part of the agreement
            event = _event(
                doc, cues, sentence, start, end, trigger, inside_agreement is not None, window
            )
            if event is None:
                continue
            if planned and trigger.pos == "verb":
                event = replace(event, status="planned")  # "said they would meet"
            if inside_agreement is not None and inside_agreement[2].parties:
                parties = _sorted_states({*event.parties, *inside_agreement[2].parties})
                event = replace(event, parties=parties)
            split = _one_per_counterpart(doc, sentence, start, trigger, event)
            if not split:
                continue
            for part in split[:-1]:
                _merge(doc, part, definite=False)
            event = split[-1]
            merged = _merge(doc, event, definite=_is_definite(doc, start))
            if inside_agreement is not None:
                agreement = inside_agreement[2]
                _update(
                    doc, agreement, concerns=tuple(dict.fromkeys((*agreement.concerns, merged.key)))
                )
            if trigger.event == "Exercise":
                _listed_exercises(doc, sentence, merged, inside_agreement)
    _dates_from_elsewhere(doc)
    _dates_from_arrivals(doc)
    _link_agreements_to_meetings(doc)
    _complete_pairs(doc)
    return doc


def _one_per_counterpart(
    doc: Doc, sentence: Sentence, start: int, trigger: Trigger, event: Event
) -> list[Event]:
    """ "meetings with his counterparts from A, B and C": one meeting of the subject's state
    with each (``plural_meeting`` triggers, one subject state, two or more others)."""
    if trigger.event != "Meeting" or fold(trigger.surface) not in _w(doc).plural_meetings:
        return [event]
    clause = _clause_start(doc, sentence, start)
    before = doc.mentions_in(clause, start)
    subject = list(dict.fromkeys(m.state for m in before if m.type == "Official" and m.state))
    subject = subject or list(
        dict.fromkeys(
            m.state
            for m in before
            if m.type == "State" and m.state and not is_venue(doc, m, clause)
        )
    )
    others = [p for p in event.parties if p not in subject]
    if not subject and len(others) >= 2:
        return []  # the states met the subject, not each other, and the subject is unknown
    if len(set(subject)) != 1 or len(others) < 2:
        return [event]
    return [
        replace(
            event,
            key=f"{event.key}-{other.lower()}",
            parties=_sorted_states({subject[0], other}),
            label=_meeting_label(doc, replace(event, parties=_sorted_states({subject[0], other}))),
        )
        for other in others
    ]


def _without_hosting(
    doc: Doc, sentence: Sentence, triggers: list[Match[Trigger]]
) -> list[Match[Trigger]]:
    """A hosting verb (``host_verb``) whose object is an event ("Kenya hosted the exercise",
    "honoured to host this inaugural meeting") is no meeting of its own: it is dropped, so
    the hosted event's parties are looked for from before the verb and take in its subject."""
    g = _w(doc)
    kept: list[Match[Trigger]] = []
    for k, match in enumerate(triggers):
        nxt = triggers[k + 1] if k + 1 < len(triggers) else None
        if (
            nxt is not None
            and fold(match.value.surface) in g.host_verbs
            and nxt.value.event in ("Meeting", "Visit", "Exercise")
            and _host_object(doc, sentence.start + match.end, sentence.start + nxt.start)
        ):
            continue
        kept.append(match)
    return kept


def _host_object(doc: Doc, end: int, start: int) -> bool:
    """Whether the words in [end, start) are only what stands before an event noun ("the",
    "this inaugural", "the 11th"): at most four words, none a person or a state."""
    words = doc.article.text[end:start].split()
    if len(words) > 4 or any(not re.fullmatch(r"[\w’'-]+", w) for w in words):
        return False
    return not any(m.type in ("Official", "State") for m in doc.mentions_in(end, start))


def _named_exercise_triggers(
    doc: Doc, sentence: Sentence, triggers: list[Match[Trigger]]
) -> list[Match[Trigger]]:
    """A sentence that names a known exercise without an exercise word ("leaders from A, B
    and C will adjust the scope of Coral Lantern") speaks of that exercise: its name is the
    trigger, so the states the sentence gives join it."""
    if any(m.value.event == "Exercise" for m in triggers):
        return triggers
    named = [
        (s, e, n)
        for s, e, kind, n in doc.named_spans
        if kind == "Exercise" and sentence.start <= s < sentence.end
    ]
    if not named:
        return triggers
    s, e, name = named[0]
    trigger = Trigger(name, "Exercise", "name", None)  # a name: no date, no status of its own
    found = Match(s - sentence.start, e - sentence.start, 0, 0, trigger)
    return sorted([*triggers, found], key=lambda m: m.start)


def _complete_pairs(doc: Doc) -> None:
    """An official of unknown state met or hosted by a counterpart: the other party's state
    ("Prime Minister X ... and his Australian counterpart ..." at a Japan–Australia summit)."""
    for event in doc.events:
        if event.type not in ("Meeting", "Visit") or len(event.parties) != 2:
            continue
        people = [doc.entities[p] for p in event.participants if p in doc.entities]
        unknown = [p for p in people if p.state is None]
        known = {p.state for p in people if p.state}
        rest = set(event.parties) - known
        if len(unknown) == 1 and len(rest) == 1:
            unknown[0].state = rest.pop()
            for mention in doc.mentions:
                if mention.key == unknown[0].key:
                    mention.state = unknown[0].state


def _one_per_phrase(text: str, triggers: list[Match[Trigger]], offset: int) -> list[Match[Trigger]]:
    """Two trigger words of one type in one capitalised phrase are one event:
    "2+2 Ministerial Dialogue" is a single meeting."""
    kept: list[Match[Trigger]] = []
    for match in triggers:
        previous = kept[-1] if kept else None
        if (
            previous is not None
            and previous.value.event == match.value.event
            and match.value.event in ("Meeting", "Exercise")
            and re.fullmatch(
                r"(?:\s++[A-Z][\w’'-]*+)*+\s++", text[offset + previous.end : offset + match.start]
            )
        ):
            continue
        kept.append(match)
    return kept


def _inside_entity(doc: Doc, start: int, end: int) -> bool:
    for m in doc.mentions:
        if m.start <= start and end <= m.end and m.type in ("Organization", "Place", "Region"):
            return True
    return False


def _is_definite(doc: Doc, start: int) -> bool:
    """ "the exercise", "Monday's talks": the event noun at ``start`` points back."""
    return bool(_w(doc).definite.search(doc.article.text[max(0, start - 40) : start]))


def _object_end(doc: Doc, sentence: Sentence, pos: int, trigger: Trigger | None = None) -> int:
    """End of the object clause after an agreement verb: quote end, ';', the next agreement
    verb ("... and agreed to ...") or the sentence end."""
    rest = doc.article.text[pos : sentence.end]
    cut = len(rest)
    following = _w(doc).next_agreement_verb.search(rest)
    if following:
        cut = following.start()
    clause = _w(doc).finite_clause.search(rest, 0, cut)
    if clause:
        cut = clause.start()  # "... a roadmap when their ministers met in February"
    if trigger is not None and trigger.status in ("signed", "concluded") and ", " in rest[:cut]:
        cut = rest.index(", ")  # "signed an agreement ..., following talks": the object is a noun
    for mark in ("”", ";"):
        idx = rest.find(mark)
        if idx >= 0:
            cut = min(cut, idx)
    return pos + cut


def _event_key(event_type: str, start: int) -> str:
    return f"{event_type.lower()}-{start}"


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


def _dates_from_arrivals(doc: Doc) -> None:
    """ "entered Latvian airspace on Monday (2 May)", "arrived in Riga on 3 May": the arrival's
    full date dates the article's undated visit, when every reported visit is undated, they
    all have the same two or more parties and the arrival's clause names one of them (a
    sentence that reports an incident, such as an airspace violation, dates no visit)."""
    text = doc.article.text
    incidents = {e.evidence[0].sentence for e in doc.events if e.type == "Incident"}
    for mention in doc.dates:
        if mention.value.datatype != "date" or mention.used:
            continue
        sentence = doc.article.sentence_at(mention.start)
        if sentence.index in incidents or _w(doc).arrival_veto.search(sentence.text):
            continue
        clause = _clause_start(doc, sentence, mention.start)
        arrival = _w(doc).arrival.search(text, max(clause, mention.start - 60), mention.start)
        if arrival is None:
            continue
        named = {m.state for m in doc.mentions_in(clause, mention.start) if m.state}
        visits = [e for e in doc.events if e.type == "Visit" and e.status]
        sides = {e.parties for e in visits}
        if len(sides) != 1 or any(e.date is not None for e in visits):
            continue
        parties = next(iter(sides))
        if len(parties) < 2 or not named & set(parties):
            continue
        for i, event in enumerate(doc.events):
            if event.type == "Visit" and event.status:
                doc.events[i] = replace(event, date=mention.value)
        return


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


def _contexts(doc: Doc) -> dict[str, re.Pattern[str]]:
    return _w(doc).contexts


def _not_a_party(doc: Doc, m: Mention, lo: int, after: int | None = None) -> str | None:
    """Why the state of mention ``m`` is not a party of an event around it, if it is not:
    an observer, a target or threat, or (past the trigger at ``after``) a place of origin."""
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
    text = doc.article.text
    return _contexts(doc)["venue"].search(text[max(lo, m.start - 50) : m.start]) is not None


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
    match = _w(doc).topic.search(doc.article.text, start, end)
    return match.start() if match else end


def _latest(doc: Doc, event_type: str) -> Event | None:
    """The latest event of a type, preferring one that took place."""
    found = [e for e in doc.events if e.type == event_type and e.parties]
    found = [e for e in found if len(e.parties) >= 2] or found  # a relation has two sides
    held = [e for e in found if e.status == "held"]
    return (held or found)[-1] if found else None


def _event(
    doc: Doc,
    cues: _Cues,
    sentence: Sentence,
    start: int,
    end: int,
    trigger: Trigger,
    agreed: bool,
    window: tuple[int, int] | None = None,
) -> Event | None:
    text = doc.article.text
    clause = _clause_start(doc, sentence, start)
    lo, hi = window or (clause, sentence.end)
    lo = max(lo, clause)
    topic = _topic_start(doc, end, hi)
    people, states = _participants_and_states(
        doc,
        lo,
        topic,
        after=end if trigger.event in ("Meeting", "Visit") else None,
        venues=trigger.event == "Meeting",
    )
    compound = _compound_states(doc, clause, start) if trigger.event == "Meeting" else []
    if compound:
        states = compound  # "the Japan-Fiji Defence Ministerial Meeting": exactly these two
    if _w(doc).anaphor.search(text, clause, start):
        meeting = _latest(doc, "Meeting")
        if meeting is not None:
            states = list(dict.fromkeys([*meeting.parties, *states]))
    subject_in_window = any(m.type == "Official" for m in doc.mentions_in(lo, start))
    if not subject_in_window and lo > clause:
        # the subject of an earlier clause carries over: "Mattis ... to meet ... and to meet ..."
        subject, _ = _participants_and_states(doc, clause, lo)
        people = list(dict.fromkeys(subject[:1] + people))
        states = list(
            dict.fromkeys(
                [
                    *(doc.entities[p].state or "" for p in subject[:1] if doc.entities[p].state),
                    *states,
                ]
            )
        )
    if len(set(states)) < 2:  # "our very good friends from the United Kingdom": the speaker's
        states.extend(s for s in _speaker_states(doc, lo, topic) if s not in states)
    if trigger.event == "Meeting" and len(set(states)) < 2 and lo > clause:
        # "on the occasion of the Norwegian minister's visit, a meeting was held in Santiago":
        # the clause's earlier states fill a missing side
        _earlier_people, earlier = _participants_and_states(
            doc, clause, lo, venues=True, venue_fill=False
        )
        states = list(dict.fromkeys([*states, *earlier]))
    status = trigger.status
    if agreed:
        status = "agreed"
    else:
        near = _status_near(doc, cues, lo, min(hi, end + 25))
        if trigger.pos == "noun":  # "Talks ..., planned for May, were postponed"
            near = _passive_status(doc, cues, end, hi) or near
        status = near or status or "held"
    if cues.last_held.search(text, sentence.start, start):
        status = trigger.status or status if status not in ("held",) else "held"
    frame = frame_start(doc.lexicon, text, lo, start) if trigger.event == "Visit" else None
    if frame is not None:  # "signed today during the state visit": today is the signing's
        date, end_date = _date_near(
            doc, sentence, start, within=(frame, hi), before_ok=False, opener_ok=False
        )
    else:
        date, end_date = _date_near(doc, sentence, start, within=(lo, hi), before_ok=lo == clause)
    location = (
        _location(doc, end, sentence.end) if trigger.event in ("Meeting", "Exercise") else None
    )
    event = Event(
        key=_event_key(trigger.event, start),
        type=trigger.event,
        label="",
        evidence=(doc.sentence_span(sentence),),
        status=status,
        parties=_sorted_states(states),
        participants=tuple(people),
        location=location,
        date=date,
        end_date=end_date,
    )
    if trigger.pos == "name":
        event = replace(event, status=None, date=None, end_date=None)
    if trigger.event == "Visit":
        event = _visit(doc, sentence, start, end, event)
    elif trigger.event == "Exercise":
        exercise = _exercise(doc, cues, sentence, start, end, event)
        if exercise is None:
            return None
        event = exercise
    elif trigger.event == "Meeting":
        event = replace(event, label=_meeting_label(doc, event))
    elif trigger.event == "Incident":
        event = replace(event, label=_noun_phrase(doc, start, end, sentence.start))
    if event is not None and not event.parties and trigger.event != "Meeting":
        latest = _latest(doc, "Meeting")
        if latest is not None:
            event = replace(event, parties=latest.parties)
    return event


def _location(doc: Doc, pos: int, end: int) -> str | None:
    """The place after "in"/"at" following the trigger."""
    text = doc.article.text
    for m in doc.mentions_in(pos, end):
        if m.type in ("Place",) and _w(doc).location.search(text[max(pos, m.start - 12) : m.start]):
            return m.key
    return None


def _meeting_label(doc: Doc, event: Event) -> str:
    names = [doc.lexicon.states[s].name for s in event.parties if s in doc.lexicon.states]
    if len(names) >= 2:
        return "Meeting between " + " and ".join([", ".join(names[:-1]), names[-1]])
    if names:
        return f"Meeting involving {names[0]}"
    return "Meeting"


def _visit(doc: Doc, sentence: Sentence, start: int, end: int, event: Event) -> Event:
    text = doc.article.text
    clause = _clause_start(doc, sentence, start)
    before = [m for m in doc.mentions_in(clause, start) if m.type == "Official"]
    visitor = before[-1].key if before else None
    others = [  # "Alongside Norway Defence Minister X, Y visited ..."
        m.key for m in doc.mentions_in(clause, start) if m.type == "Official" and m.key != visitor
    ]
    after = [
        m
        for m in doc.mentions_in(end, sentence.end)
        if m.type in ("Place", "State", "Organization")
    ]
    destination = None
    if after:
        first_start = after[0].start
        if len(text[end:first_start].split()) <= 3:
            candidates = [m for m in after if m.start == first_start]
            destination = max(candidates, key=lambda m: m.end).key
    with_people = [
        m.key
        for m in doc.mentions_in(end, sentence.end)
        if m.type == "Official"
        and _w(doc).accompanied.search(text[max(end, m.start - 6) : m.start])
    ]
    participants = tuple(dict.fromkeys([k for k in (visitor, *with_people, *others) if k]))
    states: list[str] = []
    if visitor and doc.entities[visitor].state:
        states.append(doc.entities[visitor].state or "")
    elif visitor is None:
        # "The UK delegation visited ...", "The Defence Secretary will visit ...": the subject
        subject = [m.state for m in doc.mentions_in(clause, start) if m.type == "State" and m.state]
        states.extend(subject[:1])
    for key in others:
        if doc.entities[key].state:
            states.append(doc.entities[key].state or "")
    dest_state = doc.state_of(destination) if destination else None
    if dest_state:
        states.append(dest_state)
    for key in with_people:
        if doc.entities[key].state:
            states.append(doc.entities[key].state or "")
    if len(set(states)) < 2:  # "since your last visit to the Pentagon": the addressee's
        states.extend(s for s in _speaker_states(doc, clause, start) if s not in states)
    if len(set(states)) < 2:
        host = _visit_host(doc, sentence, set(states))
        if host:
            states.append(host)
    if not states:
        states = list(event.parties)
    visitor_name = doc.entities[visitor].name if visitor else "delegation"
    dest_name = _entity_name(doc, destination) if destination else "unknown destination"
    return replace(
        event,
        participants=participants or event.participants,
        parties=_sorted_states(states),
        destination=destination,
        label=f"Visit by {visitor_name} to {dest_name}",
    )


def _visit_host(doc: Doc, sentence: Sentence, known: set[str]) -> str | None:
    """The host of a visit whose destination is not named: a place "in X" in the sentence,
    the dateline's state, or the other party of the article's meeting."""
    text = doc.article.text
    for m in doc.mentions_in(sentence.start, sentence.end):
        if m.state and m.state not in known and m.type in ("Place", "State"):
            before = text[max(0, m.start - 30) : m.start]
            if _w(doc).host.search(before) or (
                m.type == "State" and _w(doc).host_city.search(before)
            ):
                return m.state  # "in Hanoi", "at Bodø, Norway"
    from kg.extract.people import dateline_state

    host = dateline_state(doc)
    if host and host not in known:
        return host
    for event in reversed(doc.events):
        if event.type in ("Meeting", "Agreement") and len(event.parties) == 2:
            rest = set(event.parties) - known
            if len(rest) == 1 and len(known) == 1 and known <= set(event.parties):
                return rest.pop()
    return None


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


def _listed_exercises(
    doc: Doc,
    sentence: Sentence,
    event: Event,
    inside_agreement: tuple[int, int, Event] | None,
) -> None:
    """Other named exercises in the sentence ("including Foal Eagle and Key Resolve") become
    events of their own, sharing the status, parties and date of the trigger's event."""
    names = [
        (s, n)
        for s, _e, kind, n in doc.named_spans
        if kind == "Exercise" and sentence.start <= s < sentence.end
    ]
    for start, name in names:
        if any(e.type == "Exercise" and e.name and fold(e.name) == fold(name) for e in doc.events):
            continue
        named = replace(event, key=_event_key("Exercise", start), name=name, label=name)
        doc.events.append(named)
        if inside_agreement is not None:
            agreement = next(e for e in doc.events if e.key == inside_agreement[2].key)
            _update(doc, agreement, concerns=tuple(dict.fromkeys((*agreement.concerns, named.key))))


def _exercise(
    doc: Doc, cues: _Cues, sentence: Sentence, start: int, end: int, event: Event
) -> Event | None:
    text = doc.article.text
    name = next(
        (
            n
            for s, e, kind, n in doc.named_spans
            if kind == "Exercise"
            and sentence.start <= s < sentence.end
            and (abs(s - start) < 80 or s <= start <= e)
        ),
        None,
    )
    label = name or _noun_phrase(doc, start, end, sentence.start)
    concepts = _concepts_in(doc, text, max(sentence.start, start - 60), min(sentence.end, end + 40))
    domains = tuple(c.iri for c in concepts if c.scheme == "Domain")
    purposes = tuple(c.iri for c in concepts if c.scheme == "Purpose")
    last_held = None
    date, end_date = event.date, event.end_date
    clause = _clause_start(doc, sentence, start)
    planning = _w(doc).planning.search(text, clause, start)
    if planning is not None:
        # "held a planning conference on 3 March for exercise X": the conference took place
        # on that date; the exercise is only planned, dated by what the text says after it in
        # the future ("which will begin on 10 June"); "is underway ... March 7-9" is the
        # conference's own date
        future = date_grammar(doc.lexicon).future
        later = [
            d
            for d in doc.dates
            if end <= d.start and d.end <= sentence.end and future.search(text, end, d.start)
        ]
        date, end_date = (later[0].value, later[0].end_value) if later else (None, None)
        after = _status_near(doc, cues, end, sentence.end)
        event = replace(event, status=after or "planned")
    if cues.last_held.search(text, sentence.start, sentence.end):
        last_held = date
        date, end_date = None, None
    return replace(
        event,
        label=label,
        name=name,
        domains=domains,
        purposes=purposes,
        last_held=last_held,
        date=date,
        end_date=end_date,
    )


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
    agreement_sentences = [x for x in doc.article.sentences if g.agreement_noun_any.search(x.text)]
    exercise_sentences = [
        x for x in doc.article.sentences if g.exercise_keys.search(x.text.lower())
    ]
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
            pattern.finditer(text) if last else _in_sentences(pattern, text, exercise_sentences)
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


def _agreement(
    doc: Doc,
    cues: _Cues,
    sentence: Sentence,
    rel: int,
    start: int,
    end: int,
    trigger: Trigger,
    referenced: bool = False,
) -> Event | None:
    text = doc.article.text
    named = [
        (s, e, n)
        for s, e, kind, n in doc.named_spans
        if kind == "Agreement" and sentence.start <= s < sentence.end
    ]
    clause = _clause_start(doc, sentence, start)
    if clause == start and text[start - 1 : start] == "“":
        clause = _clause_start(doc, sentence, start - 1)  # a quoted title: the clause quoting it
    if trigger.pos == "noun":
        inside = next(((s, e, n) for s, e, n in named if s <= start < e), None)
        if inside is None:
            verb = _w(doc).agreement_verb.search(text, clause, min(sentence.end, end + 60))
            if verb is None:
                return None
            if _named_agreement_near(doc, named, start):
                return None
            label = _noun_phrase(doc, start, end, sentence.start)
            words = doc.lexicon.status_words  # "working on" (the phrase) before "signed" (a word)
            phrase, first = fold(" ".join(verb.group().split())), fold(verb.group().split()[0])
            status = words.get(phrase) or words.get(first, "agreed")
        else:
            s, e, label = inside
            if any(ev.name == label for ev in doc.events):
                return None
            around = text[clause : sentence.end]
            verbs = list(_w(doc).signing_verb.finditer(text, clause, s))
            verb = verbs[-1] if verbs else _w(doc).signing_verb.search(around)
            # a treaty only named, with no verb saying what happened to it, is no event
            status = (
                doc.lexicon.status_words.get(fold(verb.group(1)), "agreed")
                if verb
                else trigger.status or "concluded"  # the verb whose object the name is
            )
            if _w(doc).signing_phrase.search(around):
                status = "signed"
            if referenced:
                status = None
        date, end_date = _date_near(
            doc, sentence, start, within=(max(clause, start - 60), min(sentence.end, end + 30))
        )
        topic = _topic_start(doc, end, sentence.end)
        people, states = _participants_and_states(doc, clause, topic, after=end, origins=False)
        if len(set(states)) < 2:  # "the treaty we are working on with Indonesia"
            states.extend(s for s in _speaker_states(doc, clause, topic) if s not in states)
        earlier = None if inside else _antecedent_agreement(doc, trigger, start)
        if earlier is not None:
            # "the memorandum" after a memorandum already reported: the same agreement
            return _update(
                doc,
                earlier,
                evidence=tuple(dict.fromkeys((*earlier.evidence, doc.sentence_span(sentence)))),
                parties=_sorted_states({*earlier.parties, *states}),
                participants=tuple(dict.fromkeys((*earlier.participants, *people))),
                date=earlier.date or date,
                status=earlier.status or status,
            )
        event = Event(
            key=_event_key("Agreement", start),
            type="Agreement",
            label=label,
            name=label if inside else None,
            evidence=(doc.sentence_span(sentence),),
            status=status,
            parties=_sorted_states(states),
            participants=tuple(people),
            date=date,
            end_date=end_date,
            areas=tuple(
                c.iri for c in _concepts_in(doc, label, 0, len(label)) if c.scheme == "Area"
            ),
        )
        if not event.parties:
            meeting = _latest(doc, "Meeting")
            event = replace(event, parties=meeting.parties if meeting else ())
        doc.events.append(event)
        return event
    # a verb: the agreement is its object clause
    object_end = _object_end(doc, sentence, end, trigger)
    if _object_is_an_event(doc, end, object_end):
        return None  # "will conclude his trip", "concluded the exercise": no agreement
    in_object = [(s, e, n) for s, e, n in named if end <= s < object_end and s - end < 60]
    if in_object:
        for s, e, n in in_object:
            if not any(ev.name == n for ev in doc.events):
                _agreement(
                    doc,
                    cues,
                    sentence,
                    s - sentence.start,
                    s,
                    e,
                    Trigger(n, "Agreement", "noun", trigger.status),
                )
        return None
    obj = text[end:object_end].strip(" ,")
    obj = _w(doc).object_lead.sub("", obj, count=1).strip()
    # an opening adverbial ("in the increasingly challenging security environment, ...")
    obj = _w(doc).adverbial_lead.sub("", obj, count=1)
    if len(obj.split()) < 2:
        return None
    subject_end = min(start, _topic_start(doc, clause, start))
    people, states = _participants_and_states(doc, clause, subject_end)
    if states or people:  # "Our partners from A and B have agreed": the speaker's side too
        states.extend(s for s in _speaker_states(doc, clause, subject_end) if s not in states)
    partner = _with_partner(doc, start, end, object_end)
    if partner is not None and (people or states):
        # "X confirmed with Minister Y on ...", "X agreed with Y to ...": Y is the other side
        key, state = partner
        people = list(dict.fromkeys([*people, *([key] if key else [])]))
        states = list(dict.fromkeys([*states, state]))

    if not states:
        meeting = _latest(doc, "Meeting")
        states = (
            list(meeting.parties)
            if meeting
            else _states(doc.mentions_in(sentence.start, sentence.end))
        )
        if not people and meeting:
            people = list(meeting.participants)
        if len(set(states)) < 2:
            # "The two ministers agreed to bolster cooperation between the ROK and Vietnam":
            # with no side in the subject, the pair the object names
            states = _pair_in(doc, end, object_end) or states
    label = obj.rstrip(".")
    obj_start = text.find(obj, end)
    area_lo = obj_start
    intro = _w(doc).area_intro.search(text[obj_start:object_end])
    areas: tuple[str, ...] = ()
    if intro:
        area_lo = obj_start + intro.start()
        areas = tuple(
            dict.fromkeys(
                c.iri for c in _concepts_in(doc, text, area_lo, object_end) if c.scheme == "Area"
            )
        )
    # an act of signing happens at a time the clause may give after the verb; "agreed to ..."
    # looks ahead, so its later dates belong to what was agreed
    date_hi = object_end if trigger.status in ("signed", "concluded") else start
    date, end_date = _date_near(doc, sentence, start, within=(clause, date_hi))
    event = Event(
        key=_event_key("Agreement", start),
        type="Agreement",
        label=label,
        evidence=(doc.sentence_span(sentence),),
        status=trigger.status or "agreed",
        parties=_sorted_states(states),
        participants=tuple(people),
        areas=areas,
        date=date,
        end_date=end_date,
    )
    doc.events.append(event)
    return event


def _with_partner(doc: Doc, start: int, end: int, hi: int) -> tuple[str | None, str] | None:
    """The official or state right after "with" at an agreement verb ("confirmed with
    Minister Y", "agreed with Chile"): (official key or None, state), if the text names one."""
    text, g = doc.article.text, _w(doc)
    lo = end
    if not g.accompanied.search(text[start:end] + " "):
        lead = g.accompaniment_next.match(text, end, hi)
        if lead is None:
            return None
        lo = lead.end()
    for m in doc.mentions_in(lo, min(hi, lo + 60)):
        if m.type not in ("Official", "State") or not m.state:
            continue
        if len(text[lo : m.start].split()) > 3:
            return None
        return (m.key if m.type == "Official" else None), m.state
    return None


def _pair_in(doc: Doc, lo: int, hi: int) -> list[str]:
    """The two states of a "between A and B" (``pair_intro``) in [lo, hi), if it names two."""
    text, g = doc.article.text, _w(doc)
    intro = g.pair_intro.search(text, lo, hi)
    if intro is None:
        return []
    states = [m for m in doc.mentions_in(intro.end(), hi) if m.type == "State" and m.state][:2]
    if len(states) < 2 or not _listed(doc, text[states[0].end : states[1].start]):
        return []
    if text[intro.end() : states[0].start].split() not in ([], ["the"]):
        return []
    found = list(dict.fromkeys(m.state for m in states if m.state))
    return found if len(found) == 2 else []


def _object_is_an_event(doc: Doc, start: int, end: int) -> bool:
    """Whether a verb's object is a meeting, visit or exercise ("his trip", "the drills")."""
    determiners = cue_words(doc.lexicon, "determiner")
    for found in doc.find(doc.lexicon.triggers, start, min(end, start + 40)):
        words = doc.article.text[start : found.start].split()
        if len(words) > 2 or any(fold(w) not in determiners for w in words):
            return False
        return found.value.event in ("Meeting", "Visit", "Exercise")
    return False


def _antecedent_agreement(doc: Doc, trigger: Trigger, start: int) -> Event | None:
    """The agreement a definite noun ("the memorandum", "this letter of intent") points back
    to: the latest one whose name or label holds the same noun."""
    if not _is_definite(doc, start):
        return None
    noun = fold(trigger.surface)
    for event in reversed(doc.events):
        if event.type == "Agreement" and noun in fold(event.name or event.label):
            return event
    return None


def _named_agreement_near(doc: Doc, named: list[tuple[int, int, str]], pos: int) -> bool:
    return any(abs(s - pos) < 80 for s, _, _ in named)


def _merge(doc: Doc, event: Event, definite: bool) -> Event:
    """Add ``event`` or fold it into an earlier mention of the same event."""
    candidates = list(enumerate(doc.events))
    anaphor = event.type == "Exercise" and definite and not event.name
    if anaphor:
        # "the exercise" points back to the latest exercise; it adds states only when the
        # sentence says they take part ("Germany also sent fighters to the exercise")
        latest = [(i, e) for i, e in candidates if e.type == "Exercise"]
        candidates = latest[-1:]
        sentence = doc.article.sentences[event.evidence[0].sentence]
        if candidates and not _w(doc).participation.search(sentence.text):
            event = replace(event, parties=candidates[0][1].parties)
    for i, other in candidates:
        if other.type != event.type:
            continue
        if not (definite and event.type == "Exercise" and not event.name) and not _same_event(
            doc, other, event, definite
        ):
            continue
        merged = replace(
            other,
            evidence=tuple(dict.fromkeys((*other.evidence, *event.evidence))),
            parties=_sorted_states({*other.parties, *event.parties}),
            participants=tuple(dict.fromkeys((*other.participants, *event.participants))),
            location=other.location or event.location,
            destination=other.destination or event.destination,
            date=other.date or event.date,
            end_date=other.end_date or event.end_date,
            status=other.status or event.status,
            name=other.name or event.name,
            label=_merged_label(other, event),
            domains=tuple(dict.fromkeys((*other.domains, *event.domains))),
            purposes=tuple(dict.fromkeys((*other.purposes, *event.purposes))),
            last_held=other.last_held or event.last_held,
        )
        doc.events[i] = merged
        return merged
    doc.events.append(event)
    return event


def _merged_label(kept: Event, new: Event) -> str:
    """The label of two merged mentions: a name, else the one that says more (for a visit:
    the one that knows its destination and visitor, "his visit to the country" knows less)."""
    if kept.name:
        return kept.label
    if kept.type == "Visit":
        if (new.destination, new.participants[:1]) != (None, ()) and kept.destination is None:
            return new.label
        return kept.label
    return kept.label if len(kept.label) >= len(new.label) else new.label


def _same_event(doc: Doc, a: Event, b: Event, definite: bool) -> bool:
    if a.type == "Exercise" and a.name and b.name:
        return fold(a.name) == fold(b.name)  # one named exercise, whatever dates its mentions carry
    if a.date and b.date and a.date.value != b.date.value:
        return False
    if a.type == "Exercise":
        if a.name and b.name:
            return fold(a.name) == fold(b.name)
        named = [e for e in doc.events if e.type == "Exercise" and e.name]
        if b.name and not a.name:
            return False
        if a.name and not b.name:
            return len(named) == 1 and (definite or set(a.parties) & set(b.parties) != set())
        return set(a.parties) == set(b.parties) or (definite and set(b.parties) <= set(a.parties))
    if a.type == "Visit":
        return a.participants[:1] == b.participants[:1] and (
            a.destination == b.destination or b.destination is None
        )
    if a.type in ("Meeting", "Incident"):
        if a.status != b.status and not definite:
            return False
        if set(a.parties) == set(b.parties):
            return True
        return definite and (set(b.parties) <= set(a.parties) or set(a.parties) <= set(b.parties))
    return False


def _update(doc: Doc, event: Event, **changes: object) -> Event:
    for i, other in enumerate(doc.events):
        if other.key == event.key:
            doc.events[i] = replace(other, **changes)  # type: ignore[arg-type]
            return doc.events[i]
    return event


def _statements(doc: Doc, sentence: Sentence) -> None:
    """A quotation with a speaker: "<speaker> stated: “...”" or "“...,” <speaker> said"."""
    text = doc.article.text
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
                label=f"{noun[0].upper()}{noun[1:]} by {speaker_name}",
                evidence=(doc.sentence_span(sentence),),
                status="held",
                parties=(state,) if state else (),
                participants=(speaker.key,) if speaker.type == "Official" else (),
                speaker=speaker.key,
                quote=quote,
            )
        )


def _incidents(doc: Doc, cues: _Cues, sentence: Sentence) -> set[int]:
    """ "X led to a standstill in the exercises": X is an incident that halted them.

    Returns the offsets of the triggers it consumed (the halted event's mention).
    """
    text = doc.article.text
    handled: set[int] = set()
    for cause in cues.cause.finditer(text, sentence.start, sentence.end):
        tail = text[cause.end() : min(sentence.end, cause.end() + 60)]
        status_word = _w(doc).halt.search(tail)
        if not status_word:
            continue
        head = text[sentence.start : cause.start()]
        such = max(((head.rfind(x), x) for x in _w(doc).example_intros), default=(-1, ""))
        lo = sentence.start + (such[0] + len(such[1]) if such[0] >= 0 else 0)
        span = doc.span(lo, cause.start())
        cause_text = span.text.rstrip(" ,")
        span = doc.span(span.start, span.start + len(cause_text))
        label = cause_text.split(",")[0]
        people, states = _participants_and_states(doc, span.start, span.end)
        date, _ = _date_near(doc, sentence, span.end, within=(span.start, span.end))
        key = _event_key("Incident", span.start)
        incident = Event(
            key=key,
            type="Incident",
            label=label,
            evidence=(doc.sentence_span(sentence),),
            status="held",
            parties=_sorted_states(states),
            participants=tuple(people),
            date=date,
        )
        doc.events.append(incident)
        affected_at = cause.end() + status_word.end()
        target_trigger = next(
            (m for m in doc.find(doc.lexicon.triggers, affected_at, sentence.end, affected_at)),
            None,
        )
        if target_trigger is None:
            continue
        handled.add(affected_at + target_trigger.start)
        wanted = target_trigger.value.event
        halted = [
            e for e in doc.events if e.type == wanted and set(e.parties) & set(incident.parties)
        ]
        if not halted:
            continue
        target = halted[-1]
        _update(
            doc,
            target,
            halted_by=key,
            halted_since=date,
            evidence=tuple(dict.fromkeys((*target.evidence, doc.sentence_span(sentence)))),
        )
        _update(doc, incident, concerns=(target.key,))
    return handled


def _link_agreements_to_meetings(doc: Doc) -> None:
    """An agreement reported after a held meeting of the same states was reached at it."""
    meetings = [e for e in doc.events if e.type == "Meeting" and e.status == "held"]
    if not meetings:
        return
    for event in list(doc.events):
        if event.type != "Agreement" or event.agreed_at:
            continue
        if event.name and not _tied_to_any(doc, event, meetings):
            continue  # a named treaty is not made at every meeting that mentions it
        first = min(s.start for s in event.evidence)
        for meeting in reversed(meetings):
            if min(s.start for s in meeting.evidence) <= first and (
                set(event.parties) <= set(meeting.parties) or not event.parties
            ):
                changes: dict[str, object] = {"agreed_at": meeting.key}
                if (
                    event.date is None
                    and meeting.date is not None
                    and _tied_to(doc, event, meeting)
                ):
                    changes["date"] = meeting.date
                _update(doc, event, **changes)
                break


def _tied_to_any(doc: Doc, agreement: Event, meetings: list[Event]) -> bool:
    return agreement.status in ("signed", "agreed") and any(
        _tied_to(doc, agreement, m) for m in meetings
    )


def _tied_to(doc: Doc, agreement: Event, meeting: Event) -> bool:
    """The text ties the agreement to the meeting: same sentence, or "at the meeting"."""
    sentences = {s.sentence for s in agreement.evidence}
    if sentences & {s.sentence for s in meeting.evidence}:
        return True
    text = doc.article.text
    if any(_w(doc).at_the_meeting.search(text, s.start, s.end) for s in agreement.evidence):
        return True
    # "The two ministers ... agreed": the meeting's participants, so the meeting's day
    return any(
        _w(doc).anaphor.match(text, s.start) or _w(doc).anaphor.match(text, s.start + 4)
        for s in agreement.evidence
    )


__all__ = ["find_events"]
