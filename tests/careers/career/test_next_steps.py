"""The "what is missing for my next position" page on the real structure (issue 17 point 6):
a pelaksana, a fungsional and a pengawas each see their own next steps, met / missing, and a
link to an open cohort of the missing programme kind; a CPNS sees Latsar; HR's gap list works
with programme kinds."""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.careers.career import services as career_services
from lms.careers.records.models import LearningRecord
from lms.db import utcnow
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.careers.skp.helpers import at, make_completion
from tests.conftest import login


def _place(app, employee_id: int, type_code: str, level: str | None = None, kind: str = "pns"):
    with app.app_context():
        employee = db.session.get(Employee, employee_id)
        employee.jabatan_type_code = type_code
        employee.jabatan_level_code = level or type_code
        employee.kind = kind
        db.session.commit()


def _programme(code: str, kind: str | None, title: str = "") -> Programme:
    programme = db.session.scalar(select(Programme).where(Programme.code == code))
    if programme is None:
        programme = Programme(code=code, title=title or f"Program {code}", kind_code=kind)
        db.session.add(programme)
        db.session.flush()
    return programme


def _complete(app, employee_id: int, code: str, kind: str | None) -> None:
    with app.app_context():
        programme = _programme(code, kind)
        make_completion(
            employee_id, when=at(3), programme_id=programme.id, code=code, title=programme.title
        )
        db.session.commit()


def _cohort(
    app,
    code: str,
    kind: str | None,
    *,
    deadline: int | None = 10,
    starts: int = 20,
    eligibility: dict | None = None,
    closed: bool = False,
) -> int:
    """A cohort of programme ``code`` (of ``kind``); days from today for deadline and start."""
    today = local_today()
    with app.app_context():
        programme = _programme(code, kind, f"Pelatihan {kind or code} Uji")
        cohort = Cohort(
            programme_id=programme.id,
            code=f"{code}-{len(programme.cohorts) + 1}",
            name=f"Angkatan {len(programme.cohorts) + 1}",
            starts_on=today + timedelta(days=starts),
            ends_on=today + timedelta(days=starts + 90),
            enrol_deadline=None if deadline is None else today + timedelta(days=deadline),
            eligibility=eligibility or {},
        )
        if closed:
            cohort.closed_at = utcnow()
        db.session.add(cohort)
        db.session.commit()
        return cohort.id


def _page(app, username: str, path: str = "/karier") -> str:
    client = app.test_client()
    login(client, username)
    response = client.get(path)
    assert response.status_code == 200, (username, path)
    return response.get_data(as_text=True)


def _options(page: str) -> list[str]:
    """The headings of the next-step cards, in order."""
    return re.findall(r'<h4 id="opsi-\d+">([^<]+)</h4>', page)


def _card(page: str, title: str) -> str:
    start = page.index(f">{title}</h4>")
    return page[start : page.index("</article>", start)]


# --- pelaksana, fungsional, pengawas ------------------------------------------------------------


def test_a_pelaksana_sees_pengawas_with_pkp_and_the_functional_positions(app, world) -> None:
    _place(app, world.employees["pegawai"].id, "pelaksana")
    page = _page(app, "pegawai")
    assert _options(page) == [
        "Jabatan Pengawas",
        "Ahli Pertama (Jabatan Fungsional)",
        "Terampil (Jabatan Fungsional)",
    ]
    assert "Tidak ada pelatihan wajib untuk jabatan saat ini." in page
    pengawas = _card(page, "Jabatan Pengawas")
    assert "Pelatihan Kepemimpinan Pengawas</strong> (PKP)" in pengawas
    assert "Jalur struktural" in pengawas and "Belum" in pengawas
    assert "Belum ada angkatan yang dibuka untuk pelatihan ini." in pengawas
    functional = _card(page, "Ahli Pertama (Jabatan Fungsional)")
    assert "Jalur fungsional" in functional
    assert "Uji Kompetensi Jenjang Ahli Pertama" in functional
    assert "Contoh, disesuaikan instansi" in functional  # honest: an example
    assert "Belum ada angkatan" not in functional  # an uji kompetensi has no cohort


