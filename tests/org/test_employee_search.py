"""The employee list's search (issue 19): a search is not counted on every request (one row
past the page says whether a next page exists; the last page knows the total), and a search by
NIP goes by the NIP's prefix on its index."""

from __future__ import annotations

from datetime import date

import pytest

from lms.extensions import db
from lms.org import search
from lms.org.models import Employee, Unit
from tests.conftest import PG_URL, isolated_app, login
from tests.factories import make_employee


def _many(app, world, n: int) -> None:
    with app.app_context():
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        for i in range(n):
            make_employee(seksi, f"Pencarian Uji {i:03d}")
        db.session.commit()


def test_a_search_pages_without_counting(app, client, world) -> None:
    _many(app, world, search.PAGE_SIZE + 5)
    login(client, "bkpsdm")
    first = client.get("/organisasi/pegawai?q=pencarian").get_data(as_text=True)
    assert "Pencarian Uji 000" in first and "Pencarian Uji 024" in first
    assert "Pencarian Uji 025" not in first
    assert "pegawai ditemukan" not in first  # not counted before the last page
    assert "page=2" in first and "Berikutnya" in first
    last = client.get("/organisasi/pegawai?q=pencarian&page=2").get_data(as_text=True)
    assert "Pencarian Uji 025" in last and "Pencarian Uji 029" in last
    assert f"{search.PAGE_SIZE + 5} pegawai ditemukan." in last  # the last page knows
    assert "Berikutnya" not in last and "Sebelumnya" in last


def test_a_small_search_and_the_plain_list_are_counted(app, client, world) -> None:
    login(client, "bkpsdm")
    assert "1 pegawai ditemukan." in client.get("/organisasi/pegawai?q=aminah").get_data(
        as_text=True
    )
    with app.app_context():
        everyone = db.session.query(Employee).count()
    assert f"{everyone} pegawai ditemukan." in client.get("/organisasi/pegawai").get_data(
        as_text=True
    )


def test_nip_prefix_range() -> None:
    bounds = search.nip_prefix_range
    assert bounds("1988") == ("1988", "1989")
    assert bounds("1989") == ("1989", "199")  # the last digit carries
    assert bounds("1999") == ("1999", "2")
    assert bounds("999") == ("999", None)  # nothing above: no upper bound


def test_a_search_by_nip_finds_by_prefix_only(app, client, world) -> None:
    with app.app_context():
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        make_employee(seksi, "Nip Sembilan", nip=f"{date(1979, 9, 9):%Y%m%d}201503" + "1999")
        make_employee(seksi, "Nip Delapan", nip=f"{date(1980, 1, 1):%Y%m%d}201503" + "1001")
        db.session.commit()
    login(client, "bkpsdm")
    page = client.get("/organisasi/pegawai?q=1979 09").get_data(as_text=True)
    assert "Nip Sembilan" in page and "Nip Delapan" not in page
    page = client.get("/organisasi/pegawai?q=197909092015031999").get_data(as_text=True)
    assert "Nip Sembilan" in page and "1 pegawai ditemukan." in page
    # the middle of a NIP is not a prefix
    assert "Nip Sembilan" not in client.get("/organisasi/pegawai?q=0909").get_data(as_text=True)


def test_a_name_search_finds_the_same_page_near_or_far_in_name_order(
    app, world, monkeypatch
) -> None:
    """A search by name takes its page from the first ``NAME_WALK`` names of its scope when it
    is full there, else from all its matches, found first (the trigram index on PostgreSQL;
    issue 19) and sorted: the same rows in the same order either way, in every scope."""
    from lms.auth.models import User

    with app.app_context():
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        for i in range(30):
            make_employee(seksi, f"Aa Dekat {i:02d}")  # the first names in name order
            make_employee(seksi, f"Zz Jauh {i:02d}")  # past the first 40
        db.session.commit()
    cases = (
        ("dekat", 1, "Aa Dekat", range(0, 25), True),  # full among the first 40 names
        ("dekat", 2, "Aa Dekat", range(25, 30), False),  # 5 there: from the matches
        ("jauh", 1, "Zz Jauh", range(0, 25), True),  # none there
        ("JAUH 2", 1, "Zz Jauh", range(20, 30), False),
        ("jauh", 3, "Zz Jauh", range(0), False),
    )
    for walk in (0, 40, 10_000):  # never full among the first names, sometimes, whenever full
        monkeypatch.setattr(search, "NAME_WALK", walk)
        for account in ("admin_bkpsdm", "admin_opd"):
            with app.app_context():
                user = db.session.get(User, world.users[account].id)
                for word, page, label, numbers, more in cases:
                    found = search.find_employees(user, word, page=page)
                    names = [f"{label} {i:02d}" for i in numbers]
                    assert [row.display_name for row in found.rows] == names, (walk, account, word)
                    assert found.more is more


def test_every_search_statement_starts_with_select() -> None:
    """A request that only read keeps its prepared statements on PostgreSQL when every
    statement starts with SELECT (lms.db.keep_prepared_statements); the search by name's CTEs
    once made it start with WITH, so every search was rolled back and planned again."""
    from sqlalchemy.dialects import postgresql, sqlite

    for scope in ("none", "all", "under"):
        for text in ("", "name", "nip", "nip_from"):
            for by_unit in (False, True):
                for stmt in search._page_statements((scope, text, by_unit)):
                    for dialect in (postgresql.dialect(), sqlite.dialect()):
                        sql = str(stmt.compile(dialect=dialect))
                        assert sql.startswith("SELECT"), (scope, text, by_unit, sql[:40])


@pytest.mark.skipif(not PG_URL, reason="needs LMS_TEST_DATABASE_URL (PostgreSQL)")
def test_a_search_by_name_stays_prepared_across_requests(databases, tmp_path) -> None:
    from sqlalchemy import text

    _count, page = search._page_statements(("all", "name", False))
    params = {"name": "%uji%", "limit": search.PAGE_SIZE + 1, "offset": 0, "walk": 500}
    with isolated_app(databases, tmp_path, "search_prep", pool_size=1) as app, app.app_context():
        for _ in range(8):  # psycopg prepares a statement on its sixth run on a connection
            db.session.connection().execute(page, params).all()
            db.session.remove()  # what ends every request: a ROLLBACK forgot them
        prepared = db.session.execute(text("SELECT statement FROM pg_prepared_statements"))
        assert any("LIKE" in statement for statement in prepared.scalars())
