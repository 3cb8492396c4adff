"""Numbers too big for the database's integer columns, from a URL, a query string or a JSON body,
get the answer any unknown value gets (404, the default, a message), never a database error."""

from __future__ import annotations

from tests.conftest import login

HUGE = "9" * 20  # past PostgreSQL's integer and SQLite's 64-bit integer


def test_ids_in_urls_past_the_integer_range_are_404(client, world) -> None:
    login(client, "pegawai")
    for path in (f"/kuis/{HUGE}", f"/kuis/percobaan/{HUGE}", f"/laporan/ekspor/{HUGE}"):
        assert client.get(path).status_code == 404, path
    assert client.get("/kuis/2147483648").status_code == 404  # integer's largest + 1


def test_query_string_numbers_past_the_range_fall_back_like_typos(client, world) -> None:
    login(client, "bkpsdm")
    page = client.get(f"/organisasi/pegawai?unit={HUGE}&page={HUGE}")
    assert page.status_code == 200
    report = client.get(f"/laporan/completions?unit={HUGE}&page={HUGE}")
    assert report.status_code == 200
    assert "Unit kerja tidak ditemukan." in report.get_data(as_text=True)
