"""HR bulk enrolment: preview first (every outcome, every bad row), then all or nothing."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from lms.courses.models import Course
from lms.enrolments import bulk
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee, Unit
from tests.conftest import csrf_token, login
from tests.enrolments.conftest import enrolment_of, flashes
from tests.factories import make_employee, make_nip

BULK = "/pendaftaran/massal"


def _preview(client, **fields):
    data = {"csrf_token": csrf_token(client, BULK), "unit_id": "0", "jabatan": "", "golongan": ""}
    data.update(fields)
    return client.post(BULK, data=data, content_type="multipart/form-data")


def _confirm_fields(html: str) -> dict[str, str]:
    form = html.split('action="/pendaftaran/massal/konfirmasi"')[1].split("</form>")[0]
    return {
        name: value
        for name, value in re.findall(r'name="([a-z_]+)" type="hidden" value="([^"]*)"', form)
    }


def _enrolments(app) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(Employee.full_name, Enrolment.status)
            .join(Enrolment.employee)
            .order_by(Employee.full_name)
        ).all()
        db.session.remove()
    return [tuple(r) for r in rows]


def _notification_count(app) -> int:
    with app.app_context():
        n = db.session.scalar(select(func.count(Notification.id)))
        db.session.remove()
    return n


def test_bulk_by_unit_previews_seats_and_waitlist_then_commits(app, world, courses) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    form = hr.get(BULK).get_data(as_text=True)
    assert "Pendaftaran massal" in form and "Literasi Digital (OPEN-1)" in form
    page = _preview(hr, course_id=courses["OPEN"], unit_id=world.units["dinkes"].id)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Pratinjau pendaftaran massal" in text
    # Three people in Dinas Kesehatan (the subtree), two seats: two enrolled, one waits.
    assert "Budi Santoso" in text and "Rahmat Hidayat" in text and "Siti Aminah" in text
    assert text.count(">terdaftar</span>") == 2 and text.count(">daftar tunggu</span>") == 1
    assert "Daftarkan 3 pegawai" in text
    assert _enrolments(app) == []  # the preview writes nothing
    fields = _confirm_fields(text)
    fields["csrf_token"] = csrf_token(hr, BULK)
    done = hr.post("/pendaftaran/massal/konfirmasi", data=fields)
    assert done.status_code == 302
    message = " ".join(flashes(hr.get(done.headers["Location"]).get_data(as_text=True)))
    assert "2 pegawai didaftarkan ke Literasi Digital (OPEN-1); 1 masuk daftar tunggu." in message
    assert _enrolments(app) == [
        ("Budi Santoso", "active"),
        ("Rahmat Hidayat", "active"),
        ("Siti Aminah", "waitlisted"),
    ]
    with app.app_context():
        sources = set(db.session.scalars(select(Enrolment.source)))
        db.session.remove()
    assert sources == {"bulk"}
    # Everyone with an account is told (Siti and Rahmat have one, Budi has not).
    assert _notification_count(app) == 2


def test_bulk_preview_lists_people_already_enrolled(app, world, courses) -> None:
    pegawai = world.employees["pegawai"]
    employee = app.test_client()
    login(employee, "atasan")
    employee.post(
        "/pendaftaran/usulkan",
        data={
            "csrf_token": csrf_token(employee, "/pendaftaran/usulkan"),
            "employee_id": pegawai.id,
            "course_id": courses["OPEN"],
        },
    )
    assert enrolment_of(app, courses["OPEN"], pegawai.id).status == "active"
    hr = app.test_client()
    login(hr, "opd.dinkes")
    text = _preview(hr, course_id=courses["OPEN"], unit_id=world.units["dinkes_seksi"].id).get_data(
        as_text=True
    )
    assert "Sudah terdaftar (dilewati)" in text
    already = text.split("Sudah terdaftar (dilewati)</h2>")[1]
    assert "Siti Aminah" in already and "aktif" in already
    # One seat left: Budi gets it, Rahmat waits.
    assert "Daftarkan 2 pegawai" in text
    assert text.count(">terdaftar</span>") == 1 and text.count(">daftar tunggu</span>") == 1


def _nip_csv(*nips: str) -> bytes:
    return ("nip,nama\n" + "".join(f"{n},\n" for n in nips)).encode()


def test_nip_list_with_unknown_nips_shows_every_bad_row_and_changes_nothing(
    app, world, courses
) -> None:
    pegawai, atasan = world.employees["pegawai"], world.employees["atasan"]
    unknown = make_nip("1")  # well-formed, but nobody has it
    data = _nip_csv(pegawai.nip_display, unknown, "12345", atasan.nip, pegawai.nip)
    hr = app.test_client()
    login(hr, "bkpsdm")
    page = _preview(hr, course_id=courses["OPEN"], nip_file=(io.BytesIO(data), "peserta.csv"))
    text = page.get_data(as_text=True)
    assert "3 baris bermasalah. Tidak ada pegawai yang didaftarkan." in text
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", text)
    assert [(r, reason.split(":")[0]) for r, _nip, reason in rows] == [
        ("3", "NIP tidak terdaftar sebagai pegawai."),
        ("4", "NIP tidak valid"),
        ("6", "NIP ganda"),
    ]
    assert rows[0][1] == f"{unknown[:8]} {unknown[8:14]} {unknown[14]} {unknown[15:]}"
    assert "NIP harus 18 digit" in text  # the validator's own reason for row 4
    assert "sudah ada di baris 2" in text
    assert "/pendaftaran/massal/konfirmasi" not in text  # no way to commit
    assert _enrolments(app) == []

    # Forging the confirm step with that list is refused as well and writes nothing.
    with app.app_context():
        course = db.session.get(Course, courses["OPEN"])
        from lms.auth.models import User

        actor = db.session.get(User, world.users["admin_bkpsdm"].id)
        selection = bulk.Selection(nips=[(2, pegawai.nip), (3, unknown)])
        digest = bulk.preview(actor, course, selection).digest
        encoded = selection.encoded_nips()
        db.session.remove()
    forged = hr.post(
        "/pendaftaran/massal/konfirmasi",
        data={
            "csrf_token": csrf_token(hr, BULK),
            "course_id": courses["OPEN"],
            "nips": encoded,
            "digest": digest,
        },
    )
    assert forged.status_code == 302
    assert "masih memuat kesalahan" in " ".join(flashes(hr.get(BULK).get_data(as_text=True)))
    assert _enrolments(app) == []


def test_admin_opd_nip_list_outside_their_department_is_a_bad_row(app, world, courses) -> None:
    hr = app.test_client()
    login(hr, "opd.dinkes")
    text = "\n".join([world.employees["pegawai"].nip, world.employees["disdik"].nip_display])
    page = _preview(hr, course_id=courses["OPEN"], nip_text=text).get_data(as_text=True)
    assert "1 baris bermasalah" in page
    assert "Pegawai ini di luar perangkat daerah Anda." in page
    # A unit outside the scope, forged into the form, is refused by name.
    page = _preview(hr, course_id=courses["OPEN"], unit_id=world.units["disdik"].id)
    assert page.status_code == 422
    assert "Unit kerja ini di luar wilayah kewenangan Anda." in page.get_data(as_text=True)
    # The unit list only offers the own department.
    form = hr.get(BULK).get_data(as_text=True)
    assert "Dinas Kesehatan" in form and "Dinas Pendidikan" not in form
    assert _enrolments(app) == []


def test_nip_list_as_xlsx_and_as_plain_text_file(app, world, courses) -> None:
    pegawai, atasan = world.employees["pegawai"], world.employees["atasan"]
    wb = Workbook()
    ws = wb.active
    ws.append(["NIP"])
    ws.append([pegawai.nip_display])
    ws.append([atasan.nip])
    buf = io.BytesIO()
    wb.save(buf)
    hr = app.test_client()
    login(hr, "bkpsdm")
    text = _preview(
        hr, course_id=courses["HRONLY"], nip_file=(io.BytesIO(buf.getvalue()), "daftar.xlsx")
    ).get_data(as_text=True)
    assert "Daftarkan 2 pegawai" in text
    # A plain text file without a header: one NIP per line.
    txt = f"{pegawai.nip}\n\n{atasan.nip_display}\n".encode()
    text = _preview(
        hr, course_id=courses["HRONLY"], nip_file=(io.BytesIO(txt), "daftar.txt")
    ).get_data(as_text=True)
    assert "Daftarkan 2 pegawai" in text
    fields = _confirm_fields(text)
    fields["csrf_token"] = csrf_token(hr, BULK)
    assert hr.post("/pendaftaran/massal/konfirmasi", data=fields).status_code == 302
    assert _enrolments(app) == [("Rahmat Hidayat", "active"), ("Siti Aminah", "active")]
    # A CSV without a header column named nip, whose first line is a NIP, also works.
    headerless = f"{pegawai.nip}\n{atasan.nip}\n".encode()
    assert bulk.read_nip_file("x.csv", headerless) == [(1, pegawai.nip), (2, atasan.nip)]


def test_filters_by_position_type_and_grade(app, world, courses) -> None:
    with app.app_context():
        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        make_employee(
            seksi, "Yanti Fitriani", jabatan_type_code="fungsional", golongan_code="III/c"
        )
        make_employee(seksi, "Inactive Person", jabatan_type_code="fungsional", is_active=False)
        db.session.commit()
        db.session.remove()
    hr = app.test_client()
    login(hr, "bkpsdm")
    text = _preview(hr, course_id=courses["HRONLY"], jabatan="fungsional").get_data(as_text=True)
    assert "Yanti Fitriani" in text and "Inactive Person" not in text
    assert "Daftarkan 1 pegawai" in text
    text = _preview(hr, course_id=courses["HRONLY"], golongan="III/d").get_data(as_text=True)
    assert "Rahmat Hidayat" in text and "Siti Aminah" not in text
    text = _preview(
        hr, course_id=courses["HRONLY"], unit_id=world.units["disdik"].id, golongan="III/d"
    ).get_data(as_text=True)
    assert "Tidak ada pegawai baru untuk didaftarkan" in text


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        (
            {},
            "unit_id",
            "Pilih minimal satu: unit kerja, jenis jabatan, pangkat/golongan, atau daftar NIP.",
        ),
        ({"course_id": "0", "golongan": "III/a"}, "course_id", "Pilih pelatihan."),
        ({"course_id": "abc", "golongan": "III/a"}, "course_id", "Pilih pelatihan."),
        ({"golongan": "IX/z"}, "golongan", "Pangkat/golongan tidak dikenal."),
        ({"jabatan": "raja"}, "jabatan", "Jenis jabatan tidak dikenal."),
        ({"unit_id": "999999"}, "unit_id", "Unit kerja tidak ditemukan."),
        (
            {"golongan": "III/a", "nip_text": "199001012015031001"},
            "nip_text",
            "tidak keduanya sekaligus",
        ),
        ({"nip_text": "\n \n"}, "unit_id", "Pilih minimal satu"),
        # Issue 15: a pasted list's problems were shown on the file field.
        ({"nip_text": ",\n;\n"}, "nip_text", "Daftar NIP kosong."),
        (
            {"nip_text": "\n".join(["199001012015031001"] * (bulk.BULK_MAX + 1))},
            "nip_text",
            "paling banyak",
        ),
        (
            {"nip_file": (io.BytesIO(b"nama\nBudi\n"), "x.csv")},
            "nip_file",
            "Kolom &#39;nip&#39; tidak ditemukan",
        ),
        (
            {"nip_file": (io.BytesIO(b"\xff\xfe\x00"), "x.txt")},
            "nip_file",
            "Berkas TXT harus berenkode UTF-8.",
        ),
        ({"nip_file": (io.BytesIO(b"not a zip"), "x.xlsx")}, "nip_file", "Berkas XLSX rusak"),
        (
            {"nip_file": (io.BytesIO(b"x"), "x.pdf")},
            "nip_file",
            "Format berkas harus .csv, .xlsx, atau .txt.",
        ),
        ({"nip_file": (io.BytesIO(b"nip\n"), "x.csv")}, "nip_file", "Daftar NIP kosong."),
        (
            {"nip_file": (io.BytesIO(b"nip\n1\n"), "x.csv"), "unit_id": "1"},
            "nip_file",
            "tidak keduanya sekaligus",
        ),
    ],
)
def test_bad_bulk_input_names_the_problem_on_its_field(
    app, world, courses, fields, field, message
) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    data = {"course_id": str(courses["OPEN"]), **fields}
    page = _preview(hr, **data)
    assert page.status_code == 422
    shown = re.search(rf'<small id="{field}-error" class="field-error">([^<]*)</small>', page.text)
    assert shown and message in shown.group(1), page.text[-3000:]
    assert _enrolments(app) == []


def test_unpublished_course_is_refused(app, world, courses) -> None:
    with app.app_context():
        db.session.get(Course, courses["OPEN"]).archived = True
        db.session.commit()
        db.session.remove()
    hr = app.test_client()
    login(hr, "bkpsdm")
    page = _preview(hr, course_id=courses["OPEN"], golongan="III/a")
    assert page.status_code == 422
    assert "Pelatihan ini belum atau tidak lagi dibuka." in page.get_data(as_text=True)


def test_stale_preview_is_shown_again_instead_of_committing(app, world, courses) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    text = _preview(hr, course_id=courses["OPEN"], unit_id=world.units["dinkes"].id).get_data(
        as_text=True
    )
    fields = _confirm_fields(text)
    # Meanwhile Siti enrols herself.
    with app.app_context():
        from lms.auth.models import User
        from lms.enrolments import services

        user = db.session.get(User, world.users["pegawai"].id)
        services.enrol_self(user, db.session.get(Course, courses["OPEN"]))
        db.session.commit()
        db.session.remove()
    fields["csrf_token"] = csrf_token(hr, BULK)
    page = hr.post("/pendaftaran/massal/konfirmasi", data=fields)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Data berubah sejak pratinjau dibuat." in text
    assert _enrolments(app) == [("Siti Aminah", "active")]
    # Confirming the fresh preview works.
    fields = _confirm_fields(text)
    fields["csrf_token"] = csrf_token(hr, BULK)
    assert hr.post("/pendaftaran/massal/konfirmasi", data=fields).status_code == 302
    assert _enrolments(app) == [
        ("Budi Santoso", "active"),
        ("Rahmat Hidayat", "waitlisted"),
        ("Siti Aminah", "active"),
    ]


def test_confirm_without_a_preview_is_refused(app, world, courses) -> None:
    hr = app.test_client()
    login(hr, "bkpsdm")
    for data in ({}, {"course_id": "x", "digest": "y"}, {"course_id": "999", "digest": "y"}):
        data["csrf_token"] = csrf_token(hr, BULK)
        response = hr.post("/pendaftaran/massal/konfirmasi", data=data)
        assert response.status_code == 302
        assert "Pratinjau sudah tidak berlaku" in " ".join(
            flashes(hr.get(BULK).get_data(as_text=True))
        )
    assert _enrolments(app) == []


def test_pure_nip_text_reader() -> None:
    assert bulk.read_nip_text("  1990 0101 \n\n199001012015031001;\n") == [
        (1, "1990 0101"),
        (3, "199001012015031001"),
    ]
    assert bulk.decode_nips("") is None
    assert bulk.decode_nips("2:123,4:456") == [(2, "123"), (4, "456")]
