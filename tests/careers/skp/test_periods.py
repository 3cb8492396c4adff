"""When SKP evaluations may be given (issue 13 point 23): periods monthly, quarterly or per
semester as the instansi chooses; a period only after it ends; the annual evaluation at the end
of the year after every period; a new SKP when an employee moves or is promoted mid-year."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import AuditLog, User
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import queries as skp_queries
from lms.careers.skp import services as skp
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee, Instansi, Unit
from tests.careers.skp.helpers import YEAR, agreed_period, csrf_of, evaluate_year
from tests.conftest import csrf_token, login
from tests.factories import make_employee
from tests.org.test_employees import _form

LAST = YEAR - 1


# --- pure: the slots ------------------------------------------------------------------------------


def test_semester_quarter_and_month_slots() -> None:
    semesters = schedule.periodic_slots("semester", 2026)
    assert [(s.label, s.starts, s.ends) for s in semesters] == [
        ("Semester I 2026", date(2026, 1, 1), date(2026, 7, 1)),
        ("Semester II 2026", date(2026, 7, 1), date(2027, 1, 1)),
    ]
    assert [s.label for s in schedule.periodic_slots("quarterly", 2026)][-1] == "Triwulan IV 2026"
    assert len(schedule.periodic_slots("monthly", 2026)) == 12


def test_slots_are_cut_to_an_skp_that_starts_or_ends_mid_year() -> None:
    quarters = schedule.periodic_slots("quarterly", 2026)
    old = schedule.clip_slots(quarters, date(2026, 1, 1), date(2026, 5, 15))
    assert [(s.label, s.ends) for s in old] == [
        ("Triwulan I 2026", date(2026, 4, 1)),
        ("Triwulan II 2026", date(2026, 5, 15)),
    ]
    new = schedule.clip_slots(quarters, date(2026, 5, 15), date(2027, 1, 1))
    assert [(s.sequence, s.starts) for s in new] == [
        (2, date(2026, 5, 15)),
        (3, date(2026, 7, 1)),
        (4, date(2026, 10, 1)),
    ]


# --- the timing rules, through the evaluation service ----------------------------------------------


def _period(app, world, year: int) -> int:
    with app.app_context():
        period = agreed_period(world.employees["pegawai"].id, world.users["atasan"].id, year)
        db.session.commit()
        return period.id


def _evaluate(period_id: int, world, kind: str, sequence: int | None, today: date):
    period = db.session.get(SkpPeriod, period_id)
    atasan = db.session.get(User, world.users["atasan"].id)
    return evaluations.evaluate(
        period, atasan, evaluations.EvaluationInput(kind, sequence, "sesuai", "sesuai"), today=today
    )


def test_a_period_is_evaluated_only_after_it_ends(app, world) -> None:
    """Before the fix a quarter could be evaluated on its first day."""
    period_id = _period(app, world, 2026)
    with app.app_context():
        with pytest.raises(skp.RecordInvalid) as refused:
            _evaluate(period_id, world, "periodic", 2, date(2026, 6, 30))
        assert refused.value.errors["sequence"] == (
            "Periode Triwulan II 2026 belum berakhir; evaluasinya baru dapat diberikan "
            "setelah 30 Juni 2026."
        )
        db.session.rollback()
        assert _evaluate(period_id, world, "periodic", 2, date(2026, 7, 1)).label == (
            "Triwulan II 2026"
        )
        db.session.commit()


def test_annual_evaluation_needs_the_year_ended_and_every_period(app, world) -> None:
    """Before the fix the annual evaluation could be given in January, with no periods."""
    period_id = _period(app, world, 2026)
    with app.app_context():
        with pytest.raises(skp.RecordInvalid, match="baru dapat diberikan di akhir tahun"):
            _evaluate(period_id, world, "annual", None, date(2026, 12, 30))
        db.session.rollback()
        _evaluate(period_id, world, "periodic", 1, date(2027, 1, 4))
        _evaluate(period_id, world, "periodic", 3, date(2027, 1, 4))
        with pytest.raises(skp.RecordInvalid) as refused:
            _evaluate(period_id, world, "annual", None, date(2027, 1, 4))
        assert (
            "Belum dievaluasi: Triwulan II 2026, Triwulan IV 2026."
            in (refused.value.errors["sequence"])
        )
        db.session.rollback()
        period = db.session.get(SkpPeriod, period_id)
        assert evaluate_year(
            period, db.session.get(User, world.users["atasan"].id), "sesuai", "sesuai"
        )
        db.session.commit()
        assert db.session.get(SkpPeriod, period_id).status == "closed"


def test_supervisor_is_told_the_current_period_has_not_ended(app, world, client) -> None:
    period_id = _period(app, world, YEAR)
    today = local_today()
    current = next(
        s for s in schedule.periodic_slots("quarterly", YEAR) if s.starts <= today < s.ends
    )
    login(client, "atasan")
    path = f"/tim/kinerja/{period_id}/evaluasi"
    page = client.get(f"{path}?periode=periodic:{current.sequence}").get_data(as_text=True)
    assert f"Periode {current.label} belum berakhir" in page
    assert "Simpan evaluasi" not in page
    response = client.post(
        path,
        data={
            "kind": "periodic",
            "sequence": str(current.sequence),
            "hasil_kerja": "sesuai",
            "perilaku": "sesuai",
            "csrf_token": csrf_of(page.encode()),
        },
    )
    assert response.status_code == 422
    assert f"Periode {current.label} belum berakhir" in response.get_data(as_text=True)
    annual = client.post(
        path,
        data={
            "kind": "annual",
            "sequence": "0",
            "hasil_kerja": "sesuai",
            "perilaku": "sesuai",
            "csrf_token": csrf_of(page.encode()),
        },
    )
    assert annual.status_code == 422
    assert "baru dapat diberikan di akhir tahun" in annual.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SkpEvaluation)) == 0


def test_semester_instansi_offers_its_two_semesters(app, world, client) -> None:
    with app.app_context():
        db.session.scalar(select(Instansi)).evaluation_period = "semester"
        db.session.commit()
    period_id = _period(app, world, LAST)
    login(client, "atasan")
    page = client.get(f"/tim/kinerja/{period_id}/evaluasi").get_data(as_text=True)
    assert f"Semester I {LAST}" in page and f"Semester II {LAST}" in page
    assert "Triwulan" not in page


# --- the instansi setting ---------------------------------------------------------------------------


def test_bkpsdm_chooses_the_evaluation_period(app, world, client) -> None:
    login(client, "bkpsdm")
    page = client.get("/kelola/kinerja/pengaturan").get_data(as_text=True)
    assert "Triwulanan" in page and "Semesteran" in page
    token = csrf_token(client, "/kelola/kinerja/pengaturan")
    with app.app_context():
        instansi_id = db.session.scalar(select(Instansi.id))
    bad = client.post(
        "/kelola/kinerja/pengaturan",
        data={"instansi_id": instansi_id, "evaluation_period": "yearly", "csrf_token": token},
    )
    assert bad.status_code == 422 and "Pilihan tidak valid" in bad.get_data(as_text=True)
    done = client.post(
        "/kelola/kinerja/pengaturan",
        data={"instansi_id": instansi_id, "evaluation_period": "semester", "csrf_token": token},
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(Instansi, instansi_id).evaluation_period == "semester"
        assert db.session.scalar(
            select(func.count()).select_from(AuditLog).where(AuditLog.summary.like("%semester%"))
        )
    pegawai = app.test_client()
    login(pegawai, "pegawai")
    assert pegawai.get("/kelola/kinerja/pengaturan").status_code == 403


def test_the_database_refuses_an_unknown_evaluation_period(app, world) -> None:
    with app.app_context():
        db.session.scalar(select(Instansi)).evaluation_period = "yearly"
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


# --- a mutation or promotion mid-year ---------------------------------------------------------------


def _current_period(app, world) -> int:
    """This year's agreed SKP of `pegawai`, with its first quarter evaluated."""
    with app.app_context():
        period = agreed_period(world.employees["pegawai"].id, world.users["atasan"].id, YEAR)
        evaluations.evaluate(
            period,
            db.session.get(User, world.users["atasan"].id),
            evaluations.EvaluationInput("periodic", 1, "sesuai", "sesuai"),
            today=date(YEAR, 4, 1),
        )
        db.session.commit()
        return period.id


