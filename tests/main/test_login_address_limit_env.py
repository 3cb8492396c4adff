"""LMS_LOGIN_ADDRESS_RATE_LIMIT: a load test from one address raises the per-address login limit."""

from __future__ import annotations

from config import Config, load_env


def test_the_environment_sets_the_login_limit_per_address(monkeypatch) -> None:
    monkeypatch.setenv("LMS_LOGIN_ADDRESS_RATE_LIMIT", "5000 per minute")
    config: dict = {"LOGIN_ADDRESS_RATE_LIMIT": Config.LOGIN_ADDRESS_RATE_LIMIT}
    load_env(config)
    assert config["LOGIN_ADDRESS_RATE_LIMIT"] == "5000 per minute"


def test_without_it_the_default_stays(monkeypatch) -> None:
    monkeypatch.delenv("LMS_LOGIN_ADDRESS_RATE_LIMIT", raising=False)
    config: dict = {"LOGIN_ADDRESS_RATE_LIMIT": Config.LOGIN_ADDRESS_RATE_LIMIT}
    load_env(config)
    assert config["LOGIN_ADDRESS_RATE_LIMIT"] == "100 per minute"
