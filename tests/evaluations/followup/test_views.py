"""Who may answer (the alumnus only theirs, the supervisor only their direct reports'), the
questionnaires through HTTP with their refusals, and the course and programme pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.courses.models import Course
from lms.evaluations.followup import notices
from lms.evaluations.followup.models import Followup, FollowupAnswer, FollowupSetting
from lms.extensions import db
from lms.org.models import Employee
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.evaluations.followup.conftest import ALUMNUS_FORM, COURSE, SUPERVISOR_FORM
from tests.factories import make_employee, make_user


def _post(client, path: str, data: dict):
    return client.post(path, data={**data, "csrf_token": csrf_token(client, path)})


def _answers() -> dict[str, FollowupAnswer]:
    return {a.role: a for a in db.session.scalars(select(FollowupAnswer))}


def test_the_alumnus_and_the_supervisor_each_answer_once(app, client, world, open_followup) -> None:
    mine = f"/evaluasi-pascapelatihan/{open_followup}"
    theirs = f"/tim/evaluasi-pascapelatihan/{open_followup}"
    login(client, "pegawai")
    listing = client.get("/evaluasi-pascapelatihan").get_data(as_text=True)
    assert f"Pelatihan {COURSE}" in listing and "Menunggu jawaban" in listing
    page = client.get(mine).get_data(as_text=True)
    assert "Saya sudah menerapkan pengetahuan" in page and "Kirim jawaban" in page
    done = _post(client, mine, ALUMNUS_FORM)
    assert done.status_code == 302 and done.headers["Location"].endswith("/evaluasi-pascapelatihan")
    again = _post(client, mine, ALUMNUS_FORM)  # a second submission changes nothing
    assert again.status_code == 302
    shown = client.get(mine).get_data(as_text=True)
    assert "Surat dinas kini selesai dalam satu hari." in shown and "Kirim jawaban" not in shown
    assert client.get(theirs).status_code == 403  # not a supervisor at all
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})

    login(client, "atasan")
    team = client.get("/evaluasi-pascapelatihan").get_data(as_text=True)
    assert "Bawahan langsung saya" in team and "Siti Aminah" in team
    assert "Pegawai menerapkan pengetahuan" in client.get(theirs).get_data(as_text=True)
    assert _post(client, theirs, SUPERVISOR_FORM).status_code == 302
    assert client.get(mine).status_code == 404  # the alumnus's own questionnaire is hers
    with app.app_context():
        answers = _answers()
        assert set(answers) == {"alumnus", "supervisor"}
        assert answers["alumnus"].respondent_id == world.employees["pegawai"].id
        assert answers["alumnus"].ratings == {
            "applied": 4,
            "routine": 4,
            "performance": 5,
            "support": 3,
        }
        assert str(answers["alumnus"].mean) == "4.00"
        assert answers["supervisor"].respondent_id == world.employees["atasan"].id
        assert answers["supervisor"].texts == {"changed": "Siti menyusun SOP baru untuk loket."}


def test_another_employee_and_another_supervisor_get_a_404(
    app, client, world, open_followup
) -> None:
    with app.app_context():
        seksi = db.session.get(Employee, world.employees["atasan"].id).unit
        other_boss = make_employee(seksi, "Yuni Kartika", gender="P")
        make_employee(seksi, "Joko Widodo", other_boss)  # Yuni supervises someone else
        make_user("yuni", employee=other_boss)
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        make_user("budi", employee=budi)
        db.session.commit()
    for username in ("budi", "yuni", "bkpsdm"):
        login(client, username)
        assert client.get(f"/evaluasi-pascapelatihan/{open_followup}").status_code == 404
        status = client.get(f"/tim/evaluasi-pascapelatihan/{open_followup}").status_code
        assert status == (404 if username == "yuni" else 403)
        client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    assert client.get("/evaluasi-pascapelatihan/999999").status_code == 302  # signed out


def test_a_supervisor_who_moved_on_is_not_asked_the_new_one_is(
    app, client, world, open_followup
) -> None:
    with app.app_context():
        db.session.get(Employee, world.employees["pegawai"].id).supervisor_id = world.employees[
            "hr"
        ].id
        db.session.commit()
    login(client, "atasan")  # still Budi's supervisor, no longer Siti's
    assert client.get(f"/tim/evaluasi-pascapelatihan/{open_followup}").status_code == 404
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "bkpsdm")  # Andi, Siti's supervisor now
    assert client.get(f"/tim/evaluasi-pascapelatihan/{open_followup}").status_code == 200


def test_bad_answers_are_refused_naming_the_question(app, client, world, open_followup) -> None:
    path = f"/evaluasi-pascapelatihan/{open_followup}"
    login(client, "pegawai")
    missing = {**ALUMNUS_FORM, "routine": "", "text_changed": "  "}
    page = _post(client, path, missing)
    assert page.status_code == 422
    body = page.get_data(as_text=True)
    assert "Jawaban belum terkirim" in body
    assert "Pilih salah satu jawaban (1–5)." in body
    assert "Pertanyaan ini wajib dijawab." in body
    off_scale = _post(client, path, {**ALUMNUS_FORM, "applied": "9"})
    assert off_scale.status_code == 422
    assert "Jawaban harus antara 1 dan 5." in off_scale.get_data(as_text=True)
    too_long = _post(client, path, {**ALUMNUS_FORM, "text_obstacles": "x" * 2001})
    assert too_long.status_code == 422
    assert "paling banyak 2000 karakter" in too_long.get_data(as_text=True)
    no_csrf = client.post(path, data=ALUMNUS_FORM)
    assert no_csrf.status_code in (400, 422)
    with app.app_context():
        assert _answers() == {}


def test_before_opening_and_after_closing_nobody_answers(app, client, world, open_followup) -> None:
    path = f"/evaluasi-pascapelatihan/{open_followup}"
    with app.app_context():
        followup = db.session.get(Followup, open_followup)
        today = followup.due_on
        followup.due_on = today + timedelta(days=5)
        followup.closes_on = today + timedelta(days=47)
        db.session.commit()
    login(client, "pegawai")
    assert "baru dibuka pada" in client.get(path).get_data(as_text=True)
    refused = _post(client, path, ALUMNUS_FORM)
    assert refused.status_code == 302
    assert "baru dibuka pada" in client.get(refused.headers["Location"]).get_data(as_text=True)
    with app.app_context():
        followup = db.session.get(Followup, open_followup)
        followup.due_on = today - timedelta(days=60)
        followup.closes_on = today - timedelta(days=18)
        db.session.commit()
    assert "sudah lewat" in client.get(path).get_data(as_text=True)
    _post(client, path, ALUMNUS_FORM)
    with app.app_context():
        assert _answers() == {}


def test_the_notice_links_to_the_questionnaire(app, client, world, open_followup) -> None:
    with app.app_context():
        notices.send_due(db.session.get(Followup, open_followup).due_on)
    login(client, "atasan")
    page = client.get("/pemberitahuan").get_data(as_text=True)
    assert f'href="/tim/evaluasi-pascapelatihan/{open_followup}"' in page
    assert "Evaluasi pascapelatihan Pelatihan PASCA-101 untuk Siti Aminah" in page


# --- the course's and the programme's page --------------------------------------------------------


def _course_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.code == COURSE))


def test_bkpsdm_sets_the_months_of_a_course(app, client, world, open_followup) -> None:
    path = f"/kelola/pelatihan/{_course_id(app)}/pascapelatihan"
    login(client, "bkpsdm")
    page = client.get(path).get_data(as_text=True)
    assert 'name="months"' in page and 'value="3"' in page
    bad = _post(client, path, {"months": "30", "enabled": "y"})
    assert bad.status_code == 422
    assert "Jangka waktu harus 1 sampai 24 bulan." in bad.get_data(as_text=True)
    assert _post(client, path, {"months": "abc"}).status_code == 422
    saved = _post(client, path, {"months": "6", "enabled": "y"})
    assert saved.status_code == 302
    with app.app_context():
        setting = db.session.scalar(select(FollowupSetting))
        assert (setting.months, setting.enabled) == (6, True)


def test_the_trainer_reads_figures_only_past_the_threshold(
    app, client, world, open_followup
) -> None:
    path = f"/kelola/pelatihan/{_course_id(app)}/pascapelatihan"
    login(client, "pegawai")
    _post(client, f"/evaluasi-pascapelatihan/{open_followup}", ALUMNUS_FORM)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "pengajar")
    page = client.get(path).get_data(as_text=True)
    assert 'name="months"' not in page  # trainers read the setting, BKPSDM changes it
    assert "Rekapitulasi ditampilkan setelah ada sedikitnya 3 jawaban" in page
    assert "Surat dinas" not in page
    assert client.post(path, data={"months": "6"}).status_code in (400, 403)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "bkpsdm")
    hr = client.get(path).get_data(as_text=True)
    assert "Surat dinas kini selesai dalam satu hari." in hr
    assert 'id="answers-alumnus">1<' in hr


def test_bkpsdm_sets_a_programme_and_sees_the_overview(app, client, world) -> None:
    from lms.enrolments.cohorts.models import Programme

    with app.app_context():
        db.session.add(Programme(code="PKP-2026", title="Pelatihan Kepemimpinan Pengawas"))
        db.session.commit()
    login(client, "bkpsdm")
    overview = client.get("/kelola/pascapelatihan").get_data(as_text=True)
    assert "PKP-2026" in overview and "(bawaan)" in overview
    path = "/kelola/program/PKP-2026/pascapelatihan"
    assert _post(client, path, {"months": "12"}).status_code == 302  # unticked: switched off
    with app.app_context():
        setting = db.session.scalar(select(FollowupSetting))
        assert (setting.programme_id is not None, setting.months, setting.enabled) == (
            True,
            12,
            False,
        )
    assert "Tidak dilakukan" in client.get("/kelola/pascapelatihan").get_data(as_text=True)
    assert client.get("/kelola/program/TIDAK-ADA/pascapelatihan").status_code == 404


def test_an_admin_opd_sees_only_their_department(app, client, world, open_followup) -> None:
    with app.app_context():
        disdik = db.session.get(Employee, world.employees["disdik"].id).unit
        make_user("opd.disdik", {Role.ADMIN_OPD}, admin_unit=disdik)
        db.session.commit()
    path = f"/kelola/pelatihan/{_course_id(app)}/pascapelatihan"
    login(client, "opd.dinkes")
    assert "Menunggu jawaban" in client.get(path).get_data(as_text=True)
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "opd.disdik")
    page = client.get(path).get_data(as_text=True)
    assert "Alumni dari Dinas Pendidikan saja." in page
    assert 'id="answers-alumnus">0<' in page
    with app.app_context():
        assert db.session.scalar(select(User.id).where(User.username == "opd.disdik"))
