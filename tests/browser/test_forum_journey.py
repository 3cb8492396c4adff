"""A community thread with a reply, a subscription e-mail, a report, and a hidden post.

In the demo "Komunitas Pelayanan Publik Palembang": `pegawai` (BKPSDM) starts a thread and
so follows it; `atasan` replies and `pegawai` gets the e-mail, received by a real local SMTP server
(aiosmtpd); `pegawai` reports the reply; the owner, `pengajar`, sees the report in the moderation
queue and hides the reply after confirming; `pegawai` then sees it as hidden by a moderator.

The journey runs on a server of its own (the demo organisation and the demo community only, no
courses), because the shared one sends no mail: its SMTP settings are fixed when it starts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from email import message_from_string, policy

import pytest
from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.serving import make_server

from lms import create_app
from lms.auth.models import User
from lms.community.demo import load_demo_community
from lms.extensions import db
from lms.org.demo import load_demo
from lms.org.models import Employee
from tests.browser.conftest import sign_in, sign_out
from tests.notifications.conftest import _free_port, _Inbox

TITLE = "Layanan pada hari Sabtu: adakah pengalaman?"
SITI_MAIL = "pegawai.dinkes@palembang.go.id"


@pytest.fixture(scope="module")
def forum_server(databases, tmp_path_factory) -> Iterator[tuple[str, _Inbox]]:
    inbox = _Inbox()
    port = _free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=port)
    smtp.start()
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": databases.new("forum_browser"),
            "FILES_DIR": str(tmp_path_factory.mktemp("forum-files")),
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": port,
        },
        env="testing",
    )
    with app.app_context():
        upgrade()
        load_demo()
        load_demo_community()
        pegawai = db.session.scalar(select(User).where(User.username == "pegawai"))
        db.session.get(Employee, pegawai.employee_id).email = SITI_MAIL
        db.session.commit()
        inbox.messages.clear()  # the demo's own replies told their followers
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", inbox
    finally:
        server.shutdown()
        smtp.stop()
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


def _mail_to(inbox: _Inbox, address: str, timeout: float = 10) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for to, raw in inbox.messages:
            if address in to:
                return raw
        time.sleep(0.1)
    raise AssertionError(f"no mail to {address}: {inbox.messages}")


@pytest.mark.browser
def test_thread_reply_mail_report_and_hidden_post(page, forum_server, shot, axe_check) -> None:
    base, inbox = forum_server
    page.set_viewport_size({"width": 1280, "height": 900})

    # 1. pegawai finds the community from the menu and starts a thread.
    sign_in(page, base, "pegawai")
    expect(page.get_by_role("heading", name="Diskusi terbaru")).to_be_visible()
    axe_check("dashboard with the latest discussions")
    shot("forum-01-dashboard")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("link", name="Komunitas belajar").click()
    expect(page.get_by_role("heading", name="Komunitas belajar", level=1)).to_be_visible()
    axe_check("community list")
    shot("forum-02-communities")
    page.get_by_role("link", name="Komunitas Pelayanan Publik Palembang").click()
    expect(page.get_by_text("Anda anggota")).to_be_visible()
    axe_check("community page")
    shot("forum-03-community")
    page.get_by_role("link", name="Diskusi umum").click()
    expect(
        page.get_by_role("link", name="Selamat datang: perkenalkan diri dan layanan Anda")
    ).to_be_visible()
    axe_check("forum page")
    shot("forum-04-forum")
    page.get_by_role("button", name="Mulai topik baru").click()
    axe_check("new thread form")
    page.get_by_label("Judul topik").fill(TITLE)
    page.get_by_label("Tulisan").fill(
        "Kami menimbang loket konsultasi kepegawaian pada **Sabtu pagi**.\n\n"
        "- Apakah OPD lain punya pengalaman layanan akhir pekan?\n"
        "- <script>alert('x')</script> tetap tampil sebagai teks."
    )
    page.get_by_role("button", name="Kirim topik").click()
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator("#tulisan-1 strong", has_text="Sabtu pagi")).to_be_visible()
    expect(page.locator("#tulisan-1")).to_contain_text("<script>alert('x')</script>")
    expect(page.get_by_role("button", name="Berhenti mengikuti topik")).to_be_visible()
    axe_check("thread page (author)")
    shot("forum-05-thread-started")
    thread_url = page.url
    sign_out(page)

    # 2. atasan (a member too) replies; pegawai follows the thread and gets the mail.
    sign_in(page, base, "atasan")
    page.goto(thread_url)
    page.get_by_label("Tulisan").fill(
        "Dulu kami membuka loket Sabtu dengan jadwal bergilir. Pak Ahmad dari Jalan Merdeka "
        "nomor 5 selalu antre paling pagi."
    )
    page.get_by_role("button", name="Kirim balasan").click()
    expect(page.get_by_text("Balasan Anda terkirim.")).to_be_visible()
    expect(page.locator("#tulisan-2")).to_contain_text("jadwal bergilir")
    axe_check("thread page with a reply")
    shot("forum-06-reply")
    mail = message_from_string(_mail_to(inbox, SITI_MAIL), policy=policy.default)
    subject = " ".join(mail["Subject"].split())
    assert subject.startswith("Akademi ASN: ") and f"membalas topik “{TITLE}”" in subject
    assert thread_url.removeprefix(base) in mail.get_content()
    sign_out(page)

    # 3. pegawai sees the notification and reports the reply.
    sign_in(page, base, "pegawai")
    page.goto(thread_url)
    page.locator("#tulisan-2").get_by_role("link", name="Laporkan").click()
    expect(page.get_by_role("heading", name="Laporkan tulisan")).to_be_visible()
    axe_check("report form")
    page.get_by_label("Alasan").fill("Menyebut nama warga yang antre.")
    page.get_by_role("button", name="Kirim laporan").click()
    expect(page.get_by_text("Laporan Anda diteruskan kepada moderator.")).to_be_visible()
    sign_out(page)

    # 4. The owner moderates: the queue shows the report; the reply is hidden after confirming.
    sign_in(page, base, "pengajar")
    page.goto(base + "/komunitas/komunitas-pelayanan-publik-palembang/moderasi")
    expect(page.get_by_text("Menyebut nama warga yang antre.")).to_be_visible()
    axe_check("moderation queue")
    shot("forum-07-moderation-queue")
    page.goto(thread_url)
    post = page.locator("#tulisan-2")
    post.get_by_text("Sembunyikan tulisan #2").click()
    post.get_by_label("Alasan").fill("Memuat data pribadi warga.")
    post.get_by_role("button", name="Sembunyikan").click()
    expect(page.get_by_role("heading", name="Sembunyikan tulisan", level=1)).to_be_visible()
    axe_check("hide confirmation")
    shot("forum-08-hide-confirm")
    page.get_by_role("button", name="Ya, sembunyikan").click()
    expect(page.get_by_text("Tulisan disembunyikan.", exact=True)).to_be_visible()
    expect(page.locator("#tulisan-2")).to_contain_text("Disembunyikan oleh moderator.")
    expect(page.locator("#tulisan-2")).to_contain_text(
        "jadwal bergilir"
    )  # moderators still read it
    axe_check("thread page (moderator, hidden post)")
    shot("forum-09-hidden-moderator")
    page.goto(base + "/komunitas/komunitas-pelayanan-publik-palembang/moderasi")
    expect(page.get_by_text("Tidak ada laporan yang menunggu.")).to_be_visible()
    expect(page.get_by_role("cell", name="menyembunyikan tulisan")).to_be_visible()
    axe_check("moderation log")
    shot("forum-10-moderation-log")
    sign_out(page)

    # 5. pegawai sees the reply hidden.
    sign_in(page, base, "pegawai")
    page.goto(thread_url)
    reply = page.locator("#tulisan-2")
    expect(reply).to_contain_text("Tulisan ini disembunyikan oleh moderator.")
    expect(reply).not_to_contain_text("jadwal bergilir")
    axe_check("thread page (member, hidden post)")
    shot("forum-11-hidden-member")
