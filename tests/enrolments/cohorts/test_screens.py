"""HR screens for programmes and cohorts, through the HTTP client; bad input changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lms.enrolments.cohorts.models import Cohort, CohortPhase, Programme
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.enrolments.cohorts.builders import TODAY, make_cohort, make_programme
from tests.factories import make_course


def _programme_form(token: str, course_ids: list[int | str], **over: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "code": "PKA",
        "title": "Pelatihan Kepemimpinan Administrator",
        "summary": "Untuk pejabat administrator.",
        "jenis_diklat": "1",
    }
    for i in range(6):
        data[f"courses-{i}"] = str(course_ids[i]) if i < len(course_ids) else ""
    data.update(over)
    return data


def _cohort_form(token: str, **over: str) -> dict[str, str]:
    data = {
        "csrf_token": token,
        "code": "PKA-2026-II",
        "name": "Angkatan II Tahun 2026",
        "starts_on": (TODAY + timedelta(days=30)).isoformat(),
        "ends_on": (TODAY + timedelta(days=150)).isoformat(),
        "enrol_deadline": (TODAY + timedelta(days=20)).isoformat(),
        "quota": "30",
        "place": "Aula BKPSDM Kota Palembang",
        "approval_steps": "supervisor,hr",
        "position_types": ["administrator", "pengawas"],
        "min_grade": "III/c",
        "phases-0-name": "Belajar mandiri",
        "phases-0-starts_on": (TODAY + timedelta(days=30)).isoformat(),
        "phases-0-ends_on": (TODAY + timedelta(days=60)).isoformat(),
        "phases-1-name": "Klasikal",
        "phases-1-starts_on": (TODAY + timedelta(days=61)).isoformat(),
        "phases-1-ends_on": (TODAY + timedelta(days=90)).isoformat(),
        "phases-2-name": "",
        "phases-2-starts_on": "",
        "phases-2-ends_on": "",
    }
    data.update(over)
    return data


def _courses(app, *codes: str) -> list[int]:
    with app.app_context():
        ids = [make_course(code, title=f"Pelatihan {code}").id for code in codes]
        db.session.commit()
    return ids


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _errors(html: str) -> list[str]:
    return re.findall(r'class="field-error">([^<]*)<', html)


def test_hr_creates_a_programme_with_ordered_courses(app, client, world) -> None:
    first, second, third = _courses(app, "ADM-101", "ADM-102", "ADM-103")
    login(client, "bkpsdm")
    token = csrf_token(client, "/program/baru")
    response = client.post("/program/baru", data=_programme_form(token, [third, "", first]))
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    assert response.headers["Location"].endswith("/program/PKA")
    page = client.get("/program/PKA").get_data(as_text=True)
    assert "Pelatihan Kepemimpinan Administrator" in page
    assert page.index("Pelatihan ADM-103") < page.index("Pelatihan ADM-101")
    assert "Pelatihan ADM-102" not in page

    # Edit: reorder and add the second course; the form shows the current order first.
    form = client.get("/program/PKA/ubah").get_data(as_text=True)
    assert re.search(rf'<option selected value="{third}"|<option value="{third}" selected', form)
    token = csrf_token(client, "/program/PKA/ubah")
    response = client.post(
        "/program/PKA/ubah",
        data=_programme_form(token, [first, second, third], title="PKA (diperbarui)"),
    )
    assert response.status_code == 302
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == "PKA"))
        assert programme.title == "PKA (diperbarui)"
        assert [pc.course.code for pc in programme.courses] == ["ADM-101", "ADM-102", "ADM-103"]
    listing = client.get("/program").get_data(as_text=True)
    assert "PKA (diperbarui)" in listing


def test_programme_form_refuses_bad_input_and_changes_nothing(app, client, world) -> None:
    first, second = _courses(app, "ADM-101", "ADM-102")
    login(client, "bkpsdm")
    token = csrf_token(client, "/program/baru")
    page = client.post("/program/baru", data=_programme_form(token, [first, second, first]))
    assert page.status_code == 200
    assert _errors(page.get_data(as_text=True)) == [
        "Pelatihan ke-3 (ADM-101) sudah dipilih di baris ke-1."
    ]
    page = client.post("/program/baru", data=_programme_form(token, []))
    assert _errors(page.get_data(as_text=True)) == [
        "Pilih minimal satu pelatihan untuk program ini."
    ]
    page = client.post("/program/baru", data=_programme_form(token, [first], code="P K A"))
    assert "Kode hanya boleh berisi huruf, angka, dan tanda hubung" in page.get_data(as_text=True)
    page = client.post("/program/baru", data=_programme_form(token, [999999]))
    assert _errors(page.get_data(as_text=True)) == ["Pelatihan ke-1 tidak dikenal."]
    assert _count(app, Programme) == 0
    client.post("/program/baru", data=_programme_form(token, [first]))
    page = client.post("/program/baru", data=_programme_form(token, [second], title="Lain"))
    assert _errors(page.get_data(as_text=True)) == ["Kode program PKA sudah dipakai."]
    assert _count(app, Programme) == 1


def test_hr_creates_and_edits_a_cohort_with_phases(app, client, world) -> None:
    with app.app_context():
        make_programme("PKA")
        db.session.commit()
    login(client, "bkpsdm")
    token = csrf_token(client, "/program/PKA/angkatan/baru")
    response = client.post("/program/PKA/angkatan/baru", data=_cohort_form(token))
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    assert response.headers["Location"].endswith("/angkatan/PKA-2026-II")
    page = client.get("/angkatan/PKA-2026-II").get_data(as_text=True)
    assert "Angkatan II Tahun 2026" in page
    assert "Belajar mandiri" in page and "Klasikal" in page
    assert "Kuota terpakai: 0 dari 30 peserta" in page
    assert "Jabatan Administrator, Jabatan Pengawas; golongan minimal III/c" in page
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKA-2026-II"))
        assert cohort.eligibility == {
            "position_types": ["administrator", "pengawas"],
            "min_grade": "III/c",
            "min_grade_rank": 11,
        }
        assert cohort.approval_steps == "supervisor,hr"

    form = client.get("/angkatan/PKA-2026-II/ubah").get_data(as_text=True)
    assert 'value="Belajar mandiri"' in form and 'value="Aula BKPSDM Kota Palembang"' in form
    token = csrf_token(client, "/angkatan/PKA-2026-II/ubah")
    data = _cohort_form(token, quota="", approval_steps="", **{"phases-1-name": "Klasikal di Aula"})
    data["position_types"] = []
    response = client.post("/angkatan/PKA-2026-II/ubah", data=data)
    assert response.status_code == 302, _errors(response.get_data(as_text=True))
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.code == "PKA-2026-II"))
        assert cohort.quota is None and cohort.approval_steps == ""
        assert [p.name for p in cohort.phases] == ["Belajar mandiri", "Klasikal di Aula"]
        assert cohort.eligibility == {"min_grade": "III/c", "min_grade_rank": 11}
    assert "Angkatan II Tahun 2026" in client.get("/angkatan").get_data(as_text=True)


BAD_COHORTS = [
    (
        {"ends_on": (TODAY + timedelta(days=10)).isoformat()},
        "Tanggal selesai tidak boleh sebelum tanggal mulai.",
    ),
    ({"quota": "0"}, "Kuota harus lebih dari 0 (kosongkan bila tanpa batas)."),
    ({"quota": "banyak"}, "Kuota harus bilangan bulat."),
    ({"quota": "9" * 20}, "Kuota paling banyak 100.000 (kosongkan bila tanpa batas)."),
    ({"starts_on": "31-12-2026"}, "Tanggal tidak valid; gunakan format TTTT-BB-HH."),
    ({"starts_on": ""}, "Tanggal mulai wajib diisi."),
    (
        {"enrol_deadline": (TODAY + timedelta(days=200)).isoformat()},
        "Batas pendaftaran tidak boleh setelah tanggal selesai angkatan.",
    ),
    (
        {"phases-1-ends_on": (TODAY + timedelta(days=400)).isoformat()},
        "Tahap ke-2 (Klasikal) harus berada di dalam tanggal angkatan (tahap ini ",
    ),
    (
        {"phases-1-starts_on": (TODAY + timedelta(days=50)).isoformat()},
        "Tahap ke-2 (Klasikal) tumpang tindih dengan tahap sebelumnya; urutkan tahap menurut "
        "tanggal.",
    ),
    (
        {"phases-0-ends_on": (TODAY + timedelta(days=29)).isoformat()},
        "Tahap ke-1 (Belajar mandiri): tanggal selesai sebelum tanggal mulai.",
    ),
    ({"phases-2-starts_on": TODAY.isoformat()}, "Tahap ke-3: nama tahap wajib diisi."),
    ({"approval_steps": "siapa-saja"}, "Tahap persetujuan tidak dikenal."),
    ({"min_grade": "IX/z"}, "Golongan minimal tidak dikenal: IX/z."),
]


def test_cohort_form_refuses_bad_input_naming_the_field(app, client, world) -> None:
    with app.app_context():
        make_programme("PKA")
        db.session.commit()
    login(client, "bkpsdm")
    token = csrf_token(client, "/program/PKA/angkatan/baru")
    for over, message in BAD_COHORTS:
        page = client.post("/program/PKA/angkatan/baru", data=_cohort_form(token, **over))
        assert page.status_code == 200, over
        html = page.get_data(as_text=True)
        assert any(e.startswith(message) for e in _errors(html)), (over, _errors(html))
    assert _count(app, Cohort) == 0
    assert _count(app, CohortPhase) == 0


def test_duplicate_cohort_code_and_quota_below_participants_are_refused(app, client, world) -> None:
    from lms.enrolments.cohorts import services as cs
    from lms.org.models import Employee

    with app.app_context():
        programme = make_programme("PKA")
        cohort = make_cohort(programme, "PKA-2026-II", quota=5)
        for key in ("pegawai", "atasan"):
            cs.add_member(None, cohort, db.session.get(Employee, world.employees[key].id))
        db.session.commit()
    login(client, "bkpsdm")
    token = csrf_token(client, "/program/PKA/angkatan/baru")
    page = client.post("/program/PKA/angkatan/baru", data=_cohort_form(token))
    assert _errors(page.get_data(as_text=True)) == ["Kode angkatan PKA-2026-II sudah dipakai."]
    token = csrf_token(client, "/angkatan/PKA-2026-II/ubah")
    page = client.post("/angkatan/PKA-2026-II/ubah", data=_cohort_form(token, quota="1"))
    assert _errors(page.get_data(as_text=True)) == [
        "Kuota tidak boleh lebih kecil dari jumlah peserta aktif (2)."
    ]
    with app.app_context():
        assert db.session.scalar(select(Cohort.quota).where(Cohort.code == "PKA-2026-II")) == 5


def test_unknown_programme_or_cohort_is_404(app, client, world) -> None:
    login(client, "bkpsdm")
    assert client.get("/program/TIDAK-ADA").status_code == 404
    assert client.get("/program/TIDAK-ADA/ubah").status_code == 404
    assert client.get("/program/TIDAK-ADA/angkatan/baru").status_code == 404
    assert client.get("/angkatan/TIDAK-ADA").status_code == 404
    assert client.get("/angkatan/TIDAK-ADA/ubah").status_code == 404
