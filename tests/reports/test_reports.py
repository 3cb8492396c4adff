"""Reports: totals against independent SQL, scope through every door, exports, CLI, jobs."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import text

from lms.db import utcnow
from lms.extensions import db
from lms.reports import exports
from lms.reports.cli import reports as reports_cli
from lms.reports.definitions import REPORTS
from lms.reports.filters import Filters, Scope, parse
from lms.reports.models import ExportJob
from tests.conftest import csrf_token, login
from tests.reports.data import INJECTION, YEAR, generate
from tests.test_query_counts import count_queries

D2 = Decimal("0.01")


@pytest.fixture
def data(app, world):
    with app.app_context():
        generated = generate()
        db.session.remove()
    return generated


def _totals(report_key: str, scope: Scope, **args: str) -> dict:
    report = REPORTS[report_key]
    f = parse(args, scope, default_year=YEAR if report_key == "jp-compliance" else None)
    return dict(report.totals(scope, f))


def _q(value: object) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(D2)


def _dinkes_scope(world) -> Scope:
    path = db.session.scalar(
        text("SELECT path FROM units WHERE id = :id"), {"id": world.units["dinkes"].id}
    )
    return Scope(path=path)


# --- totals equal independent SQL ------------------------------------------------------------


def test_completion_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = _totals("completions", Scope.all())
        n, people, jp, score = db.session.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT employee_id), SUM(jp), AVG(score) "
                "FROM completions WHERE status = 'valid'"
            )
        ).one()
        assert n > 20
        assert list(got.values()) == [n, people, _q(jp), _q(score)]
        last_year = _totals("completions", Scope.all(), tahun=str(YEAR - 1))
        assert list(last_year.values())[0] == db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'valid' AND year = :y"),
            {"y": YEAR - 1},
        )
        scope = _dinkes_scope(world)
        scoped = _totals("completions", scope)
        n, jp = db.session.execute(
            text(
                "SELECT COUNT(*), SUM(c.jp) FROM completions c "
                "JOIN employees e ON e.id = c.employee_id JOIN units u ON u.id = e.unit_id "
                "LEFT JOIN units o ON o.id = c.unit_id "
                "WHERE c.status = 'valid' AND (u.path LIKE :p || '%' OR o.path LIKE :p || '%')"
            ),
            {"p": scope.path},
        ).one()
        assert 0 < n < list(got.values())[0]
        assert list(scoped.values())[0] == n and list(scoped.values())[2] == _q(jp)
        revoked = _totals("completions", Scope.all(), status="revoked")
        assert list(revoked.values())[0] == db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'revoked'")
        )


def test_jp_compliance_totals_and_per_opd_match_sql(app, world, data) -> None:
    ledger = (
        "LEFT JOIN (SELECT employee_id, SUM(jp) AS jp FROM learning_records "
        "WHERE status = 'verified' AND year = :y GROUP BY employee_id) t ON t.employee_id = e.id "
    )
    with app.app_context():
        got = _totals("jp-compliance", Scope.all())
        n, ok, jp = db.session.execute(
            text(
                "SELECT COUNT(*), SUM(CASE WHEN COALESCE(t.jp, 0) >= 20 THEN 1 ELSE 0 END), "
                "COALESCE(SUM(t.jp), 0) FROM employees e " + ledger + "WHERE e.is_active"
            ),
            {"y": YEAR},
        ).one()
        values = list(got.values())
        assert values[0] == n and values[1] == ok and values[2] == n - ok
        assert values[4] == _q(jp)
        assert 0 < ok < n  # the data has both sides of the target
        per_opd = db.session.execute(
            text(
                "SELECT o.name, COUNT(*), SUM(CASE WHEN COALESCE(t.jp, 0) >= 20 THEN 1 ELSE 0 END) "
                "FROM employees e JOIN units u ON u.id = e.unit_id "
                "JOIN units o ON o.parent_id IS NULL AND u.path LIKE o.path || '%' "
                + ledger
                + "WHERE e.is_active GROUP BY o.id, o.name ORDER BY o.name"
            ),
            {"y": YEAR},
        ).all()
        report = REPORTS["jp-compliance"]
        f = parse({}, Scope.all(), default_year=YEAR)
        _headers, rows = report.summary(Scope.all(), f)
        assert [(r[0], r[1], r[2]) for r in rows] == [tuple(r) for r in per_opd]
        below = _totals("jp-compliance", Scope.all(), status="belum")
        assert list(below.values())[0] == n - ok


def test_certificate_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = _totals("certificates", Scope.all())
        counts = dict(
            db.session.execute(
                text("SELECT status, COUNT(*) FROM certificates GROUP BY status")
            ).all()
        )
        assert got["Sertifikat"] == sum(counts.values()) > 0
        assert got["Terbit"] == counts.get("issued", 0)
        assert got["Dicabut"] == counts.get("revoked", 0)


def test_cohort_quiz_enrolment_totals_match_sql(app, world, data) -> None:
    with app.app_context():
        got = list(_totals("cohort", Scope.all()).values())
        assert got[:3] == [10, 5, 1]
        score = db.session.scalar(
            text("SELECT AVG(score) FROM completions WHERE programme_id IS NOT NULL")
        )
        assert got[3] == _q(score)
        got = list(_totals("quiz", Scope.all()).values())
        n, people, avg = db.session.execute(
            text(
                "SELECT COUNT(*), COUNT(DISTINCT employee_id), AVG(score) FROM quiz_attempts "
                "WHERE status = 'graded'"
            )
        ).one()
        assert got == [n, people, _q(avg)]
        got = list(_totals("enrolments", Scope.all()).values())
        n, people = db.session.execute(
            text("SELECT COUNT(*), COUNT(DISTINCT employee_id) FROM enrolments")
        ).one()
        assert got[:2] == [n, people]
        got = list(_totals("evaluations", Scope.all()).values())
        assert got[1] == db.session.scalar(text("SELECT COUNT(*) FROM course_evaluations"))
        trainers = REPORTS["trainers"].build(Scope.all(), Filters())
        assert trainers and trainers[0][1] == 4  # the trainer teaches the four courses
        assert trainers[0][3] == db.session.scalar(
            text(
                "SELECT COUNT(*) FROM completions WHERE status = 'valid' AND course_id IS NOT NULL"
            )
        )


# --- pages ------------------------------------------------------------------------------------


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


# --- exports ----------------------------------------------------------------------------------


def test_csv_has_bom_headers_and_neutralised_cells(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get("/laporan/completions.csv?dialek=standar")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:6] == [
        "NIP",
        "Nama",
        "Unit kerja",
        "Perangkat daerah",
        "Kode pelatihan",
        "Judul pelatihan",
    ]
    titles = {r[5] for r in rows[1:]}
    names = {r[1] for r in rows[1:]}
    assert "'" + INJECTION in titles and INJECTION not in titles
    assert any(n.startswith("'@") for n in names)
    assert not any(n.startswith("@") for n in names)
    jp = [r[6] for r in rows[1:]]
    assert all(re.fullmatch(r"\d+(\.\d+)?", v) for v in jp)


def test_neutralise_keeps_numbers_numeric() -> None:
    assert exports.neutralise(-5) == -5
    assert exports.neutralise(Decimal("-1.5")) == Decimal("-1.5")
    for bad in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert exports.neutralise(bad) == "'" + bad
    assert exports.neutralise("Budi") == "Budi"


def test_xlsx_cells_are_strings_not_formulas(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get("/laporan/completions.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()))
    sheet = book.active
    header = [c.value for c in sheet[1]]
    assert header[5] == "Judul pelatihan"
    titles = [row[5] for row in sheet.iter_rows(min_row=2)]
    hit = [c for c in titles if c.value == INJECTION]
    assert hit and all(c.data_type == "s" for c in hit)
    names = [row[1] for row in sheet.iter_rows(min_row=2) if str(row[1].value).startswith("@")]
    assert names and all(c.data_type == "s" for c in names)
    jp = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert all(c.data_type == "n" for c in jp)
    # no formula anywhere
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_pdf_summary_opens(client, world, data) -> None:
    login(client, "bkpsdm")
    response = client.get(f"/laporan/jp-compliance.pdf?tahun={YEAR}")
    assert response.status_code == 200
    assert response.get_data().startswith(b"%PDF")
    assert response.mimetype == "application/pdf"


def test_url_fetcher_refuses_files_outside_static() -> None:
    fetcher = exports.url_fetcher()
    with pytest.raises(PermissionError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(PermissionError):
        fetcher.fetch("http://example.com/x.png")


# --- background export job --------------------------------------------------------------------


def test_large_xlsx_runs_as_a_job_with_expiring_link(app, client, world, data, monkeypatch):
    monkeypatch.setitem(app.config, "REPORTS_XLSX_INLINE_MAX", 5)
    login(client, "bkpsdm")
    offer = client.get("/laporan/completions.xlsx?tahun=" + str(YEAR))
    assert offer.status_code == 200 and b"Siapkan berkas XLSX" in offer.data
    token = csrf_token(client, "/laporan/completions.xlsx")
    started = client.post(f"/laporan/completions/ekspor?tahun={YEAR}", data={"csrf_token": token})
    assert started.status_code == 302
    job_url = started.headers["Location"]
    page = client.get(job_url)
    assert b"<progress" in page.data and b"js/reports.js" in page.data
    status = client.get(job_url + "/status").get_json()
    assert status["status"] == "done" and status["progress"] == 100
    download = client.get(status["download_url"])
    assert download.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(download.get_data())).active
    with app.app_context():
        expected = db.session.scalar(
            text("SELECT COUNT(*) FROM completions WHERE status = 'valid' AND year = :y"),
            {"y": YEAR},
        )
        job_id = int(job_url.rstrip("/").split("/")[-1])
        job = db.session.get(ExportJob, job_id)
        assert job.rows_written == expected == job.total_rows
        assert job.filters["year"] == YEAR
        assert sheet.max_row == expected + 1
        job.expires_at = utcnow() - timedelta(minutes=1)
        db.session.commit()
    assert client.get(status["download_url"]).status_code == 410
    assert client.get(job_url + "/status").get_json()["download_url"] is None
    assert client.post("/laporan/completions/ekspor", data={}).status_code == 400  # no CSRF


def test_failed_job_is_reported(app, world, data) -> None:
    from lms.reports.tasks import run_export

    with app.app_context():
        job = ExportJob(owner_id=world.users["admin_bkpsdm"].id, report="nope")
        db.session.add(job)
        db.session.commit()
        assert run_export.apply(args=(job.id,)).get() is False
        db.session.expire_all()
        assert db.session.get(ExportJob, job.id).status == "failed"


# --- CLI --------------------------------------------------------------------------------------


def test_cli_writes_each_format(app, world, data, tmp_path) -> None:
    runner = app.test_cli_runner()
    for fmt in ("csv", "xlsx", "pdf"):
        for key in ("completions", "jp-compliance", "cohort", "certificates"):
            out = tmp_path / f"{key}.{fmt}"
            result = runner.invoke(
                reports_cli,
                ["export", key, "--format", fmt, "--out", str(out), "--year", str(YEAR)],
            )
            assert result.exit_code == 0, result.output
            assert out.stat().st_size > 0
    assert (tmp_path / "completions.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "cohort.pdf").read_bytes().startswith(b"%PDF")
    book = openpyxl.load_workbook(tmp_path / "certificates.xlsx")
    assert book.active.cell(1, 1).value == "Nomor sertifikat"
    out = tmp_path / "dinkes.csv"
    result = runner.invoke(
        reports_cli,
        ["export", "completions", "--format", "csv", "--out", str(out), "--unit", "DINKES"],
    )
    assert result.exit_code == 0
    assert "Pegawai DISDIK" not in out.read_text(encoding="utf-8-sig")
    semicolons = tmp_path / "excel-id.csv"
    result = runner.invoke(
        reports_cli,
        ["export", "completions", "--format", "csv", "--out", str(semicolons)]
        + ["--dialect", "excel-id"],
    )
    assert result.exit_code == 0, result.output
    assert semicolons.read_text(encoding="utf-8-sig").startswith("NIP;Nama;")


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        (["nope", "--format", "csv"], "unknown report"),
        (["completions", "--format", "doc"], "unknown format"),
        (["completions", "--format", "csv", "--year", "19"], "--year"),
        (["completions", "--format", "csv", "--unit", "NOPE"], "no unit"),
    ],
)
def test_cli_bad_input_fails_with_reason(app, world, tmp_path, args, reason) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(reports_cli, ["export", *args, "--out", str(tmp_path / "x")])
    assert result.exit_code != 0
    assert reason in result.output


def test_csv_speaks_indonesian_excel_by_default_and_says_so(client, world, data) -> None:
    """Indonesian Excel opens CSV with `;` and a decimal comma: the Indonesian UI's default, named
    in the file; the standard dialect on request (and for English readers)."""
    login(client, "bkpsdm")
    page = client.get("/laporan/completions").get_data(as_text=True)
    assert "dialek=excel-id" in page and "dialek=standar" in page
    response = client.get("/laporan/completions.csv?tahun=" + str(YEAR))
    assert (
        f'filename="laporan-completions-{YEAR}-excel-id.csv"'
        in (response.headers["Content-Disposition"])
    )
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True)[1:]), delimiter=";"))
    assert rows[0][:2] == ["NIP", "Nama"] and len(rows) > 1
    jp = [r[6] for r in rows[1:]]
    assert all(re.fullmatch(r"\d+(,\d+)?", v) for v in jp), jp
    assert any("," in v for v in jp)  # some JP has decimals: written with a comma
    standard = client.get(f"/laporan/completions.csv?tahun={YEAR}&dialek=standar")
    assert f'filename="laporan-completions-{YEAR}.csv"' in (standard.headers["Content-Disposition"])
    std_rows = list(csv.reader(io.StringIO(standard.get_data(as_text=True)[1:])))
    assert [r[6] for r in std_rows[1:]] == [v.replace(",", ".") for v in jp]
    token = csrf_token(client, "/laporan/completions")
    client.post("/bahasa", data={"lang": "en", "csrf_token": token})
    english = client.get(f"/laporan/completions.csv?tahun={YEAR}")
    assert f'filename="laporan-completions-{YEAR}.csv"' in english.headers["Content-Disposition"]
