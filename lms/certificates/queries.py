"""Read side of certificates: scoped register, the employee's own list, cohort ZIP rows, audit trail.

Scope is enforced in SQL, never in a template: BKPSDM (who manages certificates) sees every
certificate, an Admin OPD those of employees now in their department's subtree, a supervisor those
of their direct reports; anyone else nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, case, false, func, or_, select

from lms.auth.models import AuditLog, User
from lms.certificates.models import CERTIFICATE_STATES, Certificate
from lms.completion.models import Completion
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import PersonalGeneration, db, kept
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can, employee_in_scope

PAGE_SIZE = 25

# How a certificate's state is named outside (verify page, JSON, lists).
PUBLIC_STATUS = {"issued": "valid", "revoked": "revoked", "replaced": "replaced"}


def public_status(certificate: Certificate) -> str:
    return PUBLIC_STATUS.get(certificate.status, certificate.status)


def pdf_state(certificate: Certificate) -> str:
    """``ready`` (stored), ``failed`` (its render raised; a download tries again) or ``pending``
    (issued, its render task not run yet)."""
    if certificate.pdf_key:
        return "ready"
    return "failed" if certificate.render_error else "pending"


# --- access ----------------------------------------------------------------------------------


def sees_all(user: User) -> bool:
    roles = user.roles
    return can(user, Capability.MANAGE_CERTIFICATES) or Role.ADMIN_SISTEM in roles


def in_register_scope(user: User, certificate: Certificate) -> bool:
    """May this user see the certificate in the HR register (detail page, ZIP)?"""
    if sees_all(user):
        return True
    if not can(user, Capability.VIEW_REPORTS):
        return False
    employee = db.session.get(Employee, certificate.employee_id)
    if employee is None:
        return False
    if user.employee_id == employee.id and Role.ADMIN_OPD not in user.roles:
        # A supervisor's own certificates are in /sertifikat, not in their team register.
        return False
    return employee_in_scope(user, employee)


def may_download(user: User, certificate: Certificate) -> bool:
    """The owner, HR who manages certificates, or someone who reports on the employee."""
    if user.employee_id is not None and user.employee_id == certificate.employee_id:
        return True
    return in_register_scope(user, certificate)


def scoped_certificates(user: User) -> Select:
    """Certificates the user may see in the register, joined to the employee and unit."""
    stmt = (
        select(Certificate)
        .join(Employee, Employee.id == Certificate.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
    )
    if sees_all(user):
        return stmt
    if not can(user, Capability.VIEW_REPORTS):
        return stmt.where(false())
    if Role.ADMIN_OPD in user.roles and user.admin_unit is not None:
        return stmt.where(Unit.path.startswith(user.admin_unit.path))
    if user.employee_id is not None:
        return stmt.where(Employee.supervisor_id == user.employee_id)
    return stmt.where(false())


# --- register --------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterFilters:
    q: str = ""
    year: int | None = None
    status: str = ""
    course_id: int | None = None
    cohort_id: int | None = None

    def as_args(self) -> dict[str, Any]:
        return {
            "q": self.q,
            "tahun": self.year or "",
            "status": self.status,
            "pelatihan": self.course_id or "",
            "angkatan": self.cohort_id or "",
        }


def register(user: User, filters: RegisterFilters, page: int = 1) -> tuple[list[Certificate], int]:
    """One page of the register and the total: two queries whatever the page holds."""
    stmt = scoped_certificates(user).join(Completion, Completion.id == Certificate.completion_id)
    q = filters.q.strip()
    if q:
        like = f"%{q.lower()}%"
        digits = "".join(q.split())
        stmt = stmt.where(
            or_(
                func.lower(Certificate.number).like(like),
                func.lower(Employee.full_name).like(like),
                Employee.nip.startswith(digits) if digits.isdigit() else false(),
                func.lower(Completion.title).like(like),
                func.lower(Completion.code).like(like),
            )
        )
    if filters.year:
        stmt = stmt.where(Certificate.year == filters.year)
    if filters.status in CERTIFICATE_STATES:
        stmt = stmt.where(Certificate.status == filters.status)
    if filters.course_id:
        stmt = stmt.where(Completion.course_id == filters.course_id)
    if filters.cohort_id:
        stmt = stmt.where(Completion.cohort_id == filters.cohort_id)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        .limit(PAGE_SIZE)
        .offset((max(page, 1) - 1) * PAGE_SIZE)
    ).all()
    return list(rows), total


def newest_of(completions: list[Completion]) -> dict[int, Certificate]:
    """The newest certificate of each completion (issued, or the last one revoked), by its id."""
    completion_ids = [c.id for c in completions]
    if not completion_ids:
        return {}
    found: dict[int, Certificate] = {}
    for cert in db.session.scalars(
        select(Certificate)
        .where(Certificate.completion_id.in_(completion_ids))
        .order_by(Certificate.id)
    ):
        found[cert.completion_id] = cert
    return found


def all_of(completion: Completion) -> list[Certificate]:
    """Every certificate of a completion, newest first (re-issues and revocations included)."""
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.completion_id == completion.id)
            .order_by(Certificate.id.desc())
        )
    )


def register_choices() -> dict[str, list[tuple[int, str]]]:
    """Years, courses and cohorts for the filters (three queries)."""
    years = db.session.scalars(
        select(Certificate.year).distinct().order_by(Certificate.year.desc())
    ).all()
    courses = db.session.execute(
        select(Completion.course_id, func.max(Completion.code), func.max(Completion.title))
        .join(Certificate, Certificate.completion_id == Completion.id)
        .where(Completion.course_id.is_not(None))
        .group_by(Completion.course_id)
        .order_by(func.max(Completion.title))
    ).all()
    cohorts = db.session.execute(
        select(Cohort.id, Cohort.code, Cohort.name).order_by(Cohort.starts_on.desc(), Cohort.id)
    ).all()
    return {
        "years": [(y, str(y)) for y in years],
        "courses": [(cid, f"{title} ({code})") for cid, code, title in courses],
        "cohorts": [(cid, f"{name} ({code})") for cid, code, name in cohorts],
    }


# --- the employee's own ----------------------------------------------------------------------


@lru_cache(maxsize=2)
def _mine_stmt(limited: bool) -> Select:
    """``mine``'s statement, built once (the employee and the limit are parameters)."""
    stmt = (
        select(Certificate)
        .where(Certificate.employee_id == bindparam("employee_id"))
        .order_by(
            case((Certificate.status == "issued", 0), else_=1),
            Certificate.issued_at.desc(),
            Certificate.id.desc(),
        )
    )
    if limited:
        stmt = stmt.where(Certificate.status == "issued").limit(bindparam("limit"))
    return stmt


