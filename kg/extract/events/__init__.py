"""Event stage: meetings, visits, exercises, agreements, statements and incidents.

A trigger word (``triggers.tsv``) opens an event in its sentence. Its clause decides whether it
happened: negation and hypothetical cues (``cues.tsv``) drop it; status words
(``status_words.tsv``) and tense set its status; an event named inside the object of "agreed
to ..." has status ``agreed``. Parties are the states of the mentions around the trigger
(subjects for agreements, visitor and host for visits), falling back to the article's meeting
for "they" and "both ministers". Mentions of the same event merge.

The stage is a package: ``stage`` runs the triggers sentence by sentence and hands each
event to the module of its type (``meeting``, ``visit``, ``exercise``, ``agreement``,
``statement``, ``incident``); ``common``, ``parties``, ``dating``, ``names`` and ``merge``
hold what the types share. Each type module registers the type it extracts
(``EVENT_TYPE = register(...)``, ``kg.extract.grammar.EXTRACTORS``) and the stage refuses to
run unless they are exactly the types of ``kg/data/event_types.tsv``.
"""

from __future__ import annotations

from kg.extract.events.parties import is_venue
from kg.extract.events.stage import find_events

__all__ = ["find_events", "is_venue"]
