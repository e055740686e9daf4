"""People stage: officials found by title patterns, then their later mentions.

Patterns (titles come from ``titles.tsv``, honorifics from ``honorifics.txt``):
  [state] Title [of State] [Honorific] Name      "South Korean Defense Minister Park Min-ho"
  Name, [the] [state's] title [of State]          "Park Min-ho, South Korea’s defense minister"
  later: the full name, the surname, "the minister", "he"/"she".
Name order: a name with one all-capitals token ("TANAKA Hiroshi") puts that token last.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from kg.extract.doc import Doc, EntityDraft, Mention
from kg.extract.mentions import org_draft, state_draft
from kg.lexicon import Match, TitleInfo, Token, fold, slugify

TITLE_MODIFIERS = frozenset(
    "acting deputy vice senior chief former then new incoming outgoing top principal first "
    "counterpart the a his her their and".split()
)
NOT_NAMES = frozenset(
    """The A An And Or But In On At Of For To With By From As During After Before Under Over
    This That These Those It Its He She They We His Her Their Our Both Each Some Many Several
    Minister Ministers Secretary President General Admiral Defense Defence Ministry Department
    January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Following Then Also Meanwhile
    Exercise Operation Joint Combined Forces Force Command Navy Army Air Marine Coast Guard
    Self Japan Korea Republic National State States United Kingdom Royal Mr Ms Mrs Dr
    Office Agency Department Embassy Center Centre Headquarters Division Brigade Regiment
    Battalion Fleet Group Wing Squadron Corps Council Committee Commission Task Staff""".split()
)
POST_NOMINALS = frozenset("MP MEP OBE CBE KBE MBE KC QC PhD Jr Jr. Sr".split())
ROMAN = re.compile(r"^(?:II|III|IV|VI|VII|VIII)$")
PARTICLES = frozenset("van von de da di del der bin binti al el la le du".split())
_NAME_TOKEN = re.compile(
    r"^(?:[A-Z][a-zà-ÿ'’]+(?:-[A-Za-z][a-zà-ÿ]+)*|[A-Z]{2,}|(?:Mc|Mac|De|Di|La|Le|Van)[A-Z][a-z]+|[A-Z]\.)$"
)


def _looks_like_name(word: str) -> bool:
    """Capitalised word in any script with case ("Demirtaş", "Błaszczak"), ALL-CAPS family
    name ("TANAKA"), a Mc/Mac name or an initial."""
    if _NAME_TOKEN.match(word):
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
    if not _looks_like_name(tok.text):
        return False
    if tok.text in NOT_NAMES:
        return False
    for m in doc.mentions:
        if m.start < tok.end and tok.start < m.end:
            if lenient and (m.how == "seat" or (m.type == "Place" and m.how == "name")):
                continue
            return False
    if tok.text.isupper() and len(tok.text) > 1 and tok.text in doc.lexicon.state_names:
        return False
    return True


def _read_name(doc: Doc, i: int, lenient: bool = False) -> tuple[int, int] | None:
    """Token range [i, j) of a personal name starting at token ``i`` (honorific skipped)."""
    tokens = doc.tokens
    hon = (
        doc.lexicon.honorifics.match_at(tokens, i, doc.keys(doc.lexicon.honorifics))
        if i < len(tokens)
        else None
    )
    if hon is not None:
        i = hon.last
    j = i
    parts: list[Token] = []
    while j < len(tokens) and len(parts) < 5:
        tok = tokens[j]
        if tok.text == "." and parts and re.fullmatch(r"[A-Z]", parts[-1].text):
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
        if (
            tok.text.lower() in PARTICLES
            and parts
            and j + 1 < len(tokens)
            and _is_name_token(doc, tokens[j + 1])
        ):
            parts.append(tok)
            j += 1
            continue
        if (
            re.fullmatch(r"[A-Z]", tok.text)
            and j + 1 < len(tokens)
            and tokens[j + 1].text in ("'", "’")
            and tokens[j + 1].start == tok.end
        ):
            parts.append(tok)  # the "O" of O'Connell
            j += 1
            continue
        if re.fullmatch(r"[A-Z]", tok.text) and j + 1 < len(tokens) and tokens[j + 1].text == ".":
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
    # a trailing initial is not part of a name
    while parts and re.fullmatch(r"[A-Z]", parts[-1].text):
        parts.pop()
    if not parts:
        return None
    first = tokens.index(parts[0], i)
    last = tokens.index(parts[-1], first) + 1
    return first, last


def _display_name(raw_tokens: list[str]) -> tuple[str, tuple[str, ...]]:
    """Display form and identity tokens. "TANAKA Hiroshi" -> "Hiroshi Tanaka"."""
    words = [t for t in raw_tokens if t not in (".",)]
    caps = [w for w in words if w.isupper() and len(w) > 1]
    if len(words) > 1 and len(caps) == 1 and words[0] == caps[0]:
        words = words[1:] + [words[0]]
    while len(words) > 1 and words[-1] in POST_NOMINALS:
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


def _title_state(doc: Doc, start: int, end: int, title: TitleInfo) -> str | None:
    """The state a title phrase names (adjective, possessive, seat, "of X"), else the title's own."""  # noqa: E501
    for mention in doc.mentions:
        if mention.start >= start and mention.end <= end and mention.state:
            if mention.type in ("State", "Organization"):
                return mention.state
    return title.state


