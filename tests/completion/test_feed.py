"""The completion feed (CONTRACT.md): cursor pagination, scopes, JSON errors, OpenAPI."""

from __future__ import annotations

import base64
from datetime import date, datetime

import pytest
from sqlalchemy import select

from lms.auth import services as auth
from lms.auth.models import User
from lms.completion.models import Completion, OutboxEvent
from lms.completion.queries import CursorError, decode_cursor, encode_cursor
from lms.completion.services import record_classroom
from lms.courses.models import Course
from lms.extensions import db
from lms.org.models import Employee

FEED = "/api/v1/completions"


def _token(app, world, scopes: list[str]) -> dict[str, str]:
    with app.app_context():
        user = db.session.get(User, world.users["admin_sistem"].id)
        _row, secret = auth.create_api_token(user, scopes, "feed")
        db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def events(app, world, classroom):
    """250 events: two real completions (one revoked) and copies of the first event after them."""
    from lms.completion.services import revoke

    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "KLAS-101"))
        by = db.session.get(User, world.users["admin_bkpsdm"].id)
        first = record_classroom(
            db.session.get(Employee, world.employees["pegawai"].id),
            course,
            completed_on=date(2024, 5, 2),
            score=88.5,
            by=by,
        )
        second = record_classroom(
            db.session.get(Employee, world.employees["atasan"].id),
            course,
            completed_on=date(2024, 5, 3),
            score=None,
            by=by,
        )
        revoke(second, by, "Salah catat")
        payload = db.session.scalar(
            select(OutboxEvent.payload).where(OutboxEvent.completion_id == first.id)
        )
        for _ in range(247):
            db.session.add(
                OutboxEvent(type="completion.created", completion_id=first.id, payload=payload)
            )
        db.session.commit()
        assert db.session.query(OutboxEvent).count() == 250
    return first


def test_cursor_round_trip_and_rejects_garbage() -> None:
    for seq in (0, 1, 99, 2**31 - 1):  # up to the largest event number the table can hold
        assert decode_cursor(encode_cursor(seq)) == seq
    assert decode_cursor("") == 0
    for bad in (
        "abc",
        "!!!",
        encode_cursor(5) + "!",
        "czE=",
        "eDU",
        "A" * 50,
        encode_cursor(2**31),
    ):
        with pytest.raises(CursorError):
            decode_cursor(bad)


def test_pages_of_100_100_50_then_empty_with_a_stable_cursor(app, client, world, events) -> None:
    headers = _token(app, world, ["completions:read"])
    seen: list[str] = []
    cursor = ""
    sizes = []
    cursors = []
    for _ in range(4):
        response = client.get(FEED, query_string={"since": cursor, "limit": 100}, headers=headers)
        assert response.status_code == 200
        body = response.get_json()
        sizes.append(len(body["items"]))
        seen += [item["event_id"] for item in body["items"]]
        assert body["next_cursor"]
        cursor = body["next_cursor"]
        cursors.append(cursor)
    assert sizes == [100, 100, 50, 0]
    assert len(set(seen)) == 250
    assert cursors[3] == cursors[2]  # nothing new: poll again with the same cursor
    again = client.get(FEED, query_string={"since": cursor}, headers=headers).get_json()
    assert again == {"items": [], "next_cursor": cursor}
    # Replaying an older cursor gives exactly the same events (consumers de-dup by event_id).
    first = client.get(FEED, query_string={"since": cursors[0], "limit": 100}, headers=headers)
    replay = client.get(FEED, query_string={"since": cursors[0], "limit": 100}, headers=headers)
    assert first.get_json() == replay.get_json()
    assert [i["event_id"] for i in first.get_json()["items"]] == seen[100:200]
    # The default limit is 100; the maximum 500.
    assert len(client.get(FEED, headers=headers).get_json()["items"]) == 100
    assert len(client.get(FEED + "?limit=500", headers=headers).get_json()["items"]) == 250


