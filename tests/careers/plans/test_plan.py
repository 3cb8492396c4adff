"""Development plans: drafting, the direct supervisor's decision, items that tick themselves."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

import lms.careers.plans.consumer  # noqa: F401  (registers the "development_plan" consumer)
from lms.auth.models import AuditLog, User
from lms.careers.plans import services
from lms.careers.plans.models import DevelopmentPlan, PlanActivity
from lms.completion import consumers
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.db import utcnow
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee
from tests.careers.ledger_helpers import (
    TODAY,
    _many_logins,  # noqa: F401  (autouse fixture)
    csrf_of,
)
from tests.conftest import login
from tests.factories import make_course


@pytest.fixture
def course_id(app, world) -> int:
    with app.app_context():
        course = make_course("DATA-201", title="Analisis Data Kepegawaian")
        db.session.commit()
        return course.id


def _post(client, path: str, data: dict):
    token = csrf_of(client.get("/rencana").data)
    return client.post(path, data={**data, "csrf_token": token})


NEED = {
    "need-competency": "Analisis data kepegawaian",
    "need-kind": "teknis",
    "need-current_level": "2",
    "need-target_level": "4",
    "need-reason": "skp_result",
    "need-note": "Hasil kerja di bawah ekspektasi pada triwulan II.",
}


def _plan(app, employee_id: int) -> DevelopmentPlan:
    with app.app_context():
        plan = db.session.scalar(
            select(DevelopmentPlan).where(DevelopmentPlan.employee_id == employee_id)
        )
        if plan is not None:
            _ = [plan.needs, plan.activities]
            db.session.expunge_all()
        return plan


def _draft_and_submit(app, client, course_id: int) -> int:
    login(client, "pegawai")
    assert _post(client, "/rencana/kebutuhan", NEED).status_code == 302
    page = client.get("/rencana").data.decode()
    assert "Analisis data kepegawaian" in page
    assert "Analisis Data Kepegawaian" in page  # suggested from the catalogue
    plan = _plan(app, _employee(app, "pegawai"))
    response = _post(
        client,
        "/rencana/kegiatan",
        {
            "act-kind": "course",
            "act-course_id": str(course_id),
            "act-need_id": str(plan.needs[0].id),
            "act-deadline": f"{TODAY.year}-12-31",
        },
    )
    assert response.status_code == 302, response.data[-1500:]
    assert _post(client, "/rencana/ajukan", {}).status_code == 302
    return plan.id


def _employee(app, username: str) -> int:
    with app.app_context():
        return db.session.scalar(select(User.employee_id).where(User.username == username))


def test_bad_need_and_activity_show_messages_and_write_nothing(
    app, client, world, course_id
) -> None:
    login(client, "pegawai")
    response = _post(client, "/rencana/kebutuhan", {**NEED, "need-target_level": "1"})
    assert response.status_code == 422
    assert "Level target tidak boleh di bawah level saat ini" in response.data.decode()
    response = _post(client, "/rencana/kegiatan", {"act-kind": "other", "act-target_jp": "0"})
    assert response.status_code == 422
    body = response.data.decode()
    assert "Jelaskan bentuk kegiatan lainnya" in body and "Target JP harus lebih dari 0" in body
    assert _plan(app, world.employees["pegawai"].id) is None
    # Submitting an empty plan is refused with a message.
    response = _post(client, "/rencana/ajukan", {})
    assert response.status_code == 302
    assert "Susun rencana" in client.get("/rencana").data.decode()


def test_supervisor_agrees_the_plan(app, client, world, course_id) -> None:
    plan_id = _draft_and_submit(app, client, course_id)
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert plan.status == "submitted" and plan.submitted_at is not None
        assert plan.activities[0].target_jp == 4  # the course's JP when left empty
        assert db.session.scalar(
            select(Notification).where(Notification.user_id == world.users["atasan"].id)
        )
    # Submitted: the employee can no longer change it.
    response = _post(client, "/rencana/kebutuhan", NEED)
    assert response.status_code == 302
    assert "tidak dapat diubah" in client.get("/rencana").data.decode()

    boss = app.test_client()
    login(boss, "atasan")
    assert f"/tim/rencana/{plan_id}" in boss.get("/tim/jp").data.decode()
    page = boss.get(f"/tim/rencana/{plan_id}")
    assert page.status_code == 200 and "Analisis data kepegawaian" in page.data.decode()
    token = csrf_of(page.data)
    response = boss.post(
        f"/tim/rencana/{plan_id}",
        data={"csrf_token": token, "agree": "Setujui rencana", "comment": "Lanjutkan."},
    )
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert plan.status == "agreed" and plan.agreed_by_id == world.users["atasan"].id
        assert plan.supervisor_comment == "Lanjutkan."
        log = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "DevelopmentPlan"))
        assert log.before == {"status": "submitted"} and log.after["status"] == "agreed"
    assert "Disetujui" in client.get("/rencana").data.decode()


def test_supervisor_returns_with_comment_then_employee_resubmits(
    app, client, world, course_id
) -> None:
    plan_id = _draft_and_submit(app, client, course_id)
    boss = app.test_client()
    login(boss, "atasan")
    token = csrf_of(boss.get(f"/tim/rencana/{plan_id}").data)
    response = boss.post(
        f"/tim/rencana/{plan_id}", data={"csrf_token": token, "send_back": "1", "comment": ""}
    )
    assert response.status_code == 422
    assert "Tuliskan catatan perbaikan" in response.data.decode()
    response = boss.post(
        f"/tim/rencana/{plan_id}",
        data={"csrf_token": token, "send_back": "1", "comment": "Tambahkan kegiatan manajerial."},
    )
    assert response.status_code == 302
    page = client.get("/rencana").data.decode()
    assert "Tambahkan kegiatan manajerial." in page and "Dikembalikan" in page
    # Returned plans can be edited and submitted again.
    response = _post(
        client,
        "/rencana/kegiatan",
        {
            "act-kind": "other",
            "act-other_text": "Coaching oleh atasan",
            "act-jenis_diklat_code": "14",
            "act-target_jp": "2,5",
        },
    )
    assert response.status_code == 302
    assert _post(client, "/rencana/ajukan", {}).status_code == 302
    with app.app_context():
        plan = db.session.get(DevelopmentPlan, plan_id)
        assert plan.status == "submitted" and len(plan.activities) == 2


def test_only_the_direct_supervisor_decides(app, client, world, course_id) -> None:
    plan_id = _draft_and_submit(app, client, course_id)
    with app.app_context():
        # Dewi supervises Rahmat (atasan), so she is Siti's supervisor's supervisor, not Siti's.
        rahmat = db.session.get(Employee, world.employees["atasan"].id)
        rahmat.supervisor_id = world.employees["disdik"].id
        db.session.commit()
    indirect = app.test_client()
    login(indirect, "target.user")
    assert indirect.get(f"/tim/rencana/{plan_id}").status_code == 404
    token = csrf_of(indirect.get("/rencana").data)
    response = indirect.post(f"/tim/rencana/{plan_id}", data={"csrf_token": token, "agree": "1"})
    assert response.status_code == 404
    with app.app_context():
        assert db.session.get(DevelopmentPlan, plan_id).status == "submitted"
        indirect_user = db.session.get(User, world.users["target"].id)
        with pytest.raises(services.CareerError):
            services.decide_plan(db.session.get(DevelopmentPlan, plan_id), indirect_user, True)


def _complete(app, employee_id: int, course_id: int) -> int:
    with app.app_context():
        done = completion.complete_course(
            db.session.get(Employee, employee_id),
            db.session.get(Course, course_id),
            completed_at=utcnow(),
            score=88,
            source="online",
        )
        db.session.commit()
        consumers.dispatch()
        return done.id


def test_item_ticks_itself_when_the_linked_course_completes(app, client, world, course_id) -> None:
    plan_id = _draft_and_submit(app, client, course_id)
    employee_id = world.employees["pegawai"].id
    completion_id = _complete(app, employee_id, course_id)
    with app.app_context():
        activity = db.session.scalar(select(PlanActivity).where(PlanActivity.plan_id == plan_id))
        assert activity.done_at is not None and activity.completion_id == completion_id
        done_at = activity.done_at
        # Replaying changes nothing.
        consumers.replay("development_plan", 0)
        consumers.dispatch()
        assert db.session.get(PlanActivity, activity.id).done_at == done_at
    assert re.search(r"Selesai \d", client.get("/rencana").data.decode())
    # A revocation unticks exactly that item.
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        completion.revoke(db.session.get(Completion, completion_id), hr, "Salah input")
        db.session.commit()
        consumers.dispatch()
        activity = db.session.scalar(select(PlanActivity).where(PlanActivity.plan_id == plan_id))
        assert activity.done_at is None and activity.completion_id is None


def test_activity_for_a_course_already_completed_ticks_at_once(
    app, client, world, course_id
) -> None:
    _complete(app, world.employees["pegawai"].id, course_id)
    login(client, "pegawai")
    response = _post(
        client, "/rencana/kegiatan", {"act-kind": "course", "act-course_id": str(course_id)}
    )
    assert response.status_code == 302
    with app.app_context():
        activity = db.session.scalar(select(PlanActivity))
        assert activity.done_at is not None and activity.completion_id is not None
