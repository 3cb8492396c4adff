"""Delivering scheduled reports: one mail per recipient, each holding only their scope."""

from __future__ import annotations

import csv
import io
import smtplib
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.careers.records.models import LearningRecord
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import Role
from lms.reports.cli import send_scheduled
from lms.reports.schedules import mail
from lms.reports.schedules import runner as schedules
from lms.reports.schedules.models import ReportDelivery, ReportSubscription
from lms.reports.schedules.runner import run_due
from lms.reports.schedules.services import SubscriptionData, create_subscription
from tests.factories import make_employee, make_user

CREATED = datetime(2026, 5, 20, 3, 0, tzinfo=UTC)
FIRST_SLOT = datetime(2026, 5, 31, 23, 0, tzinfo=UTC)  # 1 June 2026, 06:00 WIB
AFTER_SLOT = FIRST_SLOT + timedelta(minutes=5)


def _attachment(message) -> tuple[str, bytes]:
    parts = list(message.iter_attachments())
    assert len(parts) == 1
    return parts[0].get_filename(), parts[0].get_payload(decode=True)


def _csv_rows(data: bytes) -> list[dict]:
    assert data.startswith(b"\xef\xbb\xbf")  # BOM so Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.fixture
def org(app, world):
    """A second Admin OPD (Disdik), e-mail addresses, and a Dishub employee nobody admin sees."""
    with app.app_context():
        disdik = db.session.get(Unit, world.units["disdik"].id)
        dishub_parent = db.session.get(Unit, world.units["dinkes"].id).instansi
        from lms.org.services import save_unit

        dishub = save_unit(
            None,
            instansi=dishub_parent,
            code="DISHUB",
            name="Dinas Perhubungan",
            kind="opd",
            parent=None,
        )
        make_employee(dishub, "Pegawai Dishub")
        make_user("opd.disdik", {Role.ADMIN_OPD}, admin_unit=disdik, email="disdik@kota.go.id")
        make_user("opd.tanpa.surel", {Role.ADMIN_OPD}, admin_unit=dishub)
        db.session.get(User, world.users["admin_opd"].id).email = "dinkes@kota.go.id"
        db.session.get(User, world.users["admin_bkpsdm"].id).email = "bkpsdm@kota.go.id"
        # Siti reaches the target this year: the compliance status must show it.
        db.session.add(
            LearningRecord(
                employee_id=world.employees["pegawai"].id,
                source="outside",
                status="verified",
                name="Seminar",
                starts_on=date(2026, 2, 1),
                ends_on=date(2026, 2, 2),
                year=2026,
                jp=Decimal(24),
            )
        )
        db.session.commit()
        nips = {
            code: set(
                db.session.scalars(
                    select(Employee.nip)
                    .join(Unit, Unit.id == Employee.unit_id)
                    .where(
                        Unit.path.startswith(
                            db.session.scalar(select(Unit.path).where(Unit.code == code))
                        )
                    )
                )
            )
            for code in ("DINKES", "DISDIK", "DISHUB")
        }
        db.session.remove()
    return nips


def _subscribe(app, world, **kw) -> int:
    data = SubscriptionData(
        report=kw.pop("report", "jp-compliance"),
        format=kw.pop("format", "csv"),
        frequency=kw.pop("frequency", "monthly"),
        day=kw.pop("day", 1),
        period=kw.pop("period", "current_year"),
        **kw,
    )
    with app.app_context():
        by = db.session.get(User, world.users["admin_bkpsdm"].id)
        sub = create_subscription(data, by, now=CREATED)
        db.session.commit()
        assert sub.next_run_at.replace(tzinfo=UTC) == FIRST_SLOT
        return sub.id


