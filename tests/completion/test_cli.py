"""``flask --app lms completions record`` (CONTRACT.md): exit 0, or non-zero with one stderr line."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from lms.certificates.models import Certificate
from lms.completion.cli import completions
from lms.completion.models import Completion, OutboxEvent
from lms.extensions import db
from lms.indonesian import local_today


def _run(app, *args: str):
    return app.test_cli_runner().invoke(completions, ["record", *args])


def test_record_from_the_command_line(app, world, classroom) -> None:
    nip = world.employees["pegawai"].nip_display  # spaces allowed
    result = _run(
        app, "--nip", nip, "--course", "KLAS-101", "--date", "2024-06-01", "--score", "82"
    )
    assert result.exit_code == 0, result.stderr
    assert "recorded completion" in result.stdout
    with app.app_context():
        completion = db.session.scalar(select(Completion))
        assert completion.employee_id == world.employees["pegawai"].id
        assert completion.source == "classroom"
        assert completion.completed_at.date() == date(2024, 6, 1)
        assert float(completion.score) == 82
        assert completion.recorded_by_id == world.users["admin_bkpsdm"].id
        certificate = db.session.scalar(select(Certificate))
        assert certificate.completion_id == completion.id
        assert certificate.number in result.stdout
        # run_ready() rendered the PDF in-process after the commit.
        assert certificate.pdf_key and len(certificate.pdf_sha256) == 64
        assert db.session.scalar(select(OutboxEvent.type)) == "completion.created"


def test_failures_exit_non_zero_with_one_line(app, world, classroom) -> None:
    nip = world.employees["pegawai"].nip
    future = (local_today() + timedelta(days=3)).isoformat()
    cases = [
        (["--nip", "199001012015031999", "--course", "KLAS-101"], "no employee"),
        (["--nip", nip, "--course", "NOPE"], "no published course"),
        (["--nip", nip, "--course", "KLAS-101", "--date", "01-06-2024"], "invalid --date"),
        (["--nip", nip, "--course", "KLAS-101", "--score", "120"], "invalid --score"),
        (["--nip", nip, "--course", "KLAS-101", "--date", future], "masa depan"),
        (["--nip", nip, "--course", "KLAS-101", "--by", "nobody"], "no user named nobody"),
        (["--nip", nip, "--course", "KLAS-101", "--by", "pegawai"], "may not record"),
        (["--nip", nip, "--course", "KLAS-101", "--cohort", "ANGK-X"], "does not include"),
        (
            ["--nip", world.employees["disdik"].nip, "--course", "KLAS-101", "--by", "opd.dinkes"],
            "outside the scope",
        ),
    ]
    for args, reason in cases:
        result = _run(app, *args)
        assert result.exit_code != 0, args
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and reason in lines[0], (args, result.stderr)
    ok = _run(app, "--nip", nip, "--course", "KLAS-101", "--cohort", "ANGK-1", "--by", "opd.dinkes")
    assert ok.exit_code == 0, ok.stderr
    again = _run(app, "--nip", nip, "--course", "KLAS-101")
    assert again.exit_code == 1
    assert "sudah tercatat" in again.stderr
    with app.app_context():
        assert db.session.query(Completion).count() == 1
