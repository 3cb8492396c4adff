"""SKP, appraisal import and career view tests."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _many_logins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests log several people in, one after another, from the same address."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