def test_each_opd_admin_gets_only_their_opd(app, world, org, inbox) -> None:
    sub_id = _subscribe(app, world, recipient_role="admin_opd")
    with app.app_context():
        assert run_due(now=FIRST_SLOT - timedelta(minutes=1)).subscriptions == 0  # not yet due
        result = run_due(now=AFTER_SLOT)
    assert (result.sent, result.skipped, result.failed) == (2, 1, 0)  # one admin has no e-mail
    assert len(inbox.messages) == 2
    for address, code in (("dinkes@kota.go.id", "DINKES"), ("disdik@kota.go.id", "DISDIK")):
        (message,) = inbox.to(address)
        assert "Kepatuhan JP" in message["Subject"]
        name, data = _attachment(message)
        assert name == "laporan-jp-compliance-2026-06.csv"
        rows = _csv_rows(data)
        assert {r["NIP"] for r in rows} == org[code]
    dinkes_rows = _csv_rows(_attachment(inbox.to("dinkes@kota.go.id")[0])[1])
    siti = next(r for r in dinkes_rows if r["Nama"] == "Siti Aminah")
    assert siti["Status"] == "Memenuhi"
    with app.app_context():
        sub = db.session.get(ReportSubscription, sub_id)
        assert sub.next_run_at.replace(tzinfo=UTC) == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
        assert sub.last_sent_at is not None
        log = db.session.execute(
            select(
                ReportDelivery.email,
                ReportDelivery.status,
                ReportDelivery.period,
                ReportDelivery.rows,
            ).order_by(ReportDelivery.email)
        ).all()
        assert log == [
            ("", "skipped", "2026-06", 0),
            ("dinkes@kota.go.id", "sent", "2026-06", len(org["DINKES"])),
            ("disdik@kota.go.id", "sent", "2026-06", len(org["DISDIK"])),
        ]


def test_running_twice_sends_once_per_period(app, world, org, inbox) -> None:
    sub_id = _subscribe(app, world, recipient_role="admin_opd")
    with app.app_context():
        run_due(now=AFTER_SLOT)
        # Someone rewinds the schedule (or a second runner raced): still nothing sent twice.
        db.session.get(ReportSubscription, sub_id).next_run_at = FIRST_SLOT
        db.session.commit()
        again = run_due(now=AFTER_SLOT + timedelta(hours=1))
        assert (again.subscriptions, again.sent) == (1, 0)
        assert run_due(now=AFTER_SLOT + timedelta(hours=2)).subscriptions == 0
        assert db.session.scalar(select(func.count()).select_from(ReportDelivery)) == 3
    assert len(inbox.messages) == 2
    with app.app_context():
        next_month = run_due(now=datetime(2026, 6, 30, 23, 10, tzinfo=UTC))
    assert next_month.sent == 2  # July is a new period
    assert len(inbox.messages) == 4


def test_a_person_gets_xlsx_in_their_own_scope(app, world, org, inbox) -> None:
    _subscribe(app, world, recipient_user_id=world.users["admin_bkpsdm"].id, format="xlsx")
    with app.app_context():
        assert run_due(now=AFTER_SLOT).sent == 1
    name, data = _attachment(inbox.to("bkpsdm@kota.go.id")[0])
    assert name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "NIP"
    assert {r[0] for r in rows[1:]} == org["DINKES"] | org["DISDIK"] | org["DISHUB"]


def test_pdf_attachment(app, world, org, inbox) -> None:
    _subscribe(app, world, recipient_user_id=world.users["admin_opd"].id, format="pdf")
    with app.app_context():
        assert run_due(now=AFTER_SLOT).sent == 1
    name, data = _attachment(inbox.to("dinkes@kota.go.id")[0])
    assert name.endswith(".pdf") and data.startswith(b"%PDF")


def test_a_unit_filter_only_narrows(app, world, org, inbox) -> None:
    """Filtered to Disdik, the Dinkes admin gets nothing of Disdik (skipped, logged)."""
    _subscribe(
        app,
        world,
        recipient_role="admin_opd",
        filters={"unit_id": world.units["disdik"].id},
    )
    with app.app_context():
        result = run_due(now=AFTER_SLOT)
        errors = dict(db.session.execute(select(ReportDelivery.email, ReportDelivery.error)).all())
    assert result.sent == 1
    assert [m["To"] for m in inbox.messages] == ["disdik@kota.go.id"]
    assert "di luar wilayah" in errors["dinkes@kota.go.id"]


