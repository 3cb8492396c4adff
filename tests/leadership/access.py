"""Routes of the workplace project for the access matrix (tests/test_access_matrix.py).

The project in the URLs is `pegawai`'s, in the access cohort of tests/enrolments/cohorts/access.py
(its programme made a PKP here): `pengajar` is its coach, `atasan` (pegawai's supervisor) its
mentor, `bkpsdm` and `mitra` (whose institution organises the cohort) its organisers. It is
implementing, with one logbook entry waiting for the mentor. Who else is refused (a coach, mentor
or examiner of someone else) is in test_access_scope.py; a partner on another cohort, in
test_organiser_scope.py.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_today
from lms.leadership.projects import evidence, logbook, services
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee

LOGGED_IN = "logged_in"
PARTICIPANT = {"pegawai"}
#: The cohort's organisers: BKPSDM and the partner institution organising it.
ORGANISERS = {"admin_bkpsdm", "mitra"}
#: Everyone around pegawai's project: the participant, the coach, the mentor, the organisers.
AROUND = {"pegawai", "pengajar", "atasan", *ORGANISERS}

EXPECTED: dict[tuple[str, str], object] = {
    # Anyone with an employee record has "my projects" (pegawai has one: straight to it).
    ("leadership.my_projects", "GET"): {"pegawai", "atasan", "admin_bkpsdm"},
    ("leadership.project", "GET"): AROUND,
    ("leadership.proposal_edit", "GET"): PARTICIPANT,
    ("leadership.proposal_edit", "POST"): PARTICIPANT,
    ("leadership.proposal_submit", "POST"): PARTICIPANT,
    ("leadership.proposal_review", "POST"): {"pengajar", "atasan"},
    ("leadership.entry_new", "GET"): PARTICIPANT,
    ("leadership.entry_new", "POST"): PARTICIPANT,
    ("leadership.entry_edit", "GET"): PARTICIPANT,
    ("leadership.entry_edit", "POST"): PARTICIPANT,
    ("leadership.entry_decide", "POST"): {"atasan"},
    ("leadership.evidence_file", "GET"): AROUND,
    ("leadership.seminar_schedule", "GET"): ORGANISERS,
    ("leadership.seminar_schedule", "POST"): ORGANISERS,
    ("leadership.seminar_held", "POST"): ORGANISERS,
    ("leadership.assess", "GET"): {"pengajar", "atasan"},
    ("leadership.assess", "POST"): {"pengajar", "atasan"},
    # A trainer (coach, examiner) and a supervisor (mentor) have a queue, each their own.
    ("leadership.queue", "GET"): {"pengajar", "atasan"},
    ("leadership.cohorts", "GET"): ORGANISERS,
    ("leadership.cohort_overview", "GET"): ORGANISERS,
    ("leadership.cohort_roles", "GET"): ORGANISERS,
    ("leadership.assign_roles", "POST"): ORGANISERS,
    ("leadership.assign_coach_all", "POST"): ORGANISERS,
}
# Someone else's project answers like a missing one: atasan and bkpsdm may LEARN, but the
# participant's own pages are not theirs.
HIDDEN = {
    ("leadership.seminar_schedule", "GET"),
    ("leadership.seminar_schedule", "POST"),
    ("leadership.seminar_held", "POST"),
    ("leadership.cohort_overview", "GET"),
    ("leadership.cohort_roles", "GET"),
    ("leadership.assign_roles", "POST"),
    ("leadership.assign_coach_all", "POST"),
    ("leadership.proposal_edit", "GET"),
    ("leadership.proposal_edit", "POST"),
    ("leadership.proposal_submit", "POST"),
    ("leadership.entry_new", "GET"),
    ("leadership.entry_new", "POST"),
    ("leadership.entry_edit", "GET"),
    ("leadership.entry_edit", "POST"),
    ("leadership.project", "GET"),
    ("leadership.evidence_file", "GET"),
}


def build_args(world) -> dict[str, object]:
    """pegawai's project in the access cohort, implementing, one entry waiting with a PDF."""
    today = local_today()
    cohort = db.session.scalar(select(Cohort).where(Cohort.code == "UJIAKSES-I"))
    if cohort is None:  # the cohorts' access module did not run first
        programme = Programme(code="UJIAKSES", title="Program Uji Akses")
        cohort = Cohort(
            programme=programme,
            code="UJIAKSES-I",
            name="Angkatan I",
            starts_on=today - timedelta(days=30),
            ends_on=today + timedelta(days=60),
            organiser_partner_id=db.session.get(User, world.users["mitra"].id).partner_id,
        )
        db.session.add(cohort)
    cohort.programme.kind_code = "PKP"
    cohort.starts_on = today - timedelta(days=30)
    pegawai = db.session.get(Employee, world.employees["pegawai"].id)
    member = db.session.scalar(
        select(CohortMember).where(
            CohortMember.cohort_id == cohort.id, CohortMember.employee_id == pegawai.id
        )
    )
    if member is None:
        member = CohortMember(cohort=cohort, employee=pegawai, status="active", source="admin")
        db.session.add(member)
    db.session.flush()
    coach = db.session.get(User, world.users["pengajar"].id)
    db.session.add(CohortRole(member_id=member.id, role="coach", user_id=coach.id))
    project = services.save_proposal(
        member,
        services.ProposalInput(
            "Layanan antrean daring",
            "Antrean panjang.",
            "Pasien; petugas.",
            "Antrean lebih singkat.",
            [("Menyusun SOP", None), ("Uji coba", None)],
        ),
    )
    project.state, project.round = "approved", 1
    db.session.flush()
    entry = logbook.add_entry(
        project,
        logbook.EntryInput(project.milestones[0].id, today, "SOP disusun bersama tim."),
        [evidence.check("sop.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n")],
    )
    db.session.flush()
    return {"member_id": member.id, "entry_id": entry.id, "evidence_id": entry.files[0].id}
