"""HR completion screens through HTTP: ticking, upload, scope, list, detail and revocation."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

from openpyxl import Workbook
from sqlalchemy import func, select

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.completion.models import Completion, OutboxEvent
from lms.completion.services import record_classroom
from lms.courses.models import Course
from lms.extensions import db
from lms.indonesian import local_today
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.test_query_counts import count_queries

ATTEND = "/kelola/kelulusan/KLAS-101/absensi"


def _count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def _tick(client, rows: dict[int, str], day: date | None = None, **extra):
    token = csrf_token(client, ATTEND)
    data = {
        "csrf_token": token,
        "completed_on": (day or local_today()).isoformat(),
        "cohort_id": "0",
        "hadir": [str(i) for i in rows],
        **{f"nilai-{i}": score for i, score in rows.items()},
    }
    data.update(extra)
    return client.post(ATTEND, data=data)


def _record(app, world, key: str, code: str = "KLAS-101") -> int:
    with app.app_context():
        completion = record_classroom(
            db.session.get(Employee, world.employees[key].id),
            db.session.scalar(select(Course).where(Course.code == code)),
            completed_on=local_today(),
            score=80,
            by=db.session.get(User, world.users["admin_bkpsdm"].id),
        )
        db.session.commit()
        return completion.id


# --- ticking -----------------------------------------------------------------------------------


def test_ticked_attendance_records_completions_certificates_and_events(
    app, client, world, classroom
) -> None:
    login(client, "bkpsdm")
    page = client.get(ATTEND)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    for key in ("pegawai", "atasan", "disdik"):
        assert world.employees[key].nip_display in body
    pegawai, atasan = world.employees["pegawai"].id, world.employees["atasan"].id
    day = local_today() - timedelta(days=3)
    response = _tick(client, {pegawai: "87,5", atasan: ""}, day)
    assert response.status_code == 302
    assert "/kelola/kelulusan" in response.headers["Location"]
    with app.app_context():
        done = db.session.scalars(select(Completion).order_by(Completion.employee_id)).all()
        assert {c.employee_id for c in done} == {pegawai, atasan}
        by_employee = {c.employee_id: c for c in done}
        assert float(by_employee[pegawai].score) == 87.5
        assert by_employee[atasan].score is None
        assert all(c.source == "classroom" and c.status == "valid" for c in done)
        assert all(c.completed_at.date() == day for c in done)
        assert {c.recorded_by_id for c in done} == {world.users["admin_bkpsdm"].id}
        certificates = db.session.scalars(select(Certificate)).all()
        assert {c.completion_id for c in certificates} == {c.id for c in done}
        assert all(c.status == "issued" for c in certificates)
        events = db.session.scalars(select(OutboxEvent)).all()
        assert sorted(e.type for e in events) == ["completion.created"] * 2
        assert {e.payload["certificate_number"] for e in events} == {c.number for c in certificates}
    # Those two now show as passed, without a checkbox.
    body = client.get(ATTEND).get_data(as_text=True)
    assert f'value="{pegawai}"' not in body
    assert f'value="{world.employees["disdik"].id}"' in body


def test_one_bad_row_writes_nothing_and_names_the_nip(app, client, world, classroom) -> None:
    login(client, "bkpsdm")
    pegawai, atasan = world.employees["pegawai"].id, world.employees["atasan"].id
    response = _tick(client, {pegawai: "90", atasan: "150"})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Tidak ada yang disimpan" in body
    assert world.employees["atasan"].nip_display in body
    assert "antara 0 dan 100" in body
    # The ticks and scores survive the round trip.
    assert re.search(rf'value="{pegawai}"\s+checked', body)
    assert 'value="150"' in body
    assert _count(app, Completion) == 0
    assert _count(app, Certificate) == 0
    assert _count(app, OutboxEvent) == 0


def test_already_completed_row_refuses_the_whole_batch(app, client, world, classroom) -> None:
    _record(app, world, "atasan")
    login(client, "bkpsdm")
    # A stale page (or a forged POST) still ticks atasan, who passed meanwhile.
    response = _tick(client, {world.employees["pegawai"].id: "", world.employees["atasan"].id: ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert world.employees["atasan"].nip_display in body
    assert "sudah tercatat lulus" in body
    assert _count(app, Completion) == 1


def test_nothing_ticked_and_future_date_are_refused(app, client, world, classroom) -> None:
    login(client, "bkpsdm")
    response = _tick(client, {})
    assert response.status_code == 422
    assert "Centang minimal satu peserta" in response.get_data(as_text=True)
    response = _tick(client, {world.employees["pegawai"].id: ""}, local_today() + timedelta(days=2))
    assert response.status_code == 422
    assert "masa depan" in response.get_data(as_text=True)
    response = _tick(client, {world.employees["pegawai"].id: ""}, completed_on="31-02-2024")
    assert response.status_code == 422
    assert "Tanggal tidak valid" in response.get_data(as_text=True)
    assert _count(app, Completion) == 0


def test_opd_admin_sees_and_records_only_their_department(app, client, world, classroom) -> None:
    login(client, "opd.dinkes")
    body = client.get(ATTEND).get_data(as_text=True)
    assert world.employees["pegawai"].nip_display in body
    assert world.employees["disdik"].nip_display not in body
    # Editing the POST to add the Dinas Pendidikan employee: refused, nothing written.
    response = _tick(client, {world.employees["pegawai"].id: "", world.employees["disdik"].id: ""})
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert world.employees["disdik"].nip_display in body
    assert "di luar lingkup unit Anda" in body
    assert _count(app, Completion) == 0
    # An id that is no employee at all.
    response = _tick(client, {999999: ""})
    assert response.status_code == 422
    assert "Pegawai tidak ditemukan" in response.get_data(as_text=True)
    # Their own employee works.
    assert _tick(client, {world.employees["pegawai"].id: "75"}).status_code == 302
    assert _count(app, Completion) == 1


def test_cohort_is_recorded_and_a_foreign_cohort_refused(app, client, world, classroom) -> None:
    login(client, "bkpsdm")
    page = client.get(ATTEND).get_data(as_text=True)
    assert "Angkatan I" in page and "Angkatan X" not in page
    pegawai = world.employees["pegawai"].id
    response = _tick(client, {pegawai: ""}, cohort_id=str(classroom.other_cohort_id))
    assert response.status_code == 422
    assert "Angkatan ini tidak memuat" in response.get_data(as_text=True)
    assert _count(app, Completion) == 0
    response = _tick(client, {pegawai: ""}, cohort_id=str(classroom.cohort_id))
    assert response.status_code == 302
    with app.app_context():
        assert db.session.scalar(select(Completion.cohort_id)) == classroom.cohort_id


def test_unknown_or_unpublished_course_is_404(client, world, classroom) -> None:
    login(client, "bkpsdm")
    assert client.get("/kelola/kelulusan/NOPE-1/absensi").status_code == 404
    chooser = client.get("/kelola/kelulusan/absensi?pelatihan=KLAS-101")
    assert chooser.status_code == 302 and chooser.headers["Location"].endswith(ATTEND)
    assert client.get("/kelola/kelulusan/absensi?pelatihan=NOPE").status_code == 302


# --- upload ------------------------------------------------------------------------------------


def _upload(client, content: bytes, filename: str = "absensi.csv", day: date | None = None):
    token = csrf_token(client, ATTEND)
    return client.post(
        ATTEND + "/unggah",
        data={
            "unggah-csrf_token": token,
            "unggah-file": (io.BytesIO(content), filename),
            "unggah-default_date": (day or local_today()).isoformat(),
            "unggah-cohort_id": "0",
        },
        content_type="multipart/form-data",
    )


def _confirm(client, preview_body: str):
    key = re.search(r'name="key"[^>]*value="([^"]+)"', preview_body).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', preview_body).group(1)
    return client.post(ATTEND + "/konfirmasi", data={"csrf_token": token, "key": key})


def test_upload_preview_lists_every_bad_row(app, client, world, classroom) -> None:
    _record(app, world, "atasan")
    future = (local_today() + timedelta(days=5)).strftime("%d-%m-%Y")
    nip = world.employees
    csv = "\n".join(
        [
            "nip;nilai;tanggal",
            f"{nip['pegawai'].nip};90;01-02-2024",  # row 2: fine
            "199001012015031999;80;",  # row 3: unknown NIP
            f"{nip['disdik'].nip};;",  # row 4: another department (for Admin OPD)
            f"{nip['pegawai'].nip_display};85;",  # row 5: duplicate of row 2 (spaces ignored)
            f"{nip['atasan'].nip};;",  # row 6: already passed
            f"{world.employees['pegawai'].nip[:-1]}0;abc;31-02-2024",  # row 7: bad score+date
            f"{nip['pegawai'].nip[:-3]}999;101;{future}",  # row 8: unknown, >100, future
        ]
    ).encode()
    login(client, "opd.dinkes")
    response = _upload(client, csv)
    assert response.status_code == 422  # rows with errors: the one status of lms/imports.py
    body = response.get_data(as_text=True)
    assert 'name="key"' not in body  # no confirm button
    rows = dict(
        (int(r), m)
        for r, m in re.findall(r"<tr><td>(\d+)</td><td[^>]*>[^<]*</td><td>([^<]*)</td></tr>", body)
    )
    problems = re.findall(r"<tr><td>(\d+)</td><td[^>]*>([^<]*)</td><td>([^<]*)</td></tr>", body)
    text = {(int(r), m) for r, _nip, m in problems}
    assert (3, "NIP tidak dikenal.") in text
    assert (4, "Pegawai ini di luar lingkup unit Anda.") in text
    assert (5, "Baris duplikat: NIP ini sudah ada di baris 2.") in text
    assert any(r == 6 and "sudah tercatat lulus" in m for r, m in text)
    assert any(r == 7 and "bukan angka" in m for r, m in text)
    assert any(r == 7 and "tidak valid" in m for r, m in text)
    assert any(r == 8 and "antara 0 dan 100" in m for r, m in text)
    assert any(r == 8 and "masa depan" in m for r, m in text)
    assert 2 not in {r for r, _ in text} and rows
    assert _count(app, Completion) == 1


def test_upload_bad_files_are_explained(client, world, classroom) -> None:
    login(client, "bkpsdm")
    body = _upload(client, b"nama,nilai\nBudi,80\n").get_data(as_text=True)
    assert "Kolom &#39;nip&#39; tidak ditemukan" in body
    body = _upload(client, b"not a zip", "absensi.xlsx").get_data(as_text=True)
    assert "XLSX rusak" in body
    response = _upload(client, b"nip\n1\n", "absensi.txt")
    assert response.status_code == 422
    assert "Format berkas harus .csv atau .xlsx." in response.get_data(as_text=True)


def test_upload_preview_then_confirm_records_all(app, client, world, classroom) -> None:
    wb = Workbook()
    ws = wb.active
    ws.append(["NIP", "Nilai", "Tanggal"])
    ws.append([world.employees["pegawai"].nip, 91, date(2024, 3, 4)])
    ws.append([world.employees["disdik"].nip, None, "2024-03-05"])
    # Not enrolled yet: enrolled on the way.
    ws.append([world.employees["hr"].nip, "77,25", None])
    data = io.BytesIO()
    wb.save(data)
    login(client, "bkpsdm")
    preview = _upload(client, data.getvalue(), "absensi.xlsx", date(2024, 3, 6))
    body = preview.get_data(as_text=True)
    assert preview.status_code == 200, body
    assert "Berkas siap dicatat" in body
    assert "belum terdaftar; akan didaftarkan" in body
    assert _count(app, Completion) == 0
    response = _confirm(client, body)
    assert response.status_code == 302
    with app.app_context():
        done = {c.employee_id: c for c in db.session.scalars(select(Completion)).all()}
        assert set(done) == {world.employees[k].id for k in ("pegawai", "disdik", "hr")}
        assert done[world.employees["pegawai"].id].completed_at.date() == date(2024, 3, 4)
        assert done[world.employees["disdik"].id].completed_at.date() == date(2024, 3, 5)
        assert done[world.employees["hr"].id].completed_at.date() == date(2024, 3, 6)
        assert float(done[world.employees["hr"].id].score) == 77.25
        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 3
        assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 3
    # The stored file is gone: replaying the confirmation records nothing more.
    again = _confirm(client, body)
    assert again.status_code == 302
    assert _count(app, Completion) == 3


def test_upload_confirm_rechecks_and_writes_nothing_when_data_changed(
    app, client, world, classroom
) -> None:
    csv = f"nip,nilai\n{world.employees['pegawai'].nip},80\n{world.employees['atasan'].nip},70\n"
    login(client, "bkpsdm")
    body = _upload(client, csv.encode()).get_data(as_text=True)
    assert "Berkas siap dicatat" in body
    _record(app, world, "atasan")  # someone else recorded atasan meanwhile
    response = _confirm(client, body)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert "Data berubah sejak pratinjau" in text
    assert world.employees["atasan"].nip_display in text
    assert _count(app, Completion) == 1


def test_confirm_with_a_forged_key_is_refused(app, client, world, classroom) -> None:
    login(client, "bkpsdm")
    token = csrf_token(client, ATTEND)
    response = client.post(
        ATTEND + "/konfirmasi", data={"csrf_token": token, "key": "imports/../../etc/passwd"}
    )
    assert response.status_code == 302
    assert _count(app, Completion) == 0


# --- list, detail, revoke ----------------------------------------------------------------------


def test_list_is_scoped_and_filtered(app, client, world, classroom) -> None:
    _record(app, world, "pegawai")
    _record(app, world, "disdik")
    _record(app, world, "disdik", "KLAS-102")
    login(client, "opd.dinkes")
    body = client.get("/kelola/kelulusan").get_data(as_text=True)
    assert world.employees["pegawai"].nip in body
    assert world.employees["disdik"].nip not in body
    assert "1 kelulusan ditemukan" in body
    client.post("/keluar", data={"csrf_token": csrf_token(client, "/dasbor")})
    login(client, "bkpsdm")
    body = client.get("/kelola/kelulusan").get_data(as_text=True)
    # Both courses of PROG-1 done: the programme does not complete (only closing its cohort does).
    assert "3 kelulusan ditemukan" in body
    body = client.get("/kelola/kelulusan?sumber=programme").get_data(as_text=True)
    assert "0 kelulusan ditemukan" in body
    body = client.get("/kelola/kelulusan?pelatihan=KLAS-102").get_data(as_text=True)
    assert "1 kelulusan ditemukan" in body
    body = client.get("/kelola/kelulusan?status=revoked").get_data(as_text=True)
    assert "0 kelulusan ditemukan" in body
    body = client.get("/kelola/kelulusan?sumber=online&page=x").get_data(as_text=True)
    assert "0 kelulusan ditemukan" in body


def test_detail_is_scoped(app, client, world, classroom) -> None:
    mine = _record(app, world, "pegawai")
    theirs = _record(app, world, "disdik")
    login(client, "opd.dinkes")
    page = client.get(f"/kelola/kelulusan/{mine}")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert world.employees["pegawai"].nip in body
    assert "/verify/" in body
    assert "Cabut kelulusan" not in body  # revoking is BKPSDM's
    assert client.get(f"/kelola/kelulusan/{theirs}").status_code == 404
    assert client.get("/kelola/kelulusan/999999").status_code == 404
    token = csrf_token(client, f"/kelola/kelulusan/{mine}")
    response = client.post(
        f"/kelola/kelulusan/{mine}/cabut", data={"csrf_token": token, "reason": "x"}
    )
    assert response.status_code == 403


def test_revoke_needs_a_reason_and_writes_an_event(app, client, world, classroom) -> None:
    completion_id = _record(app, world, "pegawai")
    login(client, "bkpsdm")
    url = f"/kelola/kelulusan/{completion_id}"
    token = csrf_token(client, url)
    response = client.post(url + "/cabut", data={"csrf_token": token, "reason": "   "})
    assert response.status_code == 422
    assert "Alasan pencabutan wajib diisi." in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Completion, completion_id).status == "valid"
    response = client.post(
        url + "/cabut",
        data={"csrf_token": token, "reason": "Daftar hadir ternyata dipalsukan.", "confirm": "1"},
    )
    assert response.status_code == 302
    with app.app_context():
        completion = db.session.get(Completion, completion_id)
        assert completion.status == "revoked"
        assert completion.revoke_reason == "Daftar hadir ternyata dipalsukan."
        certificate = db.session.scalar(
            select(Certificate).where(Certificate.completion_id == completion_id)
        )
        assert certificate.status == "revoked"
        events = db.session.scalars(select(OutboxEvent).order_by(OutboxEvent.seq)).all()
        assert [e.type for e in events] == ["completion.created", "completion.revoked"]
        assert events[1].payload["revoke_reason"] == "Daftar hadir ternyata dipalsukan."
    body = client.get(url).get_data(as_text=True)
    assert "Kelulusan ini dicabut" in body and "dipalsukan" in body
    # A second revocation is refused without a new event.
    response = client.post(
        url + "/cabut", data={"csrf_token": token, "reason": "lagi", "confirm": "1"}
    )
    assert response.status_code == 302
    assert _count(app, OutboxEvent) == 2
    # The employee can now be recorded again.
    assert _tick(client, {world.employees["pegawai"].id: "80"}).status_code == 302
    assert _count(app, Completion) == 2


def test_list_and_roster_query_counts_are_flat(app, world, classroom) -> None:
    from tests.factories import make_employee

    def measure() -> dict[str, int]:
        counts = {}
        for username in ("bkpsdm", "opd.dinkes"):
            client = app.test_client()
            login(client, username)
            for url in ("/kelola/kelulusan", ATTEND, "/kelola/kelulusan?status=valid"):
                client.get(url)
                with count_queries(app) as counter:
                    assert client.get(url).status_code == 200
                counts[f"{username} {url}"] = counter["n"]
        return counts

    _record(app, world, "disdik")
    _record(app, world, "pegawai")
    few = measure()
    with app.app_context():
        from lms.enrolments.models import Enrolment
        from lms.org.models import Unit

        seksi = db.session.get(Unit, world.units["dinkes_seksi"].id)
        course = db.session.scalar(select(Course).where(Course.code == "KLAS-101"))
        by = db.session.get(User, world.users["admin_bkpsdm"].id)
        for i in range(12):
            emp = make_employee(seksi, f"Peserta {i}")
            db.session.add(Enrolment(course_id=course.id, employee_id=emp.id, status="active"))
            db.session.flush()
            if i % 2:
                record_classroom(emp, course, completed_on=local_today(), score=70, by=by)
        db.session.commit()
    assert measure() == few
