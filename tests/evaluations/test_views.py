"""The evaluation through HTTP: the participant's form, completion, and who sees what."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.completion.models import Completion
from lms.courses.models import Course
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.evaluations.models import CourseEvaluation
from lms.evaluations.questions import sections_for
from lms.extensions import db
from lms.learning.services import mark_done
from lms.org.models import Employee, Unit
from lms.permissions import Role
from tests.conftest import csrf_token, login
from tests.factories import make_course, make_employee, make_user
from tests.test_query_counts import count_queries

CODE = "EVAL-101"


def setup_course(app, world, *, enrol: bool = True, trainer: bool = True, **kw) -> int:
    """A published course taught by `pengajar`, `pegawai` enrolled (active)."""
    with app.app_context():
        teacher = db.session.get(User, world.users["pengajar"].id) if trainer else None
        course = make_course(CODE, title="Pelatihan Layanan Prima", trainer=teacher, **kw)
        if enrol:
            enrolments.enrol_self(db.session.get(User, world.users["pegawai"].id), course)
        db.session.commit()
        return course.id


def item_keys(app, course_id: int) -> list[str]:
    with app.app_context():
        course = db.session.get(Course, course_id)
        return [i.key for s in sections_for(course) for i in s.items]


def answers(app, course_id: int, value: str = "4", **override: str) -> dict:
    data = {key: value for key in item_keys(app, course_id)}
    data.update(override)
    return data


def add_responses(app, course_id: int, n: int, unit_code: str = "DINKES-YANKES", **kw) -> None:
    """``n`` other participants of that unit, each with an evaluation (names "Peserta Uji …")."""
    with app.app_context():
        course = db.session.get(Course, course_id)
        keys = [i.key for s in sections_for(course) for i in s.items]
        unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
        start = db.session.scalar(select(func.count(Employee.id)))
        for i in range(n):
            employee = make_employee(unit, f"Peserta Uji {start + i}")
            enrolment = Enrolment(course_id=course.id, employee_id=employee.id, status="active")
            db.session.add(enrolment)
            db.session.flush()
            db.session.add(
                CourseEvaluation(
                    enrolment_id=enrolment.id,
                    course_id=course.id,
                    version_id=course.published_version_id,
                    employee_id=employee.id,
                    ratings={key: 1 + (i + j) % 5 for j, key in enumerate(keys)},
                    comments={"course": f"Komentar rahasia {start + i}"},
                    **kw,
                )
            )
        db.session.commit()


def evaluation_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(CourseEvaluation.id)))


def post_form(client, data: dict):
    path = f"/pelatihan/{CODE}/evaluasi"
    data = {**data, "csrf_token": csrf_token(client, path)}
    return client.post(path, data=data)


# --- participant ---------------------------------------------------------------------------------


def test_form_has_accessible_radio_groups(app, client, world) -> None:
    setup_course(app, world)
    login(client, "pegawai")
    page = client.get(f"/pelatihan/{CODE}/evaluasi")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'fieldset class="likert" id="course_relevance"' in html
    assert html.count("<legend>") == len(item_keys(app, _course_id(app)))
    for n in range(5):
        assert f'<label for="course_relevance-{n}"><input id="course_relevance-{n}"' in html
    assert "Sangat tidak setuju" in html and "Sangat setuju" in html
    assert "Pengajar / widyaiswara" in html  # the course has a trainer
    assert "trainer_punctuality" not in html  # e-learning: no face-to-face sessions
    assert 'for="comment_course"' in html


def _course_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(Course.id).where(Course.code == CODE))


def test_course_without_trainer_is_not_asked_about_one(app, client, world) -> None:
    course_id = setup_course(app, world, trainer=False)
    login(client, "pegawai")
    html = client.get(f"/pelatihan/{CODE}/evaluasi").get_data(as_text=True)
    assert "trainer_mastery" not in html
    response = post_form(client, answers(app, course_id))
    assert response.status_code == 302
    with app.app_context():
        row = db.session.scalar(select(CourseEvaluation))
        assert not any(k.startswith("trainer_") for k in row.ratings)


def test_submit_once_then_a_friendly_message(app, client, world) -> None:
    course_id = setup_course(app, world)
    login(client, "pegawai")
    data = answers(app, course_id, comment_course="Materinya pas.", comment_trainer="")
    response = post_form(client, data)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pelatihan/{CODE}")
    with app.app_context():
        row = db.session.scalar(select(CourseEvaluation))
        course = db.session.get(Course, course_id)
        assert row.version_id == course.published_version_id
        assert row.employee_id == world.employees["pegawai"].id
        assert set(row.ratings) == set(item_keys(app, course_id))
        assert set(row.ratings.values()) == {4}
        assert row.comments == {"course": "Materinya pas."}
    followed = client.get(response.headers["Location"])
    assert "evaluasi Anda tersimpan" in followed.get_data(as_text=True)

    # A second tab still showing the form sends it again.
    again = post_form(client, data)
    assert again.status_code == 302
    assert "sudah mengisi evaluasi" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert evaluation_count(app) == 1
    page = client.get(f"/pelatihan/{CODE}/evaluasi")
    assert page.status_code == 200
    assert 'id="evaluation-done"' in page.get_data(as_text=True)


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"course_clarity": None}, "Pilih salah satu jawaban (1–5)."),
        ({"course_clarity": "6"}, "Jawaban harus antara 1 dan 5."),
        ({"course_clarity": "0"}, "Jawaban harus antara 1 dan 5."),
        ({"course_clarity": "empat"}, "Jawaban harus berupa angka bulat 1 sampai 5."),
        ({"course_clarity": "4.5"}, "Jawaban harus berupa angka bulat 1 sampai 5."),
        ({"comment_course": "x" * 2001}, "Komentar paling banyak 2000 karakter."),
    ],
)
def test_invalid_answers_are_refused_in_indonesian(app, client, world, override, message) -> None:
    course_id = setup_course(app, world)
    login(client, "pegawai")
    data = answers(app, course_id)
    for key, value in override.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    response = post_form(client, data)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="evaluation-errors"' in html
    field = next(iter(override))
    error = re.search(rf'<small id="{field}-error" class="field-error">([^<]*)</small>', html)
    assert error and error.group(1) == message
    assert f'href="#{field}"' in html  # the summary links to the field
    assert evaluation_count(app) == 0


def test_only_enrolled_participants(app, client, world) -> None:
    setup_course(app, world)
    login(client, "atasan")  # an employee, not enrolled
    assert client.get(f"/pelatihan/{CODE}/evaluasi").status_code == 403
    assert client.post(f"/pelatihan/{CODE}/evaluasi", data={}).status_code in (400, 403)
    assert client.get("/pelatihan/TIDAK-ADA/evaluasi").status_code == 404


def test_withdrawn_enrolment_cannot_evaluate(app, client, world) -> None:
    setup_course(app, world)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        enrolment.status = "withdrawn"
        db.session.commit()
    login(client, "pegawai")
    assert client.get(f"/pelatihan/{CODE}/evaluasi").status_code == 403


def test_evaluation_completes_a_course_whose_other_rules_are_met(app, client, world) -> None:
    course_id = setup_course(app, world, lessons=2)
    with app.app_context():
        course = db.session.get(Course, course_id)
        enrolment = db.session.scalar(select(Enrolment))
        for lesson in course.published_version.modules[0].lessons:
            mark_done(enrolment, lesson)
        db.session.commit()
        assert db.session.scalar(select(func.count(Completion.id))) == 0  # evaluation missing
    login(client, "pegawai")
    response = post_form(client, answers(app, course_id))
    assert response.status_code == 302
    with app.app_context():
        completion = db.session.scalar(select(Completion))
        assert completion is not None
        assert completion.course_id == course_id
        assert completion.employee_id == world.employees["pegawai"].id
        assert completion.source == "online"
        assert db.session.scalar(select(Enrolment.status)) == "completed"
    assert "sudah selesai" in client.get(response.headers["Location"]).get_data(as_text=True)


def test_evaluation_alone_does_not_complete_when_lessons_remain(app, client, world) -> None:
    course_id = setup_course(app, world, lessons=2)
    login(client, "pegawai")
    assert post_form(client, answers(app, course_id)).status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count(Completion.id))) == 0
        assert db.session.scalar(select(Enrolment.status)) == "active"


def test_completed_participant_may_still_evaluate(app, client, world) -> None:
    course_id = setup_course(app, world, require_evaluation=False, lessons=1)
    with app.app_context():
        course = db.session.get(Course, course_id)
        mark_done(
            db.session.scalar(select(Enrolment)), course.published_version.modules[0].lessons[0]
        )
        db.session.commit()
        assert db.session.scalar(select(Enrolment.status)) == "completed"
    login(client, "pegawai")
    assert post_form(client, answers(app, course_id)).status_code == 302
    assert evaluation_count(app) == 1


def test_concurrent_duplicate_is_refused_by_the_unique_constraint(app, world, monkeypatch) -> None:
    """Two submissions racing past the existence check: the database keeps one."""
    from lms.evaluations import services

    course_id = setup_course(app, world)
    keys = item_keys(app, course_id)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        sections = sections_for(enrolment.course)
        services.submit(enrolment, sections, dict.fromkeys(keys, 5), {})
        db.session.commit()
        monkeypatch.setattr(services, "find", lambda _enrolment: None)
        with pytest.raises(services.EvaluationError, match="sudah mengisi"):
            services.submit(enrolment, sections, dict.fromkeys(keys, 3), {})
        db.session.rollback()
        assert db.session.scalar(select(func.count(CourseEvaluation.id))) == 1


def test_service_refuses_incomplete_ratings(app, world) -> None:
    from lms.evaluations import services

    course_id = setup_course(app, world)
    keys = item_keys(app, course_id)
    with app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        sections = sections_for(enrolment.course)
        for ratings in (dict.fromkeys(keys[1:], 4), {**dict.fromkeys(keys, 4), keys[0]: 6}):
            with pytest.raises(services.EvaluationError):
                services.submit(enrolment, sections, ratings, {})
        assert db.session.scalar(select(func.count(CourseEvaluation.id))) == 0


def test_status_for(app, world) -> None:
    from lms.evaluations.services import status_for

    course_id = setup_course(app, world)
    add_responses(app, course_id, 1)
    with app.app_context():
        mine = db.session.scalar(
            select(Enrolment).where(Enrolment.employee_id == world.employees["pegawai"].id)
        )
        other = db.session.scalar(
            select(Enrolment).where(Enrolment.employee_id != world.employees["pegawai"].id)
        )
        assert status_for(mine) == (True, False)
        assert status_for(other) == (True, True)
        mine.course.require_evaluation = False
        assert status_for(mine) == (False, False)


# --- results -------------------------------------------------------------------------------------


def results_url(course_id: int, suffix: str = "") -> str:
    return f"/kelola/pelatihan/{course_id}/evaluasi{suffix}"


def test_trainer_sees_aggregates_without_names(app, client, world) -> None:
    course_id = setup_course(app, world)
    add_responses(app, course_id, 3)
    login(client, "pengajar")
    page = client.get(results_url(course_id))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert re.search(r'id="eval-responses">3<', html)
    assert 'id="item-course_relevance"' in html
    assert "data:image/svg+xml;base64," in html  # the charts
    assert "Komentar rahasia" in html  # comments shown at n ≥ 3, anonymised
    assert "Peserta Uji" not in html
    with app.app_context():
        for employee in db.session.scalars(select(Employee)):
            assert employee.full_name not in html
            assert employee.nip not in html and employee.nip_display not in html
    assert client.get(results_url(course_id, "/respon")).status_code == 403


def test_below_three_responses_trainer_sees_no_figures_or_comments(app, client, world) -> None:
    course_id = setup_course(app, world)
    add_responses(app, course_id, 2)
    login(client, "pengajar")
    html = client.get(results_url(course_id)).get_data(as_text=True)
    assert 'id="eval-withheld"' in html
    assert "Komentar rahasia" not in html
    assert 'id="item-course_relevance"' not in html


def test_trainer_of_another_course_is_refused(app, client, world) -> None:
    course_id = setup_course(app, world)
    with app.app_context():
        make_user("pengajar.lain", {Role.PENGAJAR})
        db.session.commit()
    login(client, "pengajar.lain")
    assert client.get(results_url(course_id)).status_code == 403
    assert client.get(results_url(course_id, "/respon")).status_code == 403
    assert client.get(results_url(999999)).status_code == 404


def test_hr_sees_individual_responses_with_names(app, client, world) -> None:
    course_id = setup_course(app, world)
    login(client, "pegawai")
    assert (
        post_form(client, answers(app, course_id, comment_course="Kurang contoh.")).status_code
        == 302
    )
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    hr = client.application.test_client()
    login(hr, "bkpsdm")
    results = hr.get(results_url(course_id)).get_data(as_text=True)
    # HR sees the figures even for one response, and comments only from three on.
    assert 'id="eval-mean">4,00<' in results
    assert 'id="eval-index">80,0<' in results
    assert 'id="eval-band">Baik<' in results
    assert "Kurang contoh." not in results
    page = hr.get(results_url(course_id, "/respon"))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert world.employees["pegawai"].name in html
    assert world.employees["pegawai"].nip_display in html
    assert "Kurang contoh." in html


def test_admin_opd_sees_only_their_department(app, client, world) -> None:
    course_id = setup_course(app, world, enrol=False)
    add_responses(app, course_id, 3, unit_code="DINKES-YANKES")
    add_responses(app, course_id, 4, unit_code="DISDIK")
    login(client, "opd.dinkes")
    html = client.get(results_url(course_id)).get_data(as_text=True)
    assert re.search(r'id="eval-responses">3<', html)
    assert "Dinas Kesehatan" in html
    assert "Peserta Uji" not in html
    assert client.get(results_url(course_id, "/respon")).status_code == 403
    bkpsdm = client.application.test_client()
    login(bkpsdm, "bkpsdm")
    assert re.search(
        r'id="eval-responses">7<', bkpsdm.get(results_url(course_id)).get_data(as_text=True)
    )


def test_atasan_is_not_hr(app, client, world) -> None:
    course_id = setup_course(app, world)
    login(client, "atasan")
    assert client.get(results_url(course_id)).status_code == 403


def test_filters_by_date_and_version(app, client, world) -> None:
    course_id = setup_course(app, world, enrol=False)
    add_responses(app, course_id, 3, submitted_at=datetime(2026, 3, 10, 3, 0, tzinfo=UTC))
    add_responses(app, course_id, 2, submitted_at=datetime(2026, 4, 20, 3, 0, tzinfo=UTC))
    login(client, "bkpsdm")

    def count(query: str) -> int:
        html = client.get(results_url(course_id) + query).get_data(as_text=True)
        return int(re.search(r'id="eval-responses">(\d+)<', html).group(1))

    assert count("") == 5
    assert count("?dari=2026-03-01&sampai=2026-03-31") == 3
    assert count("?dari=2026-04-20") == 2
    assert count("?sampai=2026-03-10") == 3  # the end day counts whole
    with app.app_context():
        version_id = db.session.get(Course, course_id).published_version_id
    assert count(f"?versi={version_id}") == 5
    assert count("?versi=99999") == 5  # an unknown version is refused, not applied
    bad = client.get(results_url(course_id) + "?dari=kemarin&versi=abc")
    assert bad.status_code == 200
    html = bad.get_data(as_text=True)
    assert "Tanggal tidak valid; gunakan format TTTT-BB-HH." in html
    assert "Pilihan tidak valid." in html
    reversed_range = client.get(results_url(course_id) + "?dari=2026-04-01&sampai=2026-03-01")
    assert "Tanggal akhir tidak boleh sebelum tanggal awal." in reversed_range.get_data(
        as_text=True
    )
    names = client.get(results_url(course_id, "/respon") + "?dari=2026-04-01").get_data(
        as_text=True
    )
    assert "2 respons" in names


@pytest.mark.parametrize(
    ("username", "suffix"),
    [("pengajar", ""), ("bkpsdm", ""), ("bkpsdm", "/respon"), ("opd.dinkes", "")],
)
def test_query_counts_do_not_grow_with_responses(app, world, username: str, suffix: str) -> None:
    course_id = setup_course(app, world, enrol=False)

    def measure() -> int:
        client = app.test_client()
        login(client, username)
        url = results_url(course_id, suffix)
        assert client.get(url).status_code == 200
        with count_queries(app) as counter:
            assert client.get(url).status_code == 200
        return counter["n"]

    add_responses(app, course_id, 3)
    few = measure()
    add_responses(app, course_id, 27)
    assert measure() == few


def test_classroom_course_asks_about_punctuality(app, client, world) -> None:
    course_id = setup_course(app, world)
    with app.app_context():
        db.session.get(Course, course_id).published_version.delivery_mode = "classroom"
        db.session.commit()
    login(client, "pegawai")
    html = client.get(f"/pelatihan/{CODE}/evaluasi").get_data(as_text=True)
    assert 'id="trainer_punctuality"' in html
    assert "trainer_punctuality" in item_keys(app, course_id)


def test_template_global_for_course_pages(app, world) -> None:
    """What the course page and the lesson player call to show the "Isi evaluasi" button."""
    from flask import render_template_string

    setup_course(app, world)
    with app.test_request_context(), app.app_context():
        enrolment = db.session.scalar(select(Enrolment))
        template = "{{ evaluation_status(e) }}"
        assert render_template_string(template, e=enrolment) == "(True, False)"
        assert render_template_string(template, e=None) == "None"
        enrolment.status = "withdrawn"
        assert render_template_string(template, e=enrolment) == "None"
