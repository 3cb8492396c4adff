"""Issue 15, point 15: the wording fixes, each on the page where people read it, and one term
for each idea across the whole interface (Kemajuan, surel, diatur ulang, Lokasi halaman)."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from lms.extensions import db
from lms.org.models import Employee
from tests.conftest import csrf_token, login
from tests.main.test_catalogue import extracted  # noqa: F401 (a fixture)

ROOT = Path(__file__).resolve().parents[2]


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_the_error_page_says_the_error_was_logged(app, client, world, monkeypatch) -> None:
    from lms.org import queries

    def boom(*_args, **_kwargs):
        raise RuntimeError("kaboom")

    monkeypatch.setattr(queries, "dashboard_context", boom)
    login(client, "pegawai")
    page = _text(client.get("/dasbor"))
    assert "Kesalahan ini sudah dicatat dan akan diperiksa tim kami." in page
    assert "Tim kami sudah dicatat" not in page


def test_the_nomination_page_says_melalui(client, world) -> None:
    login(client, "atasan")
    page = _text(client.get("/pendaftaran/usulkan"))
    assert "Usulan melalui persetujuan atasan langsung" in page
    assert "melewati" not in page


@pytest.mark.parametrize("target", [20, 25])
def test_the_login_page_names_the_configured_target(app, client, monkeypatch, target) -> None:
    monkeypatch.setitem(app.config, "JP_TARGET", target)
    page = _text(client.get("/masuk"))
    assert f"target {target} JP tahunan" in page
    if target != 20:
        assert "20 JP" not in page


def test_a_reset_password_is_diatur_ulang(client, world) -> None:
    login(client, "bkpsdm")
    users = _text(client.get("/admin/pengguna"))
    assert "Atur ulang kata sandi" in users and "Reset kata sandi" not in users
    token = csrf_token(client, "/admin/pengguna")
    uid = world.users["pegawai"].id
    page = _text(
        client.post(
            f"/admin/pengguna/{uid}/reset-sandi", data={"csrf_token": token, "confirm": "1"}
        )
    )
    assert "Kata sandi pegawai diatur ulang" in page and "direset" not in page


def test_classroom_completions_are_recorded_by_the_personnel_admin(client, world) -> None:
    login(client, "bkpsdm")
    page = _text(client.get("/kelola/kelulusan"))
    assert "Klasikal (dicatat admin kepegawaian)" in page and "dicatat HR" not in page


def test_the_webhook_secret_is_a_kunci_rahasia(client, world) -> None:
    login(client, "admin")
    page = _text(client.get("/admin/webhook"))
    assert "Kunci rahasia penanda tangan" in page and "Rahasia (secret)" not in page
    response = client.post(
        "/admin/webhook",
        data={
            "csrf_token": csrf_token(client, "/admin/webhook"),
            "url": "https://contoh.go.id/hook",
            "secret": "pendek",
        },
    )
    assert "Kunci rahasia harus 16 sampai 200 karakter." in _text(response)


def test_breadcrumbs_carry_an_indonesian_label_and_keep_their_look(app, client, world) -> None:
    from tests.factories import make_course

    with app.app_context():
        make_course("JEJAK-1", title="Pelatihan Jejak")
        db.session.commit()
    login(client, "pegawai")
    page = client.get("/pelatihan/JEJAK-1").get_data(as_text=True)
    assert '<nav class="breadcrumb" aria-label="Lokasi halaman">' in page
    hr = app.test_client()
    login(hr, "bkpsdm")
    report = hr.get("/laporan/completions").get_data(as_text=True)
    assert '<nav class="breadcrumb" aria-label="Lokasi halaman">' in report
    assert "Remah roti" not in report
    # Pico styles only nav[aria-label=breadcrumb]: the class carries the same look.
    css = (ROOT / "lms/static/css/app.css").read_text(encoding="utf-8")
    assert "nav.breadcrumb ul li:not(:last-child)::after" in css
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        assert 'aria-label="breadcrumb"' not in text, template
        assert "Remah roti" not in text, template


def test_enrolment_progress_is_kemajuan(client, world) -> None:
    login(client, "bkpsdm")
    page = _text(client.get("/laporan/enrolments"))
    assert "Kemajuan (%)" in page and "Progres" not in page


def test_the_employee_page_says_surel(app, client, world) -> None:
    with app.app_context():
        db.session.get(Employee, world.employees["pegawai"].id).email = "siti@contoh.go.id"
        db.session.commit()
        db.session.remove()
    login(client, "bkpsdm")
    response = client.get(f"/organisasi/pegawai/{world.employees['pegawai'].id}")
    assert response.status_code == 200, response.status_code
    page = _text(response)
    assert "Surel" in page and "E-mail" not in page


# One word for each idea, in every msgid of the code (lms/ and templates/, _macros included).
VARIANTS = {
    r"\bprogres\b": "kemajuan",
    r"\be-?mail\b": "surel",
    r"\bdireset\b|\breset\b": "atur ulang / diatur ulang",
    r"\bremah roti\b": "Lokasi halaman",
    r"\bsecret\b": "kunci rahasia",
}


def test_one_term_each_in_every_msgid(extracted) -> None:  # noqa: F811
    wrong = []
    for msgid in extracted:
        for pattern, term in VARIANTS.items():
            if re.search(pattern, msgid, re.IGNORECASE):
                wrong.append(f"{msgid!r}: use {term!r}")
    assert not wrong, "\n".join(wrong)


def test_chart_tables_and_pager_follow_english_mode(client, world) -> None:
    """Red until `make catalogue` has run and the English is filled in (the macros were never
    extracted before, so no English existed for them)."""
    login(client, "bkpsdm")
    with client.session_transaction() as session:
        session["lang"] = "en"
    page = _text(client.get("/laporan/jp-compliance"))
    assert "<summary>" in page  # a chart with its data table
    assert "Lihat data:" not in page
