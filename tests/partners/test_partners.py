"""Partner institutions: BKPSDM's pages, staff accounts, and a Mitra scoped to its institution."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

import lms.reports.models  # noqa: F401  (the export table exists before create_all)
from lms.auth.models import PartnerInstitution, User
from lms.courses.models import Course
from lms.enrolments.services import enrol_by_admin
from lms.extensions import db
from lms.org.demo import DEMO_PARTNER_PROFILE
from lms.org.models import Employee
from lms.partners import services as svc
from lms.permissions import Role
from tests.conftest import login
from tests.factories import make_course, make_user

PROFILE = {
    "code": "lan-ri",
    "name": "Lembaga Administrasi Negara",
    "kind": "lan",
    "accreditation_number": "",
    "accredited_on": "",
    "accreditation_expires_on": "",
    "mou_number": "MoU/01/2026",
    "mou_starts_on": "2026-01-01",
    "mou_ends_on": "2026-12-31",
    "contact_name": "Budi",
    "contact_email": "Diklat@LAN.go.id",
    "contact_phone": "021-123456",
    "is_active": "y",
}


@pytest.fixture(autouse=True)
def _forms_without_csrf(no_csrf):
    """Forms are posted directly; CSRF itself is covered by tests/test_refusals.py."""


def _partner(code: str) -> PartnerInstitution:
    return db.session.scalar(select(PartnerInstitution).where(PartnerInstitution.code == code))


@pytest.fixture
def two_partners(app, world):
    """Partner A (the world's BPSDMD, whose staff is `mitra`) and partner B (a university), each
    with a course in which `pegawai` is enrolled."""
    with app.app_context():
        a = _partner("BPSDMD")
        b = PartnerInstitution(code="UNSRI", name="Universitas Sriwijaya", kind="universitas")
        db.session.add(b)
        db.session.flush()
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        pegawai = db.session.get(Employee, world.employees["pegawai"].id)
        ca = make_course("MITRA-A1", title="Pelatihan Mitra A", partner_id=a.id)
        cb = make_course("MITRA-B1", title="Pelatihan Mitra B", partner_id=b.id)
        make_course("BKPSDM-1", title="Pelatihan BKPSDM Sendiri")
        enrol_by_admin(hr, pegawai, ca)
        enrol_by_admin(hr, pegawai, cb)
        db.session.commit()
        out = {"a": a.id, "b": b.id, "course_a": ca.id, "course_b": cb.id}
        db.session.remove()
    return out


# --- BKPSDM manages profiles -----------------------------------------------------------------


def test_bkpsdm_creates_and_edits_a_partner(app, client, world):
    login(client, "bkpsdm")
    response = client.post("/kelola/lembaga-mitra/baru", data=PROFILE, follow_redirects=True)
    assert response.status_code == 200
    assert "Profil lembaga Lembaga Administrasi Negara tersimpan." in response.text
    with app.app_context():
        partner = _partner("LAN-RI")
        assert partner.kind == "lan"
        assert partner.contact_email == "diklat@lan.go.id"
        assert partner.mou_ends_on == date(2026, 12, 31)
        partner_id = partner.id
    edit = dict(PROFILE, name="LAN RI", mou_ends_on="2027-06-30")
    client.post(f"/kelola/lembaga-mitra/{partner_id}/ubah", data=edit)
    with app.app_context():
        assert db.session.get(PartnerInstitution, partner_id).name == "LAN RI"
    listing = client.get("/kelola/lembaga-mitra")
    assert "LAN RI" in listing.text and "BPSDMD Provinsi Sumatera Selatan" in listing.text


def test_bad_profile_is_422_with_every_field_message(app, client, world):
    login(client, "bkpsdm")
    bad = dict(
        PROFILE,
        code="BPSDMD",  # taken by the world's partner
        kind="lembaga_terakreditasi",  # needs an accreditation number
        accredited_on="2026-05-01",
        accreditation_expires_on="2025-05-01",
        mou_starts_on="2026-06-01",
        mou_ends_on="2026-01-01",
        contact_email="bukan-surel",
        contact_phone="telepon saya",
    )
    response = client.post("/kelola/lembaga-mitra/baru", data=bad)
    assert response.status_code == 422
    errors = re.findall(r'id="([a-z_]+)-error" class="field-error">([^<]*)<', response.text)
    fields = {name for name, _msg in errors}
    assert fields == {
        "code",
        "accreditation_number",
        "accreditation_expires_on",
        "mou_ends_on",
        "contact_email",
        "contact_phone",
    }
    assert "Kode lembaga BPSDMD sudah dipakai." in response.text
    assert "Akhir MoU tidak boleh sebelum mulai MoU." in response.text
    with app.app_context():
        assert db.session.scalar(select(db.func.count(PartnerInstitution.id))) == 1


def test_missing_kind_and_a_bad_date_are_422(client, world):
    login(client, "bkpsdm")
    response = client.post(
        "/kelola/lembaga-mitra/baru", data=dict(PROFILE, kind="", mou_starts_on="31-12-2026")
    )
    assert response.status_code == 422
    assert "Pilih jenis lembaga." in response.text
    assert "Tanggal tidak valid; gunakan format TTTT-BB-HH." in response.text


def test_the_database_refuses_reversed_dates_and_unknown_kinds(app, world):
    with app.app_context():
        for values in (
            {"kind": "sekolah"},
            {"mou_starts_on": date(2026, 2, 1), "mou_ends_on": date(2026, 1, 1)},
            {"accredited_on": date(2026, 2, 1), "accreditation_expires_on": date(2026, 1, 1)},
        ):
            db.session.add(PartnerInstitution(code="X", name="X", **values))
            with pytest.raises(IntegrityError):
                db.session.flush()
            db.session.rollback()


def test_status_chips_use_the_date_given():
    partner = PartnerInstitution(
        code="P",
        name="P",
        is_active=True,
        accreditation_expires_on=date(2026, 1, 31),
        mou_starts_on=date(2025, 1, 1),
        mou_ends_on=date(2026, 4, 30),
    )
    keys = [s.key for s in svc.statuses(partner, date(2026, 2, 1))]
    assert keys == ["accreditation-expired", "mou-ending"]
    keys = [s.key for s in svc.statuses(partner, date(2026, 7, 1))]
    assert keys == ["accreditation-expired", "mou-ended"]
    keys = [s.key for s in svc.statuses(partner, date(2024, 6, 1))]
    assert keys == ["accreditation-valid", "mou-pending"]
    partner.is_active = False
    assert svc.statuses(partner, date(2024, 6, 1))[0].key == "inactive"


def test_detail_page_shows_expired_accreditation_and_ended_mou(app, client, world):
    with app.app_context():
        partner = _partner("BPSDMD")
        partner.accreditation_expires_on = date(2020, 1, 1)
        partner.mou_ends_on = date(2021, 1, 1)
        db.session.commit()
        partner_id = partner.id
    login(client, "bkpsdm")
    page = client.get(f"/kelola/lembaga-mitra/{partner_id}").text
    assert 'data-status="accreditation-expired">Akreditasi kedaluwarsa<' in page
    assert 'data-status="mou-ended">MoU berakhir<' in page


def test_demo_partner_profile_is_complete_and_valid(app):
    with app.app_context():
        values = svc.PartnerValues(code="BPSDMD-SUMSEL", name="BPSDMD", **DEMO_PARTNER_PROFILE)
        assert svc.problems_of(values, None) == []
        assert all(v not in ("", None) for v in DEMO_PARTNER_PROFILE.values())


# --- staff accounts --------------------------------------------------------------------------


def test_bkpsdm_creates_a_staff_account_with_a_temporary_password(app, client, world):
    with app.app_context():
        partner_id = _partner("BPSDMD").id
    login(client, "bkpsdm")
    response = client.post(
        f"/kelola/lembaga-mitra/{partner_id}/staf",
        data={"username": "staf.bpsdmd", "display_name": "Staf Baru", "email": "staf@x.go.id"},
    )
    assert response.status_code == 200
    temporary = re.search(r'<p class="secret"><code>([^<]+)</code>', response.text).group(1)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == "staf.bpsdmd"))
        assert user.partner_id == partner_id
        assert user.stored_roles == {Role.MITRA}
        assert user.must_change_password is True
    other = app.test_client()
    login(other, "staf.bpsdmd", temporary)  # the temporary password works once shown
    assert other.get("/dasbor").headers.get("Location", "").endswith("/akun/kata-sandi")


def test_staff_form_bad_input_is_422(app, client, world):
    with app.app_context():
        partner_id = _partner("BPSDMD").id
    login(client, "bkpsdm")
    response = client.post(
        f"/kelola/lembaga-mitra/{partner_id}/staf",
        data={"username": "mitra", "display_name": "", "email": "x"},
    )
    assert response.status_code == 422
    assert "Nama lengkap wajib diisi." in response.text
    taken = client.post(
        f"/kelola/lembaga-mitra/{partner_id}/staf",
        data={"username": "mitra", "display_name": "Dua"},
    )
    assert taken.status_code == 422
    assert "Nama pengguna mitra sudah dipakai." in taken.text


def test_bkpsdm_deactivates_a_staff_account_but_not_through_another_partner(
    app, client, world, two_partners
):
    login(client, "bkpsdm")
    staff_id = world.users["mitra"].id
    wrong = client.post(
        f"/kelola/lembaga-mitra/{two_partners['b']}/staf/{staff_id}/status",
        data={"csrf_token": _csrf(client, two_partners["b"])},
    )
    assert wrong.status_code == 404
    url = f"/kelola/lembaga-mitra/{two_partners['a']}/staf/{staff_id}/status"
    token = _csrf(client, two_partners["a"])
    asked = client.post(url, data={"csrf_token": token})
    assert asked.status_code == 200 and "Nonaktifkan akun mitra?" in asked.text
    with app.app_context():
        assert db.session.get(User, staff_id).active is True  # one click changes nothing
    response = client.post(url, data={"csrf_token": token, "confirm": "1"})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(User, staff_id).active is False


def _csrf(client, partner_id: int) -> str:
    page = client.get(f"/kelola/lembaga-mitra/{partner_id}")
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1)


# --- a Mitra sees its own institution only ---------------------------------------------------


def test_mitra_lists_and_authors_only_its_institutions_courses(app, client, two_partners):
    login(client, "mitra")
    listing = client.get("/kelola/pelatihan").text
    assert "MITRA-A1" in listing
    assert "MITRA-B1" not in listing and "BKPSDM-1" not in listing
    assert client.get(f"/kelola/pelatihan/{two_partners['course_a']}").status_code == 200
    for path in (
        f"/kelola/pelatihan/{two_partners['course_b']}",
        f"/kelola/pelatihan/{two_partners['course_b']}/info",
        f"/kelola/pelatihan/{two_partners['course_b']}/kuis",
    ):
        assert client.get(path).status_code in (403, 404), path


def test_a_course_a_mitra_creates_belongs_to_its_institution(app, client, world, no_csrf):
    login(client, "mitra")
    response = client.post(
        "/kelola/pelatihan/baru",
        data={
            "code": "MITRA-BARU",
            "category": "Teknologi Informasi",
            "title": "Pelatihan Baru Mitra",
            "competency_kind": "teknis",
            "jp": "4",
            "delivery_mode": "e-learning",
            "organiser": "BPSDMD Provinsi Sumatera Selatan",
            "jenis_diklat_code": "",
        },
    )
    assert response.status_code == 302, response.text[-2000:]
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "MITRA-BARU"))
        assert course.partner_id == _partner("BPSDMD").id
        course_id = course.id
    assert client.get(f"/kelola/pelatihan/{course_id}").status_code == 200


def test_mitra_reports_hold_only_its_courses_rows(app, client, two_partners):
    login(client, "mitra")
    index = client.get("/laporan").text
    assert "/laporan/enrolments" in index and "/laporan/jp-compliance" not in index
    page = client.get("/laporan/enrolments")
    assert page.status_code == 200
    assert "MITRA-A1" in page.text and "MITRA-B1" not in page.text
    csv = client.get("/laporan/enrolments.csv").text
    assert "MITRA-A1" in csv and "MITRA-B1" not in csv
    # Asking for partner B's course by its code narrows to nothing, never widens.
    assert "Siti Aminah" not in client.get("/laporan/enrolments?pelatihan=MITRA-B1").text
    for name in ("jp-compliance", "cohort", "certificates", "trainers"):
        assert client.get(f"/laporan/{name}").status_code == 404, name


def test_bkpsdm_still_sees_every_partners_rows(client, two_partners):
    login(client, "bkpsdm")
    page = client.get("/laporan/enrolments").text
    assert "MITRA-A1" in page and "MITRA-B1" in page


def test_trainer_of_a_partner_b_course_who_is_mitra_of_a_still_cannot_author_it(
    app, client, two_partners
):
    with app.app_context():
        from lms.courses.models import CourseTrainer

        mitra = db.session.scalar(select(User).where(User.username == "mitra"))
        db.session.add(CourseTrainer(course_id=two_partners["course_b"], user_id=mitra.id))
        db.session.commit()
    login(client, "mitra")
    assert client.get(f"/kelola/pelatihan/{two_partners['course_b']}").status_code == 403


def test_mitra_cannot_reach_the_partner_pages(client, two_partners):
    login(client, "mitra")
    assert client.get("/kelola/lembaga-mitra").status_code == 403
    assert client.get(f"/kelola/lembaga-mitra/{two_partners['a']}").status_code == 403


def test_partner_staff_of_a_new_partner_sees_nothing_of_others(app, client, two_partners):
    with app.app_context():
        make_user(
            "staf.unsri",
            {Role.MITRA},
            partner=db.session.get(PartnerInstitution, two_partners["b"]),
        )
        db.session.commit()
    login(client, "staf.unsri")
    listing = client.get("/kelola/pelatihan").text
    assert "MITRA-B1" in listing and "MITRA-A1" not in listing
    assert client.get(f"/kelola/pelatihan/{two_partners['course_a']}").status_code == 403
    assert "MITRA-A1" not in client.get("/laporan/completions?status=valid").text


def test_mitra_course_page_links_to_its_participants_and_results(client, two_partners):
    login(client, "mitra")
    page = client.get(f"/kelola/pelatihan/{two_partners['course_a']}").text
    assert "/laporan/enrolments?pelatihan=MITRA-A1" in page
    assert "/laporan/completions?pelatihan=MITRA-A1" in page
    participants = client.get("/laporan/enrolments?pelatihan=MITRA-A1").text
    assert "Siti Aminah" in participants


def test_mitra_evaluation_report_holds_only_its_courses(app, client, two_partners):
    """Three respondents on each partner's course (the report hides means of fewer)."""
    from lms.enrolments.models import Enrolment
    from lms.evaluations.models import CourseEvaluation
    from lms.org.models import Unit
    from tests.factories import make_employee, make_nip

    with app.app_context():
        unit = db.session.scalar(select(Unit).where(Unit.code == "DISDIK"))
        people = [make_employee(unit, f"Responden {i}", nip=make_nip(str(i))) for i in range(3)]
        for course_id, value in ((two_partners["course_a"], 4), (two_partners["course_b"], 2)):
            for emp in people:
                enrolment = Enrolment(course_id=course_id, employee_id=emp.id, status="completed")
                db.session.add(enrolment)
                db.session.flush()
                db.session.add(
                    CourseEvaluation(
                        enrolment_id=enrolment.id,
                        course_id=course_id,
                        employee_id=emp.id,
                        ratings={"course_relevance": value},
                    )
                )
        db.session.commit()
    login(client, "mitra")
    csv = client.get("/laporan/evaluations.csv?dialek=standar").text
    assert "MITRA-A1" in csv and "MITRA-B1" not in csv
