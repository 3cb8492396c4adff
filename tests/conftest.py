"""Shared fixtures: one app per test session, a clean database for every test.

SQLite by default (a file, so a browser test's server thread sees the same data); PostgreSQL
when ``LMS_TEST_DATABASE_URL`` is set: each run creates its own uniquely named databases on that
server and drops them afterwards.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from lms import create_app
from lms.auth import account_cache
from lms.extensions import cache, limiter
from lms.extensions import db as _db

PG_URL = os.environ.get("LMS_TEST_DATABASE_URL")
SHARED = Path(__file__).resolve().parents[2] / "shared"


class DatabaseFactory:
    """Creates uniquely named databases for this run (PostgreSQL) or files (SQLite)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.created: list[str] = []

    def new(self, label: str) -> str:
        if not PG_URL:
            return f"sqlite:///{self.tmp / (label + '.db')}"
        name = f"lms_test_{label}_{uuid.uuid4().hex[:8]}"
        assert re.fullmatch(r"[a-z0-9_]+", name)
        admin = create_engine(
            make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        self.created.append(name)
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        if not self.created:
            return
        admin = create_engine(
            make_url(PG_URL).set(database="postgres"), isolation_level="AUTOCOMMIT"
        )
        with admin.connect() as conn:
            for name in self.created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _compiled_catalogues() -> None:
    """`make test` compiles the catalogues; a bare `pytest` run gets them compiled here."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    po = root / "lms/translations/en/LC_MESSAGES/messages.po"
    mo = po.with_suffix(".mo")
    if po.exists() and (not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime):
        subprocess.run(
            [
                sys.executable,
                "-m",
                "babel.messages.frontend",
                "compile",
                "-d",
                str(root / "lms/translations"),
            ],
            check=True,
            capture_output=True,
        )


@pytest.fixture(scope="session")
def databases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(tmp_path_factory.mktemp("db"))
    yield factory
    factory.drop_all()


@contextmanager
def isolated_app(
    databases: DatabaseFactory, files_dir: Path, label: str, pool_size: int = 5, **config: object
):
    """An app on a database of its own (schema created), e.g. for concurrency tests whose
    threads each need a connection; ``config`` overrides settings; disposed of afterwards."""
    options = {"pool_size": pool_size, "max_overflow": 0} if PG_URL else {}
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new(label),
            "SQLALCHEMY_ENGINE_OPTIONS": options,
            "FILES_DIR": str(files_dir),
            **config,
        },
        env="testing",
    )
    with application.app_context():
        _db.create_all()
    try:
        yield application
    finally:
        with application.app_context():
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture(scope="session")
def app(databases: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory):
    application = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("main"),
            "FILES_DIR": str(tmp_path_factory.mktemp("files")),
            # the cache's generation files (lms.extensions.generation), not the repo's instance/
            "CACHE_GENERATION_DIR": str(tmp_path_factory.mktemp("generations")),
        },
        env="testing",
    )
    with application.app_context():
        _db.create_all()
    yield application
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture(autouse=True)
def _fresh_state(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table and reset rate limits after each test that used the app."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        _db.session.remove()
        tables = list(reversed(_db.metadata.sorted_tables))
        with _db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                # courses ↔ course_versions point at each other: break the cycle first.
                conn.execute(text("UPDATE courses SET published_version_id = NULL"))
                for table in tables:
                    conn.execute(table.delete())
        limiter.reset()
        cache.clear()  # the tables were emptied behind the ORM's back (lms.courses.cache)
        account_cache.clear(app)


@pytest.fixture(autouse=True)
def _process_globals_restored() -> Iterator[None]:
    """A test that builds an app of its own with Redis (a live one in tests/main/test_infra.py,
    a dead one in tests/deploy/test_resilience.py) leaves two process-wide objects pointing at
    it: the Celery default app, to which shared tasks bind (later tasks would go to that broker
    instead of running eagerly), and the one ``limiter``'s storage (``_fresh_state`` resets it
    after every test). Put both back after each test; defined after ``_fresh_state`` so this
    runs first on the way out."""
    from celery import _state

    default, current = _state.default_app, getattr(_state._tls, "current_app", None)
    limiter_state = dict(limiter.__dict__)
    yield
    _state.set_default_app(default)
    _state._set_current_app(current)
    limiter.__dict__.clear()
    limiter.__dict__.update(limiter_state)


@pytest.fixture
def db(app):
    with app.app_context():
        yield _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def worker_app(app):
    """Another worker process of the same machine, made on demand: the session app's database,
    files and (unless ``CACHE_GENERATION_DIR`` is given) cache generation files, and a cache of
    its own in memory (SimpleCache), as a second gunicorn worker without Redis has."""
    made = []

    def make(**config: object):
        other = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                "FILES_DIR": app.config["FILES_DIR"],
                "CACHE_GENERATION_DIR": app.config["CACHE_GENERATION_DIR"],
                **config,
            },
            env="testing",
        )
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            cache.clear()
            _db.session.remove()
            _db.engine.dispose()


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False
    yield
    app.config["WTF_CSRF_ENABLED"] = True


@pytest.fixture
def world(app):
    """A small organisation with one account per role (see tests/factories.py).

    Built in its own app context and returned as plain values: a test request must not run
    inside a context the fixture keeps open (Flask would share ``g`` between requests).
    """
    from tests.factories import build_world, snapshot

    with app.app_context():
        w = build_world()
        _db.session.commit()
        snap = snapshot(w)
        _db.session.remove()
    return snap


def login(client, username: str, password: str = "rahasia123") -> None:
    """Log in through the real form, CSRF token included."""
    page = client.get("/masuk")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page.data)
    data = {"identifier": username, "password": password}
    if token:
        data["csrf_token"] = token.group(1).decode()
    response = client.post("/masuk", data=data)
    messages = re.findall(rb'class="(?:flash[^"]*|field-error)"[^>]*>([^<]*)', response.data)
    assert response.status_code == 302, (response.status_code, messages, response.data[-1500:])


def csrf_token(client, path: str) -> str:
    page = client.get(path)
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page.data)
    assert match, f"no CSRF token on {path}"
    return match.group(1).decode()