def _periods(app, employee_id: int) -> list[tuple]:
    with app.app_context():
        return [
            (p.sequence, p.status, p.starts_on, p.ends_on, p.change_reason, p.position_name)
            for p in skp.periods_of(employee_id, YEAR)
        ]


def _edit(client, world, **over: str):
    emp = world.employees["pegawai"]
    path = f"/organisasi/pegawai/{emp.id}/ubah"
    data = _form(
        world,
        nip=emp.nip,
        status="pns",
        nama="Siti Aminah",
        gelar_belakang="",
        golongan="III/a",
        jenis_jabatan="",
        jenjang_jabatan="",
        jabatan="Pengolah Data",
        jenis_kelamin="P",
        csrf_token=csrf_token(client, path),
    )
    data.update(over)
    return client.post(path, data=data)


@pytest.fixture
def not_new_year() -> None:
    if local_today() == date(YEAR, 1, 1):
        pytest.skip("on 1 January the year's SKP and the change start the same day")


def test_a_move_to_another_position_starts_a_new_skp(app, world, client, not_new_year) -> None:
    """Before the fix a mutation kept one SKP for the whole year (one per employee and year)."""
    _current_period(app, world)
    login(client, "bkpsdm")
    same = _edit(client, world)  # saved without a change: nothing happens to the SKP
    assert same.status_code == 302
    assert [p[:2] for p in _periods(app, world.employees["pegawai"].id)] == [(1, "agreed")]
    moved = _edit(client, world, jabatan="Analis Kebijakan")
    assert moved.status_code == 302
    today = local_today()
    assert _periods(app, world.employees["pegawai"].id) == [
        (1, "closed", None, today, "mutasi", "Pengolah Data"),
        (2, "draft", today, None, None, "Analis Kebijakan"),
    ]
    # The employee's SKP page is the new one, with the old one's evaluations below it.
    pegawai = app.test_client()
    login(pegawai, "pegawai")
    page = pegawai.get("/kinerja").get_data(as_text=True)
    assert "Analis Kebijakan" in page and f"Triwulan I {YEAR}" in page
    assert "karena mutasi" in page
    with app.app_context():
        from lms.notifications.models import Notification

        assert db.session.scalar(
            select(Notification).where(Notification.message.like("%Susun SKP untuk jabatan baru%"))
        )
    # The supervisor's team list still has one row per employee: the current SKP.
    with app.app_context():
        rows = skp_queries.team_periods(world.employees["atasan"].id, YEAR)
        siti = [r for r in rows if r.employee.full_name == "Siti Aminah"]
        assert len(siti) == 1 and siti[0].period.sequence == 2


