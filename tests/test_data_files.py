"""Checks on the gazetteer data files in kg/data (states, regions, organisations, places)."""

import csv
import re
from collections import defaultdict
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "kg" / "data"

HEADERS = {
    "states.tsv": [
        "iso3",
        "iso2",
        "name",
        "cow",
        "wikidata",
        "aliases",
        "adjectives",
        "seats",
        "gw",
    ],
    "regions.tsv": ["name", "aliases", "kind", "wikidata"],
    "organizations.tsv": ["name", "aliases", "type", "state"],
    "places.tsv": ["name", "aliases", "kind", "state", "located_in"],
}
REGION_KINDS = {"region", "sea", "strait", "peninsula", "islands", "ocean", "continent", "zone"}
ORG_TYPES = {
    "news-agency",
    "newspaper",
    "broadcaster",
    "ministry",
    "armed-force",
    "command",
    "alliance",
    "international-organization",
    "government-agency",
    "think-tank",
}
PLACE_KINDS = {"base", "port", "city", "us-state", "territory", "province", "prefecture", "island"}

# Strings that may legitimately name more than one state. Empty: every state string is unique.
STATE_STRING_WHITELIST: set[str] = set()


def read(name):
    """Rows of a data file as dicts; the header is the first line, '#' lines are comments."""
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        assert header == HEADERS[name]
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    for row in rows:
        assert len(row) == len(header), f"{name}: {row}"
    return [dict(zip(header, row, strict=True)) for row in rows]


def values(cell):
    return [v for v in cell.split("|") if v]


@pytest.fixture(scope="module")
def states():
    return read("states.tsv")


@pytest.fixture(scope="module")
def resolve(states):
    """Map every name, alias, adjective and seat to the set of iso3 codes that claim it."""
    index = defaultdict(set)
    for row in states:
        for col in ("name", "aliases", "adjectives", "seats"):
            for value in values(row[col]):
                index[value].add(row["iso3"])
    return index


@pytest.mark.parametrize("name", sorted(HEADERS))
def test_file_parses_with_exact_header(name):
    rows = read(name)
    assert rows
    for row in rows:
        for key, cell in row.items():
            assert cell == cell.strip(), f"{name}: stray whitespace in {key}: {cell!r}"
            assert "||" not in cell and not cell.startswith("|") and not cell.endswith("|"), cell
        assert row["name"], f"{name}: empty name"


def test_state_codes(states):
    assert len(states) == 197  # the 193 UN members, TWN, XKX, PSE and VAT (the file's header)
    iso3 = [r["iso3"] for r in states]
    iso2 = [r["iso2"] for r in states]
    assert len(set(iso3)) == len(iso3)
    assert len(set(iso2)) == len(iso2)
    assert all(re.fullmatch(r"[A-Z]{3}", c) for c in iso3)
    assert all(re.fullmatch(r"[A-Z]{2}", c) for c in iso2)
    assert {"TWN", "XKX", "PSE", "VAT"} <= set(iso3)


def test_cow_codes(states):
    cows = [r["cow"] for r in states if r["cow"]]
    assert all(re.fullmatch(r"\d+", c) for c in cows)
    assert len(set(cows)) == len(cows)
    by_iso = {r["iso3"]: r["cow"] for r in states}
    expected = {
        "USA": 2,
        "CAN": 20,
        "GBR": 200,
        "FRA": 220,
        "DEU": 255,
        "POL": 290,
        "RUS": 365,
        "NOR": 385,
        "KEN": 501,
        "MAR": 600,
        "IRN": 630,
        "TUR": 640,
        "ISR": 666,
        "CHN": 710,
        "TWN": 713,
        "PRK": 731,
        "KOR": 732,
        "JPN": 740,
        "IND": 750,
        "PAK": 770,
        "VNM": 816,
        "PHL": 840,
        "IDN": 850,
        "AUS": 900,
        "NZL": 920,
    }
    for iso, code in expected.items():
        assert by_iso[iso] == str(code), iso


def test_gleditsch_ward_codes_equal_cow_but_for_the_known_differences(states):
    differ = {
        r["iso3"]: (int(r["cow"]), int(r["gw"])) for r in states if r["cow"] and r["gw"] != r["cow"]
    }
    assert differ == {
        "DEU": (255, 260),
        "YEM": (679, 678),
        "SRB": (345, 340),
        "KIR": (946, 970),
        "NRU": (970, 971),
        "TON": (955, 972),
        "TUV": (947, 973),
    }
    assert sorted(r["iso3"] for r in states if not r["gw"]) == ["PSE", "VAT"]
    gws = [r["gw"] for r in states if r["gw"]]
    assert len(set(gws)) == len(gws) == 195
    assert {r["iso3"]: r["gw"] for r in states}["VNM"] == "816"


def test_wikidata_ids(states):
    qids = [r["wikidata"] for r in states if r["wikidata"]]
    assert all(re.fullmatch(r"Q\d+", q) for q in qids)
    assert len(set(qids)) == len(qids)
    by_iso = {r["iso3"]: r["wikidata"] for r in states}
    for iso, qid in {
        "JPN": "Q17",
        "KOR": "Q884",
        "USA": "Q30",
        "CHN": "Q148",
        "PRK": "Q423",
    }.items():
        assert by_iso[iso] == qid


