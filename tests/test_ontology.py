"""The ontology files parse everywhere, declare exactly the vocabulary the code uses, are
logically consistent, and their SHACL shapes accept good graphs and reject broken ones."""

from __future__ import annotations

import collections
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
import rdflib.term
from conftest import require_module, require_tool
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

from kg.vocab import DKG, DKGC, DKGR, NIF, bind_prefixes, ontology_dir

XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")
XSD_DATE = URIRef("http://www.w3.org/2001/XMLSchema#date")
XSD_GMONTHDAY = URIRef("http://www.w3.org/2001/XMLSchema#gMonthDay")

ONTOLOGY_FILES = ("defense.ttl", "codes.ttl", "shapes.ttl")
DKG_NS = str(DKG._NS)
DKGC_NS = str(DKGC)
SH = Namespace("http://www.w3.org/ns/shacl#")
DKGSH = Namespace("https://w3id.org/defense-kg/shapes#")
STANDARD_NAMESPACES = (
    "http://www.w3.org/ns/prov#",
    "http://www.w3.org/ns/org#",
    "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "https://schema.org/",
    "http://xmlns.com/foaf/0.1/",
    "http://www.w3.org/2004/02/skos/core#",
    "http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#",
    "http://purl.org/dc/terms/",
)
DECLARATION_TYPES = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)


def _load(name: str) -> Graph:
    return Graph().parse(ontology_dir() / name, format="turtle")


@pytest.fixture(scope="module")
def defense() -> Graph:
    return _load("defense.ttl")


@pytest.fixture(scope="module")
def codes() -> Graph:
    return _load("codes.ttl")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return _load("shapes.ttl")


def _require_tool(name: str) -> str:
    """Path of an external tool (Debian packages that make test-deps installs)."""
    return require_tool(name, "make test-deps")


def _dkg_terms(graph: Graph) -> set[str]:
    return {
        str(s)[len(DKG_NS) :]
        for t in DECLARATION_TYPES
        for s in graph.subjects(RDF.type, t)
        if str(s).startswith(DKG_NS)
    }


def _iris(graph: Graph) -> Iterator[URIRef]:
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                yield term


# (a) parsing ----------------------------------------------------------------------------------


def test_ontology_dir_holds_the_three_files() -> None:
    assert sorted(p.name for p in ontology_dir().glob("*.ttl")) == sorted(ONTOLOGY_FILES)


@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_file_parses_identically_with_rdflib_and_pyoxigraph(name: str) -> None:
    path = ontology_dir() / name
    graph = _load(name)
    quads = list(pyoxigraph.parse(path=str(path), format=pyoxigraph.RdfFormat.TURTLE))
    store = pyoxigraph.Store()
    store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    assert len(graph) > 100
    assert len(set(quads)) == len(graph)
    assert len(store) == len(graph)


