"""People stage: officials found by title patterns, then their later mentions.

Patterns (titles come from ``titles.tsv``, honorifics from ``honorifics.txt``, the word classes
named below from ``people_words.tsv``):
  [state] [service] Title [of State] [Rank] [Honorific] Name   "U.S. Marine Capt. X"
  Name, [post-nominal,] [the] [state's] title [of State] [, State]   "X, Chile's undersecretary"
  Name – the title of State;  transcript speaker labels "NAME, TITLE:" / "TITLE, NAME:"
  later: the full name, the surname, "the minister", "he"/"she".
Name order: a name with one all-capitals token ("TANAKA Hiroshi") puts that token last.

Every official's state carries a basis (``EntityDraft.basis`` and ``basis_span``): the rule
that gave it. Explicit rules (adjective, of-state, possessive, ministry, seat, organization,
list-state) come from words next to the person; guessing rules (title-default, counterpart,
venue, dateline, publisher, ``kg.records.INFERRED_BASES``) only fill a gap explicit evidence
leaves, and a title default yields to a same-post holder of that state the text names.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import Counter

from kg.extract.doc import Doc, EntityDraft, Mention, replace
from kg.extract.grammar import alternation
from kg.extract.mentions import org_draft, state_draft
from kg.lexicon import (
    Match,
    TitleInfo,
    Token,
    cue_regex,
    first_character_test,
    fold,
    slugify,
    tokenize,
)
from kg.records import INFERRED_BASES

ROMAN = re.compile(r"^(?:II|III|IV|VI|VII|VIII)$")
_INITIAL = re.compile(r"[A-Z]")
_NAME_TOKEN = re.compile(r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Za-z][a-zà-ÿ]+)*|[A-Z]{2,}|[A-Z]\.)$")
_INNER_CAPITAL = re.compile(r"^([A-Z][a-z]{1,2})[A-Z][a-z]+$")
_DASHES = ("–", "—")
_LINK_REACH = 100
"""How far before a name a same-side link may stand ("a message from <title phrase> X")."""
_INHERIT_GAP = re.compile(r"(?:[ \t]+[A-Z][\w’'-]*){0,4},[ \t]*")
_LABEL_LINE = re.compile(r"[ \t•*-]*([^\n:]{2,90}?):[ \t]")


def _words(doc: Doc, cls: str) -> frozenset[str]:
    return doc.lexicon.people_words.get(cls, frozenset())


@functools.lru_cache(maxsize=16)
def _link_at_end(links: frozenset[str], definite: frozenset[str]) -> re.Pattern[str]:
    """A link word, then an optional definite article, at the end of a string (case-blind):
    "Ambassador to (the) ", "Minister of ", "friends from the "."""
    return re.compile(
        rf"(?<![\w’'])(?:{alternation(links)})\s++(?:(?:{alternation(definite)})\s++)?$",
        re.IGNORECASE,
    )


def _link_before(doc: Doc, cls: str) -> re.Pattern[str]:
    return _link_at_end(_words(doc, cls), _words(doc, "definite"))


@functools.lru_cache(maxsize=8)
def _joined_definite(joiners: frozenset[str], definite: frozenset[str]) -> re.Pattern[str]:
    return re.compile(
        rf"\s+(?:{alternation(joiners)})\s+(?:{alternation(definite)})\s+", re.IGNORECASE
    )


def _delegation_link(doc: Doc) -> re.Pattern[str]:
    """ "X and the Indonesian delegation": the words between the person and the state."""
    return _joined_definite(_words(doc, "delegation-joiner"), _words(doc, "definite"))


def _looks_like_name(doc: Doc, word: str) -> bool:
    """Capitalised word in any script with case ("Demirtaş", "Błaszczak"), ALL-CAPS family
    name ("TANAKA"), a name whose prefix (class ``name-prefix``: "Mc", "De") comes before a
    second capital, or an initial."""
    if _NAME_TOKEN.match(word):
        return True
    inner = _INNER_CAPITAL.match(word)
    if inner is not None and inner.group(1) in _words(doc, "name-prefix"):
        return True
    letters = word.replace("'", "").replace("’", "")
    return (
        len(word) > 1
        and word[0].isupper()
        and letters.isalpha()
        and not any(c.isupper() for c in word[1:])  # "SecBlinken" is a handle, not a name
    ) or (len(word) > 1 and word.isupper() and letters.isalpha())


def _is_name_token(doc: Doc, tok: Token, lenient: bool = False) -> bool:
    """A token that can be part of a personal name. ``lenient`` (right after a title) lets
    a word that is also a city or a seat of government be a name ("Aden Bare Duale")."""
    if not _looks_like_name(doc, tok.text):
        return False
    not_names = _words(doc, "not-name")
    if tok.text in not_names or tok.text.capitalize() in not_names:
        return False
    if doc.occupied(tok.start, tok.end):
        for m in doc.mentions:
            if m.start < tok.end and tok.start < m.end:
                if lenient and (m.how == "seat" or (m.type == "Place" and m.how == "name")):
                    continue
                return False
    if tok.text.isupper() and len(tok.text) > 1 and tok.text in doc.lexicon.state_names:
        return False
    return True


def _skip_honorifics(doc: Doc, i: int) -> int:
    """Index after any honorifics at token ``i`` ("The Rt Hon", "His Excellency Dr")."""
    tokens = doc.tokens
    keys = doc.keys(doc.lexicon.honorifics)
    while i < len(tokens):
        hon = doc.lexicon.honorifics.match_at(tokens, i, keys)
        if hon is None:
            break
        i = hon.last
    return i


def _particle_run(doc: Doc, j: int) -> int:
    """End of a run of name particles at ``j`` that leads to a name word ("von der", "al-")."""
    tokens = doc.tokens
    particles = _words(doc, "particle")
    k = j
    while k < len(tokens) and fold(tokens[k].text) in particles and tokens[k].text.islower():
        k += 1
        if k < len(tokens) and tokens[k].text == "-" and tokens[k].start == tokens[k - 1].end:
            k += 1  # "al-Zaben"
    if k == j or k >= len(tokens) or not _is_name_token(doc, tokens[k]):
        return j
    return k


def _read_name(doc: Doc, i: int, lenient: bool = False) -> tuple[int, int] | None:
    """Token range [i, j) of a personal name starting at token ``i`` (honorifics skipped)."""
    tokens = doc.tokens
    i = _skip_honorifics(doc, i)
    j = i
    parts: list[Token] = []
    if lenient and _particle_run(doc, j) > j:
        # "Minister von der Leyen": a name may open with its particles after a title
        end = _particle_run(doc, j)
        parts.extend(tokens[j:end])
        j = end
    while j < len(tokens) and len(parts) < 6:
        tok = tokens[j]
        if tok.text == "." and parts and _INITIAL.fullmatch(parts[-1].text):
            j += 1  # initial "N."
            continue
        if (
            tok.text in ("-",)
            and parts
            and j + 1 < len(tokens)
            and tokens[j].start == parts[-1].end
            and tokens[j + 1].start == tok.end
            and tokens[j + 1].text.isalpha()
        ):
            parts.append(tokens[j + 1])  # "Young-moo": the hyphenated part belongs to the name
            j += 2
            continue
        if parts and tok.text.islower():
            end = _particle_run(doc, j)
            if end > j:
                parts.extend(tokens[j:end])
                j = end
                continue
        if (
            _INITIAL.fullmatch(tok.text)
            and j + 1 < len(tokens)
            and tokens[j + 1].text in ("'", "’")
            and tokens[j + 1].start == tok.end
        ):
            parts.append(tok)  # the "O" of O'Connell
            j += 1
            continue
        if _INITIAL.fullmatch(tok.text) and j + 1 < len(tokens) and tokens[j + 1].text == ".":
            parts.append(tok)
            j += 1
            continue
        if (
            tok.text in ("'", "’")
            and parts
            and j + 1 < len(tokens)
            and tok.start == parts[-1].end
            and tokens[j + 1].start == tok.end
            and tokens[j + 1].text[:1].isupper()
        ):
            parts.append(tokens[j + 1])  # O'Connell, D’Souza
            j += 2
            continue
        if (
            tok.text in ("“", '"')
            and parts
            and j + 2 < len(tokens)
            and tokens[j + 2].text in ("”", '"')
        ):
            j += 3  # a nickname in quotes: Leonard “Lenny” Lyon
            continue
        if not _is_name_token(doc, tok, lenient=lenient and not parts):
            break
        if parts and tok.start - tokens[j - 1].end > 1 and tokens[j - 1].text not in ("”", '"'):
            break
        parts.append(tok)
        j += 1
    # a trailing initial or particle is not part of a name
    particles = _words(doc, "particle")
    while parts and (
        _INITIAL.fullmatch(parts[-1].text)
        or (parts[-1].text.islower() and fold(parts[-1].text) in particles)
    ):
        parts.pop()
    if not parts or all(p.text.islower() for p in parts):
        return None
    first = tokens.index(parts[0], i)
    last = tokens.index(parts[-1], first) + 1
    return first, last


def _display_name(doc: Doc, raw_tokens: list[str]) -> tuple[str, tuple[str, ...]]:
    """Display form and identity tokens. "TANAKA Hiroshi" -> "Hiroshi Tanaka"."""
    words = [t for t in raw_tokens if t not in (".",)]
    caps = [w for w in words if w.isupper() and len(w) > 1]
    if len(words) > 1 and len(caps) == 1 and words[0] == caps[0]:
        words = words[1:] + [words[0]]
    post_nominals = _words(doc, "post-nominal")
    while len(words) > 1 and words[-1].rstrip(".") in post_nominals:
        words = words[:-1]
    words = [
        w.capitalize() if w.isupper() and len(w) > 1 and not ROMAN.match(w) else w for w in words
    ]
    identity = tuple(sorted(fold(w) for w in words if len(w) > 1))
    return " ".join(words), identity


def _name_text(doc: Doc, first: int, last: int) -> tuple[str, list[str]]:
    tokens = doc.tokens
    text = doc.article.text[tokens[first].start : tokens[last - 1].end]
    words = re.findall(r"[^\s]+", text)
    words = [w[:-1] if w.endswith(".") and len(w) > 2 else w for w in words]
    words = [w for w in words if not (w[:1] in '“"' and w[-1:] in '”"')]  # nicknames
    return text, words


_EXPLICIT_HOW = {"adjective": "adjective", "possessive": "possessive", "seat": "seat"}


def _title_evidence(
    doc: Doc, start: int, end: int, title: TitleInfo
) -> tuple[str | None, str | None, tuple[int, int] | None]:
    """(state, basis rule, evidence span) a title phrase gives: a state adjective, possessive,
    seat, "of X" or an organisation inside it; else the title's own default (a guess)."""
    text = doc.article.text
    for mention in doc.mentions:
        if mention.start >= start and mention.end <= end and mention.state:
            if mention.type not in ("State", "Organization"):
                continue
            before = text[max(start, mention.start - 8) : mention.start]
            if _link_before(doc, "destination-link").search(before):
                continue  # "Ambassador to Kenya": the post's destination, not its state
            if mention.how == "title":
                return mention.state, "title-default", (mention.start, mention.end)
            if mention.type == "Organization":
                rule = "ministry" if "ministry" in (mention.key or "") else "organization"
            elif _link_before(doc, "state-link").search(before):
                rule = "of-state"
            else:
                rule = _EXPLICIT_HOW.get(mention.how, "adjective")
            return mention.state, rule, (mention.start, mention.end)
    lead = _leading_state(doc, start)
    if lead is not None:
        return lead.state, "of-state", (lead.start, lead.end)
    if title.state:
        return title.state, "title-default", (start, end)
    return None, None, None


