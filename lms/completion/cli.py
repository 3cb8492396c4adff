"""``flask --app lms completions ...``: HR records a classroom completion from the command line.

Exit 0 on success; otherwise non-zero with a one-line reason on stderr (CONTRACT.md). The command
acts as an HR account: ``--by USERNAME``, or else the first Admin BKPSDM account.
"""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup
from sqlalchemy import select

from lms.auth.models import User, UserRole
from lms.completion import queries
from lms.completion.attendance import parse_score
from lms.completion.services import CompletionError, certificate_number, record_classroom
from lms.enrolments.cohorts.models import Cohort
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.org.nip import normalise_nip
from lms.permissions import Capability, unit_in_scope
from lms.tasks import run_ready

completions = AppGroup("completions", help="Completions and their certificates.")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


def _actor(username: str | None):
    if username:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            _fail(f"no user named {username}")
        if not user.active or Capability.RECORD_COMPLETIONS not in user.capabilities:
            _fail(f"user {username} may not record completions")
        return user
    user = db.session.scalar(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == "admin_bkpsdm", User.active.is_(True))
        .order_by(User.id)
    )
    if user is None:
        _fail("no active admin_bkpsdm account to record as; pass --by USERNAME")
    return user


@completions.command("record")
@click.option("--nip", required=True, help="The employee's NIP (spaces allowed).")
@click.option("--course", "code", required=True, help="The course code.")
@click.option("--date", "day", default=None, help="Completion date YYYY-MM-DD (default: today).")
@click.option("--score", default=None, help="Final score 0–100 (optional).")
@click.option("--cohort", default=None, help="Cohort code (optional).")
@click.option("--by", "username", default=None, help="Record as this HR account.")
def record(
    nip: str,
    code: str,
    day: str | None,
    score: str | None,
    cohort: str | None,
    username: str | None,
) -> None:
    """Record a classroom completion: same rules, event and certificate as an online one."""
    employee = db.session.scalar(select(Employee).where(Employee.nip == normalise_nip(nip)))
    if employee is None:
        _fail(f"no employee with NIP {nip}")
    if not employee.is_active:
        _fail(f"employee {nip} is inactive")
    course = queries.find_published_course(code)
    if course is None:
        _fail(f"no published course with code {code}")
    try:
        completed_on = date.fromisoformat(day) if day else local_today()
    except ValueError:
        _fail(f"invalid --date {day!r}; use YYYY-MM-DD")
    try:
        value = parse_score(score or "")
    except ValueError:
        _fail(f"invalid --score {score!r}; use a number from 0 to 100")
    cohort_id = None
    if cohort:
        row = db.session.scalar(select(Cohort).where(Cohort.code == cohort))
        if row is None or row.id not in {c.id for c in queries.cohorts_for_course(course)}:
            _fail(f"cohort {cohort} does not include course {code}")
        cohort_id = row.id
    by = _actor(username)
    if not unit_in_scope(by, employee.unit):
        _fail(f"employee {nip} is outside the scope of {by.username}")
    try:
        completion = record_classroom(
            employee, course, completed_on=completed_on, score=value, by=by, cohort_id=cohort_id
        )
    except CompletionError as exc:
        db.session.rollback()
        _fail(str(exc))
    db.session.commit()
    number = certificate_number(completion) or "-"
    completion_id = completion.id
    run_ready()  # render the certificate PDF in-process when no broker is configured
    click.echo(
        f"recorded completion {completion_id} for {employee.nip} in {code}; certificate {number}"
    )
