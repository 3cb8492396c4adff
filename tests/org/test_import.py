"""Employee import: preview lists every bad row; commit is all or nothing; re-import updates."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import csrf_token, login

HEADER = (
    "nip,nama,gelar_belakang,golongan,jenis_jabatan,jenjang_jabatan,jabatan,kode_unit,nip_atasan\n"
)
GOOD = (
    HEADER
    + "199001012015031001,Ahmad Fauzi,S.Kom.,III/b,fungsional,ahli_pertama,Pranata Komputer,DINKES-YANKES,\n"
    + "199202022016032002,Rina Marlina,S.E.,III/a,pelaksana,pelaksana,Pengelola Keuangan,DINKES-YANKES,199001012015031001\n"
)


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Employee.id)))


def _upload(client, name: str, data: bytes):
    token = csrf_token(client, "/organisasi/impor")
    return client.post(
        "/organisasi/impor",
        data={"csrf_token": token, "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def test_good_csv_preview_then_commit_then_reimport_updates(app, client, world) -> None:
    login(client, "bkpsdm")
    before = _count(app)
    page = _upload(client, "pegawai.csv", GOOD.encode())
    text = page.get_data(as_text=True)
    assert "Berkas siap diimpor" in text and "2 pegawai baru" in text
    assert _count(app) == before  # preview writes nothing
    token = csrf_token(client, "/organisasi/impor")
    key = text.split('name="key" type="hidden" value="')[1].split('"')[0]
    done = client.post("/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": key})
    assert done.status_code == 302
    assert _count(app) == before + 2
    with app.app_context():
        rina = db.session.scalar(select(Employee).where(Employee.nip == "199202022016032002"))
        assert rina.supervisor.full_name == "Ahmad Fauzi"
        assert rina.gender == "P"  # from the NIP
    # Re-import with a new position updates by NIP instead of duplicating.
    changed = GOOD.replace("Pengelola Keuangan", "Bendahara")
    text = _upload(client, "pegawai.csv", changed.encode()).get_data(as_text=True)
    assert "0 pegawai baru dan 2 pegawai yang diperbarui" in text
    key = text.split('name="key" type="hidden" value="')[1].split('"')[0]
    client.post(
        "/organisasi/impor/konfirmasi",
        data={"csrf_token": csrf_token(client, "/organisasi/impor"), "key": key},
    )
    assert _count(app) == before + 2
    with app.app_context():
        assert (
            db.session.scalar(
                select(Employee.position_name).where(Employee.nip == "199202022016032002")
            )
            == "Bendahara"
        )


def test_bad_rows_are_all_listed_and_nothing_is_written(app, client, world) -> None:
    login(client, "bkpsdm")
    before = _count(app)
    bad = (
        HEADER
        + "199001012015031001,Ahmad Fauzi,,III/b,,,Staf,DINKES-YANKES,\n"
        + "19900101201503100X,Salah NIP,,III/a,,,Staf,DINKES-YANKES,\n"  # row 3: letters
        + "199001012015031001,Ahmad Lagi,,III/a,,,Staf,DINKES-YANKES,\n"  # row 4: duplicate NIP
        + "199303032017031003,Unit Hilang,,III/a,,,Staf,TIDAK-ADA,\n"  # row 5: unknown unit
        + "199404042018032004,Golongan Aneh,,V/z,,,Staf,DINKES-YANKES,\n"  # row 6: bad grade
        + "199505052019031005,Atasan Hilang,,III/a,,,Staf,DINKES-YANKES,199909092019031999\n"  # row 7
    )
    text = _upload(client, "pegawai.csv", bad.encode()).get_data(as_text=True)
    assert "5 kesalahan ditemukan" in text
    assert "<td>3</td><td>NIP</td><td>NIP hanya boleh berisi angka.</td>" in text
    assert "NIP 199001012015031001 ganda: sudah ada di baris 2." in text
    assert "Unit dengan kode &#39;TIDAK-ADA&#39; tidak ditemukan." in text
    assert "Golongan &#39;V/z&#39; tidak dikenal" in text
    assert "<td>7</td><td>NIP atasan</td>" in text
    assert 'name="key"' not in text  # no way to commit
    assert _count(app) == before


def test_xlsx_with_missing_columns(app, client, world) -> None:
    login(client, "bkpsdm")
    wb = Workbook()
    wb.active.append(["nip", "nama"])
    wb.active.append(["199001012015031001", "Ahmad"])
    buf = io.BytesIO()
    wb.save(buf)
    text = _upload(client, "pegawai.xlsx", buf.getvalue()).get_data(as_text=True)
    assert "Kolom wajib tidak ada: kode_unit" in text


def test_xlsx_good_file_and_numeric_nip_cells(app, client, world) -> None:
    login(client, "bkpsdm")
    wb = Workbook()
    wb.active.append(["NIP", "Nama", "Kode unit", "Golongan"])
    wb.active.append([199001012015031001, "Ahmad Fauzi", "DINKES", "iii/b"])
    buf = io.BytesIO()
    wb.save(buf)
    text = _upload(client, "pegawai.xlsx", buf.getvalue()).get_data(as_text=True)
    assert "1 pegawai baru" in text


def test_non_utf8_csv_and_garbage_xlsx(app, client, world) -> None:
    login(client, "bkpsdm")
    text = _upload(
        client, "pegawai.csv", "nip,nama,kode_unit\n1,Jürgen,X\n".encode("cp1252")
    ).get_data(as_text=True)
    assert "UTF-8" in text
    text = _upload(client, "pegawai.xlsx", b"bukan excel").get_data(as_text=True)
    assert "rusak" in text
    page = _upload(client, "pegawai.pdf", b"%PDF")
    assert "Format berkas harus .csv atau .xlsx." in page.get_data(as_text=True)


def test_confirm_with_forged_key_is_refused(app, client, world) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, "/organisasi/impor")
    response = client.post(
        "/organisasi/impor/konfirmasi", data={"csrf_token": token, "key": "../../etc/passwd"}
    )
    assert response.status_code == 302
    assert "tidak berlaku" in client.get("/organisasi/impor").get_data(as_text=True)


def test_cli_import_json(app, world, tmp_path) -> None:
    path = tmp_path / "pegawai.csv"
    path.write_text(GOOD.replace("DINKES-YANKES,\n", "NOPE,\n", 1))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["org", "import-employees", str(path), "--json"])
    assert result.exit_code == 1
    payload = json.loads(result.output.strip().splitlines()[-1])
    assert payload["created"] == 0
    assert payload["errors"][0]["row"] == 2 and payload["errors"][0]["column"] == "kode_unit"
    path.write_text(GOOD)
    result = runner.invoke(args=["org", "import-employees", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["created"] == 2
