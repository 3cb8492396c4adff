"""The supervisor's dashboard reads of enrolments (issue 19): the team's enrolments read only the
reports whose rows can be shown, the waiting nominations as columns; each the same rows as the
plain way of reading them, in one query whatever the team's size."""

from __future__ import annotations

from datetime import timedelta

from lms.auth.models import User
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments import services, workflow
from lms.enrolments.models import Enrolment
from lms.enrolments.seats import OPEN_STATES
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.factories import make_course, make_employee
from tests.test_query_counts import count_queries

STATES = (*OPEN_STATES, "completed")


def _reference(boss_id: int, limit: int) -> list[tuple[int, int]]:
    """(employee id, enrolment id) of the first ``limit`` rows, read plainly and sorted here."""
    rows = db.session.execute(
        db.select(Enrolment.id, Enrolment.employee_id, Enrolment.requested_at, Employee.full_name)
        .join(Employee, Employee.id == Enrolment.employee_id)
        .where(
            Employee.supervisor_id == boss_id,
            Employee.is_active.is_(True),
            Enrolment.status.in_(STATES),
        )
    ).all()
    rows.sort(key=lambda r: (r.id,))
    rows.sort(key=lambda r: r.requested_at, reverse=True)
    rows.sort(key=lambda r: (r.full_name, r.employee_id))
    return [(r.employee_id, r.id) for r in rows[:limit]]


def _team(world, sizes: list[int], courses: list[int], start: int = 0) -> None:
    """Reports of atasan with ``sizes[i]`` enrolments each (some in states not shown)."""
    boss = db.session.get(Employee, world.employees["atasan"].id)
    seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
    now = utcnow()
    for i, size in enumerate(sizes, start):
        emp = make_employee(seksi, f"Anggota {i:04d}", boss)
        for j in range(size):
            status = ("active", "completed", "nominated", "waitlisted", "withdrawn")[j % 5]
            db.session.add(
                Enrolment(
                    course_id=courses[j],
                    employee_id=emp.id,
                    status=status,
                    progress=10 * j,
                    requested_at=now - timedelta(days=(i * 7 + j * 3) % 11),
                )
            )
        # someone inactive with enrolments never shows
        if i == 1:
            emp.is_active = False
    db.session.flush()


def test_team_enrolments_are_the_first_rows_in_order(app, world) -> None:
    with app.app_context():
        courses = [make_course(f"TIM-{k:02d}", title=f"Pelatihan {k}").id for k in range(9)]
        _team(world, [0, 3, 1, 7, 0, 2, 9, 1, 4, 5], courses)
        db.session.commit()
        user = db.session.get(User, world.users["atasan"].id)
        boss_id = world.employees["atasan"].id
        for limit in (1, 2, 3, 4, 5, 8, 11, 12, 21, 40):
            got = [(r.employee_id, r.id) for r in workflow.team_enrolments(user, limit=limit)]
            assert got == _reference(boss_id, limit), limit


def test_team_enrolments_one_query_at_10_and_1000_rows(app, world) -> None:
    with app.app_context():
        courses = [make_course(f"TIM-{k:02d}", title=f"Pelatihan {k}").id for k in range(10)]
        _team(world, [1] * 10, courses)
        db.session.commit()
        user = db.session.get(User, world.users["atasan"].id)
        _ = user.employee_id
        counts = []
        for grow in (0, 1):
            if grow:
                _team(world, [10] * 99, courses, start=10)
                db.session.commit()
                _ = user.employee_id
            with count_queries(app) as counter:
                rows = workflow.team_enrolments(user, limit=21)
                _ = [(r.display_name, r.title) for r in rows]
            counts.append(counter["n"])
            assert len(rows) == (9 if not grow else 21)  # one of the ten is inactive
        assert counts == [1, 1]


def test_waiting_nominations_are_the_queue_as_columns(app, world, courses) -> None:
    with app.app_context():
        boss = db.session.get(User, world.users["atasan"].id)
        siti = db.session.get(User, world.users["pegawai"].id)
        services.enrol_self(siti, db.session.get(Course, courses["USUL"]))  # waits for atasan
        services.enrol_self(siti, db.session.get(Course, courses["HRSTEP"]))  # for HR only
        services.enrol_self(boss, db.session.get(Course, courses["USUL"]))  # not his own queue
        db.session.commit()
        _ = boss.employee_id
        with count_queries(app) as counter:
            lines = workflow.supervisor_waiting(boss, 6)
            shown = [(x.approval_id, x.display_name, x.course_title) for x in lines]
        assert counter["n"] == 1
        queue = workflow.supervisor_queue(boss, limit=6)
        assert shown == [
            (
                i.approval.id,
                i.enrolment.employee.display_name,
                i.enrolment.course.published_version.title,
            )
            for i in queue
        ]
        assert [name for _id, name, _t in shown] == ["Siti Aminah"]  # atasan's own is not his
