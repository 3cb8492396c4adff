"""Completions become follow-ups through the completion outbox: due dates, the setting per course
or programme, programme courses followed up with their programme, revocation, replays."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.completion import consumers
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeCourse
from lms.evaluations.followup import rules, services
from lms.evaluations.followup.models import Followup, FollowupSetting
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.evaluations.followup.conftest import COURSE, complete, months_ago, noon
from tests.factories import make_course


def _count() -> int:
    return db.session.scalar(select(func.count(Followup.id))) or 0


def test_a_completion_is_followed_up_three_months_later(app, world) -> None:
    with app.app_context():
        today = local_today()
        followup_id = complete(world.employees["pegawai"].id)
        followup = db.session.get(Followup, followup_id)
        assert followup.completed_on == today
        assert followup.months == 3
        assert followup.due_on == rules.add_months(today, 3)
        assert followup.closes_on == followup.due_on + timedelta(days=rules.CLOSE_AFTER_DAYS)
        assert followup.code == COURSE and followup.title == f"Pelatihan {COURSE}"
        assert followup.unit_id == world.units["dinkes"].id  # the OPD at completion
        assert services.state_of(followup, "alumnus") == "waiting"
        # Replaying the outbox (a crash, a duplicate delivery) schedules nothing twice.
        consumers.replay("post_training", 0)
        consumers.dispatch()
        assert _count() == 1


def test_the_setting_of_the_course_decides_and_moves_waiting_followups(app, world) -> None:
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        followup_id = complete(world.employees["pegawai"].id)
        course_id = db.session.scalar(select(Course.id).where(Course.code == COURSE))
        today = local_today()
        assert services.save_setting(course_id=course_id, months=6, enabled=True, by=hr) == 1
        db.session.commit()
        followup = db.session.get(Followup, followup_id)
        assert (followup.months, followup.due_on) == (6, rules.add_months(today, 6))
        # Switched off: the waiting follow-up is put aside, a new completion not scheduled.
        services.save_setting(course_id=course_id, months=6, enabled=False, by=hr)
        db.session.commit()
        assert followup.status == "cancelled" and followup.cancel_reason == "disabled"
        assert complete(world.employees["atasan"].id) is None
        # On again: it comes back, with the new months.
        services.save_setting(course_id=course_id, months=2, enabled=True, by=hr)
        db.session.commit()
        assert followup.status == "scheduled" and followup.cancel_reason is None
        assert followup.due_on == rules.add_months(today, 2)
        setting = db.session.scalar(select(FollowupSetting))
        assert (setting.months, setting.enabled, setting.updated_by_id) == (2, True, hr.id)
        with pytest.raises(services.FollowupError, match="1 sampai 24 bulan"):
            services.save_setting(course_id=course_id, months=25, enabled=True, by=hr)


def test_an_opened_followup_keeps_its_dates_when_the_setting_changes(app, world) -> None:
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        followup_id = complete(world.employees["pegawai"].id, on=months_ago(3))
        due = db.session.get(Followup, followup_id).due_on
        course_id = db.session.scalar(select(Course.id).where(Course.code == COURSE))
        assert services.save_setting(course_id=course_id, months=1, enabled=False, by=hr) == 0
        db.session.commit()
        followup = db.session.get(Followup, followup_id)
        assert (followup.due_on, followup.status) == (due, "scheduled")


def test_history_whose_questionnaire_would_be_closed_is_not_scheduled(app, world) -> None:
    with app.app_context():
        long_ago = noon(local_today() - timedelta(days=400))
        assert complete(world.employees["pegawai"].id, on=long_ago) is None
        assert _count() == 0


def test_revocation_cancels_the_followup(app, world) -> None:
    with app.app_context():
        followup_id = complete(world.employees["pegawai"].id, on=months_ago(3))
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        done = db.session.scalar(select(Completion))
        completion.revoke(done, hr, "Data kehadiran salah")
        db.session.commit()
        consumers.dispatch()
        followup = db.session.get(Followup, followup_id)
        assert (followup.status, followup.cancel_reason) == ("cancelled", "revoked")
        assert services.state_of(followup, "alumnus") == "cancelled"


def test_a_programme_is_followed_up_once_not_per_course(app, world) -> None:
    """Courses completed in a programme's cohort are followed up with the programme (each
    piece of learning once); the programme's own setting gives its months."""
    with app.app_context():
        today = local_today()
        first, second = make_course("PROG-A"), make_course("PROG-B")
        programme = Programme(code="LATIHPROG", title="Program Latihan Kepemimpinan")
        programme.courses = [
            ProgrammeCourse(course_id=first.id, position=0),
            ProgrammeCourse(course_id=second.id, position=1),
        ]
        db.session.add(programme)
        db.session.flush()
        cohort = Cohort(
            programme=programme,
            code="LATIHPROG-I",
            name="Angkatan I",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=30),
            quota=10,
        )
        db.session.add(cohort)
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        db.session.add(
            member := CohortMember(
                cohort=cohort, employee=employee, status="active", source="admin"
            )
        )
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        services.save_setting(programme_id=programme.id, months=6, enabled=True, by=hr)
        db.session.commit()
        for course in (first, second):
            completion.complete_course(
                employee, course, completed_at=noon(today), score=90, source="online"
            )
        db.session.commit()
        consumers.dispatch()
        # The courses are part of the programme: no follow-up of their own.
        assert db.session.scalars(select(Followup)).all() == []
        # The programme completes when its organiser closes the cohort (issue 17).
        completion.complete_programme(
            member, completed_at=noon(today), score=Decimal(88), jp=Decimal(40), organiser="BKPSDM"
        )
        db.session.commit()
        consumers.dispatch()
        [followup] = db.session.scalars(select(Followup)).all()
        assert followup.programme_id == programme.id and followup.course_id is None
        assert followup.code == "LATIHPROG"
        assert (followup.months, followup.due_on) == (6, rules.add_months(today, 6))


def test_a_programme_course_outside_its_cohort_counts_on_its_own(app, world) -> None:
    with app.app_context():
        course = make_course("SENDIRI-1")
        programme = Programme(code="PROGX", title="Program X")
        programme.courses = [ProgrammeCourse(course_id=course.id, position=0)]
        db.session.add(programme)
        db.session.commit()
        followup_id = complete(world.employees["pegawai"].id, code="SENDIRI-1")
        assert db.session.get(Followup, followup_id).course_id == course.id


def test_a_completion_late_in_the_utc_day_is_followed_up_from_the_local_day(app, world) -> None:
    """20:00 UTC is 03:00 WIB the next day: the follow-up counts from the local day."""
    with app.app_context():
        today = local_today()
        yesterday = today - timedelta(days=1)
        late = datetime(yesterday.year, yesterday.month, yesterday.day, 20, 0, tzinfo=UTC)
        followup = db.session.get(Followup, complete(world.employees["pegawai"].id, on=late))
        assert followup.completed_on == today
        assert followup.due_on == rules.add_months(today, 3)
        assert isinstance(followup.due_on, date)
