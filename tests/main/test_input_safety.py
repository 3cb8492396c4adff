"""Input no column or calculation can take is refused with a message, on both databases (13.12).

NUL in a path is a 404 and anywhere else a 400 naming the field, before any view runs (about 30
routes answered 500 on PostgreSQL, some without login); JSON with NaN, Infinity, 1e309, NUL or
5,000 levels of nesting is a 400 naming the problem; form numbers that are not numbers and years
like 0001 get a message on their field.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from wtforms import DateField, DecimalField, FloatField, IntegerField

from lms.forms import AppForm
from tests.conftest import csrf_token, login
from tests.quizzes.attempts.test_quiz_views import _create_quiz, setup  # noqa: F401 (the fixture)

NUL_IN_PATH = [
    (None, "/verify/AB%00C"),
    (None, "/api/v1/certificates/AB%00C"),
    ("pegawai", "/pelatihan/AB%00C"),
    ("pegawai", "/belajar/AB%00C/AB%00C"),
    ("bkpsdm", "/kelola/kelulusan/AB%00C/absensi"),
    ("bkpsdm", "/angkatan/AB%00C"),
    ("bkpsdm", "/program/AB%00C/ubah"),
]
NUL_IN_QUERY = [
    ("pegawai", "/pelatihan?q=a%00b"),
    ("bkpsdm", "/organisasi/pegawai?q=%00"),
    ("bkpsdm", "/kelola/sertifikat?q=%00"),
    ("admin", "/admin/pengguna?q=%00"),
    ("pengajar", "/kelola/pelatihan?q=%00"),
]


def _as(client, who: str | None) -> None:
    if who:
        login(client, who)


@pytest.mark.parametrize(("who", "path"), NUL_IN_PATH)
def test_nul_in_a_path_is_not_found(client, world, who, path) -> None:
    _as(client, who)
    assert client.get(path).status_code == 404


@pytest.mark.parametrize(("who", "path"), NUL_IN_QUERY)
def test_nul_in_a_query_is_refused_naming_the_field(client, world, who, path) -> None:
    _as(client, who)
    response = client.get(path)
    assert response.status_code == 400
    assert "“q” berisi karakter NUL" in response.get_data(as_text=True)


def test_nul_in_a_form_is_refused_naming_the_field(client, world) -> None:
    token = csrf_token(client, "/masuk")
    response = client.post(
        "/masuk", data={"csrf_token": token, "identifier": "adm\x00in", "password": "x"}
    )
    assert response.status_code == 400
    assert "“identifier” berisi karakter NUL" in response.get_data(as_text=True)
    login(client, "bkpsdm")
    token = csrf_token(client, "/kelola/kategori")
    response = client.post("/kelola/kategori", data={"csrf_token": token, "name": "A\x00B"})
    assert response.status_code == 400
    assert "“name”" in response.get_data(as_text=True)


def test_nul_in_an_api_query_answers_json(client, world) -> None:
    response = client.get("/api/v1/certificates?q=%00")
    assert response.status_code in (400, 401)
    assert response.is_json


@pytest.fixture
def attempt(app, client, setup) -> tuple[str, dict[str, str], dict[str, int]]:  # noqa: F811
    login(client, "pengajar")
    with app.app_context():
        quiz_id = _create_quiz(client, setup)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "pegawai")
    token = csrf_token(client, f"/kuis/{quiz_id}")
    url = client.post(f"/kuis/{quiz_id}/mulai", data={"csrf_token": token}).headers["Location"]
    return f"{url}/jawab", {"X-CSRFToken": token, "Content-Type": "application/json"}, setup


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    ("response", "message"),
    [
        ("NaN", "NaN bukan angka yang sah"),
        ("Infinity", "Infinity bukan angka yang sah"),
        ("-Infinity", "-Infinity bukan angka yang sah"),
        ("1e309", "1e309 terlalu besar"),
        ('"Kar\\u0000ena"', "“response” berisi karakter NUL"),
        (_deep(5000), "bersarang lebih dari"),
        (_deep(40), "bersarang lebih dari"),
    ],
)
def test_autosave_refuses_json_no_database_takes(client, attempt, response, message) -> None:
    url, headers, ids = attempt
    body = f'{{"question_id": {ids["essay"]}, "response": {response}}}'
    reply = client.post(url, data=body, headers=headers)
    assert reply.status_code == 400
    assert message in reply.json["error"]["message"]
    fine = client.post(
        url,
        json={"question_id": ids["essay"], "response": "Karena."},
        headers={"X-CSRFToken": headers["X-CSRFToken"]},
    )
    assert fine.status_code == 200 and fine.json["ok"] is True


def test_json_provider_refuses_bad_numbers_deep_nesting_and_nul(app) -> None:
    with app.app_context():
        loads = app.json.loads
        assert loads('{"a": [1.5, 2, "x"]}') == {"a": [1.5, 2, "x"]}
        for text in (
            "NaN",
            "[Infinity]",
            '{"a": 1e309}',
            '"\\u0000"',
            '{"\\u0000": 1}',
            _deep(5000),
        ):
            with pytest.raises(ValueError):
                loads(text)
        assert json.loads("1e309") == float("inf")  # what the standard library lets through


class NumbersForm(AppForm):
    class Meta:
        csrf = False

    amount = DecimalField()
    ratio = FloatField()
    count = IntegerField()
    day = DateField()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("amount", "NaN", "bukan NaN"),
        ("amount", "Infinity", "bukan NaN"),
        ("amount", "1e309", "terlalu besar"),
        ("ratio", "inf", "bukan NaN"),
        ("ratio", "nan", "bukan NaN"),
        ("day", "0001-01-01", "Tahun harus antara 1900 dan 2100"),
        ("day", "9999-12-31", "Tahun harus antara 1900 dan 2100"),
    ],
)
def test_forms_refuse_numbers_and_years_no_column_takes(app, field, value, message) -> None:
    from werkzeug.datastructures import MultiDict

    good = {"amount": "2.5", "ratio": "0.5", "count": "3", "day": "2026-12-06"}
    with app.test_request_context():
        form = NumbersForm(formdata=MultiDict({**good, field: value}))
        assert not form.validate()
        assert list(form.errors) == [field]
        assert message in form.errors[field][0]
        if "NaN" in message:  # taken out before validators compare it
            assert getattr(form, field).data is None
        ok = NumbersForm(formdata=MultiDict(good))
        assert ok.validate(), ok.errors
        assert ok.amount.data == Decimal("2.5")


def test_a_quiz_opening_in_year_1_is_a_field_error(app, client, setup) -> None:  # noqa: F811
    login(client, "pengajar")
    path = f"/kelola/pelatihan/{setup['course']}/kuis/baru"
    data = {
        "csrf_token": csrf_token(client, path),
        "title": "Post-test",
        "kind": "post_test",
        "pass_mark": "60",
        "attempts_allowed": "2",
        "question_ids": [str(setup["choice"])],
        "draw_category": "0",
        "draw_count": "0",
        "review": "immediately",
        "grading": "highest",
        "opens_at": "0001-01-01T00:00",
    }
    response = client.post(path, data=data)
    assert response.status_code in (200, 422)
    assert "Tahun harus antara 1900 dan 2100" in response.get_data(as_text=True)
