"""The learning record fed by the outbox and the JP ledger screens (employee, team, HR)."""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.ledger import queries as ledger
from lms.careers.plans import suggestions
from lms.careers.records.models import LearningRecord
from lms.completion import consumers
from lms.completion import services as completion
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.db import utcnow
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Unit
from tests.careers.ledger_helpers import (
    TODAY,
    _many_logins,  # noqa: F401  (autouse fixture)
    count_records,
    make_record,
    store_evidence,
)
from tests.conftest import login
from tests.factories import make_course, make_employee
from tests.test_query_counts import count_queries


def _complete(app, employee_id: int, code: str = "JP-101") -> int:
    """Complete a course (4 JP) for the employee, commit, and feed the consumers."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code)) or make_course(
            code, title="Pelayanan Publik Prima"
        )
        employee = db.session.get(Employee, employee_id)
        done = completion.complete_course(
            employee, course, completed_at=utcnow(), score=90, source="online"
        )
        db.session.commit()
        consumers.dispatch()
        completion_id = done.id
        db.session.remove()
    return completion_id


def test_completion_appears_once_however_often_events_are_replayed(app, world) -> None:
    employee_id = world.employees["pegawai"].id
    completion_id = _complete(app, employee_id)
    with app.app_context():
        record = db.session.scalar(
            select(LearningRecord).where(LearningRecord.completion_id == completion_id)
        )
        assert record.status == "verified" and record.source == "completion"
        assert record.jp == Decimal(4) and record.year == TODAY.year
        assert record.certificate_number  # from the event payload
        before = (count_records(), ledger.jp_of(employee_id, TODAY.year))
        for _ in range(2):
            assert consumers.replay("learning_record", 0) == 0
            consumers.dispatch()
        assert (count_records(), ledger.jp_of(employee_id, TODAY.year)) == before
        assert before[1]["total"] == Decimal(4)


def test_revocation_removes_the_record_from_the_ledger(app, world) -> None:
    employee_id = world.employees["pegawai"].id
    completion_id = _complete(app, employee_id)
    with app.app_context():
        assert ledger.jp_of(employee_id, TODAY.year)["total"] == Decimal(4)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        completion.revoke(db.session.get(Completion, completion_id), hr, "Data kehadiran salah")
        db.session.commit()
        consumers.dispatch()
        record = db.session.scalar(
            select(LearningRecord).where(LearningRecord.completion_id == completion_id)
        )
        assert record.status == "removed"
        assert ledger.jp_of(employee_id, TODAY.year)["total"] == 0
        consumers.replay("learning_record", 0)
        assert count_records() == 1


def test_jp_counts_in_the_records_year_and_only_when_verified(app, world) -> None:
    employee_id = world.employees["pegawai"].id
    with app.app_context():
        make_record(employee_id, jp="8", kind="manajerial")
        make_record(employee_id, jp="5", year=TODAY.year - 1)
        make_record(employee_id, jp="9", status="pending")
        make_record(employee_id, jp="9", status="rejected")
        db.session.commit()
        now = ledger.jp_of(employee_id, TODAY.year)
        assert now["total"] == Decimal(8) and now["manajerial"] == Decimal(8)
        by_year = ledger.jp_by_year(employee_id, [TODAY.year - 2, TODAY.year - 1, TODAY.year])
        assert by_year == {TODAY.year - 2: 0, TODAY.year - 1: Decimal(5), TODAY.year: Decimal(8)}


def test_record_page_shows_completion_gauge_and_year_chart(app, client, world) -> None:
    _complete(app, world.employees["pegawai"].id)
    login(client, "pegawai")
    page = client.get("/riwayat").data.decode().replace("<wbr>", "")  # numbers wrap at "/"
    assert "Pelayanan Publik Prima" in page and "tercatat otomatis" in page
    assert "Terverifikasi" in page
    assert re.search(r"STTP/BKPSDM/\d{4}", page)  # the certificate number, linked
    assert page.count('src="data:image/svg+xml;base64,') == 2  # gauge and JP per year
    assert "4 / 20 JP" in re.sub(r"<[^>]+>", "", page)
    dashboard = re.sub(r"<[^>]+>", "", client.get("/dasbor").data.decode())
    assert "JP per tahun" in dashboard and "Kurang 16 JP lagi" in dashboard


def test_supervisor_table_sorted_by_shortfall(app, client, world) -> None:
    with app.app_context():
        make_record(world.employees["pegawai"].id, jp="12")
        db.session.commit()
    login(client, "atasan")
    page = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get("/tim/jp").data.decode()))
    # Budi (0 JP, short 20) comes before Siti (12 JP, short 8).
    assert page.index("Budi Santoso") < page.index("Siti Aminah")
    assert "Siti Aminah Pengolah Data 12 20 8" in page
    dashboard = client.get("/dasbor").data.decode()
    assert "JP tim saya" in dashboard and "belum mencapai 20 JP" in dashboard
    pegawai = client.application.test_client()
    login(pegawai, "pegawai")
    assert pegawai.get("/tim/jp").status_code == 403


def test_hr_table_per_opd_and_drill_down(app, client, world) -> None:
    with app.app_context():
        make_record(world.employees["pegawai"].id, jp="20")
        make_record(world.employees["disdik"].id, jp="25")
        make_record(world.employees["hr"].id, jp="25", year=TODAY.year - 1)
        db.session.commit()
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        rows = {r.name: r for r in ledger.opd_jp_table(hr, TODAY.year)}
        # Dinas Kesehatan: Rahmat 0, Siti 20, Budi 0; Dinas Pendidikan: Dewi 25, Andi 0 (this year).
        assert (rows["Dinas Kesehatan"].employees, rows["Dinas Kesehatan"].at_target) == (3, 1)
        assert rows["Dinas Kesehatan"].percent == 33
        assert rows["Dinas Kesehatan"].average == Decimal("6.7")
        assert (rows["Dinas Pendidikan"].employees, rows["Dinas Pendidikan"].at_target) == (2, 1)
        last_year = {r.name: r for r in ledger.opd_jp_table(hr, TODAY.year - 1)}
        assert last_year["Dinas Pendidikan"].at_target == 1
    login(client, "bkpsdm")
    page = client.get("/kelola/jp").data.decode()
    assert "Dinas Kesehatan" in page and "Dinas Pendidikan" in page
    drill = client.get(f"/kelola/jp/{world.units['dinkes'].id}").data.decode()
    assert "Budi Santoso" in drill and "Rahmat Hidayat" in drill and "Siti Aminah" not in drill
    opd = client.application.test_client()
    login(opd, "opd.dinkes")
    page = opd.get("/kelola/jp").data.decode()
    assert "Dinas Kesehatan" in page and "Dinas Pendidikan" not in page
    assert opd.get(f"/kelola/jp/{world.units['disdik'].id}").status_code == 404
    assert opd.get(f"/kelola/jp/{world.units['dinkes_seksi'].id}").status_code == 404


def test_suggest_courses_by_tags_title_and_kind(app, world) -> None:
    with app.app_context():
        make_course("DATA-1", title="Analisis Data Kepegawaian")
        make_course("LAYAN-1", title="Pelayanan Publik Prima")
        make_course("ARSIP-1", title="Tata Kelola Arsip Dinamis")
        db.session.commit()
        found = suggestions.suggest_courses("analisis data untuk pelayanan", "teknis")
        assert [s.code for s in found][:2] == ["DATA-1", "LAYAN-1"]
        assert "ARSIP-1" not in [s.code for s in found]
        assert suggestions.suggest_courses("", None) == []
        # make_course tags every course "uji": a tag match scores above a title match.
        assert suggestions.suggest_courses("uji", "teknis", limit=5)[0].score == 4


def _many_employees(app, world, n: int, start: int) -> None:
    with app.app_context():
        boss = db.session.get(Employee, world.employees["atasan"].id)
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        disdik = db.session.get(Unit, world.units["disdik"].id)
        for i in range(start, start + n):
            employee = make_employee(seksi if i % 2 else disdik, f"Pegawai Massal {i}", boss)
            make_record(employee.id, jp=str(i % 30 + 1))
            make_record(employee.id, jp="3", status="pending", evidence_key=store_evidence())
        db.session.commit()


PAGES = {
    "pegawai": ["/riwayat", "/dasbor", "/rencana"],
    "atasan": ["/tim/jp", "/dasbor"],
    "bkpsdm": ["/kelola/jp", "/kelola/jp/{dinkes}", "/kelola/riwayat", "/kelola/riwayat?status="],
    "opd.dinkes": ["/kelola/jp", "/kelola/riwayat"],
}


def _measure(app, world) -> dict[str, int]:
    counts = {}
    for username, paths in PAGES.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            url = path.format(dinkes=world.units["dinkes"].id)
            client.get(url)
            with count_queries(app) as counter:
                assert client.get(url).status_code == 200, url
            counts[f"{username} {url}"] = counter["n"]
    return counts


def test_query_counts_flat_with_few_and_many_employees(app, world) -> None:
    with app.app_context():
        make_record(world.employees["pegawai"].id, jp="3", year=local_today().year - 2)
        db.session.commit()
    _many_employees(app, world, 3, 0)
    few = _measure(app, world)
    _many_employees(app, world, 60, 3)
    many = _measure(app, world)
    assert few == many