def _leading_state(doc: Doc, start: int) -> Mention | None:
    """ "our friends from the United Kingdom, Foreign Secretary X": "from <State>, " opens the
    title phrase."""
    text = doc.article.text
    gap = re.search(r",[ \t]*$", text[max(0, start - 3) : start])
    if gap is None:
        return None
    comma = max(0, start - 3) + gap.start()
    for mention in doc.mentions:
        if mention.type == "State" and mention.end == comma and mention.state:
            if _link_before(doc, "origin-link").search(
                text[max(0, mention.start - 10) : mention.start]
            ):
                return mention
    return None


def _title_state(doc: Doc, start: int, end: int, title: TitleInfo) -> str | None:
    """The state a title phrase names (adjective, possessive, seat, "of X"), else the title's own."""  # noqa: E501
    return _title_evidence(doc, start, end, title)[0]


def _title_adjective(doc: Doc, i: int) -> Mention | None:
    """ "Korean Foreign Minister": an adjective that names a state only before a title."""
    tokens = doc.tokens
    iso3 = doc.lexicon.title_adjectives.get(tokens[i].text)
    if iso3 is None or doc.occupied(tokens[i].start, tokens[i].end):
        return None
    tok = tokens[i]
    state_draft(doc, iso3)
    mention = Mention(tok.start, tok.end, tok.text, f"state:{iso3}", "State", "adjective", iso3)
    doc.mentions.append(mention)
    return mention


def _extend_title_left(doc: Doc, match: Match[TitleInfo]) -> tuple[int, bool]:
    """Start of the title phrase, taking in state adjectives, services, modifiers and a title
    joined by "and" before the title; and whether the phrase says the post is a past one."""
    tokens = doc.tokens
    modifiers = _words(doc, "modifier")
    former = _words(doc, "former")
    services = _words(doc, "service")
    i = match.first
    start = match.start
    past = False
    while i > 0:
        prev = tokens[i - 1]
        mention = next(
            (m for m in doc.mentions if m.end == prev.end and m.type in ("State", "Organization")),
            None,
        )
        if mention is None:
            mention = _title_adjective(doc, i - 1)
        if mention is not None:
            start = mention.start
            i = bisect.bisect_left(doc.token_starts, mention.start)
            continue
        if prev.text in ("’", "'") or (
            prev.text == "s" and i > 1 and tokens[i - 2].text in ("’", "'")
        ):
            i -= 1
            continue
        if prev.text == ")" and i > 3 and tokens[i - 3].text == "(":
            i -= 3  # "the Singapore Armed Forces (SAF) Chief of Defence Force"
            continue
        if prev.text in services or (i > 1 and f"{tokens[i - 2].text} {prev.text}" in services):
            i -= 1 if prev.text in services else 2
            continue
        if fold(prev.text) in former:
            past = True
            start = prev.start
            i -= 1
            continue
        if fold(prev.text) in modifiers:
            start = prev.start
            i -= 1
            continue
        if fold(prev.text) in _words(doc, "title-joiner") and i > 1:
            # "Deputy Prime Minister and Defense Minister X": one person, two posts
            earlier = next(
                (
                    m
                    for m in doc.lexicon.titles.find_all(tokens[max(0, i - 7) : i - 1])
                    if tokens[max(0, i - 7) + m.last - 1].end == tokens[i - 2].end
                ),
                None,
            )
            if earlier is not None:
                k = max(0, i - 7) + earlier.first
                start = tokens[k].start
                i = k
                continue
        break
    return start, past


