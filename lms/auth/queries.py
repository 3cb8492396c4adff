"""Read side of accounts that other features need."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db


def user_id_of_employee(employee_id: int | None, *, active_only: bool = False) -> int | None:
    """The account of an employee record, or None (no record, or no account yet).

    ``users.employee_id`` is unique, so there is at most one. ``active_only`` leaves out a
    deactivated account (someone who must decide something, rather than be told).
    """
    if employee_id is None:
        return None
    stmt = select(User.id).where(User.employee_id == employee_id)
    if active_only:
        stmt = stmt.where(User.active.is_(True))
    return db.session.scalar(stmt)
