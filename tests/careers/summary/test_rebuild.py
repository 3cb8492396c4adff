"""The summaries kept current equal a rebuild from the source rows, after a random mix of
completions (online and imported), revocations, outside records verified or rejected, confirmed
sessions, cohort changes that move the JP-once rule, and development plans."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.ledger.queries import jp_totals
from lms.careers.plans.services import ensure_plan
from lms.careers.records.models import LearningRecord
from lms.careers.records.services import review
from lms.careers.sessions.services import SessionInput, decide, save_session
from lms.careers.summary.models import EmployeeYearSummary, UnitPeriodSummary
from lms.careers.summary.services import rebuild
from lms.careers.summary.tracking import settle
from lms.completion import services as completion
from lms.completion.consumers import dispatch
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.enrolments.cohorts.models import Cohort, CohortMember, ProgrammeCourse
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.reports.data import generate

YEAR = local_today().year


def tables() -> tuple[list, list]:
    employees = EmployeeYearSummary.__table__
    units = UnitPeriodSummary.__table__
    return (
        sorted(tuple(r) for r in db.session.execute(select(employees)).all()),
        sorted(tuple(r) for r in db.session.execute(select(units)).all()),
    )


def _user(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def _complete(rng: random.Random, people: list[Employee], courses: list[Course], hr: User) -> None:
    emp = rng.choice(people)
    course = rng.choice(courses)
    if completion.current_completion(emp.id, course_id=course.id) is not None:
        return
    day = date(rng.choice([YEAR, YEAR - 1]), rng.randint(1, 6), rng.randint(1, 28))
    if rng.random() < 0.5:  # an imported attendance line (classroom), else online
        completion.record_classroom(emp, course, completed_on=day, score=80, by=hr)
    else:
        moment = datetime(day.year, day.month, day.day, 16, 30, tzinfo=UTC)  # next local day
        completion.complete_course(emp, course, completed_at=moment, score=90, source="online")


def _revoke(rng: random.Random, hr: User) -> None:
    valid = db.session.scalars(select(Completion).where(Completion.status == "valid")).all()
    if valid:
        completion.revoke(rng.choice(valid), hr, "uji acak")


def _outside(rng: random.Random, people: list[Employee], hr: User) -> None:
    emp = rng.choice(people)
    ends = date(rng.choice([YEAR, YEAR - 1]), rng.randint(1, 12), rng.randint(1, 28))
    record = LearningRecord(
        employee_id=emp.id,
        source="outside",
        status="pending",
        name="Webinar",
        starts_on=ends - timedelta(days=1),
        ends_on=ends,
        year=ends.year,
        jp=Decimal(rng.choice([2, 4.5, 8, 16])),
        competency_kind=rng.choice(["teknis", "manajerial", "sosial_kultural"]),
    )
    db.session.add(record)
    db.session.flush()
    review(record, hr, approve=rng.random() < 0.7, reason="tidak sah")


def _session(rng: random.Random, day: date) -> None:
    staff = db.session.scalar(select(Employee).where(Employee.full_name == "Siti Aminah"))
    data = SessionInput(
        form_code=15,
        held_on=day,
        minutes=rng.choice([60, 80, 120]),
        topic="Menyusun laporan",
        agreed="Draf diserahkan Jumat.",
        competency_kind="manajerial",
        coach_name="Pak Yusuf (narasumber luar)",
    )
    session = save_session(staff, data, _user("pegawai"), None)
    decide(session, _user("atasan"), confirm=rng.random() < 0.8, reason="ulang")


def _cohort_change(rng: random.Random) -> None:
    members = db.session.scalars(select(CohortMember)).all()
    member = rng.choice(members)
    choice = rng.random()
    if choice < 0.4:
        member.status = "withdrawn" if member.status == "active" else "active"
    elif choice < 0.7:
        member.result = rng.choice([None, "passed", "failed"])
    else:
        cohort = db.session.get(Cohort, member.cohort_id)
        cohort.ends_on = date(YEAR, rng.randint(2, 12), 20)


def _programme_courses(courses: list[Course]) -> None:
    """The generated cohort's programme gets its courses: the JP-once rule bites."""
    cohort = db.session.scalars(select(Cohort)).first()
    for course in courses[:2]:
        db.session.add(ProgrammeCourse(programme_id=cohort.programme_id, course_id=course.id))