def test_previous_period_of_completions(app, world, org, inbox) -> None:
    from lms.completion.models import Completion
    from lms.enrolments.cohorts.models import Programme

    with app.app_context():
        for when, title in (
            (datetime(2026, 5, 10, tzinfo=UTC), "Mei"),
            (datetime(2026, 4, 10, tzinfo=UTC), "April"),
        ):
            emp = db.session.get(Employee, world.employees["pegawai"].id)
            programme = Programme(code=title.upper(), title=title)
            db.session.add(programme)
            db.session.flush()
            db.session.add(
                Completion(
                    employee_id=emp.id,
                    programme_id=programme.id,
                    completed_at=when,
                    year=2026,
                    jp=Decimal(4),
                    code=title.upper(),
                    title=title,
                    source="import",
                    identity={"nip": emp.nip, "name": emp.full_name},
                    unit_id=world.units["dinkes"].id,
                )
            )
        db.session.commit()
    _subscribe(
        app, world, report="completions", recipient_role="admin_opd", period="previous_period"
    )
    with app.app_context():
        run_due(now=AFTER_SLOT)
    rows = _csv_rows(_attachment(inbox.to("dinkes@kota.go.id")[0])[1])
    assert [r["Judul pelatihan"] for r in rows] == ["Mei"]
    assert _csv_rows(_attachment(inbox.to("disdik@kota.go.id")[0])[1]) == []


def test_failed_send_is_retried_then_given_up(app, world, org, monkeypatch) -> None:
    sub_id = _subscribe(app, world, recipient_user_id=world.users["admin_opd"].id)
    calls = []

    def broken(*args, **kwargs) -> bool:
        calls.append(args[0])
        raise smtplib.SMTPServerDisconnected("server went away")

    monkeypatch.setattr(mail, "send_mail_with_attachment", broken)
    with app.app_context():
        for hour in range(schedules.MAX_ATTEMPTS):
            result = run_due(now=AFTER_SLOT + timedelta(hours=hour))
            assert result.failed == 1
            slot = db.session.get(ReportSubscription, sub_id).next_run_at.replace(tzinfo=UTC)
            last = hour == schedules.MAX_ATTEMPTS - 1
            assert (slot > AFTER_SLOT) == last  # kept for a retry until the last attempt
        assert run_due(now=AFTER_SLOT + timedelta(hours=5)).subscriptions == 0
        errors = list(db.session.scalars(select(ReportDelivery.error)))
    assert len(calls) == schedules.MAX_ATTEMPTS
    assert all("server went away" in e for e in errors)


def test_without_smtp_the_delivery_is_logged_as_skipped(app, world, org) -> None:
    _subscribe(app, world, recipient_user_id=world.users["admin_opd"].id)
    with app.app_context():
        result = run_due(now=AFTER_SLOT)
        (error,) = db.session.scalars(select(ReportDelivery.error))
    assert result.skipped == 1
    assert "LMS_SMTP_HOST" in error


def test_cli_command_and_celery_task(app, world, org, inbox) -> None:
    _subscribe(app, world, recipient_role="admin_opd")
    with app.app_context():
        db.session.execute(
            ReportSubscription.__table__.update().values(
                next_run_at=datetime.now(UTC) - timedelta(minutes=1)
            )
        )
        db.session.commit()
    with app.app_context():  # whatever context an earlier test left behind, use this app
        out = app.test_cli_runner().invoke(send_scheduled)
    assert out.exit_code == 0, out.output
    assert "1 subscription(s) due: 2 sent, 0 failed, 1 skipped" in out.output
    assert len(inbox.messages) == 2
    with app.app_context():
        assert schedules.run_scheduled.apply().get().startswith("0 subscription(s) due")
    assert schedules.beat_schedule()["reports-run-scheduled"]["task"] == "reports.run_scheduled"
