"""The daily job: invite and remind each side of every open post-training evaluation.

Celery beat runs ``followup.send_due`` every morning (``beat_schedule``, registered with the
evaluations blueprint); without a broker cron runs ``flask --app lms followup send-due``. Each
notice is an in-app notification whose e-mail leaves after the commit (``lms.notifications``), and
a ``FollowupNotice`` row claimed in the same transaction: the unique (follow-up, role, kind) lets
only one runner send it, so running twice, or two runners at once, tells nobody twice. A batch
job, not a request: it commits per batch of follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from celery import shared_task
from celery.schedules import crontab
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from lms.evaluations.followup import rules
from lms.evaluations.followup.models import ROLES, Followup, FollowupAnswer, FollowupNotice
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.messages import N_, Deferred
from lms.notifications.services import notify_employee

#: The hour (agency time) the job runs: people read it at the start of the working day.
SEND_HOUR = 7
BATCH = 200
ENDPOINTS = {"alumnus": "evaluations.followup_answer", "supervisor": "evaluations.followup_assess"}


@dataclass
class SendResult:
    followups: int = 0
    sent: int = 0

    def __str__(self) -> str:
        return f"{self.followups} open follow-up(s): {self.sent} notice(s) sent"


def message(followup: Followup, role: str, kind: str) -> Deferred:
    """The notice's text, translated when it is read (the reader's language, not the job's)."""
    reminder = kind != "invitation"
    if role == "alumnus":
        if reminder:
            return N_(
                "Pengingat: evaluasi pascapelatihan %(t)s belum Anda isi (paling lambat %(d)s).",
                t=followup.title,
                d=followup.closes_on,
            )
        return N_(
            "Evaluasi pascapelatihan %(t)s: ceritakan penerapannya di tempat kerja "
            "(paling lambat %(d)s).",
            t=followup.title,
            d=followup.closes_on,
        )
    name = followup.employee.display_name
    if reminder:
        return N_(
            "Pengingat: evaluasi pascapelatihan %(t)s untuk %(n)s belum Anda isi "
            "(paling lambat %(d)s).",
            t=followup.title,
            n=name,
            d=followup.closes_on,
        )
    return N_(
        "Evaluasi pascapelatihan %(t)s untuk %(n)s: nilailah penerapannya di tempat kerja "
        "(paling lambat %(d)s).",
        t=followup.title,
        n=name,
        d=followup.closes_on,
    )


def recipient_of(followup: Followup, role: str) -> int | None:
    """The employee asked: the alumnus, or their current direct supervisor (active ones only)."""
    employee = followup.employee
    if not employee.is_active:
        return None
    if role == "alumnus":
        return employee.id
    supervisor = employee.supervisor
    return supervisor.id if supervisor is not None and supervisor.is_active else None


def _claim(followup: Followup, role: str, kind: str, recipient_id: int) -> bool:
    try:
        with db.session.begin_nested():
            db.session.add(
                FollowupNotice(
                    followup_id=followup.id, role=role, kind=kind, recipient_id=recipient_id
                )
            )
    except IntegrityError:
        return False  # another runner sent it
    return True


def _send_batch(followups: list[Followup], today: date, result: SendResult) -> None:
    ids = [f.id for f in followups]
    answered = set(
        db.session.execute(
            select(FollowupAnswer.followup_id, FollowupAnswer.role).where(
                FollowupAnswer.followup_id.in_(ids)
            )
        ).all()
    )
    sent: dict[tuple[int, str], set[str]] = {}
    for followup_id, role, kind in db.session.execute(
        select(FollowupNotice.followup_id, FollowupNotice.role, FollowupNotice.kind).where(
            FollowupNotice.followup_id.in_(ids)
        )
    ):
        sent.setdefault((followup_id, role), set()).add(kind)
    for followup in followups:
        result.followups += 1
        for role in ROLES:
            if (followup.id, role) in answered:
                continue
            kind = rules.next_notice(
                followup.due_on, followup.closes_on, today, sent.get((followup.id, role), set())
            )
            recipient = recipient_of(followup, role) if kind else None
            if kind is None or recipient is None:
                continue
            if _claim(followup, role, kind, recipient):
                notify_employee(
                    recipient,
                    message(followup, role, kind),
                    ENDPOINTS[role],
                    followup_id=followup.id,
                )
                result.sent += 1


def send_due(today: date | None = None) -> SendResult:
    """Send today's invitations and reminders; commits per batch."""
    today = today or local_today()
    result = SendResult()
    last_id = 0
    while True:
        batch = list(
            db.session.scalars(
                select(Followup)
                .options(selectinload(Followup.employee))
                .where(
                    Followup.status == "scheduled",
                    Followup.due_on <= today,
                    Followup.closes_on >= today,
                    Followup.id > last_id,
                )
                .order_by(Followup.id)
                .limit(BATCH)
            )
        )
        if not batch:
            break
        _send_batch(batch, today, result)
        last_id = batch[-1].id
        db.session.commit()
    return result


@shared_task(name="followup.send_due")
def send_due_task() -> str:
    """Celery beat calls this daily (see ``beat_schedule``)."""
    return str(send_due())


def beat_schedule() -> dict:
    return {
        "followup-send-due": {
            "task": "followup.send_due",
            "schedule": crontab(hour=SEND_HOUR, minute=0),
        }
    }
