"""Whose employees an HR user sees: BKPSDM all units, an Admin OPD their unit's subtree."""

from __future__ import annotations

from sqlalchemy import Select, select

from lms.auth.models import User
from lms.extensions import db
from lms.org.models import Unit
from lms.org.queries import in_unit_scope, unit_scope
from lms.permissions import Role

PAGE_SIZE = 25


# --- HR scope -----------------------------------------------------------------------------------


def is_hr(user: User) -> bool:
    roles = user.roles
    return Role.ADMIN_BKPSDM in roles or (Role.ADMIN_OPD in roles and user.admin_unit is not None)


def scope_path(user: User) -> str | None:
    """'' for all units (BKPSDM), the admin unit's path for an Admin OPD, None for no scope."""
    return unit_scope(user)


def scoped(stmt: Select, user: User) -> Select:
    return in_unit_scope(stmt, user)


def scoped_unit_choices(user: User) -> list[Unit]:
    return list(db.session.scalars(scoped(select(Unit), user).order_by(Unit.path)))


def opd_in_scope(user: User, opd: Unit) -> bool:
    """An OPD HR may open: any for BKPSDM, their own (or the one above their unit) for an Admin OPD."""
    path = scope_path(user)
    return path == "" or bool(path and (opd.path.startswith(path) or path.startswith(opd.path)))
