"""Accounts, stored roles and API tokens."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    String,
    UniqueConstraint,
    event,
    exists,
    false,
    select,
    true,
)
from sqlalchemy.orm import Mapped, Session, attributes, mapped_column, relationship

from lms.db import TimestampMixin, as_utc, in_values, utcnow
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import ASSIGNABLE_ROLES, Capability, Role, capabilities_of

#: Where ``User.roles`` is memoised: a dict that lives for one request, or None (no memo outside a
#: request, where roles may change between two reads). lms.auth installs the request's store; the
#: model itself knows nothing of requests.
RolesMemo = Callable[[], dict[tuple[int, int], frozenset[Role]] | None]


def _no_memo() -> None:
    return None


_roles_memo: RolesMemo = _no_memo


def memoise_roles_in(store: RolesMemo) -> None:
    global _roles_memo
    _roles_memo = store


#: What a partner institution is (DOMAIN: who may run training for civil servants).
PARTNER_KINDS = ("lan", "bpsdmd", "universitas", "lembaga_terakreditasi")
#: How long before its last valid day an accreditation counts as ending soon.
ACCREDITATION_SOON = timedelta(days=60)


class PartnerInstitution(TimestampMixin, db.Model):
    """A partner institution (LAN, a provincial BPSDMD, a university, an accredited provider):
    BKPSDM keeps its profile; its staff (role Mitra, ``users.partner_id``) author and see only
    its courses (``courses.partner_id``). ``kind`` is NULL only for an institution registered by
    the content loader before anyone filled in its profile."""

    __tablename__ = "partner_institutions"
    __table_args__ = (
        CheckConstraint(in_values("kind", PARTNER_KINDS), name="kind"),
        CheckConstraint(
            "accreditation_expires_on IS NULL OR accredited_on IS NULL "
            "OR accreditation_expires_on >= accredited_on",
            name="accreditation_dates",
        ),
        CheckConstraint(
            "mou_ends_on IS NULL OR mou_starts_on IS NULL OR mou_ends_on >= mou_starts_on",
            name="mou_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(24))
    accreditation_number: Mapped[str] = mapped_column(String(100), default="", server_default="")
    accredited_on: Mapped[date | None]
    accreditation_expires_on: Mapped[date | None]
    mou_number: Mapped[str] = mapped_column(String(100), default="", server_default="")
    mou_starts_on: Mapped[date | None]
    mou_ends_on: Mapped[date | None]
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    # False: its staff accounts cannot sign in, their sessions and API tokens stop working
    # (lms.auth.services.load_user, authenticate; ApiToken.is_usable), their own ``active``
    # untouched, so re-activating gives access back to exactly the accounts that had it.
    is_active: Mapped[bool] = mapped_column(default=True, server_default=true())

    def accreditation_state(self, today: date) -> str | None:
        """``valid``, ``ending`` (within ACCREDITATION_SOON), ``expired`` (past its last valid
        day), or None when no expiry is recorded. ``today`` is the date in Asia/Jakarta
        (lms.indonesian.local_today). An expired accreditation refuses new package uploads."""
        expires = self.accreditation_expires_on
        if expires is None:
            return None
        if expires < today:
            return "expired"
        return "ending" if expires - today <= ACCREDITATION_SOON else "valid"


class User(TimestampMixin, db.Model):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("session_version >= 1", name="session_version_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("employees.id"), unique=True)
    admin_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_institutions.id"))
    active: Mapped[bool] = mapped_column(default=True)
    # Bumped to end every session of the account (disable, password change, admin reset).
    session_version: Mapped[int] = mapped_column(default=1)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Set by the demo loader, cleared by every password change: the production start refuses
    # while an active account so marked still has the published demo password, and finds them
    # without an argon2 check per account (lms.auth.services.demo_password_accounts).
    demo_password: Mapped[bool] = mapped_column(default=False, server_default=false())
    locale: Mapped[str | None] = mapped_column(String(5))
    last_login_at: Mapped[datetime | None]

    employee: Mapped[Employee | None] = relationship()
    admin_unit: Mapped[Unit | None] = relationship()
    partner: Mapped[PartnerInstitution | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", back_populates="user", lazy="selectin"
    )

    # Flask-Login protocol -------------------------------------------------------------------
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    # Roles ----------------------------------------------------------------------------------
    @property
    def stored_roles(self) -> set[Role]:
        return {Role(r.role) for r in self.role_rows}

    def has_reports(self) -> bool:
        if self.employee_id is None:
            return False
        known = self.__dict__.get("_has_reports")  # read with the account by the user loader
        if known is not None:
            return known
        return bool(
            db.session.scalar(
                select(
                    exists().where(
                        Employee.supervisor_id == self.employee_id, Employee.is_active.is_(True)
                    )
                )
            )
        )

    @property
    def roles(self) -> frozenset[Role]:
        """Stored roles plus the derived ones: Pegawai (has an employee record) and Atasan."""
        memo = _roles_memo()
        key = (self.id, self.session_version)
        if memo is not None and key in memo:
            return memo[key]
        roles = set(self.stored_roles)
        if self.employee_id is not None:
            roles.add(Role.PEGAWAI)
            if self.has_reports():
                roles.add(Role.ATASAN)
        result = frozenset(roles)
        if memo is not None:
            memo[key] = result
        return result

    @property
    def capabilities(self) -> frozenset[Capability]:
        return capabilities_of(self.roles)

    @property
    def certain_capabilities(self) -> frozenset[Capability]:
        """What the account can do without asking whether it supervises anyone (no query):
        enough to let a learner through on hot paths such as quiz autosave."""
        memo = _roles_memo()
        known = memo.get((self.id, self.session_version)) if memo is not None else None
        if known is not None:  # this request knows every role already: no sets to build
            return capabilities_of(known)
        roles = set(self.stored_roles)
        if self.employee_id is not None:
            roles.add(Role.PEGAWAI)
        return capabilities_of(roles)

    def set_roles(self, roles: set[Role]) -> None:
        wanted = {r for r in roles if r in ASSIGNABLE_ROLES}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        have = self.stored_roles
        for role in sorted(wanted - have):
            self.role_rows.append(UserRole(role=role.value))

    @property
    def name(self) -> str:
        if self.employee is not None:
            return self.employee.display_name
        return self.display_name or self.username


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (
        UniqueConstraint("user_id", "role"),
        CheckConstraint(in_values("role", [r.value for r in ASSIGNABLE_ROLES]), name="role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(30))

    user: Mapped[User] = relationship(back_populates="role_rows")


API_SCOPES = ("completions:read", "certificates:read", "employees:read", "profile:read")


class ApiToken(TimestampMixin, db.Model):
    """An integration token. Only a SHA-256 of the secret is stored; the prefix finds the row."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(400))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None or not self.user.active:
            return False
        if self.user.employee is not None and not self.user.employee.is_active:
            return False
        if self.user.partner is not None and not self.user.partner.is_active:
            return False
        if self.expires_at is None:
            return True
        return as_utc(self.expires_at) > utcnow()


