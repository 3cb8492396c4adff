"""The completion feed reads as the token's owner (issue 13, point 6): never more than the
owner may see in the reports, filtered in the query so pages and limits count only their rows."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import User
from lms.completion.services import record_classroom
from lms.courses.models import Course
from lms.extensions import db
from lms.org.models import Employee

FEED = "/api/v1/completions"


def _token(app, world, role: str) -> dict[str, str]:
    with app.app_context():
        user = db.session.get(User, world.users[role].id)
        _row, secret = auth.create_api_token(user, ["completions:read"], role)
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def completed(app, world, classroom):
    """KLAS-101 completed by disdik (Dinas Pendidikan) first, then pegawai and atasan (Dinkes)."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "KLAS-101"))
        by = db.session.get(User, world.users["admin_bkpsdm"].id)
        for day, key in enumerate(("disdik", "pegawai", "atasan"), start=2):
            record_classroom(
                db.session.get(Employee, world.employees[key].id),
                course,
                completed_on=date(2024, 5, day),
                score=80,
                by=by,
            )
        db.session.commit()


def _nips(client, headers, **query) -> list[str]:
    response = client.get(FEED, query_string=query, headers=headers)
    assert response.status_code == 200, response.get_json()
    return [item["nip"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    ("role", "who"),
    [
        ("admin_sistem", ["disdik", "pegawai", "atasan"]),
        ("admin_bkpsdm", ["disdik", "pegawai", "atasan"]),
        ("admin_opd", ["pegawai", "atasan"]),  # Dinas Kesehatan only
        ("atasan", ["pegawai", "atasan"]),  # the team and themselves
        ("pegawai", ["pegawai"]),  # their own completions
        ("target", ["disdik"]),
    ],
)
def test_the_feed_returns_only_what_the_token_owner_may_see(
    app, client, world, completed, role, who
) -> None:
    headers = _token(app, world, role)
    assert _nips(client, headers) == [world.employees[k].nip for k in who]


def test_the_scope_is_in_the_query_so_a_page_of_one_is_the_owners_first_row(
    app, client, world, completed
) -> None:
    headers = _token(app, world, "admin_opd")
    first = client.get(FEED, query_string={"limit": 1}, headers=headers).get_json()
    assert [i["nip"] for i in first["items"]] == [world.employees["pegawai"].nip]
    rest = _nips(client, headers, since=first["next_cursor"], limit=1)
    assert rest == [world.employees["atasan"].nip]


@pytest.mark.parametrize("role", ["pengajar", "mitra"])
def test_an_account_that_may_see_no_completions_is_refused(
    app, client, world, completed, role
) -> None:
    response = client.get(FEED, headers=_token(app, world, role))
    assert response.status_code == 403
    assert response.get_json()["error"]["code"] == "forbidden"
