"""The helpers every feature shares (issue 14.4): aware UTC datetimes from the database, one ISO
form, safe ``next`` addresses, one domain-error base with one rollback-and-flash, and the kept
upload of the import flow."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import get_flashed_messages, session

from lms.auth.models import User
from lms.db import UTCDateTime, as_utc, iso_utc
from lms.errors import DomainError, flash_error
from lms.imports import PendingImport, preview_status
from lms.security import safe_next
from tests.conftest import login

WIB = timezone(timedelta(hours=7))


def test_datetime_columns_are_utc_datetime_with_unchanged_ddl(app) -> None:
    column = User.__table__.c.created_at
    assert isinstance(column.type, UTCDateTime)
    assert column.type.impl.timezone is True  # the DDL stays timestamptz: no migration


def test_stored_moments_come_back_aware_utc(app, db) -> None:
    user = User(username="waktu", email="waktu@example.test", password_hash="x")
    user.created_at = datetime(2026, 12, 6, 8, 30, tzinfo=WIB)  # written from a local moment
    db.session.add(user)
    db.session.commit()
    db.session.expire_all()
    again = db.session.get(User, user.id)
    assert again.created_at.tzinfo is not None
    assert again.created_at.utcoffset() == timedelta(0)
    assert again.created_at == datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    # A naive value is taken as UTC, and a comparison in SQL uses the same conversion.
    again.created_at = datetime(2026, 12, 6, 1, 30)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(User, user.id).created_at == datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
    found = db.session.scalar(
        db.select(User.id).where(User.created_at >= datetime(2026, 12, 6, 8, 0, tzinfo=WIB))
    )
    assert found == user.id


def test_iso_utc_is_one_form() -> None:
    moment = datetime(2026, 12, 6, 8, 30, 5, 123, tzinfo=WIB)
    assert iso_utc(moment) == "2026-12-06T01:30:05.000123+00:00"  # the API's form, unchanged
    assert iso_utc(datetime(2026, 12, 6, 1, 30)) == "2026-12-06T01:30:00+00:00"
    assert iso_utc(None) is None
    assert as_utc(datetime(2026, 1, 1, tzinfo=WIB)).tzinfo is UTC


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("/organisasi/impor", True),
        ("/kursus?q=1#x", True),
        ("//evil.example/", False),
        ("/\\evil.example/", False),
        ("https://evil.example/", False),
        ("javascript:alert(1)", False),
        ("/a\r\nLocation: //evil", False),
        ("relatif", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_next_keeps_only_paths_on_this_site(app, target, kept) -> None:
    with app.test_request_context():
        assert safe_next(target) == (target if kept else "/dasbor")
        assert safe_next(None, "auth.login") == "/masuk"


def test_feature_errors_share_the_domain_error_base() -> None:
    from lms.auth.services import AuthError
    from lms.enrolments.bulk import BulkError
    from lms.org.services import OrgError

    for cls in (OrgError, BulkError, AuthError):
        error = cls("Tidak boleh.", "name")
        assert isinstance(error, DomainError) and isinstance(error, ValueError)
        assert (error.message, error.field) == ("Tidak boleh.", "name")


def test_flash_error_rolls_back_and_flashes(app, db) -> None:
    with app.test_request_context():
        db.session.add(User(username="separuh", email="separuh@example.test", password_hash="x"))
        db.session.flush()
        flash_error(DomainError("Ditolak."))
        assert db.session.scalar(db.select(User).where(User.username == "separuh")) is None
        assert get_flashed_messages(with_categories=True) == [("error", "Ditolak.")]


def test_pending_import_is_bound_to_the_session_and_dropped(app) -> None:
    pending = PendingImport("uji_impor")
    other = PendingImport("uji_lain", folder="question-imports")
    with app.test_request_context():
        key = pending.keep(b"nip,nama\n", ".csv", course="K1")
        assert session["uji_impor"] == {"key": key, "course": "K1"}
        assert pending.take(key) == ({"key": key, "course": "K1"}, b"nip,nama\n")
        assert pending.take(key, course="K2") is None  # another course's preview
        assert pending.take("imports/" + "0" * 32 + ".csv") is None  # not this session's key
        assert other.take(key) is None
        second = pending.keep(b"lagi\n", ".csv")
        assert pending.take(key) is None  # replaced, and the first file deleted
        pending.drop()
        assert "uji_impor" not in session
        session["uji_impor"] = {"key": second}
        assert pending.take(second) is None  # the file itself is gone
    assert (preview_status(True), preview_status(False)) == (200, 422)


def test_a_preview_that_cannot_be_confirmed_answers_422_like_every_importer(
    app, client, world
) -> None:
    """Employees answered 200 here while SKP answered 422 for the same failure."""
    from tests.org.test_import import GOOD, _upload

    login(client, "bkpsdm")
    assert _upload(client, "pegawai.xlsx", b"bukan excel").status_code == 422  # unreadable
    bad = GOOD.replace("III/b", "V/z", 1).encode()
    assert _upload(client, "pegawai.csv", bad).status_code == 422  # a row with an error
    assert _upload(client, "pegawai.csv", GOOD.encode()).status_code == 200


def test_the_configured_zone_everywhere(app, monkeypatch) -> None:
    from lms.indonesian import from_local, local_wall_time, zone_abbreviation

    typed = datetime(2026, 12, 6, 8, 30)  # what a datetime-local field gives
    with app.app_context():
        assert zone_abbreviation() == "WIB"
        assert from_local(typed) == datetime(2026, 12, 6, 1, 30, tzinfo=UTC)
        assert local_wall_time(from_local(typed)) == typed
        assert from_local(None) is None and local_wall_time(None) is None
        monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Asia/Makassar")
        assert zone_abbreviation() == "WITA"  # not written into code or templates
        assert from_local(typed) == datetime(2026, 12, 6, 0, 30, tzinfo=UTC)
        monkeypatch.setitem(app.config, "LOCAL_ZONE_ABBREVIATION", "WITA (Makassar)")
        assert zone_abbreviation() == "WITA (Makassar)"


def test_forms_name_the_configured_zone(app, monkeypatch) -> None:
    from lms.quizzes.attempts.forms import QuizForm

    with app.test_request_context():
        form = QuizForm(meta={"csrf": False})
        assert str(form.opens_at.label.text) == "Dibuka (WIB)"
        monkeypatch.setitem(app.config, "BABEL_DEFAULT_TIMEZONE", "Asia/Jayapura")
        assert str(form.closes_at.label.text) == "Ditutup (WIT)"


def test_state_labels_are_defined_once_beside_their_states(app) -> None:
    from flask_babel import force_locale

    from lms.careers.records import services as careers
    from lms.courses import views as course_views
    from lms.courses.authoring import forms as course_forms
    from lms.courses.models import COMPETENCY_KIND_LABELS, COMPETENCY_KINDS
    from lms.quizzes.attempts import forms as quiz_forms
    from lms.quizzes.models import (
        ATTEMPT_STATE_LABELS,
        ATTEMPT_STATES,
        QUIZ_KIND_LABELS,
        QUIZ_KINDS,
    )
    from lms.reports.definitions import helpers as reports
    from lms.reports.definitions import quiz_results

    assert tuple(COMPETENCY_KIND_LABELS) == COMPETENCY_KINDS
    for copy in (course_forms.KIND_LABELS, course_views.KIND_LABELS, careers.KIND_LABELS):
        assert copy is COMPETENCY_KIND_LABELS
    assert reports.KIND_LABELS is COMPETENCY_KIND_LABELS
    assert tuple(QUIZ_KIND_LABELS) == QUIZ_KINDS and quiz_results.QUIZ_KINDS is QUIZ_KIND_LABELS
    assert quiz_forms.KIND_LABELS is QUIZ_KIND_LABELS
    assert tuple(ATTEMPT_STATE_LABELS) == ATTEMPT_STATES
    assert quiz_forms.STATUS_LABELS is ATTEMPT_STATE_LABELS
    with app.test_request_context(), force_locale("en"):
        assert str(course_views.KIND_LABELS["teknis"]) == "Technical"  # was untranslated