class AuditLog(db.Model):
    """Who changed what, when, with the values before and after."""

    __tablename__ = "audit_log"
    __table_args__ = (
        CheckConstraint(in_values("action", ("create", "update", "delete", "event")), "action"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str] = mapped_column(String(50))
    object_id: Mapped[str] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(300), default="")
    before: Mapped[dict | None] = mapped_column(db.JSON)
    after: Mapped[dict | None] = mapped_column(db.JSON)


class AttemptCounter(db.Model):
    """Attempts per key in a fixed window (an account's logins, its current-password checks),
    counted in the database so that every worker and server shares one count
    (lms.auth.throttle)."""

    __tablename__ = "attempt_counters"
    __table_args__ = (CheckConstraint("hits >= 0", name="hits_not_negative"),)

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    hits: Mapped[int]
    expires_at: Mapped[datetime] = mapped_column(index=True)


@event.listens_for(Session, "before_flush")
def _end_sessions_of_deactivated_employees(
    session: Session, _context: object, _objs: object
) -> None:
    """An employee whom HR marks inactive loses every session at once, whichever form, import or
    service made the change: the account's session version moves on, which ends signed
    sessions, remember-me cookies and the quiz autosave's own check (it proves the version in
    SQL); ``load_user`` and ``authenticate`` refuse the account while the employee is inactive."""
    gone = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, Employee)
        and obj.id is not None
        and False in attributes.get_history(obj, "is_active").added
    ]
    if not gone:
        return
    for user in session.scalars(select(User).where(User.employee_id.in_(gone))):
        user.session_version += 1


@event.listens_for(Session, "before_flush")
def _end_sessions_of_deactivated_partners(
    session: Session, _context: object, _objs: object
) -> None:
    """A partner institution BKPSDM deactivates ends every session of its staff accounts, by the
    same means as an inactive employee: their session version moves on (so a session does not
    come back when the institution is re-activated), and ``load_user``, ``authenticate`` and
    ``ApiToken.is_usable`` refuse the accounts while the institution is inactive."""
    gone = [
        obj.id
        for obj in session.dirty
        if isinstance(obj, PartnerInstitution)
        and obj.id is not None
        and False in attributes.get_history(obj, "is_active").added
    ]
    if not gone:
        return
    for user in session.scalars(select(User).where(User.partner_id.in_(gone))):
        user.session_version += 1
