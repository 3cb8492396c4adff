"""Hot pages issue the same number of queries whatever the amount of data (no N+1)."""

from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from lms.auth import services as auth
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.org.services import save_unit
from tests.conftest import login
from tests.factories import make_employee, make_nip

PAGES = {
    "atasan": ["/dasbor", "/organisasi/pegawai/{pegawai}"],
    "bkpsdm": [
        "/dasbor",
        "/organisasi/pegawai",
        "/organisasi/pegawai?q=a",
        "/organisasi/unit",
        "/organisasi/unit/{dinkes}",
        "/admin/pengguna",
    ],
    "admin": ["/dasbor", "/admin/pengguna", "/admin/token"],
    "opd.dinkes": ["/dasbor", "/organisasi/pegawai"],
}


@contextmanager
def count_queries(app):
    counter = {"n": 0}

    def before(*_args: object) -> None:
        counter["n"] += 1

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def _measure(app, world) -> dict[str, int]:
    counts = {}
    for username, paths in PAGES.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            url = path.format(
                pegawai=world.employees["pegawai"].id, dinkes=world.units["dinkes"].id
            )
            client.get(url)  # warm the session
            with count_queries(app) as counter:
                assert client.get(url).status_code == 200, url
            counts[f"{username} {url}"] = counter["n"]
    return counts


def _grow(app, world, n: int) -> None:
    """Add n employees (each with an account and a token) in new units, some in atasan's team."""
    with app.app_context():
        atasan = db.session.get(Employee, world.employees["atasan"].id)
        dinkes = db.session.get(Unit, world.units["dinkes"].id)
        for i in range(n // 10):
            unit = save_unit(
                None,
                instansi=dinkes.instansi,
                code=f"DINKES-X{i}",
                name=f"Seksi {i}",
                kind="seksi",
                parent=dinkes,
            )
            for j in range(10):
                emp = make_employee(
                    unit, f"Anggota {i}-{j}", atasan if j < 3 else None, nip=make_nip()
                )
                user = auth.create_user(f"u{i}x{j}", "", password_hash="x", employee=emp)
                auth.create_api_token(user, ["profile:read"])
        db.session.commit()


def test_query_counts_do_not_grow_with_data(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    with app.app_context():  # one token, so both runs render the same kind of rows
        from lms.auth.models import User

        auth.create_api_token(db.session.get(User, world.users["target"].id), ["profile:read"])
        db.session.commit()
    small = _measure(app, world)
    _grow(app, world, 120)
    large = _measure(app, world)
    assert large == small
    assert max(large.values()) <= 25, large  # the busiest page is the BKPSDM dashboard
