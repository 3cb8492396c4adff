"""A partner's staff read their own institution's profile (read-only) from the menu and the
dashboard, and no other institution's."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import PartnerInstitution, User
from lms.extensions import db
from lms.indonesian import local_today
from lms.permissions import Role
from tests.conftest import login
from tests.factories import make_user

OWN = "/lembaga-saya"


def _partner(code: str) -> PartnerInstitution:
    return db.session.scalar(select(PartnerInstitution).where(PartnerInstitution.code == code))


@pytest.fixture
def profiled(app, world):
    """The world's partner (mitra's) with a full profile, a colleague and a disabled account;
    and a second partner with its own staff."""
    with app.app_context():
        a = _partner("BPSDMD")
        a.kind = "bpsdmd"
        a.accreditation_number = "LAN-AKR/0417/PKA/2024"
        a.accredited_on = date(2024, 3, 1)
        a.accreditation_expires_on = local_today() + timedelta(days=400)
        a.mou_number = "800/112/BKPSDM-PLG/2025"
        a.mou_starts_on = date(2025, 1, 15)
        a.mou_ends_on = date(2027, 12, 31)
        a.contact_name = "Dra. Yuliana Sari, M.Si."
        a.contact_email = "diklat@bpsdmd.example.go.id"
        a.contact_phone = "0711-352123"
        make_user(
            "staf.dua", {Role.MITRA}, partner=a, display_name="Rina Kartika", email="rina@x.id"
        )
        make_user("staf.lama", {Role.MITRA}, partner=a, display_name="Akun Lama", active=False)
        db.session.get(User, world.users["mitra"].id).display_name = "Yusuf Mitra"
        b = PartnerInstitution(
            code="UNSRI",
            name="Universitas Sriwijaya",
            kind="universitas",
            contact_name="Kontak Rahasia Unsri",
        )
        db.session.add(b)
        db.session.flush()
        make_user("staf.unsri", {Role.MITRA}, partner=b, display_name="Staf Unsri")
        db.session.commit()
        return {"a": a.id, "b": b.id}


def test_staff_read_their_institutions_profile(client, profiled):
    login(client, "mitra")
    page = client.get(OWN)
    assert page.status_code == 200
    text = page.text
    for shown in (
        "BPSDMD Provinsi Sumatera Selatan",
        "BPSDMD provinsi",  # the kind's label
        "LAN-AKR/0417/PKA/2024",
        "800/112/BKPSDM-PLG/2025",
        "15 Januari 2025",
        "31 Desember 2027",
        "Dra. Yuliana Sari, M.Si.",
        "diklat@bpsdmd.example.go.id",
        "0711-352123",
    ):
        assert shown in text, shown
    # Colleagues by name only: no usernames, e-mails, or disabled accounts.
    colleagues = text[text.index('id="colleagues"') :]
    colleagues = colleagues[: colleagues.index("</ul>")]
    assert "Rina Kartika" in colleagues and "Yusuf Mitra" in colleagues
    assert "staf.dua" not in colleagues and "rina@x.id" not in text
    assert "Akun Lama" not in text
    # Read-only: no form, nothing to post, and nothing of the other partner.
    assert "<form" not in text.split("<main", 1)[1].split("</main>", 1)[0]
    assert "Universitas Sriwijaya" not in text and "Kontak Rahasia Unsri" not in text
    assert 'data-accreditation="' not in text  # valid for 400 more days: no warning


def test_the_profile_is_reached_from_the_menu_and_the_dashboard(client, profiled):
    login(client, "mitra")
    dashboard = client.get("/dasbor").text
    assert dashboard.count(f'href="{OWN}"') >= 2  # the menu's link and the partner card's


def test_other_roles_have_no_such_page_and_nobody_reaches_another_partners_profile(
    app, client, profiled
):
    login(client, "staf.unsri")
    page = client.get(OWN).text
    assert "Universitas Sriwijaya" in page and "BPSDMD Provinsi Sumatera Selatan" not in page
    assert "Dra. Yuliana Sari" not in page and "Rina Kartika" not in page
    # BKPSDM's pages are not the partner's: every address with another partner's id refuses.
    for path in (
        f"/kelola/lembaga-mitra/{profiled['a']}",
        f"/kelola/lembaga-mitra/{profiled['a']}/ubah",
        "/kelola/lembaga-mitra",
    ):
        assert client.get(path).status_code == 403, path
    sneaky = client.get(f"{OWN}?partner_id={profiled['a']}")  # an id in the query is ignored
    assert sneaky.status_code == 200 and "Dra. Yuliana" not in sneaky.text
    for role in ("bkpsdm", "pegawai", "pengajar"):
        other = app.test_client()
        login(other, role)
        assert other.get(OWN).status_code == 403, role


@pytest.mark.parametrize(
    ("days", "key", "message"),
    [
        (-1, "expired", "Akreditasi lembaga kedaluwarsa sejak"),
        (0, "ending", "(0 hari lagi)"),  # its last valid day
        (60, "ending", "(60 hari lagi)"),
    ],
)
def test_an_expired_or_ending_accreditation_is_a_warning(app, client, profiled, days, key, message):
    with app.app_context():
        _partner("BPSDMD").accreditation_expires_on = local_today() + timedelta(days=days)
        db.session.commit()
    login(client, "mitra")
    page = client.get(OWN).text
    assert f'data-accreditation="{key}"' in page
    assert message in page


def test_no_warning_61_days_ahead(app, client, profiled):
    with app.app_context():
        _partner("BPSDMD").accreditation_expires_on = local_today() + timedelta(days=61)
        db.session.commit()
    login(client, "mitra")
    assert 'data-accreditation="' not in client.get(OWN).text
