"""Issuing, numbering, revoking and re-issuing certificates.

Numbers come from a per-series, per-year counter bumped with one atomic upsert
(``INSERT … ON CONFLICT DO UPDATE … RETURNING``), so parallel issues get distinct numbers without
a table lock; the unique constraints on ``number`` and ``(series, year, seq)`` back that up.
Rendering happens after the commit, in a task (``lms.certificates.tasks``): the number and the
record are written in the request, the PDF (a few hundred milliseconds of WeasyPrint) never is.
Without a broker the task goes to the app process's background thread (``background=True``), so
the page that completed a course answers at once; the certificate pages poll
``certificates.pdf_status`` until the PDF is stored, and a download before then renders it on
demand (``render.ensure_pdf``). CLI commands and the tests (``TASKS_IN_THREAD`` off) still render
inline after the commit.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.auth.models import User
from lms.auth.services import audit
from lms.certificates import sttpp
from lms.certificates.forms import check_number_format
from lms.certificates.kualifikasi import printed_kualifikasi
from lms.certificates.models import (
    ONLINE_PLACE,
    Certificate,
    CertificateCounter,
    CertificateSeries,
)
from lms.certificates.tasks import render_certificate
from lms.certificates.terbilang import jp_in_words
from lms.completion.models import Completion
from lms.completion.rules import allocate_jp
from lms.courses.models import CourseVersion, Lesson, Module
from lms.db import utcnow
from lms.enrolments.cohorts.models import Programme
from lms.errors import DomainError
from lms.extensions import db
from lms.indonesian import local_date, tanggal
from lms.org.identity import snapshot_identity
from lms.org.models import Instansi
from lms.org.queries import region_of
from lms.tasks import after_commit


class CertificateError(DomainError):
    """A refused certificate action; the message is for the user."""


def default_series() -> CertificateSeries:
    """The default series; created from the instansi on first use so a fresh install can issue."""
    series = db.session.scalar(
        select(CertificateSeries).where(CertificateSeries.is_default.is_(True))
    )
    if series is not None:
        return series
    instansi = db.session.scalar(select(Instansi).order_by(Instansi.id))
    city = instansi.city if instansi else ""
    region = region_of(instansi.name) if instansi else ""
    series = CertificateSeries(
        code="STTP",
        name="Surat Tanda Tamat Pelatihan",
        number_format="{seq:04d}/{prefix}/BKPSDM/{year}",
        prefix="STTP",
        is_default=True,
        issuer_name=" ".join(
            p for p in ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", region) if p
        ),
        issuer_parent=instansi.name if instansi else "",
        place_of_issue=city,
        signatory_position=default_signatory_position(region),
    )
    db.session.add(series)
    db.session.flush()
    return series


def default_signatory_position(region: str) -> str:
    """The signatory's position with the region, as the signature block prints it ("Kepala
    BKPSDM Kota Palembang"); a suggestion only: BKPSDM edits it in the series settings."""
    return f"Kepala BKPSDM {region}".strip()


def next_number(series: CertificateSeries, year: int) -> tuple[int, str]:
    """Reserve the next number of a series in a year (atomic, safe under concurrency)."""
    dialect = db.session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(CertificateCounter)
        .values(series_id=series.id, year=year, last_seq=1)
        .on_conflict_do_update(
            index_elements=["series_id", "year"],
            set_={"last_seq": CertificateCounter.last_seq + 1},
        )
        .returning(CertificateCounter.last_seq)
    )
    seq = db.session.execute(statement).scalar_one()
    return seq, format_number(series, seq, year)


#: The number of a series whose stored format is no longer accepted (saved before the checks).
FALLBACK_FORMAT = "{seq:04d}/{prefix}/{year}"


def format_number(series: CertificateSeries, seq: int, year: int) -> str:
    """The series' format filled in. A format the settings form would refuse now (a width that
    builds a huge string, a character outside the number's set) is never used: a certificate
    must still be issued, so the plain fallback format numbers it and the log says why."""
    number_format = series.number_format
    problem = check_number_format(number_format, series.prefix)
    if problem is not None:
        current_app.logger.error(
            "certificate series %s: unusable number format %r (%s); using %r",
            series.id,
            number_format[:100],
            problem,
            FALLBACK_FORMAT,
        )
        number_format = FALLBACK_FORMAT
    return number_format.format(seq=seq, prefix=series.prefix, year=year)


