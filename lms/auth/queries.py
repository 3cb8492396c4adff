"""Read side of accounts that other features need."""

from __future__ import annotations

from sqlalchemy import inspect, select

from lms.auth.models import ApiToken, User
from lms.extensions import WatchedGeneration, db


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


def _changes_token_count(obj: object) -> bool:
    """Whether a write of an API token may change how many are active: when it is new, gone or
    revoked (not its last use, written on every call)."""
    state = inspect(obj)
    if state.pending or state.deleted or obj in (state.session.deleted if state.session else ()):
        return True
    return "revoked_at" in state.unloaded or state.attrs.revoked_at.history.has_changes()


#: Starts anew after a committed write that may change the number of active API tokens (the
#: system administrator's dashboard figures, kept under it and the accounts' generation).
API_TOKENS = WatchedGeneration("auth:api-tokens", (ApiToken,), counts=_changes_token_count)
