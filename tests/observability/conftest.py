"""An app with Server-Timing on (the session app runs with the testing defaults: off)."""

from __future__ import annotations

import pytest

from tests.conftest import isolated_app


@pytest.fixture(scope="module")
def timed_app(databases, tmp_path_factory):
    with isolated_app(
        databases, tmp_path_factory.mktemp("files"), "timed", SERVER_TIMING=True
    ) as application:
        yield application
