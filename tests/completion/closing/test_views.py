"""The organiser's cohort page, bulk attendance marks, closing on a confirmation page, and the
participant's own page, through the HTTP client (issue 17)."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lms.auth.models import PartnerInstitution, User
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort, PhaseMark
from lms.extensions import db
from tests.completion.closing.builders import (
    LOW,
    PASSED,
    TODAY,
    complete_courses,
    fake_outcomes,
    make_pkp,
)
from tests.conftest import csrf_token, login


def _setup(app, world, monkeypatch, **over):
    with app.app_context():
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
        )
        built = make_pkp(world, organiser_partner_id=partner.id, **over)
        complete_courses(world, "pegawai", [80, 90])
        complete_courses(world, "disdik", [80, 90])
        db.session.commit()
    fake_outcomes(monkeypatch, {built.members["pegawai"]: PASSED, built.members["disdik"]: LOW})
    return built


def _flashes(html: str) -> list[str]:
    return [m.strip() for m in re.findall(r'class="flash[^"]*"[^>]*>([^<]*)', html)]


def _count(app, model, *where) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_partner_staff_record_attendance_in_bulk_and_close(app, client, world, monkeypatch):
    built = _setup(app, world, monkeypatch)
    url = "/angkatan/PKP-UJI-I"
    login(client, "mitra")
    page = client.get(f"{url}/kemajuan").get_data(as_text=True)
    assert "Kemajuan peserta per tahap" in page
    assert "BPSDMD Provinsi Sumatera Selatan" in page
    assert "Siti Aminah" in page and "Dewi Lestari" in page and "Rahmat Hidayat" in page
    assert "pelatihan selesai" in page  # self-study met by the courses
    # The project phases are the assessment's: no attendance form for them.
    assert f'name="phase" value="{built.phases["project"]}"' not in page
    classroom = built.phases["classroom"]

    # Without the CSRF token nothing is stored.
    client.post(f"{url}/kehadiran", data={"phase": classroom, "members": built.members["pegawai"]})
    assert _count(app, PhaseMark) == 0
    token = csrf_token(client, f"{url}/kemajuan")
    ticked = [built.members["pegawai"], built.members["disdik"], built.members["atasan"]]
    response = client.post(
        f"{url}/kehadiran",
        data={"csrf_token": token, "phase": classroom, "members": ticked},
        follow_redirects=True,
    )
    assert "Tanda tahap tersimpan: 3 ditambahkan, 0 dihapus." in _flashes(
        response.get_data(as_text=True)
    )
    # Unticking takes a mark away (the form is the whole list).
    client.post(
        f"{url}/kehadiran",
        data={"csrf_token": token, "phase": classroom, "members": ticked[:2]},
    )
    assert _count(app, PhaseMark) == 2
    # A participant who is not an active member of this cohort is refused, nothing changes.
    response = client.post(
        f"{url}/kehadiran",
        data={"csrf_token": token, "phase": classroom, "members": [built.members["hr"]]},
        follow_redirects=True,
    )
    assert any("bukan peserta aktif" in f for f in _flashes(response.get_data(as_text=True)))
    assert _count(app, PhaseMark) == 2

    # Closing asks first, with what it will decide.
    asked = client.post(f"{url}/tutup", data={"csrf_token": token})
    body = asked.get_data(as_text=True)
    assert asked.status_code == 200 and "Ya, tutup angkatan" in body
    assert "1 peserta lulus" in body and "2 peserta tidak lulus" in body
    with app.app_context():
        assert db.session.scalar(select(Cohort.closed_at).where(Cohort.code == "PKP-UJI-I")) is None
    done = client.post(
        f"{url}/tutup", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True
    )
    html = done.get_data(as_text=True)
    assert "Angkatan ditutup: 1 lulus, 2 tidak lulus." in _flashes(html)
    assert "Aksi perubahan: Kurang Memuaskan" in html
    assert "Fase Tahap classroom belum selesai" in html
    assert _count(app, Completion, Completion.programme_id.is_not(None)) == 1
    # Closed: marks are refused with the reason, closing again changes nothing.
    response = client.post(
        f"{url}/kehadiran",
        data={"csrf_token": token, "phase": classroom, "members": []},
        follow_redirects=True,
    )
    assert any("sudah ditutup" in f for f in _flashes(response.get_data(as_text=True)))
    assert _count(app, PhaseMark) == 2
    again = client.post(
        f"{url}/tutup", data={"csrf_token": token, "confirm": "1"}, follow_redirects=True
    )
    assert "Angkatan ini sudah ditutup sebelumnya; tidak ada yang berubah." in _flashes(
        again.get_data(as_text=True)
    )
    assert _count(app, Completion, Completion.programme_id.is_not(None)) == 1


def test_closing_before_the_end_date_is_refused_with_the_date(app, client, world, monkeypatch):
    _setup(app, world, monkeypatch, ends_on=TODAY + timedelta(days=3))
    login(client, "bkpsdm")
    page = client.get("/angkatan/PKP-UJI-I/kemajuan").get_data(as_text=True)
    assert "belum dapat ditutup" in page and "Tutup angkatan</button>" not in page
    token = csrf_token(client, "/angkatan/PKP-UJI-I/kemajuan")
    response = client.post(
        "/angkatan/PKP-UJI-I/tutup",
        data={"csrf_token": token, "confirm": "1"},
        follow_redirects=True,
    )
    assert any("belum dapat ditutup" in f for f in _flashes(response.get_data(as_text=True)))
    with app.app_context():
        assert db.session.scalar(select(Cohort.closed_at).where(Cohort.code == "PKP-UJI-I")) is None


def test_only_the_organising_partner_and_bkpsdm_organise(app, client, world, monkeypatch):
    _setup(app, world, monkeypatch)
    with app.app_context():
        other = PartnerInstitution(code="UNSRI", name="Universitas Sriwijaya")
        db.session.add(other)
        db.session.flush()
        db.session.get(User, world.users["mitra"].id).partner_id = other.id
        db.session.commit()
    login(client, "mitra")
    assert client.get("/angkatan/PKP-UJI-I/kemajuan").status_code == 404
    listing = client.get("/angkatan/penyelenggaraan").get_data(as_text=True)
    assert "PKP-UJI-I" not in listing
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "bkpsdm")
    assert client.get("/angkatan/PKP-UJI-I/kemajuan").status_code == 200
    assert "PKP-UJI-I" in client.get("/angkatan/penyelenggaraan").get_data(as_text=True)


def test_participant_sees_their_phases_and_result(app, client, world, monkeypatch):
    built = _setup(app, world, monkeypatch)
    login(client, "pegawai")
    page = client.get("/angkatan/PKP-UJI-I/saya").get_data(as_text=True)
    assert "Kemajuan saya" in page
    assert "2 dari 2 pelatihan program selesai" not in page  # met: says so instead
    assert "pelatihan selesai" in page
    assert "Hasil ditetapkan ketika penyelenggara menutup angkatan" in page
    with app.app_context():
        from lms.completion.programmes import closing

        closing.close_cohort(
            None,
            db.session.get(
                Cohort, db.session.scalar(select(Cohort.id).where(Cohort.code == "PKP-UJI-I"))
            ),
        )
        db.session.commit()
    page = client.get("/angkatan/PKP-UJI-I/saya").get_data(as_text=True)
    assert "Tidak lulus" in page and "Fase Tahap classroom belum selesai" in page
    assert "Tidak ada sertifikat untuk angkatan ini." in page
    # The programme page links the participant to it and shows the result.
    programme = client.get("/program/PPKP-UJI-I").get_data(as_text=True)
    assert "/angkatan/PKP-UJI-I/saya" in programme and "Tidak lulus" in programme
    assert built.members["atasan"]  # atasan takes part too; bkpsdm does not: no page for them
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "bkpsdm")
    assert client.get("/angkatan/PKP-UJI-I/saya").status_code == 404


def test_hr_cohort_page_shows_the_grid_and_a_closed_cohort_offers_no_changes(
    app, client, world, monkeypatch
):
    _setup(app, world, monkeypatch)
    login(client, "bkpsdm")
    page = client.get("/angkatan/PKP-UJI-I").get_data(as_text=True)
    assert "Kemajuan peserta per tahap" in page and "<progress" in page
    assert "Tambah peserta" in page and "BPSDMD Provinsi Sumatera Selatan" in page
    with app.app_context():
        from lms.completion.programmes import closing

        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKP-UJI-I"))
        closing.close_cohort(None, cohort)
        db.session.commit()
    page = client.get("/angkatan/PKP-UJI-I").get_data(as_text=True)
    assert "sudah ditutup pada" in page
    assert "Tambah peserta" not in page and "Ubah angkatan" not in page
    assert "Tidak lulus" in page and "Belum ditutup" not in page
    edit = client.get("/angkatan/PKP-UJI-I/ubah", follow_redirects=True)
    assert any("sudah ditutup pada" in f for f in _flashes(edit.get_data(as_text=True)))
