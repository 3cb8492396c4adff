"""Admin OPD forms reveal nothing outside the department (issue 13, point 8): a supervisor must be
someone the Admin OPD manages, and a NIP registered elsewhere is only "already registered"."""

from __future__ import annotations

import logging

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.org.test_employees import _form

NEW = "/organisasi/pegawai/baru"


def _post(client, path: str, world, **over: str) -> str:
    data = _form(world, csrf_token=csrf_token(client, path), **over)
    response = client.post(path, data=data)
    assert response.status_code == 200  # the form again, with the message
    return response.get_data(as_text=True)


def test_create_employee_does_not_name_the_owner_of_another_departments_nip(
    app, client, world
) -> None:
    login(client, "opd.dinkes")
    page = _post(client, NEW, world, nip=world.employees["disdik"].nip)
    assert f"NIP {world.employees['disdik'].nip} sudah terdaftar." in page
    assert "Dewi Lestari" not in page
    # Inside the department the name still helps the Admin OPD find the existing record.
    page = _post(client, NEW, world, nip=world.employees["pegawai"].nip)
    assert "sudah terdaftar atas nama Siti Aminah" in page


def test_admin_opd_cannot_appoint_a_supervisor_outside_their_department(
    app, client, world, caplog
) -> None:
    login(client, "opd.dinkes")
    outside = world.employees["disdik"].nip
    with caplog.at_level(logging.WARNING, logger="lms.access"):
        page = _post(client, NEW, world, nip_atasan=outside)
    # The same answer as for a NIP nobody has: the form is no directory of other departments.
    assert f"Atasan dengan NIP {outside} tidak ditemukan." in page
    assert "Dewi Lestari" not in page
    assert any("access refused" in r.getMessage() for r in caplog.records)
    emp = world.employees["pegawai"]
    path = f"/organisasi/pegawai/{emp.id}/ubah"
    _post(client, path, world, nip=emp.nip, nama="Siti Aminah", nip_atasan=outside)
    with app.app_context():
        assert (
            db.session.scalar(select(Employee).where(Employee.full_name == "Ahmad Fauzi")) is None
        )
        assert db.session.get(Employee, emp.id).supervisor_id == world.employees["atasan"].id


def test_admin_opd_keeps_a_supervisor_bkpsdm_set_and_bkpsdm_appoints_anyone(
    app, client, world
) -> None:
    emp = world.employees["pegawai"]
    with app.app_context():
        db.session.get(Employee, emp.id).supervisor_id = world.employees["disdik"].id
        db.session.commit()
    login(client, "opd.dinkes")
    path = f"/organisasi/pegawai/{emp.id}/ubah"
    data = _form(
        world,
        nip=emp.nip,
        nama="Siti Aminah Putri",
        nip_atasan=world.employees["disdik"].nip,
        csrf_token=csrf_token(client, path),
    )
    assert client.post(path, data=data).status_code == 302
    hr = app.test_client()
    login(hr, "bkpsdm")
    data = _form(world, nip_atasan=world.employees["disdik"].nip, csrf_token=csrf_token(hr, NEW))
    assert hr.post(NEW, data=data).status_code == 302