def test_a_fungsional_sees_the_next_jenjang_first_then_the_structural_post(app, world) -> None:
    _place(app, world.employees["pegawai"].id, "fungsional", "ahli_pertama")
    page = _page(app, "pegawai")
    assert _options(page) == ["Ahli Muda (Jabatan Fungsional)", "Jabatan Pengawas"]
    # The example uji kompetensi is asked of someone moving in, not of the holder.
    assert "Tidak ada pelatihan wajib untuk jabatan saat ini." in page
    assert "Uji Kompetensi Jenjang Ahli Muda" in _card(page, "Ahli Muda (Jabatan Fungsional)")
    structural = _card(page, "Jabatan Pengawas")
    assert "(PKP)" in structural and "Contoh, disesuaikan instansi" in structural


def test_a_fungsional_without_a_recorded_jenjang_is_told_so(app, world) -> None:
    with app.app_context():
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        employee.jabatan_type_code, employee.jabatan_level_code = "fungsional", None
        db.session.commit()
    page = _page(app, "pegawai")
    assert _options(page) == []
    assert "Jenis atau jenjang jabatan belum tercatat" in page


def test_a_pengawas_sees_administrator_with_pka_and_their_own_pkp(app, world) -> None:
    with app.app_context():  # type recorded, level not: the only level of the type
        employee = db.session.get(Employee, world.employees["pegawai"].id)
        employee.jabatan_type_code, employee.jabatan_level_code = "pengawas", None
        db.session.commit()
    page = _page(app, "pegawai")
    assert _options(page) == ["Jabatan Administrator"]
    assert "Jabatan saat ini: Pengawas" in page
    assert "Pelatihan Kepemimpinan Administrator</strong> (PKA)" in page
    assert "Pelatihan Kepemimpinan Pengawas</strong> (PKP)" in page


def test_jpt_madya_needs_pkn_tingkat_i_and_a_pkn_ii_record_does_not_meet_it(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "jpt", "jpt_pratama")
    with app.app_context():
        employee = db.session.get(Employee, pegawai)
        status = career_services.career_status(employee)
        assert [s.rule.programme_code for s in status.current] == ["PKN2"]
        assert [o.title for o in status.options] == ["JPT Madya (Jabatan Pimpinan Tinggi)"]
        assert [s.rule.programme_code for s in status.options[0].rules] == ["PKN1"]

        def record(name: str) -> None:
            db.session.add(
                LearningRecord(
                    employee_id=pegawai,
                    source="outside",
                    status="verified",
                    name=name,
                    organiser="LAN RI",
                    starts_on=date(2020, 3, 1),
                    ends_on=date(2020, 9, 1),
                    year=2020,
                    jp=Decimal(400),
                )
            )
            db.session.flush()

        record("Pelatihan Kepemimpinan Nasional Tingkat II Angkatan XV")
        status = career_services.career_status(employee)
        assert status.current[0].met  # PKN II met by the record
        assert not status.options[0].rules[0].met  # "... Tingkat II" is not "... Tingkat I"
        record("Pelatihan Kepemimpinan Nasional Tingkat I, Angkatan LII")
        assert career_services.career_status(employee).options[0].rules[0].met
        db.session.rollback()


# --- programme kinds ----------------------------------------------------------------------------


def test_a_requirement_is_met_by_its_kind_or_by_an_older_kindless_programme_of_that_code(
    app, world
) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "administrator")

    def pka_met() -> bool:
        with app.app_context():
            return not career_services.career_status(db.session.get(Employee, pegawai)).missing_now

    _complete(app, pegawai, "PKA", "INSTANSI")  # an instansi programme merely coded PKA
    assert not pka_met()
    _complete(app, pegawai, "PKA-LAMA", None)  # kind-less, another code
    assert not pka_met()
    _complete(app, pegawai, "PKA-2027", "PKA")  # of kind PKA, any code
    assert pka_met()


