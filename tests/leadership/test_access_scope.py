"""Access-matrix rows for the cohort roles' scope (issue 17): a coach sees only the participants
they coach, a mentor only their own staff's projects (or those assigned to them), an examiner
only the seminars assigned to them; everyone else gets the answer of a missing page (404).

Two participants of one cohort: pegawai (coach `pengajar`, mentor `atasan`) and Budi (coach
`pengajar2`, mentor `atasan` until the organiser names `kasi.lain` instead). `penguji` examines
pegawai's seminar only; `kasi.lain` supervises someone else.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.leadership.projects import services
from lms.leadership.roles import services as roles
from lms.org.models import Employee, Unit
from tests.conftest import login
from tests.factories import make_employee, make_user
from tests.leadership.builders import project_world

PEGAWAI, BUDI = "pegawai", "budi"
# (account, participant, pages: project page / assessment / queue lists the participant)
ROWS = [
    ("pegawai", PEGAWAI, 200),
    ("pegawai", BUDI, 404),  # another participant's project
    ("pengajar", PEGAWAI, 200),  # coaches pegawai
    ("pengajar", BUDI, 404),  # ... not Budi
    ("pengajar2", PEGAWAI, 404),
    ("pengajar2", BUDI, 200),
    ("atasan", PEGAWAI, 200),  # pegawai's supervisor: the default mentor
    ("atasan", BUDI, 404),  # Budi's mentor was changed to kasi.lain
    ("kasi.lain", PEGAWAI, 404),  # a supervisor, but not pegawai's
    ("kasi.lain", BUDI, 200),  # named Budi's mentor by the organiser
    ("penguji", PEGAWAI, 200),  # examines pegawai's seminar
    ("penguji", BUDI, 404),  # ... not Budi's
    ("bkpsdm", PEGAWAI, 200),  # the organiser
    ("bkpsdm", BUDI, 200),
]


@pytest.fixture
def scoped(app, world):
    with app.app_context():
        pw = project_world(world)
        other_unit = db.session.get(Unit, world.units["disdik"].id)
        kasi = make_employee(other_unit, "Kepala Seksi Lain", position_name="Kepala Seksi")
        make_employee(other_unit, "Staf Kasi Lain", kasi)
        kasi_user = make_user("kasi.lain", employee=kasi)
        organiser = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        budi = db.session.get(CohortMember, pw.other_member_id)
        roles.assign_mentor(organiser, budi, kasi_user)
        pegawai = db.session.get(CohortMember, pw.member_id)
        roles.set_examiners(organiser, pegawai, [db.session.get(User, pw.examiner_id)])
        for member in (pegawai, budi):
            services.start(member)
        db.session.commit()
        return {PEGAWAI: pw.member_id, BUDI: pw.other_member_id}


@pytest.mark.parametrize(("username", "target", "status"), ROWS)
def test_the_project_page_only_for_the_people_of_that_project(
    app, scoped, username, target, status
) -> None:
    client = app.test_client()
    login(client, username)
    assert client.get(f"/proyek/{scoped[target]}").status_code == status


@pytest.mark.parametrize(
    ("username", "target", "status"),
    [r for r in ROWS if r[0] in ("pengajar", "pengajar2", "atasan", "kasi.lain", "penguji")],
)
def test_assessment_and_review_only_on_assigned_participants(
    app, scoped, no_csrf, username, target, status
) -> None:
    """A refused assessor is answered 404; an assigned one is sent back to the project page
    (nothing to assess yet) instead."""
    client = app.test_client()
    login(client, username)
    want = 302 if status == 200 else 404
    assert client.get(f"/proyek/{scoped[target]}/penilaian").status_code == want
    if username != "penguji":
        assert client.post(f"/proyek/{scoped[target]}/tinjau", data={}).status_code == want


@pytest.mark.parametrize(
    ("username", "listed"),
    [
        ("pengajar", {"Siti Aminah"}),
        ("pengajar2", {"Budi Santoso"}),
        ("atasan", {"Siti Aminah"}),
        ("kasi.lain", {"Budi Santoso"}),
        ("penguji", {"Siti Aminah"}),
    ],
)
def test_each_queue_lists_only_the_assigned_participants(app, scoped, username, listed) -> None:
    client = app.test_client()
    login(client, username)
    page = client.get("/proyek/tugas").get_data(as_text=True)
    for name in ("Siti Aminah", "Budi Santoso"):
        assert (name in page) is (name in listed), name


def test_a_supervisor_without_mentees_has_an_empty_queue(app, scoped, world) -> None:
    with app.app_context():
        boss = db.session.scalar(select(Employee).where(Employee.full_name == "Kepala Seksi Lain"))
        assert boss is not None
    client = app.test_client()
    login(client, "kasi.lain")
    with app.app_context():
        roles.assign_mentor(
            db.session.scalar(select(User).where(User.username == "bkpsdm")),
            db.session.get(CohortMember, scoped[BUDI]),
            None,
        )
        db.session.commit()
    page = client.get("/proyek/tugas").get_data(as_text=True)
    assert "Belum ada peserta yang ditugaskan kepada Anda." in page
    assert client.get(f"/proyek/{scoped[BUDI]}").status_code == 404
