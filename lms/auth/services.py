"""Accounts: password hashing, login lookup, sessions, API tokens. Services flush, never commit."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, bindparam, exists, func, or_, select
from sqlalchemy.orm import joinedload

from lms.auth import account_cache, throttle
from lms.auth.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.auth.models import API_SCOPES, ApiToken, AuditLog, PartnerInstitution, User
from lms.db import utcnow
from lms.errors import DomainError
from lms.extensions import db, login_manager
from lms.org.models import Employee
from lms.org.nip import normalise_nip
from lms.permissions import Role

MIN_PASSWORD_LENGTH = 8


class AuthError(DomainError):
    """A refused account change; ``field`` names the form field the message belongs to."""


class PartnerInactive(AuthError):
    """The right password for a staff account whose partner institution BKPSDM deactivated: the
    login page says so (only after the password matched, so it tells a stranger nothing)."""

    def __init__(self, partner: PartnerInstitution) -> None:
        super().__init__(
            _(
                "Lembaga mitra Anda (%(n)s) sedang dinonaktifkan oleh BKPSDM, sehingga akun ini "
                "tidak dapat masuk. Hubungi BKPSDM untuk informasi lebih lanjut.",
                n=partner.name,
            ),
            "identifier",
        )


def _hasher() -> PasswordHasher:
    """The configured argon2id parameters, every one passed: argon2-cffi's own defaults (64 MiB,
    t=3, p=4) would otherwise fill in, and ``check_needs_rehash`` compares all of them."""
    cfg = current_app.config
    return _hasher_for(
        cfg["PASSWORD_TIME_COST"], cfg["PASSWORD_MEMORY_COST"], cfg["PASSWORD_PARALLELISM"]
    )


@lru_cache(maxsize=4)
def _hasher_for(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def check_password(user: User, password: str) -> bool:
    """Whether ``password`` matches; never changes the stored hash (see ``_upgrade_hash``)."""
    try:
        _hasher().verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    return True


def _upgrade_hash(user: User, password: str) -> None:
    """A hash made with other parameters (older, costlier ones) is rewritten with the configured
    ones; called only once a login has succeeded, so the login view's commit keeps it and a
    refused login (wrong password, disabled account) leaves the stored hash alone."""
    hasher = _hasher()
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)


_DUMMY_HASH: dict[tuple[int, int, int], str] = {}


def authenticate(identifier: str, password: str) -> User | None:
    """Find an account by username or NIP and check the password.

    Attempts are limited per account (``LOGIN_RATE_LIMIT``, across every worker: see
    lms.auth.throttle), or per name typed when no account has it, so unknown names behave the
    same; over the limit raises ``throttle.TooManyAttempts`` before any password is checked.
    A missing account still costs one hash check, so timing does not tell which usernames exist.
    An account that is disabled, or whose employee HR marked inactive, cannot log in; one whose
    partner institution is inactive raises ``PartnerInactive`` once its password matched.
    """
    ident = identifier.strip()
    nip = normalise_nip(ident)
    user = db.session.scalar(
        select(User)
        .outerjoin(Employee, User.employee_id == Employee.id)
        .where(or_(func.lower(User.username) == ident.lower(), Employee.nip == nip))
        .limit(1)
    )
    key = (
        f"login:account:{user.id}"
        if user is not None
        else "login:name:" + "".join(ident.split()).lower()[:100]  # an NIP typed with spaces too
    )
    throttle.attempt(key, current_app.config["LOGIN_RATE_LIMIT"])
    if user is None:
        cfg = current_app.config
        cost = (
            cfg["PASSWORD_TIME_COST"],
            cfg["PASSWORD_MEMORY_COST"],
            cfg["PASSWORD_PARALLELISM"],
        )  # the dummy costs what a real account's check costs
        if cost not in _DUMMY_HASH:
            _DUMMY_HASH[cost] = hash_password("dummy-password")
        with contextlib.suppress(VerificationError):
            _hasher().verify(_DUMMY_HASH[cost], password)
        return None
    if not check_password(user, password):
        return None
    if not user.active or (user.employee is not None and not user.employee.is_active):
        return None
    if user.partner is not None and not user.partner.is_active:
        raise PartnerInactive(user.partner)
    throttle.give_back(key)
    _upgrade_hash(user, password)
    user.last_login_at = utcnow()
    return user


@lru_cache(maxsize=1)
def _user_with_roles() -> Select:
    """Every request loads its account: one query with the roles joined (the capability check
    needs them), built once (on first use, when every model is mapped) so SQLAlchemy reuses its
    cache key instead of building a statement each time. An account whose employee HR marked
    inactive, or whose partner institution BKPSDM deactivated, is not found: it has no session."""
    inactive_employee = exists().where(
        Employee.id == User.employee_id, Employee.is_active.is_(False)
    )
    inactive_partner = exists().where(
        PartnerInstitution.id == User.partner_id, PartnerInstitution.is_active.is_(False)
    )
    # Whether the account supervises anyone (the derived Atasan role every page's menu asks
    # about) and its employee record (learner pages read it) come in the same query.
    has_reports = (
        exists()
        .where(Employee.supervisor_id == User.employee_id, Employee.is_active.is_(True))
        .label("has_reports")
    )
    return (
        select(User, has_reports)
        .options(joinedload(User.role_rows), joinedload(User.employee))
        .where(User.id == bindparam("uid"), ~inactive_employee, ~inactive_partner)
    )


def _account_key(user_id: object) -> tuple[int, int] | None:
    """``"id:session_version"`` (what ``User.get_id`` puts in the session) as two numbers."""
    try:
        uid, version = (int(part) for part in str(user_id).split(":", 1))
    except ValueError:
        return None
    return uid, version


def session_account(session: Mapping[str, Any]) -> tuple[int, int] | None:
    """The signed session's account id and session version, without loading the account (the
    view passes the request's ``flask.session``).

    For a hot path that proves in its own SQL that this account (active, at this session version)
    may act; None when there is nothing to prove with (signed out, or only a remember-me cookie,
    which Flask-Login must restore) or when "strong" session protection asks Flask-Login to vet
    every request itself.
    """
    if login_manager.session_protection == "strong" or "_user_id" not in session:
        return None
    return _account_key(session["_user_id"])


def load_user(user_id: str) -> User | None:
    """Flask-Login loader: the id carries the session version, so bumping it ends sessions."""
    key = _account_key(user_id)
    if key is None:
        return None
    uid, version = key
    row = account_cache.load(uid, lambda: _query_account(uid))
    if row is None:
        return None
    user, has_reports = row
    if user.session_version != version or not user.active:
        return None
    user.__dict__["_has_reports"] = bool(has_reports)  # not a mapped attribute: no write
    return user


def _query_account(uid: int) -> tuple[User, bool] | None:
    row = db.session.execute(_user_with_roles(), {"uid": uid}).unique().one_or_none()
    return None if row is None else (row[0], bool(row[1]))


def roles_of(users: list[User]) -> dict[int, frozenset[Role]]:
    """Roles of many accounts with one query for the derived Atasan role (for lists)."""
    employee_ids = [u.employee_id for u in users if u.employee_id is not None]
    with_reports: set[int] = set()
    if employee_ids:
        with_reports = set(
            db.session.scalars(
                select(Employee.supervisor_id)
                .where(Employee.supervisor_id.in_(employee_ids), Employee.is_active.is_(True))
                .distinct()
            )
        )
    result: dict[int, frozenset[Role]] = {}
    for user in users:
        roles = set(user.stored_roles)
        if user.employee_id is not None:
            roles.add(Role.PEGAWAI)
            if user.employee_id in with_reports:
                roles.add(Role.ATASAN)
        result[user.id] = frozenset(roles)
    return result


def validate_new_password(password: str, user: User | None = None) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AuthError(_("Kata sandi minimal %(n)s karakter.", n=MIN_PASSWORD_LENGTH), "new")
    guessable = {"password", "12345678", DEMO_PASSWORD}  # the demo's is published
    if user is not None:
        guessable.add(user.username.lower())
    if password.lower() in guessable:
        raise AuthError(_("Kata sandi terlalu mudah ditebak."), "new")


def change_password(user: User, current: str, new: str) -> None:
    """Check the current password (limited per account like logins: ``PASSWORD_CHECK_RATE_LIMIT``;
    over it raises ``throttle.TooManyAttempts``), then set the new one and end other sessions."""
    key = f"password:account:{user.id}"
    throttle.attempt(key, current_app.config["PASSWORD_CHECK_RATE_LIMIT"])
    if not check_password(user, current):
        raise AuthError(_("Kata sandi saat ini salah."), field="current")
    throttle.give_back(key)
    validate_new_password(new, user)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    user.demo_password = False
    user.session_version += 1
    audit(user, "update", user, "password changed")
    db.session.flush()


def reset_password(actor: User, user: User) -> str:
    """Set a random temporary password the user must change at next login; end their sessions."""
    temporary = secrets.token_urlsafe(9)
    user.password_hash = hash_password(temporary)
    user.must_change_password = True
    user.demo_password = False
    user.session_version += 1
    audit(actor, "update", user, "password reset by admin")
    db.session.flush()
    return temporary


def end_sessions(user: User) -> None:
    """Log out everywhere: every signed session and remember-me cookie of the account (and the
    quiz autosave, which proves the session version in SQL) stops working at once."""
    user.session_version += 1
    db.session.flush()


def demo_password_accounts() -> list[str]:
    """Usernames of active accounts that still have the published demo password.

    Cheap enough for every start: only accounts the demo loader marked (``demo_password``, cleared
    by each password change) and the seven demo usernames are candidates, and each distinct hash
    is checked once: the loader gives all 207 demo accounts one hash, so a database with the demo
    costs one argon2 check and one without it none.
    """
    from sqlalchemy import inspect

    names = [name for name, _roles, _display in DEMO_ACCOUNTS]
    marked = User.username.in_(names)
    if "demo_password" in {c["name"] for c in inspect(db.engine).get_columns("users")}:
        marked = or_(marked, User.demo_password.is_(True))  # absent before migration 0007a
    by_hash: dict[str, list[str]] = {}
    for username, password_hash in db.session.execute(
        select(User.username, User.password_hash).where(User.active.is_(True), marked)
    ):
        by_hash.setdefault(password_hash, []).append(username)
    hasher = PasswordHasher()  # verify reads the parameters from each hash
    found: list[str] = []
    for password_hash, usernames in by_hash.items():
        with contextlib.suppress(VerificationError, InvalidHashError):
            if hasher.verify(password_hash, DEMO_PASSWORD):
                found.extend(usernames)
    return sorted(found)


def set_active(actor: User, user: User, active: bool) -> None:
    if actor.id == user.id and not active:
        raise AuthError(_("Anda tidak dapat menonaktifkan akun Anda sendiri."))
    before = user.active
    user.active = active
    if not active:
        user.session_version += 1  # ends every session of the account
    audit(
        actor,
        "update",
        user,
        "account enabled" if active else "account disabled",
        {"active": before},
        {"active": active},
    )
    db.session.flush()


def create_user(
    username: str,
    password: str,
    roles: set[Role] | None = None,
    display_name: str = "",
    employee: Employee | None = None,
    password_hash: str | None = None,
) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise AuthError(_("Nama pengguna wajib diisi (maksimal 64 karakter)."))
    exists = db.session.scalar(select(User.id).where(func.lower(User.username) == username.lower()))
    if exists:
        raise AuthError(_("Nama pengguna %(u)s sudah dipakai.", u=username))
    if password_hash is None:
        validate_new_password(password)
        password_hash = hash_password(password)
    user = User(
        username=username,
        password_hash=password_hash,
        display_name=display_name,
        employee=employee,
    )
    user.set_roles(roles or set())
    db.session.add(user)
    db.session.flush()
    return user


@dataclass
class AccountChange:
    """What the account form asks for: a new account (with its initial password) or an edit."""

    username: str
    display_name: str = ""
    roles: set[Role] = field(default_factory=set)
    password: str = ""
    employee_nip: str = ""
    admin_unit_id: int | None = None
    partner_id: int | None = None


class AccountInvalid(AuthError):
    """Every broken account rule at once (``problems``, each naming its field), so the form can
    show them all together; nothing was changed."""

    def __init__(self, problems: list[AuthError]) -> None:
        super().__init__(str(problems[0]), problems[0].field)
        self.problems = problems


def account_rule_problems(change: AccountChange, is_new: bool) -> list[AuthError]:
    """The account rules that need no database: an Admin OPD manages one OPD, a Mitra account
    belongs to a partner institution, and a new account starts with a password."""
    problems = []
    if Role.ADMIN_OPD in change.roles and not change.admin_unit_id:
        problems.append(AuthError(_("Admin OPD harus dikaitkan dengan satu OPD."), "admin_unit_id"))
    if Role.MITRA in change.roles and not change.partner_id:
        problems.append(
            AuthError(_("Akun Mitra harus dikaitkan dengan lembaga mitra."), "partner_id")
        )
    if is_new and not change.password:
        problems.append(AuthError(_("Kata sandi awal wajib diisi untuk akun baru."), "password"))
    return problems


def _rename(user: User, username: str) -> None:
    clash = db.session.scalar(
        select(User).where(func.lower(User.username) == username.strip().lower())
    )
    if clash is not None and clash.id != user.id:
        raise AuthError(_("Nama pengguna %(u)s sudah dipakai.", u=username), "username")
    user.username = username.strip()


def save_account(actor: User, user: User | None, change: AccountChange) -> User:
    """Create an account (``user`` None; it must change its initial password at first login) or
    edit one, after checking every account rule.

    Raises ``AccountInvalid`` with all broken rules (unknown employee NIP, Admin OPD without OPD,
    Mitra without institution, new account without password) before changing anything, then
    ``AuthError`` for a taken or invalid username or a refused initial password (on the
    ``password`` field). Flushes, never commits.
    """
    problems = []
    employee = None
    if change.employee_nip:
        employee = db.session.scalar(
            select(Employee).where(Employee.nip == normalise_nip(change.employee_nip))
        )
        if employee is None:
            problems.append(AuthError(_("Pegawai dengan NIP ini tidak ditemukan."), "employee_nip"))
    problems += account_rule_problems(change, user is None)
    if problems:
        raise AccountInvalid(problems)
    if user is None:
        try:
            user = create_user(
                change.username, change.password, change.roles, change.display_name, employee
            )
        except AuthError as exc:  # the password rules name the change form's field, "new"
            if exc.field != "new":
                raise
            raise AuthError(str(exc), "password") from exc
        user.must_change_password = True
    else:
        _rename(user, change.username)
        user.display_name = change.display_name
        user.employee = employee
        user.set_roles(change.roles)
    user.admin_unit_id = change.admin_unit_id or None
    user.partner_id = change.partner_id or None
    audit(
        actor,
        "update",
        user,
        "account saved",
        after={"roles": sorted(r.value for r in change.roles)},
    )
    db.session.flush()
    return user


def audit(
    actor: User | None,
    action: str,
    obj: object,
    summary: str = "",
    before: dict | None = None,
    after: dict | None = None,
) -> None:
    db.session.add(
        AuditLog(
            actor_id=actor.id if actor is not None else None,
            action=action,
            object_type=type(obj).__name__,
            object_id=str(getattr(obj, "id", "")),
            summary=summary,
            before=before,
            after=after,
        )
    )


# --- API tokens ----------------------------------------------------------------------------


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    user: User, scopes: list[str], name: str = "", expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Return the token row and the plain token, which is shown once and never stored."""
    unknown = [s for s in scopes if s not in API_SCOPES]
    if unknown or not scopes:
        raise AuthError(
            _(
                "Cakupan token tidak dikenal: %(s)s. Pilihan: %(all)s.",
                s=", ".join(unknown) or "-",
                all=", ".join(API_SCOPES),
            )
        )
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        prefix=prefix,
        token_hash=_digest(secret),
        scopes=" ".join(sorted(set(scopes))),
        expires_at=expires_at,
    )
    db.session.add(token)
    db.session.flush()
    return token, f"lms_{prefix}_{secret}"


def find_api_token(raw: str) -> ApiToken | None:
    try:
        marker, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    if marker != "lms":
        return None
    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    if token is None or not hmac.compare_digest(token.token_hash, _digest(secret)):
        return None
    if not token.is_usable:
        return None
    return token


def revoke_api_token(actor: User, token: ApiToken) -> None:
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        audit(actor, "update", token, "api token revoked")
    db.session.flush()
