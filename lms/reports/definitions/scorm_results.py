"""SCORM results: per learner and SCO, what the package stored (status, score, time, suspend data,
interactions). The package's own strings are data: pages escape them (autoescape), exports write
them as text (never formulas, ``lms.spreadsheets``).

Partner staff see the results of their institution's packages (``Package.partner_id``): the
package is what they made, whichever course it became. BKPSDM reviewers' plays are left out.
One row per learner and SCO: the newest attempt, with its number (earlier attempts are history)."""

from __future__ import annotations

from collections.abc import Iterator

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, distinct, func, select
from sqlalchemy.orm import aliased

from lms.auth.models import User
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import local_time, local_zone
from lms.org.models import Employee, Unit
from lms.packages.models import Package, PackageSco, PackageVersion
from lms.packages.runtime.cmi import format_timespan_12
from lms.packages.runtime.models import ScoAttempt
from lms.reports.definitions.base import PEOPLE, PERIOD, Column, Page, SqlReport
from lms.reports.definitions.helpers import filter_people, filter_period, person_columns
from lms.reports.filters import Filters, Scope

SCORM_STATUS = {
    "passed": _l("Lulus"),
    "completed": _l("Selesai"),
    "failed": _l("Tidak lulus"),
    "incomplete": _l("Belum selesai"),
    "browsed": _l("Dilihat"),
    "not attempted": _l("Belum dicoba"),
    "unknown": _l("Tidak diketahui"),
}
#: Characters of suspend data and of interactions shown on a report page (exports: all of them).
SHOWN_CHARS = 1000
#: Interaction fields shown, in this order (1.2 ``student_response``, 2004 ``learner_response``).
_FIELDS = ("type", "student_response", "learner_response", "result", "latency")


def interactions_text(data: dict | None) -> str:
    """The interactions a package stored as plain text: ``id: field=value, …; id: …``."""
    extra = (data or {}).get("extra") or {}
    found: dict[int, dict[str, str]] = {}
    for key, value in extra.items():
        parts = key.split(".")
        if len(parts) == 4 and parts[1] == "interactions" and parts[2].isdigit():
            found.setdefault(int(parts[2]), {})[parts[3]] = str(value)
    lines = []
    for n in sorted(found):
        item = found[n]
        shown = ", ".join(f"{k}={item[k]}" for k in _FIELDS if item.get(k))
        lines.append(f"{item.get('id') or n}: {shown}".rstrip(": "))
    return "; ".join(lines)


def _status():
    """1.2: lesson status; 2004: success status when decided, else completion status."""
    decided = ScoAttempt.success_status.in_(("passed", "failed"))
    return func.coalesce(
        ScoAttempt.lesson_status,
        case((decided, ScoAttempt.success_status), else_=ScoAttempt.completion_status),
    )


