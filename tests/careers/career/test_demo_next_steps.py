"""`careers` shows the right next step for the demo's pelaksana (`pegawai`), fungsional
(`pengajar`, an Analis SDM Aparatur Ahli Pertama) and pengawas (`atasan`) (issue 17)."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.org.demo import DEMO_PASSWORD, load_demo
from tests.careers.career.test_next_steps import _card, _options
from tests.conftest import login

EXPECTED = {
    "pegawai": (
        ("pelaksana", "pelaksana"),
        ["Jabatan Pengawas", "Ahli Pertama (Jabatan Fungsional)", "Terampil (Jabatan Fungsional)"],
        ("Jabatan Pengawas", "(PKP)"),
    ),
    "pengajar": (
        ("fungsional", "ahli_pertama"),
        ["Ahli Muda (Jabatan Fungsional)", "Jabatan Pengawas"],
        ("Ahli Muda (Jabatan Fungsional)", "Uji Kompetensi Jenjang Ahli Muda"),
    ),
    "atasan": (
        ("pengawas", "pengawas"),
        ["Jabatan Administrator"],
        ("Jabatan Administrator", "(PKA)"),
    ),
}


def test_the_demo_has_a_pelaksana_a_fungsional_and_a_pengawas_with_their_next_steps(app) -> None:
    with app.app_context():
        load_demo()
        db.session.commit()
        for username, (position, *_rest) in EXPECTED.items():
            employee = db.session.scalar(select(User).where(User.username == username)).employee
            assert (employee.jabatan_type_code, employee.jabatan_level_code) == position
    for username, (_position, options, (card, text)) in EXPECTED.items():
        client = app.test_client()
        login(client, username, DEMO_PASSWORD)
        page = client.get("/karier").get_data(as_text=True)
        assert _options(page) == options, username
        assert text in _card(page, card), username
    # The pengawas is PKP's holder: their own position's rule shows on their page too.
    client = app.test_client()
    login(client, "atasan", DEMO_PASSWORD)
    assert "Jabatan saat ini: Pengawas" in client.get("/karier").get_data(as_text=True)
