"""BKPSDM adds catalogue areas beyond the five of the mission."""

from sqlalchemy import select

from lms.courses.models import Category
from lms.courses.services import category_named, ensure_default_categories
from lms.extensions import db
from tests.conftest import csrf_token, login


def test_bkpsdm_adds_an_area_and_duplicates_are_refused(app, client, world) -> None:
    with app.app_context():
        ensure_default_categories()
        db.session.commit()
    login(client, "bkpsdm")
    page = client.get("/kelola/kategori").get_data(as_text=True)
    assert "Manajemen Pelayanan Publik" in page and "Kepemimpinan" in page
    token = csrf_token(client, "/kelola/kategori")
    assert (
        client.post(
            "/kelola/kategori", data={"csrf_token": token, "name": "Keuangan  Daerah"}
        ).status_code
        == 302
    )
    again = client.post("/kelola/kategori", data={"csrf_token": token, "name": "keuangan daerah"})
    assert "sudah ada" in again.get_data(as_text=True)
    short = client.post("/kelola/kategori", data={"csrf_token": token, "name": "X"})
    assert "3 sampai 100 karakter" in short.get_data(as_text=True)
    with app.app_context():
        names = list(db.session.scalars(select(Category.name)))
        assert names.count("Keuangan Daerah") == 1 and len(names) == 6


def test_category_named_is_the_one_lookup_of_the_view(app, client, world) -> None:
    """The page and the loader share ``category_named``: same name in any case or spacing."""
    login(client, "bkpsdm")
    token = csrf_token(client, "/kelola/kategori")
    client.post("/kelola/kategori", data={"csrf_token": token, "name": "Hukum  Kepegawaian"})
    with app.app_context():
        found = category_named(" hukum kepegawaian ", create=False)
        assert found is not None and found.name == "Hukum Kepegawaian"
        assert category_named("HUKUM KEPEGAWAIAN").id == found.id
        assert category_named("Tata Naskah", create=False) is None
        made = category_named("Tata  Naskah")
        assert made.name == "Tata Naskah" and made.position > found.position
