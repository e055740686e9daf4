"""The library's base errors, in a module that imports nothing of kg (so that every
module may raise them without importing the store)."""

from __future__ import annotations


class StoreError(RuntimeError):
    """A store that cannot be opened, read or written (the message is one line)."""

    exit_code = 1


class RefusedInput(StoreError):
    """An input file kg will not load (RDF 1.2 terms, XML entity declarations): exit 2."""

    exit_code = 2


class DataFileError(ValueError):
    """A data file of kg/data (or of ``KG_LEXICON_DIR``) that cannot be used: one line naming
    the file and row; the commands exit 1 with it."""


def one_line(text: object) -> str:
    """Collapse a message onto one line.

    Examples
    --------
    >>> one_line("a\\n  b")
    'a b'
    """
    return " ".join(str(text).split())
