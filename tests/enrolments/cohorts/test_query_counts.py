"""Programme and cohort pages issue the same number of queries with little and with much data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts import services as cs
from lms.enrolments.cohorts.membership_views import _hr_section, _my_section
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.conftest import login
from tests.enrolments.cohorts.builders import TODAY, make_cohort, make_programme
from tests.factories import make_employee, make_nip
from tests.test_query_counts import count_queries

PAGES = {
    "bkpsdm": [
        "/program",
        "/program/PKP",
        "/angkatan",
        "/angkatan?tampil=semua",
        "/angkatan/PKP-2026-I",
        "/angkatan/PKP-2026-I?q=a",
        "/angkatan/persetujuan",
    ],
    "pegawai": ["/program", "/program/PKP"],
    "atasan": ["/program/PKP", "/angkatan/persetujuan"],
}
PHASES = [
    {
        "name": "Belajar mandiri",
        "starts_on": TODAY + timedelta(days=14),
        "ends_on": TODAY + timedelta(days=40),
    },
    {
        "name": "Klasikal",
        "starts_on": TODAY + timedelta(days=41),
        "ends_on": TODAY + timedelta(days=60),
    },
]


def _populate(world, cohort: Cohort, people: list[Employee]) -> None:
    """Members in every state: active, waitlisted, nominated (some waiting for atasan)."""
    atasan = db.session.get(Employee, world.employees["atasan"].id)
    boss_user = db.session.get(User, world.users["atasan"].id)
    for i, person in enumerate(people):
        if i % 3 == 0:
            cs.add_member(None, cohort, person)
        else:
            person.supervisor = atasan
            db.session.flush()
            actor = boss_user if i % 3 == 1 else None
            if actor is None:
                # self-nomination leaves the supervisor step pending
                actor = db.session.scalar(select(User).where(User.employee_id == person.id))
                if actor is None:
                    actor = User(username=f"self{person.id}", password_hash="x", employee=person)
                    db.session.add(actor)
                    db.session.flush()
            cs.nominate(actor, cohort, person)


def _base(app, world) -> None:
    with app.app_context():
        programme = make_programme("PKP", ("UJI-101", "UJI-102"))
        cohort = make_cohort(programme, "PKP-2026-I", quota=2, phases=PHASES)
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        people = [make_employee(seksi, f"Awal {i}", nip=make_nip()) for i in range(6)]
        _populate(world, cohort, people)
        db.session.commit()


def _grow(app, world, n: int) -> None:
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKP-2026-I"))
        cohort.quota = n
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        people = [make_employee(seksi, f"Anggota {i}", nip=make_nip()) for i in range(n)]
        _populate(world, cohort, people)
        for p in range(n // 10):
            programme = make_programme(f"PRG{p}", (f"X{p}-101", f"X{p}-102", f"X{p}-103"))
            for k in range(3):
                other = make_cohort(programme, f"PRG{p}-{k}", phases=PHASES)
                _populate(world, other, people[k::7][:4])
        db.session.commit()


def _measure(app, world) -> dict[str, int]:
    counts: dict[str, int] = {}
    for username, paths in PAGES.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            client.get(path)  # warm the session
            with count_queries(app) as counter:
                assert client.get(path).status_code == 200, path
            counts[f"{username} {path}"] = counter["n"]
    for key, fn in (("admin_bkpsdm", _hr_section), ("atasan", _my_section)):
        with app.test_request_context():
            user = db.session.get(User, world.users[key].id)
            _ = user.roles, user.employee
            with count_queries(app) as counter:
                assert fn(user) is not None
            counts[f"section {fn.__name__}"] = counter["n"]
    return counts


def test_programme_and_cohort_pages_do_not_grow_with_data(app, world, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    _base(app, world)
    with app.app_context():  # atasan joins a cohort too, so "Angkatan saya" has a row
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKP-2026-I"))
        cohort.quota = None
        cs.add_member(None, cohort, db.session.get(Employee, world.employees["atasan"].id))
        cohort.quota = 2
        db.session.commit()
    small = _measure(app, world)
    _grow(app, world, 120)
    large = _measure(app, world)
    assert large == small
    assert max(large.values()) <= 15, large
    # HR's card: the running cohorts with their seats in one statement, and the pending count
    assert large["section _hr_section"] == 2
