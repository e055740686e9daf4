"""Mapping: extraction records -> RDF statements, one named graph per article.

The only module that mints IRIs. IRIs are deterministic and readable (``state/JPN``,
``person/jane-doe``, ``article/<id>/event/meeting-92``) and there are no blank nodes, so
Turtle output is byte-stable and remote stores can address every node.

Statements are written straight as N-Triples text (``<s> <p> "o"``, terms in the canonical
form Oxigraph prints them in), which the store's bulk loader reads as it is; no RDF library
builds terms per article. :func:`extraction_quads` gives the same statements as pyoxigraph
quads, parsed from that text, for the code that needs terms.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import pyoxigraph as ox

from kg.event_types import event_types
from kg.lexicon import slugify
from kg.records import Claim, DateValue, Entity, Event, EventBasis, Extraction, Span
from kg.vocab import DATA, DKG, DKGC, GRAPH, NIF, OWL, RDF, RDFS, SKOS, XSD, ontology_dir

WIKIDATA = "http://www.wikidata.org/entity/"
ENTITY_CLASS = {
    "State": DKG.State,
    "Official": DKG.Official,
    "Organization": DKG.Organization,
    "Place": DKG.Place,
    "Commentator": DKG.Commentator,
}
EVENT_CLASS = {name: DKG[name] for name in event_types().names}  # kg/data/event_types.tsv
XSD_TYPES = {
    "date": XSD.date,
    "gYearMonth": XSD.gYearMonth,
    "gYear": XSD.gYear,
    "gMonthDay": XSD.gMonthDay,
}
CODES = str(DKGC)
XSD_STRING = str(XSD.string)

# --- N-Triples terms --------------------------------------------------------------------------


def iri(value: str) -> str:
    """An IRI in N-Triples form (Oxigraph's parser checks it when the text is loaded)."""
    return f"<{value}>"


#: Oxigraph's canonical escapes: ECHAR for the characters that have one, UCHAR for the other
#: C0 controls and DEL; everything else (U+2028, non-BMP characters...) as it is, in UTF-8.
_ESCAPES = {code: f"\\u{code:04X}" for code in (*range(0x20), 0x7F)} | {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_SPECIAL = re.compile('[\x00-\x1f"\\\\\x7f\ud800-\udfff]')
#: What a text rarely holds: the controls other than tab, newline and carriage return, DEL and
#: surrogates (without them, five ``str.replace`` calls are much faster than ``translate``).
_RARE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LANGTAG = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")


def literal(value: str, datatype: str | None = None, language: str | None = None) -> str:
    r"""A literal in N-Triples form, exactly as Oxigraph prints it (``str(ox.Literal(...))``).

    A language tag is written in lower case; ``xsd:string`` is left implicit. A lone
    surrogate (which no UTF-8 text holds) is a :class:`ValueError`.

    Examples
    --------
    >>> print(literal('say "hi"\n\x01'), literal("a", None, "en-GB"))
    "say \"hi\"\n\u0001" "a"@en-gb
    >>> print(literal("7", str(XSD.integer)))
    "7"^^<http://www.w3.org/2001/XMLSchema#integer>
    """
    if _SPECIAL.search(value) is not None:
        if _RARE.search(value) is None:
            value = (
                value.replace("\\", "\\\\")
                .replace('"', '\\"')
                .replace("\n", "\\n")
                .replace("\r", "\\r")
                .replace("\t", "\\t")
            )
        else:
            surrogate = _SURROGATE.search(value)
            if surrogate is not None:
                code = ord(surrogate.group())
                raise ValueError(f"a lone surrogate (U+{code:04X}) is not text")
            value = value.translate(_ESCAPES)
    if language is not None:
        if _LANGTAG.fullmatch(language) is None:
            raise ValueError(f"{language!r} is not a language tag")
        return f'"{value}"@{language.lower()}'
    if datatype is not None and datatype != XSD_STRING:
        return f'"{value}"^^<{datatype}>'
    return f'"{value}"'


_INTEGER = f"^^<{XSD.integer}>"


def integer(value: int) -> str:
    return f'"{value}"{_INTEGER}'


class _Names:
    """N-Triples IRIs of a vocabulary's terms, each converted once (``_Names(DKG).evidence``).

    Names are looked up in the vocabulary first, so a misspelt term of a closed namespace
    (``DKG``) is still an error.
    """

    def __init__(self, namespace: Any) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        value = iri(str(getattr(self._namespace, name)))
        self.__dict__[name] = value
        return value


D = _Names(DKG)
N = _Names(NIF)
T = iri(str(RDF.type))
LABEL = iri(str(RDFS.label))
PREF = iri(str(SKOS.prefLabel))
ALT = iri(str(SKOS.altLabel))
SAME_AS = iri(str(OWL.sameAs))


def graph_iri(article_id: str) -> str:
    return GRAPH + article_id


def article_iri(article_id: str) -> str:
    return f"{DATA}article/{article_id}"


def entity_iri(key: str, article_id: str) -> str:
    """IRI of an entity record key ("state:JPN" -> .../state/JPN)."""
    kind, _, rest = key.partition(":")
    if kind == "state":
        return f"{DATA}state/{rest}"
    if kind == "person":
        return f"{DATA}person/{rest}"
    if kind in ("place", "region"):
        return f"{DATA}place/{rest}"
    if kind == "org":
        return f"{DATA}org/{rest}"
    if kind == "agent":
        _, _, slug = rest.partition(":")
        return f"{DATA}article/{article_id}/agent/{slug}"
    raise ValueError(f"unknown entity key {key!r}")


def post_iri(iso3: str | None, role: str) -> str:
    return f"{DATA}post/{(iso3 or 'xxx').lower()}-{slugify(role)}"


def relation_iri(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return f"{DATA}relation/{first}-{second}"


def state(iso3: str) -> str:
    return f"<{DATA}state/{iso3}>"


def date_literal(value: DateValue) -> str:
    return literal(value.value, str(XSD_TYPES[value.datatype]))


@functools.lru_cache(maxsize=1)
def event_codes() -> dict[str, tuple[str | None, str | None]]:
    """PLOVER type and CAMEO code (N-Triples) of each event class, read from the ontology."""
    plover_p, cameo_p = str(DKG.ploverType), str(DKG.cameoCode)
    found: dict[tuple[str, str], str] = {}
    with (ontology_dir() / "defense.ttl").open("rb") as handle:
        for t in ox.parse(handle, format=ox.RdfFormat.TURTLE):
            if t.predicate.value in (plover_p, cameo_p) and isinstance(t.object, ox.NamedNode):
                found.setdefault((t.subject.value, t.predicate.value), iri(t.object.value))
    return {
        iri(str(cls)): (found.get((str(cls), plover_p)), found.get((str(cls), cameo_p)))
        for cls in EVENT_CLASS.values()
    }


_ORGANS = frozenset(
    {
        "defense-ministry",
        "foreign-ministry",
        "armed-forces",
        "army",
        "navy",
        "air-force",
        "coast-guard",
        "marine-corps",
    }
)


class _Writer:
    def __init__(self, extraction: Extraction) -> None:
        self.x = extraction
        self.aid = extraction.article.id
        self.base = f"{DATA}article/{self.aid}"
        self.art = iri(self.base)
        self.triples: set[str] = set()
        self.sentences_used: set[int] = set()
        self.shared = {e.key: e.shared_key for e in extraction.events if e.shared_key}

    def add(self, s: str, p: str, o: str) -> None:
        self.triples.add(f"{s} {p} {o}")

    def evidence(self, subject: str, span: Span) -> str:
        node = f"<{self.base}/evidence/{span.start}-{span.end}>"
        self.add(node, T, D.Evidence)
        self.add(node, N.beginIndex, integer(span.start))
        self.add(node, N.endIndex, integer(span.end))
        self.add(node, N.anchorOf, literal(span.text))
        self.add(node, D.inArticle, self.art)
        self.add(node, D.inSentence, self.sentence(span.sentence))
        self.add(subject, D.evidence, node)
        return node

    def sentence(self, index: int) -> str:
        node = f"<{self.base}/sentence/{index}>"
        if index not in self.sentences_used:
            self.sentences_used.add(index)
            sent = self.x.article.sentences[index]
            self.add(node, T, D.Sentence)
            self.add(node, D.sentenceIndex, integer(index))
            self.add(node, N.beginIndex, integer(sent.start))
            self.add(node, N.endIndex, integer(sent.end))
            self.add(node, N.anchorOf, literal(sent.text))
            self.add(node, D.inArticle, self.art)
        return node

    def event_iri(self, key: str) -> str:
        """An event's IRI: corpus-level when several articles can report it, else the article's."""
        shared = self.shared.get(key)
        if shared:
            return f"<{DATA}event/{shared}>"
        return f"<{self.base}/event/{key}>"

    def entity_ref(self, key: str) -> str:
        return iri(entity_iri(key, self.aid))

    # --- records --------------------------------------------------------------------------

    def article(self) -> None:
        a = self.x.article
        self.add(self.art, T, D.Article)
        self.add(self.art, D.articleId, literal(a.id))
        self.add(self.art, N.isString, literal(a.text))
        self.add(self.art, LABEL, literal(a.title or a.id))
        if a.title:
            self.add(self.art, D.title, literal(a.title))
        if a.published:
            self.add(self.art, D.published, literal(a.published.isoformat(), str(XSD.date)))
        if a.publisher:
            self.add(self.art, D.publisher, literal(a.publisher))
        if a.source:
            self.add(self.art, D.sourceUrl, literal(a.source, str(XSD.anyURI)))
        for key in self.x.sources:
            self.add(self.art, D.citesSource, self.entity_ref(key))

    def entity(self, e: Entity) -> None:
        node = self.entity_ref(e.key)
        cls = DKG.Region if e.kind == "region" else ENTITY_CLASS[e.type]
        self.add(node, T, iri(str(cls)))
        name = literal(e.name)
        self.add(node, LABEL, name)
        self.add(node, PREF, name)
        for alias in e.aliases:
            self.add(node, ALT, literal(alias))
        self.add(self.art, D.mentions, node)
        for span in e.mentions:
            self.evidence(node, span)
        if e.type == "State" and e.iso3:
            self.add(node, D.iso3, literal(e.iso3))
            if e.cow is not None:
                self.add(node, D.cowCode, integer(e.cow))
        elif e.state:
            self.add(node, D.ofState, state(e.state))
        if e.wikidata:
            self.add(node, SAME_AS, iri(WIKIDATA + e.wikidata))
        if e.located_in:
            self.add(node, D.locatedIn, self.entity_ref(e.located_in))
        if e.operated_by:
            self.add(node, D.operatedBy, self.entity_ref(e.operated_by))
        if e.type == "Official" and e.state and e.basis is not None:
            self.attribution(node, e)
        if e.type == "Official" and e.role:
            post = iri(post_iri(e.state, e.role))
            state_name = self._state_name(e.state)
            self.add(node, D.holdsPost, post)
            self.add(post, T, D.Post)
            label = f"{e.role} of {state_name}" if state_name else e.role
            self.add(post, LABEL, literal(label))
            self.add(post, PREF, literal(e.role))
            if e.state:
                self.add(post, D.ofState, state(e.state))
            self.add(
                post,
                D.postIn,
                self.entity_ref(e.post_org) if e.post_org else state(e.state) if e.state else node,
            )
            for span in e.mentions[:1]:
                self.evidence(post, span)
        if e.type == "Organization" and e.state and e.kind in _ORGANS:
            self.add(node, D.subOrganizationOf, state(e.state))

    def attribution(self, node: str, e: Entity) -> None:
        """Why an official serves its state: rule, inferred or not, and the evidence span."""
        assert e.basis is not None and e.state is not None
        attr = f"<{self.base}/attribution/{e.key.partition(':')[2]}-state>"
        self.add(node, D.attribution, attr)
        self.add(attr, T, D.Attribution)
        if e.basis.inferred:
            self.add(attr, T, D.InferredAttribution)
        self.add(attr, D.basisRule, literal(e.basis.rule))
        self.add(attr, D.attributedState, state(e.state))
        if e.basis.span is not None:
            self.evidence(attr, e.basis.span)

    def event_attribution(self, node: str, basis: EventBasis) -> None:
        """Why an event has a party (``party:ISO3``) or its status (``status:S``)."""
        kind, _, value = basis.fact.partition(":")
        if kind not in ("party", "status") or not value:
            return
        attr = f"{node[:-1]}/attribution/{kind}-{value}>"
        self.add(node, D.attribution, attr)
        self.add(attr, T, D.Attribution)
        if basis.inferred:
            self.add(attr, T, D.InferredAttribution)
        self.add(attr, D.basisRule, literal(basis.rule))
        if kind == "party":
            self.add(attr, D.attributedState, state(value))
        else:
            self.add(attr, D.attributedStatus, f"<{CODES}status-{value}>")
        if basis.span is not None:
            self.evidence(attr, basis.span)

    def _state_name(self, iso3: str | None) -> str | None:
        for e in self.x.entities:
            if e.type == "State" and e.iso3 == iso3:
                return e.name
        return None

    def event(self, e: Event) -> None:
        node = self.event_iri(e.key)
        cls = iri(str(EVENT_CLASS[e.type]))
        self.add(node, T, cls)
        self.add(node, LABEL, literal(e.label))
        if e.name:
            self.add(node, PREF, literal(e.name))
        plover, cameo = event_codes().get(cls, (None, None))
        if plover is not None:
            self.add(node, D.plover, plover)
        if e.cameo:  # set per event where its status says more ("057" signed)
            cameo = f"<{CODES}cameo-{e.cameo}>"
        if cameo is not None:
            self.add(node, D.cameo, cameo)
        if e.status:
            self.add(node, D.status, f"<{CODES}status-{e.status}>")
        if e.date:
            self.add(node, D.date, date_literal(e.date))
            self.add(node, D.dateText, literal(e.date.text))
        if e.end_date and e.end_date != e.date:
            self.add(node, D.endDate, date_literal(e.end_date))
        for party in e.parties:
            self.add(node, D.party, state(party))
        for basis in e.basis:
            self.event_attribution(node, basis)
        for a_index, a in enumerate(e.parties):
            for b in e.parties[a_index + 1 :]:
                rel = iri(relation_iri(a, b))
                self.add(node, D.relation, rel)
                self.add(rel, T, D.BilateralRelation)
                self.add(rel, D.relationState, state(a))
                self.add(rel, D.relationState, state(b))
                names = sorted(filter(None, (self._state_name(a), self._state_name(b))))
                label = " – ".join(names) if len(names) == 2 else f"{a} – {b}"
                self.add(rel, LABEL, literal(label))
        for person in e.participants:
            self.add(node, D.participant, self.entity_ref(person))
        if e.location:
            self.add(node, D.location, self.entity_ref(e.location))
        if e.destination:
            self.add(node, D.destination, self.entity_ref(e.destination))
        for area in e.areas:
            self.add(node, D.cooperationArea, iri(area))
        for domain in e.domains:
            self.add(node, D.exerciseDomain, iri(domain))
        for purpose in e.purposes:
            self.add(node, D.purpose, iri(purpose))
        if e.last_held:
            self.add(node, D.lastHeld, date_literal(e.last_held))
        if e.halted_since:
            self.add(node, D.haltedSince, date_literal(e.halted_since))
        if e.halted_by:
            self.add(node, D.haltedBy, self.event_iri(e.halted_by))
        if e.agreed_at:
            self.add(node, D.agreedAt, self.event_iri(e.agreed_at))
        for other in e.concerns:
            self.add(node, D.concerns, self.event_iri(other))
        if e.speaker:
            self.add(node, D.speaker, self.entity_ref(e.speaker))
        if e.quote:
            self.add(node, D.quote, literal(e.quote.text))
            self.evidence(node, e.quote)
        for span in e.evidence:
            self.evidence(node, span)

    def claim(self, c: Claim) -> None:
        node = f"<{self.base}/claim/{c.key}>"
        self.add(node, T, D.Claim)
        self.add(node, LABEL, literal(_short(c.text.text)))
        self.add(node, D.claimText, literal(c.text.text))
        self.add(node, D.claimKind, f"<{CODES}claimkind-{c.kind}>")
        self.add(node, D.speaker, self.entity_ref(c.speaker))
        for prop, states in (
            (D.about, c.about),
            (D.ally, c.ally),
            (D.frameworkMember, c.framework),
            (D.target, c.target),
        ):
            for iso3 in states:
                self.add(node, prop, state(iso3))
        self.evidence(node, c.text)
        for span in c.evidence:
            self.evidence(node, span)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def extraction_triples(extraction: Extraction) -> list[str]:
    """Every statement of one article's named graph as N-Triples text ``<s> <p> o`` (no final
    `` .``), each once, sorted (deterministic)."""
    writer = _Writer(extraction)
    writer.article()
    for entity in extraction.entities:
        writer.entity(entity)
    for event in extraction.events:
        writer.event(event)
    for claim in extraction.claims:
        writer.claim(claim)
    return sorted(writer.triples)


def extraction_quads(extraction: Extraction) -> list[ox.Quad]:
    """:func:`extraction_triples` as pyoxigraph quads in the article's graph (same order).

    Parsed from the same text, so both forms always agree; a term that is not RDF is a
    :class:`SyntaxError` from Oxigraph's parser.
    """
    from kg.store import statement_triples

    graph = ox.NamedNode(graph_iri(extraction.article.id))
    return [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        for t in statement_triples(extraction_triples(extraction))
    ]


__all__ = [
    "extraction_triples",
    "extraction_quads",
    "graph_iri",
    "article_iri",
    "entity_iri",
    "post_iri",
    "relation_iri",
    "literal",
    "iri",
]
