"""Non-classroom sessions through the HTTP client: logging with evidence checked, bad input named
by field, confirming and returning per the form's rule, the ledger and SIASN, visibility."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.auth.models import AuditLog
from lms.careers.ledger import queries as ledger
from lms.careers.records.models import LearningRecord
from lms.careers.sessions import services
from lms.careers.sessions.models import LearningSession
from lms.careers.sessions.rules import _read
from lms.extensions import db
from lms.integrations import siasn
from lms.notifications.models import Notification
from tests.careers.ledger_helpers import (
    TODAY,
    _many_logins,  # noqa: F401  (autouse fixture)
    exe_bytes,
    pdf_bytes,
    png_bytes,
)
from tests.careers.sessions.helpers import (
    YESTERDAY,
    csrf_of,
    decide,
    login,
    post_session,
    user_id,
)
from tests.test_query_counts import count_queries


def _sessions() -> list[LearningSession]:
    return list(db.session.scalars(select(LearningSession).order_by(LearningSession.id)))


def _log_as_pegawai(app, client, **overrides) -> int:
    """pegawai logs a mentoring session with atasan as mentor; returns its id."""
    with app.app_context():
        atasan = user_id("atasan")
    login(client, "pegawai")
    response = post_session(client, coach_user_id=str(atasan), **overrides)
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    assert response.headers["Location"].endswith("/sesi")
    with app.app_context():
        return _sessions()[-1].id


# --- logging -------------------------------------------------------------------------------------


def test_employee_logs_a_session_with_evidence_and_the_mentor_is_told(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client, evidence=(pdf_bytes(), "notulen mentoring.pdf"))
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.status, s.form_code, s.minutes, s.held_on) == ("submitted", 15, 80, YESTERDAY)
        assert s.logged_by_id == world.users["pegawai"].id
        assert s.coach_user_id == world.users["atasan"].id
        assert s.evidence_name == "notulen-mentoring.pdf" and s.evidence_key
        assert s.recognised_jp is None and s.record_id is None
        told = db.session.scalars(
            select(Notification).where(Notification.user_id == world.users["atasan"].id)
        ).all()
        assert any("menunggu konfirmasi" in n.message for n in told)
    page = client.get("/sesi").get_data(as_text=True)
    assert "Menyusun laporan kinerja triwulan" in page and "Menunggu konfirmasi" in page
    download = client.get(f"/sesi/{session_id}/bukti")
    assert download.status_code == 200 and download.data.startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"minutes": "abc"}, "bilangan bulat"),
        ({"minutes": "0"}, "Durasi antara 1 dan 720 menit"),
        ({"minutes": "721"}, "Durasi antara 1 dan 720 menit"),
        ({"minutes": ""}, "Durasi wajib diisi"),
        (
            {"held_on": (TODAY.replace(year=TODAY.year + 1)).isoformat()},
            "tidak boleh di masa depan",
        ),
        ({"held_on": f"{TODAY.year - 2}-06-01"}, "tahun ini atau tahun lalu"),
        ({"held_on": "31-02-2026"}, "Tanggal tidak valid"),
        ({"topic": "   "}, "Topik sesi wajib diisi"),
        ({"agreed": ""}, "hasil atau kesepakatan sesi"),
        ({"form_code": "16"}, "Pilih bentuk pembelajaran nonklasikal"),
        ({"form_code": "3"}, "Pilih bentuk pembelajaran nonklasikal"),
        ({"coach_user_id": ""}, "Mentoring memerlukan pendamping"),
        ({"coach_user_id": "999999"}, "Pilih pendamping dari daftar"),
        ({"competency_kind": "gaib"}, "Pilih jenis kompetensi"),
        ({"evidence": (exe_bytes(), "notulen.pdf")}, "bukan PDF/gambar yang sah"),
        ({"form_code": "22", "coach_user_id": ""}, "memerlukan berkas bukti"),
    ],
)
def test_bad_input_is_refused_on_its_field(app, client, world, overrides, message) -> None:
    with app.app_context():
        atasan = user_id("atasan")
    login(client, "pegawai")
    response = post_session(client, **{"coach_user_id": str(atasan), **overrides})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert message in page, page[-3000:]
    assert "field-error" in page
    with app.app_context():
        assert _sessions() == []


def test_a_named_coach_without_an_account_needs_the_supervisor(app, client, world) -> None:
    login(client, "pegawai")
    response = post_session(client, coach_name="Dr. Hartono (Dinkes Provinsi)")
    assert response.status_code == 302
    with app.app_context():
        s = _sessions()[-1]
        assert s.coach_user_id is None and s.coach_name == "Dr. Hartono (Dinkes Provinsi)"


def test_image_evidence_is_accepted(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client, evidence=(png_bytes(), "foto.png"))
    with app.app_context():
        assert db.session.get(LearningSession, session_id).evidence_name == "foto.png"


# --- confirming and returning --------------------------------------------------------------------


def test_supervisor_confirms_and_the_ledger_moves_by_the_recognised_jp(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client, evidence=(pdf_bytes(), "notulen.pdf"))
    with app.app_context():
        before = ledger.jp_of(world.employees["pegawai"].id, YESTERDAY.year)
    login(client, "atasan")
    page = client.get(f"/sesi/{session_id}").get_data(as_text=True)
    assert "Bila dikonfirmasi, sesi ini diakui 1,5 JP" in page
    response = decide(client, session_id, confirm=True)
    assert response.status_code == 302
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.status, s.recognised_jp, s.decided_as) == (
            "confirmed",
            Decimal("1.5"),
            "supervisor",
        )
        record = db.session.get(LearningRecord, s.record_id)
        record_id = record.id
        assert (record.source, record.status, record.jenis_diklat_code) == (
            "session",
            "verified",
            15,
        )
        assert (record.jp, record.year, record.siasn_type) == (
            Decimal("1.5"),
            YESTERDAY.year,
            "kursus",
        )
        assert record.competency_kind == "manajerial" and record.evidence_key == s.evidence_key
        assert record.name == "Mentoring: Menyusun laporan kinerja triwulan"
        after = ledger.jp_of(world.employees["pegawai"].id, YESTERDAY.year)
        assert after["total"] - before["total"] == Decimal("1.5")
        assert after["manajerial"] - before["manajerial"] == Decimal("1.5")
        audit = db.session.scalars(
            select(AuditLog).where(AuditLog.object_type == "LearningSession")
        ).all()
        assert audit[-1].after["jp"] == "1.5" and audit[-1].actor_id == world.users["atasan"].id
        told = db.session.scalars(
            select(Notification).where(Notification.user_id == world.users["pegawai"].id)
        ).all()
        assert any("dikonfirmasi" in n.message and "1.5 JP" in n.message for n in told)
    # The employee's learning record shows it, evidence and all.
    login(client, "pegawai")
    records = client.get("/riwayat").get_data(as_text=True)
    assert "Mentoring: Menyusun laporan kinerja triwulan" in records
    # The record's evidence is the session's file, for the owner and the supervisor.
    assert client.get(f"/riwayat/{record_id}/bukti").status_code == 200


def test_confirmed_sessions_export_to_siasn_with_their_code(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client, minutes="135")
    login(client, "atasan")
    decide(client, session_id, confirm=True)
    with app.app_context():
        header = siasn.columns(siasn.Scope(YESTERDAY.year))
        rows = [
            dict(zip(header, r, strict=True)) for r in siasn.iter_rows(siasn.Scope(YESTERDAY.year))
        ]
        (row,) = [r for r in rows if r["namaKursus"].startswith("Mentoring:")]
        assert row["jenisRiwayat"] == "kursus" and row["jenisDiklatId"] == "15"
        assert row["jumlahJam"] == 2  # 135 minutes = 3 JP, capped at 2 a day for mentoring
        assert row["institusiPenyelenggara"] == "Dinas Kesehatan"
        assert row["tanggalKursus"] == YESTERDAY.strftime("%d-%m-%Y")


def test_return_needs_a_reason_then_the_employee_corrects_and_resubmits(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client)
    login(client, "atasan")
    refused = decide(client, session_id, confirm=False)
    assert refused.status_code == 422
    assert "Tuliskan alasan sesi dikembalikan" in refused.get_data(as_text=True)
    response = decide(client, session_id, confirm=False, reason="Durasi tidak sesuai notulen.")
    assert response.status_code == 302
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.status, s.return_reason, s.recognised_jp) == (
            "returned",
            "Durasi tidak sesuai notulen.",
            None,
        )
        assert db.session.scalar(select(LearningRecord.id)) is None
    # A decided session cannot be decided again.
    again = decide(client, session_id, confirm=True)
    assert again.status_code == 302
    shown = client.get(again.headers["Location"]).get_data(as_text=True)
    assert "Sesi ini tidak sedang menunggu konfirmasi." in shown
    login(client, "pegawai")
    assert "Durasi tidak sesuai notulen." in client.get("/sesi").get_data(as_text=True)
    with app.app_context():
        atasan = user_id("atasan")
    fixed = post_session(
        client, f"/sesi/{session_id}/ubah", minutes="60", coach_user_id=str(atasan)
    )
    assert fixed.status_code == 302
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.status, s.minutes) == ("submitted", 60)


def test_day_cap_counts_sessions_confirmed_before(app, client, world) -> None:
    first = _log_as_pegawai(app, client, minutes="80")
    second = _log_as_pegawai(app, client, minutes="80", topic="Sesi kedua hari yang sama")
    login(client, "atasan")
    decide(client, first, confirm=True)
    page = client.get(f"/sesi/{second}").get_data(as_text=True)
    assert "diakui 0,5 JP" in page and "batas JP per hari" in page
    decide(client, second, confirm=True)
    with app.app_context():
        a, b = db.session.get(LearningSession, first), db.session.get(LearningSession, second)
        assert (a.recognised_jp, b.recognised_jp) == (Decimal("1.5"), Decimal("0.5"))
        assert b.limited_by == "day"
        assert ledger.jp_of(world.employees["pegawai"].id, YESTERDAY.year)["total"] == Decimal(2)


def test_year_cap_from_the_rules_data_leaves_a_session_at_0_jp(
    app, client, world, tmp_path
) -> None:
    rules = tmp_path / "rules.yaml"
    rules.write_text(
        "defaults: {minutes_per_jp: 45, step: 0.5}\n"
        "forms:\n  15: {name: Mentoring, cap_per_day: 8, cap_per_year: 2,"
        " confirm_by: [supervisor, coach], coach: required, evidence: optional}\n",
        encoding="utf-8",
    )
    app.config["NONCLASSROOM_RULES_FILE"] = str(rules)
    try:
        first = _log_as_pegawai(app, client, minutes="135")  # 3 JP → 2 (the year's cap)
        second = _log_as_pegawai(app, client, minutes="45")
        login(client, "atasan")
        decide(client, first, confirm=True)
        decide(client, second, confirm=True)
        with app.app_context():
            a, b = db.session.get(LearningSession, first), db.session.get(LearningSession, second)
            assert (a.recognised_jp, a.limited_by) == (Decimal(2), "year")
            assert (b.status, b.recognised_jp, b.limited_by, b.record_id) == (
                "confirmed",
                0,
                "year",
                None,
            )
            assert ledger.jp_of(world.employees["pegawai"].id, YESTERDAY.year)["total"] == 2
        assert "batas JP per tahun" in client.get(f"/sesi/{second}").get_data(as_text=True)
    finally:
        app.config.pop("NONCLASSROOM_RULES_FILE")
        _read.cache_clear()


def test_the_employee_and_hr_outside_the_rule_cannot_decide(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client)
    assert client.get(f"/sesi/{session_id}").status_code == 200
    assert decide_raw(client, session_id).status_code == 404  # own session
    login(client, "opd.dinkes")  # sees Dinas Kesehatan, but mentoring is not HR's to confirm
    page = client.get(f"/sesi/{session_id}")
    assert page.status_code == 200 and "Keputusan Anda" not in page.get_data(as_text=True)
    assert decide_raw(client, session_id).status_code == 404
    with app.app_context():
        assert db.session.get(LearningSession, session_id).status == "submitted"


def decide_raw(client, session_id: int):
    """A decision posted by someone who sees no decision form (a token from another page)."""
    token = csrf_of(client.get("/sesi/periksa").data)
    return client.post(f"/sesi/{session_id}", data={"csrf_token": token, "confirm": "1"})


def test_a_trainer_named_as_coach_confirms_coaching(app, client, world) -> None:
    with app.app_context():
        trainer = user_id("pengajar")
    login(client, "pegawai")
    response = post_session(client, form_code="14", coach_user_id=str(trainer), minutes="45")
    assert response.status_code == 302
    with app.app_context():
        session_id = _sessions()[-1].id
    login(client, "pengajar")
    listed = client.get("/sesi/periksa").get_data(as_text=True)
    assert "Menyusun laporan kinerja triwulan" in listed
    assert decide(client, session_id, confirm=True).status_code == 302
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.status, s.decided_as, s.recognised_jp) == ("confirmed", "coach", Decimal(1))


# --- the coach logs --------------------------------------------------------------------------------


def test_coach_logs_for_a_coachee_and_someone_else_confirms(app, client, world) -> None:
    with app.app_context():
        trainer = user_id("pengajar")
    login(client, "pegawai")
    post_session(client, form_code="14", coach_user_id=str(trainer), minutes="45")
    login(client, "pengajar")
    page = client.get("/sesi/dampingi").get_data(as_text=True)
    assert "Siti Aminah" in page  # named the trainer before: a coachee now
    response = post_session(
        client,
        "/sesi/dampingi",
        employee_id=str(world.employees["pegawai"].id),
        form_code="14",
        minutes="90",
        topic="Umpan balik presentasi",
    )
    assert response.status_code == 302
    with app.app_context():
        s = _sessions()[-1]
        assert (s.logged_by_id, s.coach_user_id, s.employee_id) == (
            trainer,
            trainer,
            world.employees["pegawai"].id,
        )
        session_id = s.id
    # The coach corrects what they logged (still waiting).
    edit = client.get(f"/sesi/{session_id}/ubah")
    assert edit.status_code == 200 and "Umpan balik presentasi" in edit.get_data(as_text=True)
    fixed = post_session(
        client,
        f"/sesi/{session_id}/ubah",
        employee_id=str(world.employees["pegawai"].id),
        form_code="14",
        minutes="100",
        topic="Umpan balik presentasi",
    )
    assert fixed.status_code == 302
    with app.app_context():
        assert db.session.get(LearningSession, session_id).minutes == 100
    # The coach who logged it may not confirm it; the supervisor may.
    assert decide_raw(client, session_id).status_code == 404
    login(client, "atasan")
    assert decide(client, session_id, confirm=True).status_code == 302
    login(client, "pegawai")
    assert "Umpan balik presentasi" in client.get("/sesi").get_data(as_text=True)


def test_coach_cannot_log_for_a_stranger(app, client, world) -> None:
    login(client, "pengajar")
    response = post_session(
        client, "/sesi/dampingi", employee_id=str(world.employees["pegawai"].id), form_code="14"
    )
    assert response.status_code == 422
    assert "Belum ada pegawai yang Anda dampingi" in response.get_data(as_text=True)
    with app.app_context():
        assert _sessions() == []


def test_a_supervisor_mentor_cannot_log_what_only_they_could_confirm(app, client, world) -> None:
    login(client, "atasan")
    response = post_session(
        client, "/sesi/dampingi", employee_id=str(world.employees["pegawai"].id), form_code="15"
    )
    assert response.status_code == 422
    assert "Tidak ada orang lain yang berhak mengonfirmasi" in response.get_data(as_text=True)
    # Secondment: HR confirms what the supervisor logged.
    ok = post_session(
        client,
        "/sesi/dampingi",
        employee_id=str(world.employees["pegawai"].id),
        form_code="18",
        minutes="360",
        topic="Detasering di RSUD",
        evidence=(pdf_bytes(), "surat-tugas.pdf"),
    )
    assert ok.status_code == 302
    with app.app_context():
        session_id = _sessions()[-1].id
    login(client, "opd.dinkes")
    assert session_id and "Detasering di RSUD" in client.get("/sesi/periksa").get_data(as_text=True)
    assert decide(client, session_id, confirm=True).status_code == 302
    with app.app_context():
        s = db.session.get(LearningSession, session_id)
        assert (s.decided_as, s.recognised_jp) == ("hr", Decimal(8))


# --- withdrawing and visibility --------------------------------------------------------------------


def test_withdraw_asks_first(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client)
    token = csrf_of(client.get(f"/sesi/{session_id}").data)
    asked = client.post(f"/sesi/{session_id}/tarik", data={"csrf_token": token})
    assert asked.status_code == 200 and "Ya, tarik sesi" in asked.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(LearningSession, session_id).status == "submitted"
    done = client.post(f"/sesi/{session_id}/tarik", data={"csrf_token": token, "confirm": "1"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(LearningSession, session_id).status == "withdrawn"


def test_who_sees_a_session(app, client, world) -> None:
    session_id = _log_as_pegawai(app, client)
    for username, status in (
        ("atasan", 200),
        ("opd.dinkes", 200),
        ("bkpsdm", 200),
        ("target.user", 404),  # another OPD's employee
        ("pengajar", 404),  # a trainer who is not the coach
    ):
        login(client, username)
        assert client.get(f"/sesi/{session_id}").status_code == status, username
        assert client.get(f"/sesi/{session_id}/bukti").status_code in (status, 404)
    login(client, "atasan")
    assert "Menyusun laporan" in client.get("/sesi/periksa").get_data(as_text=True)
    login(client, "target.user")
    assert "Menyusun laporan" not in client.get("/sesi/periksa?status=").get_data(as_text=True)


def test_review_list_query_count_is_flat(app, client, world) -> None:
    """The supervisor's list is a fixed number of queries whatever the number of sessions."""
    login(client, "atasan")
    with app.app_context():
        pegawai = world.employees["pegawai"].id
        for n in range(3):
            db.session.add(_raw_session(pegawai, world.users["pegawai"].id, n))
        db.session.commit()
    with count_queries(app) as few:
        client.get("/sesi/periksa?status=")
    with app.app_context():
        for n in range(3, 30):
            db.session.add(_raw_session(pegawai, world.users["pegawai"].id, n))
        db.session.commit()
    with count_queries(app) as many:
        client.get("/sesi/periksa?status=")
    assert many["n"] == few["n"]


def _raw_session(employee_id: int, logger: int, n: int) -> LearningSession:
    return LearningSession(
        employee_id=employee_id,
        form_code=15,
        held_on=YESTERDAY,
        minutes=30 + n,
        topic=f"Sesi {n}",
        agreed="-",
        logged_by_id=logger,
        coach_user_id=logger,
    )


def test_services_refuse_a_decided_session(app, world) -> None:
    with app.app_context():
        s = _raw_session(world.employees["pegawai"].id, world.users["pegawai"].id, 1)
        s.status, s.recognised_jp = "confirmed", Decimal(1)
        db.session.add(s)
        db.session.flush()
        with pytest.raises(services.CareerError):
            services.withdraw(s)
        db.session.rollback()


def test_evidence_files_are_stored_under_the_evidence_folder(app, client, world) -> None:
    _log_as_pegawai(app, client, evidence=(pdf_bytes(), "a.pdf"))
    folder = Path(app.config["FILES_DIR"]) / "evidence"
    assert any(folder.glob("*.pdf"))
