"""The one seat machine and the one approval machine serve course enrolments and cohorts alike."""

from __future__ import annotations

from types import SimpleNamespace

from lms.auth.models import User
from lms.enrolments import approvals, seats
from lms.enrolments import services as enrolments
from lms.enrolments.cohorts import services as cohorts
from lms.extensions import db
from lms.org.models import Employee
from tests.enrolments.cohorts.builders import make_cohort, make_programme
from tests.factories import make_course


def test_steps_of_reads_the_setting_in_order() -> None:
    assert approvals.steps_of("supervisor,hr") == ["supervisor", "hr"]
    assert approvals.steps_of("hr") == ["hr"]
    assert approvals.steps_of("") == []
    assert approvals.steps_of(None) == []


def test_only_oneself_or_a_direct_report_may_be_nominated() -> None:
    boss = SimpleNamespace(employee_id=7)
    no_employee = SimpleNamespace(employee_id=None)
    me = SimpleNamespace(id=7, supervisor_id=3)
    report = SimpleNamespace(id=9, supervisor_id=7)
    stranger = SimpleNamespace(id=11, supervisor_id=5)
    assert approvals.may_nominate(boss, me)
    assert approvals.may_nominate(boss, report)
    assert not approvals.may_nominate(boss, stranger)
    assert not approvals.may_nominate(no_employee, SimpleNamespace(id=None, supervisor_id=None))


def test_a_full_course_and_a_full_cohort_count_seats_the_same_way(app, world) -> None:
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        first = db.session.get(Employee, world.employees["pegawai"].id)
        second = db.session.get(Employee, world.employees["atasan"].id)
        course = make_course("KURSI-1", capacity=1)
        cohort = make_cohort(make_programme("KURSI"), "KURSI-2026-I", approval_steps="", quota=1)

        assert enrolments.enrol_by_admin(hr, first, course).status == "active"
        assert enrolments.enrol_by_admin(hr, second, course).status == "waitlisted"
        assert cohorts.add_member(hr, cohort, first).status == "active"
        assert cohorts.add_member(hr, cohort, second).status == "waitlisted"

        for pool, parent in ((seats.COURSE, course), (seats.COHORT, cohort)):
            assert seats.taken(pool, parent) == 1
            assert seats.left(pool, parent) == 0
            assert seats.left_many(pool, [parent]) == {parent.id: 0}
            assert seats.counts(pool, [parent.id]) == {parent.id: {"active": 1, "waitlisted": 1}}

        # One more seat each: the head of each waitlist is promoted by the same function.
        course.capacity = 2
        cohort.quota = 2
        assert [e.employee_id for e in enrolments.promote_waitlist(course)] == [second.id]
        assert [m.employee_id for m in cohorts.promote_waitlist(cohort, hr)] == [second.id]
        assert seats.left(seats.COURSE, course) == 0
        assert seats.left(seats.COHORT, cohort) == 0
        db.session.rollback()