@pytest.mark.external
@pytest.mark.parametrize("name", ONTOLOGY_FILES)
def test_rapper_counts_the_same_triples_as_rdflib(name: str) -> None:
    rapper = _require_tool("rapper")
    path = ontology_dir() / name
    result = subprocess.run(
        [rapper, "-i", "turtle", "-c", str(path)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert f"returned {len(_load(name))} triples" in result.stderr


def test_data_files_have_no_blank_nodes(defense: Graph, codes: Graph) -> None:
    for graph in (defense, codes):
        assert not [t for t in graph if any(isinstance(x, BNode) for x in t)]


# (c) documentation and alignment --------------------------------------------------------------


def test_ontology_header(defense: Graph) -> None:
    onto = URIRef("https://w3id.org/defense-kg/ontology")
    assert (onto, RDF.type, OWL.Ontology) in defense
    assert defense.value(onto, OWL.versionInfo) == Literal("0.1.0")
    assert defense.value(onto, RDFS.label).language == "en"
    assert defense.value(onto, RDFS.comment).language == "en"
    assert defense.value(onto, URIRef("http://purl.org/dc/terms/license")) is not None
    assert not list(defense.objects(onto, OWL.imports))


def test_every_dkg_term_has_english_label_and_comment(defense: Graph) -> None:
    for name in _dkg_terms(defense):
        term = DKG[name]
        labels = list(defense.objects(term, RDFS.label))
        comments = list(defense.objects(term, RDFS.comment))
        assert [lab.language for lab in labels] == ["en"], name
        assert [c.language for c in comments] == ["en"], name


@pytest.mark.parametrize(
    ("kind", "link"),
    [
        (OWL.Class, RDFS.subClassOf),
        (OWL.ObjectProperty, RDFS.subPropertyOf),
        (OWL.DatatypeProperty, RDFS.subPropertyOf),
    ],
)
def test_every_dkg_term_is_aligned_to_a_standard_term(
    defense: Graph, kind: URIRef, link: URIRef
) -> None:
    def reaches_standard(term: URIRef, seen: frozenset[URIRef]) -> bool:
        for parent in defense.objects(term, link):
            if str(parent).startswith(STANDARD_NAMESPACES):
                assert (parent, RDF.type, kind) in defense, f"{parent} is not declared"
                return True
            if str(parent).startswith(DKG_NS) and parent not in seen:
                if reaches_standard(parent, seen | {parent}):
                    return True
        return False

    terms = [t for t in defense.subjects(RDF.type, kind) if str(t).startswith(DKG_NS)]
    assert terms
    unaligned = sorted(str(t) for t in terms if not reaches_standard(t, frozenset({t})))
    # No standard property links a node to a span that mentions it (see its comment).
    assert unaligned == ([str(DKG.evidence)] if kind == OWL.ObjectProperty else [])


PROV = Namespace("http://www.w3.org/ns/prov#")
SCHEMA = Namespace("https://schema.org/")
XSD_NNI = URIRef("http://www.w3.org/2001/XMLSchema#nonNegativeInteger")


def test_evidence_is_not_a_derivation_and_spans_are_quoted_from_their_article(
    defense: Graph,
) -> None:
    assert list(defense.objects(DKG.evidence, RDFS.subPropertyOf)) == []
    assert not [t for t in defense if PROV.wasDerivedFrom in t]
    assert set(defense.objects(DKG.inArticle, RDFS.subPropertyOf)) == {
        NIF.referenceContext,
        PROV.wasQuotedFrom,
    }
    assert (PROV.wasQuotedFrom, RDF.type, OWL.ObjectProperty) in defense


def test_publisher_is_a_name_annotation_not_schema_publisher(defense: Graph) -> None:
    """schema:publisher takes an Organization or Person; ours is the front matter's name."""
    assert not [t for t in defense if SCHEMA.publisher in t]
    assert set(defense.objects(DKG.publisher, RDF.type)) == {OWL.AnnotationProperty}
    assert list(defense.objects(DKG.publisher, RDFS.subPropertyOf)) == []
    assert defense.value(DKG.publisher, RDFS.range) == XSD_STRING


def test_publisher_name_is_still_written_as_before(tmp_path: Path) -> None:
    from kg.article import read_article
    from kg.extract import extract
    from kg.mapping import extraction_quads

    path = tmp_path / "a.txt"
    path.write_text(
        "---\nid: pub\npublisher: Example Wire\n---\n\nJapan and Fiji held talks.\n",
        encoding="utf-8",
    )
    quads = extraction_quads(extract(read_article(path)))
    assert [
        (q.subject.value, q.object) for q in quads if q.predicate.value == str(DKG.publisher)
    ] == [(str(DKGR["article/pub"]), pyoxigraph.Literal("Example Wire"))]


def test_nif_offsets_have_nifs_range_and_are_stored_as_integers(defense: Graph) -> None:
    """NIF's range of the offsets is restated (HermiT checks it: tests/test_reasoner.py). The
    values are xsd:integer, which are xsd:nonNegativeInteger values when >= 0 (shapes.ttl checks
    that): Oxigraph stores every literal of a type derived from xsd:integer as xsd:integer, so
    a derived type written would not be read back."""
    for prop in (NIF.beginIndex, NIF.endIndex):
        assert defense.value(prop, RDFS.range) == XSD_NNI
    store = pyoxigraph.Store()
    five = pyoxigraph.Literal("5", datatype=pyoxigraph.NamedNode(str(XSD_NNI)))
    store.add(
        pyoxigraph.Quad(pyoxigraph.NamedNode("urn:x:s"), pyoxigraph.NamedNode("urn:x:p"), five)
    )
    (quad,) = store
    assert quad.object.datatype.value == "http://www.w3.org/2001/XMLSchema#integer"


def test_no_web_annotation_prefix_is_left_unused(
    defense: Graph, codes: Graph, shapes: Graph
) -> None:
    from kg.vocab import PREFIXES

    oa = "http://www.w3.org/ns/oa#"
    assert oa not in PREFIXES.values() and "oa" not in PREFIXES
    for graph in (defense, codes, shapes):
        assert not [iri for iri in _iris(graph) if str(iri).startswith(oa)]


def test_no_domain_makes_claims_events(defense: Graph) -> None:
    """Properties shared by claims and events must not have an event domain."""
    for name in ("evidence", "party", "relation", "speaker", "concerns"):
        assert defense.value(DKG[name], RDFS.domain) is None, name


def test_disjointness(defense: Graph) -> None:
    events = ["Meeting", "Visit", "Exercise", "Agreement", "Statement", "Incident"]
    for i, a in enumerate(events):
        for b in events[i + 1 :]:
            pair = {(DKG[a], OWL.disjointWith, DKG[b]), (DKG[b], OWL.disjointWith, DKG[a])}
            assert len(pair & set(defense)) == 1, (a, b)
    assert (DKG.Event, OWL.disjointWith, DKG.Claim) in defense
    for other in ("Official", "Place", "Organization"):
        assert (DKG.State, OWL.disjointWith, DKG[other]) in defense


# (d) the Python vocabulary matches the ontology -----------------------------------------------


def test_defined_namespace_lists_exactly_the_ontology_terms(defense: Graph) -> None:
    declared = {name for name in DKG.__annotations__ if not name.startswith("_")}
    assert declared == _dkg_terms(defense)
    assert len(declared) == 78


def test_defined_namespace_rejects_unknown_terms() -> None:
    assert DKG.Meeting == URIRef(DKG_NS + "Meeting")
    with pytest.raises(AttributeError):
        DKG.Meting  # noqa: B018


def test_all_files_use_only_declared_terms_and_concepts(
    defense: Graph, codes: Graph, shapes: Graph
) -> None:
    terms = _dkg_terms(defense)
    concepts = {str(s) for s in codes.subjects(RDF.type, SKOS.Concept)}
    schemes = {str(s) for s in codes.subjects(RDF.type, SKOS.ConceptScheme)}
    for graph in (defense, codes, shapes):
        for iri in _iris(graph):
            if str(iri).startswith(DKG_NS):
                assert str(iri)[len(DKG_NS) :] in terms, iri
            elif str(iri).startswith(DKGC_NS):
                assert str(iri) in concepts | schemes, iri


def test_bind_prefixes_gives_our_prefixes_and_no_ns1() -> None:
    graph = bind_prefixes(Graph())
    graph.add((DKGR["state/JPN"], RDF.type, DKG.State))
    graph.add((DKGR["state/JPN"], DKG.evidence, DKGR["article/a/evidence/0-5"]))
    graph.add((DKGR["article/a/evidence/0-5"], NIF.beginIndex, Literal(0)))
    graph.add((DKGR["e"], DKG.status, DKGC["status-held"]))
    text = graph.serialize(format="turtle")
    assert "@prefix dkg: <https://w3id.org/defense-kg/ontology#> ." in text
    assert "@prefix dkgc: <https://w3id.org/defense-kg/code/> ." in text
    assert "@prefix dkgr: <https://w3id.org/defense-kg/id/> ." in text
    assert (
        "@prefix nif: <http://persistence.uni-leipzig.org/nlp2rdf/ontologies/nif-core#> ." in text
    )
    assert "ns1" not in text


# (e) logical consistency with HermiT -----------------------------------------------------------


def _hermit(tmp_path: Path, extra: Graph | None = None) -> list[object]:
    """Run HermiT on defense.ttl + codes.ttl (+ extra); return the unsatisfiable classes."""
    _require_tool("java")
    owlready2 = require_module("owlready2")
    merged = _load("defense.ttl") + _load("codes.ttl")
    if extra is not None:
        merged += extra
    path = tmp_path / "merged.nt"
    merged.serialize(path, format="nt", encoding="utf-8")
    world = owlready2.World()
    world.get_ontology(path.as_uri()).load()
    owlready2.sync_reasoner_hermit(world, infer_property_values=False, debug=0)
    return list(world.inconsistent_classes())


@pytest.mark.external
@pytest.mark.slow
def test_hermit_finds_the_ontology_consistent_and_all_classes_satisfiable(
    tmp_path: Path,
) -> None:
    assert _hermit(tmp_path) == []


@pytest.mark.external
@pytest.mark.slow
@pytest.mark.parametrize(
    "triples",
    [
        [(RDF.type, DKG.Claim), (RDF.type, DKG.Meeting)],
        [(RDF.type, DKG.Claim), (DKG.status, DKGC["status-held"])],
        [(RDF.type, DKG.State), (RDF.type, DKG.Place)],
    ],
    ids=["claim-as-meeting", "claim-with-status", "state-as-place"],
)
def test_hermit_rejects_contradictions(
    tmp_path: Path, triples: list[tuple[URIRef, URIRef]]
) -> None:
    owlready2 = require_module("owlready2")
    extra = Graph()
    node = DKGR["test/x"]
    for predicate, obj in triples:
        extra.add((node, predicate, obj))
    with pytest.raises(owlready2.OwlReadyInconsistentOntologyError):
        _hermit(tmp_path, extra)


# (f) event classes carry PLOVER and CAMEO codes ------------------------------------------------

EXPECTED_EVENT_CODES = {
    "Meeting": ("CONSULT", "040"),
    "Visit": ("CONSULT", "042"),
    "Exercise": ("COOPERATE", "062"),
    "Agreement": ("AGREE", "030"),
    "Statement": (None, "010"),
    "Incident": ("ACCUSE", "110"),
}


@pytest.mark.parametrize(("name", "expected"), sorted(EXPECTED_EVENT_CODES.items()))
def test_event_class_codes(
    defense: Graph, codes: Graph, name: str, expected: tuple[str | None, str]
) -> None:
    plover, cameo = expected
    cls = DKG[name]
    assert (cls, RDFS.subClassOf, DKG.Event) in defense
    plover_concept = defense.value(cls, DKG.ploverType)
    if plover is None:
        assert plover_concept is None
    else:
        assert plover_concept == DKGC[f"plover-{plover}"]
        assert (plover_concept, SKOS.inScheme, DKGC.PloverScheme) in codes
        assert codes.value(plover_concept, SKOS.notation) == Literal(plover)
    cameo_concept = defense.value(cls, DKG.cameoCode)
    assert cameo_concept == DKGC[f"cameo-{cameo}"]
    assert (cameo_concept, SKOS.inScheme, DKGC.CameoScheme) in codes
    assert codes.value(cameo_concept, SKOS.notation) == Literal(cameo)


def test_plover_scheme_has_the_sixteen_plover_categories(codes: Graph) -> None:
    top = {
        str(codes.value(c, SKOS.notation))
        for c in codes.subjects(SKOS.topConceptOf, DKGC.PloverScheme)
    }
    assert top == {
        "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
        "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
    }  # fmt: skip
    for old, new in (("DEMAND", "REQUEST"), ("DISAPPROVE", "ACCUSE")):
        concept = DKGC[f"plover-{old}"]
        assert codes.value(concept, OWL.deprecated) == Literal(True)
        assert (
            codes.value(concept, URIRef("http://purl.org/dc/terms/isReplacedBy"))
            == DKGC[f"plover-{new}"]
        )


def test_cameo_codes_have_real_names_and_valid_hierarchy(codes: Graph) -> None:
    names = {
        str(codes.value(c, SKOS.notation)): str(codes.value(c, SKOS.prefLabel))
        for c in codes.subjects(SKOS.inScheme, DKGC.CameoScheme)
    }
    assert names["010"] == "Make statement"
    assert names["040"] == "Consult"
    assert names["042"] == "Make a visit"
    assert names["043"] == "Host a visit"
    assert names["046"] == "Engage in negotiation"
    assert names["057"] == "Sign formal agreement"
    assert names["062"] == "Cooperate militarily"
    assert names["111"] == "Criticize or denounce"
    for concept in codes.subjects(SKOS.inScheme, DKGC.CameoScheme):
        notation = str(codes.value(concept, SKOS.notation))
        assert concept == DKGC[f"cameo-{notation}"]
        parent = codes.value(concept, SKOS.broader)
        if len(notation) == 2:
            assert parent is None
        else:
            assert parent == DKGC[f"cameo-{notation[:-1] if len(notation) == 4 else notation[:2]}"]
        for match in codes.objects(concept, SKOS.broadMatch):
            assert (match, SKOS.topConceptOf, DKGC.PloverScheme) in codes


def test_every_concept_is_complete(codes: Graph) -> None:
    schemes = set(codes.subjects(RDF.type, SKOS.ConceptScheme))
    assert {str(s)[len(DKGC_NS) :] for s in schemes} == {
        "PloverScheme", "CameoScheme", "StatusScheme", "AreaScheme", "DomainScheme",
        "PurposeScheme", "ClaimKindScheme",
    }  # fmt: skip
    prefix = {
        DKGC.PloverScheme: "plover-",
        DKGC.CameoScheme: "cameo-",
        DKGC.StatusScheme: "status-",
        DKGC.AreaScheme: "area-",
        DKGC.DomainScheme: "domain-",
        DKGC.PurposeScheme: "purpose-",
        DKGC.ClaimKindScheme: "claimkind-",
    }
    for concept in codes.subjects(RDF.type, SKOS.Concept):
        (scheme,) = codes.objects(concept, SKOS.inScheme)
        notation = codes.value(concept, SKOS.notation)
        assert notation.datatype in (None, XSD_STRING) and notation.language is None
        assert str(concept) == f"{DKGC_NS}{prefix[scheme]}{notation}"
        (pref,) = codes.objects(concept, SKOS.prefLabel)
        assert pref.language == "en"
        for alt in codes.objects(concept, SKOS.altLabel):
            assert alt.language == "en"


def test_status_scheme_and_shapes_agree(codes: Graph, shapes: Graph) -> None:
    statuses = {
        str(codes.value(c, SKOS.notation)) for c in codes.subjects(SKOS.inScheme, DKGC.StatusScheme)
    }
    assert statuses == {
        "held", "planned", "agreed", "signed", "suspended", "resumed", "negotiating",
        "concluded", "cancelled",
    }  # fmt: skip
    allowed = shapes.value(DKGSH["Event-status"], SH["in"])
    assert set(shapes.items(allowed)) == {DKGC[f"status-{s}"] for s in statuses}


@pytest.mark.parametrize(
    "scheme", ["AreaScheme", "DomainScheme", "PurposeScheme", "ClaimKindScheme", "StatusScheme"]
)
def test_lexicon_surface_forms_are_unambiguous(codes: Graph, scheme: str) -> None:
    """Within a scheme a surface form names one concept (one documented exception)."""
    owners: dict[str, set[URIRef]] = collections.defaultdict(set)
    for concept in codes.subjects(SKOS.inScheme, DKGC[scheme]):
        for label in [
            *codes.objects(concept, SKOS.prefLabel),
            *codes.objects(concept, SKOS.altLabel),
        ]:
            owners[str(label).casefold()].add(concept)
    shared = {form for form, concepts in owners.items() if len(concepts) > 1}
    assert shared == ({"personnel and unit exchanges"} if scheme == "AreaScheme" else set())
    # Ordinary words that would match outside their sense are not surface forms.
    assert not owners.keys() & {"joint", "exchange", "exchanges", "cooperation", "defense"}
    if scheme != "DomainScheme":
        assert not owners.keys() & {"air", "sea", "land", "ground", "naval"}


def test_surface_forms_shared_across_schemes_name_close_matches(codes: Graph) -> None:
    owners: dict[str, set[URIRef]] = collections.defaultdict(set)
    for scheme in ("AreaScheme", "DomainScheme", "PurposeScheme"):
        for concept in codes.subjects(SKOS.inScheme, DKGC[scheme]):
            for label in [
                *codes.objects(concept, SKOS.prefLabel),
                *codes.objects(concept, SKOS.altLabel),
            ]:
                owners[str(label).casefold()].add(concept)
    for form, concepts in owners.items():
        if len(concepts) == 2 and form != "personnel and unit exchanges":
            a, b = sorted(concepts)
            assert (a, SKOS.closeMatch, b) in codes, form
            assert (b, SKOS.closeMatch, a) in codes, form
        else:
            assert len(concepts) == 1 or form == "personnel and unit exchanges", form


def test_seed_article_cooperation_areas_are_in_the_lexicon(codes: Graph) -> None:
    forms = {
        str(label).casefold(): concept
        for concept in codes.subjects(SKOS.inScheme, DKGC.AreaScheme)
        for label in [
            *codes.objects(concept, SKOS.prefLabel),
            *codes.objects(concept, SKOS.altLabel),
        ]
    }
    assert forms["artificial intelligence"] == DKGC["area-artificial-intelligence"]
    assert forms["ai"] == DKGC["area-artificial-intelligence"]
    assert forms["space"] == DKGC["area-space"]
    assert forms["hadr"] == DKGC["area-hadr"]
    assert forms["defence industry"] == DKGC["area-defense-industry"]


# (g) SHACL -------------------------------------------------------------------------------------

ARTICLE_TEXT = (
    "On January 30, the Defense Minister of Japan and the Defense Minister of South Korea "
    "held a meeting in Yokosuka, Japan."
)


def _span(graph: Graph, start: int, end: int, anchor: str | None = None) -> URIRef:
    node = DKGR[f"article/t/evidence/{start}-{end}"]
    graph.add((node, RDF.type, DKG.Evidence))
    graph.add((node, NIF.beginIndex, Literal(start)))
    graph.add((node, NIF.endIndex, Literal(end)))
    graph.add((node, NIF.anchorOf, Literal(ARTICLE_TEXT[start:end] if anchor is None else anchor)))
    graph.add((node, DKG.inArticle, DKGR["article/t"]))
    return node


def _entity(g: Graph, path: str, cls: URIRef, label: str, start: int, end: int) -> URIRef:
    node = DKGR[path]
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(label)))
    g.add((node, DKG.evidence, _span(g, start, end)))
    return node


