"""SKP: planned work results, the supervisor's agreement, evaluations, evidence, feedback."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lms.auth.models import User
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import services as skp
from lms.careers.skp.models import SkpEvaluation, SkpEvidence, SkpFeedback, SkpPeriod
from lms.careers.skp.predikat import PREDIKAT_MATRIX
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee, Instansi, Unit
from tests.careers.skp.helpers import (
    YEAR,
    agreed_period,
    at,
    csrf_of,
    evaluate_year,
    make_completion,
)
from tests.conftest import login
from tests.factories import make_course, make_employee, make_user

# Last year: every period has ended, so each may be evaluated whatever today's date is.
LAST = YEAR - 1


def _period_id(app, world) -> int:
    with app.app_context():
        period = agreed_period(world.employees["pegawai"].id, world.users["atasan"].id, LAST)
        db.session.commit()
        return period.id


def _last_year_evaluated(app, world) -> int:
    """Last year's SKP of `pegawai`, agreed, with every periodic evaluation given."""
    with app.app_context():
        period = agreed_period(world.employees["pegawai"].id, world.users["atasan"].id, YEAR - 1)
        atasan = db.session.get(User, world.users["atasan"].id)
        for slot in schedule.missing_periodic(period):
            evaluations.evaluate(
                period,
                atasan,
                evaluations.EvaluationInput("periodic", slot.sequence, "sesuai", "sesuai"),
            )
        db.session.commit()
        return period.id


def _evaluations(app, period_id: int) -> list[tuple]:
    with app.app_context():
        return [
            (e.kind, e.sequence, e.hasil_kerja, e.perilaku, e.predikat)
            for e in db.session.scalars(
                select(SkpEvaluation)
                .where(SkpEvaluation.period_id == period_id)
                .order_by(SkpEvaluation.id)
            )
        ]


def _evaluate(client, period_id: int, **data):
    path = f"/tim/kinerja/{period_id}/evaluasi"
    token = csrf_of(client.get(path).data)
    form = {"kind": "periodic", "sequence": "1", "hasil_kerja": "sesuai", "perilaku": "sesuai"}
    form.update(data)
    return client.post(path, data={**form, "csrf_token": token})


# --- the nine cells, through the service that stores evaluations ------------------------------


def test_all_nine_predikat_cells_are_stored_by_the_evaluation_service(app, world) -> None:
    with app.app_context():
        boss = db.session.get(Employee, world.employees["atasan"].id)
        seen = {}
        for i, ((hasil, perilaku), expected) in enumerate(PREDIKAT_MATRIX.items()):
            staff = make_employee(boss.unit, f"Pegawai Matriks {i}", boss)
            period = agreed_period(staff.id, world.users["atasan"].id)
            atasan = db.session.get(User, world.users["atasan"].id)
            # the human spellings an evaluator or import uses are accepted too
            stored = evaluate_year(
                period, atasan, hasil.value if i % 2 else hasil.label, perilaku.value
            )
            db.session.commit()
            seen[(hasil.value, perilaku.value)] = (stored.id, expected.value)
        for (hasil, perilaku), (evaluation_id, expected) in seen.items():
            row = db.session.get(SkpEvaluation, evaluation_id)
            assert (row.hasil_kerja, row.perilaku, row.predikat) == (hasil, perilaku, expected)
            assert row.period.status == "closed"  # the annual evaluation closes the period
        assert len(seen) == 9


@pytest.mark.parametrize(
    ("hasil", "perilaku", "label"),
    [
        ("di_atas", "di_atas", "Sangat Baik"),
        ("di_atas", "di_bawah", "Kurang/Misconduct"),
        ("di_bawah", "sesuai", "Butuh Perbaikan"),
    ],
)
def test_supervisor_rates_and_the_predikat_appears(
    app, world, client, hasil: str, perilaku: str, label: str
) -> None:
    period_id = _period_id(app, world)
    login(client, "atasan")
    response = _evaluate(client, period_id, hasil_kerja=hasil, perilaku=perilaku)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert label in page
    assert _evaluations(app, period_id)[-1][2:4] == (hasil, perilaku)


