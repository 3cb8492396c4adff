"""PPPK employees (issue 13 point 24): their own golongan I–XVII, and the NIP rule picked by the
employee's kind, never guessed from an invalid appointment month."""

from __future__ import annotations

import io

from sqlalchemy import select

from lms.extensions import db
from lms.org.models import Employee, Golongan
from tests.conftest import csrf_token, login
from tests.org.test_employees import _form

PPPK_NIP = "19900101 2022 21 2 001"  # the two digits after the year are not a month


def test_reference_data_holds_both_golongan_scales(app, world) -> None:
    with app.app_context():
        rows = db.session.scalars(select(Golongan).order_by(Golongan.kind, Golongan.rank)).all()
        pns = [g.code for g in rows if g.kind == "pns"]
        pppk = [g.code for g in rows if g.kind == "pppk"]
        assert pns[0] == "I/a" and pns[-1] == "IV/e" and len(pns) == 17
        assert pppk[0] == "I" and pppk[-1] == "XVII" and len(pppk) == 17
        ix = db.session.get(Golongan, "IX")
        assert (ix.siasn_id, ix.label) == (None, "Golongan IX (PPPK)")


def test_pppk_employee_is_saved_with_a_pppk_golongan(app, client, world) -> None:
    login(client, "bkpsdm")
    form_page = client.get("/organisasi/pegawai/baru").get_data(as_text=True)
    assert "Golongan XVII (PPPK)" in form_page and "Pembina Utama (IV/e)" in form_page
    data = _form(
        world,
        nip=PPPK_NIP,
        status="pppk",
        golongan="IX",
        csrf_token=csrf_token(client, "/organisasi/pegawai/baru"),
    )
    response = client.post("/organisasi/pegawai/baru", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    with app.app_context():
        emp = db.session.scalar(select(Employee).where(Employee.nip == "199001012022212001"))
        assert (emp.kind, emp.golongan_code, emp.gender) == ("pppk", "IX", "P")


def test_grade_of_the_other_scale_is_refused(app, client, world) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/pegawai/baru")
    page = client.post(
        "/organisasi/pegawai/baru",
        data=_form(world, nip=PPPK_NIP, status="pppk", golongan="III/b", csrf_token=token),
    ).get_data(as_text=True)
    assert "Golongan III/b adalah golongan PNS; pegawai PPPK memakai golongan I–XVII" in page
    page = client.post(
        "/organisasi/pegawai/baru", data=_form(world, golongan="IX", csrf_token=token)
    ).get_data(as_text=True)
    assert "Golongan IX adalah golongan PPPK (I–XVII); pegawai PNS memakai golongan" in page
    with app.app_context():
        assert (
            db.session.scalar(select(Employee).where(Employee.full_name == "Ahmad Fauzi")) is None
        )


def test_pppk_number_typed_as_pns_is_an_error_not_a_silent_pppk(app, client, world) -> None:
    """Before the fix a month of 13 (or 00) made the employee a PPPK without anyone choosing it."""
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/pegawai/baru")
    for nip in ("19900101 2015 13 1 001", "19900101 2015 00 1 001"):
        page = client.post(
            "/organisasi/pegawai/baru", data=_form(world, nip=nip, csrf_token=token)
        ).get_data(as_text=True)
        assert "harus 01 sampai 12. Untuk pegawai PPPK, pilih status kepegawaian PPPK." in page
    with app.app_context():
        assert (
            db.session.scalar(select(Employee).where(Employee.full_name == "Ahmad Fauzi")) is None
        )


def test_import_without_status_checks_the_pns_layout(app, client, world) -> None:
    """An import row without a status column is a PNS: month 13 is named as the NIP's error."""
    login(client, "bkpsdm")
    csv = (
        "nip,nama,kode_unit\n"
        "199001012015131001,Budi Salah Ketik,DINKES-YANKES\n"
        "199001012022212001,Siti PPPK Tanpa Status,DINKES-YANKES\n"
    )
    token = csrf_token(client, "/organisasi/impor")
    page = client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "pegawai.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Bulan pengangkatan pada NIP (13) harus 01 sampai 12." in page
    assert "Bulan pengangkatan pada NIP (21) harus 01 sampai 12." in page
    assert 'name="key"' not in page  # nothing to confirm
    # With the status column saying PPPK the same number passes, with a PPPK golongan.
    csv = "nip,nama,status,golongan,kode_unit\n199001012022212001,Siti,PPPK,v,DINKES-YANKES\n"
    page = client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "pegawai.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert "Berkas siap diimpor" in page
