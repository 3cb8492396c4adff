"""Absolute links (certificate QR codes, e-mails, the verify API) follow the served address:
`make run PORT=8080` serves on 8080 and its links say 8080, not the default :5000."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from types import SimpleNamespace

import pytest

from config import load_env
from lms import create_app

ROOT = Path(__file__).resolve().parents[2]


def _app(monkeypatch: pytest.MonkeyPatch, **env: str):
    for name in ("LMS_BASE_URL", "FLASK_RUN_PORT", "FLASK_RUN_HOST"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}, env="testing")


def test_links_use_lms_base_url_from_the_environment(monkeypatch) -> None:
    from lms.certificates.render import verify_url

    app = _app(monkeypatch, LMS_BASE_URL="http://127.0.0.1:8080/")
    with app.test_request_context():
        assert verify_url(SimpleNamespace(token="abc")) == "http://127.0.0.1:8080/verify/abc"


def test_flask_run_port_sets_the_default_base_url(monkeypatch) -> None:
    from lms.certificates.render import verify_url

    app = _app(monkeypatch, FLASK_RUN_PORT="8080")
    assert app.config["BASE_URL"] == "http://127.0.0.1:8080"
    with app.test_request_context():
        assert verify_url(SimpleNamespace(token="abc")) == "http://127.0.0.1:8080/verify/abc"
    config: dict = {"BASE_URL": "http://127.0.0.1:5000"}
    monkeypatch.setenv("LMS_BASE_URL", "https://akademi.example.go.id")
    load_env(config)
    assert config["BASE_URL"] == "https://akademi.example.go.id"  # an explicit one wins
    assert _app(monkeypatch).config["BASE_URL"] == "http://127.0.0.1:5000"  # nothing set


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_run_passes_the_port_into_the_base_url() -> None:
    def run_line(*args: str) -> str:
        out = subprocess.run(
            ["make", "-n", "-C", str(ROOT), "run", *args],
            capture_output=True,
            text=True,
            check=True,
            env={"PATH": "/usr/bin:/bin"},
        ).stdout
        return next(line for line in out.splitlines() if " run --host" in line)

    assert run_line("PORT=8080").startswith("LMS_BASE_URL='http://127.0.0.1:8080' ")
    assert "--port 8080" in run_line("PORT=8080")
    assert run_line("PORT=8080", "LMS_BASE_URL=https://x.go.id").startswith(
        "LMS_BASE_URL='https://x.go.id' "
    )