def test_state_strings_are_unique(resolve):
    collisions = {
        k: sorted(v) for k, v in resolve.items() if len(v) > 1 and k not in STATE_STRING_WHITELIST
    }
    for key, isos in sorted(collisions.items()):
        print(f"collision: {key!r} -> {isos}")
    assert not collisions


def test_no_string_repeated_within_states(states):
    seen = defaultdict(list)
    for row in states:
        for col in ("name", "aliases", "adjectives", "seats"):
            for value in values(row[col]):
                seen[value].append((row["iso3"], col))
    repeated = {k: v for k, v in seen.items() if len(v) > 1}
    assert not repeated, repeated


REQUIRED = """
Seoul=KOR; the Pentagon=USA; the Kremlin=RUS; Beijing=CHN; Malacañang=PHL; Washington=USA
Tokyo=JPN; ROK=KOR; DPRK=PRK; PRC=CHN; U.S.=USA; UK=GBR; Türkiye=TUR; Turkey=TUR; Czechia=CZE
Czech Republic=CZE; South Korea=KOR; North Korea=PRK; Republic of Korea=KOR
Democratic People's Republic of Korea=PRK; Democratic People’s Republic of Korea=PRK
United States=USA; United Kingdom=GBR; Britain=GBR; Viet Nam=VNM; Russian Federation=RUS
the Philippines=PHL; South Korean=KOR; Japanese=JPN; American=USA; British=GBR; Filipino=PHL
Turkish=TUR; Vietnamese=VNM; Indian=IND; Chinese=CHN; North Korean=PRK; Australian=AUS
Polish=POL; Norwegian=NOR; Kenyan=KEN; Moroccan=MAR; Indonesian=IDN; New Delhi=IND
Pyongyang=PRK; Ankara=TUR; Hanoi=VNM; Warsaw=POL; Oslo=NOR; Nairobi=KEN; Rabat=MAR
Jakarta=IDN; Canberra=AUS; London=GBR
"""
REQUIRED_PAIRS = [tuple(p.split("=")) for p in re.split(r";\s*|\n", REQUIRED.strip()) if p]


@pytest.mark.parametrize(("text", "iso3"), REQUIRED_PAIRS)
def test_required_strings_resolve(resolve, text, iso3):
    assert resolve[text] == {iso3}


def test_state_seat_and_adjective_coverage(states):
    assert sum(1 for r in states if r["seats"]) >= 190
    assert sum(1 for r in states if r["adjectives"]) >= 190


def strings_of(name, column, allowed, resolve, known):
    """Check a non-state table and return {string: row name} over its names and aliases.

    Each row's `column` must be in `allowed`, its `state` (if the table has one) a known iso3,
    and no name or alias may repeat within the table or equal a state string.
    """
    seen = {}
    for row in read(name):
        assert row[column] in allowed, row
        assert not row.get("state") or row["state"] in known, row
        for value in [row["name"], *values(row["aliases"])]:
            assert value not in seen, f"{name}: {value!r} in {seen.get(value)} and {row['name']}"
            assert value not in resolve, f"{name}: {value!r} is also a state string"
            seen[value] = row["name"]
    return seen


@pytest.fixture(scope="module")
def known(states):
    return {r["iso3"] for r in states}


def test_regions(resolve, known):
    names = strings_of("regions.tsv", "kind", REGION_KINDS, resolve, known)
    assert all(
        not r["wikidata"] or re.fullmatch(r"Q\d+", r["wikidata"]) for r in read("regions.tsv")
    )
    required = "Korean Peninsula|Indo-Pacific|South China Sea|East Sea|Taiwan Strait|DMZ|"
    required += "Northern Limit Line|Senkaku Islands|Strait of Hormuz|Horn of Africa"
    assert set(required.split("|")) <= set(names)


def test_organizations(resolve, known):
    seen = strings_of("organizations.tsv", "type", ORG_TYPES, resolve, known)
    assert seen["AFP"] == "Agence France-Presse"
    assert "the Pentagon" not in seen and "Pentagon" not in seen
    required = "Yonhap|Kyodo|Xinhua|NATO|UN|ASEAN|USFK|INDOPACOM|JMSDF|PLA|Korean People's Army|"
    required += "Japan Self-Defense Forces|Kenya Defence Forces"
    assert set(required.split("|")) <= set(seen)


def test_places(resolve, known):
    strings_of("places.tsv", "kind", PLACE_KINDS, resolve, known)
    rows = read("places.tsv")
    assert len(rows) >= 60
    by_name = {r["name"]: r for r in rows}
    assert by_name["Camp Humphreys"]["state"] == "KOR"
    assert by_name["Guam"]["kind"] == "territory"
    assert by_name["Hawaii"]["kind"] == "us-state"
    assert by_name["Okinawa"]["state"] == "JPN"


