"""Non-classroom sessions: logging (by the employee or their coach), confirming or returning,
withdrawing; who may do which.

Services flush, never commit. A refusal raises ``RecordInvalid`` (field → message) or
``CareerError`` (one message); the caller shows it and writes nothing.

**Who confirms** is the form's rule (``rules.FormRule.confirm_by``): the employee's direct
supervisor, the coach named on the session (an account), or HR whose scope holds the employee.
Never the employee, never whoever logged the session: a session logged by the coach needs
someone else. A session is refused at logging when nobody else could confirm it (a supervisor
who is also the coach logging a mentoring session), so nothing waits forever.

**Confirming** fixes the recognised JP (``rules.recognise``, against the JP already recognised
for the same employee and form that day and that year, under a lock on the employee so two
confirmations at once cannot both use the last room under a cap) and, when they are above 0,
writes one verified learning record (``source = 'session'``) with the form's SIASN jenis diklat
code: from there the JP ledger, the dashboards and the SIASN export (riwayat kursus) count it as
any verified learning (``lms.careers.ledger.queries.jp_totals``). Confirming and returning are
audited and the employee is told.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.auth.models import User
from lms.auth.queries import user_id_of_employee
from lms.auth.services import audit
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.records import evidence as evidence_files
from lms.careers.records.models import LearningRecord
from lms.careers.sessions.models import MINUTES_MAX, LearningSession
from lms.careers.sessions.queries import coach_accounts, moderator_accounts, open_plan_of
from lms.careers.sessions.rules import FormRule, recognise, rule_for
from lms.courses.models import COMPETENCY_KINDS
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_
from lms.notifications.services import notify, notify_employee
from lms.org.models import Employee
from lms.org.services import opd_of
from lms.permissions import Capability, can, unit_in_scope

TOPIC_MAX = 300
TEXT_MAX = 5000
COACH_NAME_MAX = 200
REASON_MAX = 1000

STATUS_LABELS = {
    "submitted": _l("Menunggu konfirmasi"),
    "confirmed": _l("Dikonfirmasi"),
    "returned": _l("Dikembalikan"),
    "withdrawn": _l("Ditarik"),
}
CONFIRMER_LABELS = {
    "supervisor": _l("atasan langsung"),
    "coach": _l("coach/mentor"),
    "hr": _l("Admin OPD/BKPSDM"),
    "moderator": _l("moderator komunitas"),
}
LIMIT_LABELS = {
    "day": _l("batas JP per hari untuk bentuk ini tercapai"),
    "year": _l("batas JP per tahun untuk bentuk ini tercapai"),
}


@dataclass
class SessionInput:
    form_code: int | None
    held_on: date | None
    minutes: int | None
    topic: str
    agreed: str
    competency_kind: str = "teknis"
    coach_user_id: int | None = None
    coach_name: str = ""
    plan_id: int | None = None
    # A community participation claim (lms.careers.sessions.community): set when it is logged.
    community_id: int | None = None
    community_posts: int | None = None


# --- pure checks ---------------------------------------------------------------------------------


def validate_session(data: SessionInput, rule: FormRule | None, today: date) -> dict[str, str]:
    """Pure: every problem with a session's fields, by field (empty when acceptable)."""
    errors: dict[str, str] = {}
    if rule is None:
        errors["form_code"] = _("Pilih bentuk pembelajaran nonklasikal.")
    if data.held_on is None:
        errors["held_on"] = _("Tanggal sesi wajib diisi.")
    elif data.held_on > today:
        errors["held_on"] = _("Tanggal sesi tidak boleh di masa depan.")
    elif data.held_on.year < today.year - 1:
        errors["held_on"] = _("Sesi hanya dapat dicatat untuk tahun ini atau tahun lalu.")
    if data.minutes is None:
        errors["minutes"] = _("Durasi wajib diisi (dalam menit).")
    elif not 1 <= data.minutes <= MINUTES_MAX:
        errors["minutes"] = _(
            "Durasi antara 1 dan %(n)s menit; kegiatan yang lebih panjang dicatat per hari.",
            n=MINUTES_MAX,
        )
    topic = (data.topic or "").strip()
    if not topic:
        errors["topic"] = _("Topik sesi wajib diisi.")
    elif len(topic) > TOPIC_MAX:
        errors["topic"] = _("Topik paling banyak %(n)s karakter.", n=TOPIC_MAX)
    agreed = (data.agreed or "").strip()
    if not agreed:
        errors["agreed"] = _("Tuliskan hasil atau kesepakatan sesi.")
    elif len(agreed) > TEXT_MAX:
        errors["agreed"] = _("Hasil/kesepakatan paling banyak %(n)s karakter.", n=TEXT_MAX)
    if data.competency_kind not in COMPETENCY_KINDS:
        errors["competency_kind"] = _("Pilih jenis kompetensi.")
    if len(data.coach_name or "") > COACH_NAME_MAX:
        errors["coach_name"] = _("Nama pendamping paling banyak %(n)s karakter.", n=COACH_NAME_MAX)
    elif (
        rule is not None
        and rule.needs_coach
        and data.coach_user_id is None
        and not (data.coach_name or "").strip()
    ):
        errors["coach_user_id"] = _(
            "%(form)s memerlukan pendamping: pilih dari daftar atau tuliskan namanya.",
            form=rule.name,
        )
    return errors


