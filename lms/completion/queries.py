"""Read side of completions: the HR list in the user's scope, the attendance roster, the feed cursor.

Scope is enforced in SQL: an Admin OPD sees completions whose department at completion time lies in
their subtree, or whose employee works there now (a transfer keeps the old department's history and
shows it to the new department too). BKPSDM and the system administrator see everything.
"""

from __future__ import annotations

import base64
import binascii
import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, case, false, func, or_, select, true
from sqlalchemy.orm import aliased, joinedload

from lms.auth.models import User
from lms.completion.models import COMPLETION_SOURCES, COMPLETION_STATES, Completion
from lms.courses.models import Course, CourseVersion
from lms.db import INT_MAX
from lms.enrolments.cohorts.models import Cohort, ProgrammeCourse
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.indonesian import number
from lms.org.models import Employee, Unit
from lms.permissions import Role

PAGE_SIZE = 25


def _scope_path(user: User) -> str | None:
    """None: everything; "": nothing; otherwise the unit path prefix the user administers."""
    roles = user.roles
    if Role.ADMIN_BKPSDM in roles or Role.ADMIN_SISTEM in roles:
        return None
    if Role.ADMIN_OPD in roles and user.admin_unit is not None:
        return user.admin_unit.path
    return ""


def _completion_scope(user: User) -> ColumnElement[bool]:
    path = _scope_path(user)
    if path is None:
        return true()
    if not path:
        return false()
    opd = aliased(Unit)
    current = aliased(Unit)
    at_completion = select(opd.id).where(opd.id == Completion.unit_id, opd.path.startswith(path))
    now = (
        select(Employee.id)
        .join(current, current.id == Employee.unit_id)
        .where(Employee.id == Completion.employee_id, current.path.startswith(path))
    )
    return or_(at_completion.exists(), now.exists())


def completion_in_scope(user: User, completion: Completion) -> bool:
    return bool(
        db.session.scalar(
            select(func.count(Completion.id)).where(
                Completion.id == completion.id, _completion_scope(user)
            )
        )
    )


@dataclass
class CompletionFilters:
    course: str = ""  # course or programme code
    status: str = ""
    source: str = ""
    page: int = 1

    @classmethod
    def from_args(cls, args) -> CompletionFilters:
        status = args.get("status", "")
        source = args.get("sumber", "")
        try:
            page = max(int(args.get("page", 1)), 1)
        except ValueError:
            page = 1
        return cls(
            course=args.get("pelatihan", "").strip()[:40],
            status=status if status in COMPLETION_STATES else "",
            source=source if source in COMPLETION_SOURCES else "",
            page=page,
        )


@dataclass
class CompletionPage:
    rows: list[Completion]
    total: int
    page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / PAGE_SIZE))


def list_completions(user: User, filters: CompletionFilters) -> CompletionPage:
    """Recent completions in the user's scope, newest first; two queries whatever the page (the
    list shows each one's certificate through certificates' ``certificates_of``: a third)."""
    stmt: Select = select(Completion).where(_completion_scope(user))
    if filters.course:
        stmt = stmt.where(Completion.code == filters.course)
    if filters.status:
        stmt = stmt.where(Completion.status == filters.status)
    if filters.source:
        stmt = stmt.where(Completion.source == filters.source)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = list(
        db.session.scalars(
            stmt.order_by(Completion.completed_at.desc(), Completion.id.desc())
            .limit(PAGE_SIZE)
            .offset((filters.page - 1) * PAGE_SIZE)
        )
    )
    return CompletionPage(rows, total, filters.page)


def course_codes_with_completions(user: User) -> list[tuple[str, str]]:
    """(code, title) pairs for the list filter, from the completions the user can see."""
    rows = db.session.execute(
        select(Completion.code, func.max(Completion.title))
        .where(_completion_scope(user))
        .group_by(Completion.code)
        .order_by(Completion.code)
    ).all()
    return [(code, title) for code, title in rows]


# --- attendance ------------------------------------------------------------------------------


def attendance_courses() -> list[Course]:
    """Published, not archived courses; classroom and blended first (they are the usual case)."""
    mode_order = case(
        (CourseVersion.delivery_mode == "classroom", 0),
        (CourseVersion.delivery_mode == "blended", 1),
        else_=2,
    )
    return list(
        db.session.scalars(
            select(Course)
            .join(CourseVersion, CourseVersion.id == Course.published_version_id)
            .options(joinedload(Course.published_version))
            .where(Course.archived.is_(False))
            .order_by(mode_order, CourseVersion.title, Course.code)
        )
    )


