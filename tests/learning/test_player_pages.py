"""The lesson player: its list of lessons kept rendered (lms.courses.cache), each reader's current
lesson and done lessons put in per request; the last lesson seen written on a visit; edits seen at
once in every worker."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import event, select

from lms.courses import services as courses
from lms.courses.models import Course
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.learning import services as learning
from tests.conftest import login
from tests.courses.test_course_page import enrol_with_done
from tests.factories import make_course


def _course(app, world, done: dict[str, list[int]]) -> list[str]:
    """PUTAR-101 with four lessons; the accounts named in ``done`` enrolled with those lessons
    (1-based) done."""
    with app.app_context():
        keys = enrol_with_done(
            make_course("PUTAR-101", title="Pemutar Uji", lessons=4), world, done
        )
        db.session.commit()
    return keys


def _outline(page: str) -> dict[str, tuple[bool, bool]]:
    """Each lesson of the player's list by title: (marked current, ticked done)."""
    found = {}
    for attrs, item in re.findall(
        r"<li( class=\"current\")?>\s*(<a href=\"/belajar/.*?)</li>", page, re.S
    ):
        title = re.sub(r"<[^>]+>", "", item.split("</a>")[0]).strip()
        current = bool(attrs) and 'aria-current="page"' in item
        assert bool(attrs) == ('aria-current="page"' in item), item
        found[title] = (current, "chip ok" in item)
    return found


def test_the_list_marks_each_readers_own_lesson_and_done(app, world) -> None:
    keys = _course(app, world, {"pegawai": [1, 3], "atasan": [2]})
    readers = {}
    for account in ("pegawai", "atasan"):
        readers[account] = app.test_client()
        login(readers[account], account)
    ticked = {"pegawai": (1, 3), "atasan": (2,)}
    for _round in range(2):  # built by the first page, then read back by every reader
        for account, reader in readers.items():
            for at in (1, 4):
                page = reader.get(f"/belajar/PUTAR-101/{keys[at - 1]}").get_data(as_text=True)
                assert _outline(page) == {
                    f"Pelajaran {n}": (n == at, n in ticked[account]) for n in (1, 2, 3, 4)
                }, (account, at)
                assert f"Pelajaran {at} dari 4" in page
                assert page.count('aria-current="page"') == 1


def _visit(app, account_id: int) -> tuple[str | None, object, object]:
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment).where(Enrolment.employee_id == account_id))
        return enrolment.last_lesson_key, enrolment.last_seen_at, enrolment.updated_at


def _updates(app, client, url: str) -> int:
    """How many UPDATE statements reading ``url`` runs."""
    seen = []

    def note(_conn, _cursor, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("UPDATE"):
            seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        assert client.get(url).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", note)
    return len(seen)


def test_a_visit_notes_the_last_lesson_seen(app, client, world, monkeypatch) -> None:
    """Reading a lesson writes it as the last one seen (where "continue" goes), once: reading it
    again soon writes nothing, another lesson or a later visit writes again."""
    keys = _course(app, world, {"pegawai": []})
    employee_id = world.employees["pegawai"].id
    login(client, "pegawai")
    assert _visit(app, employee_id)[:2] == (None, None)
    assert _updates(app, client, f"/belajar/PUTAR-101/{keys[2]}") == 1
    key, seen, updated = _visit(app, employee_id)
    assert key == keys[2] and seen is not None
    assert client.get("/belajar/PUTAR-101").headers["Location"].endswith(f"/{keys[2]}")
    assert _updates(app, client, f"/belajar/PUTAR-101/{keys[2]}") == 0
    assert _visit(app, employee_id) == (key, seen, updated)
    assert _updates(app, client, f"/belajar/PUTAR-101/{keys[1]}") == 1
    later_key, later_seen, later_updated = _visit(app, employee_id)
    assert later_key == keys[1] and later_seen >= seen and later_updated >= updated
    assert client.get("/belajar/PUTAR-101").headers["Location"].endswith(f"/{keys[1]}")
    monkeypatch.setattr(learning, "VISIT_WRITE_INTERVAL", timedelta(0))
    assert _updates(app, client, f"/belajar/PUTAR-101/{keys[1]}") == 1
    assert _visit(app, employee_id)[1] >= later_seen


def _publish(app, title: str) -> None:
    """A new version of PUTAR-101: lesson 1 retitled and rewritten, the module renamed."""
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "PUTAR-101"))
        draft = courses.draft_for_edit(course)
        module = draft.modules[0]
        module.title = f"Modul {title}"
        lesson = module.lessons[0]
        courses.save_lesson(module, lesson, f"Judul {title}", f"Isi {title}.", 20)
        courses.publish(None, draft)
        db.session.commit()


