"""SKP rules: the period and its planned work results, evaluations, feedback and the HR view.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field → message) or
``CareerError`` (one message) from ``lms.careers.records.services``; the caller shows it and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers import scope
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.skp.models import (
    CHANGE_REASONS,
    SkpPeriod,
    SkpTarget,
)
from lms.careers.skp.predikat import Rating
from lms.db import utcnow
from lms.extensions import db
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee
from lms.org.models import EVALUATION_PERIODS, Employee, Instansi
from lms.org.signals import Position, position_changed
from lms.permissions import Capability, can, unit_in_scope

__all__ = ["CareerError", "RecordInvalid"]

BERAKHLAK = (
    ("berorientasi_pelayanan", _l("Berorientasi Pelayanan")),
    ("akuntabel", _l("Akuntabel")),
    ("kompeten", _l("Kompeten")),
    ("harmonis", _l("Harmonis")),
    ("loyal", _l("Loyal")),
    ("adaptif", _l("Adaptif")),
    ("kolaboratif", _l("Kolaboratif")),
)
BERAKHLAK_CODES = tuple(code for code, _label in BERAKHLAK)

RATING_LABELS = {
    "di_atas": _l("Di atas ekspektasi"),
    "sesuai": _l("Sesuai ekspektasi"),
    "di_bawah": _l("Di bawah ekspektasi"),
}
PREDIKAT_LABELS = {
    "sangat_baik": _l("Sangat Baik"),
    "baik": _l("Baik"),
    "butuh_perbaikan": _l("Butuh Perbaikan"),
    "kurang": _l("Kurang/Misconduct"),
    "sangat_kurang": _l("Sangat Kurang"),
}
#: Butuh Perbaikan or lower: the evaluation result page suggests courses.
LOW_PREDIKATS = frozenset({"butuh_perbaikan", "kurang", "sangat_kurang"})
PERIOD_STATUS_LABELS = {
    "draft": _l("Draf"),
    "submitted": _l("Diajukan ke atasan"),
    "agreed": _l("Disepakati"),
    "returned": _l("Dikembalikan untuk diperbaiki"),
    "closed": lazy_pgettext("status SKP", "Ditutup"),
}
CHANGE_REASON_LABELS = {"mutasi": _l("mutasi"), "promosi": _l("kenaikan pangkat/golongan")}
KIND_LABELS = {"periodic": _l("Periodik"), "annual": _l("Tahunan")}
FEEDBACK_LABELS = {"strength": _l("Kekuatan"), "improvement": _l("Area perbaikan")}

NOTE_MAX = 2000
TEXT_MAX = 1000


def set_evaluation_period(instansi: Instansi, frequency: str, by: User) -> None:
    """BKPSDM chooses how often the instansi evaluates SKP. Evaluations already given keep
    their label; the new choice applies to the slots offered from now on."""
    if frequency not in EVALUATION_PERIODS:
        raise RecordInvalid(
            {"evaluation_period": _("Pilih evaluasi bulanan, triwulanan, atau semesteran.")}
        )
    before = instansi.evaluation_period
    if before == frequency:
        return
    instansi.evaluation_period = frequency
    audit(
        by,
        "update",
        instansi,
        f"Periode evaluasi SKP {instansi.name}: {before} → {frequency}",
        {"evaluation_period": before},
        {"evaluation_period": frequency},
    )
    db.session.flush()


# --- the period and its planned work results ----------------------------------------------------


def period_of(employee_id: int, year: int) -> SkpPeriod | None:
    """The employee's current SKP of the year: the latest, for the position they hold now."""
    return db.session.scalar(
        select(SkpPeriod)
        .where(SkpPeriod.employee_id == employee_id, SkpPeriod.year == year)
        .order_by(SkpPeriod.sequence.desc())
        .limit(1)
    )


def periods_of(employee_id: int, year: int) -> list[SkpPeriod]:
    """Every SKP of the employee's year, first position first."""
    return list(
        db.session.scalars(
            select(SkpPeriod)
            .where(SkpPeriod.employee_id == employee_id, SkpPeriod.year == year)
            .order_by(SkpPeriod.sequence)
        )
    )


def _snapshot(period: SkpPeriod, employee: Employee) -> None:
    period.unit_id = employee.unit_id
    period.golongan_code = employee.golongan_code
    period.position_name = (employee.position_name or "")[:200]


