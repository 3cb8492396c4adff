"""Destructive actions ask first (issue 15, point 11).

Resetting a password, disabling an account or a webhook, revoking a token, a completion or a
certificate, reissuing, withdrawing, deleting and archiving: a POST without ``confirm=1``
changes nothing and answers with the confirmation page, which says what will happen; its
button sends the same request again with ``confirm=1``, and only that acts.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import User
from lms.courses import services as course_services
from lms.courses.models import Course, CourseFile
from lms.extensions import db
from tests.confirming import confirm, confirmation_form, consequences
from tests.conftest import login
from tests.test_access_matrix import USERNAMES, _feature_modules

# endpoint → (who acts, what the form sends besides the CSRF token, a phrase of the consequences)
DESTRUCTIVE: dict[str, tuple[str, dict[str, str], str]] = {
    "admin.user_toggle": ("admin_sistem", {}, "sesinya di setiap perangkat berakhir"),
    "admin.user_reset": ("admin_sistem", {}, "Kata sandi sementara ditampilkan sekali"),
    "admin.token_revoke": ("admin_sistem", {}, "langsung ditolak (401)"),
    "certificates.revoke": ("admin_bkpsdm", {"revoke-reason": "Uji cabut"}, "tidak berlaku"),
    "certificates.reissue": ("admin_bkpsdm", {"reissue-reason": "Uji ganti"}, "nomor baru"),
    "completion.revoke_completion": ("admin_bkpsdm", {"reason": "Uji cabut"}, "JP-nya tidak"),
    "enrolments.cohort_withdraw": ("admin_bkpsdm", {}, "tidak lagi mengikuti angkatan"),
    "courses.withdraw": ("pegawai", {}, "Anda tidak lagi terdaftar"),
    "integrations.webhook_toggle": ("admin_sistem", {}, "berhenti dikirim"),
    "reports.subscription_delete": ("admin_bkpsdm", {}, "Riwayat pengirimannya ikut dihapus"),
    "courses.author_module_delete": ("pengajar", {}, "pelajarannya, beserta isinya"),
    "courses.author_lesson_delete": ("pengajar", {}, "Pelajaran ini beserta isinya"),
    "courses.author_file_delete": ("pengajar", {}, "Berkas ini dihapus dari draf"),
    "courses.author_archive": ("admin_bkpsdm", {}, "tidak lagi tampil di katalog"),
    "careers.record_withdraw": ("pegawai", {}, "tidak lagi menunggu verifikasi"),
    "careers.session_withdraw": ("pegawai", {}, "tidak lagi menunggu konfirmasi"),
    "careers.akpk_item_delete": ("admin_bkpsdm", {}, "dihapus dari rencana"),
}
# POST routes whose address says they remove something, but which need no confirmation, and why.
NOT_ASKED = {
    "main.import_cancel": "discards an upload that was never imported; upload it again",
    "careers.plan_need_delete": "a line of the employee's own draft plan, re-added in a moment",
    "careers.plan_activity_delete": "a line of the employee's own draft plan",
    "careers.skp_target_delete": "a line of the employee's own draft SKP",
}
# Routes whose own page is the confirmation (GET says what will happen; a POST without confirm=1
# shows that page again and acts on nothing): tested in their feature's tests.
ASKED_ON_OWN_PAGE = {
    "quizzes.question_delete": "tests/quizzes/bank/test_editor.py::"
    "test_delete_without_the_confirmation_field_only_shows_the_page_again",
}
DESTRUCTIVE_WORDS = ("/hapus", "/cabut", "/batal", "/reset-sandi", "/arsipkan", "/tarik")


def test_every_destructive_route_asks_first_or_says_why_not(app) -> None:
    """A new route that deletes, revokes or cancels fails here until it asks (or is exempted)."""
    found = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ()) and rule.rule.endswith(DESTRUCTIVE_WORDS)
    }
    assert found - set(DESTRUCTIVE) - set(NOT_ASKED) - set(ASKED_ON_OWN_PAGE) == set()
    assert set(NOT_ASKED) <= found


def _snapshot() -> dict[str, list]:
    """Every row of every table, to show an unconfirmed POST wrote nothing at all."""
    out = {}
    for table in db.metadata.sorted_tables:
        rows = db.session.execute(select(table)).all()
        out[table.name] = sorted(repr(tuple(r)) for r in rows)
    return out


@pytest.fixture
def args(app, world) -> dict:
    """Objects for every route (the access matrix's), plus a draft for the trainer's deletes."""
    with app.app_context():
        built: dict = {"user_id": world.users["target"].id}
        token, _secret = auth.create_api_token(
            db.session.get(User, world.users["target"].id), ["profile:read"]
        )
        built["token_id"] = token.id
        for mod in _feature_modules():
            if hasattr(mod, "build_args"):
                built.update(mod.build_args(world))
        course = db.session.get(Course, built["course_id"])
        draft = course_services.draft_for_edit(course)
        db.session.flush()
        built["module_id"] = draft.modules[0].id
        built["lesson_id"] = draft.modules[0].lessons[-1].id
        built["file_id"] = db.session.scalar(
            select(CourseFile.id).where(CourseFile.version_id == draft.id).limit(1)
        )
        db.session.commit()
        db.session.remove()
    return built


@pytest.mark.parametrize("endpoint", sorted(DESTRUCTIVE))
def test_one_click_asks_and_only_the_confirmation_acts(
    app, world, args, no_csrf, monkeypatch, endpoint: str
) -> None:
    monkeypatch.setitem(app.config, "LOGIN_RATE_LIMIT", "1000 per minute")
    role, form, phrase = DESTRUCTIVE[endpoint]
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    url = rule.build({k: v for k, v in args.items() if k in rule.arguments})[1]
    client = app.test_client()
    login(client, USERNAMES[role], "rahasia123")
    with app.app_context():
        before = _snapshot()
    asked = client.post(url, data=form)
    page = asked.get_data(as_text=True)
    assert asked.status_code == 200, (endpoint, asked.status_code, page[:300])
    assert phrase in " ".join(consequences(page)), consequences(page)
    action, fields = confirmation_form(page)
    assert action == url and fields == {**form, "confirm": "1"}
    with app.app_context():
        assert _snapshot() == before, "an unconfirmed POST wrote something"
    done = confirm(client, asked)
    assert done.status_code in (200, 302)
    assert "confirm-box" not in done.get_data(as_text=True)
    with app.app_context():
        assert _snapshot() != before, "the confirmed POST did nothing"


def test_confirm_page_carries_the_csrf_token_and_a_forged_confirm_still_needs_it(
    app, world, args
) -> None:
    """The confirmation posts the token it was given; ``confirm=1`` alone does not pass CSRF."""
    client = app.test_client()
    login(client, "admin")
    url = f"/admin/pengguna/{args['user_id']}/status"
    assert client.post(url, data={"confirm": "1"}).status_code == 400
    page = client.get("/admin/pengguna").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    asked = client.post(url, data={"csrf_token": token})
    _action, fields = confirmation_form(asked.get_data(as_text=True))
    assert fields["csrf_token"] == token
    assert confirm(client, asked).status_code == 302
    with app.app_context():
        assert db.session.get(User, args["user_id"]).active is False
    # Enabling it again is not destructive: one click does it.
    assert client.post(url, data={"csrf_token": token}).status_code == 302
    with app.app_context():
        assert db.session.get(User, args["user_id"]).active is True


def test_switching_language_on_the_confirmation_page_goes_back_not_to_the_post_address(
    app, world, args
) -> None:
    client = app.test_client()
    login(client, "admin")
    page = client.get("/admin/pengguna").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
    asked = client.post(
        f"/admin/pengguna/{args['user_id']}/reset-sandi", data={"csrf_token": token}
    )
    switch = asked.get_data(as_text=True).split('class="lang-switch"', 1)[1]
    assert 'name="next" value="/admin/pengguna?q=' in switch
