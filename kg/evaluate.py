"""Evaluation: build articles into a temporary store and score its exports against a gold file.

Five categories are scored per article, each as a set, and micro-averaged over all articles
(TP, FP and FN summed before precision, recall and F1 are computed):

``states``
    ISO 3166-1 alpha-3 codes of the State entities whose ``articles`` include the article.
``officials``
    (name, state) of the Official entities of the article. Names are compared case- and
    accent-insensitively, ignoring punctuation, token order, single-letter initials and
    generational suffixes (Jr, Sr, II, III, IV); a predicted person matches through its name
    or any of its aliases (a node merged across articles keeps one label). States compare
    exactly (``None`` when unknown).
``events``
    (type, sorted party states) of the events of the scored types of ``event_types.tsv``
    (Meeting, Visit, Exercise and Agreement) that have a status (held, planned, signed...): a
    node without a status only names an exercise or agreement the article mentions, and
    counts for ``names`` alone.
``names``
    the names (``skos:prefLabel``) of the nodes of the named types (Exercise, Agreement),
    compared case-insensitively, ignoring a leading "the" and "Exercise", punctuation, and writing a
    four-digit year suffix as two digits ("Balikatan 2025" == "Balikatan 25").
``dates``
    (type, YYYY-MM-DD) of those events whose date is a full calendar date.

The gold format is documented in README ("Evaluating the extractor").
"""

from __future__ import annotations

import functools
import json
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from kg.event_types import event_types

T = TypeVar("T")

CATEGORIES = ("states", "officials", "events", "names", "dates")
EVENT_TYPES = event_types().scored()  # kg/data/event_types.tsv: scored, named
NAMED_EVENT_TYPES = event_types().named()
SKIPPED_FILES = frozenset({"notes.md", "readme.md"})
"""Documentation files that may sit next to articles and are never read as articles."""

_ISO3 = re.compile(r"^[A-Z]{3}$")
_FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TOKEN = re.compile(r"[^\W_]+")
_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_YEAR_SUFFIX = re.compile(r" (?:19|20)(\d\d)$")
_D = "https://w3id.org/defense-kg/ontology#"
_SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"

Key = tuple[Any, ...]


class EvaluationError(ValueError):
    """A gold file or set of inputs that cannot be evaluated (the message is one line)."""


# --- normalisation ------------------------------------------------------------------------


_UNDECOMPOSED = str.maketrans(
    {"ł": "l", "ø": "o", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "ŀ": "l", "þ": "th", "æ": "ae",
     "œ": "oe", "ß": "ss"}
)  # fmt: skip
"""Letters that Unicode does not decompose into a base letter and an accent."""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_UNDECOMPOSED))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def person_key(name: str) -> tuple[str, ...]:
    """The comparison key of a person's name.

    Examples
    --------
    >>> person_key("TANAKA Hiroshi") == person_key("Hiroshi Tanaka")
    True
    >>> person_key("Lloyd J. Austin III")
    ('austin', 'lloyd')
    >>> person_key("Ngô Xuân Lịch")
    ('lich', 'ngo', 'xuan')
    """
    tokens = _TOKEN.findall(_fold(name))
    return tuple(sorted(t for t in tokens if len(t) > 1 and t not in _SUFFIXES))


def name_key(name: str) -> str:
    """The comparison key of an exercise or agreement name.

    Examples
    --------
    >>> name_key("Exercise Balikatan 2025") == name_key("Balikatan 25")
    True
    >>> name_key("the Reciprocal Access Agreement")
    'reciprocal access agreement'
    >>> name_key("Freedom Shield '24")
    'freedom shield 24'
    """
    key = " ".join(_TOKEN.findall(_fold(name)))
    for prefix in ("the ", "exercise "):
        if key.startswith(prefix):
            key = key[len(prefix) :]
    return _YEAR_SUFFIX.sub(r" \1", key)


