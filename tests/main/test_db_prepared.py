"""On PostgreSQL, a transaction that only read ends with COMMIT, so psycopg keeps the statements it
prepared; one that wrote anything still ends with ROLLBACK (lms.db.keep_prepared_statements)."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text

from lms.auth.models import User
from lms.extensions import db
from tests.conftest import PG_URL, isolated_app

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")

READ = select(User.id).where(User.username == "nobody")


def _prepared_on_the_connection() -> int:
    # pool_size 1: every session gets the same connection, so its prepared statements show here
    return db.session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()


def test_statements_stay_prepared_across_read_only_requests(databases, tmp_path) -> None:
    with isolated_app(databases, tmp_path, "prep", pool_size=1) as app, app.app_context():
        for _ in range(8):  # psycopg prepares a statement on its sixth run on a connection
            db.session.execute(READ).all()
            db.session.remove()  # what ends every request: it used to ROLLBACK and forget them
        assert _prepared_on_the_connection() >= 1


def test_a_transaction_that_wrote_is_still_rolled_back(databases, tmp_path) -> None:
    with isolated_app(databases, tmp_path, "prep", pool_size=1) as app, app.app_context():
        db.session.add(User(username="tidak.disimpan", display_name="X", password_hash="x"))
        db.session.flush()
        db.session.remove()  # closed without a commit
        # a write hidden behind WITH is a write too
        db.session.execute(
            text(
                "WITH made AS (INSERT INTO users (username, display_name, email, password_hash, active, "
                "session_version, must_change_password, created_at, updated_at) VALUES "
                "('juga.tidak', 'Y', '', 'x', true, 1, false, now(), now()) RETURNING id) "
                "SELECT id FROM made"
            )
        ).all()
        db.session.remove()
        names = db.session.scalars(select(User.username)).all()
        assert "tidak.disimpan" not in names and "juga.tidak" not in names


def test_a_failed_transaction_is_rolled_back_and_the_connection_goes_on(
    databases, tmp_path
) -> None:
    with isolated_app(databases, tmp_path, "prep", pool_size=1) as app, app.app_context():
        with pytest.raises(Exception, match="division by zero"):
            db.session.execute(text("SELECT 1 / 0")).all()
        db.session.remove()
        assert db.session.execute(text("SELECT 2")).scalar_one() == 2
        db.session.remove()
