"""Certificate routes for the access matrix (tests/test_access_matrix.py), and the builders the
certificate view tests share.

The certificate in the URLs belongs to `pegawai` (Seksi Pelayanan Kesehatan, Dinas Kesehatan, whose
supervisor is `atasan`): so the owner, BKPSDM, the Dinkes Admin OPD and the supervisor may open it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lms.certificates.models import Certificate
from lms.completion import services as completion_services
from lms.extensions import db
from lms.org.models import Employee

PUBLIC = "public"
LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee record
REPORTERS = {"admin_bkpsdm", "admin_opd", "atasan"}  # MANAGE_CERTIFICATES or VIEW_REPORTS
BKPSDM = {"admin_bkpsdm"}

EXPECTED = {
    ("certificates.verify_search", "GET"): PUBLIC,
    ("certificates.verify", "GET"): PUBLIC,
    ("certificates.verify_pdf", "GET"): PUBLIC,
    ("api.certificate", "GET"): PUBLIC,
    ("certificates.my_certificates", "GET"): LEARNERS,
    ("certificates.download", "GET"): {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"},
    ("certificates.pdf_status", "GET"): {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"},
    ("certificates.register", "GET"): REPORTERS,
    ("certificates.detail", "GET"): REPORTERS,
    ("certificates.revoke", "POST"): BKPSDM,
    ("certificates.reissue", "POST"): BKPSDM,
    ("certificates.cohort_zip", "GET"): REPORTERS,
    ("certificates.series_settings", "GET"): BKPSDM,
    ("certificates.series_settings", "POST"): BKPSDM,
    ("certificates.series_edit", "GET"): BKPSDM,
    ("certificates.series_edit", "POST"): BKPSDM,
    ("certificates.sttpp_series_create", "POST"): BKPSDM,
}
# Someone else's certificate answers like a missing one.
HIDDEN = {
    ("certificates.download", "GET"),
    ("certificates.pdf_status", "GET"),
    ("certificates.detail", "GET"),
    ("certificates.revoke", "POST"),
    ("certificates.reissue", "POST"),
}


def make_cohort(code: str = "CERT-ANGK-I", name: str = "Angkatan I"):
    from lms.enrolments.cohorts.models import Cohort, Programme

    programme = Programme(code=f"P-{code}", title=f"Program {name}")
    db.session.add(programme)
    today = datetime.now(UTC).date()
    cohort = Cohort(
        programme=programme,
        code=code,
        name=name,
        starts_on=today - timedelta(days=30),
        ends_on=today - timedelta(days=1),
        place="Aula BKPSDM",
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def issue_certificate(
    employee: Employee,
    course,
    *,
    score: float = 86.5,
    cohort_id: int | None = None,
    completed_at: datetime | None = None,
) -> Certificate:
    """A classroom completion and its certificate, as HR would record it (flushed)."""
    completion = completion_services.complete_course(
        employee,
        course,
        completed_at=completed_at or datetime.now(UTC) - timedelta(days=1),
        score=score,
        source="classroom",
        cohort_id=cohort_id,
    )
    db.session.flush()
    return db.session.scalar(
        db.select(Certificate).where(
            Certificate.completion_id == completion.id, Certificate.status == "issued"
        )
    )


def build_args(world) -> dict:
    from tests.factories import make_course

    course = make_course("SERT-AKSES", title="Pelatihan Akses Sertifikat")
    cohort = make_cohort("SERT-AKSES-I")
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    certificate = issue_certificate(pegawai, course, cohort_id=cohort.id)
    from lms.certificates import services as certificates
    from lms.certificates import sttpp

    series = sttpp.series_for_kind("PKP", certificates.default_series())
    return {
        "series_id": series.id,
        "kind_code": "PKA",
        "certificate_id": certificate.id,
        "value": certificate.number,
        "token": certificate.token,
        "number": certificate.number,
        "cohort_id": cohort.id,
    }