def _extend_title_right(doc: Doc, match: Match[TitleInfo]) -> tuple[int, int]:
    """End offset and next token index after "of [the] <State>" / "to <State>" complements."""
    tokens = doc.tokens
    j = match.last
    end = match.end
    text = doc.article.text
    links = _words(doc, "title-link")
    definite = _words(doc, "definite")
    while j < len(tokens) and (
        fold(tokens[j].text) in links or fold(match.value.surface.split()[-1]) in links
    ):
        k = j + 1 if fold(tokens[j].text) in links else j
        if k == j and j > match.last:
            break
        if k < len(tokens) and fold(tokens[k].text) in definite:
            k += 1
        if k >= len(tokens):
            break
        mention = next(
            (
                m
                for m in doc.mentions
                if m.start == tokens[k].start and m.type in ("State", "Organization")
            ),
            None,
        )
        if mention is None:
            break
        end = mention.end
        j = next(n for n in range(k, len(tokens)) if tokens[n].end >= mention.end) + 1
        if text[end : end + 2] in ("’s", "'s"):
            break
    return end, j


def _set_state(
    draft: EntityDraft, state: str, basis: str, span: tuple[int, int] | None, force: bool = False
) -> None:
    """Give ``draft`` a state unless it has one on better evidence (explicit beats inferred)."""
    has_explicit = draft.state is not None and draft.basis not in INFERRED_BASES
    if draft.state is None or force or (basis not in INFERRED_BASES and not has_explicit):
        draft.state, draft.basis, draft.basis_span = state, basis, span


def _add_person(
    doc: Doc,
    name_first: int,
    name_last: int,
    title: TitleInfo | None,
    title_span: tuple[int, int] | None,
) -> EntityDraft:
    text_name, words = _name_text(doc, name_first, name_last)
    display, identity = _display_name(doc, words)
    existing = _find_person(doc, identity, display)
    state, basis, evidence = (
        _title_evidence(doc, *title_span, title) if title and title_span else (None, None, None)
    )
    if title and title_span and state and basis == "title-default":
        _mention_implied_state(doc, title_span, state)
    if existing is not None:
        draft = existing
        if len(identity) > len(draft.name_tokens):
            draft.aliases.add(draft.name)
            draft.name = display
            draft.name_tokens = identity
    else:
        draft = doc.add_entity(
            EntityDraft(
                key=f"person:{slugify(display)}",
                type="Official",
                name=display,
                name_tokens=identity,
            )
        )
    draft.aliases.add(text_name)
    if title is not None and title.role == "Counterpart":
        # "his Japanese counterpart X": the same post as the official just mentioned
        earlier = [m for m in doc.mentions if m.type == "Official" and m.key != draft.key]
        source = doc.entities[earlier[-1].key] if earlier else None
        if source is not None and draft.counterpart_of is None:
            draft.counterpart_of = source.key
        title = (
            replace(title, role=source.role or "Official", kind=source.kind or "civil")
            if source and source.role
            else None
        )
    if title is not None and title_span:
        draft.titles.add(fold(doc.article.text[title_span[0] : title_span[1]]))
    if title is not None:
        better = draft.role is None or title.kind != "rank" and draft.kind == "rank"
        if better:
            draft.role = title.role
            draft.kind = title.kind
        if state and basis:
            _set_state(draft, state, basis, evidence)
        if (
            state
            and title.org_kind
            and title.org_kind in ("defense-ministry", "foreign-ministry")
            and draft.post_org is None
            and draft.state == state
        ):
            lo, hi = title_span if title_span else (0, 0)
            ministry = org_draft(doc, state, title.org_kind, doc.article.text[lo:hi], alias=False)
            draft.post_org = ministry.key
            if hi > lo:
                doc.mentions.append(
                    Mention(
                        lo,
                        hi,
                        doc.article.text[lo:hi],
                        ministry.key,
                        "Organization",
                        "title",
                        state,
                    )
                )
    if draft.state:
        state_draft(doc, draft.state)
    tokens = doc.tokens
    lo, hi = tokens[name_first].start, tokens[name_last - 1].end
    doc.mentions[:] = [
        m
        for m in doc.mentions
        if not (m.start < hi and lo < m.end and m.type in ("State", "Place"))
    ]
    doc.mentions.append(
        Mention(
            tokens[name_first].start,
            tokens[name_last - 1].end,
            text_name,
            draft.key,
            "Official",
            "name",
            draft.state,
        )
    )
    _state_after_name(doc, draft, name_last)
    _organization_after_name(doc, draft, name_last)
    return draft


def _organization_after_name(doc: Doc, person: EntityDraft, last: int) -> None:
    """ "Major General X, US Army, said": a state's organisation in apposition to the name."""
    tokens = doc.tokens
    if last + 1 >= len(tokens) or tokens[last].text != ",":
        return
    org = next(
        (
            m
            for m in doc.mentions
            if m.start == tokens[last + 1].start and m.type == "Organization" and m.state
        ),
        None,
    )
    if org is None:
        return
    _set_state(person, org.state or "", "organization", (org.start, org.end))


def _state_after_name(doc: Doc, person: EntityDraft, last: int) -> None:
    """ "Minister for Armed Forces Ms Claire Dubois of France": the state after the name."""
    tokens = doc.tokens
    if last + 1 >= len(tokens) or fold(tokens[last].text) not in _words(doc, "name-state-link"):
        return
    k = last + 1
    if fold(tokens[k].text) in _words(doc, "definite") and k + 1 < len(tokens):
        k += 1
    state = next(
        (
            m
            for m in doc.mentions
            if m.start == tokens[k].start and m.type in ("State", "Organization") and m.state
        ),
        None,
    )
    if state is not None and state.state:
        rule = "of-state" if state.type == "State" else "organization"
        _set_state(person, state.state, rule, (state.start, state.end))
        for mention in doc.mentions:
            if mention.key == person.key:
                mention.state = person.state


