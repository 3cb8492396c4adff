"""Health check, error pages, language switch, upload size limit, API tokens."""

from __future__ import annotations

import subprocess
import sys

from sqlalchemy.exc import OperationalError

from lms.auth.models import User
from lms.extensions import db
from tests.conftest import csrf_token, login


def test_healthz_ok(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_503_when_database_down(client, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(db.session, "execute", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] != "ok"


def test_404_page_is_indonesian(client) -> None:
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    text = response.get_data(as_text=True)
    assert "Halaman tidak ditemukan" in text and '<html lang="id"' in text


def test_api_errors_are_json(client) -> None:
    response = client.get("/api/v1/tidak-ada")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "not_found"


def test_upload_over_limit_gives_413_page(client, world, app) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/impor")
    big = b"x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    import io

    response = client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(big), "besar.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_language_switch_to_english(client, world) -> None:
    token = csrf_token(client, "/masuk")
    client.post("/bahasa", data={"lang": "en", "next": "/masuk", "csrf_token": token})
    page = client.get("/masuk").get_data(as_text=True)
    assert '<html lang="en"' in page
    assert "Log in" in page or "Sign in" in page
    assert client.get("/bahasa").status_code == 405  # no state change on GET


def test_api_token_scopes_and_revocation(app, client, world) -> None:
    from lms.auth import services as auth

    with app.app_context():
        user = db.session.get(User, world.users["admin_sistem"].id)
        token_row, secret = auth.create_api_token(user, ["profile:read"], "tes")
        _other, no_scope = auth.create_api_token(user, ["completions:read"])
        assert secret not in token_row.token_hash
        db.session.commit()
        prefix = token_row.prefix
    ok = client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert ok.status_code == 200 and ok.json["username"] == "admin"
    assert client.get("/api/v1/me").json["error"]["code"] == "unauthorized"
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {no_scope}"}).status_code == 403
    )
    assert client.get("/api/v1/me", headers={"Authorization": "Bearer lms_x_y"}).status_code == 401
    login(client, "admin")
    token = csrf_token(client, "/admin/token")
    with app.app_context():
        from lms.auth.models import ApiToken

        tid = db.session.scalar(db.select(ApiToken.id).where(ApiToken.prefix == prefix))
    client.post(f"/admin/token/{tid}/cabut", data={"csrf_token": token, "confirm": "1"})
    assert (
        client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    )


def test_openapi_document(client) -> None:
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.1")
    assert "/me" in doc["paths"]


def test_cli_api_token_create(app, world, tmp_path) -> None:
    runner = app.test_cli_runner()
    result = runner.invoke(args=["api-token", "create", "admin", "--scope", "completions:read"])
    assert result.exit_code == 0, result.output
    assert result.output.strip().startswith("lms_")
    bad = runner.invoke(args=["api-token", "create", "admin", "--scope", "semua"])
    assert bad.exit_code != 0
    assert "tidak dikenal" in bad.output


def test_production_refuses_without_secret_key(tmp_path) -> None:
    code = "from lms import create_app; create_app()"
    env = {
        "LMS_ENV": "production",
        "LMS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db",
        "PATH": "/usr/bin",
    }
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "LMS_SECRET_KEY" in result.stderr


def test_unexpected_error_gives_500_page_and_rolls_back(app, client, world, monkeypatch) -> None:
    from lms.org import queries

    def boom(*_args, **_kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(queries, "dashboard_context", boom)
    login(client, "pegawai")
    response = client.get("/dasbor")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Terjadi kesalahan" in text and "kaboom" not in text
    json_response = client.get("/dasbor", headers={"Accept": "application/json"})
    assert (
        json_response.status_code == 500 and json_response.json["error"]["code"] == "internal_error"
    )