# --- facts --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Official:
    """A person as predicted: display name, every comparison key, and the state served."""

    name: str
    state: str | None
    keys: frozenset[tuple[str, ...]]

    @classmethod
    def of(cls, name: str, state: str | None, aliases: Iterable[str] = ()) -> Official:
        keys = frozenset(k for k in map(person_key, (name, *aliases)) if k)
        return cls(name, state, keys or frozenset({()}))


@dataclass(frozen=True, slots=True)
class Facts:
    """What one article says, in the five scored categories (displayable values)."""

    states: frozenset[str] = frozenset()
    officials: frozenset[Official] = frozenset()
    events: frozenset[tuple[str, tuple[str, ...]]] = frozenset()
    names: frozenset[str] = frozenset()
    dates: frozenset[tuple[str, str]] = frozenset()


@dataclass(frozen=True, slots=True)
class Score:
    """True positives, false positives and false negatives, and the rates derived from them.

    With nothing predicted precision is 1; with nothing to find recall is 1.

    Examples
    --------
    >>> s = Score(3, 1, 2)
    >>> (s.precision, s.recall, round(s.f1, 4))
    (0.75, 0.6, 0.6667)
    >>> Score(0, 0, 0).f1
    1.0
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __add__(self, other: Score) -> Score:
        return Score(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def as_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


@dataclass(frozen=True, slots=True)
class CategoryResult:
    """One category of one article: the score and the items it missed or invented."""

    score: Score
    false_positives: tuple[str, ...] = ()
    false_negatives: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InventedFact:
    """A predicted fact that gold contradicts: an attribution gold's matching item lacks (an
    official's state, an event's party), or a name that is a clause."""

    category: str  # officials | events | names
    item: str  # the predicted item, as displayed
    invented: tuple[str, ...]  # the attributed values gold does not have; ("clause",) for names
    gold: str | None = None  # the gold item it was matched to, as displayed

    def show(self) -> str:
        against = f" (gold: {self.gold})" if self.gold else ""
        return f"{self.item}: {', '.join(self.invented)}{against}"


INVENTED_CATEGORIES = ("officials", "events", "names")


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Per-article results, micro-averaged totals and the invented facts of each article."""

    articles: Mapping[str, Mapping[str, CategoryResult]]
    totals: Mapping[str, Score] = field(default_factory=dict)
    invented: Mapping[str, tuple[InventedFact, ...]] = field(default_factory=dict)

    def invented_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(INVENTED_CATEGORIES, 0)
        for facts in self.invented.values():
            for fact in facts:
                counts[fact.category] += 1
        return counts

    def total(self, category: str) -> Score:
        return self.totals[category]

    def overall(self) -> Score:
        """Micro-average over every category and article."""
        return sum((self.totals[c] for c in CATEGORIES), Score())

    def as_dict(self, per_article: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "articles": len(self.articles),
            "total": {c: self.totals[c].as_dict() for c in CATEGORIES},
            "overall": self.overall().as_dict(),
            "invented": self.invented_counts(),
        }
        if per_article:
            out["per_article"] = {
                aid: {
                    c: {
                        **r.score.as_dict(),
                        "false_positives": list(r.false_positives),
                        "false_negatives": list(r.false_negatives),
                    }
                    for c, r in results.items()
                }
                | {"invented": [f.show() for f in self.invented.get(aid, ())]}
                for aid, results in sorted(self.articles.items())
            }
        return out


# --- gold ---------------------------------------------------------------------------------


def _fail(where: str, message: str) -> EvaluationError:
    return EvaluationError(f"{where}: {message}")


def _list(entry: Mapping[str, Any], key: str, where: str) -> list[Any]:
    value = entry.get(key, [])
    if not isinstance(value, list):
        raise _fail(where, f'"{key}" must be a list')
    return value


def _iso3(value: Any, where: str) -> str:
    if not isinstance(value, str) or not _ISO3.match(value):
        raise _fail(where, f"{value!r} is not an ISO 3166-1 alpha-3 code")
    return value


