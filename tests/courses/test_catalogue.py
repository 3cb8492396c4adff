"""Catalogue, course page, self-enrolment rules, capacity, waitlist and withdrawal."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.courses import queries
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.factories import make_course, make_employee, make_user


def _courses(app) -> None:
    with app.app_context():
        make_course("TIK-201", title="Keamanan Informasi Dasar", category="Teknologi Informasi")
        make_course("KOM-201", title="Komunikasi Publik", category="Komunikasi")
        make_course("KPM-201", title="Kepemimpinan Tim", category="Kepemimpinan", published=False)
        db.session.commit()


def test_catalogue_lists_published_and_filters(app, client, world) -> None:
    _courses(app)
    login(client, "pegawai")
    page = client.get("/pelatihan").get_data(as_text=True)
    assert "Keamanan Informasi Dasar" in page and "Komunikasi Publik" in page
    assert "Kepemimpinan Tim" not in page  # a draft is not in the catalogue
    assert "Komunikasi Publik" not in client.get("/pelatihan?q=keamanan").get_data(as_text=True)
    assert "2 pelatihan ditemukan" in client.get("/pelatihan?kompetensi=teknis").get_data(
        as_text=True
    )
    assert "0 pelatihan ditemukan" in client.get("/pelatihan?jp_min=10").get_data(as_text=True)
    assert "0 pelatihan ditemukan" in client.get("/pelatihan?moda=classroom").get_data(as_text=True)
    assert (
        client.get("/pelatihan?jp_min=1&kompetensi=<script>").status_code == 200
    )  # a kind that does not exist is ignored
    assert client.get("/pelatihan/KPM-201").status_code == 404
    assert client.get("/pelatihan/TIDAK-ADA").status_code == 404


def test_self_enrol_then_twice_is_refused(app, client, world) -> None:
    _courses(app)
    login(client, "pegawai")
    page = client.get("/pelatihan/TIK-201").get_data(as_text=True)
    assert "Silabus" in page and "Sisa kursi" in page
    token = csrf_token(client, "/pelatihan/TIK-201")
    client.post("/pelatihan/TIK-201/daftar", data={"csrf_token": token})
    page = client.get("/pelatihan/TIK-201").get_data(as_text=True)
    assert "Mulai belajar" in page
    response = client.post(
        "/pelatihan/TIK-201/daftar", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Anda sudah terdaftar di pelatihan ini." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Enrolment.id))) == 1


def test_deadline_passed_disables_button_with_reason(app, client, world) -> None:
    with app.app_context():
        make_course(
            "LAMA-101", title="Pelatihan Lama", enrol_deadline=local_today() - timedelta(days=1)
        )
        db.session.commit()
    login(client, "pegawai")
    page = client.get("/pelatihan/LAMA-101").get_data(as_text=True)
    assert "disabled" in page and "Batas waktu pendaftaran sudah lewat." in page
    token = csrf_token(client, "/pelatihan/LAMA-101")
    response = client.post(
        "/pelatihan/LAMA-101/daftar", data={"csrf_token": token}, follow_redirects=True
    )
    assert "Batas waktu pendaftaran sudah lewat." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(db.func.count(Enrolment.id))) == 0


def test_account_without_employee_record_cannot_enrol(app, client, world) -> None:
    _courses(app)
    login(client, "pengajar")
    page = client.get("/pelatihan/TIK-201").get_data(as_text=True)
    assert "Hanya pegawai yang dapat mendaftar pelatihan." in page


def test_capacity_waitlist_and_promotion_on_withdrawal(app, world) -> None:
    with app.app_context():
        course = make_course("KECIL-101", title="Kelas Kecil", capacity=2)
        unit = db.session.get(Employee, world.employees["pegawai"].id).unit
        users = [db.session.get(User, world.users[r].id) for r in ("pegawai", "atasan")]
        for i in range(2):
            users.append(make_user(f"peserta{i}", employee=make_employee(unit, f"Peserta {i}")))
        states = [enrolments.enrol_self(u, course).status for u in users]
        assert states == ["active", "active", "waitlisted", "waitlisted"]
        assert enrolments.seats_left(course) == 0
        first = enrolments.find(course, users[0].employee)
        enrolments.withdraw(users[0], first)
        assert enrolments.find(course, users[2].employee).status == "active"  # first in the queue
        assert enrolments.find(course, users[3].employee).status == "waitlisted"
        # Withdrawing twice is refused with a message.
        try:
            enrolments.withdraw(users[0], first)
        except enrolments.EnrolmentError as exc:
            assert "tidak dapat dibatalkan" in str(exc)
        else:
            raise AssertionError("second withdrawal should be refused")
        # Re-enrolling after withdrawal reuses the row and joins the queue.
        again = enrolments.enrol_self(users[0], course)
        assert again.id == first.id and again.status == "waitlisted"
        db.session.rollback()


def test_withdraw_someone_elses_enrolment_is_forbidden(app, client, world) -> None:
    with app.app_context():
        course = make_course("PUNYA-101")
        enrolment = enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        db.session.commit()
        eid = enrolment.id
    login(client, "atasan")
    token = csrf_token(client, "/pelatihan")
    assert client.post(f"/pendaftaran/{eid}/batal", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Enrolment, eid).status == "active"


def test_move_reorders_without_losing_rows(app, world) -> None:
    from lms.courses import services as courses

    with app.app_context():
        course = make_course("URUT-101", lessons=0, published=False)
        version = course.latest_version
        first = courses.add_module(version, "Modul A")
        second = courses.add_module(version, "Modul B")
        courses.move(version.modules, second, -1)
        db.session.commit()
        db.session.expire_all()
        titles = [m.title for m in sorted(course.latest_version.modules, key=lambda m: m.position)]
        assert titles == ["Modul 1", "Modul B", "Modul A"]
        assert first.id and len(course.latest_version.modules) == 3


def test_a_jp_minimum_above_the_maximum_is_pointed_out_not_answered_with_nothing(
    app, client, world, monkeypatch
) -> None:
    """Issue 15: min 10 and max 4 silently gave "0 pelatihan ditemukan"."""
    _courses(app)
    login(client, "pegawai")
    page = client.get("/pelatihan?jp_min=10&jp_max=4").get_data(as_text=True)
    assert "0 pelatihan ditemukan" not in page
    assert "Tidak ada pelatihan yang cocok" not in page
    assert "JP minimal (10) lebih besar daripada JP maksimal (4)" in page
    for name, value in (("jp_min", "10"), ("jp_max", "4")):
        assert re.search(
            rf'id="{name}" name="{name}"[^>]*value="{value}"\s*aria-invalid="true" '
            r'aria-describedby="jp-error"',
            page,
        ), name
    assert "Keamanan Informasi Dasar" not in page
    # A bound that is not a number is named too, with what was typed left in the field.
    page = client.get("/pelatihan?jp_min=abc").get_data(as_text=True)
    assert "JP minimal harus berupa angka dari 0 sampai 9999." in page
    assert 'value="abc"' in page
    # A sound range searches, and the link to the next page keeps it.
    monkeypatch.setattr(queries, "PAGE_SIZE", 1)
    page = client.get("/pelatihan?jp_min=1&jp_max=40").get_data(as_text=True)
    assert "2 pelatihan ditemukan" in page and 'aria-invalid="true"' not in page
    assert re.search(r'href="/pelatihan\?page=2[^"]*jp_min=1[^"]*"', page.replace("&amp;", "&"))
    assert re.search(r'href="/pelatihan\?page=2[^"]*jp_max=40[^"]*"', page.replace("&amp;", "&"))
