"""A workplace project from the first draft to its assessed outcome, through the HTTP client:
every step by the person whose step it is, with the notifications each step sends."""

from __future__ import annotations

import io
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.db import utcnow
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.indonesian import local_time, local_today
from lms.leadership.projects import services
from lms.leadership.projects.models import LogEntry, Project
from lms.leadership.projects.outcome import outcome
from lms.leadership.projects.rubric import rubric_for
from lms.notifications.models import Notification
from tests.conftest import login
from tests.leadership.builders import PDF, png_bytes, project_world

PROPOSAL = {
    "title": "Antrean daring di loket pelayanan",
    "problem": "Antrean manual;\nwaktu tunggu 75 menit.",
    "stakeholders": "Pasien, petugas loket",
    "expected_change": "Waktu tunggu di bawah 30 menit.",
    "milestones-0-title": "Menyusun SOP antrean",
    "milestones-0-due_on": "",
    "milestones-1-title": "Uji coba aplikasi",
    "milestones-1-due_on": "",
}


def _client(app, username):
    client = app.test_client()
    login(client, username)
    return client


def _project(app, member_id) -> Project:
    with app.app_context():
        project = db.session.scalar(select(Project).where(Project.member_id == member_id))
        db.session.expunge_all()
        return project


def _told(app, username: str) -> list[str]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.username == username))
        return [
            n.message
            for n in db.session.scalars(
                select(Notification)
                .where(Notification.user_id == user.id)
                .order_by(Notification.id)
            )
        ]