def test_a_promotion_starts_a_new_skp(app, world, client, not_new_year) -> None:
    _current_period(app, world)
    login(client, "bkpsdm")
    assert _edit(client, world, golongan="III/b").status_code == 302
    periods = _periods(app, world.employees["pegawai"].id)
    assert [(p[0], p[1], p[4]) for p in periods] == [(1, "closed", "promosi"), (2, "draft", None)]


def test_an_import_that_moves_an_employee_starts_a_new_skp(
    app, world, client, not_new_year
) -> None:
    _current_period(app, world)
    with app.app_context():
        unit = db.session.get(Unit, world.units["dinkes"].id)
        code = unit.code
    nip = world.employees["pegawai"].nip
    csv = f"nip,nama,status,golongan,jabatan,kode_unit\n{nip},Siti Aminah,PNS,III/a,Pengolah Data,{code}\n"
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/impor")
    page = client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(csv.encode()), "pegawai.csv")},
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    key = page.split('name="key" type="hidden" value="')[1].split('"')[0]
    done = client.post("/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": key})
    assert done.status_code == 302
    periods = _periods(app, world.employees["pegawai"].id)
    assert [(p[0], p[1], p[4]) for p in periods] == [(1, "closed", "mutasi"), (2, "draft", None)]
    with app.app_context():
        new = skp.period_of(world.employees["pegawai"].id, YEAR)
        assert new.unit_id == world.units["dinkes"].id


def test_an_empty_skp_follows_the_employee_instead(app, world) -> None:
    with app.app_context():
        emp = db.session.get(Employee, world.employees["pegawai"].id)
        period = skp.ensure_period(emp, YEAR)
        emp.position_name = "Analis Kebijakan"
        on = date(YEAR, 6, 1)
        assert skp.start_period_for_new_position(emp, "mutasi", on) is None
        assert (period.sequence, period.position_name, period.ends_on) == (
            1,
            "Analis Kebijakan",
            None,
        )
        db.session.rollback()


def test_the_old_skp_keeps_its_ended_periods_and_the_new_one_starts_at_the_change(
    app, world
) -> None:
    """The service path, with fixed dates: moved on 15 May. The old SKP's appraiser still
    evaluates 1 April–14 May (its cut second quarter); its annual evaluation is refused; the new
    SKP's periods start on 15 May."""
    period_id = _current_period(app, world)
    with app.app_context():
        emp = db.session.get(Employee, world.employees["pegawai"].id)
        new = skp.start_period_for_new_position(emp, "mutasi", date(YEAR, 5, 15))
        old = db.session.get(SkpPeriod, period_id)
        assert (old.status, old.end) == ("closed", date(YEAR, 5, 15))
        q2 = _evaluate(period_id, world, "periodic", 2, date(YEAR, 5, 15))
        assert q2.label == f"Triwulan II {YEAR}"
        with pytest.raises(
            skp.CareerError, match="evaluasi tahunan diberikan pada SKP jabatan baru"
        ):
            _evaluate(period_id, world, "annual", None, date(YEAR + 1, 1, 5))
        with pytest.raises(skp.CareerError, match="Evaluasi Triwulan II .* sudah ada"):
            _evaluate(period_id, world, "periodic", 2, date(YEAR, 5, 20))
        assert [s.sequence for s in schedule.period_slots(new)] == [2, 3, 4]
        assert schedule.slot_of(new, "periodic", 2).starts == date(YEAR, 5, 15)
        assert new.first_day - timedelta(days=1) == date(YEAR, 5, 14)
        # Another supervisor for the new position does not get the old SKP.
        other = make_employee(emp.unit, "Kepala Baru")
        emp.supervisor = other
        db.session.flush()
        atasan = db.session.get(User, world.users["atasan"].id)
        assert skp.is_direct_supervisor(atasan, old)
        assert not skp.is_direct_supervisor(atasan, new)
        db.session.rollback()
