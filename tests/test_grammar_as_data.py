"""The extraction code holds no English words: every word it matches comes from kg/data.

The scan reads every string literal in ``kg/extract`` (docstrings, attribute docs and the
messages of ``raise`` aside), removes regex syntax (escapes, group names, inline flags) and
fails on any word that is also a word of the lexicon's data files (the words the stages match
against article text), unless the word is a name the code defines: a data class, a label, a
status, an event or entity type, a record's field, a basis rule, a kind, or one of
``CODE_NAMES`` below. A new literal like
``tokens[i].text in ("said", "told")`` fails it; ``"Official"`` or ``"title-default"`` do not.
"""

from __future__ import annotations

import ast
import csv
import functools
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "kg" / "data"
EXTRACT = ROOT / "kg" / "extract"

# data file -> the columns whose words are matched against article text
WORD_COLUMNS = {
    "cues.tsv": "text",
    "people_words.tsv": "text",
    "date_words.tsv": "text",
    "mention_words.tsv": "text",
    "name_words.tsv": "text",
    "status_words.tsv": "text",
    "triggers.tsv": "surface",
    "titles.tsv": "title",
}
WORD_LISTS = ("abbreviations.txt", "honorifics.txt")
# data file -> columns that hold names the code uses as keys (roles, kinds, types)
NAME_COLUMNS = {
    "organizations.tsv": ("type",),
    "places.tsv": ("kind",),
    "regions.tsv": ("kind",),
    "titles.tsv": ("role", "kind", "org", "flags", "domain"),
}
# Names the code defines that happen to be English words, each a key, never text to match:
CODE_NAMES = frozenset(
    {
        # entity types (kg/records.py) and the kinds of the records' fields
        "State", "Official", "Organization", "Place", "Region", "Commentator", "Area",
        "Domain", "Purpose",
        # basis rules of officials and parties (kg/records.py Basis.rule, kg/extract/basis.py)
        "adjective", "possessive", "seat", "ministry", "organization", "official", "place",
        "name", "title", "venue", "context", "trigger", "list-state", "of-state",
        "known-official", "defense-ministry", "foreign-ministry", "armed-forces",
        # claim kinds and roles (kg/extract/claims.py)
        "analysis", "attribution", "opinion", "target", "ally", "framework", "historical",
        "historical-context", "pattern",
        # date datatypes and pattern keys (kg/extract/dates.py)
        "date", "gYear", "gYearMonth", "gMonthDay", "my", "md", "dm", "y", "past", "future",
        "same", "tense", "mod", "word",
        # regex group names read with match.group(...)
        "long", "acr", "tail", "names", "noun", "verb", "base", "city", "plural", "observers",
    }
)  # fmt: skip
_REGEX_SYNTAX = re.compile(r"\\[A-Za-z]|\(\?P<\w+>|\(\?P=\w+\)|\(\?[aiLmsux-]+[:)]|\{\w*\}")


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        header = next(csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE))
        lines = [line for line in fh if line.strip() and not line.startswith("#")]
    return [
        dict(zip(header, row, strict=False))
        for row in csv.reader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)
    ]


def _words(text: str) -> list[str]:
    return re.findall(r"[A-Za-z]{2,}", text)


@functools.cache
def data_vocabulary() -> frozenset[str]:
    """The words of the data files the stages match against article text (lower-cased)."""
    found: set[str] = set()
    for name, column in WORD_COLUMNS.items():
        for row in _rows(name):
            found.update(w.lower() for w in _words(row.get(column, "")))
    for name in WORD_LISTS:
        for line in (DATA / name).read_text(encoding="utf-8").splitlines():
            if not line.startswith("#"):
                found.update(w.lower() for w in _words(line))
    return frozenset(found)


@functools.cache
def code_names() -> frozenset[str]:
    """The names the code defines: classes, statuses, types, basis rules, kinds."""
    import dataclasses

    import kg.records
    from kg.extract.grammar import CLASSES, EVENT_TYPES, STATUSES
    from kg.lexicon import (
        DATE_WORD_CLASSES,
        LABEL_FIELDS,
        MENTION_WORD_CLASSES,
        PEOPLE_WORD_CLASSES,
    )
    from kg.records import INFERRED_BASES

    found = set(CLASSES | EVENT_TYPES | STATUSES | INFERRED_BASES | CODE_NAMES)
    found |= PEOPLE_WORD_CLASSES | DATE_WORD_CLASSES | MENTION_WORD_CLASSES | set(LABEL_FIELDS)
    for value in vars(kg.records).values():  # field names of the records ("participants")
        if dataclasses.is_dataclass(value):
            found.update(f.name for f in dataclasses.fields(value))
    for name, columns in NAME_COLUMNS.items():
        for row in _rows(name):
            for column in columns:
                found.update(v for v in re.split(r"[|,]", row.get(column, "")) if v)
    for name in [*WORD_COLUMNS, *NAME_COLUMNS, "event_codes.tsv"]:
        with open(DATA / name, encoding="utf-8") as fh:
            found.update(fh.readline().rstrip("\n").split("\t"))  # column names
    return frozenset(found)


