"""HR's "Angkatan berjalan" card: each running cohort with its seats (read with the rows), kept
under a generation that any committed write of a cohort, member or cohort approval renews."""

from __future__ import annotations

import re

from lms.enrolments.cohorts import queries
from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import login
from tests.enrolments.cohorts.test_membership import _add, _join_token, _setup
from tests.enrolments.cohorts.test_query_counts import _base


def _cells(client, title: str = "Program PKP · Angkatan I") -> list[str]:
    page = client.get("/dasbor").get_data(as_text=True)
    card = page[page.index("dash-cohorts") :]
    row = re.search(rf"{title}</a>.*?</tr>", card, re.S).group(0)
    return re.findall(r"<td>([^<]*)</td>", row)


def test_the_card_counts_seats_taken_and_waiting(app, client, world) -> None:
    _base(app, world)  # quota 2: two members added, four nominated
    login(client, "bkpsdm")
    assert _cells(client) == ["2 / 2", "4"]
    assert "akan datang" in client.get("/dasbor").get_data(as_text=True)


def test_the_kept_card_follows_writes_in_every_worker(app, client, world, worker_app) -> None:
    ids = _setup(app)
    hr, other = app.test_client(), worker_app().test_client()
    login(hr, "bkpsdm")
    login(other, "bkpsdm")
    assert _cells(hr) == _cells(other) == ["0 / 10", "0"]  # kept in both now
    login(client, "pegawai")
    token = _join_token(client, "PKP", ids["cohort_id"])
    client.post(
        f"/angkatan/{ids['cohort_code']}/usulan", data={f"c{ids['cohort_id']}-csrf_token": token}
    )
    assert _cells(hr) == _cells(other) == ["0 / 10", "1"]
    with app.app_context():
        nip = db.session.get(Employee, world.employees["atasan"].id).nip
    assert _add(other, ids["cohort_code"], nip)[0].startswith("Rahmat Hidayat ditambahkan")
    assert _cells(hr) == _cells(other) == ["1 / 10", "1"]


def test_the_card_is_kept_until_a_write(app, client, world, monkeypatch) -> None:
    _setup(app)
    calls = []
    real = queries.running_cohorts
    monkeypatch.setattr(queries, "running_cohorts", lambda *a: calls.append(1) or real(*a))
    login(client, "bkpsdm")
    assert _cells(client) == _cells(client) == ["0 / 10", "0"]
    assert calls == [1]
    with app.app_context():  # a name is not on the card: kept
        db.session.get(Employee, world.employees["pegawai"].id).full_name = "Siti Aminah Baru"
        db.session.commit()
    _cells(client)
    assert calls == [1]
    with app.app_context():  # a supervisor is (the supervisor step's count)
        db.session.get(Employee, world.employees["pegawai"].id).supervisor_id = None
        db.session.commit()
    _cells(client)
    assert calls == [1, 1]
