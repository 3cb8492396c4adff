"""The demo's phase progress (courses done, classroom marks) of the demo cohorts' participants."""

from __future__ import annotations

from sqlalchemy import func, select

from lms.completion.models import Completion
from lms.completion.programmes import closing
from lms.completion.programmes.demo import load_demo_progress
from lms.enrolments.cohorts import services
from lms.enrolments.cohorts.marks import marks_of
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.extensions import db
from lms.org.models import Unit
from tests.completion.closing.builders import PASSED, fake_outcomes, make_pkp
from tests.factories import make_employee, make_nip


def test_demo_progress_is_varied_and_idempotent(app, world, monkeypatch) -> None:
    with app.test_request_context():
        built = make_pkp(world, code="PKP-2026-I")
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKP-2026-I"))
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        people = [make_employee(seksi, f"Peserta {i}", nip=make_nip()) for i in range(3)]
        members = [services.add_member(None, cohort, p, today=cohort.starts_on) for p in people]
        db.session.get(CohortMember, built.members["disdik"]).status = "withdrawn"
        assert load_demo_progress() == 2 + 2 + 1 + 2  # courses (the last: half) and two marks
        done = dict(
            db.session.execute(
                select(Completion.employee_id, func.count())
                .where(Completion.course_id.is_not(None))
                .group_by(Completion.employee_id)
            ).all()
        )
        assert [done.get(p.id, 0) for p in people] == [2, 2, 1]
        classroom = built.phases["classroom"]
        marked = {m for phase, m in marks_of(cohort) if phase == classroom}
        assert marked == {members[0].id, members[2].id}
        # The world's participants have accounts (demo accounts in the real demo): untouched.
        assert all(
            db.session.get(CohortMember, i).employee_id not in done
            for i in (built.members["pegawai"], built.members["atasan"])
        )
        assert load_demo_progress() == 0
        fake_outcomes(monkeypatch, {m.id: PASSED for m in members})
        result = closing.close_cohort(None, cohort)
        notes = {m.employee.full_name: m.result_note for m in members}
        assert notes["Peserta 0"] == ""
        assert notes["Peserta 1"] == "Fase Tahap classroom belum selesai"
        assert notes["Peserta 2"].splitlines()[:2] == [
            "Fase Tahap self_study belum selesai",
            "Fase Tahap distance belum selesai",
        ]
        assert result.passed == 1
