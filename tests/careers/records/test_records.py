"""Outside learning: adding with evidence checked by content, bad input, verification, scope."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from lms.auth.models import AuditLog
from lms.careers.ledger import queries as ledger
from lms.careers.records import evidence, services
from lms.careers.records.models import LearningRecord
from lms.extensions import db
from lms.notifications.models import Notification
from tests.careers.ledger_helpers import (
    TODAY,
    _many_logins,  # noqa: F401  (autouse fixture)
    count_records,
    csrf_of,
    exe_bytes,
    jpeg_bytes,
    make_record,
    pdf_bytes,
    png_bytes,
    post_record,
    store_evidence,
)
from tests.conftest import login


def _evidence_files(app) -> list[Path]:
    folder = Path(app.config["FILES_DIR"]) / "evidence"
    return sorted(folder.glob("*")) if folder.exists() else []


# --- pure rules ---------------------------------------------------------------------------------


def _input(**kw: object) -> services.OutsideInput:
    base = {
        "jenis_diklat_code": 4,
        "name": "Seminar",
        "organiser": "LAN",
        "starts_on": date(2026, 3, 1),
        "ends_on": date(2026, 3, 2),
        "jp": Decimal(6),
        "competency_kind": "teknis",
    }
    base.update(kw)
    return services.OutsideInput(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"jp": Decimal(0)}, "jp", "JP harus lebih dari 0"),
        ({"jp": Decimal(-2)}, "jp", "JP harus lebih dari 0"),
        ({"jp": Decimal("NaN")}, "jp", "JP harus berupa angka"),
        ({"jp": None}, "jp", "JP wajib diisi"),
        ({"ends_on": date(2026, 2, 28)}, "ends_on", "tidak boleh sebelum tanggal mulai"),
        ({"ends_on": date(2026, 12, 31)}, "ends_on", "tidak boleh di masa depan"),
        ({"name": "  "}, "name", "Nama kegiatan wajib diisi"),
        ({"organiser": ""}, "organiser", "Penyelenggara wajib diisi"),
        ({"jenis_diklat_code": 99}, "jenis_diklat_code", "Pilih jenis diklat"),
        ({"competency_kind": "x"}, "competency_kind", "Pilih jenis kompetensi"),
    ],
)
def test_validate_outside_names_the_field(changes: dict, field: str, message: str) -> None:
    errors = services.validate_outside(_input(**changes), {4, 14}, date(2026, 6, 1))
    assert message in errors[field]


def test_validate_outside_accepts_a_good_record() -> None:
    assert services.validate_outside(_input(), {4}, date(2026, 6, 1)) == {}


def test_evidence_is_judged_by_content(app) -> None:
    with app.app_context():
        assert evidence.check("a.pdf", pdf_bytes()).extension == "pdf"
        assert evidence.check("foto.PNG", png_bytes()).mimetype == "image/png"
        # The name says PNG, the bytes say JPEG: the content wins.
        checked = evidence.check("scan.png", jpeg_bytes())
        assert (checked.extension, checked.filename) == ("jpg", "scan.jpg")
        for name, data in [
            ("sertifikat.pdf", exe_bytes()),
            ("catatan.pdf", b"hanya teks biasa"),
            ("rusak.pdf", b"%PDF-1.4\nbukan pdf utuh"),
            ("palsu.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 50),
        ]:
            with pytest.raises(evidence.EvidenceRefused, match="bukan PDF/gambar yang sah"):
                evidence.check(name, data)


# --- adding over HTTP ---------------------------------------------------------------------------


def test_employee_adds_outside_learning_pending_until_verified(app, client, world) -> None:
    login(client, "pegawai")
    response = post_record(client)
    assert response.status_code == 302, response.data[-2000:]
    with app.app_context():
        record = db.session.scalar(select(LearningRecord))
        assert record.status == "pending" and record.source == "outside"
        assert record.employee_id == world.employees["pegawai"].id
        assert record.jp == Decimal(6) and record.year == (TODAY - timedelta(days=2)).year
        assert record.jenis_diklat_code == 4 and record.siasn_type == "kursus"
        assert record.evidence_key and record.evidence_name == "sertifikat.pdf"
        # Pending JP does not count.
        assert ledger.jp_of(record.employee_id, record.year)["total"] == 0
    page = client.get("/riwayat").data.decode()
    assert "Seminar Transformasi Digital" in page and "Menunggu verifikasi" in page
    download = client.get(f"/riwayat/{record.id}/bukti")
    assert download.status_code == 200
    assert download.data.startswith(b"%PDF-") and download.mimetype == "application/pdf"


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"jp": "0"}, "JP harus lebih dari 0"),
        ({"jp": "-4"}, "JP harus lebih dari 0"),
        ({"jp": "banyak"}, "JP harus berupa angka"),
        (
            {"starts_on": TODAY.isoformat(), "ends_on": (TODAY - timedelta(days=5)).isoformat()},
            "Tanggal selesai tidak boleh sebelum tanggal mulai",
        ),
        ({"evidence": (exe_bytes(), "sertifikat.pdf")}, "Berkas bukti bukan PDF/gambar yang sah"),
        ({"evidence": (pdf_bytes(padding=3000), "besar.pdf")}, "Berkas bukti terlalu besar"),
        ({"evidence": (b"", "")}, "Unggah berkas bukti"),
    ],
)
def test_bad_outside_record_shows_message_and_writes_nothing(
    app,
    client,
    world,
    monkeypatch: pytest.MonkeyPatch,
    overrides: dict,
    message: str,
) -> None:
    monkeypatch.setitem(app.config, "EVIDENCE_MAX_BYTES", 2048)
    before = _evidence_files(app)
    login(client, "pegawai")
    response = post_record(client, **overrides)
    assert response.status_code == 422
    assert message in response.data.decode()
    assert 'aria-invalid="true"' in response.data.decode()
    with app.app_context():
        assert count_records() == 0
    assert _evidence_files(app) == before


def test_jp_with_decimal_comma_is_accepted(app, client, world) -> None:
    login(client, "pegawai")
    assert post_record(client, jp="2,5", evidence=(png_bytes(), "foto.png")).status_code == 302
    with app.app_context():
        record = db.session.scalar(select(LearningRecord))
        assert record.jp == Decimal("2.5") and record.evidence_name == "foto.png"


def test_edit_and_withdraw_only_while_pending(app, client, world) -> None:
    login(client, "pegawai")
    assert post_record(client).status_code == 302
    with app.app_context():
        record_id = db.session.scalar(select(LearningRecord.id))
    path = f"/riwayat/{record_id}/ubah"
    response = post_record(client, path, name="Seminar Diubah", jp="7", evidence=(b"", ""))
    assert response.status_code == 302
    with app.app_context():
        record = db.session.get(LearningRecord, record_id)
        assert (record.name, record.jp, record.status) == ("Seminar Diubah", 7, "pending")
        assert record.evidence_key  # kept when no new file is sent
    token = csrf_of(client.get("/riwayat").data)
    withdrawn = client.post(
        f"/riwayat/{record_id}/tarik", data={"csrf_token": token, "confirm": "1"}
    )
    assert withdrawn.status_code == 302
    with app.app_context():
        assert db.session.get(LearningRecord, record_id).status == "removed"
    # Once no longer pending, editing is refused with a message and changes nothing.
    response = client.get(path, follow_redirects=True)
    assert "tidak dapat diubah lagi" in response.data.decode()


# --- verification -------------------------------------------------------------------------------


def _pending(app, employee_key: str, world, name: str = "Mentoring arsip") -> int:
    with app.app_context():
        record = make_record(
            world.employees[employee_key].id,
            status="pending",
            jp="6",
            name=name,
            evidence_key=store_evidence(),
        )
        db.session.commit()
        return record.id


def test_verify_counts_the_jp_and_is_audited(app, client, world) -> None:
    record_id = _pending(app, "pegawai", world)
    employee_id = world.employees["pegawai"].id
    login(client, "bkpsdm")
    queue = client.get("/kelola/riwayat").data.decode()
    assert "Mentoring arsip" in queue
    detail = client.get(f"/kelola/riwayat/{record_id}")
    assert detail.status_code == 200 and f"/riwayat/{record_id}/bukti" in detail.data.decode()
    assert client.get(f"/riwayat/{record_id}/bukti").status_code == 200
    token = csrf_of(detail.data)
    response = client.post(
        f"/kelola/riwayat/{record_id}", data={"csrf_token": token, "verify": "Verifikasi"}
    )
    assert response.status_code == 302
    with app.app_context():
        record = db.session.get(LearningRecord, record_id)
        assert record.status == "verified"
        assert record.reviewed_by_id == world.users["admin_bkpsdm"].id
        assert ledger.jp_of(employee_id, TODAY.year)["total"] == Decimal(6)
        assert ledger.jp_of(employee_id, TODAY.year)["teknis"] == Decimal(6)
        log = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "LearningRecord"))
        assert log.before["status"] == "pending" and log.after["status"] == "verified"
        assert db.session.scalar(
            select(Notification).where(Notification.user_id == world.users["pegawai"].id)
        )


def test_reject_needs_a_reason_and_never_counts(app, client, world) -> None:
    record_id = _pending(app, "pegawai", world)
    login(client, "opd.dinkes")
    token = csrf_of(client.get(f"/kelola/riwayat/{record_id}").data)
    response = client.post(
        f"/kelola/riwayat/{record_id}", data={"csrf_token": token, "reject": "Tolak", "reason": ""}
    )
    assert response.status_code == 422
    assert "Tuliskan alasan penolakan" in response.data.decode()
    with app.app_context():
        assert db.session.get(LearningRecord, record_id).status == "pending"
    response = client.post(
        f"/kelola/riwayat/{record_id}",
        data={"csrf_token": token, "reject": "Tolak", "reason": "Sertifikat tidak terbaca"},
    )
    assert response.status_code == 302
    with app.app_context():
        record = db.session.get(LearningRecord, record_id)
        assert (record.status, record.review_reason) == ("rejected", "Sertifikat tidak terbaca")
        assert ledger.jp_of(record.employee_id, TODAY.year)["total"] == 0
        log = db.session.scalar(select(AuditLog).where(AuditLog.object_type == "LearningRecord"))
        assert log.after["reason"] == "Sertifikat tidak terbaca"
    # A second decision is refused.
    response = client.post(
        f"/kelola/riwayat/{record_id}",
        data={"csrf_token": token, "verify": "Verifikasi"},
        follow_redirects=True,
    )
    assert "tidak sedang menunggu verifikasi" in response.data.decode()
    with app.app_context():
        assert db.session.get(LearningRecord, record_id).status == "rejected"


def test_opd_admin_cannot_see_or_verify_another_opd(app, client, world) -> None:
    # `disdik` (Dewi Lestari) works in Dinas Pendidikan; opd.dinkes administers Dinas Kesehatan.
    other = _pending(app, "disdik", world, name="Workshop Kurikulum")
    own = _pending(app, "pegawai", world, name="Mentoring arsip")
    login(client, "opd.dinkes")
    queue = client.get("/kelola/riwayat?status=").data.decode()
    assert "Mentoring arsip" in queue and "Workshop Kurikulum" not in queue
    assert client.get(f"/kelola/riwayat/{other}").status_code == 404
    token = csrf_of(client.get(f"/kelola/riwayat/{own}").data)
    response = client.post(
        f"/kelola/riwayat/{other}", data={"csrf_token": token, "verify": "Verifikasi"}
    )
    assert response.status_code == 404
    assert client.get(f"/riwayat/{other}/bukti").status_code == 404
    # Filtering by the other OPD's unit does not widen the scope.
    queue = client.get(f"/kelola/riwayat?status=&unit={world.units['disdik'].id}").data.decode()
    assert "Workshop Kurikulum" not in queue
    with app.app_context():
        assert db.session.get(LearningRecord, other).status == "pending"


def test_employee_sees_only_own_records_and_evidence(app, client, world) -> None:
    theirs = _pending(app, "disdik", world, name="Workshop Kurikulum")
    mine = _pending(app, "pegawai", world, name="Mentoring arsip")
    login(client, "pegawai")
    page = client.get("/riwayat").data.decode()
    assert "Mentoring arsip" in page and "Workshop Kurikulum" not in page
    assert client.get(f"/riwayat/{theirs}/bukti").status_code == 404
    assert client.get(f"/riwayat/{theirs}/ubah").status_code == 404
    assert client.get(f"/riwayat/{mine}/bukti").status_code == 200
    # The direct supervisor may open the evidence; another employee may not.
    other = client.application.test_client()
    login(other, "atasan")
    assert other.get(f"/riwayat/{mine}/bukti").status_code == 200
    third = client.application.test_client()
    login(third, "target.user")
    assert third.get(f"/riwayat/{mine}/bukti").status_code == 404
