"""Joining a cohort: HR adds, employees and supervisors nominate, approvals, withdrawal.

A member who becomes active is enrolled in every course of the programme exactly once.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import services as enrolment_services
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Approval, Enrolment
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.enrolments.cohorts.builders import TODAY, make_cohort, make_programme

COURSES = ("UJI-101", "UJI-102", "UJI-103")


def _setup(app, **cohort_over) -> dict:
    with app.app_context():
        programme = make_programme("PKP", COURSES)
        cohort = make_cohort(programme, "PKP-2026-I", **cohort_over)
        db.session.commit()
        return {"cohort_id": cohort.id, "cohort_code": cohort.code, "programme": "PKP"}


def _budi(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Employee.id).where(Employee.full_name == "Budi Santoso"))


def _member(app, cohort_id: int, employee_id: int) -> CohortMember | None:
    with app.app_context():
        member = db.session.scalar(
            select(CohortMember).where(
                CohortMember.cohort_id == cohort_id, CohortMember.employee_id == employee_id
            )
        )
        if member is not None:
            db.session.expunge(member)
        return member


def _enrolments(app, employee_id: int) -> dict[str, tuple[str, str, int | None]]:
    """course code → (status, source, cohort_id); asserts one row per course."""
    with app.app_context():
        rows = db.session.execute(
            select(Course.code, Enrolment.status, Enrolment.source, Enrolment.cohort_id)
            .join(Course, Course.id == Enrolment.course_id)
            .where(Enrolment.employee_id == employee_id)
        ).all()
    codes = [r[0] for r in rows]
    assert len(codes) == len(set(codes)), f"duplicate enrolments: {codes}"
    return {code: (status, source, cohort_id) for code, status, source, cohort_id in rows}


def _flashes(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'class="flash flash-\w+">([^<]*)<', html)]


def _add(client, code: str, nip: str) -> list[str]:
    token = csrf_token(client, f"/angkatan/{code}")
    response = client.post(
        f"/angkatan/{code}/peserta", data={"csrf_token": token, "nip": nip}, follow_redirects=True
    )
    assert response.status_code == 200
    return _flashes(response.get_data(as_text=True))


def _join_token(client, programme: str, cohort_id: int) -> str:
    page = client.get(f"/program/{programme}").get_data(as_text=True)
    match = re.search(rf'name="c{cohort_id}-csrf_token" value="([^"]+)"', page)
    assert match, "no join form on the programme page"
    return match.group(1)


def _withdraw(client, member_id: int, from_page: str) -> list[str]:
    token = csrf_token(client, from_page)
    response = client.post(
        f"/angkatan/peserta/{member_id}/batal",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    return _flashes(response.get_data(as_text=True))


def test_hr_adds_participants_each_enrolled_once_and_waitlisted_over_quota(
    app,
    client,
    world,
) -> None:
    ids = _setup(app, quota=2)
    pegawai, atasan, budi = world.employees["pegawai"].id, world.employees["atasan"].id, _budi(app)
    with app.app_context():  # pegawai already follows UJI-102 on her own
        course = db.session.scalar(select(Course).where(Course.code == "UJI-102"))
        enrolment_services.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        db.session.commit()
    login(client, "bkpsdm")
    code = ids["cohort_code"]

    assert _add(client, code, world.employees["pegawai"].nip_display) == [
        "Siti Aminah ditambahkan sebagai peserta dan didaftarkan ke pelatihan program."
    ]
    assert _member(app, ids["cohort_id"], pegawai).status == "active"
    assert _enrolments(app, pegawai) == {
        "UJI-101": ("active", "cohort", ids["cohort_id"]),
        "UJI-102": ("active", "self", None),  # reused, not duplicated
        "UJI-103": ("active", "cohort", ids["cohort_id"]),
    }

    # Adding her again is refused and changes nothing.
    assert _add(client, code, world.employees["pegawai"].nip) == [
        "Siti Aminah sudah terdaftar di angkatan ini (aktif)."
    ]
    assert _add(client, code, "199001012015031999") == [
        "Pegawai dengan NIP 199001012015031999 tidak ditemukan."
    ]
    assert _add(client, code, world.employees["atasan"].nip)[0].endswith("ke pelatihan program.")
    with app.app_context():
        budi_nip = db.session.get(Employee, budi).nip
    assert _add(client, code, budi_nip) == [
        "Kuota penuh: Budi Santoso dimasukkan ke daftar tunggu."
    ]
    assert _member(app, ids["cohort_id"], budi).status == "waitlisted"
    assert _enrolments(app, budi) == {}
    page = client.get(f"/angkatan/{code}").get_data(as_text=True)
    assert "Kuota terpakai: 2 dari 2 peserta" in page
    assert "daftar tunggu: 1" in page

    # Withdrawing atasan frees a seat: Budi moves up and is enrolled in every course.
    atasan_member = _member(app, ids["cohort_id"], atasan)
    assert _withdraw(client, atasan_member.id, f"/angkatan/{code}") == [
        "Rahmat Hidayat tidak lagi mengikuti Angkatan I."
    ]
    assert {v[0] for v in _enrolments(app, atasan).values()} == {"withdrawn"}
    assert _member(app, ids["cohort_id"], budi).status == "active"
    assert {c: v[0] for c, v in _enrolments(app, budi).items()} == dict.fromkeys(COURSES, "active")

    # Pegawai withdraws: the cohort's enrolments end, her own enrolment stays.
    member = _member(app, ids["cohort_id"], pegawai)
    _withdraw(client, member.id, f"/angkatan/{code}")
    assert {c: v[0] for c, v in _enrolments(app, pegawai).items()} == {
        "UJI-101": "withdrawn",
        "UJI-102": "active",
        "UJI-103": "withdrawn",
    }
    # Withdrawing twice is refused with a message.
    assert _withdraw(client, member.id, f"/angkatan/{code}") == [
        "Keikutsertaan ini tidak dapat dibatalkan (dibatalkan)."
    ]
    # Added again: the same rows come back, still one per course.
    _add(client, code, world.employees["pegawai"].nip)
    assert {c: v[0] for c, v in _enrolments(app, pegawai).items()} == dict.fromkeys(
        COURSES, "active"
    )
    with app.app_context():
        assert db.session.scalar(select(func.count(CohortMember.id))) == 3


def test_ineligible_employee_and_late_addition_are_refused_with_reasons(
    app,
    client,
    world,
) -> None:
    ids = _setup(app, position_types=["pengawas"], min_grade="III/b")
    with app.app_context():
        programme = db.session.get(Cohort, ids["cohort_id"]).programme
        late = make_cohort(
            programme,
            "PKP-2026-II",
            enrol_deadline=TODAY - timedelta(days=1),
            starts_on=TODAY + timedelta(days=3),
        )
        boss = db.session.get(Employee, world.employees["atasan"].id)
        boss.jabatan_type_code = "pengawas"
        db.session.commit()
        late_id = late.id
    login(client, "bkpsdm")
    assert _add(client, ids["cohort_code"], world.employees["pegawai"].nip) == [
        "Siti Aminah tidak dapat mengikuti angkatan ini: Jenis jabatan belum tercatat, sedangkan "
        "angkatan ini khusus untuk: Jabatan Pengawas. Golongan III/a di bawah syarat minimal "
        "golongan III/b."
    ]
    assert _member(app, ids["cohort_id"], world.employees["pegawai"].id) is None
    assert _enrolments(app, world.employees["pegawai"].id) == {}

    # The search on the cohort page shows the same reasons instead of an add button.
    page = client.get(f"/angkatan/{ids['cohort_code']}?q=Siti").get_data(as_text=True)
    assert "Tidak memenuhi syarat:" in page and "Golongan III/a di bawah" in page

    flashes = _add(client, "PKP-2026-II", world.employees["atasan"].nip)
    assert len(flashes) == 1
    assert flashes[0].startswith("Rahmat Hidayat tidak dapat mengikuti angkatan ini: Batas waktu")
    assert flashes[0].endswith("sudah lewat.")
    assert _member(app, late_id, world.employees["atasan"].id) is None

    # The employee sees the same reason and her request is refused too.
    employee = login_client(app, "pegawai")
    page = employee.get("/program/PKP").get_data(as_text=True)
    assert re.search(r"Batas waktu pendaftaran angkatan ini \([^)]+\) sudah lewat\.", page)
    response = employee.post(
        "/angkatan/PKP-2026-II/usulan",
        data={f"c{late_id}-csrf_token": csrf_token(employee, "/program/PKP")},
        follow_redirects=True,
    )
    assert "Batas waktu pendaftaran" in _flashes(response.get_data(as_text=True))[0]
    assert _member(app, late_id, world.employees["pegawai"].id) is None

    assert _add(client, ids["cohort_code"], world.employees["atasan"].nip)[0].startswith(
        "Rahmat Hidayat ditambahkan"
    )


def test_self_nomination_goes_supervisor_then_hr(app, client, world) -> None:
    ids = _setup(app)
    pegawai = world.employees["pegawai"].id
    login(client, "pegawai")
    page = client.get("/program/PKP").get_data(as_text=True)
    assert "Ajukan diri untuk mengikuti angkatan ini" in page
    token = _join_token(client, "PKP", ids["cohort_id"])
    response = client.post(
        f"/angkatan/{ids['cohort_code']}/usulan",
        data={f"c{ids['cohort_id']}-csrf_token": token},
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Usulan Siti Aminah untuk Angkatan I terkirim dan menunggu persetujuan."
    ]
    member = _member(app, ids["cohort_id"], pegawai)
    assert (member.status, member.source) == ("nominated", "self")
    with app.app_context():
        steps = db.session.execute(
            select(Approval.id, Approval.step, Approval.decision)
            .where(Approval.cohort_member_id == member.id)
            .order_by(Approval.position)
        ).all()
        atasan_note = db.session.scalar(
            select(Notification.message).where(Notification.user_id == world.users["atasan"].id)
        )
    assert [(s, d) for _i, s, d in steps] == [("supervisor", "pending"), ("hr", "pending")]
    assert (
        atasan_note == "Siti Aminah diusulkan mengikuti Angkatan I dan menunggu persetujuan Anda."
    )
    supervisor_step, hr_step = steps[0][0], steps[1][0]
    assert _enrolments(app, pegawai) == {}
    page = client.get("/program/PKP").get_data(as_text=True)
    assert "Status Anda:" in page and "menunggu persetujuan" in page

    # The employee cannot approve her own nomination.
    token = csrf_token(client, "/program/PKP")
    decide = {"csrf_token": token, "decision": "approve", "comment": ""}
    assert client.post(f"/angkatan/persetujuan/{supervisor_step}", data=decide).status_code == 404

    # HR may not take the supervisor's step.
    hr = login_client(app, "bkpsdm")
    token = csrf_token(hr, "/angkatan/persetujuan")
    decide["csrf_token"] = token
    assert hr.post(f"/angkatan/persetujuan/{supervisor_step}", data=decide).status_code == 404

    boss = login_client(app, "atasan")
    listing = boss.get("/angkatan/persetujuan").get_data(as_text=True)
    assert "Siti Aminah" in listing
    assert "1 usulan angkatan menunggu persetujuan Anda" in boss.get("/dasbor").get_data(
        as_text=True
    )
    decide["csrf_token"] = csrf_token(boss, "/angkatan/persetujuan")
    response = boss.post(
        f"/angkatan/persetujuan/{supervisor_step}", data=decide, follow_redirects=True
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Keputusan tersimpan: Siti Aminah · menunggu persetujuan."
    ]
    response = boss.post(
        f"/angkatan/persetujuan/{supervisor_step}", data=decide, follow_redirects=True
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Usulan ini tidak sedang menunggu keputusan Anda."
    ]
    assert "Siti Aminah" not in boss.get("/angkatan/persetujuan").get_data(as_text=True)

    # HR: refusing needs a reason; approving activates and enrols.
    assert "Siti Aminah" in hr.get("/angkatan/persetujuan").get_data(as_text=True)
    reject = {"csrf_token": token, "decision": "reject", "comment": "  "}
    response = hr.post(f"/angkatan/persetujuan/{hr_step}", data=reject, follow_redirects=True)
    assert _flashes(response.get_data(as_text=True)) == ["Tuliskan alasan penolakan."]
    assert _member(app, ids["cohort_id"], pegawai).status == "nominated"
    decide["csrf_token"] = token
    response = hr.post(f"/angkatan/persetujuan/{hr_step}", data=decide, follow_redirects=True)
    assert _flashes(response.get_data(as_text=True)) == [
        "Keputusan tersimpan: Siti Aminah · aktif."
    ]
    assert _member(app, ids["cohort_id"], pegawai).status == "active"
    assert {c: v[:2] for c, v in _enrolments(app, pegawai).items()} == dict.fromkeys(
        COURSES, ("active", "cohort")
    )

    dashboard = client.get("/dasbor").get_data(as_text=True)
    assert "Angkatan saya" in dashboard and "Program PKP · Angkatan I" in dashboard
    hr_dashboard = hr.get("/dasbor").get_data(as_text=True)
    assert "Angkatan berjalan" in hr_dashboard and "Program PKP · Angkatan I" in hr_dashboard
    with app.app_context():
        notes = list(
            db.session.scalars(
                select(Notification.message).where(
                    Notification.user_id == world.users["pegawai"].id
                )
            )
        )
    assert "Anda terdaftar sebagai peserta Program PKP, Angkatan I." in notes

    # She can leave again from the programme page.
    member = _member(app, ids["cohort_id"], pegawai)
    assert _withdraw(client, member.id, "/program/PKP") == [
        "Siti Aminah tidak lagi mengikuti Angkatan I."
    ]
    assert {v[0] for v in _enrolments(app, pegawai).values()} == {"withdrawn"}


def login_client(app, username: str):
    other = app.test_client()
    login(other, username)
    return other


def test_supervisor_nominates_own_staff_and_hr_rejects(app, client, world) -> None:
    ids = _setup(app)
    budi = _budi(app)
    cid = ids["cohort_id"]
    login(client, "atasan")
    page = client.get("/program/PKP").get_data(as_text=True)
    assert "Usulkan anggota tim Anda" in page
    token = _join_token(client, "PKP", cid)
    response = client.post(
        f"/angkatan/{ids['cohort_code']}/usulan",
        data={f"c{cid}-csrf_token": token, f"c{cid}-employee_id": str(budi)},
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Usulan Budi Santoso untuk Angkatan I terkirim dan menunggu persetujuan."
    ]
    member = _member(app, cid, budi)
    assert (member.status, member.source) == ("nominated", "nomination")
    with app.app_context():
        steps = db.session.execute(
            select(Approval.id, Approval.step, Approval.decision)
            .where(Approval.cohort_member_id == member.id)
            .order_by(Approval.position)
        ).all()
    assert [(s, d) for _i, s, d in steps] == [("supervisor", "approved"), ("hr", "pending")]

    # Someone outside the team cannot be nominated by this supervisor.
    response = client.post(
        f"/angkatan/{ids['cohort_code']}/usulan",
        data={
            f"c{cid}-csrf_token": token,
            f"c{cid}-employee_id": str(world.employees["disdik"].id),
        },
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Anda hanya dapat mengusulkan diri sendiri atau bawahan langsung Anda."
    ]
    assert _member(app, cid, world.employees["disdik"].id) is None

    hr = login_client(app, "bkpsdm")
    token = csrf_token(hr, "/angkatan/persetujuan")
    response = hr.post(
        f"/angkatan/persetujuan/{steps[1][0]}",
        data={"csrf_token": token, "decision": "reject", "comment": "Kuota OPD sudah terpenuhi."},
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Keputusan tersimpan: Budi Santoso · ditolak."
    ]
    assert _member(app, cid, budi).status == "rejected"
    assert _enrolments(app, budi) == {}

    # A rejected employee may be nominated again.
    client.post(
        f"/angkatan/{ids['cohort_code']}/usulan",
        data={
            f"c{cid}-csrf_token": _join_token(client, "PKP", cid),
            f"c{cid}-employee_id": str(budi),
        },
    )
    assert _member(app, cid, budi).status == "nominated"


def test_programme_page_says_why_one_cannot_join(app, client, world) -> None:
    ids = _setup(app, position_types=["pengawas"], min_grade="III/b", quota=1)
    with app.app_context():
        cohort = db.session.get(Cohort, ids["cohort_id"])
        make_cohort(
            cohort.programme,
            "PKP-2025-I",
            name="Angkatan Lama",
            starts_on=TODAY - timedelta(days=100),
            ends_on=TODAY - timedelta(days=10),
            enrol_deadline=None,
        )
        open_cohort = make_cohort(
            cohort.programme, "PKP-2026-III", name="Angkatan Terbuka", approval_steps="", quota=1
        )
        from lms.enrolments.cohorts import services as cs

        cs.add_member(None, open_cohort, db.session.get(Employee, world.employees["atasan"].id))
        db.session.commit()
        open_id = open_cohort.id
    login(client, "pegawai")
    page = client.get("/program/PKP").get_data(as_text=True)
    assert "Mengapa Anda belum dapat mendaftar:" in page
    assert "Golongan III/a di bawah syarat minimal golongan III/b." in page
    assert "Angkatan Lama" not in page  # ended cohorts are not offered
    assert "Kuota sudah penuh: Anda akan masuk daftar tunggu." in page  # the open one is full
    assert "0 kursi tersisa dari 1" in page

    # Joining the full open cohort puts her on its waitlist.
    response = client.post(
        "/angkatan/PKP-2026-III/usulan",
        data={f"c{open_id}-csrf_token": _join_token(client, "PKP", open_id)},
        follow_redirects=True,
    )
    assert _flashes(response.get_data(as_text=True)) == [
        "Siti Aminah masuk daftar tunggu Angkatan Terbuka."
    ]
    # The refused cohort refuses the POST too.
    response = client.post(
        f"/angkatan/{ids['cohort_code']}/usulan",
        data={f"c{ids['cohort_id']}-csrf_token": csrf_token(client, "/program/PKP")},
        follow_redirects=True,
    )
    flashes = _flashes(response.get_data(as_text=True))
    assert flashes[0].startswith("Siti Aminah tidak dapat mengikuti angkatan ini: Jenis jabatan")
    assert _member(app, ids["cohort_id"], world.employees["pegawai"].id) is None
