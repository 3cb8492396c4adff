"""JP target and bound per employee kind (issue 13 point 24): PPPK development is bounded at
24 JP a year (PP 49/2018 art. 39), kept as data in content/reference/jp_rules.yaml."""

from __future__ import annotations

import re
from decimal import Decimal

from lms.auth.models import User
from lms.careers.ledger import queries as ledger
from lms.careers.ledger.queries import JpRule, jp_rule
from lms.extensions import db
from lms.org.models import Employee
from tests.careers.ledger_helpers import (
    TODAY,
    _many_logins,  # noqa: F401  (autouse fixture)
    make_record,
)
from tests.conftest import login

RULES = {
    "pns": {"target": None, "cap": None},
    "pppk": {"target": 24, "cap": 24, "basis": "PP 49/2018 pasal 39"},
}


def test_pure_rule_per_kind() -> None:
    assert jp_rule("pns", RULES, 20) == JpRule("pns", 20, None, "")
    assert jp_rule("cpns", RULES, 20) == JpRule("cpns", 20, None, "")  # missing row: general
    assert jp_rule(None, RULES, 30).target == 30
    pppk = jp_rule("pppk", RULES, 20)
    assert (pppk.target, pppk.cap, pppk.basis) == (24, 24, "PP 49/2018 pasal 39")
    assert pppk.shortfall(Decimal(10)) == 14 and pppk.shortfall(Decimal(30)) == 0
    assert pppk.above_cap(Decimal(30)) == 6 and pppk.above_cap(Decimal(20)) == 0
    assert jp_rule("pns", RULES, 20).above_cap(Decimal(100)) == 0  # no bound


def test_shipped_rules_give_pppk_their_own_bound(app) -> None:
    with app.app_context():
        assert ledger.target("pns") == ledger.target("cpns") == ledger.target() == 20
        rule = ledger.rule_of("pppk")
        assert (rule.target, rule.cap) == (24, 24) and "49/2018" in rule.basis


def _make_pppk(world) -> int:
    emp = db.session.get(Employee, world.employees["pegawai"].id)
    emp.kind = "pppk"
    emp.golongan_code = "IX"
    make_record(emp.id, jp="12")
    db.session.commit()
    return emp.id


def test_pppk_ledger_shows_their_target_and_bound(app, client, world) -> None:
    """Before the fix the PPPK ledger read '12 / 20 JP' and 'Kurang 8 JP'."""
    with app.app_context():
        _make_pppk(world)
    login(client, "pegawai")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/riwayat").data.decode()))
    assert "12 / 24 JP" in page
    assert "Kurang 12 JP lagi" in page
    assert "dibatasi paling banyak 24 JP setahun (PP 49/2018 pasal 39" in page
    dashboard = re.sub(r"<[^>]+>", "", client.get("/dasbor").data.decode())
    assert "Kurang 12 JP lagi" in dashboard


def test_pppk_above_the_bound_is_flagged(app, client, world) -> None:
    with app.app_context():
        emp_id = _make_pppk(world)
        make_record(emp_id, jp="18", name="Bimtek kedua")
        db.session.commit()
    login(client, "pegawai")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/riwayat").data.decode()))
    assert "30 / 24 JP" in page and "6 JP tahun ini melebihi batas 24 JP" in page


def test_team_and_hr_tables_measure_each_kind_by_its_own_target(app, client, world) -> None:
    with app.app_context():
        _make_pppk(world)  # Siti, PPPK: 12 of 24 → short 12
        make_record(world.employees["atasan"].id, jp="20")  # a PNS at 20: at target
        db.session.commit()
        rows = {
            r.employee.full_name: r
            for r in ledger.team_jp(world.employees["atasan"].id, TODAY.year)
        }
        assert (rows["Siti Aminah"].target, rows["Siti Aminah"].shortfall) == (24, 12)
        assert (rows["Budi Santoso"].target, rows["Budi Santoso"].shortfall) == (20, 20)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        dinkes = {r.name: r for r in ledger.opd_jp_table(hr, TODAY.year)}["Dinas Kesehatan"]
        assert dinkes.at_target == 1  # Rahmat only
    login(client, "atasan")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/tim/jp").data.decode()))
    assert "Siti Aminah Pengolah Data 12 24 (PPPK) 12" in page
    assert "PPPK 24 JP" in page


def test_jp_compliance_report_measures_each_kind_by_its_own_target(app, client, world) -> None:
    """Before the fix the report measured a PPPK at 22 JP against 20 and called it 'Memenuhi'."""
    import csv
    import io

    with app.app_context():
        emp = db.session.get(Employee, world.employees["pegawai"].id)
        emp.kind = "pppk"
        emp.golongan_code = "IX"
        make_record(emp.id, jp="22")
        make_record(world.employees["atasan"].id, jp="22")  # a PNS at 22: above 20
        db.session.commit()
        nips = {emp.nip: "pppk", world.employees["atasan"].nip: "pns"}
    login(client, "bkpsdm")
    body = client.get(f"/laporan/jp-compliance.csv?tahun={TODAY.year}&dialek=standar")
    rows = list(csv.DictReader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    seen = {r["NIP"].replace(" ", ""): r for r in rows if r["NIP"].replace(" ", "") in nips}
    pppk, pns = (next(r for n, r in seen.items() if nips[n] == k) for k in ("pppk", "pns"))
    assert (pppk["Target JP"], pppk["Status"]) == ("24", "Belum memenuhi")
    assert (pns["Target JP"], pns["Status"]) == ("20", "Memenuhi")