def _valid_graph() -> Graph:
    g = bind_prefixes(Graph())
    article = DKGR["article/t"]
    g.add((article, RDF.type, DKG.Article))
    g.add((article, DKG.articleId, Literal("t")))
    g.add((article, NIF.isString, Literal(ARTICLE_TEXT)))
    g.add((article, DKG.published, Literal("2021-02-01", datatype=XSD_DATE)))
    sentence = DKGR["article/t/sentence/0"]
    g.add((sentence, RDF.type, DKG.Sentence))
    g.add((sentence, NIF.beginIndex, Literal(0)))
    g.add((sentence, NIF.endIndex, Literal(len(ARTICLE_TEXT))))
    g.add((sentence, NIF.anchorOf, Literal(ARTICLE_TEXT)))
    g.add((sentence, DKG.inArticle, article))
    g.add((sentence, DKG.sentenceIndex, Literal(0)))
    for iso3, label in (("JPN", "Japan"), ("KOR", "South Korea")):
        start = ARTICLE_TEXT.index(label)
        state = _entity(g, f"state/{iso3}", DKG.State, label, start, start + len(label))
        g.add((state, DKG.iso3, Literal(iso3)))
    place = _entity(g, "place/yokosuka", DKG.Place, "Yokosuka", 103, 111)
    g.add((place, DKG.ofState, DKGR["state/JPN"]))
    _entity(g, "org/japan-ministry-of-defense", DKG.Organization, "Ministry of Defense", 19, 43)
    _entity(g, "person/nobuo-kishi", DKG.Official, "Nobuo Kishi", 19, 43)
    relation = DKGR["relation/JPN-KOR"]
    g.add((relation, RDF.type, DKG.BilateralRelation))
    g.add((relation, DKG.relationState, DKGR["state/JPN"]))
    g.add((relation, DKG.relationState, DKGR["state/KOR"]))
    meeting = DKGR["article/t/event/meeting"]
    agreement = DKGR["article/t/event/agreement"]
    claim = DKGR["article/t/claim/c"]
    jpn, kor = DKGR["state/JPN"], DKGR["state/KOR"]
    triples = [
        (meeting, RDF.type, DKG.Meeting),
        (meeting, DKG.date, Literal("--01-30", datatype=XSD_GMONTHDAY)),
        (meeting, DKG.status, DKGC["status-held"]),
        (meeting, DKG.location, place),
        (meeting, DKG.party, jpn),
        (meeting, DKG.relation, relation),
        (meeting, DKG.evidence, _span(g, 0, 115)),
        (agreement, RDF.type, DKG.Agreement),
        (agreement, DKG.party, jpn),
        (agreement, DKG.party, kor),
        (agreement, DKG.status, DKGC["status-agreed"]),
        (agreement, DKG.agreedAt, meeting),
        (agreement, DKG.evidence, _span(g, 85, 99)),
        (claim, RDF.type, DKG.Claim),
        (claim, DKG.speaker, DKGR["agent/some-analysts"]),
        (claim, DKG.claimText, Literal("relations are warming")),
        (claim, DKG.about, kor),
        (claim, DKG.evidence, _span(g, 85, 99)),
    ]
    for triple in triples:
        g.add(triple)
    return g


