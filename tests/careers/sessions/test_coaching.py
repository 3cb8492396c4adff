"""Coaching plans: opened by the supervisor only after a low predikat, followed by the sessions
logged against them, notes, closing; the pure progress and validation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

from sqlalchemy import select

from lms.auth.models import AuditLog
from lms.careers.sessions.coaching import services
from lms.careers.sessions.models import CoachingPlan, LearningSession
from lms.extensions import db
from lms.notifications.models import Notification
from tests.careers.ledger_helpers import TODAY, _many_logins  # noqa: F401  (autouse fixture)
from tests.careers.sessions.helpers import (
    csrf_of,
    decide,
    login,
    low_evaluation,
    post_session,
    user_id,
)


def _plan_form(**overrides: object) -> dict:
    data = {
        "form_code": "15",
        "goals": "Laporan kinerja tepat waktu dan lengkap setiap bulan.",
        "sessions_planned": "4",
        "coach_user_id": "",
        "coach_name": "",
        "starts_on": TODAY.isoformat(),
        "review_on": (TODAY + timedelta(days=90)).isoformat(),
    }
    data.update(overrides)
    return data


def _open(client, employee_id: int, **overrides):
    path = f"/pendampingan/buka/{employee_id}"
    token = csrf_of(client.get(path).data)
    return client.post(path, data={**_plan_form(**overrides), "csrf_token": token})


def _low(app, world, predikat: str = "butuh_perbaikan") -> None:
    with app.app_context():
        low_evaluation(world.employees["pegawai"].id, predikat)
        db.session.commit()


# --- pure ----------------------------------------------------------------------------------------


def _s(status: str, minutes: int = 60, jp: str | None = None) -> SimpleNamespace:
    """A session as the pure rule reads it (no database)."""
    return SimpleNamespace(
        status=status, minutes=minutes, recognised_jp=Decimal(jp) if jp is not None else None
    )


def test_progress_counts_confirmed_sessions_against_the_plan() -> None:
    p = services.progress(
        4,
        [
            _s("confirmed", 80, "1.5"),
            _s("confirmed", 60, "1"),
            _s("submitted"),
            _s("returned"),
            _s("withdrawn"),
        ],
    )
    assert (p.planned, p.confirmed, p.waiting, p.returned) == (4, 2, 1, 1)
    assert (p.minutes, p.jp, p.percent) == (140, Decimal("2.5"), 50)
    assert services.progress(2, [_s("confirmed", jp="1")] * 3).percent == 100
    assert services.progress(3, []).percent == 0


def test_validate_plan_names_the_field() -> None:
    today = date(2026, 6, 1)
    good = services.PlanInput(15, "Tujuan", 4, today, today + timedelta(days=60), 7)
    assert services.validate_plan(good, {14, 15, 24}, today) == {}
    cases = [
        ({"form_code": 18}, "form_code"),
        ({"goals": " "}, "goals"),
        ({"sessions_planned": 0}, "sessions_planned"),
        ({"sessions_planned": 53}, "sessions_planned"),
        ({"sessions_planned": None}, "sessions_planned"),
        ({"review_on": today - timedelta(days=1)}, "review_on"),
        ({"review_on": today + timedelta(days=400)}, "review_on"),
        ({"starts_on": today - timedelta(days=60)}, "starts_on"),
        ({"coach_user_id": None, "coach_name": ""}, "coach_user_id"),
    ]
    for change, field in cases:
        data = services.PlanInput(**{**good.__dict__, **change})
        assert field in services.validate_plan(data, {14, 15, 24}, today), change


# --- opening -------------------------------------------------------------------------------------


def test_no_plan_without_a_low_predikat(app, client, world) -> None:
    login(client, "atasan")
    page = client.get(f"/pendampingan/buka/{world.employees['pegawai'].id}")
    assert "Butuh Perbaikan atau lebih rendah" in page.get_data(as_text=True)
    _low(app, world, "baik")
    refused = _open(client, world.employees["pegawai"].id)
    assert refused.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(CoachingPlan.id)) is None


def test_only_the_direct_supervisor_opens_one(app, client, world) -> None:
    _low(app, world)
    login(client, "atasan")
    # Not atasan's report: answers like a missing employee.
    assert client.get(f"/pendampingan/buka/{world.employees['disdik'].id}").status_code == 404


def test_supervisor_opens_a_plan_and_sessions_follow_it(app, client, world) -> None:
    _low(app, world)
    login(client, "atasan")
    team = client.get("/pendampingan").get_data(as_text=True)
    assert "Butuh Perbaikan" in team and "Buka rencana pendampingan" in team
    bad = _open(client, world.employees["pegawai"].id, sessions_planned="0", goals="")
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Jumlah sesi antara 1 dan 52" in text and "Tuliskan tujuan pendampingan" in text
    with app.app_context():
        atasan = user_id("atasan")
    response = _open(client, world.employees["pegawai"].id, coach_user_id=str(atasan))
    assert response.status_code == 302
    with app.app_context():
        plan = db.session.scalars(select(CoachingPlan)).one()
        plan_id = plan.id
        assert (plan.predikat, plan.sessions_planned, plan.coach_user_id) == (
            "butuh_perbaikan",
            4,
            atasan,
        )
        assert db.session.scalar(select(AuditLog.id).where(AuditLog.object_type == "CoachingPlan"))
        told = db.session.scalars(
            select(Notification.message).where(Notification.user_id == world.users["pegawai"].id)
        ).all()
        assert any("rencana pendampingan" in m for m in told)
    # A second open plan is refused.
    assert (
        _open(client, world.employees["pegawai"].id, coach_user_id=str(atasan)).status_code == 302
    )
    with app.app_context():
        assert len(db.session.scalars(select(CoachingPlan)).all()) == 1

    # pegawai logs two sessions on the plan (chosen by default); atasan confirms one.
    login(client, "pegawai")
    form_page = client.get("/sesi/catat").get_data(as_text=True)
    assert f'selected value="{plan_id}"' in form_page
    for topic in ("Sesi pertama", "Sesi kedua"):
        ok = post_session(client, topic=topic, coach_user_id=str(atasan), plan_id=str(plan_id))
        assert ok.status_code == 302
    with app.app_context():
        first, second = db.session.scalars(select(LearningSession.id).order_by(LearningSession.id))
    login(client, "atasan")
    decide(client, first, confirm=True)
    plan_page = client.get(f"/pendampingan/{plan_id}").get_data(as_text=True)
    assert 'data-progress="1/4"' in plan_page and "1 dari 4 sesi dikonfirmasi" in plan_page
    assert "Sesi kedua" in plan_page
    assert 'data-progress="1/4"' in client.get("/pendampingan").get_data(as_text=True)

    # Follow-up notes, then closing (asked first).
    token = csrf_of(plan_page.encode())
    note = client.post(
        f"/pendampingan/{plan_id}/catatan",
        data={"csrf_token": token, "note": "Format laporan sudah benar; lanjut ke analisis."},
    )
    assert note.status_code == 302
    empty = client.post(f"/pendampingan/{plan_id}/tutup", data={"csrf_token": token, "outcome": ""})
    assert empty.status_code == 422 and "Tuliskan hasil pendampingan" in empty.get_data(
        as_text=True
    )
    outcome = {"csrf_token": token, "outcome": "Target laporan tercapai."}
    asked = client.post(f"/pendampingan/{plan_id}/tutup", data=outcome)
    assert asked.status_code == 200 and "Ya, tutup rencana" in asked.get_data(as_text=True)
    closed = client.post(f"/pendampingan/{plan_id}/tutup", data={**outcome, "confirm": "1"})
    assert closed.status_code == 302
    with app.app_context():
        plan = db.session.get(CoachingPlan, plan_id)
        assert (plan.status, plan.outcome, len(plan.notes)) == (
            "closed",
            "Target laporan tercapai.",
            1,
        )
    # The employee reads it all.
    login(client, "pegawai")
    mine = client.get(f"/pendampingan/{plan_id}").get_data(as_text=True)
    assert "Format laporan sudah benar" in mine and "Target laporan tercapai." in mine
    assert "Simpan catatan" not in mine


def test_a_trainer_coach_sees_the_plan_and_adds_notes(app, client, world) -> None:
    _low(app, world)
    with app.app_context():
        trainer = user_id("pengajar")
    login(client, "atasan")
    assert (
        _open(
            client, world.employees["pegawai"].id, form_code="14", coach_user_id=str(trainer)
        ).status_code
        == 302
    )
    with app.app_context():
        plan_id = db.session.scalar(select(CoachingPlan.id))
    login(client, "pengajar")
    page = client.get(f"/pendampingan/{plan_id}")
    assert page.status_code == 200
    token = csrf_of(page.data)
    assert (
        client.post(
            f"/pendampingan/{plan_id}/catatan", data={"csrf_token": token, "note": "Sesi 1 lancar."}
        ).status_code
        == 302
    )
    # The plan's coach may log for the employee: the coachee list holds them.
    assert "Siti Aminah" in client.get("/sesi/dampingi").get_data(as_text=True)
    # but not close it.
    assert (
        client.post(
            f"/pendampingan/{plan_id}/tutup", data={"csrf_token": token, "outcome": "x"}
        ).status_code
        == 403
    )
    # Another OPD's employee sees nothing of it.
    login(client, "target.user")
    assert client.get(f"/pendampingan/{plan_id}").status_code == 404
