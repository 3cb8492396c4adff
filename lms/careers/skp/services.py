"""SKP rules: the period and its planned work results, evaluations, feedback and the HR view.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field → message) or
``CareerError`` (one message) from ``lms.careers.records.services``; the caller shows it and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, contains_eager, selectinload

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers import scope
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.plans.services import plan_of
from lms.careers.plans.suggestions import Suggestion, suggest_courses
from lms.careers.skp.models import (
    CHANGE_REASONS,
    FEEDBACK_KINDS,
    SkpEvaluation,
    SkpEvidence,
    SkpFeedback,
    SkpPeriod,
    SkpTarget,
)
from lms.careers.skp.predikat import Predikat, Rating, parse_rating, predikat
from lms.completion.models import Completion
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import MONTHS, local_date, local_today, tanggal
from lms.org.models import EVALUATION_PERIODS, Employee, Instansi, Unit
from lms.org.services import opd_of
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
    "closed": _l("Ditutup"),
}
CHANGE_REASON_LABELS = {"mutasi": _l("mutasi"), "promosi": _l("kenaikan pangkat/golongan")}
KIND_LABELS = {"periodic": _l("Periodik"), "annual": _l("Tahunan")}
FEEDBACK_LABELS = {"strength": _l("Kekuatan"), "improvement": _l("Area perbaikan")}

# Period labels are stored as the regulation's documents write them (Indonesian month names).
ROMAN = ("I", "II", "III", "IV")
NOTE_MAX = 2000
TEXT_MAX = 1000


# --- evaluation slots ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One evaluation moment of a period: a month, a quarter (``periodic``) or the year."""

    kind: str
    sequence: int
    label: str
    starts: date
    ends: date


def _month_end(year: int, month: int) -> date:
    return date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)


EVALUATION_PERIOD_LABELS = {
    "monthly": _l("Bulanan"),
    "quarterly": _l("Triwulanan"),
    "semester": _l("Semesteran"),
}
DEFAULT_EVALUATION_PERIOD = "quarterly"


def evaluation_period_of(employee: Employee) -> str:
    """'monthly', 'quarterly' or 'semester', as the employee's instansi chooses."""
    chosen = employee.unit.instansi.evaluation_period if employee.unit else None
    return chosen if chosen in EVALUATION_PERIODS else DEFAULT_EVALUATION_PERIOD


def periodic_slots(frequency: str, year: int) -> list[Slot]:
    """Pure: the periodic evaluations of a year (ends are exclusive)."""
    if frequency == "monthly":
        return [
            Slot("periodic", m, f"{MONTHS[m - 1]} {year}", date(year, m, 1), _month_end(year, m))
            for m in range(1, 13)
        ]
    if frequency == "semester":
        return [
            Slot("periodic", 1, f"Semester I {year}", date(year, 1, 1), date(year, 7, 1)),
            Slot("periodic", 2, f"Semester II {year}", date(year, 7, 1), date(year + 1, 1, 1)),
        ]
    return [
        Slot(
            "periodic",
            q,
            f"Triwulan {ROMAN[q - 1]} {year}",
            date(year, 3 * q - 2, 1),
            _month_end(year, 3 * q),
        )
        for q in range(1, 5)
    ]


def clip_slots(slots: list[Slot], first_day: date, end: date) -> list[Slot]:
    """Pure: the slots an SKP covering [first_day, end) evaluates, cut to its dates (an SKP
    started by a mid-year change begins inside a slot; one cut short ends inside one)."""
    return [
        Slot(s.kind, s.sequence, s.label, max(s.starts, first_day), min(s.ends, end))
        for s in slots
        if s.starts < end and s.ends > first_day
    ]


def annual_slot(year: int) -> Slot:
    return Slot("annual", 0, f"Tahunan {year}", date(year, 1, 1), date(year + 1, 1, 1))


def period_slots(period: SkpPeriod) -> list[Slot]:
    """The periodic slots of this SKP, within its dates."""
    slots = periodic_slots(evaluation_period_of(period.employee), period.year)
    return clip_slots(slots, period.first_day, period.end)


def period_annual_slot(period: SkpPeriod) -> Slot:
    year = annual_slot(period.year)
    return Slot(year.kind, year.sequence, year.label, period.first_day, period.end)


def slot_of(period: SkpPeriod, kind: str, sequence: int | None) -> Slot | None:
    if kind == "annual":
        return period_annual_slot(period)
    if kind != "periodic":
        return None
    for slot in period_slots(period):
        if slot.sequence == sequence:
            return slot
    return None


