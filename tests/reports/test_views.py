"""Report pages: each renders, a flat query count, and the reader's scope through every door."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import text

from lms.extensions import db
from lms.reports.definitions import REPORTS
from lms.reports.models import ExportJob
from tests.conftest import csrf_token, login
from tests.reports.data import YEAR, generate
from tests.test_query_counts import count_queries


@pytest.mark.parametrize("key", list(REPORTS))
def test_every_report_page_renders(app, client, world, data, key: str) -> None:
    login(client, "bkpsdm")
    page = client.get(f"/laporan/{key}")
    assert page.status_code == 200, key
    assert b"<table" in page.data
    assert client.get(f"/laporan/{key}?sort=-nama&page=2&tahun=abc").status_code == 200


def test_jp_compliance_page_has_chart_and_table(client, world, data) -> None:
    login(client, "bkpsdm")
    page = client.get(f"/laporan/jp-compliance?tahun={YEAR}").get_data(as_text=True)
    assert "data:image/svg+xml;base64," in page
    assert "Lihat data: Rata-rata JP per perangkat daerah" in page
    assert "Dinas Perhubungan" in page
    assert "Tahun harus angka" in client.get("/laporan/jp-compliance?tahun=20x").get_data(
        as_text=True
    )


def test_report_pages_query_count_is_flat(app, world) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    paths = [f"/laporan/{key}" for key in REPORTS]

    def measure() -> dict[str, int]:
        out = {}
        for path in paths:
            client.get(path)
            with count_queries(app) as counter:
                assert client.get(path).status_code == 200
            out[path] = counter["n"]
        return out

    with app.app_context():
        generate(seed=1, per_opd=2)
        db.session.remove()
    small = measure()
    with app.app_context():
        generate(seed=2, per_opd=12, tag="B")
        db.session.remove()
    assert measure() == small


# --- scope ------------------------------------------------------------------------------------


def _nips(world, *names: str) -> set[str]:
    return {world.employees[n].nip for n in names}


def test_opd_admin_cannot_reach_another_department(app, client, world, data) -> None:
    login(client, "opd.dinkes")
    disdik = world.units["disdik"]
    for suffix in ("", ".csv", ".xlsx", ".pdf"):
        for key in REPORTS:
            for value in (disdik.id, disdik.code):
                url = f"/laporan/{key}{suffix}?unit={value}"
                assert client.get(url).status_code == 403, url
    token = csrf_token(client, "/laporan/completions")
    answer = client.post(
        f"/laporan/completions/ekspor?unit={disdik.id}", data={"csrf_token": token}
    )
    assert answer.status_code == 403
    with app.app_context():
        disdik_nips = set(
            db.session.scalars(
                text(
                    "SELECT e.nip FROM employees e JOIN units u ON u.id = e.unit_id "
                    "WHERE u.path LIKE (SELECT path FROM units WHERE code = 'DISDIK') || '%' "
                    "OR u.path LIKE (SELECT path FROM units WHERE code = 'DISHUB') || '%'"
                )
            )
        )
    assert disdik_nips
    for key in REPORTS:
        for sort in ("", "nip", "-nama", "opd", "unit", "x); DROP TABLE units; --"):
            body = client.get(f"/laporan/{key}.csv?sort={sort}").get_data(as_text=True)
            assert not any(nip in body for nip in disdik_nips), (key, sort)
            page = client.get(f"/laporan/{key}?sort={sort}").get_data(as_text=True)
            page = page.replace("<wbr>", "")  # a NIP may wrap between its fields on screen
            assert not any(nip in page for nip in disdik_nips), (key, sort)
    body = client.get("/laporan/completions.csv").get_data(as_text=True)
    assert world.employees["pegawai"].nip in body or "Pegawai DINKES-YANKES" in body
    own = client.get(f"/laporan/completions.csv?unit={world.units['dinkes_seksi'].id}")
    assert own.status_code == 200


def test_supervisor_sees_only_the_team(app, client, world, data) -> None:
    login(client, "atasan")
    body = client.get(f"/laporan/jp-compliance.csv?tahun={YEAR}&dialek=standar").get_data(
        as_text=True
    )
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]
    with app.app_context():
        team = set(
            db.session.scalars(
                text("SELECT nip FROM employees WHERE is_active AND supervisor_id = :b"),
                {"b": world.employees["atasan"].id},
            )
        )
    assert {r[0] for r in rows} == team
    assert client.get(f"/laporan/completions?unit={world.units['disdik'].id}").status_code == 200


def test_export_job_is_only_for_its_owner(app, client, world, data) -> None:
    with app.app_context():
        job = ExportJob(owner_id=world.users["admin_bkpsdm"].id, report="completions")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
    login(client, "opd.dinkes")
    for path in ("", "/status", "/unduh"):
        assert client.get(f"/laporan/ekspor/{job_id}{path}").status_code == 404