def _extend_title_left(doc: Doc, match: Match[TitleInfo]) -> int:
    """Start of the title phrase, taking in state adjectives and modifiers before the title."""
    tokens = doc.tokens
    i = match.first
    start = match.start
    while i > 0:
        prev = tokens[i - 1]
        mention = next(
            (m for m in doc.mentions if m.end == prev.end and m.type in ("State", "Organization")),
            None,
        )
        if mention is not None:
            start = mention.start
            i = next(k for k, t in enumerate(tokens) if t.start == mention.start)
            continue
        if prev.text in ("’", "'") or (
            prev.text == "s" and i > 1 and tokens[i - 2].text in ("’", "'")
        ):
            i -= 1
            continue
        if prev.text.lower() in TITLE_MODIFIERS - {"the", "a", "and", "his", "her", "their"}:
            start = prev.start
            i -= 1
            continue
        break
    return start


def _extend_title_right(doc: Doc, match: Match[TitleInfo]) -> tuple[int, int]:
    """End offset and next token index after "of [the] <State>" / "to <State>" complements."""
    tokens = doc.tokens
    j = match.last
    end = match.end
    text = doc.article.text
    while j < len(tokens) and (
        tokens[j].text in ("of", "to", "for") or match.value.surface.split()[-1] in ("to", "of")
    ):
        k = j + 1 if tokens[j].text in ("of", "to", "for") else j
        if k == j and j > match.last:
            break
        if k < len(tokens) and tokens[k].text == "the":
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