def _event_type(value: Any, where: str) -> str:
    if value not in EVENT_TYPES:
        raise _fail(where, f"event type {value!r} is not one of {', '.join(EVENT_TYPES)}")
    return str(value)


def _object(item: Any, keys: tuple[str, ...], where: str) -> Mapping[str, Any]:
    if not isinstance(item, dict) or set(item) != set(keys):
        raise _fail(where, f"each item must be an object with exactly the keys {', '.join(keys)}")
    return item


def parse_gold_entry(entry: Any, where: str) -> Facts:
    """Validate one article's gold entry and turn it into ``Facts``."""
    if not isinstance(entry, dict):
        raise _fail(where, "each article's gold must be an object")
    unknown = sorted(set(entry) - set(CATEGORIES))
    if unknown:
        raise _fail(where, f"unknown key {unknown[0]!r} (expected {', '.join(CATEGORIES)})")
    states = frozenset(_iso3(s, f"{where}.states") for s in _list(entry, "states", where))
    officials = set()
    for item in _list(entry, "officials", where):
        item = _object(item, ("name", "state"), f"{where}.officials")
        if not isinstance(item["name"], str) or not person_key(item["name"]):
            raise _fail(f"{where}.officials", f"{item['name']!r} is not a person's name")
        state = None if item["state"] is None else _iso3(item["state"], f"{where}.officials")
        officials.add(Official.of(item["name"], state))
    events = set()
    for item in _list(entry, "events", where):
        item = _object(item, ("type", "states"), f"{where}.events")
        if not isinstance(item["states"], list):
            raise _fail(f"{where}.events", '"states" must be a list')
        parties = tuple(sorted({_iso3(s, f"{where}.events") for s in item["states"]}))
        events.add((_event_type(item["type"], f"{where}.events"), parties))
    names = set()
    for item in _list(entry, "names", where):
        if not isinstance(item, str) or not name_key(item):
            raise _fail(f"{where}.names", f"{item!r} is not a name")
        names.add(item)
    dates = set()
    for item in _list(entry, "dates", where):
        item = _object(item, ("type", "date"), f"{where}.dates")
        if not isinstance(item["date"], str) or not _FULL_DATE.match(item["date"]):
            raise _fail(f"{where}.dates", f"{item['date']!r} is not a YYYY-MM-DD date")
        dates.add((_event_type(item["type"], f"{where}.dates"), item["date"]))
    return Facts(
        states, frozenset(officials), frozenset(events), frozenset(names), frozenset(dates)
    )


def parse_gold(data: Any, source: str = "gold") -> dict[str, Facts]:
    """Validate a decoded gold document (``{"articles": {id: {...}}}``)."""
    if not isinstance(data, dict) or not isinstance(data.get("articles"), dict):
        raise _fail(source, 'expected a JSON object with an "articles" object')
    return {
        str(aid): parse_gold_entry(entry, f"{source}: article {aid}")
        for aid, entry in data["articles"].items()
    }