def _violations(data: Graph, inference: str = "none") -> collections.Counter[str]:
    """Validate ``data``; count the results by the IRI (local name) of their source shape.

    The shapes need no inference: pySHACL mixes the ontology into the data graph, and every
    event shape targets each concrete event class.
    """
    pyshacl = require_module("pyshacl")
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=_load("shapes.ttl"),
        ont_graph=_load("defense.ttl"),
        inference=inference,
        allow_warnings=False,
    )
    counts = collections.Counter(
        str(shape).removeprefix(str(DKGSH))
        for result in report.subjects(RDF.type, SH.ValidationResult)
        for shape in report.objects(result, SH.sourceShape)
    )
    assert conforms == (not counts)
    return counts


@pytest.fixture
def restore_rdflib_datatypes() -> Iterator[None]:
    """owlrl (pySHACL's inference) installs a lexical converter for xsd:gMonthDay that rejects
    valid values such as "--01-30" and leaves it installed, so later gMonthDay literals are
    ill-typed for the whole process. Put rdflib's own converters back after the test."""
    saved = dict(rdflib.term._toPythonMapping)
    yield
    rdflib.term._toPythonMapping.clear()
    rdflib.term._toPythonMapping.update(saved)


def test_valid_graph_conforms() -> None:
    assert _violations(_valid_graph()) == collections.Counter()