class ScormResultsReport(SqlReport):
    def columns(self) -> list[Column]:
        return [
            *person_columns(),
            Column("kode", _l("Kode pelatihan")),
            Column("paket", _l("Paket")),
            Column("sco", _l("Materi (SCO)")),
            Column("percobaan", _l("Percobaan"), "int"),
            Column("status", _l("Status"), labels=SCORM_STATUS),
            Column("nilai", _l("Nilai"), "number"),
            Column("waktu", _l("Total waktu"), sortable=False),
            Column("disimpan", _l("Terakhir disimpan")),
            Column("suspend", _l("Data tersimpan (suspend data)"), sortable=False),
            Column("interaksi", _l("Interaksi"), sortable=False),
        ]

    def select(self, scope: Scope, f: Filters, lean: bool = False) -> Select:
        cur = aliased(Unit)
        status = _status()
        other = aliased(ScoAttempt)
        newest = (
            select(func.max(other.attempt))
            .where(other.sco_id == ScoAttempt.sco_id, other.user_id == ScoAttempt.user_id)
            .scalar_subquery()
        )
        stmt = (
            select(
                Employee.nip.label("nip"),
                Employee.full_name.label("nama"),
                cur.name.label("unit"),
                Course.code.label("kode"),
                Package.code.label("paket"),
                PackageSco.title.label("sco"),
                ScoAttempt.attempt.label("percobaan"),
                status.label("status"),
                ScoAttempt.score_raw.label("nilai"),
                ScoAttempt.total_time_cs.label("waktu"),
                ScoAttempt.updated_at.label("disimpan"),
                ScoAttempt.suspend_data.label("suspend"),
                ScoAttempt.cmi.label("interaksi"),
                ScoAttempt.id.label("id"),
            )
            .join(PackageSco, PackageSco.id == ScoAttempt.sco_id)
            .join(PackageVersion, PackageVersion.id == PackageSco.version_id)
            .join(Package, Package.id == PackageVersion.package_id)
            .outerjoin(Course, Course.id == PackageVersion.course_id)
            .join(User, User.id == ScoAttempt.user_id)
            .join(Employee, Employee.id == User.employee_id)
            .join(cur, cur.id == Employee.unit_id)
            .where(
                ScoAttempt.is_review.is_(False),
                ScoAttempt.attempt == newest,
                scope.employee_clause(Employee, cur, partner=Package.partner_id),
            )
        )
        if f.status in SCORM_STATUS:
            stmt = stmt.where(status == f.status)
        stmt = filter_period(stmt, f, ScoAttempt.updated_at)
        stmt = filter_people(stmt, f, Employee, cur)
        if f.course:
            stmt = stmt.where(Course.code == f.course)
        return stmt

    def iter_rows(
        self, scope: Scope, f: Filters, limit: int | None = None, offset: int = 0
    ) -> Iterator[list]:
        keys = [c.key for c in self.columns()]
        waktu, disimpan, interaksi = (keys.index(k) for k in ("waktu", "disimpan", "interaksi"))
        zone = local_zone()
        for row in super().iter_rows(scope, f, limit, offset):
            data = row[interaksi] if isinstance(row[interaksi], dict) else {}
            session = data.get("session") or {}
            row[waktu] = format_timespan_12((row[waktu] or 0) + int(session.get("cs") or 0))
            if row[disimpan] is not None:
                row[disimpan] = f"{local_time(row[disimpan], zone):%d/%m/%Y %H:%M}"
            row[interaksi] = interactions_text(data)
            yield row

    def page(self, scope: Scope, f: Filters) -> Page:
        """On the page, long stored text is cut at ``SHOWN_CHARS`` (a 2004 SCO may keep 64,000
        characters of suspend data); exports carry it whole."""
        result = super().page(scope, f)
        keys = [c.key for c in self.columns()]
        for i in (keys.index("suspend"), keys.index("interaksi")):
            for row in result.rows:
                if row[i] and len(row[i]) > SHOWN_CHARS:
                    row[i] = row[i][:SHOWN_CHARS] + "…"
        return result

    def totals(self, scope: Scope, f: Filters) -> list[tuple[str, object]]:
        sub = self.lean(scope, f)
        finished = case((sub.c.status.in_(("passed", "completed")), 1), else_=0)
        rows, people, done = db.session.execute(
            select(func.count(), func.count(distinct(sub.c.nip)), func.sum(finished)).select_from(
                sub
            )
        ).one()
        return [
            (_("Baris"), rows or 0),
            (_("Peserta"), people or 0),
            (_("Lulus atau selesai"), done or 0),
        ]


REPORT = ScormResultsReport(
    "scorm",
    _l("Hasil SCORM"),
    _l("Status, nilai, waktu, data tersimpan dan interaksi per peserta dan materi SCORM."),
    (*PERIOD, *PEOPLE, "pelatihan", "status"),
    statuses=SCORM_STATUS,
    default_sort="-disimpan",
    partner_scoped=True,
)
