"""Dashboard sections for supervisors and HR, and the state machine's refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import approvals, services, workflow
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.test_query_counts import count_queries


def _nominate_self(app, world, course_id: int) -> None:
    with app.app_context():
        user = db.session.get(User, world.users["pegawai"].id)
        services.enrol_self(user, db.session.get(Course, course_id))
        db.session.commit()
        db.session.remove()


def test_supervisor_dashboard_shows_waiting_nominations_and_team_progress(
    app, world, courses
) -> None:
    _nominate_self(app, world, courses["USUL"])
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        siti = db.session.get(Employee, world.employees["pegawai"].id)
        services.enrol_by_admin(hr, siti, db.session.get(Course, courses["OPEN"])).progress = 40
        db.session.commit()
        db.session.remove()
    boss = app.test_client()
    login(boss, "atasan")
    page = boss.get("/dasbor").get_data(as_text=True)
    assert "Usulan menunggu persetujuan Anda" in page
    waiting = page.split("Usulan menunggu persetujuan Anda")[1].split("</article>")[0]
    assert "Siti Aminah" in waiting and "Kepemimpinan Pelayanan" in waiting
    team = page.split("Pendaftaran tim saya</h2>")[1].split("</article>")[0]
    assert "Literasi Digital" in team and 'value="40"' in team and "40%" in team
    assert "Kepemimpinan Pelayanan" in team and "Menunggu persetujuan" in team

    # The team overview is one query, whatever the team's size.
    with app.app_context():
        user = db.session.get(User, world.users["atasan"].id)
        _ = user.employee_id
        with count_queries(app) as counter:
            rows = workflow.team_enrolments(user)
        assert counter["n"] == 1 and len(rows) == 2
        _ = [r.title for r in rows] + [r.display_name for r in rows]
        assert counter["n"] == 1
        db.session.remove()

    hr_client = app.test_client()
    login(hr_client, "bkpsdm")
    page = hr_client.get("/dasbor").get_data(as_text=True)
    assert "Persetujuan menunggu" in page and "Pendaftaran massal" in page
    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get("/dasbor").get_data(as_text=True)
    assert "Usulan menunggu persetujuan Anda" not in page and "Persetujuan menunggu" not in page


def test_hr_dashboard_counts_only_nominations_at_the_hr_step(app, world, courses) -> None:
    _nominate_self(app, world, courses["USUL"])  # still at the supervisor step
    hr = app.test_client()
    login(hr, "bkpsdm")
    section = hr.get("/dasbor").get_data(as_text=True).split("Persetujuan menunggu")[1]
    assert "<strong>0</strong>" in section.split("</article>")[0]
    _nominate_self(app, world, courses["HRSTEP"])
    section = hr.get("/dasbor").get_data(as_text=True).split("Persetujuan menunggu")[1]
    assert "<strong>1</strong>" in section.split("</article>")[0]
    assert "Manajemen Arsip" in section.split("</article>")[0]


# --- the state machine's refusals, without HTTP --------------------------------------------


@pytest.fixture
def ctx(app, world, courses):
    with app.app_context():
        yield {
            "pegawai": db.session.get(User, world.users["pegawai"].id),
            "atasan": db.session.get(User, world.users["atasan"].id),
            "admin": db.session.get(User, world.users["admin_sistem"].id),
            "bkpsdm": db.session.get(User, world.users["admin_bkpsdm"].id),
            **{k: db.session.get(Course, v) for k, v in courses.items()},
        }
        db.session.rollback()


def test_enrolling_twice_is_refused(ctx) -> None:
    services.enrol_self(ctx["pegawai"], ctx["OPEN"])
    with pytest.raises(services.EnrolmentError, match="sudah terdaftar di pelatihan ini"):
        services.enrol_self(ctx["pegawai"], ctx["OPEN"])
    with pytest.raises(
        services.EnrolmentError, match=r"sudah terdaftar di pelatihan ini \(aktif\)"
    ):
        services.enrol_by_admin(ctx["bkpsdm"], ctx["pegawai"].employee, ctx["OPEN"])


def test_enrolling_after_the_deadline_is_refused(ctx) -> None:
    ctx["OPEN"].enrol_deadline = local_today() - timedelta(days=1)
    with pytest.raises(services.EnrolmentError, match="Batas waktu pendaftaran sudah lewat."):
        services.enrol_self(ctx["pegawai"], ctx["OPEN"])
    # The last day itself is still open.
    ctx["OPEN"].enrol_deadline = local_today()
    assert services.enrol_self(ctx["pegawai"], ctx["OPEN"]).status == "active"


def test_ineligible_enrolments_are_refused(ctx) -> None:
    with pytest.raises(services.EnrolmentError, match="Hanya pegawai"):
        services.enrol_self(ctx["admin"], ctx["OPEN"])
    with pytest.raises(services.EnrolmentError, match="dilakukan oleh BKPSDM"):
        services.enrol_self(ctx["pegawai"], ctx["HRONLY"])
    with pytest.raises(services.EnrolmentError, match="dilakukan oleh BKPSDM"):
        workflow.nominate(ctx["atasan"], ctx["pegawai"].employee, ctx["HRONLY"])
    # A supervisor cannot nominate someone else's staff (the HR user is not in their team).
    with pytest.raises(services.EnrolmentError, match="bawahan langsung"):
        workflow.nominate(ctx["atasan"], ctx["bkpsdm"].employee, ctx["USUL"])


def test_approving_someone_elses_nomination_is_refused(ctx) -> None:
    enrolment = services.enrol_self(ctx["pegawai"], ctx["USUL"])
    step = approvals.pending_step(enrolment)
    for intruder in ("pegawai", "bkpsdm", "admin"):
        assert not approvals.can_decide(ctx[intruder], step)
        with pytest.raises(services.EnrolmentError):
            services.decide(ctx[intruder], step, approve=True)
    assert step.decision == "pending" and enrolment.status == "nominated"
    assert approvals.can_decide(ctx["atasan"], step)


def test_withdrawal_promotes_the_head_of_the_waitlist(ctx) -> None:
    ctx["OPEN"].capacity = 1
    first = services.enrol_by_admin(ctx["bkpsdm"], ctx["pegawai"].employee, ctx["OPEN"])
    second = services.enrol_by_admin(ctx["bkpsdm"], ctx["atasan"].employee, ctx["OPEN"])
    assert (first.status, second.status) == ("active", "waitlisted")
    services.withdraw(ctx["pegawai"], first, "Bertugas ke luar kota")
    assert (first.status, second.status) == ("withdrawn", "active")


def test_queue_and_deciders_follow_scope(ctx, world) -> None:
    enrolment = services.enrol_self(ctx["pegawai"], ctx["HRSTEP"])
    step = approvals.pending_step(enrolment)
    deciders = set(approvals.decider_ids(step))
    assert deciders == {world.users["admin_bkpsdm"].id, world.users["admin_opd"].id}
    opd = db.session.get(User, world.users["admin_opd"].id)
    items, total = workflow.hr_queue(opd)
    assert total == 1 and items[0].approval.id == step.id and items[0].by_self
    # An Admin OPD of another department neither sees nor is told about it.
    opd.admin_unit_id = world.units["disdik"].id
    db.session.flush()
    db.session.expire(opd)
    assert workflow.hr_queue(opd) == ([], 0)
    assert world.users["admin_opd"].id not in approvals.decider_ids(step)


def test_real_csrf_protects_the_decision(app, world, courses) -> None:
    _nominate_self(app, world, courses["USUL"])
    with app.app_context():
        step = approvals.pending_step(db.session.scalars(db.select(services.Enrolment)).one()).id
        db.session.remove()
    boss = app.test_client()
    login(boss, "atasan")
    url = f"/pendaftaran/persetujuan/{step}"
    assert boss.post(url, data={"approve": "Setujui"}).status_code == 400
    assert (
        boss.post(url, data={"approve": "Setujui", "csrf_token": csrf_token(boss, url)}).status_code
        == 302
    )
