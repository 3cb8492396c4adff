"""Lesson player: access, outline, done by button or on reaching the end, progress, resume."""

from __future__ import annotations

import re

from lms.auth.models import User
from lms.courses import services as courses
from lms.courses.models import Course
from lms.courses.rendering import render_markdown
from lms.enrolments import services as enrolments
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_course


def _enrolled(app, world, lessons: int = 4) -> tuple[str, list[str]]:
    with app.app_context():
        course = make_course("BELAJAR-101", title="Belajar Uji", lessons=lessons)
        enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        keys = [lesson.key for lesson in course.published_version.modules[0].lessons]
        db.session.commit()
    return "BELAJAR-101", keys


def test_two_lessons_move_the_progress_bar_and_resume(app, client, world) -> None:
    code, keys = _enrolled(app, world)
    login(client, "pegawai")
    first = client.get(f"/belajar/{code}")
    assert first.headers["Location"].endswith(f"/belajar/{code}/{keys[0]}")
    page = client.get(f"/belajar/{code}/{keys[0]}").get_data(as_text=True)
    assert "Pelajaran 1 dari 4" in page and "Isi pelajaran 1." in page
    token = csrf_token(client, f"/belajar/{code}/{keys[0]}")
    done = client.post(
        f"/belajar/{code}/{keys[0]}/selesai", data={"csrf_token": token, "next_key": keys[1]}
    )
    assert done.headers["Location"].endswith(keys[1])
    # Reaching the end of a lesson: the page script posts with the CSRF header.
    response = client.post(
        f"/belajar/{code}/{keys[1]}/selesai",
        headers={"X-CSRFToken": token, "Accept": "application/json"},
    )
    assert response.json == {"done": True, "progress": 50}
    assert 'value="50"' in client.get(f"/pelatihan/{code}").get_data(as_text=True)
    # Log out and in again: "continue" goes back to the last lesson seen.
    client.post("/keluar", data={"csrf_token": token})
    login(client, "pegawai")
    assert client.get(f"/belajar/{code}").headers["Location"].endswith(keys[1])
    assert "Kemajuan 50%" in client.get("/dasbor").get_data(as_text=True)


def test_course_page_ticks_the_lessons_done(app, client, world) -> None:
    """Courses show the learner's progress through learning's part of the course page."""
    code, keys = _enrolled(app, world)
    login(client, "pegawai")
    token = csrf_token(client, f"/belajar/{code}/{keys[0]}")
    for key in (keys[0], keys[2]):
        client.post(
            f"/belajar/{code}/{key}/selesai",
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
    page = client.get(f"/pelatihan/{code}").get_data(as_text=True)
    ticked = re.findall(
        r"Pelajaran (\d)</a>\s*<small>[^<]*</small>\s*<span class=\"chip ok\">", page
    )
    assert ticked == ["1", "3"]


def test_marking_done_twice_counts_once(app, client, world) -> None:
    code, keys = _enrolled(app, world)
    login(client, "pegawai")
    token = csrf_token(client, f"/belajar/{code}/{keys[0]}")
    for _ in range(2):
        r = client.post(
            f"/belajar/{code}/{keys[0]}/selesai",
            headers={"X-CSRFToken": token, "Accept": "application/json"},
        )
    assert r.json["progress"] == 25


def test_mark_done_without_csrf_is_refused(app, client, world) -> None:
    code, keys = _enrolled(app, world)
    login(client, "pegawai")
    assert client.post(f"/belajar/{code}/{keys[0]}/selesai").status_code == 400


def test_not_enrolled_cannot_open_lessons(app, client, world) -> None:
    code, keys = _enrolled(app, world)
    login(client, "atasan")
    assert client.get(f"/belajar/{code}/{keys[0]}").status_code == 403
    learner = client.application.test_client()
    login(learner, "pegawai")
    assert learner.get(f"/belajar/{code}/tidakada").status_code == 404


def test_new_version_keeps_progress_on_lessons_that_still_exist(app, world) -> None:
    code, keys = _enrolled(app, world)
    with app.app_context():
        from lms.learning import services

        course = db.session.scalar(db.select(Course).where(Course.code == code))
        enrolment = enrolments.find(
            course, db.session.get(User, world.users["pegawai"].id).employee
        )
        lessons = course.published_version.modules[0].lessons
        services.mark_done(enrolment, lessons[0])
        services.mark_done(enrolment, lessons[3])
        assert enrolment.progress == 50
        draft = courses.draft_for_edit(course)
        assert draft.number == 2 and course.published_version.number == 1
        removed = draft.modules[0].lessons[3]
        draft.modules[0].lessons.remove(removed)
        db.session.delete(removed)
        db.session.flush()
        courses.submit_for_review(draft)
        courses.publish(None, draft)
        db.session.refresh(enrolment)
        # Lesson 1 still exists (same key) and stays done; the removed lesson no longer counts.
        assert course.published_version.number == 2
        assert enrolment.progress == 33
        db.session.rollback()


def test_markdown_is_rendered_inert() -> None:
    html = render_markdown(
        "<script>alert(1)</script>\n\n[klik](javascript:alert(1))\n\n"
        '<img src=x onerror="alert(1)">\n\n<iframe src="https://evil.example"></iframe>\n\n'
        "**tebal** dan [tautan](https://palembang.go.id)"
    )
    assert "<script" not in html and "<iframe" not in html and "<img" not in html
    assert 'href="javascript' not in html
    assert not re.search(r"<[^>]*onerror", html)  # only ever shown as escaped text
    assert "<strong>tebal</strong>" in html
    assert 'href="https://palembang.go.id"' in html and 'rel="noopener noreferrer nofollow"' in html
