"""The errors ``kg`` exits with: one ``click.ClickException`` family, one translation point.

Every failure is one line on stderr, ``Error: <message>``, and an exit code:

==== ===============================================================================
0    success (``kg query`` of an ASK: the answer is true)
1    a failure: an article or input file that cannot be read, a store or endpoint
     that cannot be opened, read or written, a query that failed while it ran (time
     or memory limit), SHACL violations (``kg validate``), an ASK answered false
2    a refused command line, query or input: an unknown option or value, malformed
     or refused SPARQL, an unknown named query, a graph name that is no IRI, an RDF
     file kg will not load
==== ===============================================================================

The library raises its own exceptions (:class:`kg.store.StoreError`,
:class:`kg.article.ArticleError`, :class:`kg.sparql.safety.QueryError`...) with a one-line
message; :class:`KgGroup` turns them into this family where the commands run, so no command
catches them itself.
"""

from __future__ import annotations

from typing import Any

import click


class KgError(click.ClickException):
    """A failure ``kg`` reports in one line and exits 1 for."""

    exit_code = 1


class KgUsageError(KgError):
    """A command line, query or input that kg refuses (exit 2)."""

    exit_code = 2


class KgInputError(KgError):
    """An article, gold file or other input that cannot be read (exit 1)."""


class KgQueryError(KgError):
    """A query, update or network analysis that failed while it ran (exit 1)."""


class KgStoreError(KgError):
    """A store that cannot be opened, read or written, or an output file that cannot be written."""


class KgEndpointError(KgStoreError):
    """A SPARQL endpoint that cannot be reached or answers unusably (exit 1)."""


def translate(exc: Exception) -> KgError | None:
    """The :class:`KgError` for a library exception (same message), or None for any other."""
    from kg.errors import DataFileError

    if isinstance(exc, DataFileError):  # before the imports below, which may read data files
        return KgInputError(str(exc))
    from kg.article import ArticleError
    from kg.build import OutputError
    from kg.endpoint import EndpointError
    from kg.evaluate import EvaluationError
    from kg.network import NetworkError
    from kg.sparql.safety import QueryError
    from kg.store import StoreError

    message = str(exc)
    if isinstance(exc, (StoreError, QueryError)) and exc.exit_code == 2:
        return KgUsageError(message)
    if isinstance(exc, EndpointError):
        return KgEndpointError(message)
    if isinstance(exc, (StoreError, OutputError)):
        return KgStoreError(message)
    if isinstance(exc, (QueryError, NetworkError)):
        return KgQueryError(message)
    if isinstance(exc, (ArticleError, EvaluationError, OSError)):
        return KgInputError(message)
    return None


class KgGroup(click.Group):
    """A command group whose commands' library exceptions leave as :class:`KgError`."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except Exception as exc:
            error = translate(exc)
            if error is None:
                raise
            raise error from exc
