"""argon2id parameters: a login rewrites a hash made with other parameters, only when it succeeds.

The testing configuration hashes cheaply (t=1, 64 KiB); these tests set the production
parameters on the app, so what they check is what a production login stores.
"""

from __future__ import annotations

import re

import pytest
from argon2 import PasswordHasher
from sqlalchemy import select

from config import Config, TestingConfig
from lms.auth.models import User
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import PASSWORD, make_user

PARAMS = re.compile(r"\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$")
#: The hashes stored before: argon2-cffi's defaults (RFC 9106's second profile), p=4 included.
OLD = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)


def params(password_hash: str) -> tuple[int, int, int]:
    """(m in KiB, t, p) from the ``$argon2id$v=19$m=…,t=…,p=…$`` prefix."""
    match = PARAMS.match(password_hash)
    assert match, password_hash
    m, t, p = (int(x) for x in match.groups())
    return m, t, p


@pytest.fixture
def production_hashing(app, monkeypatch):
    for name in ("PASSWORD_TIME_COST", "PASSWORD_MEMORY_COST", "PASSWORD_PARALLELISM"):
        monkeypatch.setitem(app.config, name, getattr(Config, name))


def _account(app, password_hash: str, **kw: object) -> None:
    with app.app_context():
        make_user("lama", password_hash=password_hash, **kw)
        db.session.commit()
        db.session.remove()


def _stored(app) -> str:
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.username == "lama"))
        db.session.remove()
    return stored


def _post(client, password: str):
    token = csrf_token(client, "/masuk")
    return client.post(
        "/masuk", data={"identifier": "lama", "password": password, "csrf_token": token}
    )


def test_production_parameters_are_owasps() -> None:
    assert (Config.PASSWORD_MEMORY_COST, Config.PASSWORD_TIME_COST) == (19456, 2)
    assert Config.PASSWORD_PARALLELISM == 1
    assert TestingConfig.PASSWORD_MEMORY_COST < Config.PASSWORD_MEMORY_COST  # tests stay cheap


def test_new_hashes_use_the_configured_parameters(app, production_hashing) -> None:
    from lms.auth.services import hash_password

    with app.app_context():
        assert params(hash_password("rahasia123")) == (19456, 2, 1)


def test_login_rewrites_an_old_hash_and_commits_it(app, client, production_hashing) -> None:
    _account(app, OLD.hash(PASSWORD))
    assert params(_stored(app)) == (65536, 3, 4)

    login(client, "lama", PASSWORD)

    stored = _stored(app)
    assert params(stored) == (19456, 2, 1)
    assert PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1).verify(stored, PASSWORD)
    login(app.test_client(), "lama", PASSWORD)  # the new hash works
    assert _stored(app) == stored  # and, current, is not rewritten again


def test_parallelism_alone_makes_a_hash_old(app, client, production_hashing) -> None:
    """argon2-cffi's default parallelism is 4: a hasher built without p=1 would store p=4."""
    _account(app, PasswordHasher(time_cost=2, memory_cost=19456, parallelism=4).hash(PASSWORD))
    login(client, "lama", PASSWORD)
    assert params(_stored(app)) == (19456, 2, 1)


def test_wrong_password_leaves_the_old_hash(app, client, production_hashing) -> None:
    old = OLD.hash(PASSWORD)
    _account(app, old)
    response = _post(client, "salah-sekali")
    assert response.status_code == 200
    assert "kata sandi salah" in response.get_data(as_text=True)
    assert _stored(app) == old


def test_refused_account_keeps_its_old_hash_even_with_the_right_password(
    app, client, production_hashing
) -> None:
    old = OLD.hash(PASSWORD)
    _account(app, old, active=False)
    response = _post(client, PASSWORD)
    assert response.status_code == 200  # refused: the login page again
    assert _stored(app) == old
