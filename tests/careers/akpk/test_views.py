"""AKPK through HTTP: the needs of a year per source and scope, building the plan (BKPSDM's
items, an OPD's proposals and their decision), refusals with clear messages, approval, and the
plan against what happened."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from lms.auth.models import AuditLog, User
from lms.careers.akpk import gathering
from lms.careers.akpk.models import AgencyPlan, AgencyPlanItem, AgencyPlanParticipant
from lms.careers.akpk.needs import aggregate
from lms.completion import consumers
from lms.completion import services as completion
from lms.courses.models import Course
from lms.db import utcnow
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.org.models import Employee, Unit
from tests.careers.akpk.helpers import YEAR, build_needs
from tests.conftest import login

PLAN = f"/kelola/akpk/{YEAR}"


@pytest.fixture
def needs(app, world):
    return build_needs(app, world)


def _groups(app, world, role: str, **kw):
    with app.app_context():
        user = db.session.get(User, world.users[role].id)
        found = gathering.gather(user, YEAR, **kw)
        return {(g.opd_name, g.competency, g.level_code): g for g in aggregate(found)}, found


def test_needs_come_from_plans_skp_and_position_standards(app, world, needs) -> None:
    groups, found = _groups(app, world, "admin_bkpsdm")
    archive = groups[("Dinas Kesehatan", "Pengelolaan Arsip Dinamis", "pelaksana")]
    assert archive.employees == {needs.siti, needs.budi}
    assert archive.by_source == {"plan": 0, "skp": 1, "position": 2}
    assert archive.required_level == 1
    # Siti's verified record covers "Pelayanan Publik"; Budi has none.
    assert groups[("Dinas Kesehatan", "Pelayanan Publik", "pelaksana")].employees == {needs.budi}
    plan_need = groups[("Dinas Kesehatan", "Analisis Data Kepegawaian", "pelaksana")]
    assert plan_need.by_source["plan"] == 1
    assert groups[("Dinas Kesehatan", "Kepemimpinan dan Pembinaan Tim", "pengawas")].count == 1
    assert groups[("Dinas Pendidikan", "Literasi Digital", "pelaksana")].employees == {needs.dewi}
    # Sources can be chosen one by one.
    only_skp, _found = _groups(app, world, "admin_bkpsdm", sources=["skp"])
    assert list(only_skp) == [("Dinas Kesehatan", "Pengelolaan Arsip Dinamis", "pelaksana")]
    assert {n.source for n in found} == {"plan", "skp", "position"}


def test_a_draft_plan_and_a_done_need_are_no_needs(app, world, needs) -> None:
    from lms.careers.plans.models import DevelopmentPlan

    with app.app_context():
        plan = db.session.scalar(select(DevelopmentPlan))
        plan.status = "draft"
        db.session.commit()
    groups, _found = _groups(app, world, "admin_bkpsdm", sources=["plan"])
    assert groups == {}


def test_an_opd_admin_sees_only_their_opd(app, world, needs) -> None:
    groups, _found = _groups(app, world, "admin_opd")
    assert {opd for opd, _c, _l in groups} == {"Dinas Kesehatan"}
    client = app.test_client()
    login(client, "opd.dinkes")
    page = client.get(f"{PLAN}/kebutuhan").get_data(as_text=True)
    assert "Pengelolaan Arsip Dinamis" in page
    assert "Dinas Pendidikan" not in page
    # Another OPD in the filter is refused like a missing one.
    disdik = world.units["disdik"].id
    assert client.get(f"{PLAN}/kebutuhan?unit={disdik}").status_code == 404


def test_needs_page_shows_the_sums_and_links_each_row_to_the_plan(app, world, needs) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    page = client.get(f"{PLAN}/kebutuhan").get_data(as_text=True)
    assert "Per perangkat daerah" in page and "Per jenjang jabatan" in page
    assert "Kompetensi yang paling banyak dibutuhkan" in page  # the chart
    assert "Masukkan ke rencana" in page
    filtered = client.get(f"{PLAN}/kebutuhan?sumber=skp&jenis=teknis&unit=abc&page=-4")
    assert filtered.status_code == 200
    assert "Pengelolaan Arsip Dinamis" in filtered.get_data(as_text=True)
    assert "Literasi Digital" not in filtered.get_data(as_text=True)
    assert client.get("/kelola/akpk/1999/kebutuhan").status_code == 404
    assert client.get(f"/kelola/akpk/{YEAR + 2}").status_code == 404


def test_a_needs_row_fills_the_new_item(app, world, needs, no_csrf) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    dinkes = world.units["dinkes"].id
    page = client.get(
        f"{PLAN}/butir-baru?opd={dinkes}&kompetensi=Pelayanan+Publik&jenis=teknis&jenjang=pelaksana"
    ).get_data(as_text=True)
    assert 'value="Pelayanan Publik"' in page
    budi = needs.budi_nip
    assert f"{budi[:8]} {budi[8:14]} {budi[14]} {budi[15:]} Budi Santoso" in page
    assert "Standar Pelayanan Publik untuk Pelaksana" in page  # the catalogue course suggested
    assert re.search(rf'<option selected value="{needs.course_id}"', page)
    # Odd values in the address are left out, never a 500.
    odd = client.get(f"{PLAN}/butir-baru?opd=99999999999&kompetensi=x&jenis=zzz&jenjang=<b>")
    assert odd.status_code == 200


def _item(**kw) -> dict:
    data = {
        "unit_id": "",
        "competency": "Pelayanan Publik",
        "kind": "teknis",
        "level_code": "pelaksana",
        "activity": "course",
        "course_id": "",
        "cohort_id": "",
        "title": "",
        "target_count": "5",
        "participants": "",
        "jp": "4",
        "quarter": "2",
        "month": "",
        "budget": "Rp 12.500.000",
        "note": "",
    }
    data.update(kw)
    return data


def test_bkpsdm_adds_an_item_with_named_participants(app, world, needs, no_csrf) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    dinkes = world.units["dinkes"].id
    response = client.post(
        f"{PLAN}/butir-baru",
        data=_item(
            unit_id=str(dinkes),
            course_id=str(needs.course_id),
            participants=f"{needs.budi_nip} Budi Santoso\n{needs.siti_nip}",
            target_count="",
            jp="",
            month="5",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.scalar(select(AgencyPlanItem))
        assert item.status == "accepted" and item.plan.year == YEAR and item.plan.status == "draft"
        assert item.title == "Standar Pelayanan Publik untuk Pelaksana"  # from the catalogue
        assert item.jp == 4 and item.target_count == 2 and item.quarter == 2 and item.month == 5
        assert item.budget == 12_500_000
        assert {p.employee_id for p in item.participants} == {needs.budi, needs.siti}
    page = client.get(PLAN).get_data(as_text=True)
    assert "Rp12.500.000" in page and "Triwulan II · Mei" in page and "2 bernama" in page
    # The needs row is now marked as planned.
    needs_page = client.get(f"{PLAN}/kebutuhan?sumber=position&unit={dinkes}").get_data(
        as_text=True
    )
    assert "Sudah direncanakan" in needs_page
    # Editing keeps one participant, drops the other; a new course has a name.
    item_id = _item_id(app)
    response = client.post(
        f"/kelola/akpk/butir/{item_id}/ubah",
        data=_item(
            unit_id=str(dinkes),
            title="Pelatihan Layanan Prima Puskesmas",
            participants=needs.budi_nip,
            target_count="10",
            jp="2,5",
            budget="0",
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        item = db.session.get(AgencyPlanItem, item_id)
        assert item.is_new and item.title == "Pelatihan Layanan Prima Puskesmas"
        assert item.target_count == 10 and str(item.jp) == "2.50" and item.budget == 0
        assert [p.employee_id for p in item.participants] == [needs.budi]
        assert db.session.scalar(select(func.count(AgencyPlanParticipant.id))) == 1


def _item_id(app) -> int:
    with app.app_context():
        return db.session.scalar(select(AgencyPlanItem.id).order_by(AgencyPlanItem.id.desc()))


@pytest.mark.parametrize(
    ("changes", "field", "said"),
    [
        ({"competency": "  "}, "competency", "Kompetensi yang dikembangkan wajib diisi."),
        ({"budget": "12,5"}, "budget", "tanpa sen"),
        ({"budget": "-500"}, "budget", "tidak boleh negatif"),
        ({"budget": ""}, "budget", "tulis 0 bila tanpa biaya"),
        ({"month": "9", "quarter": "1"}, "month", "Bulan September tidak berada pada Triwulan I."),
        ({"quarter": "7"}, "quarter", "Pilih triwulan pelaksanaan."),
        ({"quarter": ""}, "quarter", "Pilih triwulan pelaksanaan."),
        ({"title": ""}, "title", "Tulis nama pelatihan atau angkatan baru"),
        ({"target_count": "0"}, "target_count", "Jumlah peserta antara 1 dan 100000."),
        ({"target_count": "99999999999999999999"}, "target_count", "Jumlah peserta antara"),
        ({"target_count": "lima"}, "target_count", "Harus berupa bilangan bulat."),
        ({"jp": "NaN"}, "jp", "bukan NaN"),
        ({"jp": "0"}, "jp", "lebih dari 0"),
        ({"kind": "rahasia"}, "kind", "Pilih jenis kompetensi."),
        ({"level_code": "camat"}, "level_code", "Pilih jenjang jabatan dari daftar."),
        ({"unit_id": "987654"}, "unit_id", "Pilih perangkat daerah dari daftar."),
        ({"unit_id": "abc", "title": "X"}, None, None),  # read as across OPDs: saved
        ({"course_id": "987654"}, "course_id", "Pilih pelatihan yang terbit di katalog"),
        ({"activity": "cohort", "cohort_id": "987654"}, "cohort_id", "Pilih angkatan dari daftar"),
        ({"activity": "webinar"}, "activity", "Pilih bentuk"),
        ({"participants": "123\n"}, "participants", "Baris 1: NIP harus 18 angka"),
        (
            {"participants": "198001012000011999"},
            "participants",
            "Baris 1: tidak ada pegawai aktif",
        ),
        ({"note": "x" * 2001}, "note", "2000"),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    app, world, needs, no_csrf, changes, field, said
) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    data = _item(**{"title": "Pelatihan Pelayanan Publik", **changes})
    response = client.post(f"{PLAN}/butir-baru", data=data)
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page, page[:3000]
    assert said in page
    with app.app_context():
        assert db.session.scalar(select(func.count(AgencyPlanItem.id))) == 0


def test_named_participants_must_belong_to_the_items_opd(app, world, needs, no_csrf) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    data = _item(
        unit_id=str(world.units["dinkes"].id),
        title="Pelatihan X",
        participants=f"{needs.budi_nip}\n{needs.dewi_nip} Dewi",
    )
    page = client.post(f"{PLAN}/butir-baru", data=data).get_data(as_text=True)
    assert "Baris 2: Dewi Lestari bukan pegawai perangkat daerah butir ini." in page
    # And fewer participants than named is refused.
    data = _item(
        title="Pelatihan X", participants=f"{needs.budi_nip}\n{needs.dewi_nip}", target_count="1"
    )
    page = client.post(f"{PLAN}/butir-baru", data=data).get_data(as_text=True)
    assert "tidak boleh kurang dari peserta bernama (2)" in page


def test_an_opd_proposes_and_bkpsdm_decides(app, world, needs, no_csrf) -> None:
    opd = app.test_client()
    login(opd, "opd.dinkes")
    # An Admin OPD's item is for their OPD, whatever the form says.
    response = opd.post(
        f"{PLAN}/butir-baru",
        data=_item(
            unit_id=str(world.units["disdik"].id),
            title="Pelatihan Kearsipan",
            participants=needs.budi_nip,
        ),
    )
    assert response.status_code == 302
    item_id = _item_id(app)
    with app.app_context():
        item = db.session.get(AgencyPlanItem, item_id)
        assert item.status == "proposed" and item.unit.code == "DINKES"
    # Naming someone of another OPD is refused.
    page = opd.post(
        f"{PLAN}/butir-baru", data=_item(title="Y", participants=needs.dewi_nip)
    ).get_data(as_text=True)
    assert "bukan pegawai perangkat daerah" in page
    hr = app.test_client()
    login(hr, "bkpsdm")
    assert "1 usulan perangkat daerah menunggu keputusan" in hr.get(PLAN).get_data(as_text=True)
    # Declining needs a reason.
    response = hr.post(f"/kelola/akpk/butir/{item_id}/keputusan", data={"reject": "1", "note": ""})
    assert response.status_code == 302
    assert "Tulis alasan penolakan" in hr.get(PLAN).get_data(as_text=True)
    hr.post(
        f"/kelola/akpk/butir/{item_id}/keputusan",
        data={"reject": "1", "note": "Gabungkan dengan pelatihan BKPSDM."},
    )
    with app.app_context():
        item = db.session.get(AgencyPlanItem, item_id)
        assert item.status == "rejected" and item.decision_note.startswith("Gabungkan")
        decided = db.session.scalar(
            select(AuditLog).where(AuditLog.object_type == "AgencyPlanItem")
        )
        assert decided.after == {"status": "rejected"}
    # The OPD edits the declined item: it is proposed again; BKPSDM accepts it.
    response = opd.post(
        f"/kelola/akpk/butir/{item_id}/ubah",
        data=_item(
            title="Pelatihan Kearsipan Dinas", participants=needs.budi_nip, target_count="3"
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(AgencyPlanItem, item_id).status == "proposed"
    hr.post(f"/kelola/akpk/butir/{item_id}/keputusan", data={"accept": "1"})
    with app.app_context():
        assert db.session.get(AgencyPlanItem, item_id).status == "accepted"
    # An accepted item is no longer the OPD's to change or delete.
    response = opd.get(f"/kelola/akpk/butir/{item_id}/ubah")
    assert response.status_code == 302
    opd.post(f"/kelola/akpk/butir/{item_id}/hapus", data={"confirm": "1"})
    with app.app_context():
        assert db.session.get(AgencyPlanItem, item_id) is not None
    # Deciding twice is refused with a message.
    hr.post(f"/kelola/akpk/butir/{item_id}/keputusan", data={"reject": "1", "note": "x"})
    assert "Hanya usulan yang menunggu" in hr.get(PLAN).get_data(as_text=True)


def test_an_opd_cannot_reach_another_opds_item(app, world, needs, no_csrf) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    hr.post(
        f"{PLAN}/butir-baru",
        data=_item(unit_id=str(world.units["disdik"].id), title="Pelatihan Guru"),
    )
    item_id = _item_id(app)
    opd = app.test_client()
    login(opd, "opd.dinkes")
    assert "Pelatihan Guru" not in opd.get(PLAN).get_data(as_text=True)
    assert opd.get(f"/kelola/akpk/butir/{item_id}/ubah").status_code == 404
    assert opd.post(f"/kelola/akpk/butir/{item_id}/hapus", data={"confirm": "1"}).status_code == 404
    pegawai = app.test_client()
    login(pegawai, "pegawai")
    assert pegawai.get(PLAN).status_code == 403


def test_delete_asks_first(app, world, needs, no_csrf) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    client.post(f"{PLAN}/butir-baru", data=_item(title="Pelatihan Z"))
    item_id = _item_id(app)
    page = client.post(f"/kelola/akpk/butir/{item_id}/hapus", data={})
    assert page.status_code == 200 and "Hapus kegiatan Pelatihan Z" in page.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(AgencyPlanItem, item_id) is not None
    client.post(f"/kelola/akpk/butir/{item_id}/hapus", data={"confirm": "1"})
    with app.app_context():
        assert db.session.get(AgencyPlanItem, item_id) is None


def test_approving_locks_the_plan_until_reopened(app, world, needs, no_csrf) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    opd = app.test_client()
    login(opd, "opd.dinkes")
    hr.post(f"{PLAN}/butir-baru", data=_item(title="Pelatihan A"))
    opd.post(f"{PLAN}/butir-baru", data=_item(title="Pelatihan B"))
    proposal = _item_id(app)
    # Asked first; refused while a proposal waits.
    assert "Tetapkan rencana pengembangan" in hr.post(f"{PLAN}/tetapkan", data={}).get_data(
        as_text=True
    )
    hr.post(f"{PLAN}/tetapkan", data={"confirm": "1"})
    assert "Putuskan dulu semua usulan" in hr.get(PLAN).get_data(as_text=True)
    hr.post(f"/kelola/akpk/butir/{proposal}/keputusan", data={"accept": "1"})
    hr.post(f"{PLAN}/tetapkan", data={"confirm": "1"})
    with app.app_context():
        plan = db.session.scalar(select(AgencyPlan))
        assert plan.status == "approved" and plan.approved_at is not None
    # Locked: nothing is added, changed or deleted; the OPD cannot propose.
    assert opd.get(f"{PLAN}/butir-baru").status_code == 302
    response = hr.post(f"{PLAN}/butir-baru", data=_item(title="Pelatihan C"))
    assert response.status_code == 302
    hr.post(f"/kelola/akpk/butir/{proposal}/hapus", data={"confirm": "1"})
    with app.app_context():
        assert db.session.scalar(select(func.count(AgencyPlanItem.id))) == 2
    assert "sudah ditetapkan" in hr.get(PLAN).get_data(as_text=True)
    # Reopened (asked first), it can change again.
    assert "Buka kembali rencana" in hr.post(f"{PLAN}/buka", data={}).get_data(as_text=True)
    hr.post(f"{PLAN}/buka", data={"confirm": "1"})
    with app.app_context():
        assert db.session.scalar(select(AgencyPlan)).status == "draft"
        changes = list(
            db.session.scalars(select(AuditLog.summary).where(AuditLog.object_type == "AgencyPlan"))
        )
        assert [c.split()[-1] for c in changes] == ["ditetapkan", "kembali"]


def test_realisation_follows_enrolments_and_completions(app, world, needs, no_csrf) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    dinkes = world.units["dinkes"].id
    hr.post(
        f"{PLAN}/butir-baru",
        data=_item(unit_id=str(dinkes), course_id=str(needs.course_id), target_count="4"),
    )
    hr.post(
        f"{PLAN}/butir-baru",
        data=_item(title="Pelatihan Baru Kearsipan", target_count="5", quarter="3"),
    )
    with app.app_context():
        course = db.session.get(Course, needs.course_id)
        siti = db.session.get(Employee, needs.siti)
        budi = db.session.get(Employee, needs.budi)
        dewi = db.session.get(Employee, needs.dewi)
        db.session.add(Enrolment(course_id=course.id, employee_id=budi.id, status="active"))
        db.session.add(Enrolment(course_id=course.id, employee_id=dewi.id, status="active"))
        completion.complete_course(siti, course, completed_at=utcnow(), score=90, source="online")
        db.session.commit()
        consumers.dispatch()
    page = hr.get(f"{PLAN}/realisasi").get_data(as_text=True)
    assert "Peserta direncanakan dan selesai" in page  # the chart
    # Dinkes: Budi enrolled, Siti completed (Dewi is in another OPD): 2 of 4 enrolled, 1 done.
    row = re.search(r"<strong>Standar Pelayanan Publik untuk Pelaksana.*?</tr>", page, re.S).group(
        0
    )
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert "1 / 4" in cells[2] and "2 terdaftar" in cells[2]
    assert "25%" in cells[3] and "4 / 16" in cells[4]
    assert "Belum ditautkan" in page
    # Siti's completion now covers "Pelayanan Publik" too (she had it already) and the needs
    # page still answers.
    assert hr.get(f"{PLAN}/kebutuhan").status_code == 200


def test_menu_and_index(app, world, needs) -> None:
    for username, shown in (("bkpsdm", True), ("opd.dinkes", True), ("pegawai", False)):
        client = app.test_client()
        login(client, username)
        page = client.get("/dasbor").get_data(as_text=True)
        assert ("Kebutuhan & rencana (AKPK)" in page) is shown
    client = app.test_client()
    login(client, "bkpsdm")
    page = client.get("/kelola/akpk").get_data(as_text=True)
    assert str(YEAR + 1) in page and "Belum disusun" in page


def test_unit_filter_of_bkpsdm(app, world, needs) -> None:
    client = app.test_client()
    login(client, "bkpsdm")
    with app.app_context():
        disdik = db.session.scalar(select(Unit.id).where(Unit.code == "DISDIK"))
    page = client.get(f"{PLAN}/kebutuhan?unit={disdik}").get_data(as_text=True)
    assert "Dinas Pendidikan" in page and "Pengelolaan Arsip Dinamis" in page
    assert "Analisis Data Kepegawaian" not in page
    assert client.get(f"{PLAN}/kebutuhan?unit=99999").status_code == 404
