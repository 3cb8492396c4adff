"""The supervisor's dashboard card of the team's JP (ledger.team_jp_summary), read from org's kept
roster and the employee-year summary (issue 19): the same people, JP, targets and order as the
team table (ledger.team_jp, which sums the ledger), in the same number of queries at 10 and at
1,000 reports; and the plans waiting for the supervisor, read as columns."""

from __future__ import annotations

from lms.careers.ledger import queries as ledger
from lms.careers.plans import queries as plan_queries
from lms.careers.plans.models import DevelopmentPlan
from lms.db import utcnow
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.careers.ledger_helpers import TODAY, make_record
from tests.factories import make_employee
from tests.test_query_counts import count_queries


def _card_and_table(boss_id: int, limit: int):
    card = ledger.team_jp_summary(boss_id, TODAY.year, limit=limit)
    table = ledger.team_jp(boss_id, TODAY.year)
    return card, table


def test_card_is_the_team_table_s_head(app, world) -> None:
    with app.app_context():
        boss = db.session.get(Employee, world.employees["atasan"].id)
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        pppk = make_employee(seksi, "Rina Kontrak", boss, kind="pppk")  # her own target
        full = make_employee(seksi, "Agus Lengkap", boss)
        gone = make_employee(seksi, "Tono Pindah", boss, is_active=False)
        make_employee(seksi, "Aa Sama", boss)  # ties with Budi (0 JP): by name
        db.session.flush()
        make_record(pppk.id, jp="22")
        make_record(full.id, jp="22")
        make_record(full.id, jp="5", status="rejected")  # not verified: not counted
        make_record(full.id, jp="9", year=TODAY.year - 1)  # another year
        make_record(gone.id, jp="1")
        make_record(world.employees["pegawai"].id, jp="12.5")
        db.session.commit()
        for limit in (1, 2, 3, 5, 10):
            card, table = _card_and_table(boss.id, limit)
            assert [(r.employee_id, r.display_name, r.total, r.target) for r in card.rows] == [
                (t.employee.id, t.employee.display_name, t.total, t.target) for t in table
            ][:limit]
            assert card.total == len(table) == 5  # Tono is inactive
            assert card.under == sum(1 for t in table if t.shortfall > 0)
        assert [r.display_name for r in card.rows][:2] == ["Aa Sama", "Budi Santoso"]
        assert card.under == 4  # only Agus (22 of 20) reached his; Rina (PPPK) aims higher
        assert ledger.team_jp_summary(world.employees["pegawai"].id, TODAY.year).total == 0


def _grow(world, start: int, stop: int) -> None:
    boss = db.session.get(Employee, world.employees["atasan"].id)
    seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
    for i in range(start, stop):
        emp = make_employee(seksi, f"Anggota {i:04d}", boss)
        db.session.flush()
        make_record(emp.id, jp=str(i % 25 + 1))
        if i % 10 == 0:
            db.session.add(
                DevelopmentPlan(
                    employee_id=emp.id, year=TODAY.year, status="submitted", submitted_at=utcnow()
                )
            )
    db.session.commit()


def test_card_and_plans_flat_from_10_to_1000_reports(app, world) -> None:
    with app.app_context():
        boss_id = world.employees["atasan"].id
        counts = []
        for start, stop in ((0, 10), (10, 1000)):
            _grow(world, start, stop)
            with count_queries(app) as counter:
                card = ledger.team_jp_summary(boss_id, TODAY.year, limit=5)
                plans = plan_queries.plans_waiting(boss_id, limit=5)
                _ = [(p.display_name, p.year, p.id) for p in plans]
            counts.append(counter["n"])
            assert card.total == stop + 2 and len(card.rows) == 5
            assert len(plans) == min(stop // 10, 5)
        assert counts == [3, 3]  # the roster (not kept in tests), the JP, the plans
        card, table = _card_and_table(boss_id, 5)
        assert [r.employee_id for r in card.rows] == [t.employee.id for t in table[:5]]
        assert card.under == sum(1 for t in table if t.shortfall > 0)