def test_bad_rating_is_refused_with_a_message_and_nothing_stored(app, world, client) -> None:
    period_id = _period_id(app, world)
    login(client, "atasan")
    response = _evaluate(client, period_id, hasil_kerja="luar biasa", perilaku="")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Pilih penilaian hasil kerja" in page
    assert "Pilih penilaian perilaku kerja" in page
    assert _evaluations(app, period_id) == []


# --- who evaluates ------------------------------------------------------------------------------


@pytest.fixture
def other_supervisor(app, world) -> str:
    """A supervisor of another team (in Disdik), with an account."""
    with app.app_context():
        disdik = db.session.get(Unit, world.units["disdik"].id)
        boss = make_employee(disdik, "Kepala Lain")
        make_employee(disdik, "Staf Lain", boss)
        make_user("kepala.lain", employee=boss)
        db.session.commit()
    return "kepala.lain"


def test_only_the_direct_supervisor_evaluates(app, world, other_supervisor) -> None:
    period_id = _period_id(app, world)
    for username in (other_supervisor, "bkpsdm", "opd.dinkes", "pegawai"):
        client = app.test_client()
        login(client, username)
        # Another supervisor may use the page, not for this period: as if it did not exist.
        refused = 404 if username == other_supervisor else 403
        assert client.get(f"/tim/kinerja/{period_id}/evaluasi").status_code == refused, username
        assert client.get(f"/tim/kinerja/{period_id}").status_code == refused, username
        token = csrf_of(client.get("/dasbor").data)
        response = client.post(
            f"/tim/kinerja/{period_id}/evaluasi",
            data={
                "kind": "annual",
                "sequence": "0",
                "hasil_kerja": "di_atas",
                "perilaku": "di_atas",
                "csrf_token": token,
            },
        )
        assert response.status_code == refused, username
    assert _evaluations(app, period_id) == []
    with app.app_context():
        # and the service refuses on its own, whatever the view does
        period = db.session.get(SkpPeriod, period_id)
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        with pytest.raises(skp.CareerError):
            evaluations.evaluate(
                period, hr, evaluations.EvaluationInput("annual", None, "sesuai", "sesuai")
            )
        db.session.rollback()
    client = app.test_client()
    login(client, "atasan")
    assert _evaluate(client, period_id).status_code == 302


def test_employee_sees_only_their_own_evaluations(app, world) -> None:
    period_id = _period_id(app, world)
    with app.app_context():
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        make_user("budi", employee=budi)
        atasan = db.session.get(User, world.users["atasan"].id)
        evaluation = evaluations.evaluate(
            db.session.get(SkpPeriod, period_id),
            atasan,
            evaluations.EvaluationInput("periodic", 1, "sesuai", "di_atas", note="Pertahankan."),
        )
        db.session.commit()
        evaluation_id = evaluation.id
    owner = app.test_client()
    login(owner, "pegawai")
    assert owner.get(f"/kinerja/evaluasi/{evaluation_id}").status_code == 200
    assert f"Triwulan I {LAST}" in owner.get(f"/kinerja?tahun={LAST}").get_data(as_text=True)
    colleague = app.test_client()
    login(colleague, "budi")
    assert colleague.get(f"/kinerja/evaluasi/{evaluation_id}").status_code == 404
    token = csrf_of(colleague.get("/kinerja").data)
    assert (
        colleague.post(
            f"/kinerja/evaluasi/{evaluation_id}/akui", data={"csrf_token": token}
        ).status_code
        == 404
    )
    # nor the supervisor's pages
    assert colleague.get(f"/tim/kinerja/{period_id}").status_code == 403
    other_opd = app.test_client()
    login(other_opd, "target.user")  # an employee in Disdik
    assert other_opd.get(f"/kinerja/evaluasi/{evaluation_id}").status_code == 404


# --- the second annual evaluation ----------------------------------------------------------------


