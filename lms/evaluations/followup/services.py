"""Post-training evaluation: scheduling from a completion, the per-subject setting, who may
answer and the answers themselves. Services flush, never commit; refusals raise
``FollowupError`` with a message for the person.

Who answers: the alumnus their own follow-up; the alumnus's **current** direct supervisor (the
one who sees the work now; a supervisor who moved on is not asked, the new one is). Answers are
taken while the questionnaire is open (``rules.is_open``), once per side.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.auth.services import audit
from lms.db import utcnow
from lms.errors import DomainError
from lms.evaluations.followup import rules
from lms.evaluations.followup.models import (
    MONTHS_MAX,
    MONTHS_MIN,
    Followup,
    FollowupAnswer,
    FollowupSetting,
)
from lms.evaluations.followup.questions import QUESTIONNAIRES, SCALE_MAX, SCALE_MIN, TEXT_MAX
from lms.extensions import db
from lms.indonesian import local_today, tanggal


class FollowupError(DomainError):
    """A refused action; the message is for the person."""


# --- the setting per course or programme ----------------------------------------------------------


def setting_of(*, course_id: int | None = None, programme_id: int | None = None):
    """The stored setting of a course or a programme (None: the defaults apply)."""
    if course_id is not None:
        return db.session.scalar(
            select(FollowupSetting).where(FollowupSetting.course_id == course_id)
        )
    return db.session.scalar(
        select(FollowupSetting).where(FollowupSetting.programme_id == programme_id)
    )


def months_for(*, course_id: int | None = None, programme_id: int | None = None) -> int | None:
    """Months after completion the subject is followed up, or None when it is switched off."""
    setting = setting_of(course_id=course_id, programme_id=programme_id)
    if setting is None:
        return rules.DEFAULT_MONTHS
    return setting.months if setting.enabled else None


def _subject(course_id: int | None, programme_id: int | None):
    if course_id is not None:
        return Followup.course_id == course_id
    return Followup.programme_id == programme_id


def save_setting(
    *,
    course_id: int | None = None,
    programme_id: int | None = None,
    months: int,
    enabled: bool,
    by: User,
    today: date | None = None,
) -> int:
    """Store the subject's setting; follow-ups not opened yet move to the new date (or are put
    aside while it is off, and come back when it is on again). Returns how many moved."""
    if (course_id is None) == (programme_id is None):
        raise ValueError("a course or a programme")
    if not isinstance(months, int) or not MONTHS_MIN <= months <= MONTHS_MAX:
        raise FollowupError(
            _("Jangka waktu harus %(a)s sampai %(b)s bulan.", a=MONTHS_MIN, b=MONTHS_MAX),
            field="months",
        )
    today = today or local_today()
    setting = setting_of(course_id=course_id, programme_id=programme_id)
    before = None if setting is None else {"months": setting.months, "enabled": setting.enabled}
    if setting is None:
        setting = FollowupSetting(course_id=course_id, programme_id=programme_id)
        db.session.add(setting)
    setting.months, setting.enabled, setting.updated_by_id = months, enabled, by.id
    subject = _subject(course_id, programme_id)
    waiting = db.session.scalars(
        select(Followup).where(
            subject,
            or_(
                (Followup.status == "scheduled") & (Followup.due_on > today),
                Followup.cancel_reason == "disabled",
            ),
        )
    ).all()
    moved = 0
    for followup in waiting:
        if enabled:
            followup.status, followup.cancel_reason = "scheduled", None
            followup.months = months
            followup.due_on = rules.add_months(followup.completed_on, months)
            followup.closes_on = rules.closing_date(followup.due_on)
        else:
            followup.status, followup.cancel_reason = "cancelled", "disabled"
        moved += 1
    db.session.flush()
    audit(
        by,
        "update",
        setting,
        "evaluasi pascapelatihan",
        before,
        {"months": months, "enabled": enabled},
    )
    return moved


# --- scheduling (from the completion outbox) -----------------------------------------------------


def schedule(
    *,
    completion_id: int,
    employee_id: int,
    course_id: int | None,
    programme_id: int | None,
    code: str,
    title: str,
    unit_id: int | None,
    completed_at: datetime,
) -> Followup | None:
    """The follow-up of one completion, once (the unique completion id decides a replay); None
    when the subject is not followed up, or when its questionnaire would be closed already (a
    completion recorded long after the fact, or the history met when this feature arrives)."""
    existing = db.session.scalar(select(Followup).where(Followup.completion_id == completion_id))
    if existing is not None:
        return existing
    months = months_for(course_id=course_id, programme_id=programme_id)
    if months is None:
        return None
    done_on = rules.completed_on(completed_at)
    due_on = rules.add_months(done_on, months)
    if rules.closing_date(due_on) < local_today():
        return None
    followup = Followup(
        completion_id=completion_id,
        employee_id=employee_id,
        course_id=course_id,
        programme_id=programme_id,
        code=code,
        title=title,
        unit_id=unit_id,
        completed_on=done_on,
        months=months,
        due_on=due_on,
        closes_on=rules.closing_date(due_on),
    )
    try:
        with db.session.begin_nested():
            db.session.add(followup)
    except IntegrityError:
        return db.session.scalar(select(Followup).where(Followup.completion_id == completion_id))
    return followup


def cancel_for_completion(completion_id: int) -> None:
    """A revoked completion is no training to follow up: its follow-up (and any answers) stop
    counting anywhere (reports, SKP evidence)."""
    db.session.execute(
        update(Followup)
        .where(Followup.completion_id == completion_id)
        .values(status="cancelled", cancel_reason="revoked")
        .execution_options(synchronize_session="fetch")
    )
    db.session.flush()


# --- who may answer ------------------------------------------------------------------------------


def is_alumnus(user: User, followup: Followup) -> bool:
    return user.employee_id is not None and followup.employee_id == user.employee_id


def is_supervisor(user: User, followup: Followup) -> bool:
    """The alumnus's direct supervisor now (not the one at completion)."""
    return user.employee_id is not None and followup.employee.supervisor_id == user.employee_id


