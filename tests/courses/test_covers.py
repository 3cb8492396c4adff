"""A course cover uploaded in authoring appears in the catalogue and on the course page
(issue 15, point 3), served with a cache policy that fits what may change."""

from __future__ import annotations

import re

import pytest

from lms.auth.models import User
from lms.courses import services
from lms.courses.authoring import files
from lms.courses.authoring import services as authoring
from lms.extensions import db
from tests.conftest import login
from tests.courses.access import png_bytes
from tests.factories import make_course

PLACEHOLDER = "/static/img/cover-default.svg"


@pytest.fixture
def covered(app, world) -> dict:
    """A published course of `pengajar` with a cover, a published one without, and a draft
    version 2 of the first whose cover was replaced (not yet published)."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course(
            "SAMPUL-101", title="Pelatihan Bersampul", published=False, trainer=trainer
        )
        version = course.latest_version
        authoring.save_draft_meta(
            version,
            {"title": version.title, "competency_kind": "teknis", "jp": 4},
            files.check_image("sampul.png", png_bytes((64, 36), "#0b5d4b")),
            False,
        )
        services.publish(None, version)
        plain = make_course("SAMPUL-201", title="Pelatihan Polos")
        draft = services.draft_for_edit(course)
        authoring.save_draft_meta(
            draft,
            {"title": draft.title, "competency_kind": "teknis", "jp": 4},
            files.check_image("baru.png", png_bytes((64, 36), "#aa0000")),
            False,
        )
        db.session.commit()
        return {"course": course.id, "plain": plain.id, "draft_number": draft.number}


def _img(html: str, src_part: str) -> str:
    tag = re.search(rf'<img[^>]*src="[^"]*{re.escape(src_part)}[^"]*"[^>]*>', html)
    assert tag, f"no <img> with {src_part}"
    return tag.group(0)


def test_the_catalogue_shows_the_uploaded_cover(app, client, covered) -> None:
    """Bug: the cover was stored and shown in the preview only, never in the catalogue."""
    login(client, "pegawai")
    html = client.get("/pelatihan").get_data(as_text=True)
    tag = _img(html, f"/berkas/sampul/{covered['course']}?versi=1")
    assert 'alt="Sampul pelatihan Pelatihan Bersampul"' in tag
    image = client.get(re.search(r'src="([^"]+)"', tag).group(1))
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data == png_bytes((64, 36), "#0b5d4b")  # the published cover, not the draft's


def test_the_course_page_shows_the_uploaded_cover(app, client, covered) -> None:
    login(client, "pegawai")
    html = client.get("/pelatihan/SAMPUL-101").get_data(as_text=True)
    tag = _img(html, f"/berkas/sampul/{covered['course']}?versi=1")
    assert 'alt="Sampul pelatihan Pelatihan Bersampul"' in tag


def test_a_course_without_cover_gets_the_placeholder(app, client, covered) -> None:
    login(client, "pegawai")
    catalogue = client.get("/pelatihan").get_data(as_text=True)
    card = catalogue[catalogue.index("Pelatihan Polos") - 900 : catalogue.index("Pelatihan Polos")]
    assert 'alt=""' in _img(card, PLACEHOLDER)  # decorative: it says nothing
    page = client.get("/pelatihan/SAMPUL-201").get_data(as_text=True)
    _img(page, PLACEHOLDER)
    assert "/berkas/sampul/" not in page
    assert client.get(f"/berkas/sampul/{covered['plain']}").status_code == 404
    assert client.get(PLACEHOLDER).status_code == 200


def test_a_published_cover_is_cached_for_a_day_privately(app, client, covered) -> None:
    login(client, "pegawai")
    response = client.get(f"/berkas/sampul/{covered['course']}?versi=1")
    cache = response.cache_control
    assert cache.private and not cache.public
    assert cache.max_age == 86_400 and cache.immutable
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    again = client.get(
        f"/berkas/sampul/{covered['course']}?versi=1",
        headers={"If-None-Match": response.headers["ETag"]},
    )
    assert again.status_code == 304


def test_a_draft_cover_is_for_its_authors_and_never_cached(app, client, covered) -> None:
    url = f"/berkas/sampul/{covered['course']}?versi={covered['draft_number']}"
    login(client, "pegawai")
    assert client.get(url).status_code == 403
    trainer = app.test_client()
    login(trainer, "pengajar")
    response = trainer.get(url)
    assert response.status_code == 200
    assert response.data == png_bytes((64, 36), "#aa0000")
    assert response.cache_control.no_cache and not response.cache_control.immutable


def test_an_unknown_version_is_not_found(app, client, covered) -> None:
    login(client, "pengajar")
    assert client.get(f"/berkas/sampul/{covered['course']}?versi=99").status_code == 404