def test_items_carry_the_contract_fields(app, client, world, events) -> None:
    headers = _token(app, world, ["completions:read"])
    items = client.get(FEED + "?limit=3", headers=headers).get_json()["items"]
    created, created2, revoked = items
    for key in (
        "event_id",
        "type",
        "nip",
        "name",
        "unit",
        "course_code",
        "course_title",
        "jp",
        "completed_at",
        "score",
        "certificate_number",
    ):
        assert key in created
    assert created["type"] == "completion.created"
    assert created["nip"] == world.employees["pegawai"].nip
    assert created["course_code"] == "KLAS-101"
    assert created["course_title"] == "Pelatihan Pelayanan Prima"
    assert created["jp"] == 4
    assert created["score"] == 88.5
    assert created["certificate_number"]
    assert datetime.fromisoformat(created["completed_at"]).date() == date(2024, 5, 2)
    assert created2["score"] is None
    assert revoked["type"] == "completion.revoked"
    assert revoked["nip"] == world.employees["atasan"].nip
    assert revoked["revoke_reason"] == "Salah catat"
    assert len({created["event_id"], created2["event_id"], revoked["event_id"]}) == 3


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("since=bogus", "since"),
        ("since=" + "c" * 60, "since"),
        # well formed, but past the largest event number the database can hold
        ("since=" + base64.urlsafe_b64encode(b"s" + b"9" * 20).decode().rstrip("="), "since"),
        ("limit=0", "limit"),
        ("limit=501", "limit"),
        ("limit=abc", "limit"),
        ("limit=-5", "limit"),
    ],
)
def test_bad_parameters_are_400_json_naming_the_parameter(
    app, client, world, query: str, name: str
) -> None:
    headers = _token(app, world, ["completions:read"])
    response = client.get(f"{FEED}?{query}", headers=headers)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "bad_request"
    assert f"'{name}'" in error["message"]


def test_tokens_and_scopes(app, client, world) -> None:
    response = client.get(FEED)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    response = client.get(FEED, headers={"Authorization": "Bearer nonsense"})
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    wrong = _token(app, world, ["profile:read"])
    response = client.get(FEED, headers=wrong)
    assert response.status_code == 403
    assert "completions:read" in response.get_json()["error"]["message"]
    right = _token(app, world, ["completions:read"])
    assert client.get(FEED, headers=right).get_json() == {
        "items": [],
        "next_cursor": encode_cursor(0),
    }


def test_feed_query_count_does_not_grow_with_the_page(app, client, world, events) -> None:
    from tests.test_query_counts import count_queries

    headers = _token(app, world, ["completions:read"])
    counts = []
    for limit in (1, 250):
        with count_queries(app) as counter:
            assert client.get(f"{FEED}?limit={limit}", headers=headers).status_code == 200
        counts.append(counter["n"])
    assert counts[0] == counts[1]


def test_openapi_documents_the_feed_and_certificates(client) -> None:
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    feed = doc["paths"]["/completions"]["get"]
    assert feed["security"] == [{"bearer": []}]
    assert {p["name"] for p in feed["parameters"]} == {"since", "limit"}
    assert set(feed["responses"]) >= {"200", "400", "401", "403"}
    event = doc["components"]["schemas"]["CompletionEvent"]
    assert {"event_id", "nip", "course_code", "certificate_number"} <= set(event["required"])
    cert = doc["paths"]["/certificates/{number}"]["get"]
    assert set(cert["responses"]) >= {"200", "404"}
    schema = doc["components"]["schemas"]["Certificate"]
    for key in ("number", "name", "nip", "jp", "jp_words", "status", "sha256", "pdf_url"):
        assert key in schema["properties"]
    assert "verify_url" in schema["required"]
    # Every /api/v1 route is documented.
    assert {"/me", "/completions", "/certificates/{number}", "/openapi.json"} <= set(doc["paths"])


def test_completion_ids_in_the_feed_match_records(app, client, world, events) -> None:
    headers = _token(app, world, ["completions:read"])
    item = client.get(FEED + "?limit=1", headers=headers).get_json()["items"][0]
    with app.app_context():
        completion = db.session.get(Completion, item["completion_id"])
        assert completion.identity["nip"] == item["nip"]