STATE_LABELS = {
    "waiting": _l("Belum dibuka"),
    "open": _l("Menunggu jawaban"),
    "answered": _l("Sudah dijawab"),
    "closed": _l("Ditutup"),
    "cancelled": _l("Dibatalkan"),
}


def state_of(followup: Followup, role: str, today: date | None = None) -> str:
    """One side's state: waiting, open, answered, closed or cancelled."""
    today = today or local_today()
    if followup.status == "cancelled":
        return "cancelled"
    if followup.answer_of(role) is not None:
        return "answered"
    if today < followup.due_on:
        return "waiting"
    return "open" if today <= followup.closes_on else "closed"


# --- answering -----------------------------------------------------------------------------------


def refusal(followup: Followup, role: str, today: date | None = None) -> str | None:
    """Why this side cannot answer now, or None while it can."""
    state = state_of(followup, role, today or local_today())
    if state == "cancelled":
        return _("Evaluasi pascapelatihan ini dibatalkan karena kelulusannya dicabut.")
    if state == "answered":
        return _("Kuesioner ini sudah diisi. Terima kasih!")
    if state == "waiting":
        return _("Kuesioner ini baru dibuka pada %(d)s.", d=tanggal(followup.due_on))
    if state == "closed":
        return _(
            "Batas pengisian kuesioner ini sudah lewat (%(d)s).", d=tanggal(followup.closes_on)
        )
    return None


def submit(
    followup: Followup,
    role: str,
    by: User,
    ratings: dict[str, int],
    texts: dict[str, str],
    today: date | None = None,
) -> FollowupAnswer:
    """Store one side's answers. The alumnus answers their own, the direct supervisor their
    direct report's; each once (the unique constraint decides two submissions at once)."""
    questionnaire = QUESTIONNAIRES[role]
    allowed = is_alumnus(by, followup) if role == "alumnus" else is_supervisor(by, followup)
    if not allowed:
        raise FollowupError(
            _("Hanya alumni pelatihan ini yang dapat mengisi kuesioner alumni.")
            if role == "alumnus"
            else _("Hanya atasan langsung alumni yang dapat mengisi kuesioner atasan.")
        )
    problem = refusal(followup, role, today or local_today())
    if problem:
        raise FollowupError(problem)
    if set(ratings) != questionnaire.keys or any(
        not isinstance(v, int) or isinstance(v, bool) or not SCALE_MIN <= v <= SCALE_MAX
        for v in ratings.values()
    ):
        raise FollowupError(_("Semua pernyataan wajib dijawab dengan nilai 1 sampai 5."))
    cleaned = {k: (texts.get(k) or "").strip() for k in (t.key for t in questionnaire.texts)}
    for question in questionnaire.texts:
        if question.required and not cleaned[question.key]:
            raise FollowupError(_("Pertanyaan \u201c%(q)s\u201d wajib dijawab.", q=question.text))
        if len(cleaned[question.key]) > TEXT_MAX:
            raise FollowupError(_("Jawaban paling banyak %(n)s karakter.", n=TEXT_MAX))
    mean = Decimal(sum(ratings.values())) / len(ratings)
    answer = FollowupAnswer(
        followup_id=followup.id,
        role=role,
        respondent_id=by.employee_id,
        ratings=dict(ratings),
        texts={k: v for k, v in cleaned.items() if v},
        mean=mean.quantize(Decimal("0.01")),
        submitted_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(answer)
    except IntegrityError:
        raise FollowupError(_("Kuesioner ini sudah diisi. Terima kasih!")) from None
    return answer
