"""The AKPK pages issue the same number of queries for a few employees and for many."""

from __future__ import annotations

from decimal import Decimal

from lms.careers.akpk import services
from lms.careers.akpk.models import AgencyPlanItem, AgencyPlanParticipant
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.careers.akpk.helpers import YEAR, build_needs
from tests.conftest import login
from tests.factories import make_employee
from tests.test_query_counts import count_queries

PAGES = [
    f"/kelola/akpk/{YEAR}/kebutuhan",
    f"/kelola/akpk/{YEAR}",
    f"/kelola/akpk/{YEAR}/realisasi",
    "/kelola/akpk",
]


def _grow(app, world, people: int) -> None:
    """``people`` more pelaksana in Dinas Kesehatan, each named on a new plan item."""
    with app.app_context():
        unit = db.session.get(Unit, world.units["dinkes_seksi"].id)
        plan = services.ensure_plan(YEAR)
        for n in range(people):
            employee = make_employee(
                unit,
                f"Pegawai Tambahan {n}",
                jabatan_type_code="pelaksana",
                jabatan_level_code="pelaksana",
            )
            item = AgencyPlanItem(
                plan=plan,
                unit_id=world.units["dinkes"].id,
                status="accepted",
                competency=f"Kompetensi {n}",
                competency_kind="teknis",
                form="course",
                title=f"Pelatihan {n}",
                target_count=1,
                jp=Decimal(2),
                quarter=1 + n % 4,
                budget=Decimal(1000),
            )
            item.participants.append(AgencyPlanParticipant(employee_id=employee.id))
            db.session.add(item)
        db.session.commit()


def _measure(app) -> dict[str, int]:
    client = app.test_client()
    login(client, "bkpsdm")
    counts = {}
    for url in PAGES:
        client.get(url)
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200, url
        counts[url] = counter["n"]
    return counts


def test_query_counts_do_not_grow_with_employees_and_items(app, world) -> None:
    build_needs(app, world)
    _grow(app, world, 2)
    few = _measure(app)
    _grow(app, world, 25)
    many = _measure(app)
    assert few == many, (few, many)
    assert max(many.values()) <= 30, many
    with app.app_context():
        assert db.session.query(Employee).count() > 30
