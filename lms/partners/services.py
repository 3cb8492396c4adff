"""Partner institutions: profile rules, status and staff accounts. Services flush, never commit.

A partner's staff account is an ordinary account with the Mitra role and ``partner_id`` set,
created through the same account service as the admin area (``auth.save_account``): it starts
with a temporary password the holder must change at first login.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, fields
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from lms.auth import services as auth
from lms.auth.models import PARTNER_KINDS, PartnerInstitution, User
from lms.courses.models import Course
from lms.errors import DomainError
from lms.extensions import db
from lms.permissions import Role

KIND_LABELS = {
    "lan": _l("LAN (Lembaga Administrasi Negara)"),
    "bpsdmd": _l("BPSDMD provinsi"),
    "universitas": _l("Perguruan tinggi"),
    "lembaga_terakreditasi": _l("Lembaga pelatihan terakreditasi"),
}
assert set(KIND_LABELS) == set(PARTNER_KINDS)

#: A partner code names the institution in content files (``partner: CODE``) and the CLI.
PARTNER_CODE = re.compile(r"[A-Z0-9][A-Z0-9._-]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
PHONE = re.compile(r"[0-9+()\- ]{6,40}")
#: How long before its end a MoU is flagged as ending soon (an accreditation: 60 days,
#: lms.auth.models.ACCREDITATION_SOON, the same figure the partner's own page warns at).
MOU_SOON = timedelta(days=90)
#: The accreditation's state (PartnerInstitution.accreditation_state) as BKPSDM's list reads it.
ACCREDITATION_LABELS = {
    "valid": _l("berlaku"),
    "ending": _l("segera berakhir"),
    "expired": _l("kedaluwarsa"),
}


class PartnerError(DomainError):
    """A refused partner change; ``field`` names the form field."""


class PartnerInvalid(PartnerError):
    """Every broken rule at once (``problems``), so the form shows them together."""

    def __init__(self, problems: list[PartnerError]) -> None:
        super().__init__(str(problems[0]), problems[0].field)
        self.problems = problems


@dataclass
class PartnerValues:
    code: str
    name: str
    kind: str
    accreditation_number: str = ""
    accredited_on: date | None = None
    accreditation_expires_on: date | None = None
    mou_number: str = ""
    mou_starts_on: date | None = None
    mou_ends_on: date | None = None
    contact_name: str = ""
    contact_email: str = ""
    contact_phone: str = ""


def _clean(values: PartnerValues) -> PartnerValues:
    for f in fields(values):
        value = getattr(values, f.name)
        if isinstance(value, str):
            setattr(values, f.name, " ".join(value.split()))
    values.code = values.code.upper()
    values.contact_email = values.contact_email.lower()
    return values


def problems_of(values: PartnerValues, partner: PartnerInstitution | None) -> list[PartnerError]:
    """Every rule the profile breaks, each on its field (the database CHECKs hold the same)."""
    out: list[PartnerError] = []
    if not values.code or len(values.code) > 40 or not PARTNER_CODE.fullmatch(values.code):
        out.append(
            PartnerError(
                _(
                    "Kode lembaga wajib diisi (paling banyak 40 karakter): huruf A-Z, angka, "
                    "titik, garis bawah atau tanda hubung."
                ),
                "code",
            )
        )
    else:
        clash = db.session.scalar(
            select(PartnerInstitution.id).where(PartnerInstitution.code == values.code)
        )
        if clash is not None and (partner is None or clash != partner.id):
            out.append(PartnerError(_("Kode lembaga %(c)s sudah dipakai.", c=values.code), "code"))
    if not values.name or len(values.name) > 200:
        out.append(
            PartnerError(_("Nama lembaga wajib diisi (paling banyak 200 karakter)."), "name")
        )
    if values.kind not in PARTNER_KINDS:
        out.append(PartnerError(_("Pilih jenis lembaga."), "kind"))
    if values.kind == "lembaga_terakreditasi" and not values.accreditation_number:
        out.append(
            PartnerError(
                _("Lembaga terakreditasi wajib mencantumkan nomor akreditasi."),
                "accreditation_number",
            )
        )
    if (
        values.accredited_on
        and values.accreditation_expires_on
        and values.accreditation_expires_on < values.accredited_on
    ):
        out.append(
            PartnerError(
                _("Akreditasi berlaku sampai tidak boleh sebelum tanggal akreditasi."),
                "accreditation_expires_on",
            )
        )
    if values.mou_starts_on and values.mou_ends_on and values.mou_ends_on < values.mou_starts_on:
        out.append(PartnerError(_("Akhir MoU tidak boleh sebelum mulai MoU."), "mou_ends_on"))
    if values.contact_email and not EMAIL.fullmatch(values.contact_email):
        out.append(PartnerError(_("Surel narahubung tidak valid."), "contact_email"))
    if values.contact_phone and not PHONE.fullmatch(values.contact_phone):
        out.append(
            PartnerError(
                _("Telepon narahubung hanya memuat angka, spasi, +, ( ) dan -."), "contact_phone"
            )
        )
    return out


def save_partner(
    actor: User, partner: PartnerInstitution | None, values: PartnerValues
) -> PartnerInstitution:
    """Create (``partner`` None) or update a partner's profile; raises ``PartnerInvalid`` with
    every broken rule before changing anything. Whether it is active is not part of the profile:
    ``set_partner_active`` changes that, after a confirmation."""
    values = _clean(values)
    problems = problems_of(values, partner)
    if problems:
        raise PartnerInvalid(problems)
    if partner is None:
        partner = PartnerInstitution(code=values.code, name=values.name)
        db.session.add(partner)
    for f in fields(values):
        setattr(partner, f.name, getattr(values, f.name))
    db.session.flush()
    auth.audit(actor, "update", partner, "partner saved", after={"code": partner.code})
    db.session.flush()
    return partner


# --- status ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Status:
    key: str  # stable, for tests and CSS: inactive, accreditation-expired, mou-ended, ...
    label: str
    tone: str  # the chip's class: ok, warn or muted


ACCREDITATION_TONES = {"valid": "ok", "ending": "warn", "expired": "warn"}


def accreditation_status(partner: PartnerInstitution, today: date) -> Status | None:
    """The accreditation's state alone (berlaku / segera berakhir / kedaluwarsa), for the list's
    own column; None when no expiry is recorded."""
    state = partner.accreditation_state(today)
    if state is None:
        return None
    return Status(
        f"accreditation-{state}", str(ACCREDITATION_LABELS[state]), ACCREDITATION_TONES[state]
    )


def statuses(partner: PartnerInstitution, today: date, accreditation: bool = True) -> list[Status]:
    """What a reader must notice about the partner today (``today`` in Asia/Jakarta: the caller
    passes lms.indonesian.local_today()); without the accreditation's when a page shows it in a
    column of its own."""
    out = []
    if not partner.is_active:
        out.append(Status("inactive", _("Nonaktif"), "muted"))
    state = partner.accreditation_state(today) if accreditation else None
    if state == "expired":
        out.append(Status("accreditation-expired", _("Akreditasi kedaluwarsa"), "warn"))
    elif state == "ending":
        out.append(Status("accreditation-ending", _("Akreditasi segera berakhir"), "warn"))
    elif state == "valid":
        out.append(Status("accreditation-valid", _("Akreditasi berlaku"), "ok"))
    starts, ends = partner.mou_starts_on, partner.mou_ends_on
    if ends is not None and ends < today:
        out.append(Status("mou-ended", _("MoU berakhir"), "warn"))
    elif starts is not None and starts > today:
        out.append(Status("mou-pending", _("MoU belum berlaku"), "muted"))
    elif ends is not None and ends - today <= MOU_SOON:
        out.append(Status("mou-ending", _("MoU segera berakhir"), "warn"))
    elif starts is not None or ends is not None:
        out.append(Status("mou-valid", _("MoU berlaku"), "ok"))
    return out


# --- reading ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerRow:
    partner: PartnerInstitution
    staff: int
    courses: int


def partner_rows() -> list[PartnerRow]:
    """Every partner with its active staff and course counts, in one query."""
    staff = (
        select(func.count(User.id))
        .where(User.partner_id == PartnerInstitution.id, User.active.is_(True))
        .correlate(PartnerInstitution)
        .scalar_subquery()
    )
    courses = (
        select(func.count(Course.id))
        .where(Course.partner_id == PartnerInstitution.id)
        .correlate(PartnerInstitution)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(PartnerInstitution, staff, courses).order_by(
            PartnerInstitution.is_active.desc(), PartnerInstitution.name
        )
    )
    return [PartnerRow(p, int(s or 0), int(c or 0)) for p, s, c in rows]


def staff_of(partner: PartnerInstitution) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.partner_id == partner.id)
            .order_by(User.active.desc(), User.username)
        )
    )


def courses_of(partner: PartnerInstitution) -> list[Course]:
    return list(
        db.session.scalars(
            select(Course)
            .options(selectinload(Course.versions))
            .where(Course.partner_id == partner.id)
            .order_by(Course.code)
        )
    )


# --- staff accounts --------------------------------------------------------------------------


def create_staff(
    actor: User, partner: PartnerInstitution, username: str, display_name: str, email: str = ""
) -> tuple[User, str]:
    """A Mitra account of ``partner`` with a temporary password (returned once, to show to
    BKPSDM) that must be changed at first login. Raises ``auth.AuthError`` naming the field."""
    if not partner.is_active:
        raise PartnerError(_("Lembaga nonaktif tidak dapat diberi akun baru."), "username")
    email = (email or "").strip().lower()
    if email and not EMAIL.fullmatch(email):
        raise PartnerError(_("Surel tidak valid."), "email")
    temporary = secrets.token_urlsafe(9)
    change = auth.AccountChange(
        username=username.strip(),
        display_name=" ".join(display_name.split()),
        roles={Role.MITRA},
        password=temporary,
        partner_id=partner.id,
    )
    user = auth.save_account(actor, None, change)
    user.email = email
    db.session.flush()
    return user, temporary


def set_staff_active(actor: User, user: User, active: bool) -> None:
    """Disable (every session ends) or enable a partner staff account."""
    auth.set_active(actor, user, active)


def colleague_names(partner: PartnerInstitution) -> list[str]:
    """The names of the partner's active staff accounts: what its staff see of each other (no
    username, e-mail or status)."""
    return sorted(
        (u.name for u in staff_of(partner) if u.active),
        key=str.casefold,
    )


# --- the partner's status --------------------------------------------------------------------


def set_partner_active(actor: User, partner: PartnerInstitution, active: bool) -> int:
    """Deactivate or re-activate a partner institution; returns how many of its staff accounts
    are themselves active (they lose, or get back, access).

    Staff accounts keep their own ``active``: while the institution is inactive none of them can
    sign in, every session ends (lms.auth.models ends them at flush) and their API tokens are
    refused; re-activating gives access back to exactly the accounts that had it, not to one
    disabled on its own.
    """
    before = partner.is_active
    partner.is_active = active
    staff = sum(1 for u in staff_of(partner) if u.active)
    if before != active:
        auth.audit(
            actor,
            "update",
            partner,
            "partner activated" if active else "partner deactivated",
            {"is_active": before},
            {"is_active": active, "staff_accounts": staff},
        )
    db.session.flush()
    return staff
