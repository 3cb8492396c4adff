"""Builders shared by the learning record, JP ledger and development plan tests."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from PIL import Image
from sqlalchemy import func, select

from lms.careers.records.models import LearningRecord
from lms.extensions import db
from lms.indonesian import local_today

TODAY = local_today()


@pytest.fixture(autouse=True)
def _many_logins(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests log several people in, one after another, from the same address."""
    if "app" in request.fixturenames:
        app = request.getfixturevalue("app")
        monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")


def pdf_bytes(padding: int = 0) -> bytes:
    body = b"1 0 obj\n<< /Type /Catalog >>\nendobj\n" + b"%" + b"x" * padding + b"\n"
    return b"%PDF-1.4\n" + body + b"trailer\n<< /Root 1 0 R >>\n%%EOF\n"


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "#0b5d4b").save(out, "PNG")
    return out.getvalue()


def jpeg_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), "#d9822b").save(out, "JPEG")
    return out.getvalue()


def exe_bytes() -> bytes:
    """The start of a Windows executable (MZ header, DOS stub)."""
    return (
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
        + b"\x00" * 200
        + (b"This program cannot be run in DOS mode.\r\n")
    )


def record_form(**overrides: object) -> dict:
    """A valid outside-learning form; ``evidence`` is (bytes, filename)."""
    data: dict = {
        "jenis_diklat_code": "4",
        "name": "Seminar Transformasi Digital",
        "organiser": "Kementerian PANRB",
        "starts_on": (TODAY - timedelta(days=3)).isoformat(),
        "ends_on": (TODAY - timedelta(days=2)).isoformat(),
        "jp": "6",
        "competency_kind": "teknis",
        "certificate_number": "123/SEM/2026",
        "evidence": (pdf_bytes(), "sertifikat.pdf"),
    }
    data.update(overrides)
    if isinstance(data.get("evidence"), tuple):
        content, name = data["evidence"]
        data["evidence"] = (io.BytesIO(content), name)
    return data


def csrf_of(page: bytes) -> str:
    match = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert match, "no CSRF token on the page"
    return match.group(1).decode()


def post_record(client, path: str = "/riwayat/tambah", **overrides: object):
    token = csrf_of(client.get(path).data)
    return client.post(
        path,
        data={**record_form(**overrides), "csrf_token": token},
        content_type="multipart/form-data",
    )


def make_record(
    employee_id: int,
    *,
    status: str = "verified",
    jp: str = "8",
    year: int | None = None,
    kind: str = "teknis",
    name: str = "Coaching kepemimpinan",
    evidence_key: str | None = None,
) -> LearningRecord:
    year = year or TODAY.year
    record = LearningRecord(
        employee_id=employee_id,
        source="outside",
        status=status,
        jenis_diklat_code=14,
        competency_kind=kind,
        name=name,
        organiser="BKPSDM",
        starts_on=date(year, 3, 1),
        ends_on=date(year, 3, 2),
        year=year,
        jp=Decimal(jp),
        evidence_key=evidence_key,
        evidence_name="bukti.pdf" if evidence_key else "",
        review_reason="Bukti tidak sah" if status == "rejected" else "",
    )
    db.session.add(record)
    db.session.flush()
    return record


def store_evidence() -> str:
    from lms.storage import get_storage

    storage = get_storage()
    key = storage.new_key("evidence", ".pdf")
    storage.save(key, pdf_bytes())
    return key


def count_records() -> int:
    return db.session.scalar(select(func.count()).select_from(LearningRecord)) or 0