def confirmer_available(
    rule: FormRule,
    *,
    logger_id: int,
    supervisor_user_id: int | None,
    coach_user_id: int | None,
) -> bool:
    """Pure: whether someone other than the logger may confirm (HR is always there)."""
    parties = {"hr"}
    if supervisor_user_id is not None and supervisor_user_id != logger_id:
        parties.add("supervisor")
    if coach_user_id is not None and coach_user_id != logger_id:
        parties.add("coach")
    return bool(parties & set(rule.confirm_by))


# --- who may do what -----------------------------------------------------------------------------


def capacities(user: User, session: LearningSession) -> list[str]:
    """In which of the form's confirming roles ``user`` may decide on ``session`` (none for the
    employee themself and for whoever logged it)."""
    rule = rule_for(session.form_code)
    if rule is None or user.id == session.logged_by_id:
        return []
    me = user.employee_id
    if me is not None and me == session.employee_id:
        return []
    out = []
    if "supervisor" in rule.confirm_by and me is not None and session.employee.supervisor_id == me:
        out.append("supervisor")
    if "coach" in rule.confirm_by and session.coach_user_id == user.id:
        out.append("coach")
    if "moderator" in rule.confirm_by and moderates(user, session):
        out.append("moderator")
    if (
        "hr" in rule.confirm_by
        and can(user, Capability.VERIFY_RECORDS)
        and unit_in_scope(user, session.employee.unit)
    ):
        out.append("hr")
    return out


def moderates(user: User, session: LearningSession) -> bool:
    """Whether ``user`` moderates (or owns) the community a participation claim names."""
    if session.community_id is None:
        return False
    return user.id in moderator_accounts(session.community_id)


def can_see(user: User, session: LearningSession) -> bool:
    """The employee, whoever logged it, the coach, the direct supervisor, the community's
    moderators (a participation claim), HR in scope."""
    me = user.employee_id
    if me is not None and (session.employee_id == me or session.employee.supervisor_id == me):
        return True
    if user.id in (session.logged_by_id, session.coach_user_id) or moderates(user, session):
        return True
    return can(user, Capability.VERIFY_RECORDS) and unit_in_scope(user, session.employee.unit)


# --- logging -------------------------------------------------------------------------------------


