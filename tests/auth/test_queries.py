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
