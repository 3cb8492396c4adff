"""Nomination and approval through the HTTP client: supervisor, then HR, refusals, bad input."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.conftest import csrf_token, login
from tests.enrolments.conftest import (
    enrolment_of,
    flashes,
    notifications_of,
    pending_approval_id,
)
from tests.factories import make_employee, make_user

NOMINATE = "/pendaftaran/usulkan"


def _nominate(client, employee_id: int, course_id: int):
    token = csrf_token(client, NOMINATE)
    return client.post(
        NOMINATE, data={"csrf_token": token, "employee_id": employee_id, "course_id": course_id}
    )


def _decide(client, approval_id: int, approve: bool, comment: str = ""):
    url = f"/pendaftaran/persetujuan/{approval_id}"
    token = csrf_token(client, url)
    button = {"approve": "Setujui"} if approve else {"reject": "Tolak"}
    return client.post(url, data={"csrf_token": token, "comment": comment, **button})


def _count_enrolments(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count(Enrolment.id)))
        db.session.remove()
    return n


def test_self_nomination_goes_supervisor_then_hr_then_active(app, world, courses) -> None:
    pegawai, atasan = world.employees["pegawai"], world.employees["atasan"]
    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get(NOMINATE).get_data(as_text=True)
    assert "Ajukan usulan pelatihan" in page and "Kepemimpinan Pelayanan" in page
    response = _nominate(employee, pegawai.id, courses["USUL"])
    assert response.status_code == 302
    done = employee.get(response.headers["Location"]).get_data(as_text=True)
    assert "menunggu persetujuan atasan langsung" in " ".join(flashes(done))
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    assert row.status == "nominated" and row.source == "nomination"
    assert [(a.step, a.decision) for a in row.approvals] == [
        ("supervisor", "pending"),
        ("hr", "pending"),
    ]
    step_id = pending_approval_id(app, courses["USUL"], pegawai.id)
    # The supervisor is told, with a link to the decision page.
    told = notifications_of(app, world.users["atasan"].id)
    assert any(link == f"/pendaftaran/persetujuan/{step_id}" for _m, link in told)

    boss = app.test_client()
    login(boss, "atasan")
    queue = boss.get("/pendaftaran/persetujuan").get_data(as_text=True)
    assert "Usulan menunggu persetujuan Anda" in queue and "Siti Aminah" in queue
    assert "pegawai sendiri" in queue
    detail = boss.get(f"/pendaftaran/persetujuan/{step_id}").get_data(as_text=True)
    assert "Kepemimpinan Pelayanan" in detail and world.employees["pegawai"].nip_display in detail
    response = _decide(boss, step_id, approve=True, comment="Sesuai rencana pengembangan.")
    assert response.status_code == 302
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    assert row.status == "nominated"
    assert [a.decision for a in row.approvals] == ["approved", "pending"]
    assert row.approvals[0].comment == "Sesuai rencana pengembangan."
    assert "Tinjau Siti Aminah" not in boss.get("/pendaftaran/persetujuan").get_data(as_text=True)
    # HR in scope is told now: every Admin BKPSDM and the Admin OPD of Dinas Kesehatan.
    hr_step = pending_approval_id(app, courses["USUL"], pegawai.id)
    for who in ("admin_bkpsdm", "admin_opd"):
        links = [link for _m, link in notifications_of(app, world.users[who].id)]
        assert f"/pendaftaran/persetujuan/{hr_step}" in links, who

    hr = app.test_client()
    login(hr, "bkpsdm")
    queue = hr.get("/pendaftaran/persetujuan").get_data(as_text=True)
    assert "Persetujuan BKPSDM / Admin OPD" in queue and "Siti Aminah" in queue
    response = _decide(hr, hr_step, approve=True)
    assert response.status_code == 302
    assert enrolment_of(app, courses["USUL"], pegawai.id).status == "active"
    messages = [m for m, _link in notifications_of(app, world.users["pegawai"].id)]
    assert any("Anda terdaftar di pelatihan Kepemimpinan Pelayanan" in m for m in messages)
    assert atasan.id != pegawai.id


def test_supervisor_nominates_a_report_and_admin_opd_confirms(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    boss = app.test_client()
    login(boss, "atasan")
    page = boss.get(NOMINATE).get_data(as_text=True)
    assert "Usulkan bawahan" in page and "Budi Santoso" in page
    assert _nominate(boss, pegawai.id, courses["USUL"]).status_code == 302
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    # The supervisor's own nomination counts as their approval.
    assert [a.decision for a in row.approvals] == ["approved", "pending"]
    assert "Siti Aminah" in boss.get(NOMINATE).get_data(as_text=True)  # "Usulan terbaru"
    opd = app.test_client()
    login(opd, "opd.dinkes")
    assert (
        _decide(opd, pending_approval_id(app, courses["USUL"], pegawai.id), True).status_code == 302
    )
    assert enrolment_of(app, courses["USUL"], pegawai.id).status == "active"


def test_supervisor_nomination_on_an_open_course_enrols_at_once(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    boss = app.test_client()
    login(boss, "atasan")
    response = _nominate(boss, pegawai.id, courses["OPEN"])
    assert response.status_code == 302
    assert enrolment_of(app, courses["OPEN"], pegawai.id).status == "active"
    messages = [m for m, _l in notifications_of(app, world.users["pegawai"].id)]
    assert any("Anda terdaftar di pelatihan Literasi Digital" in m for m in messages)


def test_last_approval_waitlists_when_the_course_is_full(app, world, courses) -> None:
    with app.app_context():
        from lms.courses.models import Course

        db.session.get(Course, courses["HRSTEP"]).capacity = 1
        db.session.commit()
        db.session.remove()
    boss = app.test_client()
    login(boss, "atasan")
    pegawai = world.employees["pegawai"]
    with app.app_context():
        budi = db.session.scalar(select(Employee.id).where(Employee.full_name == "Budi Santoso"))
        db.session.remove()
    for emp_id in (pegawai.id, budi):
        assert _nominate(boss, emp_id, courses["HRSTEP"]).status_code == 302
    hr = app.test_client()
    login(hr, "bkpsdm")
    for emp_id in (pegawai.id, budi):
        assert (
            _decide(hr, pending_approval_id(app, courses["HRSTEP"], emp_id), True).status_code
            == 302
        )
    assert enrolment_of(app, courses["HRSTEP"], pegawai.id).status == "active"
    assert enrolment_of(app, courses["HRSTEP"], budi).status == "waitlisted"


def test_reject_needs_a_reason_then_ends_the_nomination(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    employee = app.test_client()
    login(employee, "pegawai")
    _nominate(employee, pegawai.id, courses["USUL"])
    step_id = pending_approval_id(app, courses["USUL"], pegawai.id)
    boss = app.test_client()
    login(boss, "atasan")
    response = _decide(boss, step_id, approve=False, comment="   ")
    assert response.status_code == 422
    assert "Tuliskan alasan penolakan." in response.get_data(as_text=True)
    assert enrolment_of(app, courses["USUL"], pegawai.id).status == "nominated"
    nothing = boss.post(
        f"/pendaftaran/persetujuan/{step_id}",
        data={"csrf_token": csrf_token(boss, f"/pendaftaran/persetujuan/{step_id}")},
    )
    assert nothing.status_code == 422 and "Pilih Setujui atau Tolak." in nothing.get_data(
        as_text=True
    )
    response = _decide(boss, step_id, approve=False, comment="Beban kerja akhir tahun.")
    assert response.status_code == 302
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    assert row.status == "rejected" and row.end_reason == "Beban kerja akhir tahun."
    messages = [m for m, _l in notifications_of(app, world.users["pegawai"].id)]
    assert any("ditolak" in m for m in messages)
    # Deciding again is refused clearly and changes nothing.
    again = _decide(boss, step_id, approve=True)
    assert again.status_code == 302
    text = boss.get(again.headers["Location"]).get_data(as_text=True)
    assert "tidak sedang menunggu keputusan Anda" in text
    assert enrolment_of(app, courses["USUL"], pegawai.id).status == "rejected"
    # After a rejection the employee may be nominated again.
    assert _nominate(employee, pegawai.id, courses["USUL"]).status_code == 302
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    assert row.status == "nominated"
    assert [a.decision for a in row.approvals] == ["pending", "pending"]


def test_deciding_someone_elses_nomination_is_refused(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    with app.app_context():
        disdik = db.session.get(Unit, world.units["disdik"].id)
        other_boss = make_employee(disdik, "Hendra Gunawan", position_name="Kepala Seksi")
        make_employee(disdik, "Lina Marlina", other_boss)
        make_user("atasan.lain", employee=other_boss)
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")
    _nominate(employee, pegawai.id, courses["USUL"])
    step_id = pending_approval_id(app, courses["USUL"], pegawai.id)

    for username in ("atasan.lain", "pegawai", "bkpsdm", "opd.dinkes"):
        client = app.test_client()
        login(client, username)
        # pegawai may not decide at all (403); the others may, only not this step (as if missing).
        refused = 403 if username == "pegawai" else 404
        assert client.get(f"/pendaftaran/persetujuan/{step_id}").status_code == refused, username
        forged = client.post(
            f"/pendaftaran/persetujuan/{step_id}",
            data={"csrf_token": csrf_token(client, "/pemberitahuan"), "approve": "Setujui"},
        )
        assert forged.status_code == refused, username
        queue = client.get("/pendaftaran/persetujuan")
        assert "Siti Aminah" not in queue.get_data(as_text=True), username
    row = enrolment_of(app, courses["USUL"], pegawai.id)
    assert row.status == "nominated" and [a.decision for a in row.approvals] == [
        "pending",
        "pending",
    ]

    # HR may not jump the queue: the HR step waits until the supervisor has agreed.
    with app.app_context():
        from lms.enrolments.models import Approval

        hr_step = db.session.scalar(
            select(Approval.id).where(Approval.step == "hr", Approval.decision == "pending")
        )
        db.session.remove()
    hr = app.test_client()
    login(hr, "bkpsdm")
    early = _decide(hr, hr_step, approve=True)
    assert early.status_code == 302
    assert "tidak sedang menunggu keputusan Anda" in hr.get(early.headers["Location"]).get_data(
        as_text=True
    )
    assert enrolment_of(app, courses["USUL"], pegawai.id).status == "nominated"


def test_admin_opd_cannot_decide_outside_their_department(app, world, courses) -> None:
    teacher = world.employees["disdik"]  # Dinas Pendidikan, outside opd.dinkes's scope
    with app.app_context():
        from lms.courses.models import Course
        from lms.enrolments import approvals, services

        user = db.session.get(User, world.users["target"].id)
        enrolment = services.enrol_self(user, db.session.get(Course, courses["HRSTEP"]))
        step_id = approvals.pending_step(enrolment).id
        db.session.commit()
        db.session.remove()
    opd = app.test_client()
    login(opd, "opd.dinkes")
    assert "Dewi Lestari" not in opd.get("/pendaftaran/persetujuan").get_data(as_text=True)
    assert _decide(opd, step_id, approve=True).status_code == 404
    assert enrolment_of(app, courses["HRSTEP"], teacher.id).status == "nominated"
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert "Dewi Lestari" in hr.get("/pendaftaran/persetujuan").get_data(as_text=True)


def test_nominating_twice_is_refused_and_changes_nothing(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    employee = app.test_client()
    login(employee, "pegawai")
    assert _nominate(employee, pegawai.id, courses["USUL"]).status_code == 302
    before = _count_enrolments(app)
    again = _nominate(employee, pegawai.id, courses["USUL"])
    assert again.status_code == 422
    text = again.get_data(as_text=True)
    assert "sudah terdaftar di pelatihan ini (menunggu persetujuan)" in text
    assert _count_enrolments(app) == before


def test_nominating_after_the_deadline_is_refused(app, world, courses) -> None:
    employee = app.test_client()
    login(employee, "pegawai")
    response = _nominate(employee, world.employees["pegawai"].id, courses["LATE"])
    assert response.status_code == 422
    assert "Batas waktu pendaftaran sudah lewat." in response.get_data(as_text=True)
    assert _count_enrolments(app) == 0


def test_ineligible_nominations_are_refused(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    boss = app.test_client()
    login(boss, "atasan")
    # A course that only BKPSDM enrols: a supervisor's nomination would bypass HR.
    response = _nominate(boss, pegawai.id, courses["HRONLY"])
    assert response.status_code == 422
    assert "Pendaftaran pelatihan ini dilakukan oleh BKPSDM." in response.get_data(as_text=True)
    # Someone who is not a direct report (a forged id).
    response = _nominate(boss, world.employees["disdik"].id, courses["USUL"])
    assert response.status_code == 422
    assert "hanya dapat mengusulkan diri sendiri atau bawahan langsung" in response.get_data(
        as_text=True
    )
    # An open course needs no nomination: the employee enrols on the course page.
    employee = app.test_client()
    login(employee, "pegawai")
    response = _nominate(employee, pegawai.id, courses["OPEN"])
    assert response.status_code == 422
    assert "daftarlah langsung di halaman pelatihannya" in response.get_data(as_text=True)
    # No course, a course id that does not exist.
    response = _nominate(employee, pegawai.id, 0)
    assert response.status_code == 422 and "Pilih pelatihan." in response.get_data(as_text=True)
    response = _nominate(employee, pegawai.id, 999999)
    assert "Pelatihan tidak ditemukan." in response.get_data(as_text=True)
    assert _count_enrolments(app) == 0
    # An account without an employee record cannot nominate at all.
    trainer = app.test_client()
    login(trainer, "pengajar")
    assert trainer.get(NOMINATE).status_code == 403


def test_nominate_page_preselects_a_course_from_the_catalogue(app, world, courses) -> None:
    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get(f"{NOMINATE}?pelatihan=USUL-1").get_data(as_text=True)
    assert f'<option selected value="{courses["USUL"]}">' in page


def test_nobody_decides_without_a_supervisor_account(app, world, courses) -> None:
    """A supervisor without an account cannot be told, but the nomination still waits safely."""
    with app.app_context():
        from lms.courses.models import Course
        from lms.enrolments import approvals, services

        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        lonely_boss = make_employee(seksi, "Yusuf Maulana")
        staff = make_employee(seksi, "Rani Puspita", lonely_boss)
        user = make_user("rani", employee=staff)
        enrolment = services.enrol_self(user, db.session.get(Course, courses["USUL"]))
        assert approvals.decider_ids(approvals.pending_step(enrolment)) == []
        assert enrolment.status == "nominated"
        db.session.rollback()
        db.session.remove()


def test_each_step_tells_the_employee_once_and_never_the_same_twice(app, world, courses) -> None:
    """Issue 15: after the supervisor's approval the employee was told "menunggu persetujuan"
    a second time, word for word; each event now has its own one notification."""
    pegawai = world.employees["pegawai"]
    employee = app.test_client()
    login(employee, "pegawai")
    assert _nominate(employee, pegawai.id, courses["USUL"]).status_code == 302

    def told() -> list[str]:
        return [m for m, _link in notifications_of(app, world.users["pegawai"].id)]

    assert told() == ["Usulan pelatihan Kepemimpinan Pelayanan menunggu persetujuan."]
    boss = app.test_client()
    login(boss, "atasan")
    _decide(boss, pending_approval_id(app, courses["USUL"], pegawai.id), approve=True)
    assert told()[1:] == [
        "Usulan pelatihan Kepemimpinan Pelayanan disetujui atasan langsung dan kini menunggu "
        "persetujuan BKPSDM / Admin OPD."
    ]
    hr = app.test_client()
    login(hr, "bkpsdm")
    _decide(hr, pending_approval_id(app, courses["USUL"], pegawai.id), approve=True)
    assert told()[2:] == ["Anda terdaftar di pelatihan Kepemimpinan Pelayanan."]
    assert len(set(told())) == len(told()) == 3


def _offered(page: str) -> dict[str, str]:
    """Course options of the nomination form: label → the option's attributes."""
    select = re.search(r'<select[^>]*id="course_id".*?</select>', page, re.S).group(0)
    return {
        label.strip(): attrs
        for attrs, label in re.findall(r"<option([^>]*)>([^<]*)</option>", select)
        if 'value="0"' not in attrs
    }