@pytest.mark.usefixtures("restore_rdflib_datatypes")
def test_valid_and_broken_graphs_give_the_same_results_with_rdfs_inference() -> None:
    valid, broken = _valid_graph(), _valid_graph()
    _mutate(broken, "claim-as-event")
    assert _violations(valid, inference="rdfs") == collections.Counter()
    assert _violations(broken, inference="rdfs") == collections.Counter({"ClaimShape": 1})


def test_broken_quote_and_missing_iso3_are_reported() -> None:
    g = _valid_graph()
    # Same length as the span, different text: only the quote check fails.
    evidence = DKGR["article/t/evidence/103-111"]
    g.set((evidence, NIF.anchorOf, Literal("Yokohama")))
    g.remove((DKGR["state/KOR"], DKG.iso3, None))
    assert _violations(g) == collections.Counter({"SpanQuoteShape": 1, "State-iso3": 1})


def _mutate(g: Graph, case: str) -> None:
    meeting = DKGR["article/t/event/meeting"]
    claim = DKGR["article/t/claim/c"]
    if case == "span-length":
        g.set((DKGR["article/t/evidence/103-111"], NIF.endIndex, Literal(112)))
    elif case == "date-datatype":
        g.set((meeting, DKG.date, Literal("January 30")))
    elif case == "two-dates":
        g.add((meeting, DKG.date, Literal("2021-01-30", datatype=XSD_DATE)))
    elif case == "status-not-in-scheme":
        g.set((meeting, DKG.status, DKGC["plover-CONSULT"]))
    elif case == "claim-as-event":
        g.add((claim, RDF.type, DKG.Meeting))
    elif case == "claim-status":
        g.add((claim, DKG.status, DKGC["status-held"]))
    elif case == "agreement-without-party":
        g.remove((DKGR["article/t/event/agreement"], DKG.party, None))
    elif case == "relation-with-one-state":
        g.remove((DKGR["relation/JPN-KOR"], DKG.relationState, DKGR["state/KOR"]))
    elif case == "iso3-lowercase":
        g.set((DKGR["state/JPN"], DKG.iso3, Literal("jpn")))
    elif case == "official-without-evidence":
        g.remove((DKGR["person/nobuo-kishi"], DKG.evidence, None))
    elif case == "negative-begin":
        g.set((DKGR["article/t/evidence/19-43"], NIF.beginIndex, Literal(-1)))
    elif case == "article-without-text":
        g.remove((DKGR["article/t"], NIF.isString, None))
    else:  # pragma: no cover
        raise AssertionError(case)


@pytest.mark.parametrize(
    ("case", "expected"),
    [
        ("span-length", {"SpanLengthShape": 1, "SpanQuoteShape": 1}),
        ("date-datatype", {"Event-date": 1}),
        ("two-dates", {"Event-date": 1}),
        ("status-not-in-scheme", {"Event-status": 1}),
        ("claim-as-event", {"ClaimShape": 1}),
        ("claim-status", {"Claim-status": 1}),
        ("agreement-without-party", {"Agreement-party": 1}),
        ("relation-with-one-state", {"BilateralRelation-relationState": 1}),
        ("iso3-lowercase", {"State-iso3": 1}),
        ("official-without-evidence", {"hasEvidence": 1}),
        ("negative-begin", {"Span-beginIndex": 1, "SpanLengthShape": 1, "SpanQuoteShape": 1}),
        ("article-without-text", {"Article-text": 1}),
    ],
)
def test_each_broken_graph_is_reported_by_its_shape(case: str, expected: dict[str, int]) -> None:
    g = _valid_graph()
    _mutate(g, case)
    assert _violations(g) == collections.Counter(expected)
