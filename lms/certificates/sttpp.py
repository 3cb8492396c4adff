"""The STTPP: the certificate of a programme completion (Surat Tanda Tamat Pendidikan dan
Pelatihan), as LAN practice prints it for Latsar, PKP, PKA, PKN and the instansi's programmes.

- **Its own number series**, one per programme kind (``STTPP-PKP``, ``STTPP-LATSAR``, ...; a
  programme without a kind is the instansi's own: ``STTPP-INSTANSI``), created on first use
  from the default series (issuer, place, signatory, images, number format) with the prefix
  ``STTPP-<kind>``, so PKP numbers run ``0001/STTPP-PKP/BKPSDM/2026``, ``0002/...`` apart from
  course certificates. BKPSDM edits each series like the default one (``/kelola/sertifikat/seri``).
- **The organiser** (penyelenggara): the partner institution that ran the cohort, beside
  BKPSDM ("diselenggarakan oleh BPSDMD ... bekerja sama dengan BKPSDM Kota Palembang"), or
  BKPSDM itself. The learning record and the SIASN export (``institusiPenyelenggara``) use the
  same words, so an organiser is never blank.
- **The result**: the participant's qualification (``CohortMember.qualification``, a passing
  kualifikasi band) and final score; the cohort's dates; the programme's own JP in figures and
  words (the completion's JP, counted once); page 2 lists the cohort's agenda (phases with their
  JP) or, without one, the programme's courses.
- **Only who passed**: a participant whose result is ``failed`` gets no STTPP (``refusal``);
  programme completion gives them none either (only passed participants complete).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import PartnerInstitution
from lms.certificates.kualifikasi import load_bands, printed_kualifikasi
from lms.certificates.models import CertificateSeries
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import CohortMember, Programme, ProgrammeKind
from lms.extensions import db
from lms.indonesian import tanggal
from lms.org.queries import agency_organiser

DOCUMENT = "STTPP"
DOCUMENT_NAME = "Surat Tanda Tamat Pendidikan dan Pelatihan"
#: The kind of a programme that has none: the instansi's own.
DEFAULT_KIND = "INSTANSI"


@dataclass(frozen=True)
class Organisers:
    """Who ran a programme's cohort: ``organiser`` (the penyelenggara) and, when that is a
    partner institution, ``co_organiser`` (BKPSDM, beside it)."""

    organiser: str
    co_organiser: str = ""


def organisers(completion: Completion) -> Organisers:
    """The organiser of a programme completion's cohort (never blank)."""
    agency = agency_organiser()
    cohort = completion.cohort
    partner_id = cohort.organiser_partner_id if cohort is not None else None
    if partner_id is not None:
        partner = db.session.get(PartnerInstitution, partner_id)
        if partner is not None and partner.name.strip():
            return Organisers(partner.name.strip(), agency)
    return Organisers((completion.organiser or "").strip() or agency)


def participant(completion: Completion) -> CohortMember | None:
    """The completion's place in its cohort (None for a programme completed outside a cohort)."""
    if completion.cohort_id is None:
        return None
    return db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == completion.cohort_id,
            CohortMember.employee_id == completion.employee_id,
        )
    )


def refusal(completion: Completion) -> str | None:
    """Why this completion may not have a certificate, or None. A failed participant gets none."""
    if completion.programme_id is None:
        return None
    member = participant(completion)
    if member is not None and member.result == "failed":
        return _("Peserta dinyatakan tidak lulus: STTPP tidak diterbitkan.")
    return None


def series_code(kind_code: str | None) -> str:
    return f"STTPP-{kind_code or DEFAULT_KIND}"


def series_for(programme: Programme, default: CertificateSeries) -> CertificateSeries:
    """The STTPP series of a programme's kind; made from ``default`` the first time (flushes)."""
    return series_for_kind(programme.kind_code, default)


def kinds_with_series() -> list[tuple[ProgrammeKind, CertificateSeries | None]]:
    """Every programme kind with its STTPP series (None until made), for the settings page."""
    kinds = db.session.scalars(select(ProgrammeKind).order_by(ProgrammeKind.position)).all()
    codes = [series_code(kind.code) for kind in kinds]
    found = {
        s.code: s
        for s in db.session.scalars(
            select(CertificateSeries).where(CertificateSeries.code.in_(codes))
        )
    }
    return [(kind, found.get(series_code(kind.code))) for kind in kinds]


def series_for_kind(kind_code: str | None, default: CertificateSeries) -> CertificateSeries:
    """The STTPP series of a programme kind; made from ``default`` the first time (flushes)."""
    code = series_code(kind_code)
    series = db.session.scalar(select(CertificateSeries).where(CertificateSeries.code == code))
    if series is not None:
        return series
    kind = db.session.get(ProgrammeKind, kind_code or DEFAULT_KIND)
    series = CertificateSeries(
        code=code,
        name=f"{DOCUMENT} {kind.name if kind is not None else 'Program pengembangan instansi'}",
        number_format=default.number_format,
        prefix=code,
        is_default=False,
        issuer_name=default.issuer_name,
        issuer_parent=default.issuer_parent,
        place_of_issue=default.place_of_issue,
        signatory_name=default.signatory_name,
        signatory_position=default.signatory_position,
        signatory_nip=default.signatory_nip,
        signatory_pangkat=default.signatory_pangkat,
        signature_key=default.signature_key,
        logo_key=default.logo_key,
    )
    db.session.add(series)
    db.session.flush()
    return series


def _qualification(member: CohortMember | None, score: Decimal | None) -> str:
    """The participant's qualification if it is a passing band's name, else the passing band
    of the score (never a failing word on a certificate)."""
    passing = {band.name.casefold(): band.name for band in load_bands() if band.passing}
    given = (member.qualification or "").strip() if member is not None else ""
    if given.casefold() in passing:
        return passing[given.casefold()]
    return printed_kualifikasi(score)


def _agenda(completion: Completion, jp_text) -> list[dict]:
    """Page 2: the cohort's phases with their JP; without phases, the programme's courses."""
    cohort = completion.cohort
    if cohort is not None and cohort.phases:
        return [
            {"title": phase.name, "jp": jp_text(phase.jp) if phase.jp is not None else "–"}
            for phase in cohort.phases
        ]
    programme = db.session.get(Programme, completion.programme_id)
    rows = []
    for pc in programme.courses if programme is not None else []:
        version = pc.course.published_version
        if version is not None:
            rows.append({"title": version.title, "jp": jp_text(version.jp)})
    return rows


def printed(completion: Completion, jp_text) -> dict:
    """The STTPP's own printed fields, laid over a certificate's common ones (``services``)."""
    member = participant(completion)
    cohort = completion.cohort
    score = member.final_score if member is not None and member.final_score is not None else None
    score = score if score is not None else completion.score
    who = organisers(completion)
    fields: dict = {
        "document": DOCUMENT,
        "organiser": who.organiser,
        "score": jp_text(score) if score is not None else "",
        "qualification": _qualification(member, score),
        "subjects": _agenda(completion, jp_text),
    }
    if who.co_organiser:
        fields["co_organiser"] = who.co_organiser
    if cohort is not None:
        fields["start_date"] = tanggal(cohort.starts_on)
        fields["end_date"] = tanggal(cohort.ends_on)
    return fields
