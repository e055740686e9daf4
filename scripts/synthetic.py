"""Synthetic articles of the genre, from the project's own templates over the gazetteers.

Each article reports a meeting between two states' officials, usually a visit, an agreement
and an exercise, with dates written in the common forms (absolute, relative to the
``published`` date, partial), invented people with titles from ``kg/data/titles.tsv``, and
background paragraphs that mention no state. Because the templates know what they wrote, every
article comes with its gold (format: README, "Evaluating the extractor").

The output is deterministic for a given seed. Usage::

    .venv/bin/python scripts/synthetic.py OUT_DIR -n 1000 --seed 7   # writes *.txt + gold.json
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip

# Invented names: syllables chosen so that no name is a word, a place or a state.
_GIVEN = tuple(
    (
        "Ari Belo Cato Davi Eron Felis Goran Hiro Ilan Joren Kaito Lior Mateo Nilo Oren Piet Quin "
        "Rafe Soren Tavi Alina Brisa Celia Dara Elin Fenna Greta Hana Ines Jora Kaia Lena Mira "
        "Nadia Orla Petra Rina Sela Tamsin Vera"
    ).split()
)
_FEMALE = frozenset(_GIVEN[20:])
_FAMILY_A = tuple(
    (
        "Abe Bran Cor Dov Ek Fal Gar Hol Ist Jal Kor Lun Mar Nor Ost Pel Quar Rov Sted Tor Ulm "
        "Vas Wen Yar"
    ).split()
)
_FAMILY_B = tuple(
    (
        "ander berg calli dovic essen forth grave holm ievski jaro kuma lund mura novo oyan pardi "
        "quist rani sato tanu uzzi vari wick zeda"
    ).split()
)
_EXERCISE_A = ("Steel", "Silent", "Iron", "Northern", "Golden", "Swift", "Bright", "Stone",
               "Crimson", "Silver", "Distant", "Valiant")  # fmt: skip
_EXERCISE_B = ("Falcon", "Talon", "Anvil", "Harbor", "Lance", "Rampart", "Sentry", "Beacon",
               "Compass", "Keystone", "Bastion", "Horizon")  # fmt: skip
_AREAS = ("maritime security", "cyber defence", "military education", "defence industry",
          "logistics", "peacekeeping", "humanitarian assistance and disaster relief",
          "military medicine", "space situational awareness")  # fmt: skip
_AGREEMENT_KINDS = (
    "Defence Cooperation Agreement",
    "Logistics Support Agreement",
    "Framework Agreement on Defence Cooperation",
    "Status of Forces Agreement",
)
_CIVIL_TITLES = ("Defense Minister", "Defence Minister", "Minister of National Defense",
                 "Minister of Defence")  # fmt: skip

_FILLER = (
    "Officials described the atmosphere as cordial and constructive.",
    "Both delegations included senior officers from the army, navy and air force.",
    "The ministry did not give further details about the schedule.",
    "Observers noted that defence spending in the region has risen steadily over the past decade.",
    "Analysts expect further contacts at the working level in the coming months.",
    "The delegation also laid a wreath at a national memorial.",
    "Officials underlined the importance of transparency and mutual trust between the armed "
    "forces.",
    "The discussions covered personnel exchanges, joint research and the training of young "
    "officers.",
    "Several working groups will report on progress before the end of the year.",
    "A ceremony with a military band and an honour guard opened the programme.",
    "The officials also exchanged views on disaster response and on the protection of sea lanes.",
    "The two sides want to expand cooperation in military medicine and search and rescue.",
    "A joint press release issued afterwards listed the main areas of cooperation.",
    "Defence officials said that the relationship had grown steadily in recent years.",
    "Industry representatives attended a separate session on procurement and maintenance.",
    "The programme included a tour of a naval base and a briefing on coastal surveillance.",
    "Experts say that the partnership could become a model for other countries.",
    "Questions from reporters focused on the budget and the timetable of the projects.",
)


@dataclass
class Gold:
    states: set[str] = field(default_factory=set)
    officials: list[dict[str, str]] = field(default_factory=list)
    events: set[tuple[str, tuple[str, ...]]] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    dates: set[tuple[str, str]] = field(default_factory=set)

    def as_json(self) -> dict[str, list[object]]:
        return {
            "states": sorted(self.states),
            "officials": self.officials,
            "events": [{"type": t, "states": list(s)} for t, s in sorted(self.events)],
            "names": self.names,
            "dates": [{"type": t, "date": d} for t, d in sorted(self.dates)],
        }


@dataclass(frozen=True, slots=True)
class State:
    iso3: str
    name: str
    adjective: str
    seat: str


@dataclass(frozen=True, slots=True)
class SyntheticArticle:
    id: str
    text: str
    gold: dict[str, list[object]]

    @property
    def words(self) -> int:
        return len(self.text.split())


def load_states() -> list[State]:
    """States from ``kg/data/states.tsv`` that have an adjective and a seat of government."""
    sys.path.insert(0, str(ROOT))
    from kg.lexicon import read_tsv

    states = []
    for row in read_tsv("states.tsv"):
        adjectives = [a for a in row.get("adjectives", "").split("|") if a and not a.endswith("s")]
        seats = [s for s in row.get("seats", "").split("|") if s]
        if adjectives and seats and " " not in row["name"]:
            states.append(State(row["iso3"], row["name"], adjectives[0], seats[0]))
    return sorted(states, key=lambda s: s.iso3)


@dataclass
class _Writer:
    rng: random.Random
    published: dt.date
    gold: Gold = field(default_factory=Gold)
    used_names: set[str] = field(default_factory=set)

    def person(self, state: State, title: str) -> tuple[str, str, str]:
        """An invented official: full name, surname, pronoun."""
        while True:
            given = self.rng.choice(_GIVEN)
            family = self.rng.choice(_FAMILY_A) + self.rng.choice(_FAMILY_B)
            if family not in self.used_names:
                break
        self.used_names.add(family)
        name = f"{given} {family}"
        self.gold.officials.append({"name": name, "state": state.iso3})
        return name, family, "She" if given in _FEMALE else "He"

    def date(self, past: bool) -> tuple[str, str | None]:
        """A date phrase and the full date it resolves to (None for partial dates)."""
        choice = self.rng.randrange(5)
        if choice == 0:
            return "today", self.published.isoformat()
        if choice == 1 and past:
            return "yesterday", (self.published - dt.timedelta(days=1)).isoformat()
        if choice == 2:
            offset = self.rng.randrange(1, 7)
            day = self.published - dt.timedelta(days=offset) if past else (
                self.published + dt.timedelta(days=offset)
            )  # fmt: skip
            return f"on {WEEKDAYS[day.weekday()]}", day.isoformat()
        if choice == 3:
            day = self.published - dt.timedelta(days=self.rng.randrange(0, 3))
            if self.rng.random() < 0.5:
                return f"on {MONTHS[day.month - 1]} {day.day}, {day.year}", day.isoformat()
            return f"on {day.day} {MONTHS[day.month - 1]} {day.year}", day.isoformat()
        return f"in {MONTHS[self.published.month - 1]}", None


def _article(rng: random.Random, index: int, states: list[State]) -> SyntheticArticle:
    a, b, c = rng.sample(states, 3)
    published = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(0, 3650))
    w = _Writer(rng, published)
    w.gold.states.update({a.iso3, b.iso3})
    pair = tuple(sorted((a.iso3, b.iso3)))
    title_a, title_b = rng.choice(_CIVIL_TITLES), rng.choice(_CIVIL_TITLES)
    name_a, sur_a, he_a = w.person(a, title_a)
    name_b, sur_b, _ = w.person(b, title_b)
    when, meeting_date = w.date(past=True)
    paragraphs: list[str] = []

    lead = rng.randrange(3)
    if lead == 0:
        his = "his" if he_a == "He" else "her"
        paragraphs.append(
            f"{a.adjective} {title_a} {name_a} met {his} {b.adjective} counterpart {name_b} in "
            f"{b.seat} {when} to discuss defence cooperation between {a.name} and {b.name}."
        )
    elif lead == 1:
        paragraphs.append(
            f"{title_a} {name_a} of {a.name} held talks with {title_b} {name_b} of {b.name} in "
            f"{b.seat} {when}, the ministry said."
        )
    else:
        paragraphs.append(
            f"{name_a}, the {title_a.lower()} of {a.name}, met {name_b}, the {title_b.lower()} "
            f"of {b.name}, in {b.seat} {when}."
        )
    w.gold.events.add(("Meeting", pair))
    if meeting_date:
        w.gold.dates.add(("Meeting", meeting_date))
    paragraphs.append(" ".join(rng.sample(_FILLER, 3)))

    if rng.random() < 0.7:
        arrival = rng.choice(("yesterday", "on Sunday", "earlier this week"))
        paragraphs.append(
            f"{sur_a} arrived in {b.seat} {arrival} for a three-day visit to {b.name}. "
            f"{he_a} is the first {a.adjective} minister to make the trip in several years."
        )
        w.gold.events.add(("Visit", pair))
        if arrival == "yesterday":
            w.gold.dates.add(("Visit", (published - dt.timedelta(days=1)).isoformat()))
        elif arrival == "on Sunday":
            back = (published.weekday() - 6) % 7
            w.gold.dates.add(("Visit", (published - dt.timedelta(days=back)).isoformat()))

    if rng.random() < 0.7:
        if rng.random() < 0.5:
            area = rng.choice(_AREAS)
            paragraphs.append(
                f"After the meeting, {sur_a} and {sur_b} signed a memorandum of understanding on "
                f"{area}. The document sets out annual staff talks and exchanges of officers."
            )
        else:
            name = f"{a.adjective}-{b.adjective} {rng.choice(_AGREEMENT_KINDS)}"
            paragraphs.append(
                f"After the meeting, the two ministers signed the {name}, which their "
                f"governments had negotiated for two years."
            )
            w.gold.names.append(name)
        w.gold.events.add(("Agreement", pair))
        if meeting_date:
            w.gold.dates.add(("Agreement", meeting_date))
    paragraphs.append(" ".join(rng.sample(_FILLER, 3)))

    if rng.random() < 0.7:
        year = published.year
        exercise = f"{rng.choice(_EXERCISE_A)} {rng.choice(_EXERCISE_B)} {year % 100:02d}"
        parties = {a.iso3, b.iso3}
        if rng.random() < 0.5:
            paragraphs.append(
                f"Troops from {a.name}, {b.name} and {c.name} began the exercise {exercise} "
                f"today, with about {rng.randrange(2, 9)},000 personnel taking part."
            )
            parties.add(c.iso3)
            w.gold.states.add(c.iso3)
            w.gold.dates.add(("Exercise", published.isoformat()))
        else:
            paragraphs.append(
                f"The ministers also agreed that their forces will hold the joint exercise "
                f"{exercise} later this year."
            )
            w.gold.events.add(("Agreement", pair))
        w.gold.events.add(("Exercise", tuple(sorted(parties))))
        w.gold.names.append(exercise)

    quote = rng.choice(
        ("Our partnership has never been stronger", "We share a commitment to regional stability",
         "This is a new chapter in our defence relationship")
    )  # fmt: skip
    paragraphs.append(f'"{quote}," {sur_b} told reporters. {" ".join(rng.sample(_FILLER, 4))}')
    for size in (5, 5, 4, 4):
        paragraphs.append(" ".join(rng.sample(_FILLER, size)))
    article_id = f"synthetic-{index:05d}"
    front = (
        f"---\ntitle: {a.adjective} and {b.adjective} defence ministers meet in {b.seat}\n"
        f"published: {published.isoformat()}\npublisher: Synthetic Wire\n---\n"
    )
    return SyntheticArticle(article_id, front + "\n\n".join(paragraphs) + "\n", w.gold.as_json())


def generate(count: int, seed: int = 0) -> Iterator[SyntheticArticle]:
    """``count`` synthetic articles; the same seed gives the same articles.

    Examples
    --------
    >>> first = next(generate(1, seed=3))
    >>> first.id, first == next(generate(1, seed=3))
    ('synthetic-00000', True)
    """
    rng = random.Random(seed)
    states = load_states()
    for index in range(count):
        yield _article(rng, index, states)


def write_corpus(out_dir: Path, count: int, seed: int = 0) -> list[SyntheticArticle]:
    """Write ``count`` articles (``<id>.txt``) and their ``gold.json`` into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    articles = list(generate(count, seed))
    for article in articles:
        (out_dir / f"{article.id}.txt").write_text(article.text, encoding="utf-8")
    gold = {"articles": {a.id: a.gold for a in articles}}
    (out_dir / "gold.json").write_text(json.dumps(gold, indent=1) + "\n", encoding="utf-8")
    return articles


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write a synthetic corpus with its gold.")
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", "--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    articles = write_corpus(args.out_dir, args.count, args.seed)
    words = sum(a.words for a in articles)
    print(f"wrote {len(articles)} articles ({words} words) and gold.json to {args.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
