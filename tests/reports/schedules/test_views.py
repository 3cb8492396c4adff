"""Subscriptions through the web: only BKPSDM (SCHEDULE_REPORTS) manages them."""

from __future__ import annotations

from sqlalchemy import select

from lms.extensions import db
from lms.reports.schedules.models import ReportDelivery, ReportSubscription
from tests.conftest import csrf_token, login

URL = "/laporan/langganan"


def _form(client, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client, URL),
        "report": "jp-compliance",
        "format": "xlsx",
        "frequency": "monthly",
        "month_day": "5",
        "weekday": "0",
        "period": "current_year",
        "recipient_role": "admin_opd",
        "recipient_username": "",
        "unit": "",
        "jenis": "",
        "status": "",
        "pelatihan": "",
        "program": "",
    }
    data.update(overrides)
    return data


def _subscriptions(app) -> list[ReportSubscription]:
    with app.app_context():
        rows = list(db.session.scalars(select(ReportSubscription).order_by(ReportSubscription.id)))
        db.session.expunge_all()
        return rows


def test_bkpsdm_creates_lists_pauses_and_deletes(app, client, world) -> None:
    login(client, "bkpsdm")
    response = client.post(URL, data=_form(client, status="belum"))
    assert response.status_code == 302
    (sub,) = _subscriptions(app)
    assert (sub.report, sub.format, sub.frequency, sub.day, sub.recipient_role) == (
        "jp-compliance",
        "xlsx",
        "monthly",
        5,
        "admin_opd",
    )
    assert sub.filters["status"] == "belum" and sub.created_by_id == world.users["admin_bkpsdm"].id
    page = client.get(URL).get_data(as_text=True)
    assert "Kepatuhan JP" in page and "Semua Admin OPD" in page

    # a weekly subscription for one person, filtered to a unit
    response = client.post(
        URL,
        data=_form(
            client,
            report="completions",
            format="csv",
            frequency="weekly",
            weekday="4",
            recipient_role="",
            recipient_username="opd.dinkes",
            unit=str(world.units["dinkes"].id),
            status="valid",
            period="previous_period",
        ),
    )
    assert response.status_code == 302
    second = _subscriptions(app)[1]
    assert (second.day, second.recipient_user_id) == (4, world.users["admin_opd"].id)
    assert second.filters["unit_id"] == world.units["dinkes"].id
    detail = client.get(f"{URL}/{second.id}").get_data(as_text=True)
    assert "Dinas Kesehatan" in detail and "Setiap Jumat" in detail

    token = csrf_token(client, f"{URL}/{second.id}")
    assert client.post(f"{URL}/{second.id}/aktif", data={"csrf_token": token}).status_code == 302
    assert _subscriptions(app)[1].active is False
    assert client.post(f"{URL}/{second.id}/aktif", data={"csrf_token": token}).status_code == 302
    assert _subscriptions(app)[1].active is True

    with app.app_context():
        db.session.add(
            ReportDelivery(
                subscription_id=second.id,
                user_id=world.users["admin_opd"].id,
                period="2026-W48",
                status="sent",
                email="dinkes@kota.go.id",
                rows=3,
            )
        )
        db.session.commit()
    detail = client.get(f"{URL}/{second.id}").get_data(as_text=True)
    assert "2026-W48" in detail and "Terkirim" in detail
    assert (
        client.post(
            f"{URL}/{second.id}/hapus", data={"csrf_token": token, "confirm": "1"}
        ).status_code
        == 302
    )
    assert [s.id for s in _subscriptions(app)] == [sub.id]
    with app.app_context():
        assert db.session.scalars(select(ReportDelivery)).all() == []


def test_bad_input_is_named_in_indonesian(app, client, world) -> None:
    login(client, "bkpsdm")
    cases = [
        ({"recipient_username": "opd.dinkes"}, "tidak keduanya"),
        ({"recipient_role": "", "recipient_username": "tidak.ada"}, "tidak ditemukan"),
        ({"recipient_role": "", "recipient_username": "pegawai"}, "tidak berhak melihat laporan"),
        ({"recipient_role": ""}, "Pilih satu penerima"),
        ({"status": "issued"}, "tidak berlaku untuk laporan"),
        ({"unit": "99999"}, "Unit kerja tidak ditemukan"),
        ({"report": "rahasia"}, "Pilih laporan yang tersedia"),
        ({"month_day": "31"}, "harus 1 sampai 28"),
        ({"frequency": "weekly", "weekday": "x"}, "Pilih hari atau tanggal"),
    ]
    for overrides, message in cases:
        response = client.post(URL, data=_form(client, **overrides))
        assert response.status_code == 422, overrides
        assert message in response.get_data(as_text=True), (overrides, message)
    assert _subscriptions(app) == []


def test_only_schedule_reports_holders(app, client, world, no_csrf) -> None:
    login(client, "opd.dinkes")  # reads reports, but may not schedule them
    assert client.get(URL).status_code == 403
    assert client.post(URL, data={}).status_code == 403