def test_an_older_kindless_programme_with_the_rules_code_still_meets_it(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pengawas")
    _complete(app, pegawai, "PKP", None)  # the demo's PKP before kinds existed
    with app.app_context():
        assert not career_services.career_status(db.session.get(Employee, pegawai)).missing_now


def test_a_missing_programme_links_to_an_open_cohort_of_its_kind(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pelaksana")
    _cohort(app, "PKP-2026", "PKP", deadline=-1)  # enrolment closed yesterday
    _cohort(app, "PKP-2025", "PKP", closed=True)  # closed by its organiser
    _cohort(app, "PKA-2027", "PKA")  # another kind
    assert "Angkatan terbuka" not in _page(app, "pegawai")
    later = _cohort(app, "PKP-2027", "PKP", deadline=30)
    sooner = _cohort(app, "PKP-2027", "PKP", deadline=5)
    page = _card(_page(app, "pegawai"), "Jabatan Pengawas")
    assert f'href="/program/PKP-2027#cohort-{sooner}"' in page  # the one closing first
    assert f"cohort-{later}" not in page
    assert "Angkatan terbuka: Pelatihan PKP Uji · Angkatan 2" in page
    assert "pendaftaran sampai" in page
    assert "Belum ada angkatan" not in page


def test_a_cohort_without_a_deadline_is_open_until_it_ends_and_an_old_programme_counts(
    app, world
) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pelaksana")
    cohort = _cohort(app, "PKP", None, deadline=None, starts=-10)  # running, joinable
    assert f"cohort-{cohort}" in _card(_page(app, "pegawai"), "Jabatan Pengawas")


def test_the_link_says_why_the_employee_may_not_join_and_whether_they_are_in(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pelaksana")
    cohort = _cohort(app, "PKP-2027", "PKP", eligibility={"position_types": ["pengawas"]})
    card = _card(_page(app, "pegawai"), "Jabatan Pengawas")
    assert f"cohort-{cohort}" in card
    assert "Belum memenuhi syarat angkatan ini:" in card and "Jabatan Pengawas" in card
    with app.app_context():
        db.session.add(CohortMember(cohort_id=cohort, employee_id=pegawai, status="nominated"))
        db.session.commit()
    card = _card(_page(app, "pegawai"), "Jabatan Pengawas")
    assert "Sudah terdaftar di Pelatihan PKP Uji · Angkatan 1." in card


def test_supervisor_and_hr_see_the_same_next_steps_of_a_pelaksana(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pelaksana")
    cohort = _cohort(app, "PKP-2027", "PKP")
    own = _options(_page(app, "pegawai"))
    for username in ("atasan", "bkpsdm", "opd.dinkes"):
        page = _page(app, username, f"/kelola/pegawai/{pegawai}/karier")
        assert _options(page) == own, username
        assert f"cohort-{cohort}" in page, username


# --- CPNS ---------------------------------------------------------------------------------------


def test_a_cpns_needs_latsar_to_become_pns_and_hr_lists_who_lacks_it(app, world) -> None:
    pegawai = world.employees["pegawai"].id
    _place(app, pegawai, "pelaksana", kind="cpns")
    page = _page(app, "pegawai")
    assert _options(page)[:2] == ["Pengangkatan menjadi PNS", "Jabatan Pengawas"]
    card = _card(page, "Pengangkatan menjadi PNS")
    assert "Pelatihan Dasar CPNS</strong> (LATSAR)" in card and "Status kepegawaian" in card
    name = world.employees["pegawai"].name
    gaps = _page(app, "bkpsdm", "/kelola/karier/kekurangan")
    assert name in gaps and "(LATSAR)" in gaps
    _complete(app, pegawai, "LATSAR-2026-III", "LATSAR")
    card = _card(_page(app, "pegawai"), "Pengangkatan menjadi PNS")
    assert "Semua syarat pelatihan untuk langkah ini sudah dipenuhi" in card
    assert name not in _page(app, "bkpsdm", "/kelola/karier/kekurangan")


# --- HR's gap list ------------------------------------------------------------------------------


def test_the_gap_list_reads_kinds_and_leaves_out_what_is_asked_only_on_moving_in(
    app, world
) -> None:
    _place(app, world.employees["pegawai"].id, "fungsional", "ahli_muda")  # examples only
    _place(app, world.employees["atasan"].id, "jpt", "jpt_madya")
    _place(app, world.employees["disdik"].id, "jpt", "jpt_pratama")
    _complete(app, world.employees["disdik"].id, "PKN-II-2025", "PKN2")
    page = _page(app, "bkpsdm", "/kelola/karier/kekurangan")
    assert world.employees["pegawai"].name not in page
    assert world.employees["disdik"].name not in page  # has PKN II by kind
    row = page[page.index(world.employees["atasan"].name) :]
    row = row[: row.index("</tr>")]
    assert "(PKN1)" in row and "(PKN2)" not in row  # JPT Madya: PKN Tingkat I
    with app.app_context():
        hr = db.session.get(User, world.users["admin_bkpsdm"].id)
        rows, total = career_services.gaps(hr, None)
        assert total == 1 and rows[0].rule.programme_code == "PKN1"
