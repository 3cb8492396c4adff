"""Evaluating an SKP: the supervisor rates work results and behaviour per slot, the predikat
follows the matrix; the employee acknowledges; feedback notes; course suggestions after a low
predikat. Services flush, never commit; refusals raise ``RecordInvalid`` or ``CareerError``."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.plans.services import plan_of
from lms.careers.plans.suggestions import Suggestion, suggest_courses
from lms.careers.skp.models import (
    FEEDBACK_KINDS,
    SkpEvaluation,
    SkpEvidence,
    SkpFeedback,
    SkpPeriod,
)
from lms.careers.skp.predikat import parse_rating, predikat
from lms.careers.skp.schedule import slot_of, timing_problem
from lms.careers.skp.services import (
    BERAKHLAK_CODES,
    CHANGE_REASON_LABELS,
    LOW_PREDIKATS,
    NOTE_MAX,
    PREDIKAT_LABELS,
    RATING_LABELS,
    TEXT_MAX,
    ended_by_change,
    supervisor_or_refuse,
)
from lms.completion.models import Completion
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_date, local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify_employee

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
    supervisor_or_refuse(by, period)
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
    notify_employee(
        period.employee_id,
        N_(
            "Atasan memberikan evaluasi kinerja %(l)s: %(p)s.",
            l=slot.label,
            p=PREDIKAT_LABELS[result.value],
        ),
        "careers.skp_evaluation",
        skp_evaluation_id=evaluation.id,
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
    supervisor_or_refuse(by, period)
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
    notify_employee(
        period.employee_id,
        N_("Atasan memberi umpan balik pada SKP %(y)s Anda.", y=period.year),
        "careers.skp_my",
    )
    db.session.flush()
    return item


# --- suggestions --------------------------------------------------------------------------------


@dataclass
class SuggestionGroup:
    reason: str
    items: list[Suggestion]


def low_predikat_text(evaluation: SkpEvaluation) -> str:
    """What a low predikat is about, as words to match courses on: the appraiser's notes and the
    work results rated below expectations (all of them when only the overall rating is low)."""
    weak = {int(k) for k, v in (evaluation.target_ratings or {}).items() if v == "di_bawah"}
    texts = [evaluation.note, *(evaluation.behaviour_notes or {}).values()]
    texts += [
        f"{t.description} {t.indicator}"
        for t in evaluation.period.targets
        if t.id in weak or (not weak and evaluation.hasil_kerja == "di_bawah")
    ]
    return " ".join(t for t in texts if t)


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
        items = fresh(suggest_courses(low_predikat_text(evaluation), None, limit=20), 5)
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
