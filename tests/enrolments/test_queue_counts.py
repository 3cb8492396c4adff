"""The HR dashboard's queue counts, now statements of their own, equal the previous ones.

``workflow.hr_queue`` counts the pending HR steps from the approvals and their nominations
(built once, the unit prefix a parameter) instead of counting the whole eager-loading queue;
``cohorts.queries.pending_approvals_count`` adds one count per step instead of counting one
statement with both steps in an OR. Each is compared here with the statement it replaced, for
every kind of account, on nominations in every state.
"""

from __future__ import annotations

from sqlalchemy import false, func, select, true

from lms.auth.models import User
from lms.courses.models import Course
from lms.enrolments import services, workflow
from lms.enrolments.cohorts import queries as cohort_queries
from lms.enrolments.cohorts import services as cohort_services
from lms.enrolments.models import Approval, Enrolment
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can
from tests.enrolments.cohorts.builders import make_cohort, make_programme

ACCOUNTS = ("admin_bkpsdm", "admin_opd", "atasan", "pegawai", "admin_sistem", "target")


def _previous_scope(user: User):
    """``approvals.hr_scope`` as it was: a clause on ``Unit``."""
    if not can(user, Capability.APPROVE_ENROLMENTS):
        return false()
    if Role.ADMIN_BKPSDM in user.roles:
        return true()
    if Role.ADMIN_OPD in user.roles and user.admin_unit is not None:
        return Unit.path.startswith(user.admin_unit.path)
    return false()


def _previous_hr_queue(user: User, page: int, per_page: int) -> tuple[list[int], int]:
    base = workflow._queue(Approval.step == "hr", _previous_scope(user))
    total = db.session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = db.session.execute(
        workflow._queue_options(base)
        .order_by(Enrolment.requested_at, Approval.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).unique()
    return ([approval.id for approval, _nominator in rows] if total else []), total


def _users(world) -> dict[str, User]:
    return {key: db.session.get(User, world.users[key].id) for key in ACCOUNTS}


def _compare_hr_queues(world) -> None:
    for key, user in _users(world).items():
        for page, per_page in ((1, 5), (1, 25), (2, 2)):
            items, total = workflow.hr_queue(user, page, per_page)
            assert ([i.approval.id for i in items], total) == _previous_hr_queue(
                user, page, per_page
            ), (key, page, per_page)


def test_hr_queue_count_and_page_equal_the_previous_statement(app, world, courses) -> None:
    with app.app_context():
        users = _users(world)
        course = {k: db.session.get(Course, v) for k, v in courses.items()}
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        services.enrol_self(users["pegawai"], course["USUL"])  # at the supervisor step
        services.enrol_self(users["pegawai"], course["HRSTEP"])  # at HR, Dinkes
        services.enrol_self(users["target"], course["HRSTEP"])  # at HR, Disdik
        workflow.nominate(users["atasan"], budi, course["USUL"])  # supervisor done, at HR
        services.enrol_self(users["atasan"], course["HRSTEP"])
        db.session.flush()
        _compare_hr_queues(world)
        assert workflow.hr_queue(users["admin_bkpsdm"])[1] == 4
        assert workflow.hr_queue(users["admin_opd"])[1] == 3  # Disdik's is not Dinkes's

        # Decided steps leave the queue; a rejected one too.
        atasan_hr = db.session.scalar(
            select(Approval)
            .join(Enrolment, Enrolment.id == Approval.enrolment_id)
            .where(Enrolment.employee_id == world.employees["atasan"].id)
        )
        services.decide(users["admin_bkpsdm"], atasan_hr, approve=False, comment="Kuota penuh")
        teacher_hr = db.session.scalar(
            select(Approval)
            .join(Enrolment, Enrolment.id == Approval.enrolment_id)
            .where(Enrolment.employee_id == world.employees["disdik"].id)
        )
        services.decide(users["admin_bkpsdm"], teacher_hr, approve=True)
        db.session.flush()
        _compare_hr_queues(world)
        assert workflow.hr_queue(users["admin_bkpsdm"])[1] == 2
        db.session.rollback()


def test_cohort_pending_count_equals_the_previous_statement(app, world) -> None:
    with app.app_context():
        users = _users(world)
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        both = make_cohort(make_programme("PKP", ("UJI-101",)), "PKP-2026-I")
        hr_only = make_cohort(
            make_programme("PKA", ("UJI-201",)), "PKA-2026-I", approval_steps="hr"
        )
        cohort_services.nominate(users["pegawai"], both, users["pegawai"].employee)
        cohort_services.nominate(users["atasan"], both, budi)  # the supervisor's step is done
        cohort_services.nominate(users["target"], hr_only, users["target"].employee)
        rejected = cohort_services.nominate(users["atasan"], hr_only, users["atasan"].employee)
        db.session.flush()

        def compare() -> dict[str, int]:
            counts = {}
            for key, user in users.items():
                kind = cohort_queries._pending_kind(user)
                before = (
                    0
                    if kind is None
                    else db.session.scalar(
                        cohort_queries._pending_stmt(*kind[0]).with_only_columns(
                            func.count(Approval.id)
                        ),
                        kind[1],
                    )
                )
                counts[key] = cohort_queries.pending_approvals_count(user)
                assert counts[key] == before == len(cohort_queries.pending_approvals_for(user)), key
            return counts

        counts = compare()
        assert counts["admin_bkpsdm"] == 3 and counts["atasan"] == 1 and counts["pegawai"] == 0
        step = next(a for a in rejected.approvals if a.step == "hr")
        cohort_services.decide(users["admin_bkpsdm"], step, approve=False, comment="Belum waktunya")
        db.session.flush()
        assert compare()["admin_bkpsdm"] == 2
        db.session.rollback()