# --- the grammar files: cues.tsv, triggers.tsv, status_words.tsv, event_codes.tsv ---------


def _rows(name, header):
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        assert next(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)) == header
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    rows = list(csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
    assert all(len(r) == len(header) for r in rows), name
    return rows


def test_every_cue_class_is_read_and_every_read_class_is_in_the_file():
    """An unused class in cues.tsv, or a class the code reads that the file lacks, fails."""
    from kg.extract.grammar import CLASSES

    in_file = {cue for cue, _text in _rows("cues.tsv", ["cue", "text"])}
    assert in_file == set(CLASSES)
    sources = "".join(
        p.read_text(encoding="utf-8")
        for p in sorted((DATA.parent / "extract").rglob("*.py"))
        if p.name != "grammar.py"
    )
    unread = sorted(c for c in CLASSES if f'"{c}"' not in sources and f"'{c}'" not in sources)
    assert unread == []


def test_cue_rows_are_clean_and_unique():
    rows = _rows("cues.tsv", ["cue", "text"])
    assert all(cue and text and text == text.strip() for cue, text in rows)
    assert len(rows) == len(set(map(tuple, rows)))


def test_triggers_status_words_and_event_codes_are_valid():
    from kg.extract.grammar import EVENT_TYPES, STATUSES, validate
    from kg.lexicon import load_lexicon

    validate(load_lexicon())
    triggers = _rows("triggers.tsv", ["surface", "event", "pos", "status"])
    assert all(e in EVENT_TYPES and p in ("verb", "noun") for _s, e, p, _st in triggers)
    assert all(st in STATUSES for *_x, st in triggers if st)
    assert all(st in STATUSES for _t, st in _rows("status_words.tsv", ["text", "status"]))
    assert _rows("event_codes.tsv", ["event", "status", "cameo"]) == [
        ["Agreement", "signed", "057"]
    ]


def test_a_misspelt_cue_class_is_one_clear_error(tmp_path, monkeypatch):
    import kg.lexicon
    from kg.extract.grammar import GrammarError, validate

    (tmp_path / "cues.tsv").write_text("cue\ttext\nobservr\twatching\n", encoding="utf-8")
    monkeypatch.setenv("KG_LEXICON_DIR", str(tmp_path))
    with pytest.raises(GrammarError, match=r"^cues.tsv: unknown cue class\(es\) observr$"):
        validate(kg.lexicon.load_lexicon())


def test_plover_quad_classes_agree_with_the_scope_notes_of_the_ontology():
    from rdflib import Graph, URIRef
    from rdflib.namespace import OWL, SKOS

    from kg.lexicon import read_tsv

    codes = Graph().parse(DATA.parent.parent / "ontology" / "codes.ttl")
    scheme = URIRef("https://w3id.org/defense-kg/code/PloverScheme")
    notes = {}
    for concept in codes.subjects(SKOS.inScheme, scheme):
        notation = str(codes.value(concept, SKOS.notation))
        note = codes.value(concept, SKOS.scopeNote)
        replaced = codes.value(concept, URIRef("http://purl.org/dc/terms/isReplacedBy"))
        if codes.value(concept, OWL.deprecated) is not None and replaced is not None:
            note = codes.value(replaced, SKOS.scopeNote)
        notes[notation] = str(note).removeprefix("PLOVER quad category: ").rstrip(".")
    table = {row["plover"]: row["quad_class"] for row in read_tsv("plover_quads.tsv")}
    assert table == notes
    assert len(table) == 18
    assert sorted(set(table.values())) == [
        "material conflict", "material cooperation", "verbal conflict", "verbal cooperation",
    ]  # fmt: skip


def _cities(monkeypatch, cache):
    from kg.lexicon import _load_cities, _load_states

    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    return list(_load_cities(_load_states()[0], 50_000).items())


def test_the_city_cache_gives_exactly_the_computed_cities(tmp_path, monkeypatch):
    computed = _cities(monkeypatch, "-")
    assert ("Yokosuka", ("Yokosuka", "JPN")) in computed
    assert not list(tmp_path.iterdir())
    first = _cities(monkeypatch, tmp_path)  # computed, then written
    (written,) = tmp_path.iterdir()
    assert written.name.startswith("cities-") and written.suffix == ".json"
    assert first == computed
    assert _cities(monkeypatch, tmp_path) == computed  # read back, same order


@pytest.mark.parametrize(
    "content",
    ["", "not json", '{"a": 1}', '[["Atlantis", "XXX"]]', '[["Atlantis"]]', '[[1, "JPN"]]'],
)
def test_a_malformed_city_cache_is_computed_again_and_rewritten(tmp_path, monkeypatch, content):
    computed = _cities(monkeypatch, tmp_path)
    (written,) = tmp_path.iterdir()
    written.write_text(content, encoding="utf-8")
    assert _cities(monkeypatch, tmp_path) == computed
    assert written.read_text(encoding="utf-8").startswith("[[")


def test_a_city_cache_folder_that_cannot_be_written_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    computed = _cities(monkeypatch, "-")
    assert _cities(monkeypatch, blocker / "cache") == computed
