"""Mapping: extraction records -> RDF quads, one named graph per article.

The only module that mints IRIs. IRIs are deterministic and readable (``state/JPN``,
``person/jane-doe``, ``article/<id>/event/meeting-92``) and there are no blank nodes, so
Turtle output is byte-stable and remote stores can address every node.
"""

from __future__ import annotations

import functools

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from kg.event_types import event_types
from kg.lexicon import slugify
from kg.records import Claim, DateValue, Entity, Event, EventBasis, Extraction, Span
from kg.vocab import DKG, DKGC, DKGG, DKGR, NIF, ontology_dir

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

Quad = tuple[URIRef, URIRef, URIRef | Literal, URIRef]


def graph_iri(article_id: str) -> URIRef:
    return DKGG[article_id]


def article_iri(article_id: str) -> URIRef:
    return DKGR[f"article/{article_id}"]


def entity_iri(key: str, article_id: str) -> URIRef:
    """IRI of an entity record key ("state:JPN" -> .../state/JPN)."""
    kind, _, rest = key.partition(":")
    if kind == "state":
        return DKGR[f"state/{rest}"]
    if kind == "person":
        return DKGR[f"person/{rest}"]
    if kind in ("place", "region"):
        return DKGR[f"place/{rest}"]
    if kind == "org":
        return DKGR[f"org/{rest}"]
    if kind == "agent":
        _, _, slug = rest.partition(":")
        return DKGR[f"article/{article_id}/agent/{slug}"]
    raise ValueError(f"unknown entity key {key!r}")


def post_iri(iso3: str | None, role: str) -> URIRef:
    return DKGR[f"post/{(iso3 or 'xxx').lower()}-{slugify(role)}"]


def relation_iri(a: str, b: str) -> URIRef:
    first, second = sorted((a, b))
    return DKGR[f"relation/{first}-{second}"]


def date_literal(value: DateValue) -> Literal:
    return Literal(value.value, datatype=XSD_TYPES[value.datatype])


@functools.lru_cache(maxsize=1)
def event_codes() -> dict[URIRef, tuple[URIRef | None, URIRef | None]]:
    """PLOVER type and CAMEO code of each event class, read from the ontology."""
    graph = Graph()
    graph.parse(ontology_dir() / "defense.ttl", format="turtle")
    codes: dict[URIRef, tuple[URIRef | None, URIRef | None]] = {}
    for cls in EVENT_CLASS.values():
        plover = graph.value(cls, DKG.ploverType)
        cameo = graph.value(cls, DKG.cameoCode)
        codes[cls] = (
            plover if isinstance(plover, URIRef) else None,
            cameo if isinstance(cameo, URIRef) else None,
        )
    return codes


