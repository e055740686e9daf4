"""The OWL 2 DL form of an export, for reasoners (HermiT, Pellet) and Protégé.

The graph types every date as precisely as the text gives it (``xsd:date``, ``xsd:gYearMonth``,
``xsd:gYear``, ``xsd:gMonthDay``). None of these is in the OWL 2 datatype map, so an OWL 2 DL
reasoner refuses a data property assertion with such a value (HermiT: "Literals can only use
the datatypes from the OWL 2 datatype map"). :func:`owl_dl_form` rewrites data and ontology
for reasoners without changing or guessing a value:

- the properties kg writes dates under (:data:`DATE_PROPERTIES`), and any other property with
  a value outside the datatype map (loaded data), are declared ``owl:AnnotationProperty``
  instead of ``owl:DatatypeProperty`` (reasoners do not interpret annotations, Protégé shows
  them); their ``rdfs:range`` and ``rdfs:subPropertyOf`` axioms are left out, since OWL 2 DL lets
  an annotation property be a sub-property of annotation properties only. The typed value
  itself stays, byte for byte, under the same property;
- beside each ``dkg:date`` the parts it has are given as ``xsd:integer`` values of the data
  properties ``dkg:dateYear``, ``dkg:dateMonth`` and ``dkg:dateDay``; a ``--01-30`` date gets a
  month and a day and no year (a missing year is never filled in).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import pyoxigraph as ox

from kg.vocab import DKG, OWL, RDF, RDFS, XSD

__all__ = ["DATE_PROPERTIES", "OWL2_DATATYPES", "date_parts", "owl_dl_form"]

_OWL = "http://www.w3.org/2002/07/owl#"
_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_XSD = "http://www.w3.org/2001/XMLSchema#"

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), plus ``rdf:langString``,
#: the datatype RDF 1.1 gives language-tagged strings (OWL 2's ``rdf:PlainLiteral``).
OWL2_DATATYPES = frozenset(
    [_OWL + name for name in ("real", "rational")]
    + [_RDF + name for name in ("PlainLiteral", "XMLLiteral", "langString")]
    + [_RDFS + "Literal"]
    + [
        _XSD + name
        for name in (
            "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger "
            "negativeInteger long int short byte unsignedLong unsignedInt unsignedShort "
            "unsignedByte double float string normalizedString token language Name NCName "
            "NMTOKEN boolean hexBinary base64Binary anyURI dateTime dateTimeStamp"
        ).split()
    ]
)

_TIMEZONE = r"(?:Z|[+-]\d{2}:\d{2})?"
_YEAR = r"(-?\d{4,})"
_DATE_FORMS = {
    _XSD + "date": (re.compile(rf"{_YEAR}-(\d{{2}})-(\d{{2}}){_TIMEZONE}"), ("y", "m", "d")),
    _XSD + "gYearMonth": (re.compile(rf"{_YEAR}-(\d{{2}}){_TIMEZONE}"), ("y", "m")),
    _XSD + "gYear": (re.compile(rf"{_YEAR}{_TIMEZONE}"), ("y",)),
    _XSD + "gMonthDay": (re.compile(rf"--(\d{{2}})-(\d{{2}}){_TIMEZONE}"), ("m", "d")),
}
_PART_PROPERTY = {"y": DKG.dateYear, "m": DKG.dateMonth, "d": DKG.dateDay}
#: The properties kg writes XSD dates under: annotation properties in every reasoner form, so
#: that its declarations do not depend on which dates an export happens to hold.
DATE_PROPERTIES = frozenset(
    ox.NamedNode(str(p))
    for p in (DKG.date, DKG.endDate, DKG.lastHeld, DKG.haltedSince, DKG.published)
)


def date_parts(literal: ox.Literal) -> dict[str, int]:
    """The year (``y``), month (``m``) and day (``d``) a date literal gives, as written.

    Examples
    --------
    >>> def lit(value, name):
    ...     return ox.Literal(value, datatype=ox.NamedNode(_XSD + name))
    >>> date_parts(lit("2021-01-30", "date")), date_parts(lit("--01-30", "gMonthDay"))
    ({'y': 2021, 'm': 1, 'd': 30}, {'m': 1, 'd': 30})
    >>> date_parts(lit("2018", "gYear")), date_parts(lit("January", "gYear"))
    ({'y': 2018}, {})
    >>> date_parts(lit("2021-02Z", "gYearMonth")), date_parts(lit("2021-02-03", "dateTime"))
    ({'y': 2021, 'm': 2}, {})
    """
    form = _DATE_FORMS.get(literal.datatype.value)
    if form is None:
        return {}
    pattern, names = form
    found = pattern.fullmatch(literal.value)
    if found is None:
        return {}
    return {name: int(value) for name, value in zip(names, found.groups(), strict=True)}


def _outside_the_map(quads: Iterable[ox.Quad]) -> set[ox.NamedNode]:
    return {
        q.predicate
        for q in quads
        if isinstance(q.object, ox.Literal)
        and not q.object.language
        and q.object.datatype.value not in OWL2_DATATYPES
    }


def owl_dl_form(
    data: list[ox.Quad], ontology: list[ox.Quad]
) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """``(data, ontology)`` rewritten so that an OWL 2 DL reasoner accepts them (module doc).

    Parameters
    ----------
    data : list of pyoxigraph.Quad
        The article graphs (or any data) to export.
    ontology : list of pyoxigraph.Quad
        The ontology and code lists, in their graph.

    Returns
    -------
    tuple of two lists of pyoxigraph.Quad
        The data with the parts of each ``dkg:date`` added in its graph, and the ontology with
        the properties whose values lie outside the OWL 2 datatype map declared as annotation
        properties.
    """
    annotations = DATE_PROPERTIES | _outside_the_map(data) | _outside_the_map(ontology)
    rdf_type = ox.NamedNode(str(RDF.type))
    datatype_property = ox.NamedNode(str(OWL.DatatypeProperty))
    subproperty = ox.NamedNode(str(RDFS.subPropertyOf))
    data_axioms = (subproperty, ox.NamedNode(str(RDFS.range)))

    def kept(q: ox.Quad) -> bool:
        if q.predicate == subproperty and q.object in annotations:
            return q.subject in annotations  # sub-properties of one stay annotation properties
        if q.subject not in annotations:
            return True
        if q.predicate == rdf_type:
            return q.object != datatype_property
        return q.predicate not in data_axioms

    graph = ontology[0].graph_name if ontology else ox.DefaultGraph()
    declarations = [
        ox.Quad(p, rdf_type, ox.NamedNode(str(OWL.AnnotationProperty)), graph)
        for p in sorted(annotations, key=str)
    ]
    date = ox.NamedNode(str(DKG.date))
    integer = ox.NamedNode(str(XSD.integer))
    parts = [
        ox.Quad(
            q.subject,
            ox.NamedNode(str(_PART_PROPERTY[name])),
            ox.Literal(str(value), datatype=integer),
            q.graph_name,
        )  # fmt: skip
        for q in data
        if q.predicate == date and isinstance(q.object, ox.Literal)
        for name, value in date_parts(q.object).items()
    ]
    return data + parts, [q for q in ontology if kept(q)] + declarations
