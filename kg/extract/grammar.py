"""The words the event and claim stages read, as data: cue classes from ``kg/data/cues.tsv``.

Python holds only the shape of each pattern; every English word comes from a class of
``cues.tsv`` (documented in ``kg/data/README.md``). ``words`` and ``alt`` refuse a class that
is not in ``CLASSES``, and ``tests/test_data_files.py`` checks that the file's classes and
``CLASSES`` are the same set, so an unused class or a class the code reads but the file lacks
fails the tests. Patterns are compiled once per lexicon (``compiled``).
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Callable

from kg.article import ArticleError
from kg.event_types import event_types
from kg.lexicon import LEXICON_ENV, Lexicon, read_tsv

CLASSES = frozenset(
    """negation hypothetical attribution opinion commentator quantifier historical target ally
    framework cause last_held determiner not_party_before not_party_after origin venue
    observer_link observer name_cut name_gap_stop verb_suffix planned_modal passive_aux
    speech_verb statement_noun topic_cue generic_modifier np_stop np_keep_ed agreement_noun
    date_word name_connector name_tail_intro exercise_noun exercise_verb name_intro
    not_name_word name_skip_first took_place list_joiner subordinator relative_adverb
    definite time_unit next_agreement_verb filler_adverb anaphor participation location_prep
    host_prep accompaniment participle_suffix agreement_verb signing_verb signing_phrase
    object_lead meeting_noun adverbial_lead area_intro halt_noun example_intro shared_prefix
    preposition_end complementizer historical_clause meeting_context
    exercise_keyword clause_break planning_noun finite_clause participle_prep
    transitive_trigger person_noun plural_meeting host_verb audience
    second_person pair_intro pair_article arrival arrival_veto owned_noun_lead owned_noun""".split()
)


STATUSES = frozenset(
    "held planned agreed signed suspended resumed negotiating concluded cancelled".split()
)  # the status codes of ontology/codes.ttl
EVENT_TYPES = frozenset(event_types().names)  # kg/data/event_types.tsv


class GrammarError(ArticleError):
    """A data file the stages read is malformed (one line, like a bad article)."""


EXTRACTORS: dict[str, str] = {}
"""Event type -> the module of ``kg.extract.events`` that extracts it (``register``)."""


def register(event_type: str, module: str) -> str:
    """Record that ``module`` extracts ``event_type`` (each type module calls it once, at
    import, for its ``EVENT_TYPE``); returns ``event_type``."""
    if EXTRACTORS.setdefault(event_type, module) != module:
        raise GrammarError(
            f"{module}: {event_type} is already extracted by {EXTRACTORS[event_type]}"
        )
    return event_type


def check_extractors(types: frozenset[str] = EVENT_TYPES) -> None:
    """Raise ``GrammarError`` unless every event type of ``event_types.tsv`` has a module
    that extracts it and every registered module's type is in the file."""
    missing = sorted(types.difference(EXTRACTORS))
    if missing:
        raise GrammarError(f"event_types.tsv: no extraction module for {', '.join(missing)}")
    unknown = sorted(set(EXTRACTORS).difference(types))
    if unknown:
        modules = ", ".join(f"{EXTRACTORS[t]} ({t})" for t in unknown)
        raise GrammarError(f"event_types.tsv lacks the type of {modules}")


def validate(lexicon: Lexicon) -> None:
    """Check the loaded cue classes, triggers and status words; raise ``GrammarError``.

    Every class of ``cues.tsv`` must be one the code reads (``CLASSES``) and every class the
    code reads must have at least one entry; triggers need a known event type, a ``pos`` of
    ``verb`` or ``noun`` and a known status; status words a known status.
    """
    unknown = sorted(set(lexicon.cues) - CLASSES)
    if unknown:
        raise GrammarError(f"cues.tsv: unknown cue class(es) {', '.join(unknown)}")
    missing = sorted(c for c in CLASSES if not lexicon.cues.get(c))
    if missing:
        raise GrammarError(f"cues.tsv: no entries for cue class(es) {', '.join(missing)}")
    for status in lexicon.status_words.values():
        if status not in STATUSES:
            raise GrammarError(f"status_words.tsv: unknown status {status!r}")
    for row in read_tsv("triggers.tsv"):
        event, pos, status = row.get("event", ""), row.get("pos", ""), row.get("status", "")
        if (
            event not in EVENT_TYPES
            or pos not in ("verb", "noun")
            or (status and status not in STATUSES)
        ):
            raise GrammarError(f"triggers.tsv: bad row {row!r}")


def words(lexicon: Lexicon, name: str) -> frozenset[str]:
    """The folded words and phrases of cue class ``name``."""
    if name not in CLASSES:
        raise KeyError(f"cue class {name!r} is not registered in kg.extract.grammar.CLASSES")
    return lexicon.cues.get(name, frozenset())


@functools.lru_cache(maxsize=4)
def _cased(extra_dir: str | None) -> dict[str, frozenset[str]]:
    del extra_dir  # part of the cache key: read_tsv finds the files through the environment
    found: dict[str, set[str]] = {}
    for row in read_tsv("cues.tsv"):
        found.setdefault(row["cue"], set()).add(row["text"])
    return {k: frozenset(v) for k, v in found.items()}


def cased(lexicon: Lexicon, name: str) -> frozenset[str]:
    """The words of cue class ``name`` as written in the file (for case-sensitive matching:
    "Agreement" in a name, not "agreement")."""
    words(lexicon, name)
    return _cased(os.environ.get(LEXICON_ENV)).get(name, frozenset())


def alternation(items: frozenset[str]) -> str:
    """A regex alternation of words and phrases, longest first; a space matches any run of
    spaces and an apostrophe either apostrophe. Never empty (an empty class matches nothing)."""
    ordered = sorted(
        (re.escape(w).replace(r"\ ", r"\s++").replace("'", "['’]") for w in items),
        key=lambda a: (-len(a), a),
    )
    return "|".join(ordered) or r"(?!x)x"


def alt(lexicon: Lexicon, name: str) -> str:
    return alternation(words(lexicon, name))


_COMPILED: dict[tuple[int, str], tuple[Lexicon, re.Pattern[str]]] = {}


def compiled(
    lexicon: Lexicon, key: str, build: Callable[[Lexicon], re.Pattern[str]]
) -> re.Pattern[str]:
    """The pattern ``build(lexicon)``, compiled once per lexicon and key."""
    cached = _COMPILED.get((id(lexicon), key))
    if cached is None or cached[0] is not lexicon:
        cached = (lexicon, build(lexicon))
        _COMPILED[(id(lexicon), key)] = cached
    return cached[1]