def test_incremental_equals_rebuild_after_a_random_mix(app, world) -> None:
    with app.app_context():
        generate(seed=11, per_opd=5)
        rng = random.Random(19)
        hr = _user("bkpsdm")
        people = list(db.session.scalars(select(Employee).where(Employee.is_active.is_(True))))
        courses = list(db.session.scalars(select(Course).where(Course.code.like("LAP-%"))))
        _programme_courses(courses)
        db.session.commit()
        session_day = local_today() - timedelta(days=60)
        for step in range(80):
            kind = rng.choice(["complete", "complete", "revoke", "outside", "session", "cohort"])
            hr = _user("bkpsdm")  # loaded again: expired by the commit (services read its id)
            if kind == "complete":
                _complete(rng, people, courses, hr)
            elif kind == "revoke":
                _revoke(rng, hr)
            elif kind == "outside":
                _outside(rng, people, hr)
            elif kind == "session":
                session_day += timedelta(days=1)
                _session(rng, session_day)
            else:
                _cohort_change(rng)
            if rng.random() < 0.2:
                ensure_plan(rng.choice(people), rng.choice([YEAR, YEAR - 1]))
            db.session.commit()
            if step % 7 == 0:
                dispatch()
            if step % 5 == 4:  # equal all along, not only at the end
                _assert_equal_to_rebuild()
        dispatch()
        _assert_equal_to_rebuild()


def _assert_equal_to_rebuild() -> None:
    incremental = tables()
    assert incremental[0] and incremental[1]
    rebuild()
    db.session.commit()
    assert tables() == incremental


def test_summary_equals_the_ledger(app, world) -> None:
    """Each employee-year's JP are the ledger's ``jp_totals`` (JP counted once)."""
    with app.app_context():
        generate(seed=4, per_opd=6)
        for year in (YEAR - 1, YEAR):
            totals = jp_totals(year)
            ledger = {
                e: (Decimal(t), Decimal(a), Decimal(b), Decimal(c))
                for e, t, a, b, c in db.session.execute(select(totals)).all()
            }
            summary = {
                s.employee_id: (s.jp_total, s.jp_teknis, s.jp_manajerial, s.jp_sosial_kultural)
                for s in db.session.scalars(
                    select(EmployeeYearSummary).where(
                        EmployeeYearSummary.year == year, EmployeeYearSummary.jp_total > 0
                    )
                )
            }
            assert summary == {e: v for e, v in ledger.items() if v[0] > 0}


def test_a_rollback_leaves_the_summary_as_it_was(app, world) -> None:
    with app.app_context():
        generate(seed=2, per_opd=3)
        before = tables()
        record = db.session.scalars(
            select(LearningRecord).where(LearningRecord.status == "verified")
        ).first()
        record.status = "removed"
        settle(db.session)  # as a commit would, then changed our mind
        assert tables() != before
        db.session.rollback()
        assert tables() == before
        db.session.commit()
        assert tables() == before


def test_a_moved_record_updates_both_years(app, world) -> None:
    with app.app_context():
        generate(seed=6, per_opd=3)
        record = db.session.scalars(
            select(LearningRecord).where(
                LearningRecord.status == "verified", LearningRecord.source == "outside"
            )
        ).first()
        record.year = YEAR - 3
        record.starts_on = record.ends_on = date(YEAR - 3, 5, 5)
        db.session.commit()
        incremental = tables()
        rebuild()
        db.session.commit()
        assert tables() == incremental
        assert any(row[1] == YEAR - 3 for row in incremental[0])


def test_rebuild_command_restores_the_tables(app, world) -> None:
    with app.app_context():
        generate(seed=3, per_opd=2)
        before = tables()
        db.session.execute(EmployeeYearSummary.__table__.delete())
        db.session.execute(UnitPeriodSummary.__table__.delete())
        db.session.commit()
        assert tables() == ([], [])
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summary", "rebuild", "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        this_year = tables()
        assert this_year[0] == [r for r in before[0] if r[1] == YEAR]
        assert this_year[1] == [r for r in before[1] if r[1] == YEAR]
    result = runner.invoke(args=["summary", "rebuild"])
    assert result.exit_code == 0 and "employee_year_summary:" in result.output
    with app.app_context():
        assert tables() == before


def test_rebuild_if_empty_builds_only_empty_tables(app, world) -> None:
    """After the upgrade that creates the tables on a database with records, ``--if-empty``
    fills them; once filled (or with nothing to summarise) it leaves them alone."""
    with app.app_context():
        generate(seed=5, per_opd=2)
        before = tables()
        db.session.execute(EmployeeYearSummary.__table__.delete())
        db.session.execute(UnitPeriodSummary.__table__.delete())
        db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["summary", "rebuild", "--if-empty"])
    assert result.exit_code == 0 and "employee_year_summary:" in result.output
    with app.app_context():
        assert tables() == before
    result = runner.invoke(args=["summary", "rebuild", "--if-empty"])
    assert "nothing to build" in result.output