def mine(employee_id: int, limit: int | None = None) -> list[Certificate]:
    """Own certificates, the valid ones first, newest first within each group (with a limit:
    only valid ones)."""
    params: dict[str, int] = {"employee_id": employee_id}
    if limit is not None:
        params["limit"] = limit
    return list(db.session.scalars(_mine_stmt(limit is not None), params))


#: Starts anew for an employee after a write of one of their certificates (issued, its PDF
#: made or failed, revoked, replaced): their latest certificates are kept under it.
MINE = PersonalGeneration("certificates:mine", (Certificate,), person="employee_id")


class LatestCertificate(NamedTuple):
    """A certificate as the dashboard lists it, with what its PDF link needs."""

    id: int
    number: str
    status: str
    pdf_key: str | None
    render_error: str
    title: str
    jp: str


def latest_mine(employee_id: int, limit: int = 3) -> list[LatestCertificate]:
    """The employee's latest valid certificates (``mine`` with a limit), kept under their own
    generation: the dashboard asks once until one of them changes."""
    key = f"certificates:latest:{MINE.token(employee_id)}:{employee_id}:{limit}"
    return kept(
        key,
        lambda: [
            LatestCertificate(
                c.id,
                c.number,
                c.status,
                c.pdf_key,
                c.render_error,
                str(c.fields.get("title", "")),
                str(c.fields.get("jp", "")),
            )
            for c in mine(employee_id, limit=limit)
        ],
    )


def replacement_numbers(certificates: list[Certificate]) -> dict[int, str]:
    """Number of the newer certificate for each replaced one (one query)."""
    ids = [c.replaced_by_id for c in certificates if c.replaced_by_id]
    if not ids:
        return {}
    rows = db.session.execute(
        select(Certificate.id, Certificate.number, Certificate.token).where(Certificate.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    return {
        c.id: by_id[c.replaced_by_id]
        for c in certificates
        if c.replaced_by_id and c.replaced_by_id in by_id
    }


# --- cohort ZIP ------------------------------------------------------------------------------


def cohort_certificate_ids(user: User, cohort_id: int) -> list[int]:
    """Valid certificates whose completion belongs to the cohort, within the user's scope."""
    stmt = (
        scoped_certificates(user)
        .join(Completion, Completion.id == Certificate.completion_id)
        .where(Completion.cohort_id == cohort_id, Certificate.status == "issued")
        .order_by(Certificate.number)
    )
    return list(db.session.scalars(stmt.with_only_columns(Certificate.id)))


# --- audit trail -----------------------------------------------------------------------------


def audit_trail(certificate: Certificate) -> list[tuple[AuditLog, str]]:
    """Audit rows of the certificate and of its completion, oldest first, with the actor's name."""
    stmt = (
        select(AuditLog, User.display_name, User.username)
        .outerjoin(User, User.id == AuditLog.actor_id)
        .where(
            or_(
                and_(
                    AuditLog.object_type == "Certificate",
                    AuditLog.object_id == str(certificate.id),
                ),
                and_(
                    AuditLog.object_type == "Completion",
                    AuditLog.object_id == str(certificate.completion_id),
                ),
            )
        )
        .order_by(AuditLog.at, AuditLog.id)
    )
    return [(row, name or username or "") for row, name, username in db.session.execute(stmt)]