def load_gold(path: Path) -> dict[str, Facts]:
    """Read and validate a gold file; raise ``EvaluationError`` (one line) on bad input."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EvaluationError(f"{path}: no such gold file") from None
    except OSError as exc:
        raise EvaluationError(f"{path}: cannot read gold file ({exc.strerror})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise EvaluationError(f"{path}: gold file is not UTF-8 text") from None
    except json.JSONDecodeError as exc:
        raise EvaluationError(
            f"{path}: malformed JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    return parse_gold(data, str(path))


# --- predictions --------------------------------------------------------------------------


def _grouped(store: Any, sparql: str, value: str) -> dict[str, set[str]]:
    """Run a SELECT with ``?e`` and ``?<value>`` and group the values by ``?e``."""
    from kg.export import _select

    out: dict[str, set[str]] = {}
    for row in _select(store, sparql):
        out.setdefault(row["e"], set()).add(
            row[value].rsplit("/", 1)[-1] if value == "g" else row[value]
        )
    return out


def _event_graphs(store: Any) -> dict[str, set[str]]:
    """Every article an event node is stated in (an event merged across articles has several)."""
    types = " ".join(f"<{_D}{t}>" for t in EVENT_TYPES)
    query = f"SELECT ?e ?g WHERE {{ GRAPH ?g {{ ?e a ?t }} VALUES ?t {{ {types} }} }}"
    return _grouped(store, query, "g")


def event_names(store: Any) -> dict[str, set[str]]:
    """``skos:prefLabel`` of every Exercise and Agreement node, by node IRI."""
    types = " ".join(f"<{_D}{t}>" for t in NAMED_EVENT_TYPES)
    query = f"SELECT ?e ?name WHERE {{ ?e a ?t ; <{_SKOS_PREF}> ?name . VALUES ?t {{ {types} }} }}"
    return _grouped(store, query, "name")


def predicted_facts(
    entities: Iterable[Mapping[str, Any]],
    events: Iterable[Mapping[str, Any]],
    names: Mapping[str, Iterable[str]] | None = None,
    event_articles: Mapping[str, Iterable[str]] | None = None,
) -> dict[str, Facts]:
    """Turn ``entities``/``events`` export records into per-article ``Facts``.

    Parameters
    ----------
    entities, events
        Records as produced by ``kg.export.entities`` and ``kg.export.events``.
    names
        Names of events by event id (read from ``skos:prefLabel``); an event record's own
        ``name`` field, when the export has one, is used as well.
    event_articles
        Extra articles an event id belongs to (for events merged across articles).

    An event record whose ``status`` is None only names an exercise or agreement: it counts
    for ``names``, not for ``events`` or ``dates``.

    Examples
    --------
    >>> facts = predicted_facts(
    ...     [{"type": "State", "iso3": "JPN", "name": "Japan", "articles": ["a"]}],
    ...     [{"id": "e1", "article": "a", "type": "Exercise", "states": ["JPN", "USA"],
    ...       "date": "2024-03", "name": "Keen Sword 25"}],
    ... )
    >>> sorted(facts["a"].states), sorted(facts["a"].events), sorted(facts["a"].names)
    (['JPN'], [('Exercise', ('JPN', 'USA'))], ['Keen Sword 25'])
    >>> facts["a"].dates
    frozenset()
    """
    names = names or {}
    event_articles = event_articles or {}
    acc: dict[str, dict[str, set[Any]]] = {}

    def bucket(aid: str) -> dict[str, set[Any]]:
        return acc.setdefault(aid, {c: set() for c in CATEGORIES})

    for record in entities:
        for aid in record.get("articles") or ():
            if record["type"] == "State" and record.get("iso3"):
                bucket(aid)["states"].add(record["iso3"])
            elif record["type"] == "Official":
                official = Official.of(
                    record["name"], record.get("state"), record.get("aliases", ())
                )
                bucket(aid)["officials"].add(official)
    for record in events:
        if record["type"] not in EVENT_TYPES:
            continue
        articles = {record["article"], *event_articles.get(record["id"], ())}
        event_name = {record["name"]} if record.get("name") else set()
        # A node without a status names a treaty or exercise without reporting it as an event.
        reported = record.get("status", "held") is not None
        for aid in articles:
            facts = bucket(aid)
            if reported:
                facts["events"].add(
                    (record["type"], tuple(sorted(set(record.get("states") or ()))))
                )
            date = record.get("date")
            if reported and isinstance(date, str) and _FULL_DATE.match(date):
                facts["dates"].add((record["type"], date))
            if record["type"] in NAMED_EVENT_TYPES:
                facts["names"].update(event_name | set(names.get(record["id"], ())))
    return {aid: Facts(**{c: frozenset(v) for c, v in facts.items()}) for aid, facts in acc.items()}


# --- scoring ------------------------------------------------------------------------------


def _show(category: str, item: Any) -> str:
    if category == "officials":
        return f"{item.name} ({item.state or '-'})"
    if category == "events":
        return f"{item[0]} {'+'.join(item[1]) or '(no states)'}"
    if category == "dates":
        return f"{item[0]} {item[1]}"
    return str(item)


def _score_keyed(
    category: str, gold: Iterable[Any], predicted: Iterable[Any], key: Any
) -> CategoryResult:
    gold_keys = {key(g): g for g in sorted(gold, key=lambda g: _show(category, g))}
    pred_keys = {key(p): p for p in sorted(predicted, key=lambda p: _show(category, p))}
    tp = gold_keys.keys() & pred_keys.keys()
    fps = sorted(_show(category, pred_keys[k]) for k in pred_keys.keys() - tp)
    fns = sorted(_show(category, gold_keys[k]) for k in gold_keys.keys() - tp)
    return CategoryResult(Score(len(tp), len(fps), len(fns)), tuple(fps), tuple(fns))


def _score_officials(gold: Iterable[Official], predicted: Iterable[Official]) -> CategoryResult:
    """Match each gold official to at most one predicted person (same state, a shared key)."""
    golds = sorted({(min(g.keys), g.state): g for g in gold}.values(), key=lambda g: g.name)
    preds = sorted(
        {(min(p.keys), p.state): p for p in predicted}.values(), key=lambda p: (p.name, p.keys)
    )
    used: set[int] = set()
    missed = []
    for g in golds:
        match = next(
            (
                i
                for i, p in enumerate(preds)
                if i not in used and p.state == g.state and g.keys & p.keys
            ),
            None,
        )
        if match is None:
            missed.append(g)
        else:
            used.add(match)
    fps = sorted(_show("officials", p) for i, p in enumerate(preds) if i not in used)
    fns = sorted(_show("officials", g) for g in missed)
    return CategoryResult(Score(len(used), len(fps), len(fns)), tuple(fps), tuple(fns))


def score_article(gold: Facts, predicted: Facts) -> dict[str, CategoryResult]:
    """Score one article in every category."""
    return {
        "states": _score_keyed("states", gold.states, predicted.states, lambda s: s),
        "officials": _score_officials(gold.officials, predicted.officials),
        "events": _score_keyed("events", gold.events, predicted.events, lambda e: e),
        "names": _score_keyed("names", gold.names, predicted.names, name_key),
        "dates": _score_keyed("dates", gold.dates, predicted.dates, lambda d: d),
    }


def invented_attributions(
    category: str,
    gold: Iterable[T],
    predicted: Iterable[T],
    same: Callable[[T, T], bool],
    values: Callable[[T], frozenset[str]],
    show: Callable[[T], str],
) -> list[InventedFact]:
    """Predicted items that match a gold item (``same``) yet carry values gold's item does not
    have (``values``: an official's state, an event's parties). Generic over categories: the
    gold item chosen is the matching one sharing most values (ties: the first by display)."""
    golds = sorted(gold, key=show)
    found = []
    for p in sorted(predicted, key=show):
        candidates = [g for g in golds if same(g, p)]
        if not candidates or any(values(g) == values(p) for g in candidates):
            continue
        best = max(candidates, key=lambda g: len(values(g) & values(p)))
        extra = values(p) - values(best)
        if extra:
            found.append(InventedFact(category, show(p), tuple(sorted(extra)), show(best)))
    return found


def _is_clause(name: str) -> bool:
    """A name that reads as a clause or runs on: a lower-case word that names never hold, or a
    month or weekday ("when X and Y met in February", "... Cooperation in Manila on May")."""
    words = re.findall(r"[\w’'-]+", name)
    if not words:
        return False
    lowered = [w for w in words if w[:1].islower()]
    connectors, calendar = _name_words()
    return any(_fold(w) not in connectors for w in lowered) or any(
        _fold(w).rstrip(".") in calendar for w in words[1:]
    )


@functools.lru_cache(maxsize=1)
def _name_words() -> tuple[frozenset[str], frozenset[str]]:
    from kg.lexicon import load_lexicon, read_tsv

    connectors = frozenset(_fold(r["text"]) for r in read_tsv("name_words.tsv"))
    calendar = frozenset(
        _fold(text).rstrip(".")
        for cls, text, _ in load_lexicon().date_words
        if cls in ("month", "weekday")
    )
    return connectors, calendar


def invented_facts(gold: Facts, predicted: Facts) -> tuple[InventedFact, ...]:
    """What one article's predictions invent: officials whose state differs from gold's, event
    parties gold's event does not have, and names that are clauses."""
    found = invented_attributions(
        "officials",
        gold.officials,
        predicted.officials,
        lambda g, p: bool(g.keys & p.keys),
        lambda o: frozenset({o.state}) if o.state else frozenset(),
        lambda o: _show("officials", o),
    )
    found += invented_attributions(
        "events",
        gold.events,
        predicted.events,
        lambda g, p: g[0] == p[0] and bool(set(g[1]) & set(p[1])),
        lambda e: frozenset(e[1]),
        lambda e: _show("events", e),
    )
    gold_names = {name_key(n) for n in gold.names}
    found += [
        InventedFact("names", n, ("clause",))
        for n in sorted(predicted.names)
        if name_key(n) not in gold_names and _is_clause(n)
    ]
    return tuple(found)