def _line_end_state(doc: Doc, pos: int) -> Mention | None:
    """ "..., Minister for Defence, Australia" (a list item): the state that ends the line."""
    text = doc.article.text
    line_end = text.find("\n", pos)
    end = len(text) if line_end == -1 else line_end
    while end > pos and text[end - 1] in " \t.;":
        end -= 1
    candidates = [
        m
        for m in doc.mentions
        if m.type == "State" and m.how == "name" and pos <= m.start and m.end == end
    ]
    if not candidates:
        return None
    mention = candidates[-1]
    segments = text[pos : mention.start].split(",")
    last = fold(segments[-1].strip()) if len(segments) > 1 else ""
    if len(segments) < 2 or segments[0].strip() or (last and last not in _words(doc, "definite")):
        return None
    for segment in segments[1:-1]:  # only further posts between: ", Minister for X, State"
        if not any(doc.lexicon.titles.find_all(tokenize(segment))):
            return None
    return mention


def _mention_implied_state(doc: Doc, span: tuple[int, int], iso3: str) -> None:
    """A title that names its country by itself ("Secretary of Defense") is a state mention."""
    if any(m.type == "State" and span[0] <= m.start and m.end <= span[1] for m in doc.mentions):
        return
    state_draft(doc, iso3)
    text = doc.article.text[span[0] : span[1]]
    doc.mentions.append(Mention(span[0], span[1], text, f"state:{iso3}", "State", "title", iso3))


def _find_person(doc: Doc, identity: tuple[str, ...], display: str) -> EntityDraft | None:
    """An official already found whose name tokens contain (or are contained in) ``identity``.

    A shorter name made only of words that follow a patronymic particle in the longer one is
    another person: "Salman" is not "Mohammed bin Salman"."""
    ids = set(identity)
    patronymics = _words(doc, "patronymic")
    for draft in doc.entities.values():
        if draft.type != "Official":
            continue
        known = set(draft.name_tokens)
        if not ids or not (ids <= known or known <= ids):
            continue
        shorter, longer_name = (ids, draft.name) if ids <= known else (known, display)
        words = [fold(w) for w in re.findall(r"[^\s-]+", longer_name)]
        after_patronymic = {w for k, w in enumerate(words) if k > 0 and words[k - 1] in patronymics}
        if shorter and shorter <= after_patronymic and shorter != set(words) - patronymics:
            continue
        return draft
    return None


def _speaker_labels(doc: Doc, handled: set[int]) -> None:
    """Transcript labels at the start of a line: "NAME, TITLE:", "TITLE, NAME:", "Name Name:".

    A label that is only a title or a role ("MINISTER FOR FOREIGN AFFAIRS:", "JOURNALIST:") or a
    single capitalised word ("SMITH:") names nobody new; its title match is marked handled so
    the title alone does not make a person either."""
    text = doc.article.text
    tokens = doc.tokens
    roles = _words(doc, "speaker-role")
    if ":" not in text:
        return
    starts = doc.token_starts
    line_start = 0
    while line_start < len(text):
        line_end = text.find("\n", line_start)
        line_end = len(text) if line_end == -1 else line_end
        match = _LABEL_LINE.match(text, line_start, line_end)
        line_start = line_end + 1
        if match is None:
            continue
        label = match.group(1)
        if len(label.split()) > 10 or any(fold(p.strip()) in roles for p in label.split(",")):
            continue  # "JOURNALIST:", "JANE DOE, REPORTER:": not an official speaking
        lo, hi = match.start(1), match.end(1)
        first = bisect.bisect_left(starts, lo)  # the label's first token
        if first == len(starts) or starts[first] >= hi:
            continue
        last = first
        while last < len(tokens) and tokens[last].end <= hi:
            last += 1
        _caps_states(doc, first, last)
        titles = list(doc.lexicon.titles.find_all(tokens[first:last]))
        for t in titles:
            handled.add(first + t.first)
        parts: list[tuple[int, int]] = []
        k = first
        for n in range(first, last + 1):
            if n == last or tokens[n].text == ",":
                if n > k:
                    parts.append((k, n))
                k = n + 1
        title_match = None
        name = None
        mixed = False
        for a, b in parts:
            in_part = [t for t in titles if a <= first + t.first and first + t.last <= b]
            if in_part and first + in_part[-1].last == b:
                title_match = title_match or replace(
                    in_part[-1], first=first + in_part[-1].first, last=first + in_part[-1].last
                )
                continue
            if in_part:
                mixed = True  # "TITLE NAME" in one part: the title patterns read it
                continue
            candidate = _read_name(doc, a, lenient=True)
            if candidate is not None and candidate[1] == b and name is None:
                name = candidate
        if mixed or name is None:
            if mixed or title_match is None:
                for t in titles:
                    handled.discard(first + t.first)
            continue  # a title-only label ("MINISTER FOR FOREIGN AFFAIRS:") names nobody
        if title_match is None and name[1] - name[0] < 2:
            continue  # "SMITH:" names nobody the text introduces
        if title_match is not None:
            left, _ = _extend_title_left(doc, title_match)
            right, _ = _extend_title_right(doc, title_match)
            _add_person(doc, name[0], name[1], title_match.value, (left, right))
        else:
            _add_person(doc, name[0], name[1], None, None)


def _caps_states(doc: Doc, first: int, last: int) -> None:
    """State names written in capitals in a speaker label ("FIJIAN MINISTER FOR DEFENCE")."""
    tokens = doc.tokens
    text = doc.article.text
    k = first
    while k < last:
        found = None
        for length in (3, 2, 1):
            span = tokens[k : min(k + length, last)]
            if len(span) < length or not all(t.text.isupper() and t.text.isalpha() for t in span):
                continue
            surface = text[span[0].start : span[-1].end]
            value = doc.lexicon.state_names.match_at(
                tokenize(surface.title()), 0, [t.title() for t in (x.text for x in span)]
            )
            if (
                value is not None
                and value.last == length
                and not doc.occupied(span[0].start, span[-1].end)
            ):
                found = (span, value.value)
                break
        if found is None:
            k += 1
            continue
        span, (iso3, how) = found
        state_draft(doc, iso3)
        doc.mentions.append(
            Mention(
                span[0].start,
                span[-1].end,
                text[span[0].start : span[-1].end],
                f"state:{iso3}",
                "State",
                how,
                iso3,
            )
        )
        k += len(span)