def find_published_course(code: str) -> Course | None:
    return db.session.scalar(
        select(Course).where(
            Course.code == code,
            Course.archived.is_(False),
            Course.published_version_id.is_not(None),
        )
    )


def _scoped_employee_filter(user: User) -> ColumnElement[bool]:
    path = _scope_path(user)
    if path is None:
        return true()
    if not path:
        return false()
    return Unit.path.startswith(path)


def roster(user: User, course: Course) -> list[Enrolment]:
    """Active enrolments of the course whose employee is active and in the user's scope."""
    return list(
        db.session.scalars(
            select(Enrolment)
            .join(Employee, Employee.id == Enrolment.employee_id)
            .join(Unit, Unit.id == Employee.unit_id)
            .options(
                joinedload(Enrolment.employee).joinedload(Employee.unit),
                joinedload(Enrolment.employee).joinedload(Employee.golongan),
            )
            .where(
                Enrolment.course_id == course.id,
                Enrolment.status == "active",
                Employee.is_active.is_(True),
                _scoped_employee_filter(user),
            )
            .order_by(Employee.full_name, Employee.id)
        )
    )


def employees_by_nip(nips: list[str]) -> dict[str, Employee]:
    if not nips:
        return {}
    return {
        e.nip: e
        for e in db.session.scalars(
            select(Employee).options(joinedload(Employee.unit)).where(Employee.nip.in_(nips))
        )
    }


def completed_employee_ids(course: Course, employee_ids: list[int]) -> set[int]:
    if not employee_ids:
        return set()
    return set(
        db.session.scalars(
            select(Completion.employee_id).where(
                Completion.course_id == course.id,
                Completion.status == "valid",
                Completion.employee_id.in_(employee_ids),
            )
        )
    )


def cohorts_for_course(course: Course) -> list[Cohort]:
    """Cohorts of the programmes that include this course (newest first)."""
    programme_ids = select(ProgrammeCourse.programme_id).where(
        ProgrammeCourse.course_id == course.id
    )
    return list(
        db.session.scalars(
            select(Cohort)
            .where(Cohort.programme_id.in_(programme_ids))
            .order_by(Cohort.starts_on.desc(), Cohort.code)
        )
    )


# --- the feed cursor -------------------------------------------------------------------------


class CursorError(ValueError):
    pass


def encode_cursor(seq: int) -> str:
    """Opaque to consumers: base64url of ``s<seq>`` without padding."""
    return base64.urlsafe_b64encode(f"s{seq}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    if not cursor:
        return 0
    if len(cursor) > 40:
        raise CursorError("cursor is too long")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("cursor is not a value returned by this API") from None
    if not raw.startswith("s") or not raw[1:].isdigit() or encode_cursor(int(raw[1:])) != cursor:
        raise CursorError("cursor is not a value returned by this API")
    if int(raw[1:]) > INT_MAX:  # no event has it, and the database would refuse the number
        raise CursorError("cursor is not a value returned by this API")
    return int(raw[1:])


def revocation_confirmation(completion: Completion, reason: str) -> tuple[list, list]:
    """(details, consequences) of revoking ``completion``, for the page that asks first: what
    ``services.revoke`` and those subscribed to its event do, in the words HR reads."""
    identity = completion.identity or {}
    details = [
        (_("Pegawai"), f"{identity.get('name', '')} ({identity.get('nip', '')})"),
        (_("Pelatihan"), f"{completion.title} ({completion.code})"),
        (_("Jam pelajaran"), f"{number(completion.jp)} JP, {completion.year}"),
        (_("Alasan"), reason.strip()),
    ]
    consequences = [
        _(
            "Kelulusan ini dicabut: JP-nya tidak lagi dihitung, dan catatannya di riwayat belajar pegawai ditandai dihapus."
        ),
        _(
            "Sertifikatnya tidak berlaku lagi; halaman verifikasi publik menampilkannya sebagai dicabut beserta alasan ini."
        ),
        _("Pencabutan dikirim ke sistem lain (umpan kelulusan dan webhook)."),
        _("Tindakan ini tercatat di jejak audit dan tidak dapat dibatalkan."),
    ]
    return details, consequences
