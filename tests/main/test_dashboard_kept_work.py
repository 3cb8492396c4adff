"""The work sections of HR, trainers and administrators kept (lms.dashboard, ``keep=``) show
exactly what a fresh render shows: before and after a nomination comes to wait for HR and HR
decides it, a cohort is created and starts, a project moves on, a course is submitted for review
and published, and a learner enrols in a trainer's course; here and in another worker. A repeat
visit of HR's dashboard sends no statement, with few rows or many."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.demo import DEMO_PASSWORD
from lms.extensions import db
from lms.indonesian import local_today
from tests.conftest import login
from tests.main.test_dashboard_kept import KEPT, _commit, _page, _same
from tests.main.test_dashboard_kept import demo as demo  # the fixture
from tests.test_query_counts import count_queries

WORKERS = ("bkpsdm", "opd.dinkes", "pengajar", "admin")
#: Every cache of the dashboard that TestingConfig switches off, switched on.
CACHES_ON = {
    "DASHBOARD_CITY_SECONDS": 60,
    "DASHBOARD_PEOPLE_SECONDS": 300,
    "DASHBOARD_ASSESSOR_SECONDS": 300,
    "ACCOUNT_CACHE_SECONDS": 300,
    "NOTIFICATIONS_UNREAD_SECONDS": 30,
}


@pytest.fixture
def city_kept(app) -> Iterator[None]:
    """The city's and departments' figures kept (as in production), so HR's overview is kept."""
    from lms.reports import dashboard as overview
    from lms.reports import kept

    def forget() -> None:
        overview._CITY.clear()
        overview._CITY_PARTS.clear()
        kept._DEPARTMENTS.clear()

    forget()
    app.config["DASHBOARD_CITY_SECONDS"] = 60
    yield
    app.config.pop("DASHBOARD_CITY_SECONDS", None)
    forget()


def _user(username: str):
    from lms.auth.models import User

    return db.session.scalar(select(User).where(User.username == username))


def _hr_step():
    """The demo nomination's HR step (lms.enrolments.demo)."""
    from lms.courses.models import Course
    from lms.enrolments.demo import DEMO_APPROVAL_COURSE
    from lms.enrolments.models import Approval, Enrolment

    return db.session.scalar(
        select(Approval)
        .join(Enrolment, Enrolment.id == Approval.enrolment_id)
        .join(Course, Course.id == Enrolment.course_id)
        .where(Course.code == DEMO_APPROVAL_COURSE, Approval.step == "hr")
    )


def _step(name: str):
    from lms.enrolments.models import Approval

    hr = _hr_step()
    return db.session.scalar(
        select(Approval).where(Approval.enrolment_id == hr.enrolment_id, Approval.step == name)
    )


def supervisor_approves() -> None:
    """The demo nomination now waits for HR."""
    from lms.enrolments import services

    services.decide(_user("atasan"), _step("supervisor"), approve=True)


def hr_approves() -> None:
    """HR's own decision: gone from its queue."""
    from lms.enrolments import services

    services.decide(_user("bkpsdm"), _step("hr"), approve=True)


def _programme():
    from lms.enrolments.cohorts.models import Programme

    return db.session.scalars(select(Programme).order_by(Programme.id)).first()


def cohort_created() -> None:
    from lms.enrolments.cohorts.models import Cohort

    today = local_today()
    db.session.add(
        Cohort(
            programme_id=_programme().id,
            code="UJI-KEPT-1",
            name="Angkatan Uji Dasbor",
            starts_on=today + timedelta(days=7),
            ends_on=today + timedelta(days=40),
            quota=30,
        )
    )


def cohort_started() -> None:
    from lms.enrolments.cohorts.models import Cohort

    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "UJI-KEPT-1"))
    cohort.starts_on = local_today()


def project_moves_on() -> None:
    from lms.leadership.projects.models import Project

    project = db.session.scalars(
        select(Project).where(Project.state == "draft").order_by(Project.id)
    ).first()
    project.state = "proposal_submitted"


def _trainers_course():
    from lms.courses.models import Course, CourseTrainer

    trainer = _user("pengajar")
    return db.session.scalars(
        select(Course)
        .join(CourseTrainer, CourseTrainer.course_id == Course.id)
        .where(CourseTrainer.user_id == trainer.id)
        .order_by(Course.id)
    ).first()


def trainer_assigned() -> None:
    """The demo trainer teaches a published course that ``pegawai`` has not taken."""
    from lms.courses.models import Course, CourseTrainer
    from lms.enrolments.demo import DEMO_APPROVAL_COURSE
    from lms.enrolments.models import Enrolment

    taken = select(Enrolment.course_id).where(Enrolment.employee_id == _user("pegawai").employee_id)
    course = db.session.scalars(
        select(Course)
        .where(
            Course.published_version_id.is_not(None),
            Course.code != DEMO_APPROVAL_COURSE,
            Course.id.not_in(taken),
        )
        .order_by(Course.id)
    ).first()
    db.session.add(CourseTrainer(course_id=course.id, user_id=_user("pengajar").id))


def course_submitted() -> None:
    from lms.courses import services

    draft = services.draft_for_edit(_trainers_course())
    db.session.flush()
    services.submit_for_review(draft)


def course_published() -> None:
    from lms.courses.authoring import services as authoring

    course = _trainers_course()
    authoring.publish_reviewed(_user("bkpsdm"), course.latest_version)


