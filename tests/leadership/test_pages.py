"""The pages around projects: the participant's page and dashboard card, the assessors' queue and
card, the organiser's cohort list, overview (participants × stages) and card; bad input answered
on the field, never with a 500."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.indonesian import local_time, local_today
from lms.leadership.projects import evidence, logbook, services
from lms.leadership.projects.services import ProposalInput
from tests.conftest import login
from tests.leadership.builders import PDF, project_world
from tests.test_query_counts import count_queries


def _submitted(app, world):
    with app.app_context():
        pw = project_world(world)
        member = db.session.get(CohortMember, pw.member_id)
        services.save_proposal(
            member,
            ProposalInput(
                "Antrean daring", "Antrean panjang.", "Pasien.", "Lebih cepat.", [("SOP", None)]
            ),
        )
        services.submit(member)
        db.session.commit()
        return pw


def _page(app, username: str, path: str) -> str:
    client = app.test_client()
    login(client, username)
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


def test_queue_and_dashboard_cards_show_what_waits(app, world) -> None:
    pw = _submitted(app, world)
    queue = _page(app, "pengajar", "/proyek/tugas")
    assert "Siti Aminah" in queue and "tinjau rancangan" in queue and "Budi Santoso" not in queue
    dashboard = _page(app, "pengajar", "/dasbor")
    assert "Bimbingan proyek perubahan" in dashboard
    assert "1 rancangan menunggu keputusan Anda" in dashboard
    assert "1 rancangan menunggu keputusan Anda" in _page(app, "atasan", "/dasbor")

    mine = _page(app, "pegawai", "/dasbor")
    assert "Aksi perubahan" in mine and "Antrean daring" in mine and "Menunggu persetujuan" in mine
    assert 'value="20"' in mine  # the card's progress bar

    project = _page(app, "pegawai", f"/proyek/{pw.member_id}")
    assert 'aria-current="step"' in project and "Persetujuan coach dan mentor" in project
    assert "Setujui rancangan" not in project  # the participant does not review
    coach_view = _page(app, "pengajar", f"/proyek/{pw.member_id}")
    assert "Setujui rancangan" in coach_view and "Kembalikan untuk perbaikan" in coach_view

    organiser = _page(app, "bkpsdm", "/dasbor")
    assert "Proyek perubahan peserta" in organiser
    cohorts = _page(app, "bkpsdm", "/proyek/angkatan")
    assert "Angkatan I Uji" in cohorts
    overview = _page(app, "bkpsdm", f"/proyek/angkatan/{pw.cohort_code}")
    assert "Siti Aminah" in overview and "Budi Santoso" in overview
    assert overview.count("stage-current") == 2 and "Menunggu persetujuan" in overview


def test_bad_input_lands_on_its_field(app, world, no_csrf) -> None:
    pw = _submitted(app, world)
    client = app.test_client()
    login(client, "pegawai")
    # Reviewing is not the participant's; the proposal under review cannot be edited.
    edit = client.get(f"/proyek/{pw.member_id}/rancangan", follow_redirects=True)
    assert "Rancangan sudah diajukan dan tidak dapat diubah lagi." in edit.get_data(as_text=True)

    # Returned, the proposal can be edited again; the form's limits answer on their fields.
    with app.app_context():
        member = db.session.get(CohortMember, pw.member_id)
        project = services.project_of(member)
        project.state = "returned"
        db.session.commit()
    long = client.post(
        f"/proyek/{pw.member_id}/rancangan",
        data={"title": "x" * 301, "milestones-0-title": "y" * 301},
    )
    text = long.get_data(as_text=True)
    assert long.status_code == 422
    assert "Judul paling panjang 300 karakter." in text
    only_date = client.post(
        f"/proyek/{pw.member_id}/rancangan",
        data={"title": "Judul", "milestones-0-title": "", "milestones-0-due_on": "2026-13-40"},
    )
    assert only_date.status_code == 422
    assert "Tanggal tidak valid" in only_date.get_data(as_text=True)


def test_seminar_refused_until_the_logbook_is_complete(app, world, no_csrf) -> None:
    pw = _submitted(app, world)
    with app.app_context():
        member = db.session.get(CohortMember, pw.member_id)
        project = services.project_of(member)
        project.state = "implementing"
        db.session.commit()
    client = app.test_client()
    login(client, "bkpsdm")
    starts = local_time(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        f"/proyek/{pw.member_id}/seminar",
        data={"starts_at": starts, "place": "Aula", "examiners": [str(pw.examiner_id)]},
    )
    assert response.status_code == 422
    assert "Catatan pelaksanaan belum lengkap: 0 dari 1 milestone" in response.get_data(
        as_text=True
    )
    with app.app_context():
        assert db.session.scalar(select(User).where(User.username == "penguji")) is not None


def test_a_seminar_needs_an_examiner_who_is_not_the_coach(app, world, no_csrf) -> None:
    pw = _submitted(app, world)
    with app.app_context():
        member = db.session.get(CohortMember, pw.member_id)
        project = services.project_of(member)
        project.state = "approved"
        entry = logbook.add_entry(
            project,
            logbook.EntryInput(project.milestones[0].id, local_today(), "SOP selesai."),
            [evidence.check("sop.pdf", PDF)],
        )
        atasan = db.session.scalar(select(User).where(User.username == "atasan"))
        logbook.decide_entry(entry, atasan, True, "")
        db.session.commit()
        coach_id = db.session.scalar(select(User.id).where(User.username == "pengajar"))
    client = app.test_client()
    login(client, "bkpsdm")
    starts = local_time(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    url = f"/proyek/{pw.member_id}/seminar"
    data = {"starts_at": starts, "place": "Aula"}
    none = client.post(url, data=data)
    assert none.status_code == 422
    assert "Pilih paling sedikit satu penguji." in none.get_data(as_text=True)
    coach = client.post(url, data={**data, "examiners": [str(coach_id)]})
    assert coach.status_code == 422
    assert "coach, mentor, dan penguji harus orang yang berbeda" in coach.get_data(as_text=True)
    past = local_time(utcnow() - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    late = client.post(url, data={**data, "starts_at": past, "examiners": [str(pw.examiner_id)]})
    assert "Waktu seminar harus setelah saat ini." in late.get_data(as_text=True)
    ok = client.post(url, data={**data, "examiners": [str(pw.examiner_id)]})
    assert ok.status_code == 302


def test_project_page_and_queue_queries_do_not_grow_with_the_logbook(app, world) -> None:
    pw = _submitted(app, world)
    with app.app_context():
        member = db.session.get(CohortMember, pw.member_id)
        project = services.project_of(member)
        project.state = "approved"
        db.session.commit()
    mentor = app.test_client()
    login(mentor, "atasan")

    def add(n: int) -> None:
        with app.app_context():
            project = services.project_of(db.session.get(CohortMember, pw.member_id))
            for _i in range(n):
                logbook.add_entry(
                    project,
                    logbook.EntryInput(project.milestones[0].id, local_today(), "Kegiatan."),
                    [evidence.check("a.pdf", PDF), evidence.check("b.pdf", PDF)],
                )
            db.session.commit()

    def measure() -> list[int]:
        counts = []
        for path in (f"/proyek/{pw.member_id}", "/proyek/tugas", "/dasbor"):
            mentor.get(path)
            with count_queries(app) as counter:
                assert mentor.get(path).status_code == 200
            counts.append(counter["n"])
        return counts

    add(1)
    small = measure()
    add(5)
    assert measure() == small


def test_nothing_changes_once_the_cohort_is_closed(app, world, no_csrf) -> None:
    pw = _submitted(app, world)
    with app.app_context():
        member = db.session.get(CohortMember, pw.member_id)
        member.cohort.closed_at = utcnow()
        db.session.commit()
    coach = app.test_client()
    login(coach, "pengajar")
    page = coach.post(
        f"/proyek/{pw.member_id}/tinjau", data={"approve": "1"}, follow_redirects=True
    )
    assert "Angkatan ini sudah ditutup penyelenggara" in page.get_data(as_text=True)
    with app.app_context():
        assert services.project_of(db.session.get(CohortMember, pw.member_id)).state == (
            "proposal_submitted"
        )
