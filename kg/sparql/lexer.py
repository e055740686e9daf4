"""The SPARQL lexer shared by the checks and the text edits: tokens that may contain brackets,
quotes or ``#`` without being syntax, and the nesting depth of a text."""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Keywords that are optional before an IRI, so that ``KEYWORD:x`` reads two valid ways: the
#: prefixed name ``KEYWORD:x``, or the keyword then ``:x`` (``FROM NAMED:x``, ``ADD SILENT:x``).
#: A prefix of that name is refused, as the parsers disagree on such text.
KEYWORDS = frozenset({"NAMED", "SILENT"})

#: The code points U+00C0..U+FFFF (``\w`` covers the letters below them).
_HIGH = r"[^\x00-\u00BF\U00010000-\U0010FFFF]"

#: SPARQL tokens that may contain brackets, quotes or ``#`` without being syntax. Each
#: alternative is unambiguous (no nested quantifier can match the same text two ways), and a
#: quote that opens no complete string is an ``unclosed`` token to the end of its line (no
#: parser reads past it), so a scan never restarts inside a failed string (``"\\"\\"...``
#: would rescan from every escaped quote) and is linear in the text. ``{H}`` is U+00C0..U+FFFF
#: as a negated class, which compiles in a fraction of a millisecond where ``[\u00C0-\uFFFF]``
#: takes milliseconds per occurrence (every ``kg query`` compiles this); each atomic group
#: ``(?>[...]|{H})`` matches one character, as one class would.
TOKENS = re.compile(
    r"""(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<str>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
              |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
              |'(?:[^'\\\n\r]|\\.)*'
              |"(?:[^"\\\n\r]|\\.)*")
      |(?P<unclosed>'(?:[^'\\\n\r]|\\.)*|"(?:[^"\\\n\r]|\\.)*)
      |(?P<comment>\#[^\n\r]*)
      |(?P<var>[?$](?>[A-Za-z0-9_\u00B7]|{H})+)
      |(?P<pname>(?<![\w\-.\u00B7])(?<!{H})(?:(?>[A-Za-z]|{H})(?>[\w\-\u00B7]|{H})*(?:\.+(?>[\w\-\u00B7]|{H})+)*)?
                 :(?:(?:(?>[\w\-\u00B7:]|{H})|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])+
                    (?:\.+(?:(?>[\w\-\u00B7:]|{H})|%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?\#@%])+)*)?)
      |(?P<bnode>_:[\w\-]+(?:\.+[\w\-]+)*)
      |(?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
      |(?P<open>[{(\[])
      |(?P<close>[})\]])""".replace("{H}", _HIGH),
    re.DOTALL | re.VERBOSE,
)


def tokens(text: str) -> Iterator[re.Match[str]]:
    """The tokens of :data:`TOKENS` in ``text``, left to right."""
    return TOKENS.finditer(text)


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets outside strings and comments.

    Brackets inside what looks like an IRI count too: ``?a<((1))>?b`` compares, it is no IRI.

    Examples
    --------
    >>> nesting_depth("SELECT * { { ?s ?p '{{{{' } FILTER((1)) }")
    3
    """
    depth = deepest = 0
    for match in tokens(text):
        kind = match.lastgroup
        if kind == "iri":
            for char in match.group(0):
                if char in "{([":
                    depth += 1
                    deepest = max(deepest, depth)
                elif char in "})]":
                    depth = max(depth - 1, 0)
        elif kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(depth - 1, 0)
    return deepest