def learner_enrols() -> None:
    from lms.enrolments import services
    from lms.enrolments.models import Enrolment

    course = _trainers_course()
    pegawai = _user("pegawai")
    exists = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == course.id, Enrolment.employee_id == pegawai.employee_id
        )
    )
    assert exists is None
    services.enrol_by_admin(_user("bkpsdm"), pegawai.employee, course)


def employee_joins_a_department() -> None:
    """The Admin OPD's count of their department's employees."""
    from lms.org.models import Unit
    from tests.factories import make_employee

    make_employee(db.session.scalar(select(Unit).where(Unit.code == "DINKES")), "Rina Lestari")


def token_issued() -> None:
    """The system administrator's count of active API tokens."""
    from lms.auth.models import ApiToken

    db.session.add(
        ApiToken(
            user_id=_user("admin").id,
            name="Uji dasbor",
            prefix="ujidasbor",
            token_hash="0" * 64,
            scopes="reports:read",
        )
    )


def token_used_then_revoked() -> None:
    from lms.auth.models import ApiToken
    from lms.db import utcnow

    token = db.session.scalar(select(ApiToken).where(ApiToken.prefix == "ujidasbor"))
    token.last_used_at = utcnow()
    db.session.flush()
    token.revoked_at = utcnow()


def account_disabled() -> None:
    _user("coach").active = False


def test_work_sections_show_writes_at_once_here_and_in_another_worker(
    app, demo, city_kept, worker_app
) -> None:
    other = worker_app(DASHBOARD_CITY_SECONDS=60)
    clients = []
    for app_ in (app, other):
        for username in WORKERS:
            client = app_.test_client()
            login(client, username, DEMO_PASSWORD)
            clients.append((app_, client, username))
    for app_, client, username in clients:
        _same(app_, client, f"{username} before")
    changes = (
        supervisor_approves,
        hr_approves,
        cohort_created,
        cohort_started,
        project_moves_on,
        trainer_assigned,
        course_submitted,
        course_published,
        learner_enrols,
        employee_joins_a_department,
        token_issued,
        token_used_then_revoked,
        account_disabled,
    )
    for change in changes:
        _commit(app, change)
        for app_, client, username in clients:
            _same(app_, client, f"{username} after {change.__name__}")


def _visible(app, client, *texts: str) -> None:
    page = _page(app, client, KEPT)
    for text in texts:
        assert text in page, text


def test_hr_sees_its_own_decisions_at_once_on_a_kept_dashboard(app, demo) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm", DEMO_PASSWORD)
    queue = "<strong>%s</strong> usulan menunggu persetujuan kepegawaian"
    _visible(app, hr, queue % 0)
    _commit(app, supervisor_approves)
    _visible(app, hr, queue % 1, "Kepemimpinan Pengawas")
    _commit(app, hr_approves)
    _visible(app, hr, queue % 0)
    _commit(app, trainer_assigned)
    _commit(app, course_submitted)
    _visible(app, hr, "<strong>1</strong> versi pelatihan menunggu telaah")
    _commit(app, course_published)
    _visible(app, hr, "<strong>0</strong> versi pelatihan menunggu telaah")


def _many(app) -> None:
    """Nominations waiting for HR and cohorts running: some thirty more rows of each."""
    from lms.courses.models import Course
    from lms.enrolments.cohorts.models import Cohort
    from lms.enrolments.models import Approval, Enrolment
    from lms.org.models import Employee

    def add() -> None:
        course = db.session.scalar(select(Course).order_by(Course.id))
        taken = select(Enrolment.employee_id).where(Enrolment.course_id == course.id)
        people = db.session.scalars(
            select(Employee).where(Employee.id.not_in(taken)).order_by(Employee.id).limit(30)
        ).all()
        assert len(people) >= 20
        programme_id = _programme().id
        today = local_today()
        for k, person in enumerate(people):
            enrolment = Enrolment(
                course_id=course.id, employee_id=person.id, status="nominated", source="self"
            )
            enrolment.approvals = [Approval(step="hr", position=0)]
            db.session.add(enrolment)
            db.session.add(
                Cohort(
                    programme_id=programme_id,
                    code=f"UJI-BANYAK-{k}",
                    name=f"Angkatan {k}",
                    starts_on=today - timedelta(days=k),
                    ends_on=today + timedelta(days=30),
                )
            )

    _commit(app, add)


def _visits(app, username: str = "bkpsdm") -> tuple[int, int, list[str]]:
    """Statements of a fresh visit, a first kept one and a repeat kept one (their text)."""
    client = app.test_client()
    login(client, username, DEMO_PASSWORD)
    _page(app, client, 0)
    with count_queries(app) as fresh:
        _page(app, client, 0)
    with count_queries(app) as first:
        _page(app, client, KEPT)
    with count_queries(app) as repeat:
        _page(app, client, KEPT)
    return fresh["n"], first["n"], repeat["sql"]


def test_a_repeat_kept_visit_of_hr_sends_no_statement_few_rows_or_many(
    app, demo, city_kept
) -> None:
    saved = {key: app.config.get(key) for key in CACHES_ON}
    app.config.update(CACHES_ON)
    try:
        few = _visits(app)
        _many(app)
        many = _visits(app)
        admin, opd = _visits(app, "admin"), _visits(app, "opd.dinkes")
    finally:
        app.config.update(saved)
    assert few[2] == many[2] == [], (few, many)
    assert admin[2] == [], admin
    # An Admin OPD's: their department (its path scopes the overview's kept counts).
    assert len(opd[2]) == 1 and "FROM units" in opd[2][0], opd
    assert few[1] <= few[0] and many[1] <= many[0], (few, many)