def find_people(doc: Doc) -> Doc:
    """Stage 2: officials by title patterns; then surname, title-alone and pronoun mentions.

    Reads ``doc.mentions`` and ``doc.entities`` of stage 1 and the title gazetteer; it
    writes Official mentions and drafts (``doc.mentions``, ``doc.entities``) with each
    official's state and its basis.
    """
    lex = doc.lexicon
    tokens = doc.tokens
    text = doc.article.text
    matches = doc.find(lex.titles, 0, len(text))
    ranks = {m.first: m for m in matches if m.value.kind == "rank"}
    handled: set[int] = set()
    _speaker_labels(doc, handled)
    vessels = _words(doc, "vessel")
    previous_titles: list[tuple[int, int, TitleInfo, str | None]] = []
    counterpart_next: str | None = None
    for match in matches:
        if match.first in handled:
            continue
        if doc.occupied(match.start, match.end) and not _title_wins(doc, match):
            continue
        title = match.value
        if title.kind == "rank" and text[match.start].islower():
            continue  # "a major exercise": a rank is written with a capital
        if title.given_name and not _full_name_follows(doc, match.last):
            continue  # "Gen Tanaka": a given name, unless a full name follows the word
        if match.first > 0 and (
            fold(tokens[match.first - 1].text) in vessels
            or " ".join(fold(t.text) for t in tokens[max(0, match.first - 2) : match.first])
            in vessels
        ):
            continue  # "the destroyer Admiral X": a ship named after a person
        left, past = _extend_title_left(doc, match)
        right_end, j = _extend_title_right(doc, match)
        if title.kind != "rank" and any(
            m.first == j and m.value.kind != "rank" and m.start - right_end <= 1 for m in matches
        ):
            continue  # "Secretary of Defense Spokesperson X": the second title is the post
        if title.role == "Counterpart":
            k = j + 1 if j < len(tokens) and tokens[j].text == "," else j
            if any(m.first == k for m in matches) or (k < len(tokens) and k in ranks):
                # "his Australian counterpart Prime Minister X", "Your counterpart, Minister X"
                earlier = [m for m in doc.mentions if m.type == "Official" and m.end <= left]
                counterpart_next = earlier[-1].key if earlier else None
                continue
        adjacent = j < len(tokens) and tokens[j].start - right_end <= 1
        if j < len(tokens) and title.kind != "rank":
            k = _skip_honorifics(doc, j)
            if k in ranks and _rank_here(doc, ranks[k]):
                j = ranks[k].last  # "Pentagon Spokesman Capt. X": the post is the role
        apposed = None
        if j + 1 < len(tokens) and tokens[j].text == "," and tokens[j].start == right_end:
            # "New Zealand's Minister of Defence, Ms Ruth Kereama": the name after a comma
            k = j + 1
            rank = ranks.get(k)
            if rank is not None and _rank_here(doc, rank):
                k = rank.last
            apposed = _read_name(doc, k, lenient=True)
            if (
                apposed is not None
                and apposed[1] < len(tokens)
                and tokens[apposed[1]].text not in (",", ".", ";", ")", ":")
                and fold(tokens[apposed[1]].text) not in _words(doc, "apposition-end")
            ):
                apposed = None
        name = _read_name(doc, j, lenient=True) if adjacent and j < len(tokens) else None
        if past:
            continue  # "former President X": not a current official
        if name is None and apposed is not None and _title_state(doc, left, right_end, title):
            person = _add_person(doc, apposed[0], apposed[1], title, (left, right_end))
            _after_counterpart(person, counterpart_next)
            counterpart_next = None
            previous_titles.append((left, right_end, title, person.state))
            continue
        inherited = next(
            (
                (t, st)
                for lo, hi, t, st in reversed(previous_titles[-3:])  # only a title just before
                if _INHERIT_GAP.fullmatch(text, hi, left) and st
            ),
            None,
        )
        if name is not None and inherited is not None and title.kind == "rank":
            # "the Commander of the Indonesian National Armed Forces, Admiral Bayu Santoso"
            person = _add_person(doc, name[0], name[1], inherited[0], (left, right_end))
            if person.state is None:
                _set_state(person, inherited[1], "organization", (left, right_end))
            previous_titles.append((left, right_end, title, person.state))
            continue
        previous_titles.append((left, right_end, title, _title_state(doc, left, right_end, title)))
        explicit = _title_evidence(doc, left, right_end, title)[1] not in (None, "title-default")
        if name is not None and (
            title.surface[0].isupper() == text[match.start].isupper()
            or text[match.start].isupper()
            or (explicit and name[1] - name[0] >= 2 and left < match.start)
        ):
            person = _add_person(doc, name[0], name[1], title, (left, right_end))
            _after_counterpart(person, counterpart_next)
            counterpart_next = None
            _list_state(doc, person, right_end, name[1])
            continue
        if name is None and title.state and text[match.start].isupper():
            # a title alone that names its country ("The Defence Secretary will visit ...")
            _mention_implied_state(doc, (match.start, match.end), title.state)
        _name_before_title(doc, title, left, right_end)
    _excellencies(doc)
    in_titles = {
        n
        for m in matches
        if not m.value.given_name or m.end < len(text) and text[m.end] == "."
        for n in range(m.first, m.last)
    }
    _find_later_mentions(doc, in_titles)
    _yield_title_defaults(doc)
    _infer_missing_states(doc)
    _merge_same_post(doc)
    doc.mentions.sort(key=lambda m: (m.start, -m.end))
    return doc


def _title_wins(doc: Doc, match: Match[TitleInfo]) -> bool:
    """A title overlapping other mentions is still read when they are states inside it, or
    names inside it ("Secretary of State for Foreign, Commonwealth and ... Affairs")."""
    inside = [m for m in doc.mentions if m.start < match.end and match.start < m.end]
    if any(m.type == "State" for m in inside):
        return True
    if inside and all(
        match.start <= m.start and m.end <= match.end and m.type in ("Organization", "Place")
        for m in inside
    ):
        doc.mentions[:] = [m for m in doc.mentions if m not in inside]
        return True
    return False


def _excellencies(doc: Doc) -> None:
    """ "His Excellency Dr X and the Indonesian delegation": an office holder without a title;
    a state adjective before "delegation" right after the name gives the state."""
    tokens = doc.tokens
    keys = doc.keys(doc.lexicon.honorifics)
    excellency = _words(doc, "excellency")
    openers = _first_keys(excellency)
    delegation = _words(doc, "delegation")
    text = doc.article.text
    for i in itertools.compress(itertools.count(), map(openers.__contains__, keys)):
        hon = doc.lexicon.honorifics.match_at(tokens, i, keys)
        if hon is None or fold(text[hon.start : hon.end]) not in excellency:
            continue
        name = _read_name(doc, hon.last)
        if (
            name is None
            or name[1] - name[0] < 2
            or doc.occupied(tokens[name[0]].start, tokens[name[1] - 1].end)
        ):
            continue
        person = _add_person(doc, name[0], name[1], None, None)
        after = text[tokens[name[1] - 1].end : tokens[name[1] - 1].end + 60]
        side = _delegation_link(doc).match(after)
        if side is None:
            continue
        pos = tokens[name[1] - 1].end + side.end()
        state = next((m for m in doc.mentions if m.start == pos and m.type == "State"), None)
        if state is None or not state.state:
            continue
        word = re.match(r"\s*(\w+)", text[state.end : state.end + 20])
        if word and fold(word.group(1)) in delegation:
            _set_state(person, state.state, "adjective", (state.start, state.end))


@functools.lru_cache(maxsize=8)
def _first_keys(phrases: frozenset[str]) -> frozenset[str]:
    """The folded first tokens of some phrases (a cheap pre-check before matching them)."""
    return frozenset(fold(tokenize(p)[0].text) for p in phrases if tokenize(p))