def _check(
    employee: Employee,
    data: SessionInput,
    by: User,
    evidence: evidence_files.Evidence | None,
    session: LearningSession | None,
    allowed_coaches: set[int],
) -> FormRule:
    rule = rule_for(data.form_code)
    errors = validate_session(data, rule, local_today())
    if data.coach_user_id is not None and data.coach_user_id not in allowed_coaches:
        errors["coach_user_id"] = _("Pilih pendamping dari daftar.")
    elif data.coach_user_id is not None and data.coach_user_id == user_id_of_employee(employee.id):
        errors["coach_user_id"] = _("Pegawai tidak dapat menjadi pendampingnya sendiri.")
    if data.plan_id is not None:
        plan = open_plan_of(employee.id)
        if plan is None or plan.id != data.plan_id:
            errors["plan_id"] = _("Pilih rencana pendampingan yang masih berjalan.")
    has_evidence = evidence is not None or (session is not None and session.evidence_key)
    if rule is not None and rule.needs_evidence and not has_evidence:
        errors["evidence"] = _(
            "%(form)s memerlukan berkas bukti (PDF, PNG, atau JPEG).", form=rule.name
        )
    if errors:
        raise RecordInvalid(errors)
    assert rule is not None
    coach_id = data.coach_user_id if rule.takes_coach else None
    if not confirmer_available(
        rule,
        logger_id=by.id,
        supervisor_user_id=user_id_of_employee(employee.supervisor_id, active_only=True),
        coach_user_id=coach_id,
    ):
        who = ", ".join(str(CONFIRMER_LABELS[c]) for c in rule.confirm_by)
        raise CareerError(
            _(
                "Tidak ada orang lain yang berhak mengonfirmasi sesi ini (menurut aturan %(form)s: "
                "%(who)s). Minta pegawai mencatatnya sendiri atau hubungi Admin OPD.",
                form=rule.name,
                who=who,
            )
        )
    return rule


def save_session(
    employee: Employee,
    data: SessionInput,
    by: User,
    evidence: evidence_files.Evidence | None,
    session: LearningSession | None = None,
    allowed_coaches: set[int] | None = None,
) -> LearningSession:
    """Log a session (``session`` None) or correct an open one, which is submitted (again)."""
    if session is not None and not session.open:
        raise CareerError(_("Sesi ini sudah diputuskan dan tidak dapat diubah lagi."))
    if session is not None and session.community_id is not None and data.form_code != 23:
        raise RecordInvalid(
            {
                "form_code": _(
                    "Bentuk pembelajaran: klaim partisipasi komunitas tidak dapat diubah ke bentuk lain."
                )
            }
        )
    if allowed_coaches is None:
        allowed_coaches = {uid for uid, _label in coach_accounts(employee, data.coach_user_id)}
    rule = _check(employee, data, by, evidence, session, allowed_coaches)
    if session is None:
        session = LearningSession(
            employee_id=employee.id,
            logged_by_id=by.id,
            community_id=data.community_id,
            community_posts=data.community_posts,
        )
        db.session.add(session)
    session.form_code = rule.code
    assert data.held_on is not None and data.minutes is not None
    session.held_on = data.held_on
    session.minutes = data.minutes
    session.topic = data.topic.strip()
    session.agreed = data.agreed.strip()
    session.competency_kind = data.competency_kind
    session.coach_user_id = data.coach_user_id if rule.takes_coach else None
    session.coach_name = (data.coach_name or "").strip() if rule.takes_coach else ""
    session.plan_id = data.plan_id
    session.status = "submitted"
    if evidence is not None:
        session.evidence_key = evidence_files.store(evidence)
        session.evidence_name = evidence.filename
    db.session.flush()
    _tell_confirmers(session, rule, by)
    return session


def _tell_confirmers(session: LearningSession, rule: FormRule, by: User) -> None:
    told: set[int] = {by.id}
    message = N_(
        "%(name)s mencatat sesi %(form)s (%(topic)s) yang menunggu konfirmasi Anda.",
        name=session.employee.display_name,
        form=rule.name,
        topic=session.topic,
    )
    targets = []
    if "supervisor" in rule.confirm_by:
        targets.append(user_id_of_employee(session.employee.supervisor_id, active_only=True))
    if "coach" in rule.confirm_by:
        targets.append(session.coach_user_id)
    if "moderator" in rule.confirm_by and session.community_id is not None:
        targets.extend(sorted(moderator_accounts(session.community_id)))
    for user_id in targets:
        if user_id is not None and user_id not in told:
            told.add(user_id)
            notify(user_id, message, "careers.session_view", learning_session_id=session.id)
    if by.employee_id != session.employee_id:
        notify_employee(
            session.employee_id,
            N_("%(coach)s mencatat sesi %(form)s untuk Anda.", coach=by.name, form=rule.name),
            "careers.session_view",
            learning_session_id=session.id,
        )


def withdraw(session: LearningSession) -> None:
    if not session.open:
        raise CareerError(_("Sesi ini sudah diputuskan dan tidak dapat ditarik lagi."))
    session.status = "withdrawn"
    db.session.flush()


# --- confirming or returning ---------------------------------------------------------------------


