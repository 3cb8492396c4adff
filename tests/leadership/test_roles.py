"""The organiser assigns coach, mentor and examiners through its pages: each must hold the role
the table gives the job, the three are different people and none is the participant."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import CohortMember
from lms.extensions import db
from lms.leadership.roles import services as roles
from lms.leadership.roles.access import assigned
from lms.leadership.roles.models import CohortRole
from lms.org.models import Employee, Unit
from tests.conftest import login
from tests.factories import make_employee, make_user
from tests.leadership.builders import project_world


def _setup(app, world):
    with app.app_context():
        pw = project_world(world)
        unit = db.session.get(Unit, world.units["disdik"].id)
        head = make_employee(unit, "Kepala Bidang Lain", position_name="Kepala Bidang")
        make_employee(unit, "Staf Bidang", head)
        make_user("kabid", employee=head)
        db.session.execute(
            CohortRole.__table__.delete().where(CohortRole.member_id == pw.member_id)
        )
        db.session.commit()
        return pw


def _who(app, member_id):
    with app.app_context():
        return assigned(db.session.get(CohortMember, member_id))


def _flash(response) -> str:
    return response.get_data(as_text=True)


def test_the_organiser_assigns_coach_and_mentor(app, world, no_csrf) -> None:
    pw = _setup(app, world)
    client = app.test_client()
    login(client, "bkpsdm")
    url = f"/proyek/angkatan/{pw.cohort_code}/peran"
    page = client.get(url).get_data(as_text=True)
    assert "Siti Aminah" in page and "Budi Santoso" in page
    with app.app_context():
        pengajar = db.session.scalar(select(User).where(User.username == "pengajar"))
        penguji_id, pengajar_id = pw.examiner_id, pengajar.id
        kabid_nip = db.session.scalar(
            select(Employee.nip).where(Employee.full_name == "Kepala Bidang Lain")
        )
        pegawai_nip = db.session.get(Employee, world.employees["pegawai"].id).nip
    prefix = f"m{pw.member_id}-"

    # Mentor by default: the direct supervisor (atasan), shown as such.
    assert _who(app, pw.member_id).mentor_is_default

    # A mentor who is not a supervisor (pegawai has no staff) is refused, nothing saved.
    refused = client.post(
        f"{url}/{pw.member_id}",
        data={prefix + "coach": str(pengajar_id), prefix + "mentor_nip": pegawai_nip},
        follow_redirects=True,
    )
    assert "bukan atasan (tidak memiliki bawahan), jadi tidak dapat menjadi mentor" in _flash(
        refused
    )
    assert _who(app, pw.member_id).coach_id is None

    done = client.post(
        f"{url}/{pw.member_id}",
        data={prefix + "coach": str(pengajar_id), prefix + "mentor_nip": kabid_nip},
        follow_redirects=True,
    )
    assert "Coach dan mentor Siti Aminah tersimpan." in _flash(done)
    who = _who(app, pw.member_id)
    assert who.coach_id == pengajar_id and not who.mentor_is_default

    # The same person cannot be coach and mentor... nor a non-trainer the coach.
    with app.app_context():
        kabid_id = db.session.scalar(select(User.id).where(User.username == "kabid"))
    again = client.post(
        f"{url}/{pw.member_id}",
        data={prefix + "coach": str(kabid_id), prefix + "mentor_nip": kabid_nip},
        follow_redirects=True,
    )
    assert "bukan pengajar/widyaiswara, jadi tidak dapat menjadi coach" in _flash(again)

    # Back to the supervisor: an empty NIP.
    client.post(f"{url}/{pw.member_id}", data={prefix + "coach": str(pengajar_id)})
    assert _who(app, pw.member_id).mentor_is_default

    # One coach for everyone without one.
    everyone = client.post(
        f"/proyek/angkatan/{pw.cohort_code}/coach",
        data={"coach": str(penguji_id)},
        follow_redirects=True,
    )
    assert "menjadi coach 0 peserta" in _flash(everyone)  # both have a coach already
    with app.app_context():
        db.session.execute(
            CohortRole.__table__.delete().where(CohortRole.member_id == pw.other_member_id)
        )
        db.session.commit()
    everyone = client.post(
        f"/proyek/angkatan/{pw.cohort_code}/coach",
        data={"coach": str(penguji_id)},
        follow_redirects=True,
    )
    assert "menjadi coach 1 peserta" in _flash(everyone)
    assert _who(app, pw.other_member_id).coach_id == penguji_id


def test_examiner_must_differ_from_coach(app, world) -> None:
    pw = _setup(app, world)
    with app.app_context():
        organiser = db.session.scalar(select(User).where(User.username == "bkpsdm"))
        member = db.session.get(CohortMember, pw.member_id)
        penguji = db.session.get(User, pw.examiner_id)
        roles.assign_coach(organiser, member, penguji)
        try:
            roles.set_examiners(organiser, member, [penguji])
        except roles.RolesError as exc:
            assert "coach, mentor, dan penguji harus orang yang berbeda" in str(exc)
        else:
            raise AssertionError("a coach was accepted as examiner")
        atasan = db.session.scalar(select(User).where(User.username == "atasan"))
        boss = db.session.get(CohortMember, pw.member_id)
        boss.employee = atasan.employee  # a supervisor in the cohort cannot mentor themself
        try:
            roles.assign_mentor(organiser, boss, atasan)
        except roles.RolesError as exc:
            assert "Peserta tidak dapat menjadi mentor proyeknya sendiri." in str(exc)
        else:
            raise AssertionError("the participant became their own mentor")
        try:
            roles.set_examiners(organiser, member, [])
        except roles.RolesError as exc:
            assert exc.field == "examiners"
        else:
            raise AssertionError("a seminar without examiner was accepted")