def _merge_same_post(doc: Doc) -> None:
    """Two officials of one article with the same surname, post and state are one person named
    two ways ("Elizabeth Truss" in a list, "Liz Truss" in the text): the fuller form wins."""
    officials = [d for d in doc.entities.values() if d.type == "Official" and d.role and d.state]
    for a in officials:
        for b in officials:
            if a.key >= b.key or a.key not in doc.entities or b.key not in doc.entities:
                continue
            if (a.role, a.state) != (b.role, b.state):
                continue
            if fold(a.name.split()[-1]) != fold(b.name.split()[-1]):
                continue
            keep, drop = (
                (a, b)
                if (a.basis not in INFERRED_BASES) >= (b.basis not in INFERRED_BASES)
                else (b, a)
            )
            keep.aliases |= drop.aliases | {drop.name}
            for mention in doc.mentions:
                if mention.key == drop.key:
                    mention.key = keep.key
            del doc.entities[drop.key]


def _rank_here(doc: Doc, rank: Match[TitleInfo]) -> bool:
    """Whether a rank word is a rank here: capitalised, and for a word that is also a given
    name ("Gen"), followed by a full name."""
    if not doc.article.text[rank.start].isupper():
        return False
    return not rank.value.given_name or _full_name_follows(doc, rank.last)


def _full_name_follows(doc: Doc, j: int) -> bool:
    """Whether at least two name words follow token ``j`` ("Gen Ana Ruiz", not "Gen Tanaka")."""
    name = _read_name(doc, j, lenient=True)
    return name is not None and name[1] - name[0] >= 2


def _after_counterpart(person: EntityDraft, source: str | None) -> None:
    if source is not None and source != person.key and person.counterpart_of is None:
        person.counterpart_of = source


def _list_state(doc: Doc, person: EntityDraft, right_end: int, name_last: int) -> None:
    """ "Title Name, State" closing a list line gives the state explicitly."""
    tokens = doc.tokens
    if name_last >= len(tokens):
        return
    mention = _line_end_state(doc, tokens[name_last - 1].end)
    if mention is not None and mention.state:
        _set_state(person, mention.state, "list-state", (mention.start, mention.end))
    del right_end


def _name_before_title(doc: Doc, title: TitleInfo, left: int, right_end: int) -> None:
    """ "Name, [MP,] [the] [state's] title", "Name – the title of State", "Name MP Title"."""
    tokens = doc.tokens
    text = doc.article.text
    post_nominals = _words(doc, "post-nominal")
    k = bisect.bisect_right(doc.token_starts, left) - 1
    while k >= 0 and tokens[k].end > left:
        k -= 1
    if k < 0:
        return
    if fold(tokens[k].text) in _words(doc, "determiner") and k > 0:
        k -= 1
    separated = False
    if tokens[k].text == "," or tokens[k].text in _DASHES:
        separated = True
        k -= 1
    if k >= 0 and tokens[k].text.rstrip(".") in post_nominals:
        separated = True
        k -= 1
        if k >= 0 and tokens[k].text == ",":
            k -= 1
    if not separated or k < 0 or title.kind == "rank" and text[left].islower():
        return
    first = k
    while (
        first > 0
        and _is_name_token(doc, tokens[first - 1])
        and tokens[first].start - tokens[first - 1].end <= 1
    ):
        first -= 1
    while first < k and _skip_honorifics(doc, first) > first:
        first = _skip_honorifics(doc, first)
    existing = next(
        (m for m in doc.mentions if m.end == tokens[k].end and m.type == "Official"), None
    )
    if existing is not None:
        draft = doc.entities[existing.key]
        state, basis, evidence = _title_evidence(doc, left, right_end, title)
        if title.kind != "rank" and (draft.role is None or draft.kind == "rank"):
            draft.role, draft.kind = title.role, title.kind
        if state and basis and (draft.state is None or title.kind != "rank"):
            _set_state(draft, state, basis, evidence)
            state_draft(doc, state)
        if state and title.org_kind in ("defense-ministry", "foreign-ministry"):
            draft.post_org = org_draft(
                doc, state, title.org_kind, text[left:right_end], alias=False
            ).key
            doc.mentions.append(
                Mention(
                    left,
                    right_end,
                    text[left:right_end],
                    draft.post_org,
                    "Organization",
                    "title",
                    state,
                )
            )
        return
    if k - first + 1 >= 2 and _is_name_token(doc, tokens[k]):
        person = _add_person(doc, first, k + 1, title, (left, right_end))
        body = _post_body(doc, right_end)
        if body is not None and body.state:
            _set_state(person, body.state, "ministry", (body.start, body.end))
        mention = _line_end_state(doc, right_end)
        if mention is not None and mention.state:
            _set_state(person, mention.state, "list-state", (mention.start, mention.end))


def _post_body(doc: Doc, pos: int) -> Mention | None:
    """ "secretary for Europe at the Spanish foreign ministry": the state's body after a post
    (an optional portfolio of capitalised words, then "at/in/of [the]" and the body)."""
    tokens = doc.tokens
    k = bisect.bisect_left(doc.token_starts, pos)
    if k < len(tokens) and fold(tokens[k].text) in _words(doc, "post-portfolio"):
        k += 1
        start = k
        while k < len(tokens) and k - start < 3 and tokens[k].text[:1].isupper():
            k += 1
        if k == start:
            return None
    if k >= len(tokens) or fold(tokens[k].text) not in _words(doc, "post-body"):
        return None
    k += 1
    if k < len(tokens) and fold(tokens[k].text) in _words(doc, "definite"):
        k += 1
    if k >= len(tokens):
        return None
    return next(
        (
            m
            for m in doc.mentions
            if m.start == tokens[k].start and m.type == "Organization" and m.state
        ),
        None,
    )


def _find_later_mentions(doc: Doc, in_titles: set[int] | frozenset[int] = frozenset()) -> None:
    """Full names, surnames, "the minister" and pronouns pointing back to known officials
    (never a word of a title: the "Gen" of "Maj. Gen." is no mention of "Gen Moriyama")."""
    people = [d for d in doc.entities.values() if d.type == "Official"]
    if not people:
        return
    tokens = doc.tokens
    keys = doc.keys(doc.lexicon.titles)  # folded words (the titles gazetteer is case-blind)
    text = doc.article.text
    by_word: dict[str, EntityDraft] = {}
    for person in people:
        for word in person.name_tokens:
            by_word.setdefault(word, person)
    following = 0  # the first token not yet part of a mention found here
    for i in itertools.compress(itertools.count(), map(by_word.__contains__, keys)):
        if i < following:
            continue
        tok = tokens[i]
        key = keys[i]
        if i in in_titles or doc.occupied(tok.start, tok.end):
            continue
        if _looks_like_name(doc, tok.text):
            person = by_word[key]
            j = i + 1
            while (
                j < len(tokens)
                and fold(tokens[j].text) in person.name_tokens
                and tokens[j].start - tokens[j - 1].end <= 1
            ):
                j += 1
            surface = text[tok.start : tokens[j - 1].end]
            person.aliases.add(surface)
            doc.mentions.append(
                Mention(
                    tok.start,
                    tokens[j - 1].end,
                    surface,
                    person.key,
                    "Official",
                    "surname",
                    person.state,
                )
            )
            following = j
    doc.mentions.sort(key=lambda m: (m.start, -m.end))
    # "the secretary", "the minister" and pronouns: the most recent official that fits
    openers = frozenset([*_words(doc, "back-determiner"), *_words(doc, "pronoun")])
    for match in doc.finditer_words(_back_reference(doc), openers, 0, len(text)):
        if doc.occupied(match.start(), match.end()):
            continue
        previous = [m for m in doc.mentions if m.type == "Official" and m.end <= match.start()]
        if match.group(1):
            word = doc.lexicon.back_titles.get(fold(match.group(1)), fold(match.group(1)))
            previous = [m for m in previous if _holds_title(doc.entities[m.key], word)]
        if not previous:
            continue
        target = previous[-1]
        how = "title" if match.group(1) else "pronoun"
        doc.mentions.append(
            Mention(
                match.start(), match.end(), match.group(), target.key, "Official", how, target.state
            )
        )
    doc.mentions.sort(key=lambda m: (m.start, -m.end))