@pytest.fixture(scope="module")
def vocabulary() -> frozenset[str]:
    return data_vocabulary()


@pytest.fixture(scope="module")
def names() -> frozenset[str]:
    return code_names()


def _is_error_call(node: ast.AST) -> bool:
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
    return name.endswith(("Error", "Exception", "Warning"))


def english_words(source: str, vocabulary: frozenset[str], names: frozenset[str]) -> list[str]:
    """``line: literal`` for each string literal of ``source`` holding a word of the data."""
    tree = ast.parse(source)
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            skipped.add(id(node.value))  # docstrings and attribute docs
        if isinstance(node, ast.Raise) or _is_error_call(node):
            skipped.update(id(inner) for inner in ast.walk(node))  # error messages
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
            continue
        if id(node) in skipped or node.value in names:
            continue
        for token in re.findall(r"[A-Za-z_][\w-]*", _REGEX_SYNTAX.sub(" ", node.value)):
            if token in names or "_" in token:
                continue  # a name the code defines, or a Python identifier
            if any(w.lower() in vocabulary and w not in names for w in _words(token)):
                found.append(f"{node.lineno}: {node.value!r}")
                break
    return sorted(found)


def test_the_scan_finds_a_word_list_and_passes_a_name(vocabulary, names):
    source = 'STOP = ("said", "told")\nRANK = {"Official": 1}\nP = r"\\bfrom\\s+$"\n'
    assert english_words(source, vocabulary, names) == [
        "1: 'said'",
        "1: 'told'",
        "3: '\\\\bfrom\\\\s+$'",
    ]


@pytest.mark.parametrize(
    "path", sorted(EXTRACT.rglob("*.py")), ids=lambda p: str(p.relative_to(EXTRACT))
)
def test_extraction_code_holds_no_english_word(path, vocabulary, names):
    assert english_words(path.read_text(encoding="utf-8"), vocabulary, names) == []


# --- labels.tsv: the labels the stages give are data too -------------------------------------

_LABELLED = (
    "The Japanese defense ministry said on Monday that Defense Minister Kenji Arakawa would "
    "visit Fiji next week. Arakawa met Fiji's Defence Minister Pita Tuilau in Suva in January."
)


def _labels() -> tuple[list[str], list[tuple[str, str]]]:
    from kg.article import read_article_text
    from kg.extract import extract

    raw = f"---\ntitle: t\npublished: 2025-03-12\n---\n{_LABELLED}\n"
    found = extract(read_article_text(raw, name="t", default_id="t"))
    orgs = sorted(e.name for e in found.entities if e.type == "Organization")
    return orgs, [(e.type, e.label) for e in found.events]


def test_labels_follow_their_templates() -> None:
    assert _labels() == (
        ["Ministry of Defense of Fiji", "Ministry of Defense of Japan"],
        [
            ("Visit", "Visit by Kenji Arakawa to Fiji"),
            ("Meeting", "Meeting between Fiji and Japan"),
        ],
    )


def test_an_edited_template_changes_the_labels(tmp_path, monkeypatch) -> None:
    (tmp_path / "labels.tsv").write_text(
        "label\ttemplate\norganization\t{state}: {kind}\nvisit\t{visitor} in {host}\n"
        "meeting-parties\tTalks of {parties}\nlist\t{items} & {last}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("KG_LEXICON_DIR", str(tmp_path))
    assert _labels() == (
        ["Fiji: Ministry of Defense", "Japan: Ministry of Defense"],
        [("Visit", "Kenji Arakawa in Fiji"), ("Meeting", "Talks of Fiji & Japan")],
    )


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (
            "visit\tVisit of {who}",
            "labels.tsv: visit template 'Visit of {who}' must take the fields: host, visitor",
        ),
        ("tour\tTour of {host}", "labels.tsv: unknown label 'tour'"),
        (
            "visit\tVisit by {visitor} to {host:>999999999}",
            "labels.tsv: visit: a field takes no format or conversion in "
            "'Visit by {visitor} to {host:>999999999}'",
        ),
        (
            "visit\tVisit by {visitor!r} to {host}",
            "labels.tsv: visit: a field takes no format or conversion in "
            "'Visit by {visitor!r} to {host}'",
        ),
        (
            "meeting\tMeeting {",
            "labels.tsv: meeting: bad template 'Meeting {' (Single '{' encountered in format string)",
        ),
    ],
)
def test_a_bad_label_row_is_one_clear_error(tmp_path, monkeypatch, row, message) -> None:
    from kg.lexicon import LexiconError, load_lexicon

    (tmp_path / "labels.tsv").write_text(f"label\ttemplate\n{row}\n", encoding="utf-8")
    monkeypatch.setenv("KG_LEXICON_DIR", str(tmp_path))
    with pytest.raises(LexiconError) as caught:
        load_lexicon()
    assert str(caught.value) == message