def test_a_lesson_edit_shows_at_once_in_every_worker(app, client, world, worker_app) -> None:
    keys = _course(app, world, {"pegawai": [1]})
    other_app = worker_app()
    other = other_app.test_client()
    url = f"/belajar/PUTAR-101/{keys[0]}"
    for each in (client, other):
        login(each, "pegawai")
        assert "Isi pelajaran 1." in each.get(url).get_data(as_text=True)
    for where, title in ((app, "Kedua"), (other_app, "Ketiga")):
        _publish(where, title)
        for each in (client, other):
            page = each.get(url).get_data(as_text=True)
            assert f"Isi {title}." in page and f"Judul {title}" in page
            assert f"Modul 1: Modul {title}" in page
            assert _outline(page)[f"Judul {title}"] == (True, True)  # progress kept by key


def test_a_visit_starts_a_new_generation_of_the_learners_own_enrolments_only(
    app, client, world
) -> None:
    """The last lesson seen orders the learner's kept enrolments (dashboard, catalogue): a visit
    starts a new generation of theirs (courses.cache.MINE), nobody else's."""
    from lms.courses import cache as course_cache

    keys = _course(app, world, {"pegawai": [], "atasan": []})
    pegawai, atasan = world.employees["pegawai"].id, world.employees["atasan"].id

    def tokens() -> tuple[str, str, str]:
        with app.app_context():
            mine = course_cache.MINE
            return mine.token(), mine.token(pegawai), mine.token(atasan)

    login(client, "pegawai")
    before = tokens()
    assert client.get(f"/belajar/PUTAR-101/{keys[1]}").status_code == 200
    after = tokens()
    assert after[0] == before[0]  # everybody's: unchanged
    assert after[1] != before[1]  # the learner's own: new
    assert after[2] == before[2]


def test_each_reader_gets_their_own_progress_done_button_and_token(app, world) -> None:
    """One lesson's page is kept for every learner (lms.learning.player); what is the reader's
    own goes in at its marks on every page."""
    keys = _course(app, world, {"pegawai": [2], "atasan": []})
    with app.app_context():
        for enrolment in db.session.scalars(select(Enrolment)):
            enrolment.progress = 25 if enrolment.employee_id == world.employees["pegawai"].id else 0
        db.session.commit()
    expected = {
        "pegawai": ("25", "yes", "Berikutnya"),
        "atasan": ("0", "no", "Tandai selesai dan lanjut"),
    }
    for _round in range(2):  # built by the first page, then read back by every reader
        for account, (progress, done, button) in expected.items():
            reader = app.test_client()
            login(reader, account)
            page = reader.get(f"/belajar/PUTAR-101/{keys[1]}").get_data(as_text=True)
            assert f"Kemajuan: {progress}%" in page and f'value="{progress}" max="100"' in page
            assert (
                f'data-done="{done}"' in page and f'<button type="submit">{button}</button>' in page
            )
            token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
            assert page.count(f'value="{token}"') == 3  # logout, done button, language
            assert "<!--mark:" not in page


def test_a_lesson_body_is_never_taken_for_a_mark(app, client, world) -> None:
    """The body goes into the kept page after it is split at its marks: even a comment that
    looks like one (the sanitiser strips comments; this one is written behind its back) stays."""
    from lms.courses.models import Lesson

    keys = _course(app, world, {"pegawai": []})
    with app.app_context():
        lesson = db.session.scalar(select(Lesson).where(Lesson.key == keys[0]))
        lesson.body_html = "<p>Isi</p><!--mark:csrf--><!--mark:outline-->"
        db.session.commit()
    login(client, "pegawai")
    page = client.get(f"/belajar/PUTAR-101/{keys[0]}").get_data(as_text=True)
    assert "<p>Isi</p><!--mark:csrf--><!--mark:outline-->" in page
