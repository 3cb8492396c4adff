"""The demo shows the approval workflow (issue 15, point 8): after `demo load`, a demo course needs
the supervisor's and then HR's approval, and a nomination for it waits for `atasan` at the first
login; loading again adds nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select

from lms.content import load_content
from lms.courses.models import Course
from lms.enrolments.demo import DEMO_APPROVAL_COURSE, load_demo_nomination
from lms.enrolments.models import Approval, Enrolment
from lms.extensions import db
from lms.org.demo import DEMO_PASSWORD, load_demo
from tests.conftest import csrf_token, login

CONTENT = Path(__file__).resolve().parents[2] / "content" / "courses" / DEMO_APPROVAL_COURSE


def _pending_for_atasan() -> list[Approval]:
    from lms.auth.models import User
    from lms.org.models import Employee

    atasan = db.session.scalar(select(User).where(User.username == "atasan"))
    return list(
        db.session.scalars(
            select(Approval)
            .join(Enrolment, Enrolment.id == Approval.enrolment_id)
            .join(Employee, Employee.id == Enrolment.employee_id)
            .where(
                Approval.step == "supervisor",
                Approval.decision == "pending",
                Enrolment.status == "nominated",
                Employee.supervisor_id == atasan.employee_id,
            )
        )
    )


def test_demo_load_leaves_a_nomination_for_the_demo_supervisor(app) -> None:
    with app.app_context():
        load_demo()
        assert not load_content(CONTENT).errors
        assert load_demo_nomination() is True
        db.session.commit()
        course = db.session.scalar(select(Course).where(Course.code == DEMO_APPROVAL_COURSE))
        assert course.approval_steps == "supervisor,hr"
        pending = _pending_for_atasan()
        assert len(pending) == 1
        steps = [a.step for a in pending[0].enrolment.approvals]
        assert steps == ["supervisor", "hr"]
        nominee = pending[0].enrolment.employee.display_name
        # Idempotent: a second load nominates nobody else.
        load_demo()
        assert load_demo_nomination() is False
        db.session.commit()
        assert db.session.scalar(select(func.count(Enrolment.id))) == 1
        approval_id = pending[0].id
        db.session.remove()

    # atasan sees it on the first screen after logging in, and approves it; HR's step follows.
    client = app.test_client()
    login(client, "atasan", DEMO_PASSWORD)
    dashboard = client.get("/dasbor").get_data(as_text=True)
    waiting = dashboard.split("Usulan menunggu persetujuan Anda")[1].split("</article>")[0]
    assert nominee in waiting and f"/pendaftaran/persetujuan/{approval_id}" in waiting
    url = f"/pendaftaran/persetujuan/{approval_id}"
    response = client.post(
        url, data={"csrf_token": csrf_token(client, url), "comment": "", "approve": "Setujui"}
    )
    assert response.status_code == 302
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        assert enrolment.status == "nominated"
        assert [a.decision for a in enrolment.approvals] == ["approved", "pending"]
        db.session.remove()
    hr = app.test_client()
    login(hr, "bkpsdm", DEMO_PASSWORD)
    queue = hr.get("/dasbor").get_data(as_text=True).split("Persetujuan menunggu")[1]
    assert nominee in queue.split("</article>")[0]
