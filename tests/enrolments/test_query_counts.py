"""Approval queues, nomination page, bulk preview, notifications and the dashboard sections
issue the same number of queries with a few nominations as with many."""

from __future__ import annotations

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import services
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee, Unit
from tests.conftest import login
from tests.factories import make_employee, make_nip, make_user
from tests.test_query_counts import count_queries

PAGES = {
    "atasan": [
        "/dasbor",
        "/pendaftaran/persetujuan",
        "/pendaftaran/usulkan",
        "/pemberitahuan",
    ],
    "bkpsdm": [
        "/dasbor",
        "/pendaftaran/persetujuan",
        "/pendaftaran/massal",
        "/pemberitahuan",
    ],
    "opd.dinkes": ["/dasbor", "/pendaftaran/persetujuan"],
}


def _grow(app, world, courses, start: int, n: int) -> None:
    """n more staff in atasan's team, each with an account, a waiting self-nomination, a
    nomination waiting for HR, an enrolment with progress, and notifications."""
    with app.app_context():
        boss = db.session.get(Employee, world.employees["atasan"].id)
        boss_user = db.session.get(User, world.users["atasan"].id)
        hr_user = db.session.get(User, world.users["admin_bkpsdm"].id)
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        usul, hrstep, open_ = (
            db.session.get(Course, courses[k]) for k in ("USUL", "HRSTEP", "HRONLY")
        )
        for i in range(start, start + n):
            emp = make_employee(seksi, f"Staf {i:03d}", boss, nip=make_nip())
            user = make_user(f"staf{i}", employee=emp)
            services.enrol_self(user, usul)
            services.nominate(boss_user, emp, hrstep)
            enrolment = services.enrol_by_admin(hr_user, emp, open_)
            enrolment.progress = (i * 7) % 100
            for who in (boss_user.id, hr_user.id):
                db.session.add(Notification(user_id=who, message=f"Catatan {i}"))
        db.session.commit()
        db.session.remove()


def _measure(app, world, courses) -> dict[str, int]:
    counts = {}
    for username, paths in PAGES.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            client.get(path)  # warm the session
            with count_queries(app) as counter:
                assert client.get(path).status_code == 200, path
            counts[f"{username} {path}"] = counter["n"]
        if username == "bkpsdm":
            data = {"course_id": courses["OPEN"], "unit_id": world.units["dinkes"].id}
            with count_queries(app) as counter:
                page = client.post("/pendaftaran/massal", data=data)
                assert page.status_code == 200 and "Pratinjau" in page.get_data(as_text=True)
            counts["bkpsdm bulk preview"] = counter["n"]
        if username == "atasan":
            text = client.get("/pendaftaran/persetujuan").get_data(as_text=True)
            approval_id = int(text.split("/pendaftaran/persetujuan/")[1].split('"')[0])
            with count_queries(app) as counter:
                assert client.get(f"/pendaftaran/persetujuan/{approval_id}").status_code == 200
            counts["atasan approval page"] = counter["n"]
    return counts


def test_query_counts_do_not_grow_with_nominations(app, world, courses, no_csrf) -> None:
    _grow(app, world, courses, 0, 3)
    small = _measure(app, world, courses)
    _grow(app, world, courses, 3, 40)
    large = _measure(app, world, courses)
    assert large == small
    # Flat is the rule; the cap only catches a page that went wrong (the dashboard has a
    # constant number of queries per section: learning, certificates, JP, HR overview).
    assert max(large.values()) <= 30, large
