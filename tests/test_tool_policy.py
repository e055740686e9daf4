"""The one policy for a missing external tool or module: a failure in CI, a skip elsewhere."""

from __future__ import annotations

import shutil

import pytest
from conftest import require_module, require_tool


def test_a_missing_tool_is_skipped_locally_with_its_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as caught:
        require_tool("kg-no-such-tool", "apt-get install nothing")
    assert str(caught.value) == "kg-no-such-tool is not installed (apt-get install nothing)"


def test_a_missing_module_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as caught:
        require_module("kg_no_such_module", "pip install nothing")
    assert str(caught.value) == (
        "Python module kg_no_such_module is not installed (pip install nothing) "
        "(CI runs every test)"
    )


def test_a_present_tool_and_module_are_returned(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    assert require_tool("sh", "coreutils") == shutil.which("sh")
    assert require_module("json").__name__ == "json"
