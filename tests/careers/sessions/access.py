"""Access expectations for non-classroom sessions and coaching plans.

The URL's session is `pegawai`'s mentoring session (Dinas Kesehatan, direct supervisor `atasan`,
who is also the mentor named on it); the URL's coaching plan is the one `atasan` opened for
`pegawai` after a low predikat, with `atasan` as coach. Mentoring is confirmed by the supervisor
or the coach (content/reference/nonclassroom_rules.yaml), not by HR: HR sees it in its scope but
cannot decide on it.
"""

from __future__ import annotations

from datetime import timedelta

from lms.auth.models import User
from lms.careers.sessions.models import CoachingPlan, LearningSession
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.careers.ledger_helpers import store_evidence
from tests.careers.sessions.helpers import low_evaluation

LEARNERS = {"pegawai", "atasan", "admin_bkpsdm"}  # accounts linked to an employee
COACHES = LEARNERS | {"pengajar"}
SEES = {"pegawai", "atasan", "admin_bkpsdm", "admin_opd"}  # owner, supervisor, HR in scope

EXPECTED = {
    ("careers.sessions", "GET"): LEARNERS,
    ("careers.session_new", "GET"): LEARNERS,
    ("careers.session_new", "POST"): LEARNERS,
    ("careers.session_coach_new", "GET"): COACHES,
    ("careers.session_coach_new", "POST"): COACHES,
    # Only whoever logged it changes or withdraws it.
    ("careers.session_edit", "GET"): {"pegawai"},
    ("careers.session_edit", "POST"): {"pegawai"},
    ("careers.session_withdraw", "POST"): {"pegawai"},
    ("careers.session_view", "GET"): SEES,
    ("careers.session_evidence", "GET"): SEES,
    # Deciding: whoever the form's rule names (here the supervisor, who is also the mentor).
    ("careers.session_view", "POST"): {"atasan"},
    ("careers.session_review", "GET"): COACHES | {"admin_opd"},
    # A community participation claim: active members of the URL's community with an employee
    # record. The community (tests/community) is open and the matrix visits
    # `/komunitas/.../gabung` before `/sesi/komunitas/...`, so every learner has joined by then;
    # non-members are refused in tests/careers/sessions/test_community_claims.py.
    ("careers.community_claim", "GET"): LEARNERS,
    ("careers.community_claim", "POST"): LEARNERS,
    ("careers.coaching_team", "GET"): {"atasan"},
    ("careers.coaching_open", "GET"): {"atasan"},
    ("careers.coaching_open", "POST"): {"atasan"},
    ("careers.coaching_plan", "GET"): SEES,
    ("careers.coaching_note", "POST"): {"atasan"},
    ("careers.coaching_close", "POST"): {"atasan"},
}
# Someone else's session or plan answers like a missing one.
HIDDEN = {
    ("careers.session_edit", "GET"),
    ("careers.session_edit", "POST"),
    ("careers.session_withdraw", "POST"),
    ("careers.session_view", "GET"),
    ("careers.session_view", "POST"),
    ("careers.session_evidence", "GET"),
    ("careers.coaching_open", "GET"),
    ("careers.coaching_open", "POST"),
    ("careers.coaching_plan", "GET"),
    ("careers.coaching_note", "POST"),
    ("careers.coaching_close", "POST"),
}


def build_args(world) -> dict:
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    atasan = db.session.get(User, world.users["atasan"].id)
    today = local_today()
    # Last year's SKP: the SKP routes' own arguments evaluate this year's first quarter.
    evaluation = low_evaluation(pegawai.id, year=today.year - 1)
    plan = CoachingPlan(
        employee_id=pegawai.id,
        supervisor_id=atasan.employee_id,
        opened_by_id=atasan.id,
        evaluation_id=evaluation.id,
        predikat=evaluation.predikat,
        evaluation_label=evaluation.label,
        form_code=15,
        coach_user_id=atasan.id,
        goals="Laporan kinerja tepat waktu.",
        sessions_planned=4,
        starts_on=today,
        review_on=today + timedelta(days=90),
    )
    db.session.add(plan)
    db.session.flush()
    session = LearningSession(
        employee_id=pegawai.id,
        form_code=15,
        held_on=today - timedelta(days=1),
        minutes=60,
        topic="Menyusun laporan kinerja",
        agreed="Draf diserahkan Jumat.",
        coach_user_id=atasan.id,
        plan_id=plan.id,
        logged_by_id=world.users["pegawai"].id,
        evidence_key=store_evidence(),
        evidence_name="notulen.pdf",
    )
    db.session.add(session)
    db.session.flush()
    return {"learning_session_id": session.id, "coaching_plan_id": plan.id}
