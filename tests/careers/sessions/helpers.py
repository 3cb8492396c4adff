"""Builders for the non-classroom session and coaching plan tests."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.skp import services as skp
from lms.careers.skp.models import SkpEvaluation
from lms.extensions import db
from lms.org.models import Employee
from tests.careers.ledger_helpers import TODAY, csrf_of, pdf_bytes
from tests.conftest import login as sign_in

YESTERDAY = TODAY - timedelta(days=1)


def login(client, username: str) -> None:
    """Sign in as ``username``, signing out whoever is signed in on this client first."""
    page = client.get("/dasbor")
    if page.status_code == 200:
        client.post("/keluar", data={"csrf_token": csrf_of(page.data)})
    sign_in(client, username)


def user_id(username: str) -> int:
    return db.session.scalar(select(User.id).where(User.username == username))


def session_form(**overrides: object) -> dict:
    """A valid mentoring session by pegawai with atasan as mentor; ``evidence`` (bytes, name)."""
    data: dict = {
        "form_code": "15",
        "held_on": YESTERDAY.isoformat(),
        "minutes": "80",
        "topic": "Menyusun laporan kinerja triwulan",
        "agreed": "Draf laporan diserahkan Jumat; indikator dibahas lagi minggu depan.",
        "competency_kind": "manajerial",
        "coach_user_id": "",
        "coach_name": "",
        "plan_id": "",
    }
    data.update(overrides)
    if isinstance(data.get("evidence"), tuple):
        content, name = data["evidence"]
        data["evidence"] = (io.BytesIO(content), name)
    return data


def post_session(client, path: str = "/sesi/catat", **overrides: object):
    token = csrf_of(client.get(path).data)
    return client.post(
        path,
        data={**session_form(**overrides), "csrf_token": token},
        content_type="multipart/form-data",
    )


def decide(client, session_id: int, *, confirm: bool, reason: str = ""):
    path = f"/sesi/{session_id}"
    token = csrf_of(client.get(path).data)
    button = {"confirm": "Konfirmasi"} if confirm else {"send_back": "Kembalikan"}
    return client.post(path, data={"csrf_token": token, "reason": reason, **button})


def low_evaluation(
    employee_id: int, predikat: str = "butuh_perbaikan", year: int = TODAY.year
) -> SkpEvaluation:
    """A first-quarter evaluation of the employee's SKP of ``year`` with the given predikat."""
    employee = db.session.get(Employee, employee_id)
    period = skp.ensure_period(employee, year)
    evaluation = SkpEvaluation(
        period=period,
        kind="periodic",
        sequence=1,
        label=f"Triwulan I {year}",
        hasil_kerja="di_bawah",
        perilaku="sesuai" if predikat == "butuh_perbaikan" else "di_atas",
        predikat=predikat,
        evaluator_id=employee.supervisor_id,
    )
    db.session.add(evaluation)
    db.session.flush()
    return evaluation


__all__ = ["csrf_of", "pdf_bytes"]
