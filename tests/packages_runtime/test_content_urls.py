"""Signed package URLs: a short life (CONTENT_URL_TTL), renewed by the open player as its own
learner, bound to that learner, version and SCO; tampering and expiry refused."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.packages.runtime import content
from lms.packages.runtime.models import ContentGrant
from tests.conftest import login
from tests.factories import make_course
from tests.packages_runtime.helpers import FIXTURES, install_package

CONTENT = "http://localhost:5000"
FILE = "shared/launchpage.html"


@pytest.fixture
def golf(app, world):
    path = FIXTURES / "singlescobasic.zip"
    if not path.exists():
        pytest.skip(f"shared fixture missing: {path}")
    with app.app_context():
        course = make_course("SCORM-URL")
        for username in ("pegawai", "atasan"):
            db.session.add(
                Enrolment(
                    course_id=course.id, employee_id=world.employees[username].id, status="active"
                )
            )
        version = install_package(
            path.read_bytes(),
            code="GOLFURL",
            uploader_id=world.users["mitra"].id,
            course_id=course.id,
        )
        db.session.commit()
        ids = (version.id, version.scos[0].id)
        db.session.remove()
    return ids


@pytest.fixture
def later(monkeypatch):
    """Move the content origin's clock forward by ``minutes``."""

    def move(minutes: float) -> None:
        moment = utcnow() + timedelta(minutes=minutes)
        monkeypatch.setattr(content, "utcnow", lambda: moment)

    return move


def _player(client, version_id: int) -> dict[str, str]:
    page = client.get(f"/paket/versi/{version_id}/main")
    assert page.status_code == 200
    found = {
        key: re.search(rf'data-{key}="([^"]*)"'.encode(), page.data).group(1).decode()
        for key in ("token", "csrf", "renew-url", "renew-seconds")
    }
    assert f"{CONTENT}/c/{found['token']}/shim".encode() in page.data
    return found


def _file(client, token: str) -> int:
    return client.get(f"/c/{token}/f/{FILE}", base_url=CONTENT).status_code


def _renew(client, player: dict[str, str], token: str | None = None, url: str | None = None):
    return client.post(
        url or player["renew-url"],
        json={"token": player["token"] if token is None else token},
        headers={"X-CSRFToken": player["csrf"]},
    )


def test_a_launch_url_works_for_the_ttl_and_then_stops(app, client, golf, later):
    assert app.config["CONTENT_URL_TTL"] == 15 * 60  # the default: 15 minutes
    login(client, "pegawai")
    player = _player(client, golf[0])
    assert player["renew-seconds"] == "300"  # the player renews every third of the TTL
    assert _file(client, player["token"]) == 200
    with app.app_context():
        assert db.session.scalar(select(ContentGrant)) is None  # the launch (a GET) wrote nothing
    later(14)
    assert _file(client, player["token"]) == 200
    later(16)
    assert _file(client, player["token"]) == 404
    assert client.get(f"/c/{player['token']}/shim", base_url=CONTENT).status_code == 404


def test_the_open_player_keeps_its_urls_working_by_renewing_them(app, client, golf, later):
    login(client, "pegawai")
    player = _player(client, golf[0])
    for minute in (5, 10, 15, 20, 25, 30, 35, 40):  # a 40-minute session, renewed every 5
        later(minute)
        answer = _renew(client, player)
        assert answer.status_code == 200 and answer.json == {"renewed": True, "ttl": 900}
        assert _file(client, player["token"]) == 200, minute
    later(40 + 14)
    assert _file(client, player["token"]) == 200
    later(40 + 16)  # the player closed at minute 40: the URL dies one TTL later
    assert _file(client, player["token"]) == 404
    with app.app_context():
        assert db.session.scalar(select(ContentGrant.user_id)) is not None


def test_a_sleeping_laptop_renews_on_waking(app, client, golf, later):
    """The page's timer did not run for an hour: the learner's own renewal revives the URL."""
    login(client, "pegawai")
    player = _player(client, golf[0])
    later(60)
    assert _file(client, player["token"]) == 404
    assert _renew(client, player).status_code == 200
    assert _file(client, player["token"]) == 200


def test_another_learner_cannot_renew_or_reuse_a_url(app, client, golf, later):
    """A URL copied from pegawai's session: atasan (enrolled in the same course) can neither
    renew it nor keep it alive; it dies with pegawai's lease."""
    login(client, "pegawai")
    player = _player(client, golf[0])
    other = app.test_client()
    login(other, "atasan")
    theirs = _player(other, golf[0])
    answer = _renew(other, theirs, token=player["token"])
    assert answer.status_code == 404
    assert "muat ulang" in answer.json["error"]["message"]
    later(16)
    assert _file(other, player["token"]) == 404
    assert _renew(other, theirs, token=player["token"]).status_code == 404
    assert _renew(other, theirs).status_code == 200  # their own, for themselves
    assert _file(other, theirs["token"]) == 200


def test_a_token_renews_only_for_its_own_sco_and_only_while_the_learner_may_play(
    app, client, golf, world, later
):
    login(client, "pegawai")
    player = _player(client, golf[0])
    wrong_sco = player["renew-url"].replace(f"/sco/{golf[1]}/", f"/sco/{golf[1] + 1}/")
    assert _renew(client, player, url=wrong_sco).status_code == 404
    assert _renew(client, player, token=player["token"] + "x").status_code == 404
    assert _renew(client, player, token="").status_code == 400
    with app.app_context():  # withdrawn: no more renewals, the URL dies within one TTL
        db.session.execute(
            update(Enrolment)
            .where(Enrolment.employee_id == world.employees["pegawai"].id)
            .values(status="withdrawn")
        )
        db.session.commit()
    assert _renew(client, player).status_code == 403
    later(16)
    assert _file(client, player["token"]) == 404


# itsdangerous zlib-compresses a payload when that makes it shorter and marks it with a
# leading "."; whether it does depends on the random nonce (about 3 % of tokens), so both
# forms are tampered with here, each from a fixed nonce.
@pytest.mark.parametrize(
    "nonce, compressed", [("9f3a1c7e52b84d06a1e9c3f57b2d8e41", False), ("0" * 32, True)]
)
def test_tampered_tokens_and_a_lease_that_names_someone_else_are_refused(
    app, client, golf, world, later, monkeypatch, nonce, compressed
):
    monkeypatch.setattr(content.secrets, "token_hex", lambda n: nonce)
    login(client, "pegawai")
    player = _player(client, golf[0])
    token = player["token"]
    assert token.startswith(".") == compressed
    mark = "." if compressed else ""
    payload, rest = token.removeprefix(mark).split(".", 1)
    flipped = ("A" if payload[0] != "A" else "B") + payload[1:]
    assert _file(client, f"{mark}{flipped}.{rest}") == 404  # the payload changed: bad signature
    with app.test_request_context():
        forged = content.URLSafeTimedSerializer("not-the-key", salt=content.SALT).dumps(
            {"n": "1" * 32, "u": world.users["atasan"].id, "v": golf[0], "s": golf[1], "p": ""}
        )
    assert _file(client, forged) == 404
    assert _renew(client, player).status_code == 200
    with app.app_context():  # the lease row no longer matches what the token says
        db.session.execute(update(ContentGrant).values(user_id=world.users["atasan"].id))
        db.session.commit()
    later(16)
    assert _file(client, token) == 404


def test_the_ttl_comes_from_the_environment(monkeypatch):
    from config import load_env

    monkeypatch.setenv("LMS_CONTENT_URL_TTL", "600")
    config: dict = {}
    load_env(config)
    assert config["CONTENT_URL_TTL"] == 600
