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
    """``counter["n"]``: the statements sent inside the block; ``counter["sql"]``: their text."""
    counter: dict = {"n": 0, "sql": []}

    def before(_conn, _cursor, statement, *_args: object) -> None:
        counter["n"] += 1
        counter["sql"].append(statement)

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


# --- the dashboards and the employee search at 10 and at 1,000 rows (issue 19) -----------------

DASHBOARD_PAGES = {
    "pegawai": ["/dasbor"],  # positioned, with competencies no record covers (the for-you card)
    "atasan": ["/dasbor"],  # positioned too; their team grows from 10 to 1,000
    "bkpsdm": [
        "/organisasi/pegawai?q=anggota",
        "/organisasi/pegawai?q=anggota&page=2",
        "/organisasi/pegawai?q=1988",
        "/organisasi/pegawai",  # the plain list: counted
    ],
}


def _team(app, world, start: int, stop: int, course_id: int) -> None:
    """Direct reports of atasan numbered start..stop-1, each with an enrolment, a verified JP
    record and, every tenth, a nomination waiting for the supervisor; pegawai gets a record."""
    from datetime import date
    from decimal import Decimal

    from lms.careers.records.models import LearningRecord
    from lms.enrolments.models import Approval, Enrolment
    from lms.indonesian import local_today

    year = local_today().year
    with app.app_context():
        atasan = db.session.get(Employee, world.employees["atasan"].id)
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        for i in range(start, stop):
            emp = make_employee(seksi, f"Anggota Tim {i:04d}", atasan, nip=make_nip())
            nominated = i % 10 == 0
            enrolment = Enrolment(
                course_id=course_id,
                employee_id=emp.id,
                status="nominated" if nominated else "active",
                progress=0 if nominated else 40,
            )
            db.session.add(enrolment)
            if nominated:
                db.session.flush()
                db.session.add(Approval(enrolment_id=enrolment.id, step="supervisor", position=1))
            for employee_id in (emp.id, world.employees["pegawai"].id):
                db.session.add(
                    LearningRecord(
                        employee_id=employee_id,
                        source="outside",
                        status="verified",
                        name=f"Bimtek {i}",
                        competency_kind="teknis",
                        starts_on=date(year - i % 5, 1, 5),
                        ends_on=date(year - i % 5, 1, 6),
                        year=year - i % 5,
                        jp=Decimal(2),
                    )
                )
        db.session.commit()


def _measure_dashboards(app) -> dict[str, int]:
    counts = {}
    for username, paths in DASHBOARD_PAGES.items():
        client = app.test_client()
        login(client, username)
        for url in paths:
            client.get(url)  # warm the session
            with count_queries(app) as counter:
                assert client.get(url).status_code == 200, url
            counts[f"{username} {url}"] = counter["n"]
    return counts


def test_dashboards_and_search_flat_from_10_to_1000_rows(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    from tests.factories import make_course

    with app.app_context():
        course_id = make_course("DASH-101", title="Pelatihan Dasbor").id
        pegawai = db.session.get(Employee, world.employees["pegawai"].id)
        # a pelaksana: the type's only level; its standard's competencies are uncovered
        pegawai.jabatan_type_code, pegawai.jabatan_level_code = "pelaksana", None
        # the supervisor too (a pengawas): the busiest dashboard with the for-you card (this
        # cost 26 queries before the position's standard came with the for-you lookup)
        atasan = db.session.get(Employee, world.employees["atasan"].id)
        atasan.jabatan_type_code, atasan.jabatan_level_code = "pengawas", None
        db.session.commit()
    _team(app, world, 0, 10, course_id)
    small = _measure_dashboards(app)
    _team(app, world, 10, 1000, course_id)
    large = _measure_dashboards(app)
    assert large == small
    assert max(large.values()) <= 25, large