def ensure_period(employee: Employee, year: int) -> SkpPeriod:
    period = period_of(employee.id, year)
    if period is None:
        try:
            with db.session.begin_nested():  # a parallel first save may win (unique per year)
                period = SkpPeriod(
                    employee_id=employee.id,
                    year=year,
                    sequence=1,
                    appraiser_id=employee.supervisor_id,
                    status="draft",
                )
                _snapshot(period, employee)
                db.session.add(period)
        except IntegrityError:
            period = period_of(employee.id, year)
    return period


def start_period_for_new_position(employee: Employee, reason: str, on: date) -> SkpPeriod | None:
    """A mutation or promotion on ``on``: the current SKP of that year closes at the change date
    and a new, empty one starts for the new position, to be drafted and agreed again with the
    (possibly new) direct supervisor. Returns the new SKP, or None when nothing had to change:
    no SKP yet that year, one already closed, or one with nothing in it (it simply follows the
    employee to the new position)."""
    if reason not in CHANGE_REASONS:
        raise ValueError(reason)
    period = period_of(employee.id, on.year)
    if period is None or period.status == "closed":
        return None
    if (not period.targets and not period.evaluations) or period.first_day >= on:
        _snapshot(period, employee)
        if period.status == "draft":
            period.appraiser_id = employee.supervisor_id
        db.session.flush()
        return None
    period.ends_on = on
    period.change_reason = reason
    period.status = "closed"
    period.closed_at = utcnow()
    new = SkpPeriod(
        employee_id=employee.id,
        year=on.year,
        sequence=period.sequence + 1,
        starts_on=on,
        appraiser_id=employee.supervisor_id,
        status="draft",
    )
    _snapshot(new, employee)
    db.session.add(new)
    db.session.flush()
    if ended_by_change(period) and period.appraiser_id is not None:
        notify_employee(
            period.appraiser_id,
            N_(
                "SKP %(y)s %(n)s ditutup per %(d)s karena %(r)s. Periode yang sudah berakhir "
                "masih dapat Anda evaluasi.",
                y=period.year,
                n=employee.display_name,
                d=on,
                r=CHANGE_REASON_LABELS[reason],
            ),
            "careers.team_skp_period",
            skp_period_id=period.id,
        )
    notify_employee(
        employee.id,
        N_(
            "Karena %(r)s per %(d)s, SKP %(y)s untuk jabatan sebelumnya ditutup. Susun SKP "
            "untuk jabatan baru Anda.",
            r=CHANGE_REASON_LABELS[reason],
            d=on,
            y=on.year,
        ),
        "careers.skp_my",
    )
    return new


@position_changed.connect
def _on_position_changed(
    employee: Employee, *, before: Position, after: Position, on: date, **_kw: object
) -> None:
    """Subscribed to the organisation's signal: a promotion (golongan) or a mutation (unit or
    position) starts a new SKP."""
    if after.promoted_from(before):
        start_period_for_new_position(employee, "promosi", on)
    elif after.moved_from(before):
        start_period_for_new_position(employee, "mutasi", on)


@dataclass
class TargetInput:
    description: str
    indicator: str
    target_text: str
    target_value: Decimal | None = None


def validate_target(data: TargetInput) -> dict[str, str]:
    """Pure: every problem with a planned work result, by field."""
    errors: dict[str, str] = {}
    if not (data.description or "").strip():
        errors["description"] = _("Rencana hasil kerja wajib diisi.")
    elif len(data.description) > TEXT_MAX:
        errors["description"] = _("Rencana hasil kerja paling banyak 1000 karakter.")
    if not (data.indicator or "").strip():
        errors["indicator"] = _("Indikator kinerja wajib diisi.")
    elif len(data.indicator) > TEXT_MAX:
        errors["indicator"] = _("Indikator kinerja paling banyak 1000 karakter.")
    if not (data.target_text or "").strip():
        errors["target_text"] = _("Target wajib diisi, misalnya '12 laporan'.")
    elif len(data.target_text) > 200:
        errors["target_text"] = _("Target paling banyak 200 karakter.")
    if data.target_value is not None and (
        not data.target_value.is_finite()
        or data.target_value < 0
        or data.target_value >= Decimal("1e10")
    ):
        errors["target_value"] = _("Nilai target harus berupa angka 0 atau lebih.")
    return errors


def _editable_or_refuse(period: SkpPeriod) -> None:
    if not period.editable:
        raise CareerError(
            _("SKP ini sudah diajukan atau disepakati; rencana hasil kerja tidak dapat diubah.")
        )


