"""The signed-in account, kept in this process between its requests.

Every request loads its account (the user, its roles, its employee record and whether it
supervises anyone): one query, the largest part of what the cheapest page costs. A process keeps
what that query returned, as plain column values, under the *accounts generation*
(``lms.extensions.generation``): any committed ORM write to an account, its roles, an employee or
a partner institution (a new supervisor, a deactivation, a signed-out-everywhere, a rename),
from any process on the machine (or any server, with Redis), starts a new generation, and every
kept account is read afresh on its next request. A login's own ``last_login_at`` does not count:
1,000 logins in an exam morning would otherwise empty every worker's accounts 1,000 times.

What a request gets is a copy merged into its own session (``Session.merge(load=False)``, the
way SQLAlchemy documents for caches: no query), so no two requests share an object and lazy
loads (the account's unit, its partner) work as before. Entries older than
``ACCOUNT_CACHE_SECONDS`` (default 300; 0 turns the cache off) are read afresh too, a bound on a
write that went around the ORM (raw SQL in a shell), and at most ``ACCOUNT_CACHE_SIZE`` accounts
(default 20,000) are kept per process, the least recently used leaving first.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import inspect
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from lms.auth.models import PartnerInstitution, User, UserRole
from lms.extensions import WatchedGeneration, db
from lms.org.models import Employee

#: Changes of an account that no page reads from the kept copy.
UNWATCHED_USER_ATTRS = frozenset({"last_login_at"})
_EXTENSION = "account_cache"


@dataclass(frozen=True)
class Snapshot:
    """What the account query returned, as column values (no ORM state)."""

    user: dict[str, Any]
    employee: dict[str, Any] | None
    roles: tuple[dict[str, Any], ...]
    has_reports: bool


class _Kept:
    def __init__(self, size: int) -> None:
        self.size = size
        self.lock = threading.Lock()
        self.entries: OrderedDict[int, tuple[str, float, Snapshot]] = OrderedDict()

    def get(self, uid: int, token: str, oldest: float) -> Snapshot | None:
        with self.lock:
            found = self.entries.get(uid)
            if found is None or found[0] != token or found[1] < oldest:
                return None
            self.entries.move_to_end(uid)
            return found[2]

    def put(self, uid: int, token: str, snapshot: Snapshot) -> None:
        with self.lock:
            self.entries[uid] = (token, time.monotonic(), snapshot)
            self.entries.move_to_end(uid)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)


def _kept(app: Flask) -> _Kept | None:
    if not app.config.get("ACCOUNT_CACHE_SECONDS"):
        return None
    kept = app.extensions.get(_EXTENSION)
    if kept is None:
        kept = app.extensions.setdefault(
            _EXTENSION, _Kept(int(app.config.get("ACCOUNT_CACHE_SIZE") or 20_000))
        )
    return kept


def clear(app: Flask) -> None:
    """Forget every kept account of this process (tables emptied behind the ORM's back)."""
    app.extensions.pop(_EXTENSION, None)


def load(uid: int, query: Callable[[], tuple[User, bool] | None]) -> tuple[User, bool] | None:
    """The account ``uid`` and whether it has reports: from this process's copy when the
    accounts generation has not moved since it was read, else from ``query()`` (kept then)."""
    app = current_app._get_current_object()
    kept = _kept(app)
    if kept is None:
        return query()
    token = ACCOUNTS.token()  # before the query: a write after it misses
    oldest = time.monotonic() - float(app.config["ACCOUNT_CACHE_SECONDS"])
    snapshot = kept.get(uid, token, oldest)
    if snapshot is not None and not _in_session(snapshot):
        return _merged(snapshot), snapshot.has_reports
    row = query()
    if row is not None:
        kept.put(uid, token, _snapshot(*row))
    return row


def _in_session(snapshot: Snapshot) -> bool:
    """Whether the session already holds the account or its employee (a test's session shared
    with its request, a second login in one request): merging would overwrite its state."""
    held = db.session.identity_map
    if not held:  # the usual start of a request
        return False
    if identity_key(User, snapshot.user["id"]) in held:
        return True
    return snapshot.employee is not None and identity_key(Employee, snapshot.employee["id"]) in held


def _columns(obj: Any) -> dict[str, Any]:
    state = inspect(obj)
    return {
        attr.key: state.dict[attr.key]
        for attr in state.mapper.column_attrs
        if attr.key in state.dict
    }


def _snapshot(user: User, has_reports: bool) -> Snapshot:
    employee = user.__dict__.get("employee")
    return Snapshot(
        user=_columns(user),
        employee=_columns(employee) if employee is not None else None,
        roles=tuple(_columns(row) for row in user.__dict__.get("role_rows", ())),
        has_reports=bool(has_reports),
    )


def _detached(cls: type, values: dict[str, Any]) -> Any:
    obj = cls.__mapper__.class_manager.new_instance()
    obj.__dict__.update(values)
    make_transient_to_detached(obj)
    return obj


def _merged(snapshot: Snapshot) -> User:
    user = _detached(User, snapshot.user)
    employee = _detached(Employee, snapshot.employee) if snapshot.employee else None
    set_committed_value(user, "employee", employee)
    roles = [_detached(UserRole, r) for r in snapshot.roles]
    set_committed_value(user, "role_rows", roles)
    _attach([user, *([employee] if employee is not None else []), *roles])
    return user


def _attach(objects: list[Any]) -> None:
    """Fresh objects of this request, attached as they are (not copied as ``merge`` would).
    ``Session.add`` would find the same three kinds of object by walking every relationship
    of each mapper for its cascade, most of a kept account's cost; the graph is known here, so
    each is attached on its own (the step ``add`` takes for each object it finds). Should a
    SQLAlchemy release drop that step, ``add`` does the same."""
    session = db.session()
    attach_one = getattr(session, "_update_impl", None)
    if attach_one is None:
        session.add(objects[0])
        return
    for obj in objects:
        attach_one(inspect(obj))


def _counts(user: object) -> bool:
    """Whether a write of an account changes what is kept of it (not a login's stamp alone)."""
    if not isinstance(user, User):
        return True
    state = inspect(user)
    if not state.persistent or state.deleted:
        return True
    return any(
        attr.key not in UNWATCHED_USER_ATTRS and attr.history.has_changes() for attr in state.attrs
    )


ACCOUNTS = WatchedGeneration(
    "auth:accounts", (User, UserRole, Employee, PartnerInstitution), counts=_counts
)
