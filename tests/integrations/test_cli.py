"""`flask webhooks add|deliver` and `flask siasn export` (CONTRACT.md)."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import select

from lms.extensions import db
from lms.integrations.models import WebhookDelivery, WebhookEndpoint
from tests.integrations.conftest import make_record

SECRET = "rahasia-penerima-0123456789"


def test_webhooks_add_prints_the_id_and_refuses_bad_input(app, cli) -> None:
    result = cli.invoke(
        args=[
            "webhooks",
            "add",
            "https://contoh.go.id/hook",
            "--secret",
            SECRET,
            "--events",
            "completion.created, completion.revoked",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        endpoint = db.session.get(WebhookEndpoint, int(result.output.strip()))
        assert endpoint.events == ["completion.created", "completion.revoked"]
    short = cli.invoke(args=["webhooks", "add", "https://contoh.go.id/x", "--secret", "abc"])
    assert short.exit_code == 1 and "minimal 16" in short.output
    odd = cli.invoke(
        args=["webhooks", "add", "https://contoh.go.id/x", "--secret", SECRET, "--events", "x.y"]
    )
    assert odd.exit_code == 1 and "x.y" in odd.output
    scheme = cli.invoke(args=["webhooks", "add", "ftp://contoh.go.id/x", "--secret", SECRET])
    assert scheme.exit_code == 1
    with app.app_context():
        assert len(db.session.scalars(select(WebhookEndpoint)).all()) == 1


def test_webhooks_deliver_sends_what_is_due(app, cli, receiver) -> None:
    with app.app_context():
        endpoint = WebhookEndpoint(url=receiver.url, secret=SECRET, events=["completion.created"])
        db.session.add(endpoint)
        db.session.flush()
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_id="11111111-1111-4111-8111-111111111111",
                event_type="completion.created",
                payload={"nip": "1"},
            )
        )
        db.session.commit()
        db.session.remove()
    result = cli.invoke(args=["webhooks", "deliver"])
    assert result.exit_code == 0, result.output
    assert "delivered=1" in result.output
    assert len(receiver.received) == 1
    assert cli.invoke(args=["webhooks", "deliver"]).output.startswith("delivered=0")


def test_siasn_export_csv_and_xlsx(app, cli, world, tmp_path) -> None:
    with app.app_context():
        record = make_record(world.employees["pegawai"].id)
        make_record(world.employees["pegawai"].id, year=2024)
        db.session.commit()
        record_id = record.id
        db.session.remove()
    out = tmp_path / "siasn.csv"
    result = cli.invoke(args=["siasn", "export", "--year", "2025", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "1 record" in result.output
    rows = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert [r["idRiwayat"] for r in rows] == [str(record_id)]
    assert rows[0]["tanggalKursus"] == "04-03-2025"

    book = tmp_path / "siasn.xlsx"
    result = cli.invoke(
        args=["siasn", "export", "--year", "2025", "--out", str(book), "--format", "xlsx"]
    )
    assert result.exit_code == 0, result.output
    sheet = load_workbook(book).active
    assert sheet.cell(2, 1).value == record_id

    unit = cli.invoke(
        args=["siasn", "export", "--year", "2025", "--out", str(out), "--unit", "NOPE"]
    )
    assert unit.exit_code == 1 and "NOPE" in unit.output
    nowhere = cli.invoke(
        args=["siasn", "export", "--year", "2025", "--out", str(tmp_path / "x" / "y.csv")]
    )
    assert nowhere.exit_code == 1 and "cannot write" in nowhere.output
    nowhere_xlsx = cli.invoke(
        args=["siasn", "export", "--year", "2025", "--out", str(tmp_path / "x" / "y.xlsx")]
    )
    assert nowhere_xlsx.exit_code == 1 and "cannot write" in nowhere_xlsx.output


def test_webhooks_add_refuses_an_internal_address(app, cli) -> None:
    result = cli.invoke(
        args=["webhooks", "add", "http://169.254.169.254/latest/", "--secret", SECRET]
    )
    assert result.exit_code == 1 and "link-local" in result.output
    with app.app_context():
        assert db.session.scalars(select(WebhookEndpoint)).all() == []