def recognised_so_far(session: LearningSession) -> tuple[Decimal, Decimal]:
    """JP already recognised for the employee's form on the session's day and in its year (the
    session itself left out)."""
    base = select(func.coalesce(func.sum(LearningSession.recognised_jp), 0)).where(
        LearningSession.employee_id == session.employee_id,
        LearningSession.form_code == session.form_code,
        LearningSession.status == "confirmed",
        LearningSession.id != session.id,
    )
    year = session.held_on.year
    day_total = db.session.scalar(base.where(LearningSession.held_on == session.held_on))
    year_total = db.session.scalar(
        base.where(
            LearningSession.held_on >= date(year, 1, 1),
            LearningSession.held_on <= date(year, 12, 31),
        )
    )
    return Decimal(day_total or 0), Decimal(year_total or 0)


def _record_for(session: LearningSession, rule: FormRule, jp: Decimal, by: User) -> LearningRecord:
    employee = session.employee
    record = LearningRecord(
        employee_id=employee.id,
        source="session",
        status="verified",
        jenis_diklat_code=rule.code,
        competency_kind=session.competency_kind,
        siasn_type="kursus",  # only leadership programmes are riwayat diklat
        name=f"{rule.name}: {session.topic}"[:300],
        organiser=opd_of(employee.unit).name if employee.unit else "",
        starts_on=session.held_on,
        ends_on=session.held_on,
        year=session.held_on.year,
        jp=jp,
        evidence_key=session.evidence_key,
        evidence_name=session.evidence_name,
        reviewed_by_id=by.id,
        reviewed_at=utcnow(),
    )
    db.session.add(record)
    return record


def decide(session: LearningSession, by: User, confirm: bool, reason: str | None = "") -> None:
    """Confirm (JP recognised, a verified record when above 0) or return with a reason."""
    roles = capacities(by, session)
    if not roles:
        raise CareerError(_("Anda tidak berhak mengonfirmasi sesi ini."))
    if session.status != "submitted":
        raise CareerError(_("Sesi ini tidak sedang menunggu konfirmasi."))
    reason = (reason or "").strip()
    if not confirm and not reason:
        raise RecordInvalid({"reason": _("Tuliskan alasan sesi dikembalikan.")})
    if len(reason) > REASON_MAX:
        raise RecordInvalid({"reason": _("Alasan paling banyak %(n)s karakter.", n=REASON_MAX)})
    rule = rule_for(session.form_code)
    assert rule is not None
    before = {"status": session.status}
    session.decided_by_id = by.id
    session.decided_as = roles[0]
    session.decided_at = utcnow()
    if confirm:
        # Serialise the confirmations of one employee: the caps read what was confirmed before.
        db.session.execute(
            select(Employee.id).where(Employee.id == session.employee_id).with_for_update()
        )
        day, year = recognised_so_far(session)
        result = recognise(session.minutes, rule, day, year)
        session.status = "confirmed"
        session.recognised_jp = result.jp
        session.limited_by = result.limited_by or ""
        if result.jp > 0:
            session.record = _record_for(session, rule, result.jp, by)
        message = N_(
            "Sesi %(form)s (%(topic)s) dikonfirmasi; %(jp)s JP diakui.",
            form=rule.name,
            topic=session.topic,
            jp=f"{result.jp:g}",
        )
    else:
        session.status = "returned"
        session.return_reason = reason
        message = N_(
            "Sesi %(form)s (%(topic)s) dikembalikan: %(r)s",
            form=rule.name,
            topic=session.topic,
            r=reason,
        )
    after = {
        "status": session.status,
        "as": session.decided_as,
        "jp": None if session.recognised_jp is None else str(session.recognised_jp),
        "limited_by": session.limited_by,
        "reason": reason,
    }
    verb = "Konfirmasi" if confirm else "Kembalikan"
    audit(by, "update", session, f"{verb} sesi {rule.name}: {session.topic}"[:300], before, after)
    db.session.flush()
    notify_employee(
        session.employee_id, message, "careers.session_view", learning_session_id=session.id
    )
    if session.logged_by_id not in (by.id, user_id_of_employee(session.employee_id)):
        notify(
            session.logged_by_id, message, "careers.session_view", learning_session_id=session.id
        )
