"""The learner dashboard's "newest courses": the newest published courses are kept for
everybody under the catalogue's generation, and the learner's own enrolments (read fresh on
every visit) are left out, so an enrolment or a publication shows at once."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.courses import queries
from lms.courses.models import Course
from lms.enrolments import services as enrolments
from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import login
from tests.factories import make_course


def _newest(page: str) -> str:
    return page.split("Pelatihan terbaru", 1)[1].split("</article>", 1)[0]


def _pegawai() -> User:
    return db.session.scalar(select(User).filter_by(username="pegawai"))


def test_an_enrolment_leaves_and_a_new_course_joins_the_newest_at_once(app, client, world) -> None:
    with app.app_context():
        for n in range(4):
            make_course(f"NEW-{n}", title=f"Pelatihan Baru {n}")
        db.session.commit()
    login(client, "pegawai")
    shown = _newest(client.get("/dasbor").text)
    assert "Pelatihan Baru 3" in shown and "Pelatihan Baru 0" not in shown  # the 3 newest

    with app.app_context():
        course = db.session.scalar(select(Course).filter_by(code="NEW-3"))
        enrolments.enrol_self(_pegawai(), course)
        db.session.commit()
    shown = _newest(client.get("/dasbor").text)
    assert "Pelatihan Baru 3" not in shown and "Pelatihan Baru 0" in shown

    with app.app_context():
        make_course("NEW-9", title="Pelatihan Paling Baru")
        db.session.commit()
    assert "Pelatihan Paling Baru" in _newest(client.get("/dasbor").text)


def test_more_enrolments_keep_more_of_the_newest(app, world, monkeypatch) -> None:
    """Enrolled in more courses than the fewest kept: more of the newest are kept, and the
    suggestions are what the query alone gives."""
    monkeypatch.setattr(queries, "NEWEST_KEPT", 2)
    with app.app_context(), app.test_request_context():
        for n in range(4):
            make_course(f"OLD-{n}", title=f"Pelatihan Lama {n}")
        db.session.commit()
        employee_id = db.session.scalar(
            select(Employee.id).join(User).where(User.username == "pegawai")
        )
        for code in ("OLD-3", "OLD-2"):
            enrolments.enrol_self(
                _pegawai(), db.session.scalar(select(Course).filter_by(code=code))
            )
        db.session.commit()
        enrolled = {c for c, _s in queries.enrolled_courses(employee_id)}
        got = queries.suggestions(employee_id, limit=2, enrolled=enrolled)
        assert [s.code for s in got] == ["OLD-1", "OLD-0"]
        assert got == queries.suggestions(employee_id, limit=2)  # the same as the query alone
