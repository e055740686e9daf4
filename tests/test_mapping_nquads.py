"""The mapping writes N-Triples text itself: hostile literals round-trip through Oxigraph's
parser to the very terms rdflib's ``Literal`` (the mapping's former terms) stands for."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef

from kg.article import Article, ArticleError, read_article, read_article_text
from kg.backends import opened
from kg.extract import extract
from kg.mapping import extraction_quads, extraction_triples, graph_iri, iri, literal
from kg.store import Store, to_ox, triples_nquads
from kg.vocab import NIF

HOSTILE = [
    "",
    'say "hi"',
    "back\\slash \\n not a newline \\u0041",
    "line\nfeed",
    "carriage\rreturn\r\n",
    "tab\there",
    "".join(chr(c) for c in range(0x20)),
    "del \x7f and next line \x85 and nbsp \xa0",
    "separators \u2028 \u2029",
    "emoji \U0001f600 and a flag \U0001f1ef\U0001f1f5",
    "bom \ufeff replacement \ufffd",
    '"\\"\\\\"',
    "end with a backslash \\",
    'ends with a quote"',
    "> <http://x> <http://y> .\n<http://z>",
]
XSD = "http://www.w3.org/2001/XMLSchema#"
DATATYPES = [None, XSD + "string", XSD + "integer", XSD + "date", XSD + "anyURI"]


def _parsed(text: str) -> ox.Literal:
    line = f"<http://s> <http://p> {text} .\n".encode()
    (triple,) = list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
    assert isinstance(triple.object, ox.Literal)
    return triple.object


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("datatype", DATATYPES)
def test_hostile_literals_parse_back_to_the_terms_rdflib_gives(
    value: str, datatype: str | None
) -> None:
    text = literal(value, datatype)
    parsed = _parsed(text)
    assert parsed.value == value
    # the same term as rdflib's Literal (without its lexical normalisation) converted
    expected = to_ox(Literal(value, datatype=URIRef(datatype) if datatype else None))
    assert parsed == expected
    assert text == str(expected)  # byte for byte Oxigraph's own N-Triples form


@pytest.mark.parametrize("value", HOSTILE)
@pytest.mark.parametrize("language", ["en", "en-GB", "zh-Hant-TW", "x-private1"])
def test_language_tags_are_written_as_oxigraph_and_rdflib_read_them(
    value: str, language: str
) -> None:
    parsed = _parsed(literal(value, language=language))
    assert parsed == to_ox(Literal(value, lang=language))
    assert (parsed.value, parsed.language) == (value, language.lower())


def test_a_lone_surrogate_and_a_bad_language_tag_are_refused() -> None:
    with pytest.raises(ValueError, match=r"lone surrogate \(U\+D800\)"):
        literal("a\ud800b")
    with pytest.raises(ValueError, match="not a language tag"):
        literal("a", language="en GB")
    with pytest.raises(ValueError, match="not a language tag"):
        literal("a", language="")


RAW = (
    '---\nid: hostile\ntitle: A "quoted" \\ title \U0001f600\n---\n\n'
    'Japan and Fiji held talks in Suva on Monday.\r\nThe "talks" \\ covered\x01 '
    "\x0b\ud800 \u2028 \U0001f6a2 and \ufffe.\n"
)


def _round_trip(article: Article, store_path: Path) -> None:
    extraction = extract(article)
    quads = extraction_quads(extraction)
    texts = [q.object.value for q in quads if q.predicate.value == str(NIF.isString)]
    assert texts == [article.text]
    with opened(store_path, create=True) as store:
        assert isinstance(store, Store)
        triples = extraction_triples(extraction)
        store.add_nquads([triples_nquads(graph_iri(article.id), triples)])
        stored = set(store.quads(graph_iri(article.id)))
    assert stored == set(quads)
    assert len(stored) == len(triples)


def test_what_the_article_reader_lets_through_round_trips_to_the_store(tmp_path: Path) -> None:
    """Controls other than tab, newline and CR, surrogates and U+FFFE/U+FFFF never reach the
    mapping (the reader replaces them one for one); U+2028 and emoji stay; a file's CR and
    CRLF become LF, while text handed to ``read_article_text`` keeps its CR."""
    path = tmp_path / "hostile.txt"
    path.write_bytes(RAW.encode("utf-8", "surrogatepass"))
    with pytest.raises(ArticleError, match="not valid UTF-8"):  # a surrogate's bytes
        read_article(path)
    path.write_bytes(RAW.replace("\ud800", "").encode("utf-8"))
    from_file = read_article(path)
    from_text = read_article_text(RAW, name="hostile.txt", default_id="hostile")
    assert from_file.title == from_text.title == 'A "quoted" \\ title \U0001f600'
    assert "\r" not in from_file.text and "\r\n" in from_text.text
    for article in (from_file, from_text):
        assert "\x01" not in article.text and "\ufffe" not in article.text
        assert "\ud800" not in article.text
        assert "\u2028 \U0001f6a2" in article.text
    _round_trip(from_file, tmp_path / "store-file")
    _round_trip(from_text, tmp_path / "store-text")


def test_an_iri_that_is_not_rdf_is_refused_by_the_parser_not_written() -> None:
    line = f"{iri('http://x> <http://y> <http://z')} <http://p> <http://o> .\n".encode()
    with pytest.raises(SyntaxError):
        list(ox.parse(line, format=ox.RdfFormat.N_TRIPLES))
