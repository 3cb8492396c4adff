"""Claiming JP for taking part in a community of practice (issue 18 point 2, form 23): the pure
check that a month without a shown post cannot be claimed, the claim pre-filled with the posts,
a moderator's confirmation moving the ledger, and who may not claim or confirm."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from lms.careers.ledger import queries as ledger
from lms.careers.sessions import community as claims
from lms.careers.sessions.models import LearningSession
from lms.extensions import db
from lms.indonesian import local_today
from lms.notifications.models import Notification
from tests.careers.ledger_helpers import _many_logins  # noqa: F401  (autouse fixture)
from tests.careers.sessions.helpers import csrf_of, decide, login, user_id
from tests.community.builders import build_forums, make_community, user

TODAY = local_today()
THIS_MONTH = TODAY.replace(day=1)
LAST_MONTH = claims.recent_months(TODAY, 2)[1]


# --- pure ----------------------------------------------------------------------------------------


def test_a_month_without_posts_cannot_be_claimed() -> None:
    problems = claims.claim_problems(0, date(2026, 11, 1), date(2026, 12, 6))
    assert set(problems) == {"month"}
    assert "tidak dapat diklaim" in problems["month"]
    assert problems["month"].startswith("Bulan:")
    assert claims.claim_problems(3, date(2026, 11, 1), date(2026, 12, 6)) == {}
    future = claims.claim_problems(3, date(2027, 1, 1), date(2026, 12, 6))
    assert "belum berjalan" in future["month"]


def test_months_and_their_bounds_are_the_agencys() -> None:
    assert claims.recent_months(date(2026, 1, 15), 3) == [
        date(2026, 1, 1),
        date(2025, 12, 1),
        date(2025, 11, 1),
    ]
    start, end = claims.month_bounds(date(2026, 12, 1))
    # Midnight in Jakarta (UTC+7) is 17:00 UTC the day before.
    assert (start.day, start.hour, end.month, end.day, end.hour) == (30, 17, 12, 31, 17)
    assert claims.parse_month("2026-11") == date(2026, 11, 1)
    assert claims.parse_month("November") is None


# --- through the HTTP client ---------------------------------------------------------------------


def _setup(app, world):
    with app.app_context():
        built = build_forums(world)  # pegawai has one shown post this month, pengajar owns it
        other = make_community(user("target.user"), name="Komunitas Lain")
        db.session.commit()
        return built.community_slug, other.slug


def _claim(client, slug: str, month: date, minutes: str = "90"):
    path = f"/sesi/komunitas/{slug}"
    token = csrf_of(client.get(path).data)
    return client.post(
        path,
        data={
            "csrf_token": token,
            "month": f"{month:%Y-%m}",
            "minutes": minutes,
            "topic": "Diskusi antrean loket",
        },
    )


def test_claim_then_the_moderator_confirms_and_the_ledger_moves(app, client, world) -> None:
    slug, _other = _setup(app, world)
    login(client, "pegawai")
    assert f"/sesi/komunitas/{slug}" in client.get(f"/komunitas/{slug}").get_data(as_text=True)
    page = client.get(f"/sesi/komunitas/{slug}").get_data(as_text=True)
    assert "(1 tulisan)" in page  # this month's shown post, pre-filled as evidence
    response = _claim(client, slug, THIS_MONTH)
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    with app.app_context():
        session = db.session.scalars(select(LearningSession)).one()
        assert (session.form_code, session.community_posts, session.status) == (23, 1, "submitted")
        session_id = session.id
        before = ledger.jp_of(world.employees["pegawai"].id, TODAY.year)["total"]
    # The same month is claimed once.
    again = _claim(client, slug, THIS_MONTH)
    assert again.status_code == 422
    assert "sudah diklaim" in again.get_data(as_text=True)
    with app.app_context():  # the community's owner, who moderates it, is told
        told = db.session.scalars(
            select(Notification.message).where(Notification.user_id == user_id("pengajar"))
        ).all()
        assert any("menunggu konfirmasi" in m for m in told)
    login(client, "pengajar")
    assert "Komunitas Uji Pelayanan" in client.get(f"/sesi/{session_id}").get_data(as_text=True)
    assert decide(client, session_id, confirm=True).status_code == 302
    with app.app_context():
        session = db.session.get(LearningSession, session_id)
        assert (session.status, session.decided_as) == ("confirmed", "moderator")
        assert session.recognised_jp == Decimal(2)  # 90 minutes = 2 JP (cap 2 per day)
        after = ledger.jp_of(world.employees["pegawai"].id, TODAY.year)["total"]
        assert after - before == Decimal(2)


def test_a_month_without_posts_is_refused_with_a_message(app, client, world) -> None:
    slug, _other = _setup(app, world)
    login(client, "pegawai")
    response = _claim(client, slug, LAST_MONTH)
    assert response.status_code == 422
    assert "tidak dapat diklaim" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(LearningSession.id)) is None


def test_non_members_and_other_moderators_can_neither_claim_nor_confirm(app, client, world) -> None:
    slug, other = _setup(app, world)
    login(client, "pegawai")
    assert client.get(f"/sesi/komunitas/{other}").status_code == 403  # not a member there
    assert client.get("/sesi/komunitas/tidak-ada").status_code == 404
    assert _claim(client, slug, THIS_MONTH).status_code == 302
    with app.app_context():
        session_id = db.session.scalar(select(LearningSession.id))
    login(client, "target.user")  # owns another community, is no member of this one
    assert client.get(f"/sesi/komunitas/{slug}").status_code == 403
    assert client.get(f"/sesi/{session_id}").status_code == 404
    token = csrf_of(client.get("/dasbor").data)
    refused = client.post(f"/sesi/{session_id}", data={"csrf_token": token, "confirm": "1"})
    assert refused.status_code == 404
    with app.app_context():
        assert db.session.get(LearningSession, session_id).status == "submitted"
