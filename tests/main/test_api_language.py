"""API messages speak the caller's language for every status (Accept-Language, else Indonesian),
like the pages: 401/403/400 used to be English literals while 404/429 were Indonesian."""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _

from lms.auth import services as auth
from lms.auth.models import User
from lms.extensions import db

EN = {"Accept-Language": "en-US,en;q=0.9"}
ID = {"Accept-Language": "id-ID,id;q=0.9,en;q=0.5"}
MISSING = "Token tidak ada. Kirim header Authorization: Bearer <token>."


def _error(response) -> str:
    return response.get_json()["error"]["message"]


def _in_english(app, msgid: str, **values: object) -> str:
    with app.test_request_context(), force_locale("en"):
        return _(msgid, **values)


def test_token_errors_are_indonesian_by_default(client) -> None:
    for headers in ({}, ID, {"Accept-Language": "fr"}):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401
        assert _error(response) == MISSING
        assert response.headers["Content-Language"] == "id"
    bad = client.get("/api/v1/me", headers={"Authorization": "Bearer lms_nope"})
    assert _error(bad) == "Token tidak valid, kedaluwarsa, atau sudah dicabut."


def test_every_status_follows_accept_language(app, client, world) -> None:
    with app.app_context():
        user = db.session.get(User, world.users["admin_bkpsdm"].id)
        _row, secret = auth.create_api_token(user, ["profile:read"])
        db.session.commit()

    missing = client.get("/api/v1/me", headers=EN)
    assert missing.status_code == 401 and missing.headers["Content-Language"] == "en"
    assert _error(missing) == _in_english(app, MISSING)

    scope = client.get("/api/v1/completions", headers={**EN, "Authorization": f"Bearer {secret}"})
    assert scope.status_code == 403 and scope.headers["Content-Language"] == "en"
    assert _error(scope) == _in_english(
        app, "Token ini tidak memiliki cakupan '%(s)s'.", s="completions:read"
    )
    scope_id = client.get("/api/v1/completions", headers={"Authorization": f"Bearer {secret}"})
    assert _error(scope_id) == "Token ini tidak memiliki cakupan 'completions:read'."

    nowhere = client.get("/api/v1/tidak-ada", headers=EN)
    assert nowhere.status_code == 404
    assert _error(nowhere) == "The address you opened does not exist or has been moved."
    assert "Accept-Language" in nowhere.headers["Vary"]
    assert _error(client.get("/api/v1/tidak-ada")) == (
        "Alamat yang Anda buka tidak ada atau sudah dipindahkan."
    )

    limit = int(app.config["VERIFY_RATE_LIMIT"].split()[0])
    statuses = [
        client.get("/api/v1/certificates/TIDAK-ADA", headers=EN).status_code
        for _n in range(limit + 1)
    ]
    assert statuses[0] == 404 and statuses[-1] == 429
    too_many = client.get("/api/v1/certificates/TIDAK-ADA", headers=EN)
    assert too_many.status_code == 429
    assert _error(too_many) == "You have tried too many times. Wait a moment, then try again."


def test_pages_stay_indonesian_for_an_english_browser(client) -> None:
    page = client.get("/masuk", headers=EN).get_data(as_text=True)
    assert 'lang="id"' in page
