"""Module titles are not doubled ("Modul 1: Modul 1: ..."), issue 15 point 4.

The pages number modules by their order; the demo content also wrote the number into each
title. Titles are now stored bare (the loader, the authoring forms and migration 0008b strip a
leading "Modul N:"), and every page that names a module numbers it the same way.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy import select

from lms import create_app
from lms.auth.models import User
from lms.content import load_content
from lms.courses.models import Course, CourseTrainer, Module
from lms.courses.services import bare_module_title
from lms.enrolments.models import Enrolment
from lms.extensions import db
from tests.conftest import login
from tests.factories import make_course

CONTENT = Path(__file__).resolve().parents[2] / "content"


@pytest.mark.parametrize(
    ("title", "bare"),
    [
        ("Modul 1: Dasar Komunikasi Efektif", "Dasar Komunikasi Efektif"),
        ("  modul 12 - Penutup ", "Penutup"),
        ("Modul II – Etika Digital", "Etika Digital"),
        ("Module 3. Pengantar", "Pengantar"),
        ("Modul 1", "Modul 1"),  # the title is the number: kept
        ("Modul 1:", "Modul 1:"),
        ("Modul 1.5 Topik Lanjutan", "Modul 1.5 Topik Lanjutan"),
        ("Modul Civil: Tata Kelola", "Modul Civil: Tata Kelola"),
        ("Modularisasi Layanan", "Modularisasi Layanan"),
        ("Pelayanan Prima", "Pelayanan Prima"),
    ],
)
def test_bare_module_title(title: str, bare: str) -> None:
    assert bare_module_title(title) == bare


@pytest.fixture
def loaded(app, world) -> dict:
    """The demo course KOM-101 from content/ (its course.yaml titles say "Modul 1: ...")."""
    with app.app_context():
        result = load_content(CONTENT / "courses" / "KOM-101")
        assert result.errors == []
        course = db.session.scalar(select(Course).where(Course.code == "KOM-101"))
        course.trainers.append(CourseTrainer(user_id=world.users["pengajar"].id))
        db.session.add(
            Enrolment(
                course_id=course.id, employee_id=world.employees["pegawai"].id, status="active"
            )
        )
        db.session.commit()
        version = course.published_version
        return {
            "course": course.id,
            "titles": [m.title for m in version.modules],
            "lesson": version.modules[0].lessons[0].key,
        }


def _headings(html: str) -> list[str]:
    return re.findall(r"Modul \d+: [^<]+", html)


def test_the_loader_stores_bare_titles(loaded) -> None:
    assert loaded["titles"] == ["Dasar Komunikasi Efektif", "Pelayanan Prima"]


def test_no_page_doubles_the_module_number(app, client, loaded) -> None:
    """Bug: the authoring page and the preview printed "Modul 1: Modul 1: Dasar ..."."""
    expected = ["Modul 1: Dasar Komunikasi Efektif", "Modul 2: Pelayanan Prima"]
    login(client, "pengajar")
    for url in (
        f"/kelola/pelatihan/{loaded['course']}",
        f"/kelola/pelatihan/{loaded['course']}/pratinjau",
    ):
        html = client.get(url).get_data(as_text=True)
        assert "Modul 1: Modul 1" not in html, url
        assert set(_headings(html)) == set(expected), url
    learner = app.test_client()
    login(learner, "pegawai")
    for url in ("/pelatihan/KOM-101", f"/belajar/KOM-101/{loaded['lesson']}"):
        response = learner.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert "Modul 1: Modul 1" not in html, url
        assert _headings(html) == expected, url


def test_a_trainer_typing_the_number_gets_it_once(app, client, world, no_csrf) -> None:
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        course = make_course("JUDUL-101", published=False, trainer=trainer)
        module_id = course.latest_version.modules[0].id
        db.session.commit()
        course_id = course.id
    login(client, "pengajar")
    client.post(f"/kelola/pelatihan/{course_id}/modul", data={"baru-title": "Modul 2: Penutup"})
    client.post(
        f"/kelola/pelatihan/{course_id}/modul/{module_id}",
        data={f"m{module_id}-title": "Modul 1 - Pembuka"},
    )
    with app.app_context():
        titles = list(
            db.session.scalars(select(Module.title).where(Module.version_id.is_not(None)))
        )
    assert sorted(titles) == ["Pembuka", "Penutup"]
    html = client.get(f"/kelola/pelatihan/{course_id}").get_data(as_text=True)
    assert _headings(html) == ["Modul 1: Pembuka", "Modul 2: Penutup"]


def test_migration_strips_stored_numbers(databases, tmp_path) -> None:
    """Databases loaded before the fix hold "Modul 1: ..." in published versions: 0008b strips
    it and leaves other titles alone."""
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": databases.new("modul"), "FILES_DIR": str(tmp_path)},
        env="testing",
    )
    now = "2026-12-01 00:00:00"
    with app.app_context():
        upgrade(revision="0007f")
        with db.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO categories (id, name, position) VALUES (1, 'K', 0)"))
            conn.execute(
                sa.text(
                    "INSERT INTO courses (id, code, category_id, archived, self_enrol, "
                    "approval_steps, require_lessons, require_posttest, require_evaluation, "
                    "search_text, created_at, updated_at) VALUES "
                    "(1, 'MIG-101', 1, false, true, '', true, true, true, '', :t, :t)"
                ),
                {"t": now},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO course_versions (id, course_id, number, status, title, summary, "
                    "objectives, competency_kind, jp, delivery_mode, organiser, tags, "
                    "review_comment, created_at, updated_at) VALUES (1, 1, 1, 'published', 'M', "
                    "'', '[]', 'teknis', 4, 'e-learning', '', '[]', '', :t, :t)"
                ),
                {"t": now},
            )
            titles = ["Modul 1: Dasar", "Modul 2 - Lanjutan", "Modul 3", "Modularisasi", "Etika"]
            for i, title in enumerate(titles, 1):
                conn.execute(
                    sa.text(
                        "INSERT INTO modules (id, version_id, position, title) "
                        "VALUES (:i, 1, :p, :title)"
                    ),
                    {"i": i, "p": i - 1, "title": title},
                )
        upgrade(revision="0008b")
        with db.engine.connect() as conn:
            stored = list(conn.execute(sa.text("SELECT title FROM modules ORDER BY id")).scalars())
        db.engine.dispose()
    assert stored == ["Dasar", "Lanjutan", "Modul 3", "Modularisasi", "Etika"]
