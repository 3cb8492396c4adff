"""The post-training evaluation as SKP evidence: the answers given in an evaluation's months
appear on the supervisor's form, on the evaluation page and on both SKP pages, beside (never
instead of) the training that is evidence, and the acknowledged evidence works as before."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import select

from lms.careers.skp.models import SkpEvidence
from lms.evaluations.followup.models import Followup, FollowupAnswer
from lms.evaluations.followup.rules import add_months, closing_date
from lms.extensions import db
from tests.careers.skp.helpers import YEAR, agreed_period, at, csrf_of, make_completion
from tests.conftest import login
from tests.factories import make_course

LAST = YEAR - 1


def _followup(employee_id: int, code: str, title: str, completed: datetime, **kw) -> Followup:
    course = make_course(code, title=title)
    done = make_completion(employee_id, when=completed, course_id=course.id, code=code, title=title)
    completed_on = completed.date()
    due = add_months(completed_on, 3)
    followup = Followup(
        completion_id=done.id,
        employee_id=employee_id,
        course_id=course.id,
        code=code,
        title=title,
        unit_id=done.unit_id,
        completed_on=completed_on,
        months=3,
        due_on=due,
        closes_on=closing_date(due),
        **kw,
    )
    db.session.add(followup)
    db.session.flush()
    return followup


def _answer(
    followup: Followup, role: str, respondent_id: int, when: datetime, changed: str
) -> None:
    db.session.add(
        FollowupAnswer(
            followup_id=followup.id,
            role=role,
            respondent_id=respondent_id,
            ratings={"applied": 5},
            texts={"changed": changed},
            mean=Decimal("4.50"),
            submitted_at=when,
        )
    )


def test_answers_of_the_quarter_are_evidence_of_its_evaluation(app, world, client) -> None:
    siti, rahmat = world.employees["pegawai"].id, world.employees["atasan"].id
    with app.app_context():
        period = agreed_period(siti, world.users["atasan"].id, LAST)
        # Completed in November the year before last: answered in February (Q1) by both sides.
        q1 = _followup(
            siti, "PASCA-Q1", "Tata Naskah Dinas", datetime(LAST - 1, 11, 10, 3, tzinfo=UTC)
        )
        _answer(q1, "alumnus", siti, at(2, year=LAST), "Surat keluar kini tanpa revisi.")
        _answer(q1, "supervisor", rahmat, at(3, 20, year=LAST), "Siti melatih dua rekannya.")
        # Answered in May (Q2): evidence of another quarter.
        q2 = _followup(siti, "PASCA-Q2", "Arsip Digital", datetime(LAST, 2, 1, 3, tzinfo=UTC))
        _answer(q2, "alumnus", siti, at(5, year=LAST), "Arsip dipindai setiap pekan.")
        # A revoked completion's follow-up is no evidence at all.
        gone = _followup(
            siti,
            "PASCA-X",
            "Pelatihan Dicabut",
            datetime(LAST - 1, 11, 20, 3, tzinfo=UTC),
            status="cancelled",
            cancel_reason="revoked",
        )
        _answer(gone, "alumnus", siti, at(2, 15, year=LAST), "Tidak berlaku.")
        # A training completed in Q1 itself: the evidence that existed before.
        inside = make_course("BUKTI-Q1", title="Pelayanan Prima")
        trained = make_completion(
            siti,
            when=at(2, year=LAST),
            course_id=inside.id,
            code="BUKTI-Q1",
            title="Pelayanan Prima",
        )
        db.session.commit()
        period_id, trained_id, q2_done = period.id, trained.id, q2.completion_id

    login(client, "atasan")
    form = client.get(f"/tim/kinerja/{period_id}/evaluasi?periode=periodic:1").get_data(
        as_text=True
    )
    assert "Penerapan hasil pelatihan (evaluasi pascapelatihan)" in form
    assert "Surat keluar kini tanpa revisi." in form and "Siti melatih dua rekannya." in form
    assert "Arsip dipindai" not in form  # answered in May
    assert "Tidak berlaku." not in form  # cancelled
    assert "Pelayanan Prima" in form  # the completions are still offered as evidence
    token = csrf_of(form.encode())
    saved = client.post(
        f"/tim/kinerja/{period_id}/evaluasi",
        data={
            "kind": "periodic",
            "sequence": "1",
            "hasil_kerja": "sesuai",
            "perilaku": "di_atas",
            "evidence": [str(trained_id)],
            "csrf_token": token,
        },
    )
    assert saved.status_code == 302
    with app.app_context():
        rows = [(e.completion_id, e.acknowledged) for e in db.session.scalars(select(SkpEvidence))]
    # The evidence logic is unchanged: the quarter's completions (Arsip Digital was completed on
    # 1 February), the one acknowledged; the follow-ups add no SkpEvidence rows.
    assert sorted(rows) == sorted([(q2_done, False), (trained_id, True)])
    result = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Diakui sebagai bukti" in result
    assert 'id="pascapelatihan-title"' in result
    assert "Tata Naskah Dinas" in result and "Surat keluar kini tanpa revisi." in result
    assert "Arsip dipindai" not in result  # its training is Q1's evidence, its answer Q2's
    period_page = client.get(f"/tim/kinerja/{period_id}").get_data(as_text=True)
    assert "Tata Naskah Dinas" in period_page and "Arsip Digital" in period_page

    employee = app.test_client()
    login(employee, "pegawai")
    own = employee.get(f"/kinerja?tahun={LAST}").get_data(as_text=True)
    assert "Penerapan hasil pelatihan tahun" in own
    assert "Siti melatih dua rekannya." in own and "Arsip dipindai setiap pekan." in own
    assert "Tidak berlaku." not in own
    assert employee.get(saved.headers["Location"]).status_code == 200


def test_without_answers_the_section_says_so(app, world, client) -> None:
    with app.app_context():
        period = agreed_period(world.employees["pegawai"].id, world.users["atasan"].id, LAST)
        db.session.commit()
        period_id = period.id
    login(client, "atasan")
    page = client.get(f"/tim/kinerja/{period_id}").get_data(as_text=True)
    assert "Belum ada jawaban evaluasi pascapelatihan pada periode ini." in page
