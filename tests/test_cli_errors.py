"""The CLI's error family: each library exception leaves ``kg`` as one line and its exit code."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kg.article import ArticleError, UnreadableError
from kg.build import OutputError
from kg.cli import main
from kg.cli_errors import (
    KgEndpointError,
    KgError,
    KgInputError,
    KgQueryError,
    KgStoreError,
    KgUsageError,
    translate,
)
from kg.endpoint import EndpointError
from kg.evaluate import EvaluationError
from kg.graphname import GraphNameError
from kg.network import NetworkError
from kg.sparql.safety import QueryError
from kg.store import RefusedInput, StoreError


@pytest.mark.parametrize(
    ("exc", "family", "code"),
    [
        (StoreError("s"), KgStoreError, 1),
        (RefusedInput("s"), KgUsageError, 2),
        (GraphNameError("s"), KgUsageError, 2),
        (EndpointError("s"), KgEndpointError, 1),
        (QueryError("s"), KgUsageError, 2),
        (QueryError("s", exit_code=1), KgQueryError, 1),
        (NetworkError("s"), KgQueryError, 1),
        (ArticleError("s"), KgInputError, 1),
        (UnreadableError("s"), KgInputError, 1),
        (EvaluationError("s"), KgInputError, 1),
        (OutputError(28, "s"), KgStoreError, 1),
        (PermissionError(13, "Permission denied"), KgInputError, 1),
    ],
)
def test_each_library_error_has_its_family_and_exit_code(
    exc: Exception, family: type[KgError], code: int
) -> None:
    error = translate(exc)
    assert (type(error), error and error.exit_code, error and error.message) == (
        family,
        code,
        str(exc),
    )


def test_an_unexpected_exception_is_not_translated() -> None:
    assert translate(KeyError("x")) is None


def test_a_translated_error_is_one_line_and_its_exit_code() -> None:
    @click.command()
    def boom() -> None:
        raise RefusedInput("x.ttl: refused")

    group = type(main)(commands={"boom": boom})
    result = CliRunner().invoke(group, ["boom"])
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "Error: x.ttl: refused\n")


def test_the_commands_are_registered_explicitly() -> None:
    assert sorted(main.commands) == [
        "build", "evaluate", "export", "list", "load", "native", "network", "query", "remove", "render",
        "stats", "update", "validate",
    ]  # fmt: skip
