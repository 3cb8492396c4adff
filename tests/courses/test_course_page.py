"""The course page: its shared parts kept rendered (lms.courses.cache, lms.courses.fragments),
each reader's own parts put in per request; course edits seen at once in every worker; queries
flat as lessons and done lessons grow."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import insert, select

from lms.auth.models import User
from lms.courses.models import Course, CourseTrainer, Lesson, Module
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment, LessonProgress
from lms.extensions import db
from tests.conftest import csrf_token, login
from tests.factories import make_course
from tests.test_query_counts import count_queries


def _enrol(app, world, code: str, done: dict[str, list[int]]) -> list[str]:
    """Enrol the accounts named in ``done`` in ``code`` with those lessons (1-based) done."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        keys = enrol_with_done(course, world, done)
        db.session.commit()
    return keys


def enrol_with_done(course: Course, world, done: dict[str, list[int]]) -> list[str]:
    """In an app context: the accounts named in ``done`` enrolled in ``course`` with those
    lessons (1-based) done; the keys of its lessons."""
    keys = [lesson.key for lesson in course.published_version.modules[0].lessons]
    for account, lessons in done.items():
        enrolment = enrolments.enrol_self(db.session.get(User, world.users[account].id), course)
        for n in lessons:
            db.session.add(LessonProgress(enrolment_id=enrolment.id, lesson_key=keys[n - 1]))
    return keys


def _syllabus(page: str) -> dict[str, tuple[bool, bool]]:
    """Each lesson of the syllabus by title: (linked, ticked done)."""
    items = re.findall(r"<li>\s*(.*?)</li>", page, re.S)
    found = {}
    for item in items:
        if "menit" not in item:
            continue
        title = re.sub(r"<[^>]+>", "", item.split("<small>")[0]).strip()
        found[title] = ("/belajar/" in item, "chip ok" in item)
    return found


def test_links_and_done_chips_are_each_readers_own(app, world) -> None:
    with app.app_context():
        make_course("MILIK-101", title="Milik Sendiri", lessons=3)
        db.session.commit()
    _enrol(app, world, "MILIK-101", {"pegawai": [1, 3], "atasan": [2]})
    readers = {}
    for account in ("pegawai", "atasan", "target"):
        readers[account] = app.test_client()
        login(readers[account], "target.user" if account == "target" else account)
    ticked = {"pegawai": (1, 3), "atasan": (2,), "target": ()}
    expected = {
        account: {f"Pelajaran {n}": (account != "target", n in ticks) for n in (1, 2, 3)}
        for account, ticks in ticked.items()
    }
    for _round in range(2):  # built by the first reader, then read back by every one
        for account, reader in readers.items():
            page = reader.get("/pelatihan/MILIK-101").get_data(as_text=True)
            assert _syllabus(page) == expected[account], account
            assert ("Mulai belajar" in page) == (account != "target"), account


def _facts(client) -> tuple[str, str]:
    """The seats left and what the enrolment box says of the course page of KURSI-101."""
    page = client.get("/pelatihan/KURSI-101").get_data(as_text=True)
    seats = re.search(r"Sisa kursi</dt><dd>([^<]*)</dd>", page).group(1)
    reason = re.search(r'id="enrol-reason"><small>([^<]*)</small>', page)
    return seats, reason.group(1) if reason else "open"


def _set(app, **values: object) -> None:
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "KURSI-101"))
        for name, value in values.items():
            setattr(course, name, value)
        db.session.commit()


def test_course_settings_show_at_once_in_every_worker(app, client, world, worker_app) -> None:
    """The page reads the course's enrolment settings from its kept head: a change committed in
    one worker is on the next page of every worker."""
    with app.app_context():
        make_course("KURSI-101", title="Kursi Terbatas")
        db.session.commit()
    other = worker_app().test_client()
    for each in (client, other):
        login(each, "pegawai")
        assert _facts(each) == ("tidak dibatasi", "open")
    _set(app, capacity=7, enrol_deadline=date.today() - timedelta(days=1))
    for each in (client, other):
        assert _facts(each) == ("7", "Batas waktu pendaftaran sudah lewat.")
    _set(worker_app(), self_enrol=False, enrol_deadline=None)
    for each in (client, other):
        assert _facts(each) == ("7", "Pendaftaran pelatihan ini dilakukan oleh BKPSDM.")


def test_a_new_trainer_sees_the_forum_link_at_once(app, client, world, worker_app) -> None:
    """The kept head names the course's trainers (the forum link is for its staff): a trainer
    added starts a new generation, so the link shows on the next page in every worker."""
    with app.app_context():
        make_course("FORUM-101", title="Forum Uji")
        db.session.commit()
    other = worker_app().test_client()
    for each in (client, other):
        login(each, "pengajar")
        assert "Forum diskusi pelatihan" not in each.get("/pelatihan/FORUM-101").get_data(
            as_text=True
        )
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "FORUM-101"))
        db.session.add(CourseTrainer(course_id=course.id, user_id=world.users["pengajar"].id))
        db.session.commit()
    for each in (client, other):
        assert "Forum diskusi pelatihan" in each.get("/pelatihan/FORUM-101").get_data(as_text=True)


