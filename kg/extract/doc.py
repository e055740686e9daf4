"""The working document that extraction stages enrich, one stage after another."""

from __future__ import annotations

from dataclasses import dataclass, field

from kg.article import Article, Sentence
from kg.lexicon import Lexicon, Token, tokenize
from kg.records import Claim, DateValue, Event, Span


@dataclass(slots=True)
class Mention:
    """A span that refers to an entity (``key``) in the lexicon or found by a pattern."""

    start: int
    end: int
    text: str
    key: str
    type: str  # State | Official | Organization | Place | Region | Commentator
    how: str  # name | adjective | seat | possessive | title | pronoun | pattern | surname
    state: str | None = None  # the state the referent belongs to


@dataclass(slots=True)
class EntityDraft:
    key: str
    type: str
    name: str
    aliases: set[str] = field(default_factory=set)
    iso3: str | None = None
    state: str | None = None
    role: str | None = None
    post_org: str | None = None
    kind: str | None = None
    wikidata: str | None = None
    cow: int | None = None
    located_in: str | None = None
    operated_by: str | None = None
    name_tokens: tuple[str, ...] = ()


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    value: DateValue
    end_value: DateValue | None = None
    used: bool = False


@dataclass(slots=True)
class Doc:
    article: Article
    lexicon: Lexicon
    tokens: list[Token] = field(init=False)
    mentions: list[Mention] = field(default_factory=list)
    entities: dict[str, EntityDraft] = field(default_factory=dict)
    dates: list[DateMention] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    claim_sentences: set[int] = field(default_factory=set)
    named_spans: list[tuple[int, int, str, str]] = field(
        default_factory=list
    )  # exercise/agreement names
    sources: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.tokens = tokenize(self.article.text)

    def span(self, start: int, end: int) -> Span:
        text = self.article.text
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        return Span(start, end, text[start:end], self.article.sentence_at(start).index)

    def sentence_span(self, sentence: Sentence) -> Span:
        return Span(sentence.start, sentence.end, sentence.text, sentence.index)

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def occupied(self, start: int, end: int) -> bool:
        return any(m.start < end and start < m.end for m in self.mentions)

    def add_entity(self, draft: EntityDraft) -> EntityDraft:
        existing = self.entities.get(draft.key)
        if existing is None:
            self.entities[draft.key] = draft
            return draft
        existing.aliases |= draft.aliases
        for attr in ("iso3", "state", "role", "post_org", "kind", "wikidata", "cow"):
            if getattr(existing, attr) is None and getattr(draft, attr) is not None:
                setattr(existing, attr, getattr(draft, attr))
        for attr in ("located_in", "operated_by"):
            if getattr(existing, attr) is None and getattr(draft, attr) is not None:
                setattr(existing, attr, getattr(draft, attr))
        return existing

    def state_of(self, key: str) -> str | None:
        if key.startswith("state:"):
            return key[6:]
        draft = self.entities.get(key)
        return draft.state if draft else None

    def date_value(self, start: int, end: int) -> DateValue | None:
        for mention in self.dates:
            if mention.start >= start and mention.end <= end:
                return mention.value
        return None
