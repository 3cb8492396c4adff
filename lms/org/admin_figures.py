"""The administrators' dashboard figures, kept under the generations of what they count: an
Admin OPD's department (its name, its employees: ``queries.PEOPLE``), the system administrator's
accounts and API tokens (``auth.account_cache.ACCOUNTS``, ``auth.queries.API_TOKENS``), each
``DASHBOARD_KEPT_SECONDS`` at most (0: counted on every visit). A visit reads one cache entry
instead of counting a department's employees or every account again."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import func, select

from lms.auth.account_cache import ACCOUNTS
from lms.auth.models import ApiToken, User
from lms.auth.queries import API_TOKENS
from lms.extensions import db, kept
from lms.org import queries
from lms.permissions import roles_key


def _seconds() -> int:
    return int(current_app.config.get("DASHBOARD_KEPT_SECONDS", 0))


def opd_figures(user: User) -> tuple[str, int]:
    """The name of an Admin OPD's department and how many employees the account sees in it."""
    key = f"org:opd-figures:{queries.PEOPLE.token()}:{user.id}:{user.admin_unit_id}:"
    key += roles_key(user)

    def count() -> tuple[str, int]:
        scoped = queries.scoped_employees(user).subquery()
        n = db.session.scalar(select(func.count()).select_from(scoped)) or 0
        return user.admin_unit.name, n

    return kept(key, count, _seconds())


def admin_stats() -> dict[str, int]:
    """Accounts, disabled accounts and active API tokens, in one statement."""
    key = f"org:admin-stats:{ACCOUNTS.token()}:{API_TOKENS.token()}"

    def count() -> dict[str, int]:
        row = db.session.execute(
            select(
                select(func.count(User.id)).scalar_subquery(),
                select(func.count(User.id)).where(User.active.is_(False)).scalar_subquery(),
                select(func.count(ApiToken.id))
                .where(ApiToken.revoked_at.is_(None))
                .scalar_subquery(),
            )
        ).one()
        return dict(zip(("users", "disabled", "tokens"), (n or 0 for n in row), strict=True))

    return dict(kept(key, count, _seconds()))
