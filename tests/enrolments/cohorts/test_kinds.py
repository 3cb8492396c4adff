"""Programme kinds in HR's screens and the content loader (issue 17): a programme's kind and own
JP, a new cohort's default agenda dated from its start, eligibility from the kind, the organiser,
and phase kinds and JP on the pages."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.enrolments.cohorts.loader import load_programmes
from lms.enrolments.cohorts.models import Cohort, Programme
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.enrolments.cohorts.builders import TODAY, make_programme
from tests.factories import make_course


def _errors(html: str) -> list[str]:
    return re.findall(r'class="field-error">([^<]*)<', html)


def _programme(token: str, course_id: int, **over: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "code": "PKP",
        "title": "Pelatihan Kepemimpinan Pengawas",
        "summary": "",
        "jenis_diklat": "1",
        "kind": "PKP",
        "jp": "",
        "courses-0": str(course_id),
    }
    data.update(over)
    return data


def test_a_programme_takes_its_kind_its_jp_and_the_kinds_eligibility(app, client, world):
    with app.app_context():
        course_id = make_course("KPM-201").id
        db.session.commit()
    login(client, "bkpsdm")
    form = client.get("/program/baru").get_data(as_text=True)
    assert "Pelatihan Kepemimpinan Pengawas (830 JP)" in form
    assert re.search(r'<option selected value="INSTANSI"|<option value="INSTANSI" selected', form)
    token = csrf_token(client, "/program/baru")
    response = client.post("/program/baru", data=_programme(token, course_id))
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        pkp = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
        # Blank JP takes the kind's; the kind's eligibility becomes the programme's default.
        assert (pkp.kind_code, pkp.jp) == ("PKP", 830)
        assert pkp.eligibility == {"position_types": ["pengawas", "pelaksana"]}
    page = client.get("/program/PKP").get_data(as_text=True)
    assert "830 JP" in page and "Aksi perubahan" in page and "struktural" in page

    # Its own JP, and bad values named on the field.
    token = csrf_token(client, "/program/PKP/ubah")
    response = client.post("/program/PKP/ubah", data=_programme(token, course_id, jp="800"))
    assert response.status_code == 302
    page = client.post("/program/PKP/ubah", data=_programme(token, course_id, jp="0"))
    assert _errors(page.get_data(as_text=True)) == ["JP program harus antara 1 dan 5.000."]
    page = client.post("/program/PKP/ubah", data=_programme(token, course_id, kind="RAJA"))
    assert _errors(page.get_data(as_text=True)) == ["Jenis program RAJA tidak dikenal."]
    with app.app_context():
        pkp = db.session.scalar(select(Programme).where(Programme.code == "PKP"))
        assert (pkp.kind_code, pkp.jp) == ("PKP", 800)


def test_a_new_cohort_starts_from_the_kinds_agenda_dated_from_its_start(app, client, world):
    with app.app_context():
        programme = make_programme("LAT")
        programme.kind_code = "LATSAR"
        db.session.commit()
    login(client, "bkpsdm")
    form = client.get("/program/LAT/angkatan/baru").get_data(as_text=True)
    # Five phases of the kind: kind, name, JP and days prefilled; no dates yet.
    assert re.search(
        r'<input[^>]*name="phases-4-name"[^>]*value="Seminar dan evaluasi akhir"', form
    )
    assert re.search(r'<input[^>]*name="phases-2-days"[^>]*value="14"', form)
    assert re.search(r'<input[^>]*name="phases-2-starts_on"[^>]*value=""', form)
    assert re.search(
        r'<option selected value="classroom">|<option value="classroom" selected', form
    )
    token = csrf_token(client, "/program/LAT/angkatan/baru")
    start = TODAY + timedelta(days=30)
    data = {
        "csrf_token": token,
        "code": "LAT-2027-I",
        "name": "Angkatan I Tahun 2027",
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=100)).isoformat(),
        "approval_steps": "hr",
        "organiser": "",
    }
    agenda = [
        ("Pembelajaran mandiri", "self_study", "90", "18"),
        ("Pembelajaran jarak jauh", "distance", "150", "21"),
        ("Pembelajaran klasikal", "classroom", "126", "14"),
        ("Aktualisasi di tempat kerja", "project", "180", "30"),
        ("Seminar dan evaluasi akhir", "evaluation", "15", "3"),
    ]
    for i, (name, kind, jp, days) in enumerate(agenda):
        data.update(
            {
                f"phases-{i}-name": name,
                f"phases-{i}-kind": kind,
                f"phases-{i}-jp": jp,
                f"phases-{i}-days": days,
            }
        )
    response = client.post("/program/LAT/angkatan/baru", data=data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "LAT-2027-I"))
        phases = [(p.kind, p.jp, p.starts_on, p.ends_on) for p in cohort.phases]
    assert phases[0] == ("self_study", 90, start, start + timedelta(days=17))
    assert phases[1][2] == start + timedelta(days=18)  # the day after the previous phase
    assert phases[-1] == (
        "evaluation",
        15,
        start + timedelta(days=83),
        start + timedelta(days=85),
    )
    page = client.get("/angkatan/LAT-2027-I").get_data(as_text=True)
    assert "Aktualisasi di tempat kerja" in page and "180 JP" in page
    assert "BKPSDM Kota Palembang" in page  # no partner: BKPSDM organises

    # An agenda longer than the cohort is refused on the phase that overruns, with its dates.
    data.update(code="LAT-2027-II", ends_on=(start + timedelta(days=60)).isoformat())
    page = client.post("/program/LAT/angkatan/baru", data=data).get_data(as_text=True)
    assert any(
        e.startswith("Tahap ke-4 (Aktualisasi di tempat kerja) harus berada di dalam tanggal")
        for e in _errors(page)
    ), _errors(page)
    data.update({"phases-3-days": "0"})
    page = client.post("/program/LAT/angkatan/baru", data=data).get_data(as_text=True)
    assert "Tahap ke-4 (Aktualisasi di tempat kerja): lama tahap harus 1–366 hari." in _errors(page)


def test_the_organiser_is_chosen_and_shown(app, client, world):
    with app.app_context():
        make_programme("PKA")
        partner = db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
        )
        partner_id = partner.id
        db.session.commit()
    login(client, "bkpsdm")
    form = client.get("/program/PKA/angkatan/baru").get_data(as_text=True)
    assert "BPSDMD Provinsi Sumatera Selatan" in form
    token = csrf_token(client, "/program/PKA/angkatan/baru")
    data = {
        "csrf_token": token,
        "code": "PKA-2027-I",
        "name": "Angkatan I",
        "starts_on": (TODAY + timedelta(days=10)).isoformat(),
        "ends_on": (TODAY + timedelta(days=50)).isoformat(),
        "organiser": str(partner_id),
        "approval_steps": "",
    }
    assert client.post("/program/PKA/angkatan/baru", data=data).status_code == 302
    page = client.get("/program/PKA").get_data(as_text=True)
    assert "Penyelenggara" in page and "BPSDMD Provinsi Sumatera Selatan" in page
    data.update(code="PKA-2027-II", organiser="999999")
    page = client.post("/program/PKA/angkatan/baru", data=data).get_data(as_text=True)
    assert "Penyelenggara tidak dikenal." in _errors(page)


def test_loader_reads_kind_jp_organiser_and_phase_days(db, world, tmp_path: Path) -> None:
    make_course("UJI-101")
    folder = tmp_path / "programmes"
    folder.mkdir()
    (folder / "a.yaml").write_text(
        "code: LAT\nkind: LATSAR\ntitle: Latsar\ncourses: [UJI-101]\norganiser: BPSDMD\n"
        "cohorts:\n  - code: LAT-I\n    name: Angkatan I\n    start: 2026-03-02\n"
        "    end: 2026-03-31\n    phases:\n"
        "      - {kind: self_study, name: Mandiri, jp: 20, days: 10}\n"
        "      - {kind: classroom, name: Klasikal, jp: 30, days: 5}\n",
        "utf-8",
    )
    (folder / "b.yaml").write_text("code: BBB\nkind: RAJA\ntitle: B\ncourses: [UJI-101]\n", "utf-8")
    (folder / "c.yaml").write_text(
        "code: CCC\ntitle: C\ncourses: [UJI-101]\norganiser: TIDAK-ADA\n"
        "cohorts:\n  - {code: CCC-I, name: I, start: 2026-03-02, end: 2026-03-31}\n",
        "utf-8",
    )
    result = load_programmes(folder)
    db.session.commit()
    errors = {Path(e["file"]).name: e["message"] for e in result["errors"]}
    assert set(errors) == {"b.yaml", "c.yaml"}
    assert "Jenis program RAJA tidak dikenal" in errors["b.yaml"]
    assert "TIDAK-ADA" in errors["c.yaml"] and "belum terdaftar" in errors["c.yaml"]
    lat = db.session.scalar(select(Programme).where(Programme.code == "LAT"))
    assert (lat.kind_code, lat.jp, lat.eligibility) == ("LATSAR", 561, {})
    [cohort] = lat.cohorts
    assert cohort.organiser_partner.code == "BPSDMD"
    assert [(p.kind, p.jp, p.starts_on.day, p.ends_on.day) for p in cohort.phases] == [
        ("self_study", 20, 2, 11),
        ("classroom", 30, 12, 16),
    ]
    assert db.session.scalar(select(Programme).where(Programme.code == "CCC")) is None
    again = load_programmes(folder)
    assert (again["created"], again["updated"]) == (0, 0)