def _subjects(completion: Completion) -> list[dict]:
    """The second page of a course certificate: its modules with their JP (an STTPP lists its
    programme's agenda: ``sttpp.printed``)."""
    version = db.session.get(CourseVersion, completion.version_id)
    modules = db.session.scalars(
        select(Module).where(Module.version_id == version.id).order_by(Module.position)
    ).all()
    minutes = {m.id: 0 for m in modules}
    for module_id, lesson_minutes in db.session.execute(
        select(Lesson.module_id, Lesson.minutes).where(Lesson.version_id == version.id)
    ):
        minutes[module_id] = minutes.get(module_id, 0) + (lesson_minutes or 0)
    parts = allocate_jp(Decimal(version.jp), [minutes[m.id] for m in modules])
    return [{"title": m.title, "jp": _jp_text(jp)} for m, jp in zip(modules, parts, strict=True)]


def _jp_text(jp: Decimal | float) -> str:
    value = Decimal(str(jp)).normalize()
    return format(value, "f").replace(".", ",")


def printed_fields(
    completion: Completion, series: CertificateSeries, number: str, issued_at: datetime
) -> dict:
    """Every field printed on the certificate (and nothing else: the verify page shows all of it).
    A programme completion's certificate is an STTPP: its own fields are ``sttpp.printed``."""
    if completion.programme_id is not None:
        return {
            **_common_fields(completion, series, number, issued_at),
            **sttpp.printed(completion, _jp_text),
        }
    return {
        **_common_fields(completion, series, number, issued_at),
        **_organisers(completion),
        "subjects": _subjects(completion),
    }


def _common_fields(
    completion: Completion, series: CertificateSeries, number: str, issued_at: datetime
) -> dict:
    identity = completion.identity or {}
    birth = date.fromisoformat(identity["birth_date"]) if identity.get("birth_date") else None
    cohort_name, place = "", ""
    if completion.cohort is not None:
        cohort_name = completion.cohort.name
        place = completion.cohort.place
    if not place:
        place = ONLINE_PLACE if completion.source == "online" else series.place_of_issue
    completed_on = local_date(completion.completed_at)
    started_on = completion.started_on or completed_on
    golongan = identity.get("golongan", "")
    pangkat = identity.get("pangkat", "")
    return {
        "number": number,
        "issuer": series.issuer_name,
        "issuer_parent": series.issuer_parent,
        "title": completion.title,
        "kind": "programme" if completion.programme_id else "course",
        "cohort": cohort_name,
        "start_date": tanggal(started_on),
        "end_date": tanggal(completed_on),
        "place": place,
        "name": identity.get("name", ""),
        "nip": identity.get("nip", ""),
        "birth": ", ".join(p for p in (identity.get("birth_place", ""), tanggal(birth)) if p),
        # A PPPK golongan (I–XVII) has no pangkat: "Golongan IX", not " (IX)".
        "pangkat_golongan": (f"{pangkat} ({golongan})" if pangkat else f"Golongan {golongan}")
        if golongan
        else "",
        "jabatan": identity.get("jabatan", ""),
        "unit": identity.get("unit", ""),
        "opd": identity.get("opd", ""),
        "instansi": identity.get("instansi", ""),
        "jp": _jp_text(completion.jp),
        "jp_words": jp_in_words(Decimal(completion.jp)),
        "score": _jp_text(completion.score) if completion.score is not None else "",
        "qualification": printed_kualifikasi(completion.score),
        "issue_place": series.place_of_issue,
        "issue_date": tanggal(local_date(issued_at)),
        "signatory_position": series.signatory_position,
        "signatory_name": series.signatory_name,
        "signatory_nip": series.signatory_nip,
        "signatory_pangkat": series.signatory_pangkat or "",
    }


