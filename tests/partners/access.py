"""Access expectations for the partner institution pages (BKPSDM and the system admin) and the
partner's own profile page (its staff). Which partner's objects a partner's staff may reach is
tests/partners/test_partner_matrix.py."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import PartnerInstitution, User
from lms.extensions import db

MANAGERS = {"admin_bkpsdm", "admin_sistem"}

EXPECTED = {
    ("partners.index", "GET"): MANAGERS,
    ("partners.detail", "GET"): MANAGERS,
    ("partners.edit", "GET"): MANAGERS,
    ("partners.edit", "POST"): MANAGERS,
    ("partners.staff_create", "POST"): MANAGERS,
    ("partners.staff_toggle", "POST"): MANAGERS,
    # Without confirm=1 the deactivation answers its confirmation page and changes nothing.
    ("partners.deactivate", "POST"): MANAGERS,
    ("partners.activate", "POST"): MANAGERS,
    # The signed-in staff member's own institution: no id in the address.
    ("partners.own", "GET"): {"mitra"},
}


def build_args(world) -> dict:
    partner = db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
    )
    staff = db.session.scalar(select(User).where(User.username == "mitra"))
    return {"partner_id": partner.id, "staff_id": staff.id}