def _grow(app, code: str, employee_id: int, start: int, n: int) -> None:
    """``n`` lessons more in the published version of ``code``, each done by ``employee_id``."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == code))
        version_id = course.published_version_id
        module_id = db.session.scalar(select(Module.id).where(Module.version_id == version_id))
        enrolment_id = db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == course.id, Enrolment.employee_id == employee_id
            )
        )
        keys = [f"tumbuh{i:05d}" for i in range(start, start + n)]
        db.session.execute(
            insert(Lesson),
            [
                {
                    "module_id": module_id,
                    "version_id": version_id,
                    "key": key,
                    "position": 100 + i,
                    "title": f"Pelajaran tambahan {i}",
                    "body_md": "Isi",
                    "body_html": "<p>Isi</p>",
                    "minutes": 5,
                }
                for i, key in enumerate(keys, start)
            ],
        )
        db.session.execute(
            insert(LessonProgress), [{"enrolment_id": enrolment_id, "lesson_key": k} for k in keys]
        )
        db.session.commit()


def test_course_and_lesson_pages_flat_from_10_to_1000_lessons(app, world, monkeypatch) -> None:
    """Kept or not, the course page (enrolled with every lesson done, and not enrolled) and the
    lesson player ask the same number of queries for 10 lessons and for 1,000."""
    monkeypatch.setitem(app.config, "NOTIFICATIONS_UNREAD_SECONDS", 30)  # off in TestingConfig
    with app.app_context():
        make_course("RUANG-101", title="Ruang Tumbuh", lessons=2, capacity=5000)
        db.session.commit()
    keys = _enrol(app, world, "RUANG-101", {"pegawai": [1, 2]})
    employee_id = world.employees["pegawai"].id
    _grow(app, "RUANG-101", employee_id, 0, 8)
    learner, outsider = app.test_client(), app.test_client()
    login(learner, "pegawai")
    login(outsider, "target.user")
    pages = (
        (learner, "/pelatihan/RUANG-101"),
        (learner, f"/belajar/RUANG-101/{keys[0]}"),
        (outsider, "/pelatihan/RUANG-101"),
    )

    def measure() -> list[int]:
        counts = []
        for reader, url in pages:
            for _ in range(2):  # the shared parts kept, the visit noted, then the visit kept
                reader.get(url)
            with count_queries(app) as counter:
                page = reader.get(url)
            assert page.status_code == 200, url
            counts.append(counter["n"])
        return counts

    small = measure()
    _grow(app, "RUANG-101", employee_id, 8, 990)
    large = measure()
    assert large == small
    page = learner.get("/pelatihan/RUANG-101").get_data(as_text=True)
    assert page.count("chip ok") == 1000
    # not enrolled: the account (not kept in tests) and the seats taken; that there is no
    # enrolment comes from the learner's kept enrolments
    assert small[2] <= 2, small


def test_a_mark_typed_into_course_text_stays_text(app, client, world) -> None:
    """Marks are found in the rendered shared parts; text an author typed is escaped before, so
    it can never open a slot."""
    with app.app_context():
        course = make_course("TANDA-101", title="Judul <!--mark:enrol--> aneh", lessons=1)
        course.published_version.modules[0].lessons[0].title = "Pelajaran <!--mark:done.0-->"
        db.session.commit()
    login(client, "pegawai")
    page = client.get("/pelatihan/TANDA-101").get_data(as_text=True)
    assert "Judul &lt;!--mark:enrol--&gt; aneh" in page
    assert "Pelajaran &lt;!--mark:done.0--&gt;" in page
    assert page.count('action="/pelatihan/TANDA-101/daftar"') == 1
    assert "<!--mark:" not in page


def test_enrolling_and_withdrawing_show_at_once_in_every_worker(
    app, client, world, worker_app
) -> None:
    """Whether the reader is enrolled comes from their kept enrolments (courses.queries
    .learner_enrolments): an enrolment made or withdrawn in one worker shows on the next course
    page in every other."""
    with app.app_context():
        make_course("IKUT-101", title="Ikut Serta")
        db.session.commit()
    other = worker_app().test_client()
    for each in (client, other):
        login(each, "pegawai")
        assert "Mulai belajar" not in each.get("/pelatihan/IKUT-101").get_data(as_text=True)
    client.post("/pelatihan/IKUT-101/daftar", data={"csrf_token": csrf_token(client, "/pelatihan")})
    for each in (client, other):
        assert "Mulai belajar" in each.get("/pelatihan/IKUT-101").get_data(as_text=True)
    page = other.get("/pelatihan/IKUT-101").get_data(as_text=True)
    withdraw = re.search(r'action="(/pendaftaran/\d+/batal)"', page).group(1)
    token = csrf_token(other, "/pelatihan/IKUT-101")
    assert other.post(withdraw, data={"csrf_token": token, "confirm": "1"}).status_code == 302
    for each in (client, other):
        page = each.get("/pelatihan/IKUT-101").get_data(as_text=True)
        assert "Mulai belajar" not in page and "Batalkan pendaftaran" not in page