def test_from_draft_to_assessed_outcome(app, world, no_csrf) -> None:
    with app.app_context():
        pw = project_world(world)
        db.session.commit()
    base = f"/proyek/{pw.member_id}"
    pegawai = _client(app, "pegawai")
    page = pegawai.get(base).get_data(as_text=True)
    assert "Susun rancangan" in page and "Belum dimulai" in page

    # An incomplete draft is saved but cannot be sent.
    assert pegawai.post(f"{base}/rancangan", data={"title": "Judul saja"}).status_code == 302
    assert "Belum lengkap: masalah / isu" in pegawai.get(base).get_data(as_text=True)
    pegawai.post(f"{base}/ajukan", data={"confirm": "1"})
    assert _project(app, pw.member_id).state == "draft"

    assert pegawai.post(f"{base}/rancangan", data=PROPOSAL).status_code == 302
    asked = pegawai.post(f"{base}/ajukan")
    assert asked.status_code == 200 and "Ya, ajukan" in asked.get_data(as_text=True)
    assert _project(app, pw.member_id).state == "draft"  # nothing until confirmed
    assert pegawai.post(f"{base}/ajukan", data={"confirm": "1"}).status_code == 302
    assert _project(app, pw.member_id).state == "proposal_submitted"
    assert any("mengajukan rancangan" in m for m in _told(app, "pengajar"))
    assert any("mengajukan rancangan" in m for m in _told(app, "atasan"))

    # The coach returns it; a return needs a comment.
    coach = _client(app, "pengajar")
    coach.post(f"{base}/tinjau", data={"send_back": "1", "comment": ""})
    assert _project(app, pw.member_id).state == "proposal_submitted"
    coach.post(f"{base}/tinjau", data={"send_back": "1", "comment": "Tambahkan data awal."})
    assert _project(app, pw.member_id).state == "returned"
    assert any("dikembalikan" in m and "Tambahkan data awal." in m for m in _told(app, "pegawai"))
    page = pegawai.get(base).get_data(as_text=True)
    assert "Tambahkan data awal." in page and "Dikembalikan untuk perbaikan" in page

    # Revised and sent again: a second round, both must decide again.
    revised = {**PROPOSAL, "problem": "Antrean manual; 75 menit (data Januari)."}
    pegawai.post(f"{base}/rancangan", data=revised)
    pegawai.post(f"{base}/ajukan", data={"confirm": "1"})
    coach.post(f"{base}/tinjau", data={"approve": "1", "comment": ""})
    assert _project(app, pw.member_id).state == "proposal_submitted"
    mentor = _client(app, "atasan")
    mentor.post(f"{base}/tinjau", data={"approve": "1", "comment": "Lanjutkan."})
    project = _project(app, pw.member_id)
    assert project.state == "approved" and project.round == 2
    history = pegawai.get(base).get_data(as_text=True)
    assert "Pengajuan ke-2" in history and "Pengajuan ke-1" in history

    # The logbook: a file that is not what it claims is refused, naming it.
    with app.app_context():
        milestones = [m.id for m in db.session.get(Project, project.id).milestones]
    today = local_today().isoformat()
    fake = pegawai.post(
        f"{base}/catatan/baru",
        data={
            "milestone": milestones[0],
            "done_on": today,
            "activity": "SOP disusun.",
            "files": (io.BytesIO(b"MZ\x90\x00 not a pdf"), "sop.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert fake.status_code == 422
    assert "Berkas sop.pdf tidak dapat diterima" in fake.get_data(as_text=True)
    ok = pegawai.post(
        f"{base}/catatan/baru",
        data={
            "milestone": milestones[0],
            "done_on": today,
            "activity": "SOP disusun.",
            "files": [(io.BytesIO(PDF), "sop.pdf"), (io.BytesIO(png_bytes()), "foto.png")],
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    assert _project(app, pw.member_id).state == "implementing"
    assert any("menambahkan catatan pelaksanaan" in m for m in _told(app, "atasan"))
    with app.app_context():
        entry = db.session.scalar(select(LogEntry))
        entry_id, files = entry.id, [(f.id, f.filename, f.mimetype) for f in entry.files]
    assert [f[1:] for f in files] == [("sop.pdf", "application/pdf"), ("foto.png", "image/png")]
    download = mentor.get(f"/proyek/bukti/{files[0][0]}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]

    # The mentor returns it, the participant revises, the mentor confirms.
    mentor.post(
        f"/proyek/catatan/{entry_id}/keputusan",
        data={f"e{entry_id}-send_back": "1", f"e{entry_id}-comment": "Lampirkan daftar hadir."},
    )
    pegawai.post(
        f"/proyek/catatan/{entry_id}/ubah",
        data={
            "milestone": milestones[0],
            "done_on": today,
            "activity": "SOP disusun; daftar hadir terlampir.",
            "files": (io.BytesIO(PDF), "daftar-hadir.pdf"),
        },
        content_type="multipart/form-data",
    )
    mentor.post(f"/proyek/catatan/{entry_id}/keputusan", data={f"e{entry_id}-confirm": "1"})
    pegawai.post(
        f"{base}/catatan/baru",
        data={
            "milestone": milestones[1],
            "done_on": today,
            "activity": "Uji coba selesai.",
            "files": (io.BytesIO(PDF), "uji.pdf"),
        },
        content_type="multipart/form-data",
    )
    with app.app_context():
        second = db.session.scalars(select(LogEntry).order_by(LogEntry.id)).all()[1].id
    mentor.post(f"/proyek/catatan/{second}/keputusan", data={f"e{second}-confirm": "1"})
    with app.app_context():
        states = [e.state for e in db.session.scalars(select(LogEntry).order_by(LogEntry.id))]
        assert states == ["confirmed", "confirmed"]
        assert len(db.session.get(LogEntry, entry_id).files) == 3

    # The organiser schedules the seminar with an examiner; it is held; three assessors score.
    organiser = _client(app, "bkpsdm")
    starts = local_time(utcnow() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    scheduled = organiser.post(
        f"{base}/seminar",
        data={"starts_at": starts, "place": "Aula BKPSDM", "examiners": [str(pw.examiner_id)]},
    )
    assert scheduled.status_code == 302, scheduled.get_data(as_text=True)[-800:]
    assert any("Anda menjadi penguji seminar" in m for m in _told(app, "penguji"))
    organiser.post(f"{base}/seminar/selesai")
    assert _project(app, pw.member_id).state == "seminar_scheduled"  # not started yet
    with app.app_context():
        db.session.get(Project, project.id).seminar.starts_at = utcnow() - timedelta(hours=2)
        db.session.commit()
    organiser.post(f"{base}/seminar/selesai")
    assert _project(app, pw.member_id).state == "seminar_held"

    criteria = rubric_for("aksi_perubahan").criteria
    bad = coach.post(f"{base}/penilaian", data={f"score_{c.code}": "101" for c in criteria})
    assert bad.status_code == 422 and "Nilai harus 0 sampai 100." in bad.get_data(as_text=True)
    examiner = _client(app, "penguji")
    for client, score in ((coach, 90), (mentor, 84), (examiner, 80)):
        done = client.post(
            f"{base}/penilaian", data={f"score_{c.code}": str(score) for c in criteria}
        )
        assert done.status_code == 302
    assert coach.post(f"{base}/penilaian", data={}).status_code == 302  # once only

    # (90*40 + 84*30 + 80*30) / 100 = 85.20: Memuaskan, passed.
    with app.app_context():
        result = outcome(pw.member_id)
    assert result.state == "assessed" and result.assessed
    assert result.score == Decimal("85.20")
    assert result.band == "Memuaskan" and result.passed is True
    assert any("kualifikasi Memuaskan" in m for m in _told(app, "pegawai"))
    page = pegawai.get(base).get_data(as_text=True)
    assert "85,20" in page and "Memuaskan" in page and "Lulus" in page


def test_outcome_before_and_without_a_project(app, world) -> None:
    with app.app_context():
        pw = project_world(world)
        db.session.commit()
        assert outcome(pw.member_id) is None
        services.start(db.session.get(CohortMember, pw.member_id))
        assert outcome(pw.member_id).state == "draft"
        assert outcome(pw.member_id).score is None and outcome(pw.member_id).passed is None
