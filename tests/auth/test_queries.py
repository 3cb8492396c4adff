"""The one lookup of an employee's account that every feature uses."""

from __future__ import annotations

from lms.auth.models import User
from lms.auth.queries import user_id_of_employee
from lms.extensions import db


def test_user_of_an_employee_and_only_an_active_one_when_asked(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    with app.app_context():
        assert user_id_of_employee(pegawai) == world.users["pegawai"].id
        assert user_id_of_employee(None) is None
        db.session.get(User, world.users["pegawai"].id).active = False
        db.session.flush()
        assert user_id_of_employee(pegawai) == world.users["pegawai"].id
        assert user_id_of_employee(pegawai, active_only=True) is None
        db.session.rollback()
        db.session.remove()


def _count_queries(app):
    from sqlalchemy import event

    counter = {"n": 0}

    def before(*_args: object) -> None:
        counter["n"] += 1

    event.listen(db.engine, "before_cursor_execute", before)
    return counter, lambda: event.remove(db.engine, "before_cursor_execute", before)


def test_roles_are_memoised_for_one_request_only(app, world) -> None:
    """The derived Atasan role costs one query per request however often roles are read; outside
    a request every read looks again (a supervisor appointed in between counts at once)."""
    from lms.org.models import Employee
    from lms.permissions import Role

    with app.test_request_context():
        atasan = db.session.get(User, world.users["atasan"].id)
        counter, stop = _count_queries(app)
        assert Role.ATASAN in atasan.roles
        assert Role.ATASAN in atasan.roles and atasan.capabilities
        stop()
        assert counter["n"] == 1
        db.session.remove()
    with app.app_context():
        pegawai = db.session.get(User, world.users["pegawai"].id)
        assert Role.ATASAN not in pegawai.roles
        db.session.get(Employee, world.employees["disdik"].id).supervisor_id = pegawai.employee_id
        db.session.flush()
        assert Role.ATASAN in pegawai.roles
        db.session.rollback()
        db.session.remove()
