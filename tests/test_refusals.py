"""Refusals of existing objects answer like missing ones and are logged (issue 13, point 8).

A learner who edits an id in an address must not learn that the id exists: another employee's
enrolment, attempt, record, plan item or export answers 404 exactly as an unknown id does, and
each refusal leaves a warning on the ``lms.access`` logger with the user, route and object.
"""

from __future__ import annotations

import logging
import re

import pytest

from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee
from tests.careers.ledger_helpers import make_record
from tests.conftest import login
from tests.factories import make_course


@pytest.fixture
def others(app, world):
    """Objects that belong to Dewi (Dinas Pendidikan), a stranger to pegawai."""
    with app.app_context():
        dewi = db.session.get(Employee, world.employees["disdik"].id)
        course = make_course("RAHASIA-1", lessons=1)
        enrolment = Enrolment(course_id=course.id, employee_id=dewi.id, status="active")
        db.session.add(enrolment)
        record = make_record(dewi.id, status="pending")
        db.session.commit()
        return {"enrolment": enrolment.id, "record": record.id, "employee": dewi.id}


_CSRF_VALUE = re.compile(r'(name="csrf_token"[^>]*value=")[^"]+"')


def _tokenless(page: str) -> str:
    return _CSRF_VALUE.sub(r'\1TOKEN"', page)


def test_another_employees_objects_answer_like_missing_ones_and_are_logged(
    app, client, world, others, caplog, no_csrf
) -> None:
    login(client, "pegawai")
    pairs = [
        ("POST", f"/pendaftaran/{others['enrolment']}/batal", "/pendaftaran/999999/batal"),
        ("GET", f"/riwayat/{others['record']}/ubah", "/riwayat/999999/ubah"),
        ("POST", f"/riwayat/{others['record']}/tarik", "/riwayat/999999/tarik"),
    ]
    with caplog.at_level(logging.WARNING, logger="lms.access"):
        for method, theirs, missing in pairs:
            refused = client.open(theirs, method=method, data={})
            unknown = client.open(missing, method=method, data={})
            assert (refused.status_code, unknown.status_code) == (404, 404), theirs
            # The same page, word for word (but for the address in the language switcher).
            same = refused.get_data(as_text=True).replace(theirs, "URL")
            assert same == unknown.get_data(as_text=True).replace(missing, "URL")
    refusals = [r.getMessage() for r in caplog.records if r.name == "lms.access"]
    assert len(refusals) == len(pairs)
    user_id = world.users["pegawai"].id
    assert f"user={user_id}" in refusals[0] and "Enrolment#" in refusals[0]
    assert "route=courses.withdraw" in refusals[0] and "status=404" in refusals[0]
    # The enrolment is untouched.
    with app.app_context():
        assert db.session.get(Enrolment, others["enrolment"]).status == "active"


def test_a_supervisor_probing_employees_outside_the_team_gets_404(
    app, client, world, others, caplog
) -> None:
    login(client, "atasan")
    with caplog.at_level(logging.WARNING, logger="lms.access"):
        assert client.get(f"/organisasi/pegawai/{others['employee']}").status_code == 404
        assert client.get(f"/kelola/pegawai/{others['employee']}/karier").status_code == 404
    assert sum("access refused" in r.getMessage() for r in caplog.records) == 2


def test_a_capability_refusal_stays_403_and_is_logged(app, client, world, caplog) -> None:
    login(client, "pegawai")
    with caplog.at_level(logging.WARNING, logger="lms.access"):
        assert client.get("/organisasi/pegawai").status_code == 403
    (message,) = [r.getMessage() for r in caplog.records if r.name == "lms.access"]
    assert "status=403" in message and "route=org.employees" in message
