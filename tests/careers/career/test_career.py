"""Career view, required programmes and HR's lists (distribution, gaps), with query counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from sqlalchemy import delete, func, select

import lms.org
from lms.auth.models import User
from lms.careers.career import loader
from lms.careers.career import services as career_services
from lms.careers.career.models import CareerRequirement, CareerStep
from lms.careers.career.structure import TracksInvalid
from lms.careers.records.models import LearningRecord
from lms.careers.skp import queries as skp_queries
from lms.enrolments.cohorts.models import Programme
from lms.extensions import db
from lms.org.models import Employee, Unit
from lms.org.reference import load_reference
from tests.careers.skp.helpers import YEAR, agreed_period, at, evaluate_year, make_completion
from tests.conftest import login
from tests.factories import make_employee, make_user
from tests.test_query_counts import count_queries

REQUIREMENTS = Path(__file__).resolve().parents[3] / "content/reference/career_requirements.yaml"
RULES_IN_FILE = len(yaml.safe_load(REQUIREMENTS.read_text(encoding="utf-8"))["requirements"])


def _set_position(app, employee_id: int, type_code: str, level_code: str | None = None) -> None:
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        employee.jabatan_type_code = type_code
        employee.jabatan_level_code = level_code or type_code
        db.session.commit()


def _pka(app, employee_id: int, code: str = "PKA-2026", kind: str | None = "PKA") -> None:
    """A valid completion of a programme of kind PKA (or of a kind-less one coded ``code``)."""
    with app.app_context():
        programme = db.session.scalar(select(Programme).where(Programme.code == code))
        if programme is None:
            programme = Programme(
                code=code, title="Pelatihan Kepemimpinan Administrator", kind_code=kind
            )
            db.session.add(programme)
            db.session.flush()
        make_completion(
            employee_id,
            when=at(3),
            programme_id=programme.id,
            code=code,
            title=programme.title,
            jp=40,
        )
        db.session.commit()


def test_a_pengawas_sees_pka_missing_for_administrator_until_a_pka_kind_programme_is_done(
    app, world, client
) -> None:
    pegawai = world.employees["pegawai"].id
    _set_position(app, pegawai, "pengawas")
    login(client, "pegawai")
    page = client.get("/karier").get_data(as_text=True)
    assert "Langkah berikutnya" in page and "Jabatan Administrator" in page
    assert "Yang masih kurang:" in page
    assert "Pelatihan Kepemimpinan Administrator</strong> (PKA)" in page
    assert "Pelatihan Kepemimpinan Pengawas</strong> (PKP)" in page  # the current position's rule
    assert "JP terverifikasi per tahun" in page  # the chart

    _pka(app, pegawai)  # any programme of kind PKA, whatever its code
    page = client.get("/karier").get_data(as_text=True)
    assert "Semua syarat pelatihan untuk langkah ini sudah dipenuhi" in page
    assert "Yang masih kurang:" not in page


def test_a_verified_record_of_the_programme_meets_the_rule(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _set_position(app, pegawai, "pengawas")
    with app.app_context():
        employee = db.session.get(Employee, pegawai)
        assert [r.programme_code for r in career_services.career_status(employee).missing_now] == [
            "PKP"
        ]
        for status in ("pending", "verified"):
            db.session.add(
                LearningRecord(
                    employee_id=pegawai,
                    source="outside",
                    status=status,
                    name="Pelatihan Kepemimpinan Pengawas Angkatan II Tahun 2019",
                    organiser="BPSDMD",
                    starts_on=date(2019, 3, 1),
                    ends_on=date(2019, 6, 1),
                    year=2019,
                    jp=Decimal(120),
                )
            )
            db.session.flush()
            missing = career_services.career_status(employee).missing_now
            assert [r.programme_code for r in missing] == ([] if status == "verified" else ["PKP"])
        db.session.rollback()


def test_requirements_and_tracks_load_idempotently_and_refuse_unknown_positions(
    app, world, tmp_path: Path
) -> None:
    with app.app_context():
        assert loader.load_requirements() == RULES_IN_FILE
        assert loader.load_requirements() == RULES_IN_FILE
        steps = loader.load_tracks()
        assert loader.load_tracks() == steps
        db.session.flush()
        assert db.session.scalar(select(func.count()).select_from(CareerRequirement)) == (
            RULES_IN_FILE
        )
        assert db.session.scalar(select(func.count()).select_from(CareerStep)) == steps
        bad = tmp_path / "bad.yaml"
        bad.write_text("requirements:\n  - {jabatan_type: raja, programme: X, name: Y}\n")
        with pytest.raises(loader.RequirementsInvalid, match="raja"):
            loader.load_requirements(bad)
        bad.write_text(
            "requirements:\n  - {jabatan_type: jpt, employee_kind: cpns, programme: X, name: Y}\n"
        )
        with pytest.raises(loader.RequirementsInvalid, match="aturan ke-1: isi tepat satu"):
            loader.load_requirements(bad)
        bad.write_text("tracks:\n  - {code: struktural, ladder: [pelaksana, raja]}\n")
        with pytest.raises(TracksInvalid, match="bad.yaml, jalur ke-1: .*raja"):
            loader.load_tracks(bad)
        db.session.rollback()


def test_a_step_removed_from_the_file_leaves_the_database(app, world, tmp_path: Path) -> None:
    with app.app_context():
        small = tmp_path / "tracks.yaml"
        small.write_text("tracks:\n  - {code: struktural, ladder: [pelaksana, pengawas]}\n")
        assert loader.load_tracks(small) == 1
        db.session.flush()
        assert db.session.execute(
            select(CareerStep.from_level_code, CareerStep.to_level_code)
        ).all() == [("pelaksana", "pengawas")]
        db.session.rollback()


def test_reference_loading_brings_the_requirements_by_signal(app, world) -> None:
    """org loads its reference data and announces it; careers adds the career structure and
    the requirements. org itself never imports careers (the circle org.reference <-> careers is
    gone)."""
    with app.app_context():
        db.session.execute(delete(CareerRequirement))
        db.session.execute(delete(CareerStep))
        counts = load_reference()
        assert counts["career_requirements"] == RULES_IN_FILE
        assert counts["career_tracks"] > 0
        assert db.session.scalar(select(func.count()).select_from(CareerRequirement)) == (
            RULES_IN_FILE
        )
        assert (
            db.session.scalar(select(func.count()).select_from(CareerStep))
            == (counts["career_tracks"])
        )
        db.session.rollback()
    org = Path(lms.org.__file__).parent
    for source in org.rglob("*.py"):
        assert "lms.careers" not in source.read_text(encoding="utf-8"), source


def test_supervisor_and_hr_in_scope_see_an_employees_career(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _set_position(app, pegawai, "pengawas")
    for username, status in (
        ("atasan", 200),
        ("opd.dinkes", 200),
        ("bkpsdm", 200),
        ("pegawai", 403),
        ("target.user", 403),
    ):
        client = app.test_client()
        login(client, username)
        response = client.get(f"/kelola/pegawai/{pegawai}/karier")
        assert response.status_code == status, username
        if status == 200:
            assert "Pelatihan Kepemimpinan Administrator" in response.get_data(as_text=True)
    client = app.test_client()
    login(client, "opd.dinkes")
    other = world.employees["disdik"].id
    assert client.get(f"/kelola/pegawai/{other}/karier").status_code == 404  # as if missing


def test_hr_lists_who_lacks_a_required_programme_in_scope(app, world) -> None:
    _set_position(app, world.employees["pegawai"].id, "administrator")
    _set_position(app, world.employees["disdik"].id, "administrator")
    _set_position(app, world.employees["atasan"].id, "administrator")
    _pka(app, world.employees["atasan"].id)  # has it: not listed
    names = {
        "pegawai": world.employees["pegawai"].name,
        "disdik": world.employees["disdik"].name,
        "atasan": world.employees["atasan"].name,
    }
    opd = app.test_client()
    login(opd, "opd.dinkes")
    page = opd.get("/kelola/karier/kekurangan").get_data(as_text=True)
    assert names["pegawai"] in page and "(PKA)" in page
    assert "Pelatihan wajib yang belum diikuti" in page  # the column head, no longer cut off
    assert names["disdik"] not in page  # another OPD
    assert names["atasan"] not in page  # completed PKA
    assert opd.get(f"/kelola/karier/kekurangan?unit={world.units['disdik'].id}").status_code == 404
    hr = app.test_client()
    login(hr, "bkpsdm")
    page = hr.get("/kelola/karier/kekurangan").get_data(as_text=True)
    assert names["pegawai"] in page and names["disdik"] in page
    page = hr.get(f"/kelola/karier/kekurangan?unit={world.units['disdik'].id}").get_data(
        as_text=True
    )
    assert names["disdik"] in page and names["pegawai"] not in page


def _annual(
    app, world, employee_id: int, supervisor_user_id: int, hasil: str, perilaku: str
) -> None:
    with app.app_context():
        period = agreed_period(employee_id, supervisor_user_id)
        evaluate_year(period, db.session.get(User, supervisor_user_id), hasil, perilaku)
        db.session.commit()


def _disdik_team(app, world) -> tuple[int, int]:
    with app.app_context():
        disdik = db.session.get(Unit, world.units["disdik"].id)
        boss = make_employee(disdik, "Kepala Bidang Disdik")
        staff = make_employee(disdik, "Guru Teladan", boss)
        user = make_user("kabid.disdik", employee=boss)
        db.session.commit()
        return staff.id, user.id


def test_opd_admin_sees_only_their_opd_in_the_distribution(app, world) -> None:
    _annual(
        app, world, world.employees["pegawai"].id, world.users["atasan"].id, "di_atas", "di_atas"
    )
    staff, boss_user = _disdik_team(app, world)
    _annual(app, world, staff, boss_user, "di_bawah", "sesuai")
    with app.app_context():
        admin_opd = db.session.get(User, world.users["admin_opd"].id)
        rows = skp_queries.predikat_distribution(admin_opd, YEAR)
        assert [r.name for r in rows] == ["Dinas Kesehatan"]
        assert rows[0].counts["sangat_baik"] == 1 and rows[0].employees == 3
        assert rows[0].not_evaluated == 2
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        by_name = {r.name: r for r in skp_queries.predikat_distribution(hr, YEAR)}
        assert by_name["Dinas Pendidikan"].counts["butuh_perbaikan"] == 1
        assert skp_queries.predikat_distribution(hr, YEAR - 1)[0].evaluated == 0
    client = app.test_client()
    login(client, "opd.dinkes")
    page = client.get("/kelola/kinerja").get_data(as_text=True)
    assert "Dinas Kesehatan" in page and "Dinas Pendidikan" not in page
    assert "Sebaran predikat kinerja" in page and "data:image/svg+xml" in page
    client = app.test_client()
    login(client, "bkpsdm")
    page = client.get("/kelola/kinerja").get_data(as_text=True)
    assert "Dinas Kesehatan" in page and "Dinas Pendidikan" in page
    client = app.test_client()
    login(client, "atasan")  # VIEW_REPORTS, but not HR
    assert client.get("/kelola/kinerja").status_code == 403


# --- query counts -------------------------------------------------------------------------------


def _grow(app, world, n: int) -> None:
    """n more employees in each OPD: administrators without PKA, with annual evaluations, and
    direct reports of atasan with agreed periods."""
    with app.app_context():
        boss = db.session.get(Employee, world.employees["atasan"].id)
        disdik = db.session.get(Unit, world.units["disdik"].id)
        atasan = db.session.get(User, world.users["atasan"].id)
        for i in range(n):
            staff = make_employee(
                boss.unit, f"Staf {n}-{i}", boss, jabatan_type_code="administrator"
            )
            make_employee(disdik, f"Guru {n}-{i}", jabatan_type_code="pengawas")
            period = agreed_period(staff.id, atasan.id)
            evaluate_year(period, atasan, ("di_atas", "sesuai", "di_bawah")[i % 3], "sesuai")
        db.session.commit()


PAGES = {
    "bkpsdm": ["/kelola/kinerja", "/kelola/karier/kekurangan"],
    "opd.dinkes": ["/kelola/kinerja", "/kelola/karier/kekurangan"],
    "atasan": ["/tim/kinerja"],
}


def _measure(app) -> dict[str, int]:
    counts = {}
    for username, paths in PAGES.items():
        client = app.test_client()
        login(client, username)
        for path in paths:
            with count_queries(app) as counter:
                response = client.get(path)
            assert response.status_code == 200, (username, path)
            counts[f"{username} {path}"] = counter["n"]
    return counts


def test_hr_and_team_lists_issue_a_flat_number_of_queries(app, world) -> None:
    _grow(app, world, 2)
    small = _measure(app)
    _grow(app, world, 8)
    large = _measure(app)
    assert large == small