def add_target(period: SkpPeriod, data: TargetInput) -> SkpTarget:
    _editable_or_refuse(period)
    errors = validate_target(data)
    if errors:
        raise RecordInvalid(errors)
    target = SkpTarget(
        position=max((t.position for t in period.targets), default=0) + 1,
        description=data.description.strip(),
        indicator=data.indicator.strip(),
        target_text=data.target_text.strip(),
        target_value=data.target_value,
    )
    period.targets.append(target)
    db.session.flush()
    return target


def remove_target(target: SkpTarget) -> None:
    _editable_or_refuse(target.period)
    target.period.targets.remove(target)
    db.session.flush()


def submit_period(period: SkpPeriod) -> None:
    """The employee sends the planned work results to the direct supervisor."""
    _editable_or_refuse(period)
    if not period.targets:
        raise CareerError(
            _("Tambahkan paling sedikit satu rencana hasil kerja sebelum mengajukan.")
        )
    supervisor_id = period.employee.supervisor_id
    if supervisor_id is None:
        raise CareerError(_("Anda belum memiliki atasan langsung; hubungi admin kepegawaian."))
    period.status = "submitted"
    period.submitted_at = utcnow()
    period.appraiser_id = supervisor_id
    notify_employee(
        supervisor_id,
        N_(
            "%(n)s mengajukan SKP %(y)s untuk disepakati.",
            n=period.employee.display_name,
            y=period.year,
        ),
        "careers.team_skp_period",
        skp_period_id=period.id,
    )
    db.session.flush()


def is_direct_supervisor(user: User, period: SkpPeriod) -> bool:
    """Only the employee's direct supervisor agrees, evaluates and gives feedback. An SKP that a
    mutation or promotion closed belongs to its own appraiser (the supervisor of the old
    position), who still evaluates the periods that ended before the change."""
    if user.employee_id is None:
        return False
    if period.ends_on is not None:
        return period.appraiser_id == user.employee_id
    return period.employee.supervisor_id == user.employee_id


def ended_by_change(period: SkpPeriod) -> bool:
    """Closed at a mutation or promotion after it was agreed: its ended periods are evaluated."""
    return period.change_reason is not None and period.agreed_at is not None


def supervisor_or_refuse(user: User, period: SkpPeriod) -> None:
    if not is_direct_supervisor(user, period):
        raise CareerError(_("Hanya atasan langsung pegawai yang dapat melakukan ini."))


def decide_period(period: SkpPeriod, by: User, agree: bool, comment: str = "") -> None:
    """The direct supervisor agrees the planned work results or returns them with a comment."""
    supervisor_or_refuse(by, period)
    if period.status != "submitted":
        raise CareerError(_("SKP ini tidak sedang menunggu persetujuan."))
    comment = (comment or "").strip()
    if not agree and not comment:
        raise RecordInvalid({"comment": _("Tuliskan catatan perbaikan untuk pegawai.")})
    if len(comment) > NOTE_MAX:
        raise RecordInvalid({"comment": _("Catatan paling banyak 2000 karakter.")})
    before = {"status": period.status}
    period.supervisor_comment = comment
    if agree:
        period.status = "agreed"
        period.agreed_at = utcnow()
        period.agreed_by_id = by.id
        period.appraiser_id = by.employee_id
    else:
        period.status = "returned"
    audit(
        by,
        "update",
        period,
        f"SKP {period.year} {period.employee.nip}: {'disepakati' if agree else 'dikembalikan'}",
        before,
        {"status": period.status, "comment": comment},
    )
    notify_employee(
        period.employee_id,
        N_("Atasan menyepakati SKP %(y)s Anda.", y=period.year)
        if agree
        else N_("SKP %(y)s Anda dikembalikan: %(c)s", y=period.year, c=comment),
        "careers.skp_my",
    )
    db.session.flush()


# --- who may see ----------------------------------------------------------------------------------


def is_hr_for(user: User, employee: Employee) -> bool:
    """BKPSDM (appraisals) anywhere; an Admin OPD for their own department."""
    if can(user, Capability.MANAGE_APPRAISALS):
        return True
    return scope.is_hr(user) and unit_in_scope(user, employee.unit)


def can_view_period(user: User, period: SkpPeriod) -> bool:
    """The employee, the direct supervisor (of an SKP closed by a change: its appraiser), HR in
    scope."""
    if user.employee_id is not None and (
        user.employee_id == period.employee_id or is_direct_supervisor(user, period)
    ):
        return True
    return is_hr_for(user, period.employee)


def rating_label(value: str) -> str:
    return str(RATING_LABELS.get(value, value))


def predikat_label(value: str) -> str:
    return str(PREDIKAT_LABELS.get(value, value))


# Keep the enum of ratings importable from here for forms.
RATING_VALUES = tuple(r.value for r in Rating)