def score(gold: Mapping[str, Facts], predicted: Mapping[str, Facts]) -> Evaluation:
    """Score every gold article (missing predictions count as empty) and micro-average.

    Examples
    --------
    >>> gold = {"a": Facts(states=frozenset({"JPN", "KOR"})), "b": Facts(states=frozenset({"USA"}))}
    >>> pred = {"a": Facts(states=frozenset({"JPN", "CHN"})), "b": Facts(states=frozenset({"USA"}))}
    >>> score(gold, pred).total("states")
    Score(tp=2, fp=1, fn=1)
    """
    articles = {aid: score_article(gold[aid], predicted.get(aid, Facts())) for aid in sorted(gold)}
    totals = {c: sum((r[c].score for r in articles.values()), Score()) for c in CATEGORIES}
    invented = {aid: invented_facts(gold[aid], predicted.get(aid, Facts())) for aid in sorted(gold)}
    return Evaluation(articles, totals, {aid: v for aid, v in invented.items() if v})


# --- building -----------------------------------------------------------------------------


def find_inputs(paths: Sequence[Path]) -> list[Path]:
    """Article files under ``paths``, without README.md/NOTES.md documentation files."""
    from kg.article import find_article_files

    for path in paths:
        if not path.exists():
            raise EvaluationError(f"{path}: no such file or folder")
    files = [p for p in find_article_files(list(paths)) if p.name.lower() not in SKIPPED_FILES]
    if not files:
        raise EvaluationError("no article files (.txt or .md) in " + ", ".join(map(str, paths)))
    return files


