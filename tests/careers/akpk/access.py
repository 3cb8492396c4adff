"""Access expectations for the needs analysis and the agency plan (AKPK).

The URL's item is a proposal of Dinas Kesehatan (Admin OPD's department) in this year's plan.
"""

from __future__ import annotations

from decimal import Decimal

from lms.careers.akpk import services
from lms.careers.akpk.models import AgencyPlanItem
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Unit

HR = {"admin_bkpsdm", "admin_opd"}
BKPSDM = {"admin_bkpsdm"}

EXPECTED = {
    ("careers.akpk_index", "GET"): HR,
    ("careers.akpk_needs", "GET"): HR,
    ("careers.akpk_plan", "GET"): HR,
    ("careers.akpk_item_new", "GET"): HR,
    ("careers.akpk_item_new", "POST"): HR,
    ("careers.akpk_item_edit", "GET"): HR,
    ("careers.akpk_item_edit", "POST"): HR,
    ("careers.akpk_item_delete", "POST"): HR,
    ("careers.akpk_item_decide", "POST"): BKPSDM,
    ("careers.akpk_plan_approve", "POST"): BKPSDM,
    ("careers.akpk_plan_reopen", "POST"): BKPSDM,
    ("careers.akpk_realisation", "GET"): HR,
    ("careers.akpk_export", "GET"): HR,
}


def build_args(world) -> dict:
    year = local_today().year
    plan = services.ensure_plan(year)
    item = AgencyPlanItem(
        plan=plan,
        unit=db.session.get(Unit, world.units["dinkes"].id),
        status="proposed",
        competency="Pelayanan Publik",
        competency_kind="teknis",
        form="course",
        title="Pelatihan Pelayanan Publik",
        target_count=10,
        jp=Decimal(8),
        quarter=2,
        budget=Decimal(5_000_000),
    )
    db.session.add(item)
    db.session.flush()
    return {"akpk_year": year, "akpk_item_id": item.id, "akpk_fmt": "xlsx"}