def _holds_title(person: EntityDraft, word: str) -> bool:
    """ "the minister", "the crown prince": the official's role or one of the titles the
    text gave them ("Crown Prince and Prime Minister of Bahrain X") holds the word."""
    return word in fold(person.role or "") or any(word in title for title in person.titles)


def _back_reference(doc: Doc) -> re.Pattern[str]:
    return _back_reference_pattern(
        _words(doc, "back-determiner"), frozenset(doc.lexicon.back_titles), _words(doc, "pronoun")
    )


@functools.lru_cache(maxsize=8)
def _back_reference_pattern(
    determiners: frozenset[str], titles: frozenset[str], pronouns: frozenset[str]
) -> re.Pattern[str]:
    """ "the minister" / "The minister" / "he" / "He", as written (lower-case after a capital)."""

    def forms(words: frozenset[str], capital: bool) -> set[str]:
        return set(words) | ({w.capitalize() for w in words} if capital else set())

    def alt(words: set[str]) -> str:
        return "|".join(sorted({re.escape(w) for w in words}, key=len, reverse=True)) or "(?!x)x"

    openers = forms(determiners, True) | forms(pronouns, True)
    # a cheap test of the first character before the alternatives (the same matches)
    return re.compile(
        rf"\b{first_character_test(openers)}(?:(?:{alt(forms(determiners, True))}) "
        rf"({alt(forms(titles, False))})|({alt(forms(pronouns, True))}))\b"
    )


_DATELINE = re.compile(r"^[A-Z][^\n]{0,80}?\s(?:–|—|--)\s")


def dateline_state(doc: Doc) -> str | None:
    """The state named in a news dateline ("JAKARTA, Indonesia, July 22, 2010 – ..."), if any."""
    match = _DATELINE.match(doc.article.text)
    if not match:
        return None
    states = [
        m.state
        for m in doc.mentions
        if m.end <= match.end() and m.state and m.type in ("State", "Place")
    ]
    return states[-1] if states else None


def _dateline_span(doc: Doc) -> tuple[int, int] | None:
    match = _DATELINE.match(doc.article.text)
    return (0, match.end() - 1) if match else None


def publisher_state(doc: Doc) -> str | None:
    """The state the publisher belongs to ("U.S. Department of Defense" -> USA), if named
    (read once per document: it depends only on the publisher and the lexicon)."""
    if "publisher_state" not in doc.memo:
        doc.memo["publisher_state"] = _publisher_state(doc)
    return doc.memo["publisher_state"]  # type: ignore[no-any-return]


def _publisher_state(doc: Doc) -> str | None:
    publisher = doc.article.publisher or ""
    for state_match in doc.lexicon.state_names.find_all(tokenize(publisher)):
        return state_match.value[0]
    for named_match in doc.lexicon.named.find_all(tokenize(publisher)):
        if named_match.value.state:
            return named_match.value.state
    return None


def _role_domain(doc: Doc, role: str | None) -> str:
    """The field of a post (``titles.tsv`` column ``domain``): a bare "Minister X" or an
    official of unknown post can be anyone's counterpart."""
    if not role or role == "Official":  # "Official": a counterpart of unknown post
        return "any"
    return doc.lexicon.role_domains.get(role) or role


def _counterpart_states(doc: Doc, key: str) -> set[str]:
    """States of the other officials named in the sentences that name this one."""
    sentences = {doc.article.sentence_at(m.start).index for m in doc.mentions if m.key == key}
    draft = doc.entities[key]
    domain = _role_domain(doc, draft.role)
    states = set()
    mine = [m for m in doc.mentions if m.key == key]
    for m in doc.mentions:
        if (
            m.type == "Official"
            and m.key != key
            and doc.article.sentence_at(m.start).index in sentences
        ):
            other = doc.entities[m.key]
            other_domain = _role_domain(doc, other.role)
            if not other.state or not (
                domain in (other_domain, "any") or other_domain == "any" and domain != "head"
            ):
                continue  # a counterpart holds the same kind of post
            if _in_label(doc, m) or any(_linked(doc, m, n, "counterpart-link") for n in mine):
                states.add(other.state)  # "X met Y", "SPEAKER: Minister Y, welcome"
    return states


def _linked(doc: Doc, a: Mention, b: Mention, cls: str) -> bool:
    """Whether words of ``cls`` stand between two mentions of one sentence."""
    if doc.article.sentence_at(a.start).index != doc.article.sentence_at(b.start).index:
        return False
    lo, hi = (a.end, b.start) if a.end <= b.start else (b.end, a.start)
    if hi < lo:
        return False
    words = _words(doc, cls)
    marks = [w for w in words if not w[:1].isalnum()]
    if any(mark in doc.article.text[lo:hi] for mark in marks):
        return True
    return cue_regex(words - frozenset(marks)).search(doc.article.text, lo, hi) is not None


def _same_side(doc: Doc, key: str) -> tuple[str, Mention] | None:
    """ "Lieutenant General X relayed a message from Minister Y": Y serves X's state."""
    for n in [m for m in doc.mentions if m.key == key and m.how == "name"]:
        link = _introduced_by(doc, n, "same-side-link")
        if link is None:
            continue
        sentence = doc.article.sentence_at(n.start)
        before = [
            m
            for m in doc.mentions
            if m.type == "Official" and m.key != key and sentence.start <= m.start and m.end <= link
        ]
        if not before:
            continue
        other = doc.entities[before[-1].key]  # the subject nearest before the link
        if other.state and other.basis not in INFERRED_BASES:
            return other.state, before[-1]
    return None


def _introduced_by(doc: Doc, mention: Mention, cls: str) -> int | None:
    """Where words of ``cls`` open the title phrase right before ``mention`` ("a message from
    Deputy Prime Minister & Minister for Defence X"), else None."""
    text = doc.article.text
    sentence = doc.article.sentence_at(mention.start)
    window = max(sentence.start, mention.start - _LINK_REACH)
    links = list(cue_regex(_words(doc, cls)).finditer(text, window, mention.start))
    found = links[-1] if links else None
    if found is None:
        return None
    rest = tokenize(text[found.end() : mention.start])
    covered: set[int] = set()
    for title in doc.lexicon.titles.find_all(rest):
        covered.update(range(title.first, title.last))
    fillers = _words(doc, "title-filler")
    offset = found.end()
    for n, tok in enumerate(rest):
        if n in covered or fold(tok.text) in fillers:
            continue
        if any(m.start <= offset + tok.start < m.end for m in doc.mentions if m.type == "State"):
            continue
        return None
    return found.start()