def build_predictions(paths: Sequence[Path]) -> dict[str, Facts]:
    """Build the articles into a temporary store and read ``Facts`` from its exports."""
    from kg.article import ArticleError
    from kg.backends import opened
    from kg.build import build_articles, read_articles
    from kg.export import entities, events

    try:
        articles = read_articles(find_inputs(paths))
    except ArticleError as exc:
        raise EvaluationError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="kg-evaluate-") as tmp:
        with opened(Path(tmp) / "store", create=True) as store:
            build_articles(store, articles)
            facts = predicted_facts(
                entities(store), events(store), event_names(store), _event_graphs(store)
            )
    return {a.id: facts.get(a.id, Facts()) for a in articles}


def evaluate(gold_path: Path, paths: Sequence[Path]) -> Evaluation:
    """Build ``paths`` and score them against the gold file at ``gold_path``."""
    gold = load_gold(gold_path)
    files = find_inputs(paths)
    predicted = build_predictions(files)
    missing = sorted(set(gold) - set(predicted))
    if missing:
        more = f" and {len(missing) - 1} more" if len(missing) > 1 else ""
        raise EvaluationError(f"gold article {missing[0]!r}{more} not among the inputs")
    unknown = sorted(set(predicted) - set(gold))
    if unknown:
        more = f" and {len(unknown) - 1} more" if len(unknown) > 1 else ""
        raise EvaluationError(f"article {unknown[0]!r}{more} has no entry in {gold_path}")
    return score(gold, predicted)