def open_slots(period: SkpPeriod, today: date | None = None) -> list[Slot]:
    """Periodic slots that have ended and are not evaluated yet (a period is evaluated after it
    ends)."""
    today = today or local_today()
    done = {e.sequence for e in period.evaluations if e.kind == "periodic"}
    return [s for s in period_slots(period) if s.ends <= today and s.sequence not in done]


def missing_periodic(period: SkpPeriod) -> list[Slot]:
    """Periodic slots of this SKP without an evaluation (the annual one needs none missing)."""
    done = {e.sequence for e in period.evaluations if e.kind == "periodic"}
    return [s for s in period_slots(period) if s.sequence not in done]


def last_day(slot: Slot) -> date:
    return slot.ends - timedelta(days=1)


def timing_problem(period: SkpPeriod, slot: Slot, today: date) -> str | None:
    """Pure rules of PermenPANRB 6/2022 on when an evaluation may be given, or None:
    a periodic evaluation after its period ends; the annual one at the end of the year, after
    the last period has ended and every period of the SKP has been evaluated."""
    if slot.kind == "periodic":
        if slot.ends > today:
            return _(
                "Periode %(l)s belum berakhir; evaluasinya baru dapat diberikan setelah %(d)s.",
                l=slot.label,
                d=tanggal(last_day(slot)),
            )
        return None
    if period.end > today:
        return _(
            "Evaluasi tahunan %(y)s baru dapat diberikan di akhir tahun, setelah periode "
            "terakhir berakhir (%(d)s).",
            y=period.year,
            d=tanggal(period.end - timedelta(days=1)),
        )
    missing = missing_periodic(period)
    if missing:
        return _(
            "Evaluasi tahunan memerlukan semua evaluasi periodik tahun ini. Belum dievaluasi: "
            "%(l)s.",
            l=", ".join(s.label for s in missing),
        )
    return None


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
        _notify(
            period.appraiser_id,
            _(
                "SKP %(y)s %(n)s ditutup per %(d)s karena %(r)s. Periode yang sudah berakhir "
                "masih dapat Anda evaluasi.",
                y=period.year,
                n=employee.display_name,
                d=tanggal(on),
                r=CHANGE_REASON_LABELS[reason],
            ),
            f"/tim/kinerja/{period.id}",
        )
    _notify(
        employee.id,
        _(
            "Karena %(r)s per %(d)s, SKP %(y)s untuk jabatan sebelumnya ditutup. Susun SKP "
            "untuk jabatan baru Anda.",
            r=CHANGE_REASON_LABELS[reason],
            d=tanggal(on),
            y=on.year,
        ),
        "/kinerja",
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


def _user_of(employee_id: int | None) -> int | None:
    if employee_id is None:
        return None
    return db.session.scalar(select(User.id).where(User.employee_id == employee_id))


def _notify(employee_id: int | None, message: str, link: str) -> None:
    from lms.enrolments.services import notify

    user_id = _user_of(employee_id)
    if user_id is not None:
        notify(user_id, message, link)


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
    _notify(
        supervisor_id,
        _(
            "%(n)s mengajukan SKP %(y)s untuk disepakati.",
            n=period.employee.display_name,
            y=period.year,
        ),
        f"/tim/kinerja/{period.id}",
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


def _supervisor_or_refuse(user: User, period: SkpPeriod) -> None:
    if not is_direct_supervisor(user, period):
        raise CareerError(_("Hanya atasan langsung pegawai yang dapat melakukan ini."))


def decide_period(period: SkpPeriod, by: User, agree: bool, comment: str = "") -> None:
    """The direct supervisor agrees the planned work results or returns them with a comment."""
    _supervisor_or_refuse(by, period)
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
    _notify(
        period.employee_id,
        _("Atasan menyepakati SKP %(y)s Anda.", y=period.year)
        if agree
        else _("SKP %(y)s Anda dikembalikan: %(c)s", y=period.year, c=comment),
        "/kinerja",
    )
    db.session.flush()


# --- evidence -----------------------------------------------------------------------------------


def evidence_candidates(employee_id: int, starts: date, ends: date) -> list[Completion]:
    """The employee's valid completions whose (local) day falls in [starts, ends)."""
    years = list(range(starts.year, ends.year + 1))
    rows = db.session.scalars(
        select(Completion)
        .where(
            Completion.employee_id == employee_id,
            Completion.status == "valid",
            Completion.year.in_(years),
        )
        .order_by(Completion.completed_at, Completion.id)
    ).all()
    return [c for c in rows if starts <= local_date(c.completed_at) < ends]


# --- evaluation ---------------------------------------------------------------------------------


@dataclass
class EvaluationInput:
    kind: str
    sequence: int | None
    hasil_kerja: str
    perilaku: str
    note: str = ""
    behaviour_notes: dict[str, str] = field(default_factory=dict)
    target_ratings: dict[int, str] = field(default_factory=dict)
    acknowledged: set[int] = field(default_factory=set)  # completion ids accepted as evidence


def _annual_of(period: SkpPeriod) -> SkpEvaluation | None:
    return db.session.scalar(
        select(SkpEvaluation).where(
            SkpEvaluation.period_id == period.id, SkpEvaluation.kind == "annual"
        )
    )


def _second_annual(period: SkpPeriod, existing: SkpEvaluation | None) -> CareerError:
    when = ""
    if existing is not None and existing.submitted_at is not None:
        when = format_date(existing.submitted_at, "long")
    return CareerError(
        _(
            "Evaluasi tahunan SKP %(y)s untuk %(n)s sudah ada%(w)s. Evaluasi tahunan hanya dapat "
            "diberikan satu kali per periode; evaluasi ini tidak disimpan.",
            y=period.year,
            n=period.employee.display_name,
            w=_(" (diberikan %(d)s)", d=when) if when else "",
        )
    )


def validate_evaluation(period: SkpPeriod, data: EvaluationInput) -> dict[str, str]:
    """Every problem with the ratings and notes, by form field."""
    errors: dict[str, str] = {}
    for name, label in (("hasil_kerja", _("hasil kerja")), ("perilaku", _("perilaku kerja"))):
        try:
            parse_rating(getattr(data, name) or "", name)
        except ValueError:
            errors[name] = _(
                "Pilih penilaian %(f)s: di atas, sesuai, atau di bawah ekspektasi.", f=label
            )
    if len(data.note or "") > NOTE_MAX:
        errors["note"] = _("Catatan paling banyak 2000 karakter.")
    for code, text in data.behaviour_notes.items():
        if code not in BERAKHLAK_CODES:
            continue
        if len(text or "") > TEXT_MAX:
            errors[f"nilai_{code}"] = _("Catatan paling banyak 1000 karakter.")
    target_ids = {t.id for t in period.targets}
    for target_id, rating in data.target_ratings.items():
        if not rating:
            continue
        if target_id not in target_ids:
            errors["hasil_kerja"] = _("Rencana hasil kerja yang dinilai bukan milik SKP ini.")
        elif rating not in RATING_LABELS:
            errors[f"sasaran_{target_id}"] = _("Pilih di atas, sesuai, atau di bawah ekspektasi.")
    return errors


def evaluate(
    period: SkpPeriod, by: User, data: EvaluationInput, today: date | None = None
) -> SkpEvaluation:
    """The direct supervisor stores a periodic or the annual evaluation; the predikat follows
    the PermenPANRB 6/2022 matrix. A periodic evaluation comes after its period ends; the annual
    one at the end of the year, after every period was evaluated. It closes the period."""
    _supervisor_or_refuse(by, period)
    if data.kind == "annual":
        existing = _annual_of(period)
        if existing is not None:
            raise _second_annual(period, existing)
    slot = slot_of(period, data.kind, data.sequence)
    if slot is None:
        raise RecordInvalid({"sequence": _("Pilih periode evaluasi.")})
    if period.change_reason is not None and data.kind == "annual":
        raise CareerError(
            _(
                "SKP ini ditutup karena %(r)s; evaluasi tahunan diberikan pada SKP jabatan baru.",
                r=CHANGE_REASON_LABELS[period.change_reason],
            )
        )
    if period.status != "agreed" and not (ended_by_change(period) and data.kind == "periodic"):
        raise CareerError(
            _("SKP ini sudah ditutup.")
            if period.status == "closed"
            else _("SKP harus disepakati terlebih dahulu sebelum dievaluasi.")
        )
    if data.kind == "periodic" and any(
        e.kind == "periodic" and e.sequence == slot.sequence for e in period.evaluations
    ):
        raise CareerError(_("Evaluasi %(l)s sudah ada.", l=slot.label))
    problem = timing_problem(period, slot, today or local_today())
    if problem:
        raise RecordInvalid({"sequence": problem})
    errors = validate_evaluation(period, data)
    if errors:
        raise RecordInvalid(errors)
    hasil = parse_rating(data.hasil_kerja, "hasil_kerja")
    perilaku = parse_rating(data.perilaku, "perilaku")
    result = predikat(hasil_kerja=hasil, perilaku=perilaku)
    candidates = evidence_candidates(period.employee_id, slot.starts, slot.ends)
    evaluation = SkpEvaluation(
        kind=slot.kind,
        sequence=slot.sequence,
        label=slot.label,
        hasil_kerja=hasil.value,
        perilaku=perilaku.value,
        predikat=result.value,
        target_ratings={str(k): v for k, v in sorted(data.target_ratings.items()) if v},
        behaviour_notes={
            code: (data.behaviour_notes.get(code) or "").strip()
            for code in BERAKHLAK_CODES
            if (data.behaviour_notes.get(code) or "").strip()
        },
        note=(data.note or "").strip(),
        source="manual",
        evaluator_id=by.employee_id,
        recorded_by_id=by.id,
        submitted_at=utcnow(),
    )
    evaluation.evidence = [
        SkpEvidence(completion_id=c.id, acknowledged=c.id in data.acknowledged) for c in candidates
    ]
    try:
        with db.session.begin_nested():  # the unique (period, kind, sequence) decides races
            period.evaluations.append(evaluation)
    except IntegrityError:
        if data.kind == "annual":
            raise _second_annual(period, _annual_of(period)) from None
        raise CareerError(_("Evaluasi %(l)s sudah ada.", l=slot.label)) from None
    if slot.kind == "annual":
        period.status = "closed"
        period.closed_at = utcnow()
    audit(
        by,
        "create",
        evaluation,
        f"Evaluasi SKP {slot.label} {period.employee.nip}: {result.value}",
        None,
        {"hasil_kerja": hasil.value, "perilaku": perilaku.value, "predikat": result.value},
    )
    _notify(
        period.employee_id,
        _(
            "Atasan memberikan evaluasi kinerja %(l)s: %(p)s.",
            l=slot.label,
            p=PREDIKAT_LABELS[result.value],
        ),
        f"/kinerja/evaluasi/{evaluation.id}",
    )
    db.session.flush()
    return evaluation


def acknowledge(evaluation: SkpEvaluation, by: User) -> None:
    """The employee has read the evaluation."""
    if by.employee_id is None or evaluation.period.employee_id != by.employee_id:
        raise CareerError(_("Hanya pegawai yang dievaluasi yang dapat menyatakan telah membaca."))
    if evaluation.acknowledged_at is not None:
        raise CareerError(_("Evaluasi ini sudah Anda nyatakan telah dibaca."))
    evaluation.acknowledged_at = utcnow()
    db.session.flush()


# --- feedback -----------------------------------------------------------------------------------


def add_feedback(period: SkpPeriod, by: User, kind: str, note: str) -> SkpFeedback:
    _supervisor_or_refuse(by, period)
    if period.status == "closed":
        raise CareerError(_("SKP ini sudah ditutup; umpan balik tidak dapat ditambahkan."))
    errors: dict[str, str] = {}
    if kind not in FEEDBACK_KINDS:
        errors["kind"] = _("Pilih jenis umpan balik: kekuatan atau area perbaikan.")
    note = (note or "").strip()
    if not note:
        errors["note"] = _("Tuliskan umpan balik untuk pegawai.")
    elif len(note) > NOTE_MAX:
        errors["note"] = _("Umpan balik paling banyak 2000 karakter.")
    if errors:
        raise RecordInvalid(errors)
    item = SkpFeedback(period_id=period.id, author_id=by.employee_id, kind=kind, note=note)
    db.session.add(item)
    _notify(
        period.employee_id,
        _("Atasan memberi umpan balik pada SKP %(y)s Anda.", y=period.year),
        "/kinerja",
    )
    db.session.flush()
    return item


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


# --- suggestions --------------------------------------------------------------------------------


@dataclass
class SuggestionGroup:
    reason: str
    items: list[Suggestion]


def suggestions_for(evaluation: SkpEvaluation) -> list[SuggestionGroup]:
    """Catalogue courses for a low predikat (matched on the notes and weak work results) and for
    the needs in the employee's development plan of the same year."""

    groups: list[SuggestionGroup] = []
    period = evaluation.period
    done = set(
        db.session.scalars(
            select(Completion.course_id).where(
                Completion.employee_id == period.employee_id,
                Completion.status == "valid",
                Completion.course_id.is_not(None),
            )
        )
    )

    def fresh(items: list[Suggestion], limit: int) -> list[Suggestion]:
        return [s for s in items if s.course_id not in done][:limit]

    if evaluation.predikat in LOW_PREDIKATS:
        weak = {int(k) for k, v in (evaluation.target_ratings or {}).items() if v == "di_bawah"}
        texts = [evaluation.note, *(evaluation.behaviour_notes or {}).values()]
        texts += [
            f"{t.description} {t.indicator}"
            for t in period.targets
            if t.id in weak or (not weak and evaluation.hasil_kerja == "di_bawah")
        ]
        items = fresh(suggest_courses(" ".join(t for t in texts if t), None, limit=20), 5)
        groups.append(
            SuggestionGroup(
                _(
                    "Predikat %(p)s: pelatihan yang sesuai dengan catatan evaluasi",
                    p=PREDIKAT_LABELS[evaluation.predikat],
                ),
                items,
            )
        )
    plan = plan_of(period.employee_id, period.year)
    for need in plan.needs if plan else []:
        items = fresh(suggest_courses(need.competency, need.kind, limit=20), 3)
        if items:
            groups.append(
                SuggestionGroup(_("Kebutuhan dalam rencana: %(c)s", c=need.competency), items)
            )
    return groups


# --- lists --------------------------------------------------------------------------------------


@dataclass
class TeamRow:
    employee: Employee
    period: SkpPeriod | None


def team_periods(supervisor_id: int, year: int) -> list[TeamRow]:
    """The supervisor's active direct reports and their SKP of the year (fixed query count)."""
    rows = db.session.execute(
        select(Employee, SkpPeriod)
        .outerjoin(
            SkpPeriod,
            and_(
                SkpPeriod.employee_id == Employee.id,
                SkpPeriod.year == year,
                SkpPeriod.ends_on.is_(None),  # the current SKP, not one closed by a change
            ),
        )
        .options(selectinload(SkpPeriod.evaluations))
        .where(Employee.supervisor_id == supervisor_id, Employee.is_active.is_(True))
        .order_by(Employee.full_name, Employee.id)
    ).all()
    return [TeamRow(e, p) for e, p in rows]


@dataclass
class DistributionRow:
    unit_id: int
    name: str
    employees: int
    counts: dict[str, int]

    @property
    def evaluated(self) -> int:
        return sum(self.counts.values())

    @property
    def not_evaluated(self) -> int:
        return max(self.employees - self.evaluated, 0)


def predikat_distribution(user: User, year: int) -> list[DistributionRow]:
    """Per OPD: active employees and their annual predikat counts for the year (one query).
    BKPSDM sees every OPD; an Admin OPD only theirs."""
    path = scope.scope_path(user)
    if path is None:
        return []
    opd = aliased(Unit)
    unit_join = Unit.path.startswith(opd.path)
    if path:
        unit_join = and_(unit_join, Unit.path.startswith(path))
    counts = [
        func.coalesce(func.sum(case((SkpEvaluation.predikat == p.value, 1), else_=0)), 0)
        for p in Predikat
    ]
    stmt = (
        select(opd.id, opd.name, func.count(Employee.id), *counts)
        .select_from(opd)
        .outerjoin(Unit, unit_join)
        .outerjoin(Employee, and_(Employee.unit_id == Unit.id, Employee.is_active.is_(True)))
        .outerjoin(
            SkpPeriod,
            and_(
                SkpPeriod.employee_id == Employee.id,
                SkpPeriod.year == year,
                SkpPeriod.ends_on.is_(None),  # one row per employee: the year's last SKP
            ),
        )
        .outerjoin(
            SkpEvaluation,
            and_(SkpEvaluation.period_id == SkpPeriod.id, SkpEvaluation.kind == "annual"),
        )
        .where(opd.parent_id.is_(None))
        .group_by(opd.id, opd.name)
        .order_by(opd.name)
    )
    if path:
        stmt = stmt.where(opd.id == opd_of(user.admin_unit).id)
    out = []
    for uid, name, n, *values in db.session.execute(stmt).all():
        out.append(
            DistributionRow(
                uid, name, int(n), {p.value: int(v) for p, v in zip(Predikat, values, strict=True)}
            )
        )
    return out


def evaluations_of(employee_id: int) -> list[SkpEvaluation]:
    """The employee's evaluations over the years, newest first (one query)."""
    return list(
        db.session.scalars(
            select(SkpEvaluation)
            .join(SkpPeriod, SkpPeriod.id == SkpEvaluation.period_id)
            .options(contains_eager(SkpEvaluation.period))
            .where(SkpPeriod.employee_id == employee_id)
            .order_by(SkpPeriod.year.desc(), SkpEvaluation.kind, SkpEvaluation.sequence.desc())
        )
    )


def rating_label(value: str) -> str:
    return str(RATING_LABELS.get(value, value))


def predikat_label(value: str) -> str:
    return str(PREDIKAT_LABELS.get(value, value))


# Keep the enum of ratings importable from here for forms.
RATING_VALUES = tuple(r.value for r in Rating)
