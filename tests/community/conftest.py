"""Fixtures of the community and forum tests: the objects of ``builders.build_forums`` and a real
local SMTP server for the subscription e-mails (the notification tests' own)."""

from __future__ import annotations

import pytest

from lms.extensions import db as _db
from tests.community.builders import Built, build_forums
from tests.conftest import login
from tests.notifications.conftest import _wait_for, smtp_server

__all__ = ["_wait_for", "smtp_server"]


@pytest.fixture
def built(app, world) -> Built:
    with app.app_context():
        made = build_forums(world)
        _db.session.commit()
        _db.session.remove()
    return made


def signed_in(app, username: str):
    client = app.test_client()
    login(client, username)
    return client
