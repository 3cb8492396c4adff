"""Completion as it happens: rules judged on the event, record + certificate + outbox together."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.careers.records.models import LearningRecord
from lms.certificates.models import Certificate
from lms.completion import consumers
from lms.completion import services as completion
from lms.completion.models import Completion, OutboxEvent
from lms.enrolments.cohorts.models import CohortMember, Programme, ProgrammeCourse
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.completion.builders import (
    course_with_posttest,
    do_lessons,
    enrol,
    evaluate_course,
    take_posttest,
)


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.rollback()


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_the_last_rule_met_completes_with_certificate_and_event(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    course, quiz, question = course_with_posttest()
    enrolment = enrol(course, employee)
    do_lessons(enrolment, course)
    take_posttest(quiz, question, employee)
    assert _count(Completion) == 0  # the evaluation is still missing
    assert completion.missing_labels(completion.explain(enrolment)) == [
        "Isi evaluasi penyelenggaraan."
    ]
    evaluate_course(enrolment)

    record = db.session.scalar(select(Completion))
    assert record.status == "valid" and record.source == "online"
    assert record.score == 100 and record.jp == 4 and record.year == record.completed_at.year
    assert record.identity["nip"] == employee.nip and record.identity["opd"] == "Dinas Kesehatan"
    assert enrolment.status == "completed" and enrolment.completed_at is not None
    certificate = db.session.scalar(select(Certificate))
    assert certificate.status == "issued"
    assert certificate.number == f"0001/STTP/BKPSDM/{certificate.year}"
    assert certificate.fields["jp_words"] == "4 (empat) jam pelajaran"
    assert certificate.fields["nip"] == employee.nip
    assert certificate.fields["subjects"] == [{"title": "Modul 1", "jp": "4"}]
    event = db.session.scalar(select(OutboxEvent))
    assert event.type == "completion.created"
    assert event.payload["certificate_number"] == certificate.number
    assert event.payload["course_code"] == "SELESAI-101" and event.payload["jp"] == 4.0


def test_failing_then_passing_the_post_test(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    course, quiz, question = course_with_posttest(require_evaluation=False)
    enrolment = enrol(course, employee)
    do_lessons(enrolment, course)
    take_posttest(quiz, question, employee, right=False)
    assert completion.missing_labels(completion.explain(enrolment)) == ["Lulus Post-test."]
    assert _count(Completion) == 0
    take_posttest(quiz, question, employee, right=True)  # grading "highest" by default
    assert _count(Completion) == 1 and enrolment.status == "completed"


def test_judging_again_changes_nothing(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    course, quiz, question = course_with_posttest(require_evaluation=False)
    enrolment = enrol(course, employee)
    do_lessons(enrolment, course)
    take_posttest(quiz, question, employee)
    first = completion.evaluate(enrolment)
    again = completion.evaluate(enrolment)
    assert first.id == again.id
    assert (_count(Completion), _count(Certificate), _count(OutboxEvent)) == (1, 1, 1)


def test_identity_is_a_snapshot(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["atasan"].id)
    course, quiz, question = course_with_posttest(require_evaluation=False, require_lessons=False)
    enrol(course, employee)
    take_posttest(quiz, question, employee)
    employee.golongan_code = "IV/a"
    employee.position_name = "Kepala Bidang"
    db.session.flush()
    record = db.session.scalar(select(Completion))
    certificate = db.session.scalar(select(Certificate))
    assert record.identity["golongan"] == "III/d" and record.identity["jabatan"] == "Kepala Seksi"
    assert certificate.fields["pangkat_golongan"] == "Penata Tingkat I (III/d)"


def test_revocation_revokes_certificate_writes_event_and_reopens(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    course, quiz, question = course_with_posttest(require_evaluation=False)
    enrolment = enrol(course, employee)
    do_lessons(enrolment, course)
    take_posttest(quiz, question, employee)
    record = db.session.scalar(select(Completion))
    with pytest.raises(completion.CompletionError, match="Alasan"):
        completion.revoke(record, hr, "  ")
    completion.revoke(record, hr, "Nilai post-test tidak sah")
    certificate = db.session.scalar(select(Certificate))
    assert record.status == "revoked" and record.revoke_reason == "Nilai post-test tidak sah"
    assert certificate.status == "revoked" and certificate.revoke_reason
    types = db.session.scalars(select(OutboxEvent.type).order_by(OutboxEvent.seq)).all()
    assert types == ["completion.created", "completion.revoked"]
    assert enrolment.status == "active"
    # Completing again gives a new record and a new certificate number.
    again = completion.evaluate(enrolment)
    assert again is not None and again.id != record.id
    numbers = db.session.scalars(select(Certificate.number).order_by(Certificate.id)).all()
    assert len(set(numbers)) == 2


def test_classroom_completion_refuses_bad_input(ctx, world) -> None:
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    course, _quiz, _question = course_with_posttest()
    with pytest.raises(completion.CompletionError, match="antara 0 dan 100"):
        completion.record_classroom(employee, course, completed_on=local_today(), score=101, by=hr)
    with pytest.raises(completion.CompletionError, match="masa depan"):
        completion.record_classroom(
            employee, course, completed_on=date(2999, 1, 1), score=None, by=hr
        )
    made = completion.record_classroom(
        employee, course, completed_on=date(2026, 3, 2), score=88, by=hr
    )
    assert made.source == "classroom" and made.year == 2026 and made.recorded_by_id == hr.id
    with pytest.raises(completion.CompletionError, match="sudah tercatat"):
        completion.record_classroom(employee, course, completed_on=local_today(), score=None, by=hr)


def test_a_programme_never_completes_because_its_courses_do(ctx, world) -> None:
    """Issue 17: only the organiser's closing of a cohort completes a programme
    (tests/completion/closing); every course done adds no programme record nor certificate."""
    employee = db.session.get(Employee, world.employees["pegawai"].id)
    hr = db.session.get(User, world.users["admin_bkpsdm"].id)
    first, _, _ = course_with_posttest("PKP-A")
    second, _, _ = course_with_posttest("PKP-B")
    programme = Programme(code="PKP", title="Pelatihan Kepemimpinan Pengawas")
    programme.courses = [ProgrammeCourse(course_id=first.id), ProgrammeCourse(course_id=second.id)]
    db.session.add(programme)
    db.session.flush()
    completion.record_classroom(employee, first, completed_on=date(2026, 5, 1), score=80, by=hr)
    completion.record_classroom(employee, second, completed_on=date(2026, 6, 1), score=90, by=hr)
    assert _count(Completion, Completion.programme_id.is_not(None)) == 0
    assert _count(Completion) == 2
    assert _count(Certificate) == 2
    assert _count(CohortMember) == 0


def test_outbox_consumers_are_idempotent(app, world) -> None:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        course, _, _ = course_with_posttest()
        made = completion.record_classroom(
            employee, course, completed_on=date(2026, 4, 1), score=75, by=hr
        )
        db.session.commit()
        consumers.dispatch()
        consumers.dispatch()
        assert consumers.replay("learning_record", 0) == 0  # every event id seen already
        records = db.session.scalars(select(LearningRecord)).all()
        assert len(records) == 1 and records[0].status == "verified" and records[0].jp == 4
        assert records[0].year == 2026 and records[0].siasn_type == "kursus"
        completion.revoke(db.session.get(Completion, made.id), hr, "Salah input")
        db.session.commit()
        consumers.dispatch()
        consumers.replay("learning_record", 0)
        assert [r.status for r in db.session.scalars(select(LearningRecord))] == ["removed"]