def test_second_annual_evaluation_is_refused_with_a_message_and_no_change(
    app, world, client
) -> None:
    period_id = _last_year_evaluated(app, world)
    login(client, "atasan")
    first = _evaluate(
        client, period_id, kind="annual", sequence="0", hasil_kerja="di_atas", perilaku="di_atas"
    )
    assert first.status_code == 302
    before = _evaluations(app, period_id)
    assert before[-1] == ("annual", 0, "di_atas", "di_atas", "sangat_baik")

    second = _evaluate(
        client, period_id, kind="annual", sequence="0", hasil_kerja="di_bawah", perilaku="di_bawah"
    )
    assert second.status_code == 302
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "Evaluasi tahunan SKP" in page and "sudah ada" in page
    assert "hanya dapat diberikan satu kali" in page
    assert _evaluations(app, period_id) == before

    with app.app_context():
        # the service refuses, and the database would too
        period = db.session.get(SkpPeriod, period_id)
        atasan = db.session.get(User, world.users["atasan"].id)
        with pytest.raises(skp.CareerError, match="sudah ada"):
            evaluate_year(period, atasan, "sesuai", "sesuai")
        db.session.rollback()
        from sqlalchemy.exc import IntegrityError

        db.session.add(
            SkpEvaluation(
                period_id=period_id,
                kind="annual",
                sequence=0,
                label="x",
                hasil_kerja="sesuai",
                perilaku="sesuai",
                predikat="baik",
            )
        )
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
    assert _evaluations(app, period_id) == before


def test_periodic_slots_follow_the_instansi_setting(app, world) -> None:
    assert [s.label for s in schedule.periodic_slots("quarterly", 2026)] == [
        "Triwulan I 2026",
        "Triwulan II 2026",
        "Triwulan III 2026",
        "Triwulan IV 2026",
    ]
    monthly = schedule.periodic_slots("monthly", 2026)
    assert monthly[0].label == "Januari 2026" and monthly[-1].label == "Desember 2026"
    period_id = _period_id(app, world)
    with app.app_context():
        instansi = db.session.scalar(select(Instansi))
        instansi.evaluation_period = "monthly"
        period = db.session.get(SkpPeriod, period_id)
        atasan = db.session.get(User, world.users["atasan"].id)
        stored = evaluations.evaluate(
            period, atasan, evaluations.EvaluationInput("periodic", 1, "sesuai", "sesuai")
        )
        assert stored.label == f"Januari {LAST}"
        with pytest.raises(skp.CareerError, match="sudah ada"):
            evaluations.evaluate(
                period, atasan, evaluations.EvaluationInput("periodic", 1, "sesuai", "sesuai")
            )
        db.session.rollback()


# --- evidence -------------------------------------------------------------------------------------


