"""The demo end to end for issue 17: `flask demo load` on an empty database, then every demo
account around the leadership programmes signs in and opens their dashboard and the pages it
leads to (cohorts, the organiser's grid, projects, queues, the career page), two links deep:
each answers 200, none is refused or fails. Loading a second time first changes no table."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from sqlalchemy import func, select

from lms.extensions import db
from lms.org.demo import DEMO_PASSWORD
from tests.conftest import login

#: The accounts and the pages each must reach (beyond what their pages link to).
ACCOUNTS = {
    "peserta": ["/proyek", "/angkatan/PKP-2026-I/saya", "/karier", "/sertifikat"],
    "coach": ["/proyek/tugas"],
    "penguji": ["/proyek/tugas"],
    "mentor.pkp": ["/proyek/tugas", "/karier"],
    "mentor.latsar": ["/proyek/tugas", "/karier"],
    "bkpsdm": [
        "/proyek/angkatan",
        "/proyek/angkatan/PKP-2026-I",
        "/proyek/angkatan/LATSAR-2026-I/peran",
        "/angkatan/PKP-2026-I",
        "/angkatan/LATSAR-2026-I/kemajuan",
        "/angkatan/penyelenggaraan",
    ],
    # The partner institution organises PKP-2026-I (content/programmes/pkp-2026.yaml).
    "mitra": [
        "/angkatan/penyelenggaraan",
        "/angkatan/PKP-2026-I/kemajuan",
        "/proyek/angkatan",
        "/proyek/angkatan/PKP-2026-I",
    ],
    "atasan": ["/karier", "/proyek"],
    "pegawai": ["/karier", "/sertifikat"],
    "pengajar": ["/proyek/tugas"],
}
#: Where links are followed: issue 17's pages and those around them.
AREAS = ("/proyek", "/angkatan", "/karier", "/program", "/sertifikat")
#: Downloads and actions are no pages to walk.
SKIP = ("/pdf", "/bukti/", "/unduh", "/ekspor", "/keluar")


def _table_counts() -> dict[str, int]:
    return {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }


def _walk(client, seeds: list[str]) -> dict[str, int]:
    """GET the dashboard and the seeds, then the in-area links they show, two levels deep."""
    statuses: dict[str, int] = {}
    todo = [("/dasbor", 0)] + [(url, 0) for url in seeds]
    while todo:
        url, depth = todo.pop(0)
        if url in statuses:
            continue
        response = client.get(url)
        statuses[url] = response.status_code
        if response.status_code in (301, 302, 303):
            target = urlparse(response.headers["Location"])
            todo.append((target.path + (f"?{target.query}" if target.query else ""), depth))
            continue
        if response.status_code != 200 or depth >= 2 or response.mimetype != "text/html":
            continue
        for href in re.findall(r'href="(/[^"#]*)"', response.get_data(as_text=True)):
            href = href.replace("&amp;", "&")
            if href.startswith(AREAS) and not any(s in href for s in SKIP):
                todo.append((href, depth + 1))
    return statuses


def test_demo_load_twice_then_every_issue_17_page_of_the_demo_accounts(app, monkeypatch) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load"])
    assert first.exit_code == 0, first.output
    assert "demo_projects=12" in first.output and "course_errors=0" in first.output
    with app.app_context():
        before = _table_counts()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0, again.output
    assert "demo_projects=0" in again.output and "demo_progress=0" in again.output
    with app.app_context():
        assert _table_counts() == before

    walked: dict[str, int] = {}
    for username, seeds in ACCOUNTS.items():
        client = app.test_client()
        login(client, username, DEMO_PASSWORD)
        statuses = _walk(client, seeds)
        wrong = {url: s for url, s in statuses.items() if s not in (200, 301, 302, 303)}
        assert not wrong, (username, wrong)
        assert all(seed in statuses for seed in seeds)
        projects = [u for u in statuses if re.fullmatch(r"/proyek/\d+", u)]
        walked[username] = len(projects)
    # BKPSDM reaches all twelve demo projects; the partner the six of the cohort it organises.
    assert walked["bkpsdm"] == 12 and walked["mitra"] == 6 and walked["coach"] == 12
