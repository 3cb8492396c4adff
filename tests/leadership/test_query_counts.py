"""The pages that show a cohort's participants with their projects issue the same number of queries
with 10 and with 100 participants (no query per participant): HR's cohort page, the organiser's
phase grid and closing confirmation (BKPSDM, and the partner organising the cohort), the projects'
overview and role assignments. Closing reads every project outcome in one query."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import event, insert, select

from lms.auth.models import PartnerInstitution, User
from lms.completion.programmes import closing
from lms.enrolments.cohorts import marks
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.extensions import db
from lms.leadership.projects import outcome as project_outcome
from lms.leadership.projects.models import Milestone, Project
from lms.leadership.roles.models import CohortRole
from lms.org.models import Unit
from lms.permissions import Role
from tests.completion.closing.builders import make_pkp
from tests.conftest import login
from tests.factories import make_employee, make_nip, make_user
from tests.test_query_counts import count_queries

CODE = "PKP-HITUNG-I"
PAGES = {
    "bkpsdm": [
        ("GET", f"/angkatan/{CODE}"),
        ("GET", f"/angkatan/{CODE}/kemajuan"),
        ("POST", f"/angkatan/{CODE}/tutup"),  # the confirmation: what closing would decide
        ("GET", f"/proyek/angkatan/{CODE}"),
        ("GET", f"/proyek/angkatan/{CODE}/peran"),
        ("GET", "/proyek/angkatan"),
    ],
    "mitra": [
        ("GET", f"/angkatan/{CODE}/kemajuan"),
        ("POST", f"/angkatan/{CODE}/tutup"),
        ("GET", f"/proyek/angkatan/{CODE}"),
        ("GET", f"/proyek/angkatan/{CODE}/peran"),
    ],
}
#: The states the participants' projects cycle through (assessed ones pass and fail in turn).
STATES = ("draft", "implementing", "assessed", "seminar_held", "assessed")


def _base(world) -> None:
    """The PKP cohort that ended yesterday, organised by mitra's partner institution."""
    partner = db.session.get(User, world.users["mitra"].id).partner_id
    assert db.session.get(PartnerInstitution, partner) is not None
    make_pkp(world, code=CODE, organiser_partner_id=partner)
    db.session.flush()


def _grow(world, n: int, start: int) -> None:
    """``n`` more active participants, each with a project (states cycling), a coach; every
    third with a mentor named by the organiser (an account of their own), a classroom mark."""
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == CODE))
    unit = db.session.get(Unit, world.units["dinkes_seksi"].id)
    coach = db.session.get(User, world.users["pengajar"].id)
    members = []
    for i in range(start, start + n):
        person = make_employee(unit, f"Peserta {i:03d}", nip=make_nip())
        member = CohortMember(cohort=cohort, employee=person, status="active", source="admin")
        db.session.add(member)
        members.append(member)
    db.session.flush()
    for i, member in enumerate(members, start=start):
        state = STATES[i % len(STATES)]
        assessed = state == "assessed"
        project = Project(
            member_id=member.id,
            kind="aksi_perubahan",
            state=state,
            title=f"Proyek {i}",
            round=1,
            final_score=Decimal("86.50") if assessed and i % 2 else Decimal("61.00"),
            band="Memuaskan" if i % 2 else "Kurang Memuaskan",
            passed=bool(i % 2),
        )
        if not assessed:
            project.final_score, project.band, project.passed = None, "", None
        db.session.add(project)
        db.session.flush()
        db.session.execute(
            insert(Milestone),
            [{"project_id": project.id, "position": k, "title": f"Langkah {k}"} for k in (0, 1)],
        )
        db.session.add(CohortRole(member_id=member.id, role="coach", user_id=coach.id))
        if i % 3 == 0:
            mentor = make_user(f"mentor{i}", {Role.PEGAWAI}, employee=member.employee)
            other = members[(i - start + 1) % len(members)]
            db.session.add(CohortRole(member_id=other.id, role="mentor", user_id=mentor.id))
    db.session.flush()
    classroom = next(p for p in cohort.phases if p.kind == "classroom")
    marked = {m for phase, m in marks.marks_of(cohort) if phase == classroom.id}
    third = {m.id for m in members[::3]}
    marks.set_marks(None, cohort, classroom.id, marked | third)


def _measure(app) -> dict[str, int]:
    counts: dict[str, int] = {}
    for username, pages in PAGES.items():
        client = app.test_client()
        login(client, username)
        for method, path in pages:
            client.open(path, method=method)  # warm the session
            with count_queries(app) as counter:
                response = client.open(path, method=method)
            assert response.status_code == 200, (username, path, response.status_code)
            counts[f"{username} {method} {path}"] = counter["n"]
    return counts


def test_cohort_pages_do_not_grow_with_participants(app, world, no_csrf, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    with app.app_context():
        _base(world)
        _grow(world, 10, 0)
        db.session.commit()
    small = _measure(app)
    with app.app_context():
        _grow(world, 90, 100)
        db.session.commit()
    large = _measure(app)
    assert large == small
    assert max(large.values()) <= 40, large


def test_closing_reads_the_outcomes_in_one_query(app, world, monkeypatch) -> None:
    calls: list[int] = []
    batch = project_outcome.outcomes

    def spy(ids):
        ids = list(ids)
        calls.append(len(ids))
        return batch(ids)

    monkeypatch.setattr(project_outcome, "outcomes", spy)
    reads = {"n": 0}

    def before(_conn, _cursor, statement, *_args) -> None:
        reads["n"] += "FROM workplace_projects" in statement

    with app.app_context():
        _base(world)
        _grow(world, 100, 0)
        db.session.commit()
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == CODE))
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        event.listen(db.engine, "before_cursor_execute", before)
        try:
            done = closing.close_cohort(hr, cohort)
        finally:
            event.remove(db.engine, "before_cursor_execute", before)
        db.session.commit()
        assert calls == [103]  # pegawai, atasan, disdik and the hundred, in one call
        assert reads["n"] == 1
        assert done.passed + done.failed == 103
        noted = db.session.scalars(
            select(CohortMember.result_note).where(
                CohortMember.cohort_id == cohort.id, CohortMember.result == "failed"
            )
        ).all()
        assert len(noted) == done.failed and all(noted)
