"""Helpers for tests that race requests: a client signed in without a login round trip, and
requests released at the same moment from threads."""

from __future__ import annotations

import threading
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from lms.auth.models import User
from lms.extensions import db


def signed_in_client(app: Flask, user_id: int) -> FlaskClient:
    """A test client signed in as the account (the session Flask-Login would have written)."""
    with app.app_context():
        version = db.session.get(User, user_id).session_version
        db.session.remove()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = f"{user_id}:{version}"
        session["_fresh"] = True
    return client


def together(count: int, request: Callable[[int], tuple[int, str]]) -> tuple[list, list]:
    """Send ``count`` requests at the same moment; return (status, Location) pairs and errors."""
    barrier = threading.Barrier(count)
    replies: list[tuple[int, str]] = []
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            replies.append(request(i))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads), "a request hung"
    return replies, errors
