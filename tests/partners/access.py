"""Access expectations for the partner institution pages (BKPSDM and the system admin)."""

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
}


def build_args(world) -> dict:
    partner = db.session.scalar(
        select(PartnerInstitution).where(PartnerInstitution.code == "BPSDMD")
    )
    staff = db.session.scalar(select(User).where(User.username == "mitra"))
    return {"partner_id": partner.id, "staff_id": staff.id}
