"""Small helpers shared by the career views (learning records, JP, plans, SKP, career view)."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, send_file
from flask_login import current_user
from werkzeug.wrappers import Response

from lms.careers import scope
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.ledger.queries import HISTORY_YEARS
from lms.careers.records import evidence as evidence_files
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.permissions import refuse
from lms.storage import StorageError, get_storage


def current_employee() -> Employee:
    """The signed-in user's employee record; 403 (logged) for an account without one."""
    employee = current_user.employee
    if employee is None:
        refuse(status=403)
    return employee


def hr_or_403() -> None:
    if not scope.is_hr(current_user):
        refuse(status=403)


def apply_errors(form: Any, errors: dict[str, str]) -> None:
    """A service's field errors on the form's fields; an error for no field is flashed."""
    for name, message in errors.items():
        target = getattr(form, name, None)
        if target is not None:
            target.errors = [*list(target.errors), message]
        else:
            flash(message, "error")


def years(latest: int) -> list[int]:
    """The year choices, newest first: ``latest`` and the HISTORY_YEARS years before it."""
    return list(range(latest, latest - HISTORY_YEARS - 1, -1))


def year_arg(earliest: int, latest: int) -> int:
    """``?tahun=``, or this year when it is missing or outside earliest..latest."""
    this = local_today().year
    year = request.args.get("tahun", this, type=db_int)
    return year if earliest <= year <= latest else this


def year_arg_to_next() -> int:
    """``?tahun=`` from 2000 up to next year (a plan may be written for the coming year)."""
    return year_arg(2000, local_today().year + 1)


def years_to_next() -> list[int]:
    return years(local_today().year + 1)


def page_arg() -> int:
    return max(request.args.get("page", 1, type=db_int), 1)


def page_count(total: int, size: int) -> int:
    return max((total + size - 1) // size, 1)


def commit_or_flash(action: Callable[[], object], success: str) -> bool:
    """Run a service call: commit and flash ``success``, or roll back and flash its refusal."""
    try:
        action()
    except CareerError as exc:
        flash_error(exc)
        return False
    db.session.commit()
    flash(success, "success")
    return True


def decision(
    form: Any,
    *,
    yes: Any,
    no: Any,
    note: Any,
    choose: str,
    decide: Callable[[bool, str | None], object],
    message: Callable[[], str],
    refused_url: str,
    done_url: str,
) -> Response | None:
    """An approve / send-back form: a redirect when it is done (or refused), None to show it again.

    ``decide(approved, note)`` is the service call; ``message()`` the success text, read after
    it. A field error stays on the form (re-render it); any other refusal is flashed.
    """
    if not form.validate_on_submit():
        return None
    if not (yes.data or no.data):
        note.errors.append(choose)
        return None
    try:
        decide(bool(yes.data), note.data)
    except RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return None
    except CareerError as exc:
        flash_error(exc)
        return redirect(refused_url)
    text = message()
    db.session.commit()
    flash(text, "success")
    return redirect(done_url)


def evidence_download(key: str | None, name: str | None) -> Response:
    """An evidence file (of a learning record or a session) as a download, never cached; a file
    gone from storage answers like a missing one (404)."""
    if not key:
        abort(404)
    try:
        data = get_storage().read(key)
    except (OSError, StorageError):
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=evidence_files.mimetype_of(key),
        as_attachment=True,
        download_name=name or "bukti",
        max_age=0,
    )
