"""A partner institution organising a cohort does the organiser's project work for that cohort
(coach and mentor, the seminar with its examiners, marking it held, the participants × stages
overview) and nothing for other cohorts, which answer like missing pages (404); BKPSDM keeps
every cohort.

Two PKP cohorts: ``PKPUJI-I`` organised by `mitra`'s institution (pegawai and Budi, from
``project_world``) and ``PKPLAIN-I`` run by BKPSDM itself (one participant). `mitra.lain` is the
staff of another partner institution.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.auth.models import PartnerInstitution, User
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_time, local_today
from lms.leadership.projects import evidence, logbook, services
from lms.leadership.projects.services import ProposalInput
from lms.leadership.roles.access import assigned
from lms.org.models import Employee, Unit
from lms.permissions import Role
from tests.conftest import login
from tests.factories import make_employee, make_user
from tests.leadership.builders import PDF, project_world

OWN, OTHER = "PKPUJI-I", "PKPLAIN-I"


@dataclass(frozen=True)
class Two:
    own_member: int  # pegawai in the partner's cohort
    other_member: int  # the participant of BKPSDM's cohort
    examiner_id: int
    coach2_id: int


def _ready_for_seminar(member: CohortMember, mentor: User) -> None:
    """An approved proposal with one milestone, its logbook entry confirmed by the mentor (the
    project implementing, ready for its seminar)."""
    services.save_proposal(
        member,
        ProposalInput(
            "Antrean daring", "Antrean panjang.", "Pasien.", "Lebih cepat.", [("SOP", None)]
        ),
    )
    project = services.project_of(member)
    project.state, project.round = "approved", 1
    entry = logbook.add_entry(
        project,
        logbook.EntryInput(project.milestones[0].id, local_today(), "SOP selesai."),
        [evidence.check("sop.pdf", PDF)],
    )
    logbook.decide_entry(entry, mentor, True, "")


@pytest.fixture
def two(app, world) -> Two:
    with app.app_context():
        pw = project_world(world)
        mitra = db.session.get(User, world.users["mitra"].id)
        own = db.session.scalar(select(Cohort).where(Cohort.code == OWN))
        own.organiser_partner_id = mitra.partner_id
        programme = db.session.scalar(select(Programme).where(Programme.code == "PKPUJI"))
        other = Cohort(
            programme_id=programme.id,
            code=OTHER,
            name="Angkatan BKPSDM",
            starts_on=own.starts_on,
            ends_on=own.ends_on,
        )
        atasan = db.session.get(Employee, world.employees["atasan"].id)
        person = make_employee(
            db.session.get(Unit, world.units["dinkes_seksi"].id), "Rina Lestari", atasan
        )
        member = CohortMember(cohort=other, employee=person, status="active", source="admin")
        db.session.add_all([other, member])
        partner = PartnerInstitution(code="PUSDIKLAT-LAIN", name="Pusdiklat Lain")
        db.session.add(partner)
        db.session.flush()
        make_user("mitra.lain", {Role.MITRA}, partner=partner)
        mentor = db.session.get(User, world.users["atasan"].id)
        _ready_for_seminar(db.session.get(CohortMember, pw.member_id), mentor)
        _ready_for_seminar(member, mentor)
        db.session.commit()
        return Two(pw.member_id, member.id, pw.examiner_id, pw.coach2_id)


def _pages(two: Two) -> dict[str, list[str]]:
    """The organiser's GET pages of each cohort."""
    return {
        OWN: [
            f"/proyek/angkatan/{OWN}",
            f"/proyek/angkatan/{OWN}/peran",
            f"/proyek/{two.own_member}",
            f"/proyek/{two.own_member}/seminar",
        ],
        OTHER: [
            f"/proyek/angkatan/{OTHER}",
            f"/proyek/angkatan/{OTHER}/peran",
            f"/proyek/{two.other_member}",
            f"/proyek/{two.other_member}/seminar",
        ],
    }


@pytest.mark.parametrize(
    ("username", "allowed"),
    [("mitra", {OWN}), ("mitra.lain", set()), ("bkpsdm", {OWN, OTHER})],
)
def test_organiser_pages_only_for_the_cohorts_one_organises(app, two, username, allowed) -> None:
    client = app.test_client()
    login(client, username)
    for code, paths in _pages(two).items():
        for path in paths:
            status = client.get(path).status_code
            assert status == (200 if code in allowed else 404), (username, path, status)
    listed = client.get("/proyek/angkatan").get_data(as_text=True)
    for code in (OWN, OTHER):
        assert (code in listed) is (code in allowed), (username, code)
    dashboard = client.get("/dasbor").get_data(as_text=True)
    assert ("Angkatan I Uji" in dashboard) is (OWN in allowed)
    assert "Angkatan BKPSDM" not in dashboard or OTHER in allowed


def _post_everything(client, two: Two, member_id: int, code: str) -> list[int]:
    """Coach and mentor, one coach for all, the seminar, then mark it held."""
    starts = local_time(utcnow() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    prefix = f"m{member_id}-"
    return [
        client.post(
            f"/proyek/angkatan/{code}/peran/{member_id}",
            data={prefix + "coach": str(two.coach2_id), prefix + "mentor_nip": ""},
        ).status_code,
        client.post(
            f"/proyek/angkatan/{code}/coach", data={"coach": str(two.coach2_id)}
        ).status_code,
        client.post(
            f"/proyek/{member_id}/seminar",
            data={"starts_at": starts, "place": "Aula", "examiners": [str(two.examiner_id)]},
        ).status_code,
        client.post(f"/proyek/{member_id}/seminar/selesai").status_code,
    ]


def test_the_partner_does_the_organisers_work_on_its_own_cohort_only(app, two, no_csrf) -> None:
    client = app.test_client()
    login(client, "mitra")
    assert _post_everything(client, two, two.other_member, OTHER) == [404] * 4
    with app.app_context():
        other = db.session.get(CohortMember, two.other_member)
        assert assigned(other).coach_id is None
        assert services.project_of(other).state == "implementing"

    assert _post_everything(client, two, two.own_member, OWN) == [302] * 4
    with app.app_context():
        own = db.session.get(CohortMember, two.own_member)
        who = assigned(own)
        assert who.coach_id == two.coach2_id and who.examiner_ids == (two.examiner_id,)
        project = services.project_of(own)
        assert project.state == "seminar_scheduled"  # held only once its time has come
        assert project.seminar.scheduled_by_id == db.session.scalar(
            select(User.id).where(User.username == "mitra")
        )
        project.seminar.starts_at = utcnow() - timedelta(hours=1)
        db.session.commit()
    assert client.post(f"/proyek/{two.own_member}/seminar/selesai").status_code == 302
    with app.app_context():
        project = services.project_of(db.session.get(CohortMember, two.own_member))
        assert project.state == "seminar_held"

    other_partner = app.test_client()
    login(other_partner, "mitra.lain")
    assert _post_everything(other_partner, two, two.own_member, OWN) == [404] * 4


def test_bkpsdm_keeps_every_cohort(app, two, no_csrf) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    assert _post_everything(client, two, two.other_member, OTHER) == [302] * 4
    with app.app_context():
        other = db.session.get(CohortMember, two.other_member)
        assert assigned(other).coach_id == two.coach2_id
        assert services.project_of(other).state == "seminar_scheduled"