class _Writer:
    def __init__(self, extraction: Extraction) -> None:
        self.x = extraction
        self.aid = extraction.article.id
        self.g = graph_iri(self.aid)
        self.art = article_iri(self.aid)
        self.quads: set[Quad] = set()
        self.sentences_used: set[int] = set()
        self.shared = {e.key: e.shared_key for e in extraction.events if e.shared_key}

    def add(self, s: URIRef, p: URIRef, o: URIRef | Literal) -> None:
        self.quads.add((s, p, o, self.g))

    def evidence(self, subject: URIRef, span: Span) -> URIRef:
        node = DKGR[f"article/{self.aid}/evidence/{span.start}-{span.end}"]
        self.add(node, RDF.type, DKG.Evidence)
        self.add(node, NIF.beginIndex, Literal(span.start, datatype=XSD.integer))
        self.add(node, NIF.endIndex, Literal(span.end, datatype=XSD.integer))
        self.add(node, NIF.anchorOf, Literal(span.text))
        self.add(node, DKG.inArticle, self.art)
        self.add(node, DKG.inSentence, self.sentence(span.sentence))
        self.add(subject, DKG.evidence, node)
        return node

    def sentence(self, index: int) -> URIRef:
        node = DKGR[f"article/{self.aid}/sentence/{index}"]
        if index not in self.sentences_used:
            self.sentences_used.add(index)
            sent = self.x.article.sentences[index]
            self.add(node, RDF.type, DKG.Sentence)
            self.add(node, DKG.sentenceIndex, Literal(index, datatype=XSD.integer))
            self.add(node, NIF.beginIndex, Literal(sent.start, datatype=XSD.integer))
            self.add(node, NIF.endIndex, Literal(sent.end, datatype=XSD.integer))
            self.add(node, NIF.anchorOf, Literal(sent.text))
            self.add(node, DKG.inArticle, self.art)
        return node

    def event_iri(self, key: str) -> URIRef:
        """An event's IRI: corpus-level when several articles can report it, else the article's."""
        shared = self.shared.get(key)
        if shared:
            return DKGR[f"event/{shared}"]
        return DKGR[f"article/{self.aid}/event/{key}"]

    def entity_ref(self, key: str) -> URIRef:
        return entity_iri(key, self.aid)

    # --- records --------------------------------------------------------------------------

    def article(self) -> None:
        a = self.x.article
        self.add(self.art, RDF.type, DKG.Article)
        self.add(self.art, DKG.articleId, Literal(a.id))
        self.add(self.art, NIF.isString, Literal(a.text))
        self.add(self.art, RDFS.label, Literal(a.title or a.id))
        if a.title:
            self.add(self.art, DKG.title, Literal(a.title))
        if a.published:
            self.add(self.art, DKG.published, Literal(a.published.isoformat(), datatype=XSD.date))
        if a.publisher:
            self.add(self.art, DKG.publisher, Literal(a.publisher))
        if a.source:
            self.add(self.art, DKG.sourceUrl, Literal(a.source, datatype=XSD.anyURI))
        for key in self.x.sources:
            self.add(self.art, DKG.citesSource, self.entity_ref(key))

    def entity(self, e: Entity) -> None:
        node = self.entity_ref(e.key)
        self.add(node, RDF.type, DKG.Region if e.kind == "region" else ENTITY_CLASS[e.type])
        self.add(node, RDFS.label, Literal(e.name))
        self.add(node, SKOS.prefLabel, Literal(e.name))
        for alias in e.aliases:
            self.add(node, SKOS.altLabel, Literal(alias))
        self.add(self.art, DKG.mentions, node)
        for span in e.mentions:
            self.evidence(node, span)
        if e.type == "State" and e.iso3:
            self.add(node, DKG.iso3, Literal(e.iso3))
            if e.cow is not None:
                self.add(node, DKG.cowCode, Literal(e.cow, datatype=XSD.integer))
        elif e.state:
            self.add(node, DKG.ofState, DKGR[f"state/{e.state}"])
        if e.wikidata:
            self.add(node, OWL.sameAs, URIRef(WIKIDATA + e.wikidata))
        if e.located_in:
            self.add(node, DKG.locatedIn, self.entity_ref(e.located_in))
        if e.operated_by:
            self.add(node, DKG.operatedBy, self.entity_ref(e.operated_by))
        if e.type == "Official" and e.state and e.basis is not None:
            self.attribution(node, e)
        if e.type == "Official" and e.role:
            post = post_iri(e.state, e.role)
            state_name = self._state_name(e.state)
            self.add(node, DKG.holdsPost, post)
            self.add(post, RDF.type, DKG.Post)
            label = f"{e.role} of {state_name}" if state_name else e.role
            self.add(post, RDFS.label, Literal(label))
            self.add(post, SKOS.prefLabel, Literal(e.role))
            if e.state:
                self.add(post, DKG.ofState, DKGR[f"state/{e.state}"])
            self.add(
                post,
                DKG.postIn,
                self.entity_ref(e.post_org)
                if e.post_org
                else DKGR[f"state/{e.state}"]
                if e.state
                else node,
            )
            for span in e.mentions[:1]:
                self.evidence(post, span)
        if (
            e.type == "Organization"
            and e.state
            and e.kind
            in (
                "defense-ministry",
                "foreign-ministry",
                "armed-forces",
                "army",
                "navy",
                "air-force",
                "coast-guard",
                "marine-corps",
            )
        ):
            self.add(node, DKG.subOrganizationOf, DKGR[f"state/{e.state}"])

    def attribution(self, node: URIRef, e: Entity) -> None:
        """Why an official serves its state: rule, inferred or not, and the evidence span."""
        assert e.basis is not None
        attr = DKGR[f"article/{self.aid}/attribution/{e.key.partition(':')[2]}-state"]
        self.add(node, DKG.attribution, attr)
        self.add(attr, RDF.type, DKG.Attribution)
        if e.basis.inferred:
            self.add(attr, RDF.type, DKG.InferredAttribution)
        self.add(attr, DKG.basisRule, Literal(e.basis.rule))
        self.add(attr, DKG.attributedState, DKGR[f"state/{e.state}"])
        if e.basis.span is not None:
            self.evidence(attr, e.basis.span)

    def event_attribution(self, node: URIRef, basis: EventBasis) -> None:
        """Why an event has a party (``party:ISO3``) or its status (``status:S``)."""
        kind, _, value = basis.fact.partition(":")
        if kind not in ("party", "status") or not value:
            return
        attr = URIRef(f"{node}/attribution/{kind}-{value}")
        self.add(node, DKG.attribution, attr)
        self.add(attr, RDF.type, DKG.Attribution)
        if basis.inferred:
            self.add(attr, RDF.type, DKG.InferredAttribution)
        self.add(attr, DKG.basisRule, Literal(basis.rule))
        if kind == "party":
            self.add(attr, DKG.attributedState, DKGR[f"state/{value}"])
        else:
            self.add(attr, DKG.attributedStatus, DKGC[f"status-{value}"])
        if basis.span is not None:
            self.evidence(attr, basis.span)

    def _state_name(self, iso3: str | None) -> str | None:
        for e in self.x.entities:
            if e.type == "State" and e.iso3 == iso3:
                return e.name
        return None

    def event(self, e: Event) -> None:
        node = self.event_iri(e.key)
        cls = EVENT_CLASS[e.type]
        self.add(node, RDF.type, cls)
        self.add(node, RDFS.label, Literal(e.label))
        if e.name:
            self.add(node, SKOS.prefLabel, Literal(e.name))
        plover, cameo = event_codes().get(cls, (None, None))
        if plover is not None:
            self.add(node, DKG.plover, plover)
        if e.cameo:  # set per event where its status says more ("057" signed)
            cameo = DKGC[f"cameo-{e.cameo}"]
        if cameo is not None:
            self.add(node, DKG.cameo, cameo)
        if e.status:
            self.add(node, DKG.status, DKGC[f"status-{e.status}"])
        if e.date:
            self.add(node, DKG.date, date_literal(e.date))
            self.add(node, DKG.dateText, Literal(e.date.text))
        if e.end_date and e.end_date != e.date:
            self.add(node, DKG.endDate, date_literal(e.end_date))
        for state in e.parties:
            self.add(node, DKG.party, DKGR[f"state/{state}"])
        for basis in e.basis:
            self.event_attribution(node, basis)
        for a_index, a in enumerate(e.parties):
            for b in e.parties[a_index + 1 :]:
                rel = relation_iri(a, b)
                self.add(node, DKG.relation, rel)
                self.add(rel, RDF.type, DKG.BilateralRelation)
                self.add(rel, DKG.relationState, DKGR[f"state/{a}"])
                self.add(rel, DKG.relationState, DKGR[f"state/{b}"])
                names = sorted(filter(None, (self._state_name(a), self._state_name(b))))
                self.add(
                    rel, RDFS.label, Literal(" – ".join(names) if len(names) == 2 else f"{a} – {b}")
                )
        for person in e.participants:
            self.add(node, DKG.participant, self.entity_ref(person))
        if e.location:
            self.add(node, DKG.location, self.entity_ref(e.location))
        if e.destination:
            self.add(node, DKG.destination, self.entity_ref(e.destination))
        for iri in e.areas:
            self.add(node, DKG.cooperationArea, URIRef(iri))
        for iri in e.domains:
            self.add(node, DKG.exerciseDomain, URIRef(iri))
        for iri in e.purposes:
            self.add(node, DKG.purpose, URIRef(iri))
        if e.last_held:
            self.add(node, DKG.lastHeld, date_literal(e.last_held))
        if e.halted_since:
            self.add(node, DKG.haltedSince, date_literal(e.halted_since))
        if e.halted_by:
            self.add(node, DKG.haltedBy, self.event_iri(e.halted_by))
        if e.agreed_at:
            self.add(node, DKG.agreedAt, self.event_iri(e.agreed_at))
        for other in e.concerns:
            self.add(node, DKG.concerns, self.event_iri(other))
        if e.speaker:
            self.add(node, DKG.speaker, self.entity_ref(e.speaker))
        if e.quote:
            self.add(node, DKG.quote, Literal(e.quote.text))
            self.evidence(node, e.quote)
        for span in e.evidence:
            self.evidence(node, span)

    def claim(self, c: Claim) -> None:
        node = DKGR[f"article/{self.aid}/claim/{c.key}"]
        self.add(node, RDF.type, DKG.Claim)
        self.add(node, RDFS.label, Literal(_short(c.text.text)))
        self.add(node, DKG.claimText, Literal(c.text.text))
        self.add(node, DKG.claimKind, DKGC[f"claimkind-{c.kind}"])
        self.add(node, DKG.speaker, self.entity_ref(c.speaker))
        for prop, states in (
            (DKG.about, c.about),
            (DKG.ally, c.ally),
            (DKG.frameworkMember, c.framework),
            (DKG.target, c.target),
        ):
            for state in states:
                self.add(node, prop, DKGR[f"state/{state}"])
        self.evidence(node, c.text)
        for span in c.evidence:
            self.evidence(node, span)


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def extraction_quads(extraction: Extraction) -> list[Quad]:
    """Every quad of one article's named graph, sorted (deterministic)."""
    writer = _Writer(extraction)
    writer.article()
    for entity in extraction.entities:
        writer.entity(entity)
    for event in extraction.events:
        writer.event(event)
    for claim in extraction.claims:
        writer.claim(claim)
    return sorted(writer.quads, key=lambda q: (str(q[0]), str(q[1]), str(q[2]), repr(q[2])))


__all__ = ["extraction_quads", "graph_iri", "article_iri", "entity_iri", "post_iri", "relation_iri"]