# --- reporting ----------------------------------------------------------------------------

COLUMNS = ("category", "tp", "fp", "fn", "precision", "recall", "f1")


def _row(label: str, s: Score) -> tuple[str, ...]:
    return (
        label,
        str(s.tp),
        str(s.fp),
        str(s.fn),
        *(f"{v:.3f}" for v in (s.precision, s.recall, s.f1)),
    )


def score_rows(evaluation: Evaluation, per_article: bool = False) -> list[tuple[str, ...]]:
    """Rows of the score table: one per category, ``overall``, then per article if asked."""
    rows = [_row(c, evaluation.total(c)) for c in CATEGORIES]
    rows.append(_row("overall", evaluation.overall()))
    if per_article:
        for aid, results in sorted(evaluation.articles.items()):
            rows += [_row(f"{aid} {c}", results[c].score) for c in CATEGORIES]
    return rows


def render_scores(evaluation: Evaluation, fmt: str = "table", per_article: bool = False) -> str:
    """The scores as an aligned table, Markdown or JSON."""
    if fmt == "json":
        return json.dumps(evaluation.as_dict(per_article), indent=1, ensure_ascii=False) + "\n"
    rows = score_rows(evaluation, per_article)
    if fmt == "markdown":
        lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
        return "\n".join(lines) + "\n"
    widths = [max(len(c), *(len(r[i]) for r in rows)) for i, c in enumerate(COLUMNS)]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(COLUMNS, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for row in rows:
        lines.append(
            "  ".join(
                v.ljust(w) if i == 0 else v.rjust(w)
                for i, (v, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(lines) + "\n" + render_invented_summary(evaluation)


def render_invented_summary(evaluation: Evaluation) -> str:
    """One line: how many facts the predictions invent, by kind."""
    counts = evaluation.invented_counts()
    return (
        f"invented facts: {counts['officials']} officials with a wrong state, "
        f"{counts['events']} event parties gold lacks, {counts['names']} names that are clauses\n"
    )


def render_errors(evaluation: Evaluation) -> str:
    """Every false positive and false negative, by article and category."""
    lines = []
    for aid, results in sorted(evaluation.articles.items()):
        errors = [(c, r) for c, r in results.items() if r.false_positives or r.false_negatives]
        invented = evaluation.invented.get(aid, ())
        if not errors and not invented:
            continue
        lines.append(f"== {aid}")
        for category, result in errors:
            for item in result.false_positives:
                lines.append(f"  {category:<9} FP  {item}")
            for item in result.false_negatives:
                lines.append(f"  {category:<9} FN  {item}")
        for fact in invented:
            lines.append(f"  {fact.category:<9} INV {fact.show()}")
    return "\n".join(lines) + ("\n" if lines else "")


__all__ = [
    "CATEGORIES",
    "EvaluationError",
    "Evaluation",
    "Facts",
    "InventedFact",
    "Official",
    "Score",
    "evaluate",
    "invented_attributions",
    "invented_facts",
    "load_gold",
    "name_key",
    "person_key",
    "predicted_facts",
    "render_errors",
    "render_scores",
    "score",
]