def test_training_completed_in_the_period_is_evidence_and_can_be_acknowledged(
    app, world, client
) -> None:
    period_id = _period_id(app, world)
    pegawai = world.employees["pegawai"].id
    with app.app_context():
        inside = make_course("BUKTI-101", title="Pelayanan Prima")
        outside = make_course("BUKTI-102", title="Manajemen Arsip")
        also_inside = make_course("BUKTI-103", title="Etika Birokrasi")
        c_in = make_completion(
            pegawai,
            when=at(2, year=LAST),
            course_id=inside.id,
            code="BUKTI-101",
            title="Pelayanan Prima",
        )
        make_completion(
            pegawai,
            when=at(5, year=LAST),
            course_id=outside.id,
            code="BUKTI-102",
            title="Manajemen Arsip",
        )
        c_in2 = make_completion(
            pegawai,
            when=at(3, year=LAST),
            course_id=also_inside.id,
            code="BUKTI-103",
            title="Etika Birokrasi",
        )
        db.session.commit()
        c_in_id, c_in2_id = c_in.id, c_in2.id
    login(client, "atasan")
    form_page = client.get(f"/tim/kinerja/{period_id}/evaluasi?periode=periodic:1").get_data(
        as_text=True
    )
    assert "Triwulan I" in form_page
    assert "Pelayanan Prima" in form_page and "Etika Birokrasi" in form_page
    assert "Manajemen Arsip" not in form_page  # completed in May: another quarter
    assert "Akui sebagai bukti" in form_page
    token = csrf_of(form_page.encode())
    response = client.post(
        f"/tim/kinerja/{period_id}/evaluasi",
        data={
            "kind": "periodic",
            "sequence": "1",
            "hasil_kerja": "sesuai",
            "perilaku": "sesuai",
            "evidence": [str(c_in_id)],
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    with app.app_context():
        evidence = {
            e.completion_id: e.acknowledged for e in db.session.scalars(select(SkpEvidence))
        }
    assert evidence == {c_in_id: True, c_in2_id: False}
    result = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Diakui sebagai bukti" in result and "Tidak diakui" in result
    # the employee's own SKP page lists the year's training as evidence too
    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get(f"/kinerja?tahun={LAST}").get_data(as_text=True)
    assert "Pelayanan Prima" in page and "Manajemen Arsip" in page


# --- acknowledgement and feedback -----------------------------------------------------------------


def test_employee_reads_and_acknowledges_the_evaluation(app, world) -> None:
    period_id = _period_id(app, world)
    supervisor = app.test_client()
    login(supervisor, "atasan")
    done = _evaluate(supervisor, period_id, note="Tingkatkan ketepatan waktu laporan.")
    evaluation_url = done.headers["Location"]
    evaluation_id = int(evaluation_url.rstrip("/").split("/")[-1])
    with app.app_context():
        note = db.session.scalar(
            select(Notification)
            .where(Notification.user_id == world.users["pegawai"].id)
            .order_by(Notification.id.desc())
        )
        assert note is not None and f"/kinerja/evaluasi/{evaluation_id}" in note.link
    # the supervisor cannot acknowledge for the employee
    token = csrf_of(supervisor.get(evaluation_url).data)
    assert supervisor.post(f"{evaluation_url}/akui", data={"csrf_token": token}).status_code == 404

    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get(evaluation_url).get_data(as_text=True)
    assert "Tingkatkan ketepatan waktu laporan." in page
    assert "Saya telah membaca evaluasi ini" in page
    token = csrf_of(page.encode())
    response = employee.post(f"{evaluation_url}/akui", data={"csrf_token": token})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(SkpEvaluation, evaluation_id).acknowledged_at is not None
    page = employee.get(evaluation_url).get_data(as_text=True)
    assert "Saya telah membaca evaluasi ini" not in page
    again = employee.post(f"{evaluation_url}/akui", data={"csrf_token": token})
    assert "sudah Anda nyatakan telah dibaca" in employee.get(again.headers["Location"]).get_data(
        as_text=True
    )


def test_feedback_from_the_supervisor_is_visible_to_the_employee(app, world) -> None:
    period_id = _period_id(app, world)
    supervisor = app.test_client()
    login(supervisor, "atasan")
    path = f"/tim/kinerja/{period_id}"
    token = csrf_of(supervisor.get(path).data)
    empty = supervisor.post(
        f"{path}/umpan-balik", data={"kind": "strength", "note": " ", "csrf_token": token}
    )
    assert empty.status_code == 422
    assert "Tuliskan umpan balik" in empty.get_data(as_text=True)
    ok = supervisor.post(
        f"{path}/umpan-balik",
        data={
            "kind": "improvement",
            "note": "Laporan Oktober terlambat dua hari.",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SkpFeedback)) == 1
    employee = app.test_client()
    login(employee, "pegawai")
    page = employee.get(f"/kinerja?tahun={LAST}").get_data(as_text=True)
    assert "Laporan Oktober terlambat dua hari." in page and "Area perbaikan" in page


# --- drafting and agreeing the planned work results ---------------------------------------------


def test_employee_drafts_and_the_direct_supervisor_agrees_or_returns(app, world) -> None:
    employee = app.test_client()
    login(employee, "pegawai")
    token = csrf_of(employee.get("/kinerja").data)
    bad = employee.post(
        "/kinerja/sasaran",
        data={
            "description": "",
            "indicator": "x",
            "target_text": "",
            "target_value": "abc",
            "csrf_token": token,
        },
    )
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "Rencana hasil kerja wajib diisi." in text and "Target wajib diisi" in text
    ok = employee.post(
        "/kinerja/sasaran",
        data={
            "description": "Tersusunnya laporan capaian imunisasi",
            "indicator": "Laporan bulanan tepat waktu",
            "target_text": "12 laporan",
            "target_value": "12",
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert employee.post("/kinerja/ajukan", data={"csrf_token": token}).status_code == 302
    with app.app_context():
        period = db.session.scalar(select(SkpPeriod))
        assert period.status == "submitted"
        assert period.appraiser_id == world.employees["atasan"].id
        period_id = period.id

    supervisor = app.test_client()
    login(supervisor, "atasan")
    page = supervisor.get(f"/tim/kinerja/{period_id}").get_data(as_text=True)
    assert "Tersusunnya laporan capaian imunisasi" in page
    token = csrf_of(page.encode())
    no_comment = supervisor.post(
        f"/tim/kinerja/{period_id}", data={"comment": "", "send_back": "1", "csrf_token": token}
    )
    assert no_comment.status_code == 422
    assert "Tuliskan catatan perbaikan" in no_comment.get_data(as_text=True)
    supervisor.post(
        f"/tim/kinerja/{period_id}",
        data={"comment": "Tambahkan target kualitas.", "send_back": "1", "csrf_token": token},
    )
    with app.app_context():
        assert db.session.get(SkpPeriod, period_id).status == "returned"
    assert "Tambahkan target kualitas." in employee.get("/kinerja").get_data(as_text=True)
    employee.post("/kinerja/ajukan", data={"csrf_token": csrf_of(employee.get("/kinerja").data)})
    supervisor.post(
        f"/tim/kinerja/{period_id}", data={"comment": "", "agree": "1", "csrf_token": token}
    )
    with app.app_context():
        period = db.session.get(SkpPeriod, period_id)
        assert period.status == "agreed" and period.agreed_at is not None
    # once agreed, the targets are locked
    locked = employee.post(
        "/kinerja/ajukan", data={"csrf_token": csrf_of(employee.get("/kinerja").data)}
    )
    assert "tidak dapat diubah" in employee.get(locked.headers["Location"]).get_data(as_text=True)


# --- suggestions --------------------------------------------------------------------------------


def test_low_predikat_suggests_catalogue_courses_by_competency_tags(app, world, client) -> None:
    period_id = _period_id(app, world)
    with app.app_context():
        course = make_course("LAP-101", title="Penulisan Laporan Dinas")
        course.published_version.tags = ["laporan", "ketepatan waktu"]
        make_course("LAIN-101", title="Budidaya Ikan")
        taken = make_course("LAP-201", title="Laporan Keuangan Sederhana")
        taken.published_version.tags = ["laporan"]
        make_completion(
            world.employees["pegawai"].id, when=at(1, year=LAST), course_id=taken.id, code="LAP-201"
        )
        db.session.commit()
    login(client, "atasan")
    good = _evaluate(
        client,
        period_id,
        sequence="1",
        hasil_kerja="sesuai",
        perilaku="sesuai",
        note="Laporan sudah baik.",
    )
    assert "Saran pelatihan" not in client.get(good.headers["Location"]).get_data(as_text=True)
    low = _evaluate(
        client,
        period_id,
        sequence="2",
        hasil_kerja="di_bawah",
        perilaku="sesuai",
        note="Laporan sering terlambat.",
    )
    page = client.get(low.headers["Location"]).get_data(as_text=True)
    assert "Butuh Perbaikan" in page
    assert "Saran pelatihan" in page and "Penulisan Laporan Dinas" in page
    assert "Budidaya Ikan" not in page
    assert "Laporan Keuangan Sederhana" not in page  # already completed
