"""Import of annual appraisal results: preview with row errors, then all or nothing."""

from __future__ import annotations

import io

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.auth.models import User
from lms.careers.skp import appraisal_import
from lms.careers.skp.models import SkpEvaluation, SkpPeriod
from lms.extensions import db
from tests.careers.skp.helpers import YEAR, agreed_period, csrf_of, evaluate_year
from tests.conftest import login

LAST = YEAR - 1
HEADER = "nip;tahun;hasil_kerja;perilaku;predikat;catatan\n"


def _count(app) -> tuple[int, int]:
    with app.app_context():
        return (
            db.session.scalar(select(func.count()).select_from(SkpEvaluation)),
            db.session.scalar(select(func.count()).select_from(SkpPeriod)),
        )


def _upload(client, body: str, name: str = "penilaian.csv"):
    token = csrf_of(client.get("/kelola/kinerja/impor").data)
    return client.post(
        "/kelola/kinerja/impor",
        data={"file": (io.BytesIO(body.encode()), name), "csrf_token": token},
        content_type="multipart/form-data",
    )


def test_unknown_nips_are_named_by_row_and_nothing_is_imported(app, world, client) -> None:
    pegawai = world.employees["pegawai"].nip
    body = (
        HEADER
        + f"{pegawai};{LAST};sesuai;sesuai;Baik;\n"
        + f"199001012015031999;{LAST};sesuai;di atas;;\n"
        + f"{world.employees['atasan'].nip};{LAST};di atas;di atas;Sangat Baik;\n"
        + f"198001012010011777;{LAST};di bawah;sesuai;;\n"
    )
    login(client, "bkpsdm")
    response = _upload(client, body)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "NIP 199001012015031999 tidak dikenal." in page
    assert "NIP 198001012010011777 tidak dikenal." in page
    assert "<tr><td>3</td><td><code>nip</code></td>" in page
    assert "<tr><td>5</td><td><code>nip</code></td>" in page
    assert "Tidak ada data yang disimpan" in page
    assert "/kelola/kinerja/impor/konfirmasi" not in page  # no way to confirm
    assert _count(app) == (0, 0)


def test_every_row_problem_has_a_clear_message(app, world) -> None:
    nip = world.employees["pegawai"].nip
    boss = world.employees["atasan"].nip
    other = world.employees["disdik"].nip
    with app.app_context():
        atasan_user = db.session.get(User, world.users["atasan"].id)
        period = agreed_period(world.employees["pegawai"].id, atasan_user.id, LAST)
        evaluate_year(period, atasan_user, "sesuai", "sesuai")
        db.session.commit()
        body = (
            HEADER
            + f"{nip};{LAST};sesuai;sesuai;;sudah ada\n"  # 2: annual evaluation exists
            + f"{boss};{LAST};luar biasa;sesuai;;\n"  # 3: bad rating word
            + f"{boss};{LAST - 1};di atas;di bawah;Sangat Baik;\n"  # 4: contradicts the matrix
            + f"{boss};{LAST - 2};sesuai;sesuai;Istimewa;\n"  # 5: unknown predikat
            + f"{boss};{LAST - 3};sesuai;sesuai;baik;\n"  # 6: fine
            + f"{boss};{LAST - 3};di atas;di atas;;\n"  # 7: duplicate NIP + year
            + f"{boss};dua ribu;sesuai;sesuai;;\n"  # 8: bad year
            + f"{other};{LAST};sesuai;sesuai;;\n"  # 9: out of the Admin OPD's scope
        )
        admin_opd = db.session.get(User, world.users["admin_opd"].id)
        checked = appraisal_import.preview(admin_opd, "a.csv", body.encode())
        messages = {(e.row, e.column): e.message for e in checked.errors}
        assert (
            "Evaluasi tahunan" in messages[(2, "tahun")] and "sudah ada" in messages[(2, "tahun")]
        )
        assert "'luar biasa' bukan penilaian" in messages[(3, "hasil_kerja")]
        assert messages[(4, "predikat")] == (
            "Predikat Sangat Baik tidak sesuai matriks: hasil kerja Di atas ekspektasi dan "
            "perilaku Di bawah ekspektasi memberi predikat Kurang/Misconduct."
        )
        assert "tidak dikenal" in messages[(5, "predikat")]
        assert "sudah ada di baris 6" in messages[(7, "nip")]
        assert "Tahun harus berupa angka" in messages[(8, "tahun")]
        assert "di luar lingkup" in messages[(9, "nip")]
        assert [r.row for r in checked.rows] == [6]
        assert not checked.ok
        # BKPSDM's scope is the whole city: no scope error there
        bkpsdm = db.session.get(User, world.users["admin_bkpsdm"].id)
        assert (9, "nip") not in {
            (e.row, e.column)
            for e in appraisal_import.preview(bkpsdm, "a.csv", body.encode()).errors
        }
        missing = appraisal_import.preview(bkpsdm, "a.csv", b"nip;tahun\n1;2\n")
        assert "Kolom wajib tidak ada: hasil_kerja, perilaku" in missing.file_errors[0]