def test_the_form_offers_only_courses_that_need_approval_and_are_not_done(
    app, world, courses
) -> None:
    """Issue 15: the form listed every course, open ones and ones already completed."""
    pegawai = world.employees["pegawai"]
    with app.app_context():
        db.session.add(
            Enrolment(course_id=courses["HRSTEP"], employee_id=pegawai.id, status="completed")
        )
        db.session.commit()
        db.session.remove()
    employee = app.test_client()
    login(employee, "pegawai")
    offered = _offered(employee.get(NOMINATE).get_data(as_text=True))
    # Needs approval and still open: offered. Open to all, BKPSDM-only, past its deadline, or
    # already completed: not.
    assert list(offered) == ["Kepemimpinan Pelayanan (USUL-1)"]
    # Sent anyway (a stale page), the completed course is refused on its field, by name.
    response = _nominate(employee, pegawai.id, courses["HRSTEP"])
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert re.search(r'<select aria-describedby="course_id-help course_id-error"', page)
    assert "Siti Aminah sudah menyelesaikan pelatihan ini." in page

    # The supervisor nominates for the team: the course pegawai completed is offered for the
    # others and marked as taken by pegawai, whom nominate.js then hides it for.
    boss = app.test_client()
    login(boss, "atasan")
    offered = _offered(boss.get(NOMINATE).get_data(as_text=True))
    assert set(offered) == {"Kepemimpinan Pelayanan (USUL-1)", "Manajemen Arsip (HRSTEP-1)"}
    assert f'data-taken-by="{pegawai.id}"' in offered["Manajemen Arsip (HRSTEP-1)"]
    assert "hidden" not in offered["Manajemen Arsip (HRSTEP-1)"]
    chosen = _offered(boss.get(f"{NOMINATE}?pegawai={pegawai.id}").get_data(as_text=True))
    assert "disabled" in chosen["Manajemen Arsip (HRSTEP-1)"]
