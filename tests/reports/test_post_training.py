"""The post-training reports: per course and programme (with the OPD summary and the charts),
per trainer, and one row per alumnus; the reader's scope; streamed CSV and XLSX."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from sqlalchemy import select

from lms.auth.models import User
from lms.enrolments.cohorts.models import Programme
from lms.evaluations.followup import services
from lms.evaluations.followup.models import Followup
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.reports.definitions import REPORTS
from lms.reports.filters import Scope, parse
from tests.careers.skp.helpers import make_completion
from tests.conftest import login
from tests.evaluations.followup.conftest import complete, months_ago
from tests.factories import make_user


def _answer(followup_id: int, username: str, role: str, value: int, changed: str) -> None:
    followup = db.session.get(Followup, followup_id)
    user = db.session.scalar(select(User).where(User.username == username))
    ratings = {item.key: value for item in services.QUESTIONNAIRES[role].items}
    services.submit(followup, role, user, ratings, {"changed": changed})


@pytest.fixture
def followed(app, world) -> dict:
    """PASCA-A (taught by pengajar): Siti answered 4s, her supervisor 5s; Budi answered 3s,
    nobody for him else. PASCA-B: Dewi (Disdik) did not answer. A programme completed by Siti,
    answered by her. A completion from today: not opened yet, never counted."""
    with app.app_context():
        trainer = db.session.get(User, world.users["pengajar"].id)
        budi = db.session.scalar(select(Employee).where(Employee.full_name == "Budi Santoso"))
        make_user("budi", employee=budi)
        siti_a = complete(
            world.employees["pegawai"].id, code="PASCA-A", on=months_ago(3), trainer=trainer
        )
        budi_a = complete(budi.id, code="PASCA-A", on=months_ago(3))
        complete(world.employees["disdik"].id, code="PASCA-B", on=months_ago(3))
        complete(world.employees["atasan"].id, code="PASCA-A")  # opens in three months
        programme = Programme(code="PROG-P", title="Program Pengawas")
        db.session.add(programme)
        db.session.flush()
        done = make_completion(
            world.employees["pegawai"].id,
            when=months_ago(3),
            programme_id=programme.id,
            code="PROG-P",
            title="Program Pengawas",
        )
        prog = services.schedule(
            completion_id=done.id,
            employee_id=done.employee_id,
            course_id=None,
            programme_id=programme.id,
            code="PROG-P",
            title="Program Pengawas",
            unit_id=done.unit_id,
            completed_at=done.completed_at,
        )
        _answer(siti_a, "pegawai", "alumnus", 4, "Laporan lebih rapi.")
        _answer(siti_a, "atasan", "supervisor", 5, "Siti memimpin rapat evaluasi.")
        _answer(budi_a, "budi", "alumnus", 3, "Belum banyak berubah.")
        _answer(prog.id, "pegawai", "alumnus", 5, "Memimpin tim lebih percaya diri.")
        db.session.commit()
        db.session.remove()
    return {"siti": world.employees["pegawai"], "dewi": world.employees["disdik"]}


def _rows(report_key: str, scope: Scope, **args) -> list[list]:
    report = REPORTS[report_key]
    return list(report.iter_rows(scope, parse(args, scope)))


def test_per_course_and_programme_with_the_opd_summary(app, world, followed) -> None:
    with app.app_context():
        scope = Scope.all()
        rows = {(r[0], r[2]): r for r in _rows("post-training", scope)}
        assert set(rows) == {
            ("PASCA-A", "Pelatihan"),
            ("PASCA-B", "Pelatihan"),
            ("PROG-P", "Program"),
        }
        # alumni, alumni's answers, supervisors' answers, alumni's mean, supervisors', index
        assert rows[("PASCA-A", "Pelatihan")][3:] == [
            2,
            2,
            1,
            Decimal("3.50"),
            Decimal("5.00"),
            Decimal("80.00"),
        ]
        assert rows[("PASCA-B", "Pelatihan")][3:] == [1, 0, 0, None, None, None]
        assert rows[("PROG-P", "Program")][3:6] == [1, 1, 0]
        report = REPORTS["post-training"]
        f = parse({}, scope)
        totals = dict(report.totals(scope, f))
        assert totals["Alumni dievaluasi"] == 4
        assert totals["Tingkat jawaban alumni (%)"] == Decimal("75.00")
        headers, opds = report.summary(scope, f)
        assert headers[0] == "Perangkat daerah"
        by_opd = {r[0]: r[1:] for r in opds}
        assert by_opd["Dinas Kesehatan"][:3] == [3, 3, 1]
        assert by_opd["Dinas Pendidikan"][:3] == [1, 0, 0]
        titles = [c.title for c in report.charts(scope, f)]
        assert titles == [
            "Jawaban kuesioner pascapelatihan per pelatihan",
            "Sebaran jawaban per pernyataan",
        ]
        only_a = _rows("post-training", scope, pelatihan="PASCA-A")
        assert [r[0] for r in only_a] == ["PASCA-A"]
        assert _rows("post-training", scope, program="PROG-P")[0][0] == "PROG-P"
        # The period is the opening day: next year holds none of them.
        assert _rows("post-training", scope, tahun=str(local_today().year + 1)) == []


def test_per_trainer(app, world, followed) -> None:
    with app.app_context():
        [row] = _rows("post-training-trainers", Scope.all())  # PASCA-B and the programme: none
        trainer = db.session.get(User, world.users["pengajar"].id)
        assert row[:2] == [trainer.display_name or trainer.username, 1]
        assert row[2:] == [2, 2, 1, Decimal("3.50"), Decimal("5.00"), Decimal("80.00")]


def test_one_row_per_alumnus_with_what_they_wrote(app, world, followed) -> None:
    with app.app_context():
        scope = Scope.all()
        rows = _rows("post-training-answers", scope, sort="nama")
        assert len(rows) == 4
        siti = [r for r in rows if r[0] == followed["siti"].nip and r[3] == "PASCA-A"][0]
        assert siti[2] == "Dinas Kesehatan"
        assert siti[6] == "Dijawab kedua pihak"
        assert siti[7] == Decimal("4.00") and siti[8] == "Laporan lebih rapi."
        assert siti[10] == Decimal("5.00") and siti[11] == "Siti memimpin rapat evaluasi."
        waiting = _rows("post-training-answers", scope, status="none")
        assert [r[0] for r in waiting] == [followed["dewi"].nip]
        totals = dict(REPORTS["post-training-answers"].totals(scope, parse({}, scope)))
        assert totals == {"Alumni dievaluasi": 4, "Jawaban alumni": 3, "Jawaban atasan": 1}


def test_each_reader_sees_their_scope_only(app, client, world, followed) -> None:
    dewi = followed["dewi"].nip
    login(client, "opd.dinkes")
    for key in ("post-training", "post-training-trainers", "post-training-answers"):
        assert client.get(f"/laporan/{key}").status_code == 200
        body = client.get(f"/laporan/{key}.csv?dialek=standar").get_data(as_text=True)
        assert dewi not in body and "PASCA-B" not in body, key
    assert client.get(f"/laporan/post-training?unit={world.units['disdik'].id}").status_code == 403
    client.post("/keluar", data={"csrf_token": _token(client)})
    login(client, "atasan")  # Siti and Budi's supervisor
    body = client.get("/laporan/post-training-answers.csv?dialek=standar").get_data(as_text=True)
    nips = {r[0] for r in list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))[1:]}
    with app.app_context():
        team = set(
            db.session.scalars(
                select(Employee.nip).where(Employee.supervisor_id == world.employees["atasan"].id)
            )
        )
    assert nips and nips <= team
    client.post("/keluar", data={"csrf_token": _token(client)})
    login(client, "mitra")  # a partner's staff do not read this report
    assert client.get("/laporan/post-training").status_code == 404


def _token(client) -> str:
    from tests.conftest import csrf_token

    return csrf_token(client, "/dasbor")


def test_the_course_report_page_and_its_files(app, client, world, followed) -> None:
    login(client, "bkpsdm")
    page = client.get("/laporan/post-training?pelatihan=PASCA-A").get_data(as_text=True)
    assert "Evaluasi pascapelatihan" in page and "Ringkasan per perangkat daerah" in page
    assert "data:image/svg+xml;base64," in page  # the charts
    assert "Lihat data: Sebaran jawaban per pernyataan" in page
    response = client.get("/laporan/post-training.csv?dialek=standar")
    assert response.is_streamed and response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:4] == ["Kode", "Judul", "Jenis", "Alumni dievaluasi"]
    assert [
        "PASCA-A",
        "Pelatihan PASCA-A",
        "Pelatihan",
        "2",
        "2",
        "1",
        "3.50",
        "5.00",
        "80.00",
    ] in rows
    book = openpyxl.load_workbook(
        io.BytesIO(client.get("/laporan/post-training-answers.xlsx").get_data())
    )
    values = [[c.value for c in row] for row in book.active.iter_rows()]
    assert values[0][0] == "NIP" and len(values) == 5
    assert any(
        "Laporan lebih rapi." in (v or "") for row in values for v in row if isinstance(v, str)
    )
    trainers = client.get("/laporan/post-training-trainers").get_data(as_text=True)
    assert "Indeks penerapan per pengajar" in trainers
    pdf = client.get("/laporan/post-training.pdf?pelatihan=PASCA-A")
    assert pdf.status_code == 200 and pdf.get_data().startswith(b"%PDF")


def test_cancelled_and_unopened_followups_are_not_counted(app, world, followed) -> None:
    with app.app_context():
        followup = db.session.scalar(select(Followup).where(Followup.code == "PASCA-B"))
        services.cancel_for_completion(followup.completion_id)
        db.session.commit()
        codes = {r[0] for r in _rows("post-training", Scope.all())}
        assert codes == {"PASCA-A", "PROG-P"}  # and the completion of today never was