def _organisers(completion: Completion) -> dict:
    """A partner institution's course prints who ran it: the organiser "bekerja sama dengan" the
    partner. Frozen at issue like every other field; absent (not empty) for the agency's own
    courses, whose certificate reads as before."""
    course = completion.course if completion.programme_id is None else None
    partner = course.partner if course is not None else None
    if partner is None:
        return {}
    return {"organiser": completion.organiser or "", "partner": partner.name}


def current_certificate(completion_id: int) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.completion_id == completion_id, Certificate.status == "issued"
        )
    )


def issue_for(
    completion: Completion, by: User | None = None, series: CertificateSeries | None = None
) -> Certificate:
    """Issue the certificate of a valid completion (returns the existing one if issued); a
    programme completion's is an STTPP in its kind's series, and a failed participant gets none."""
    if completion.status != "valid":
        raise CertificateError(_("Kelulusan ini sudah dicabut."))
    refused = sttpp.refusal(completion)
    if refused:
        raise CertificateError(refused)
    existing = current_certificate(completion.id)
    if existing is not None:
        return existing
    series = series or series_of(completion)
    issued_at = utcnow()
    year = local_date(issued_at).year
    seq, number = next_number(series, year)
    certificate = Certificate(
        completion_id=completion.id,
        employee_id=completion.employee_id,
        series_id=series.id,
        year=year,
        seq=seq,
        number=number,
        issued_at=issued_at,
        issued_by_id=by.id if by else None,
        fields=printed_fields(completion, series, number, issued_at),
    )
    db.session.add(certificate)
    db.session.flush()
    schedule_render(certificate)
    return certificate


def series_of(completion: Completion) -> CertificateSeries:
    """The series a completion's certificate is numbered in: the default one for a course, the
    STTPP series of its programme's kind for a programme."""
    if completion.programme_id is not None:
        programme = db.session.get(Programme, completion.programme_id)
        if programme is not None:
            return sttpp.series_for(programme, default_series())
    return default_series()


def schedule_render(certificate: Certificate) -> None:
    """Render the PDF once the issue commits, off the request path (see the module docstring)."""
    after_commit(render_certificate, certificate.id, background=True)


def revoke_certificate(certificate: Certificate, by: User, reason: str) -> None:
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Alasan pencabutan wajib diisi."))
    if certificate.status != "issued":
        raise CertificateError(_("Sertifikat ini tidak berlaku lagi."))
    by_id = by.id  # read before changing anything: loading it may autoflush
    certificate.revoke_reason = reason
    certificate.revoked_by_id = by_id
    certificate.revoked_at = utcnow()
    certificate.status = "revoked"
    audit(
        by, "update", certificate, f"dicabut: {reason}", {"status": "issued"}, {"status": "revoked"}
    )
    db.session.flush()


def revoke_for_completion(completion: Completion, by: User, reason: str) -> None:
    certificate = current_certificate(completion.id)
    if certificate is not None:
        revoke_certificate(certificate, by, reason)


def reissue(certificate: Certificate, by: User, reason: str) -> Certificate:
    """A new number with fresh fields (e.g. after a name correction); the old one is 'replaced'."""
    reason = (reason or "").strip()
    if not reason:
        raise CertificateError(_("Alasan penerbitan ulang wajib diisi."))
    if certificate.status != "issued":
        raise CertificateError(_("Hanya sertifikat yang berlaku yang dapat diterbitkan ulang."))
    completion = certificate.completion
    completion.identity = snapshot_identity(completion.employee)
    by_id = by.id
    certificate.revoke_reason = reason
    certificate.revoked_by_id = by_id
    certificate.revoked_at = utcnow()
    certificate.status = "replaced"
    db.session.flush()
    new = issue_for(completion, by, certificate.series)
    certificate.replaced_by_id = new.id
    audit(
        by,
        "update",
        certificate,
        reason,
        {"number": certificate.number},
        {"number": new.number},
    )
    db.session.flush()
    return new


def status_of(certificate: Certificate) -> str:
    return certificate.status