def _add_person(
    doc: Doc,
    name_first: int,
    name_last: int,
    title: TitleInfo | None,
    title_span: tuple[int, int] | None,
) -> EntityDraft:
    text_name, words = _name_text(doc, name_first, name_last)
    display, identity = _display_name(words)
    existing = _find_person(doc, identity)
    state = _title_state(doc, *title_span, title) if title and title_span else None
    if title and title_span and state and state == title.state:
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
        title = (
            replace(title, role=source.role or "Official", kind=source.kind or "civil")
            if source and source.role
            else None
        )
    if title is not None:
        better = draft.role is None or title.kind != "rank" and _role_rank(draft.role) == "rank"
        if better:
            draft.role = title.role
            draft.kind = title.kind
        if state and draft.state is None:
            draft.state = state
        if (
            state
            and title.org_kind
            and title.org_kind in ("defense-ministry", "foreign-ministry")
            and draft.post_org is None
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
    return draft


def _state_after_name(doc: Doc, person: EntityDraft, last: int) -> None:
    """ "Minister for Armed Forces Ms Claire Dubois of France": the state after the name."""
    tokens = doc.tokens
    if last + 1 >= len(tokens) or tokens[last].text != "of":
        return
    k = last + 1
    if tokens[k].text == "the" and k + 1 < len(tokens):
        k += 1
    state = next(
        (m for m in doc.mentions if m.start == tokens[k].start and m.type == "State"), None
    )
    if state is not None and state.state and person.state is None:
        person.state = state.state
        for mention in doc.mentions:
            if mention.key == person.key:
                mention.state = state.state


def _mention_implied_state(doc: Doc, span: tuple[int, int], iso3: str) -> None:
    """A title that names its country by itself ("Secretary of Defense") is a state mention."""
    if any(m.type == "State" and span[0] <= m.start and m.end <= span[1] for m in doc.mentions):
        return
    state_draft(doc, iso3)
    text = doc.article.text[span[0] : span[1]]
    doc.mentions.append(Mention(span[0], span[1], text, f"state:{iso3}", "State", "title", iso3))


def _role_rank(role: str) -> str:
    return (
        "rank"
        if role in {"General", "Admiral", "Lieutenant General", "Major General", "Colonel"}
        else "post"
    )


def _find_person(doc: Doc, identity: tuple[str, ...]) -> EntityDraft | None:
    """An official already found whose name tokens contain (or are contained in) ``identity``."""
    ids = set(identity)
    for draft in doc.entities.values():
        if draft.type != "Official":
            continue
        known = set(draft.name_tokens)
        if ids and (ids <= known or known <= ids):
            return draft
    return None


def find_people(doc: Doc) -> Doc:
    """Stage 2: officials by title patterns; then surname, title-alone and pronoun mentions."""
    lex = doc.lexicon
    tokens = doc.tokens
    text = doc.article.text
    matches = list(lex.titles.find_all(tokens))
    previous_titles: list[tuple[int, int, TitleInfo, str | None]] = []
    for match in matches:
        if doc.occupied(match.start, match.end) and not any(
            m.type == "State" for m in doc.mentions if m.start < match.end and match.start < m.end
        ):
            continue
        title = match.value
        # lower-case generic words are titles only before a capitalised name or after a comma
        left = _extend_title_left(doc, match)
        right_end, j = _extend_title_right(doc, match)
        if title.role == "Counterpart" and any(m.first == j for m in matches):
            continue  # "his Australian counterpart Prime Minister X": the real title follows
        apposed = None
        if j + 1 < len(tokens) and tokens[j].text == "," and tokens[j].start == right_end:
            # "New Zealand's Minister of Defence, Ms Ruth Kereama": the name after a comma
            k = j + 1
            rank = next((m for m in matches if m.first == k), None)
            if rank is not None and rank.value.kind == "rank":
                k = rank.last
            apposed = _read_name(doc, k, lenient=True)
            if (
                apposed is not None
                and apposed[1] < len(tokens)
                and tokens[apposed[1]].text not in (",", ".", "said", "told", "and", ";", ")")
            ):
                apposed = None
        name = (
            _read_name(doc, j, lenient=True)
            if j < len(tokens) and tokens[j].start - right_end <= 1
            else None
        )
        if name is None and apposed is not None and _title_state(doc, left, right_end, title):
            person = _add_person(doc, apposed[0], apposed[1], title, (left, right_end))
            previous_titles.append((left, right_end, title, person.state))
            continue
        inherited = next(
            (
                (t, st)
                for lo, hi, t, st in reversed(previous_titles)
                if re.fullmatch(r",\s*", text[hi:left]) and st
            ),
            None,
        )
        if name is not None and inherited is not None and title.kind == "rank":
            # "the Commander of the Indonesian National Armed Forces, Admiral Bayu Santoso"
            person = _add_person(doc, name[0], name[1], inherited[0], (left, right_end))
            if person.state is None:
                person.state = inherited[1]
            previous_titles.append((left, right_end, title, person.state))
            continue
        previous_titles.append((left, right_end, title, _title_state(doc, left, right_end, title)))
        if (
            name is not None
            and (name[1] - name[0] >= 1)
            and title.surface[0].isupper() == text[match.start].isupper()
        ):
            _add_person(doc, name[0], name[1], title, (left, right_end))
            continue
        if name is not None and text[match.start].isupper():
            _add_person(doc, name[0], name[1], title, (left, right_end))
            continue
        if name is None and title.state and text[match.start].isupper():
            # a title alone that names its country ("The Defence Secretary will visit ...")
            _mention_implied_state(doc, (match.start, match.end), title.state)
        # "Name, [the] [state's] title": look back for ", " and a name before the title phrase
        before = text[max(0, left - 6) : left]
        comma = re.search(r",\s+(?:the\s+|a\s+)?$", before)
        if comma:
            comma_pos = max(0, left - 6) + comma.start()
            found = next(
                (n for n in range(len(tokens) - 1, -1, -1) if tokens[n].end <= comma_pos), None
            )
            if found is None:
                continue
            k = found
            first = k
            while (
                first > 0
                and _is_name_token(doc, tokens[first - 1])
                and tokens[first].start - tokens[first - 1].end <= 1
            ):
                first -= 1
            existing = next(
                (m for m in doc.mentions if m.end == tokens[k].end and m.type == "Official"), None
            )
            if existing is not None:
                draft = doc.entities[existing.key]
                state = _title_state(doc, left, right_end, title)
                if title.kind != "rank" and (
                    draft.role is None or _role_rank(draft.role) == "rank"
                ):
                    draft.role, draft.kind = title.role, title.kind
                if state and (draft.state is None or title.kind != "rank"):
                    draft.state = state
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
                continue
            if k - first + 1 >= 2 and _is_name_token(doc, tokens[k]):
                _add_person(doc, first, k + 1, title, (left, right_end))
    _find_later_mentions(doc)
    _infer_missing_states(doc)
    doc.mentions.sort(key=lambda m: (m.start, -m.end))
    return doc


def _find_later_mentions(doc: Doc) -> None:
    """Full names, surnames, "the minister" and pronouns pointing back to known officials."""
    people = [d for d in doc.entities.values() if d.type == "Official"]
    if not people:
        return
    tokens = doc.tokens
    text = doc.article.text
    by_word: dict[str, EntityDraft] = {}
    for person in people:
        for word in person.name_tokens:
            by_word.setdefault(word, person)
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        key = fold(tok.text)
        if key not in by_word or doc.occupied(tok.start, tok.end):
            i += 1
            continue
        if _looks_like_name(tok.text):
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
            i = j
            continue
        i += 1
    doc.mentions.sort(key=lambda m: (m.start, -m.end))
    # "the secretary", "the minister" and pronouns: the most recent official that fits
    for match in re.finditer(
        r"\b(?:[Tt]he (secretary|minister|general|admiral|president|spokesperson|spokesman|spokeswoman)|([Hh]e|[Ss]he))\b",  # noqa: E501
        text,
    ):
        if doc.occupied(match.start(), match.end()):
            continue
        previous = [m for m in doc.mentions if m.type == "Official" and m.end <= match.start()]
        if match.group(1):
            word = match.group(1).lower()
            previous = [m for m in previous if word in (doc.entities[m.key].role or "").lower()]
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


def publisher_state(doc: Doc) -> str | None:
    """The state the publisher belongs to ("U.S. Department of Defense" -> USA), if named."""
    from kg.lexicon import tokenize

    publisher = doc.article.publisher or ""
    for state_match in doc.lexicon.state_names.find_all(tokenize(publisher)):
        return state_match.value[0]
    for named_match in doc.lexicon.named.find_all(tokenize(publisher)):
        if named_match.value.state:
            return named_match.value.state
    return None


def _counterpart_states(doc: Doc, key: str) -> set[str]:
    """States of the other officials named in the sentences that name this one."""
    sentences = {doc.article.sentence_at(m.start).index for m in doc.mentions if m.key == key}
    domain = _role_domain(doc.entities[key].role)
    states = set()
    for m in doc.mentions:
        if (
            m.type == "Official"
            and m.key != key
            and doc.article.sentence_at(m.start).index in sentences
        ):
            other = doc.entities[m.key]
            if other.state and _role_domain(other.role) == domain:
                states.add(other.state)  # a counterpart holds the same kind of post
    return states


def _role_domain(role: str | None) -> str:
    role = role or ""
    if re.search(r"Defen[cs]e|Armed Forces|Military|General|Admiral|Commander|Chief", role):
        return "defense"
    if re.search(r"Foreign|Secretary of State|External", role):
        return "foreign"
    return role


def _infer_missing_states(doc: Doc) -> None:
    """Officials with no state in their title: the host state of a dateline abroad, else the
    publisher's state; only states the article itself mentions."""
    counts = Counter(m.state for m in doc.mentions if m.type == "State" and m.state)
    mentioned = set(counts)
    dyad = {state for state, _ in counts.most_common(2)} if len(counts) >= 2 else set()
    home = publisher_state(doc)
    host = dateline_state(doc)
    fallback = host if host and host != home else home
    if fallback not in mentioned:
        fallback = None  # never attach a state the article itself does not mention
    for draft in doc.entities.values():
        if draft.type != "Official" or draft.state is not None:
            continue
        # beside a counterpart of known state ("Secretary X and Minister Y announced"), an
        # official belongs to the other state of the article's main pair
        counterpart_states = _counterpart_states(doc, draft.key)
        other = dyad - counterpart_states
        if counterpart_states and counterpart_states <= dyad and len(other) == 1:
            draft.state = other.pop()
        elif fallback:
            draft.state = fallback
        if draft.state:
            state_draft(doc, draft.state)
    for mention in doc.mentions:
        if mention.type == "Official" and mention.state is None:
            mention.state = doc.entities[mention.key].state
