"""Issue 15: the signature block names the position with its region and prints the signatory's
pangkat/golongan under the name; a partner institution's course prints the partner beside the
organiser; online learning reads "secara daring" (not "di Daring (e-learning)")."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.certificates import render
from lms.certificates.display import printed_rows
from lms.certificates.models import CertificateSeries
from lms.certificates.render import organised_by, render_pdf
from lms.certificates.services import current_certificate, default_series
from lms.certificates.verification import public_fields
from lms.extensions import db as _db
from lms.org.nip import format_nip
from tests.certificates.test_render import pdf_text, squash

SIGNATORY_NIP = "196805121990031007"


def _complete(*, partner: bool, source: str = "online", organiser: str = "BKPSDM Kota Palembang"):
    """A published course (a partner's when ``partner``) completed by `pegawai`: the certificate."""
    from lms.completion.services import complete_course
    from tests.factories import build_world, make_course

    w = build_world()
    w.instansi.city = "Palembang"
    series = default_series()
    series.signatory_name = "Drs. H. Ahmad Fauzi, M.Si."
    series.signatory_nip = SIGNATORY_NIP
    series.signatory_pangkat = "Pembina Utama Muda (IV/c)"
    course = make_course("MTR-01", title="Kepemimpinan Pengawas", lessons=2)
    course.published_version.organiser = organiser
    if partner:
        course.partner = _db.session.scalar(
            select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
        )
    completion = complete_course(
        w.employees["pegawai"],
        course,
        completed_at=datetime(2026, 11, 28, 3, 0, tzinfo=UTC),
        started_on=date(2026, 11, 3),
        score=Decimal("90"),
        source=source,
    )
    _db.session.flush()
    return current_certificate(completion.id)


def test_the_default_series_names_the_position_with_its_region(db) -> None:
    from tests.factories import build_world

    build_world()  # instansi "Pemerintah Kota Palembang"
    series = default_series()
    assert series.signatory_position == "Kepala BKPSDM Kota Palembang"
    assert series.issuer_name == (
        "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palembang"
    )


def test_signature_block_position_name_pangkat_nip(db, tmp_path) -> None:
    certificate = _complete(partner=False)
    fields = certificate.fields
    assert fields["signatory_position"] == "Kepala BKPSDM Kota Palembang"
    assert fields["signatory_pangkat"] == "Pembina Utama Muda (IV/c)"
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    block = [
        "KepalaBKPSDMKotaPalembang",
        "Drs.H.AhmadFauzi,M.Si.",
        "PembinaUtamaMuda(IV/c)",
        squash("NIP. " + format_nip(SIGNATORY_NIP)),
    ]
    at = [text.find(part) for part in block]
    assert all(i >= 0 for i in at), dict(zip(block, at, strict=True))
    assert at == sorted(at), "position, then name, then pangkat, then NIP"


def test_online_learning_reads_secara_daring(db, tmp_path) -> None:
    certificate = _complete(partner=False)
    assert certificate.fields["place"] == "Daring"
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    assert "yangdiselenggarakansecaradaringpadatanggal3November2026s.d.28November2026" in text
    assert "diDaring" not in text and "e-learning" not in text
    # Certificates issued before say "Daring (e-learning)": they read the same way now.
    certificate.fields = {**certificate.fields, "place": "Daring (e-learning)"}
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    assert "secaradaring" in text and "diDaring" not in text


def test_a_venue_is_still_printed_with_di(db, tmp_path) -> None:
    certificate = _complete(partner=False, source="classroom")
    assert certificate.fields["place"] == "Palembang"  # the series' place of issue
    html = render.render_html(certificate)
    assert "secara daring" not in html
    assert "di Palembang" in " ".join(html.split())


def test_a_partners_course_prints_the_partner_as_organiser(db, tmp_path) -> None:
    certificate = _complete(partner=True)
    fields = certificate.fields
    assert fields["organiser"] == "BKPSDM Kota Palembang"
    assert fields["partner"] == "BPSDMD Provinsi Sumatera Selatan"
    text = squash(pdf_text(render_pdf(certificate), tmp_path))
    assert (
        squash(
            "yang diselenggarakan oleh BKPSDM Kota Palembang bekerja sama dengan BPSDMD Provinsi "
            "Sumatera Selatan secara daring pada tanggal"
        )
        in text
    )
    # Frozen at issue: renaming the partner later does not rewrite the certificate.
    partner = _db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
    )
    partner.name = "Nama Baru Mitra"
    _db.session.flush()
    assert "NamaBaruMitra" not in squash(pdf_text(render_pdf(certificate), tmp_path))
    # The verification page and the API name the partner too.
    assert public_fields(fields)["partner"] == "BPSDMD Provinsi Sumatera Selatan"
    labels = {key: label for key, label, _value in printed_rows(fields)}
    assert labels["partner"] == "Bekerja sama dengan" and labels["organiser"] == "Penyelenggara"


def test_the_agencys_own_course_prints_no_organiser_phrase(db, tmp_path) -> None:
    certificate = _complete(partner=False)
    assert "partner" not in certificate.fields and "organiser" not in certificate.fields
    assert "bekerjasama" not in squash(pdf_text(render_pdf(certificate), tmp_path))


def test_organised_by() -> None:
    assert organised_by({}) == ""
    assert organised_by({"partner": "LAN", "organiser": "BKPSDM Kota Palembang"}) == (
        "oleh BKPSDM Kota Palembang bekerja sama dengan LAN"
    )
    assert organised_by({"partner": "LAN", "organiser": "lan"}) == "oleh LAN"
    assert organised_by({"partner": "LAN", "organiser": "", "issuer": "BKPSDM X"}) == (
        "oleh BKPSDM X bekerja sama dengan LAN"
    )


def test_the_series_settings_save_the_pangkat(app, client, world) -> None:
    from tests.conftest import csrf_token, login

    login(client, "bkpsdm")
    url = "/kelola/sertifikat/seri"
    page = client.get(url).get_data(as_text=True)
    assert "Pangkat/golongan penanda tangan" in page
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(client, url),
            "name": "Surat Tanda Tamat Pelatihan",
            "number_format": "{seq:04d}/{prefix}/BKPSDM/{year}",
            "prefix": "STTP",
            "issuer_name": "Badan Kepegawaian dan Pengembangan Sumber Daya Manusia Kota Palembang",
            "issuer_parent": "Pemerintah Kota Palembang",
            "place_of_issue": "Palembang",
            "signatory_position": "Kepala BKPSDM Kota Palembang",
            "signatory_name": "Drs. H. Ahmad Fauzi, M.Si.",
            "signatory_pangkat": "Pembina Utama Muda (IV/c)",
            "signatory_nip": SIGNATORY_NIP,
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)[-800:]
    with app.app_context():
        series = _db.session.scalar(select(CertificateSeries))
        assert series.signatory_pangkat == "Pembina Utama Muda (IV/c)"
        _db.session.remove()
