"""The STTPP: a programme completion's certificate, in its kind's own number series, with the
participant's qualification, the organiser (a partner beside BKPSDM), the programme's JP in
figures and words and the cohort's dates; none for a failed participant; the verification page
and the PDF show it (rendered to PNG in tests/_artifacts/screenshots/)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.auth.models import PartnerInstitution
from lms.certificates.models import Certificate, CertificateSeries
from lms.certificates.render import render_pdf
from lms.certificates.services import (
    CertificateError,
    current_certificate,
    default_series,
    issue_for,
)
from lms.completion.models import Completion
from lms.extensions import db as _db
from lms.org.models import Employee
from lms.tasks import run_ready
from tests.certificates.test_render import page_count, page_png, pdf_text, squash
from tests.completion.programmes import (
    cohort_of,
    complete_course_on,
    complete_programme,
    in_cohort_days,
    join,
    programme_with_four_courses,
)
from tests.conftest import csrf_token, login


def _pkp(world, *, partner: bool = False, code: str = "PKP-UJI"):
    programme, courses = programme_with_four_courses(code=code)
    partner_id = None
    if partner:
        partner_id = _db.session.scalar(
            select(PartnerInstitution.id).where(PartnerInstitution.code == "BPSDMD")
        )
    cohort = cohort_of(programme, partner_id=partner_id)
    return programme, courses, cohort


def _participant(world, key: str) -> Employee:
    return _db.session.get(Employee, world.employees[key].id)


def test_a_programme_completion_gets_an_sttpp_in_its_kinds_series(db, world) -> None:
    programme, courses, cohort = _pkp(world)
    employee = _participant(world, "pegawai")
    join(
        cohort,
        employee,
        status="completed",
        result="passed",
        score="86.25",
        qualification="Memuaskan",
    )
    course_done = complete_course_on(employee, courses[0], in_cohort_days()[0], cohort=cohort)
    done = complete_programme(employee, cohort, score="86.25")
    certificate = current_certificate(done.id)
    f = certificate.fields

    assert certificate.series.code == "STTPP-PKP"
    assert certificate.number == f"0001/STTPP-PKP/BKPSDM/{certificate.year}"
    # the course certificate keeps the default series and its own numbering
    assert current_certificate(course_done.id).series.is_default
    assert f["document"] == "STTPP" and f["kind"] == "programme"
    assert f["title"] == "Pelatihan Kepemimpinan Pengawas"
    assert f["cohort"] == "Angkatan I Tahun 2025"
    assert (f["start_date"], f["end_date"]) == ("3 Februari 2025", "27 Juni 2025")
    assert f["jp"] == "830"
    assert f["jp_words"] == "830 (delapan ratus tiga puluh) jam pelajaran"
    assert f["qualification"] == "Memuaskan" and f["score"] == "86,25"
    assert f["organiser"] == "BKPSDM Kota Palembang" and "co_organiser" not in f
    assert "partner" not in f
    # page 2: the cohort's agenda (the kind's phases) adds up to the programme's JP
    assert [s["title"] for s in f["subjects"]][0] == "Belajar mandiri"
    assert sum(int(s["jp"]) for s in f["subjects"]) == 830


def test_a_second_sttpp_continues_the_series_and_other_kinds_have_their_own(db, world) -> None:
    _programme, _courses, cohort = _pkp(world)
    latsar, _ = programme_with_four_courses("LATSAR", code="LAT-UJI", jenis=None)
    latsar_cohort = cohort_of(latsar)
    first, second = _participant(world, "pegawai"), _participant(world, "disdik")
    for employee in (first, second):
        join(cohort, employee, status="completed", result="passed", score="90")
    join(latsar_cohort, _participant(world, "hr"), status="completed", result="passed")
    a = current_certificate(complete_programme(first, cohort).id)
    b = current_certificate(complete_programme(second, cohort).id)
    c = current_certificate(complete_programme(_participant(world, "hr"), latsar_cohort).id)
    assert (a.seq, b.seq) == (1, 2) and a.series_id == b.series_id
    assert c.series.code == "STTPP-LATSAR" and c.seq == 1
    assert c.series.name == "STTPP Pelatihan Dasar CPNS"


def test_a_partner_organiser_is_printed_beside_bkpsdm(db, world) -> None:
    _programme, _courses, cohort = _pkp(world, partner=True)
    employee = _participant(world, "pegawai")
    join(cohort, employee, status="completed", result="passed", score="93")
    certificate = current_certificate(complete_programme(employee, cohort, score="93").id)
    f = certificate.fields
    assert f["organiser"] == "BPSDMD Provinsi Sumatera Selatan"
    assert f["co_organiser"] == "BKPSDM Kota Palembang"
    # no qualification given by the closing: the passing band of the final score
    assert f["qualification"] == "Sangat Memuaskan"


def test_a_failed_participant_gets_no_sttpp(db, world) -> None:
    _programme, courses, cohort = _pkp(world)
    employee = _participant(world, "atasan")
    join(
        cohort,
        employee,
        status="completed",
        result="failed",
        score="52",
        qualification="Tidak Memuaskan",
    )
    for course, day in zip(courses, in_cohort_days(), strict=True):
        complete_course_on(employee, course, day, cohort=cohort)
    # the closing writes no programme completion for them; even if one were written, the
    # certificate is refused: by the signal (no number) and by a direct request (an error)
    done = complete_programme(employee, cohort, score="52")
    assert current_certificate(done.id) is None
    with pytest.raises(CertificateError, match="tidak lulus"):
        issue_for(done)
    sttpps = _db.session.scalar(
        select(func.count())
        .select_from(Certificate)
        .join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.programme_id.is_not(None))
    )
    assert sttpps == 0
    # their four courses keep their own certificates
    assert _db.session.scalar(select(func.count()).select_from(Certificate)) == 4


@pytest.fixture
def sttpp_issued(app, world):
    """A committed, rendered STTPP of `pegawai` (a partner organised the cohort)."""
    with app.app_context():
        _programme, _courses, cohort = _pkp(world, partner=True)
        employee = _participant(world, "pegawai")
        employee.birth_place = "Palembang"
        series = default_series()
        series.signatory_name = "Dr. Hj. Ratna Sari Dewi, S.H., M.Si."
        series.signatory_nip = "197203151998032004"
        series.signatory_pangkat = "Pembina Utama Muda (IV/c)"
        join(
            cohort,
            employee,
            status="completed",
            result="passed",
            score="91.5",
            qualification="Sangat Memuaskan",
        )
        done = complete_programme(employee, cohort, score="91.5")
        _db.session.commit()
        assert run_ready() >= 1
        certificate = current_certificate(done.id)
        yield {"token": certificate.token, "number": certificate.number, "id": certificate.id}
        _db.session.rollback()


def test_the_verification_page_shows_the_sttpp_fields(client, sttpp_issued) -> None:
    page = client.get(f"/verify/{sttpp_issued['token']}").get_data(as_text=True)
    for expected in (
        "STTPP (Surat Tanda Tamat Pendidikan dan Pelatihan)",
        sttpp_issued["number"],
        "Pelatihan Kepemimpinan Pengawas",
        "Angkatan I Tahun 2025",
        "Sangat Memuaskan",
        "830 (delapan ratus tiga puluh) jam pelajaran",
        "BPSDMD Provinsi Sumatera Selatan",
        "BKPSDM Kota Palembang",
        "3 Februari 2025",
        "27 Juni 2025",
    ):
        assert expected in page, expected
    body = client.get(f"/api/v1/certificates/{sttpp_issued['token']}").get_json()
    assert body["document"] == "STTPP" and body["co_organiser"] == "BKPSDM Kota Palembang"
    assert body["qualification"] == "Sangat Memuaskan" and body["jp"] == "830"


def test_the_sttpp_pdf_prints_its_fields(app, sttpp_issued, tmp_path) -> None:
    with app.app_context():
        certificate = _db.session.get(Certificate, sttpp_issued["id"])
        pdf = render_pdf(certificate)
        text = squash(pdf_text(pdf, tmp_path))
        for expected in (
            "STTPP",
            "SURATTANDATAMATPENDIDIKANDANPELATIHAN",
            certificate.number,
            "PelatihanKepemimpinanPengawas",
            "AngkatanITahun2025",
            "olehBPSDMDProvinsiSumateraSelatanbekerjasamadenganBKPSDMKotaPalembang",
            "padatanggal3Februari2025s.d.27Juni2025",
            "830(delapanratustigapuluh)jampelajaran",
            "dinyatakanLULUSdengankualifikasiSangatMemuaskan",
            "AGENDAPELATIHAN",
            "Aksiperubahan(implementasi)",
            "Dr.Hj.RatnaSariDewi",
        ):
            assert expected in text, expected
        assert "SURATTANDATAMATPELATIHAN" not in text
        assert page_count(pdf, tmp_path) == 2
        page_png(pdf, tmp_path, 1, "sttpp-page1.png")
        page_png(pdf, tmp_path, 2, "sttpp-page2.png")


def test_bkpsdm_sets_up_an_sttpp_series_before_the_first_one(app, client, world) -> None:
    login(client, "bkpsdm")
    page = client.get("/kelola/sertifikat/seri").get_data(as_text=True)
    assert "Seri STTPP per jenis program" in page and "Pelatihan Kepemimpinan Pengawas" in page
    token = csrf_token(client, "/kelola/sertifikat/seri")
    response = client.post("/kelola/sertifikat/seri/sttpp/PKA", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        series = _db.session.scalar(
            select(CertificateSeries).where(CertificateSeries.code == "STTPP-PKA")
        )
        assert series is not None and series.prefix == "STTPP-PKA" and not series.is_default
        series_id = series.id
    assert response.headers["Location"].endswith(f"/kelola/sertifikat/seri/{series_id}")
    page = client.get(f"/kelola/sertifikat/seri/{series_id}").get_data(as_text=True)
    assert "STTPP Pelatihan Kepemimpinan Administrator" in page
    data = {
        "csrf_token": csrf_token(client, f"/kelola/sertifikat/seri/{series_id}"),
        "name": "STTPP PKA",
        "number_format": "{seq:03d}/{prefix}/{year}",
        "prefix": "PKA",
        "issuer_name": "BKPSDM Kota Palembang",
        "place_of_issue": "Palembang",
        "signatory_position": "Kepala BKPSDM Kota Palembang",
        "signatory_name": "Ir. Budi Hartono",
    }
    saved = client.post(f"/kelola/sertifikat/seri/{series_id}", data=data)
    assert saved.status_code == 302
    with app.app_context():
        series = _db.session.get(CertificateSeries, series_id)
        assert (series.prefix, series.signatory_name) == ("PKA", "Ir. Budi Hartono")
        assert default_series().prefix != "PKA"  # the default series is untouched
    assert (
        client.post("/kelola/sertifikat/seri/sttpp/NOPE", data={"csrf_token": token}).status_code
        == 404
    )