def test_a_clean_file_imports_all_rows_after_confirmation(app, world, client) -> None:
    body = (
        HEADER
        + f"{world.employees['pegawai'].nip_display};{LAST};Di Bawah Ekspektasi;sesuai;Butuh Perbaikan;Perlu pendampingan\n"
        + f"{world.employees['atasan'].nip};{LAST};di atas;di atas;;\n"
    )
    login(client, "bkpsdm")
    preview = _upload(client, body)
    assert preview.status_code == 200
    page = preview.get_data(as_text=True)
    assert "2 evaluasi tahunan akan disimpan" in page
    assert _count(app) == (0, 0)  # the preview writes nothing
    token = csrf_of(preview.data)
    key = __import__("re").search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    done = client.post("/kelola/kinerja/impor/konfirmasi", data={"key": key, "csrf_token": token})
    assert done.status_code == 302
    assert "2 evaluasi tahunan tersimpan" in client.get(done.headers["Location"]).get_data(
        as_text=True
    )
    with app.app_context():
        rows = db.session.execute(
            select(
                SkpPeriod.employee_id,
                SkpPeriod.status,
                SkpEvaluation.predikat,
                SkpEvaluation.source,
            )
            .join(SkpEvaluation)
            .order_by(SkpPeriod.employee_id)
        ).all()
    assert sorted(rows) == sorted(
        [
            (world.employees["pegawai"].id, "closed", "butuh_perbaikan", "import"),
            (world.employees["atasan"].id, "closed", "sangat_baik", "import"),
        ]
    )
    # the same file again: every row already has its annual evaluation
    again = _upload(client, body)
    assert again.status_code == 422 and "sudah ada" in again.get_data(as_text=True)
    # and the used confirmation key no longer works
    stale = client.post("/kelola/kinerja/impor/konfirmasi", data={"key": key, "csrf_token": token})
    assert "sudah tidak berlaku" in client.get(stale.headers["Location"]).get_data(as_text=True)
    assert _count(app) == (2, 2)


def test_confirm_is_all_or_nothing_when_the_data_changed_since_the_preview(
    app, world, client
) -> None:
    body = (
        HEADER
        + f"{world.employees['pegawai'].nip};{LAST};sesuai;sesuai;;\n"
        + f"{world.employees['atasan'].nip};{LAST};sesuai;sesuai;;\n"
    )
    login(client, "bkpsdm")
    preview = _upload(client, body)
    page = preview.get_data(as_text=True)
    key = __import__("re").search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    with app.app_context():  # meanwhile the supervisor gives pegawai the annual evaluation
        atasan_user = db.session.get(User, world.users["atasan"].id)
        period = agreed_period(world.employees["pegawai"].id, atasan_user.id, LAST)
        evaluate_year(period, atasan_user, "di_atas", "di_atas")
        db.session.commit()
    before = _count(app)
    response = client.post(
        "/kelola/kinerja/impor/konfirmasi", data={"key": key, "csrf_token": csrf_of(preview.data)}
    )
    assert response.status_code == 422
    assert "tidak ada data yang disimpan" in response.get_data(as_text=True)
    assert _count(app) == before == (5, 1)  # four quarters and the annual one, one SKP


def test_xlsx_files_are_read_too(app, world) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["NIP", "Tahun", "Hasil Kerja", "Perilaku", "Predikat", "Catatan"])
    ws.append([world.employees["pegawai"].nip, LAST, "sesuai", "di bawah", "Kurang", ""])
    out = io.BytesIO()
    wb.save(out)
    with app.app_context():
        bkpsdm = db.session.get(User, world.users["admin_bkpsdm"].id)
        checked = appraisal_import.preview(bkpsdm, "penilaian.xlsx", out.getvalue())
        assert checked.ok, checked.errors
        assert checked.rows[0].predikat == "kurang"
        assert appraisal_import.apply(bkpsdm, checked) == 1
        db.session.commit()
    assert _count(app) == (1, 1)