def _compound_partner(doc: Doc, key: str, home: str | None) -> tuple[str, Mention] | None:
    """ "the Japan-Fiji Defense Ministerial Meeting ... Minister X" in a home publisher's text:
    the other state of a hyphenated pair in the official's own sentence."""
    if home is None:
        return None
    text = doc.article.text
    sentences = {doc.article.sentence_at(m.start).index for m in doc.mentions if m.key == key}
    first_person = _words(doc, "first-person")
    if any(m.key == key and _in_label(doc, m) for m in doc.mentions):
        return None  # the speaker of a transcript line is the "I" of that line
    sentences = {
        n
        for n in sentences
        if any(fold(w) in first_person for w in re.findall(r"\w+", doc.article.sentences[n].text))
    }
    states = [
        m
        for m in doc.mentions
        if m.type == "State" and m.state and doc.article.sentence_at(m.start).index in sentences
    ]
    for a, b in zip(states, states[1:], strict=False):
        if (
            text[a.end : b.start] in ("-", "–")
            and home in (a.state, b.state)
            and a.state != b.state
        ):
            other = b if a.state == home else a
            return other.state or "", other
    return None


def _rival(doc: Doc, draft: EntityDraft, state: str) -> bool:
    """Whether another official holds ``draft``'s post for ``state`` on explicit evidence."""
    return any(
        o.type == "Official"
        and o.key != draft.key
        and o.role == draft.role
        and o.state == state
        and o.basis not in INFERRED_BASES
        for o in doc.entities.values()
    )


def _in_label(doc: Doc, mention: Mention) -> bool:
    """Whether a mention sits in a transcript speaker label at the start of its line."""
    text = doc.article.text
    line_start = text.rfind("\n", 0, mention.start) + 1
    label = _LABEL_LINE.match(text, line_start, mention.end + 120)
    return label is not None and label.end(1) >= mention.end


def _venue_state(doc: Doc, key: str) -> tuple[str, Mention] | None:
    """ "Carter met in Jordan on Wednesday with Gen. X": the state of the place the official
    was met in, when the sentence names it before "with" and the official after it."""
    venue_in = _words(doc, "venue-in")
    venue_with = _words(doc, "venue-with")
    text = doc.article.text
    for mention in [m for m in doc.mentions if m.key == key and m.how == "name"]:
        sentence = doc.article.sentence_at(mention.start)
        places = [
            m
            for m in doc.mentions
            if m.type in ("State", "Place")
            and m.state
            and sentence.start <= m.start
            and m.end <= mention.start
        ]
        for place in places:
            window = text[max(sentence.start, place.start - 40) : place.start]
            before = re.findall(r"[\w’'-]+|,", window)
            if before[-1:] == [","]:  # "met in Jiddah, Saudi Arabia, ... with"
                before = before[:-1]
                while before and before[-1][:1].isupper():
                    before = before[:-1]
            between = re.findall(r"\w+", text[place.end : mention.start])
            if (
                before
                and fold(before[-1]) in venue_in
                and any(fold(w) in venue_with for w in between)
            ):
                return place.state or "", place
    return None


def _yield_title_defaults(doc: Doc) -> None:
    """A title's default state is a guess: it yields when the text names another holder of the
    same post with that state explicitly ("U.S. Defense Secretary X" beside "Defense Secretary
    Y" in a Philippine release: Y is not American)."""
    officials = [d for d in doc.entities.values() if d.type == "Official"]
    for draft in officials:
        if draft.basis != "title-default":
            continue
        if _rival(doc, draft, draft.state or ""):
            draft.state = draft.basis = draft.basis_span = None
            for mention in doc.mentions:
                if mention.key == draft.key:
                    mention.state = None


def _most_mentioned_other(
    counts: Counter[str], known: set[str], home: str | None = None
) -> str | None:
    """The other side of officials of the ``known`` states: the publisher's state when it is
    not among them, else the state the article mentions most apart from them (which must be
    among its three most mentioned), if no other ties with it."""
    if home is not None and home in counts and known and home not in known:
        return home
    top = [state for state, _ in counts.most_common(3)]
    if not known or not known <= set(top):
        return None
    others = [(n, state) for state, n in counts.most_common() if state not in known]
    if not others or (len(others) > 1 and others[0][0] == others[1][0]):
        return None
    return others[0][1]


def _infer_missing_states(doc: Doc) -> None:
    """Officials with no state in their title: the counterpart of a known official gets the
    article's most mentioned other state; one met "in <place> ... with" gets the place's state;
    then the host state of a dateline abroad (the publisher's for military ranks), else the
    publisher's state; only states the article itself mentions. Every such state is inferred."""
    counts = Counter(m.state for m in doc.mentions if m.type == "State" and m.state)
    mentioned = set(counts)
    home = publisher_state(doc)
    host = dateline_state(doc)
    host_span = _dateline_span(doc)
    for draft in doc.entities.values():
        if draft.type != "Official" or draft.state is not None:
            continue
        source = doc.entities.get(draft.counterpart_of or "")
        if source is not None and source.state:
            other = _most_mentioned_other(counts, {source.state}, home)
            if other is not None:
                _set_state(draft, other, "counterpart", None)
                state_draft(doc, other)
            continue  # a counterpart never serves the state of the official it answers
        partner = _compound_partner(doc, draft.key, home)
        if partner is not None and not _rival(doc, draft, partner[0]):
            _set_state(draft, partner[0], "counterpart", (partner[1].start, partner[1].end))
            state_draft(doc, partner[0])
            continue
        # beside a counterpart of known state ("Secretary X and Minister Y announced"), an
        # official belongs to the other state of the article's main pair
        side = _same_side(doc, draft.key)
        if side is not None:
            _set_state(draft, side[0], "same-side", (side[1].start, side[1].end))
            state_draft(doc, side[0])
            continue
        venue = _venue_state(doc, draft.key)
        if venue is not None and venue[0] != home:
            _set_state(draft, venue[0], "venue", (venue[1].start, venue[1].end))
            state_draft(doc, venue[0])
            continue
        counterpart_states = _counterpart_states(doc, draft.key)
        if len(counterpart_states) > 1:
            continue  # beside officials of both sides: any guess could be wrong
        other = _most_mentioned_other(counts, counterpart_states, home)
        military = draft.kind in ("rank", "military")
        if (
            not (military and home and home in mentioned)
            and counterpart_states
            and other is not None
            and not _rival(doc, draft, other)
        ):
            _set_state(draft, other, "counterpart", None)
            state_draft(doc, other)
        elif host and host != home and host in mentioned and not (military and home):
            _set_state(draft, host, "dateline", host_span)
            state_draft(doc, host)
        elif home and home in mentioned:
            _set_state(draft, home, "publisher", None)
            state_draft(doc, home)
    for mention in doc.mentions:
        if mention.type == "Official" and mention.state is None:
            mention.state = doc.entities[mention.key].state
