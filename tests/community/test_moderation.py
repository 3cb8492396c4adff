"""Moderation: pin, lock, move within a community, hide and unhide a post, a reader's report and
the moderators' queue; every action in the audit log and on the moderation page."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import AuditLog
from lms.community.models import ForumPost, ForumReport, ForumThread
from lms.extensions import db
from lms.notifications.models import Notification
from tests.community.builders import make_community, user
from tests.community.conftest import signed_in

HIDDEN_TEXT = "Tulisan ini disembunyikan oleh moderator."


def _audited(app) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(AuditLog.summary)
                .where(AuditLog.object_type == "Forum")
                .order_by(AuditLog.id)
            )
        )


def test_pin_and_lock_are_for_moderators_and_audited(app, world, built, no_csrf) -> None:
    member = signed_in(app, "pegawai")
    assert (
        member.post(f"/diskusi/topik/{built.thread_id}/kunci", data={"state": "on"}).status_code
        == 403
    )
    moderator = signed_in(app, "pengajar")
    moderator.post(f"/diskusi/topik/{built.thread_id}/sematkan", data={"state": "on"})
    moderator.post(f"/diskusi/topik/{built.thread_id}/kunci", data={"state": "on"})
    moderator.post(f"/diskusi/topik/{built.thread_id}/kunci", data={"state": "on"})  # again: no-op
    with app.app_context():
        thread = db.session.get(ForumThread, built.thread_id)
        assert thread.pinned and thread.locked
    assert _audited(app)[-2:] == ["pin", "lock"]
    # A locked thread takes no reply from a member, but one from a moderator.
    refused = member.post(f"/diskusi/topik/{built.thread_id}/balas", data={"body": "Halo"})
    assert "Topik ini dikunci moderator" in refused.text
    assert "Topik ini dikunci moderator" in member.get(f"/diskusi/topik/{built.thread_id}").text
    assert (
        moderator.post(
            f"/diskusi/topik/{built.thread_id}/balas", data={"body": "Ditutup."}
        ).status_code
        == 302
    )
    # The forum lists it pinned and locked.
    listing = member.get(f"/diskusi/forum/{built.forum_id}").text
    assert "disematkan" in listing and "dikunci" in listing


def test_a_wrong_switch_value_is_a_bad_request(app, world, built, no_csrf) -> None:
    client = signed_in(app, "pengajar")
    assert (
        client.post(f"/diskusi/topik/{built.thread_id}/kunci", data={"state": "x"}).status_code
        == 400
    )


def test_move_within_the_community_only_after_confirming(app, world, built, no_csrf) -> None:
    moderator = signed_in(app, "pengajar")
    url = f"/diskusi/topik/{built.thread_id}/pindah"
    asked = moderator.post(url, data={"target": built.second_forum_id})
    assert "Pindahkan topik “Antrean loket” ke forum Berbagi praktik baik?" in asked.text
    with app.app_context():
        assert db.session.get(ForumThread, built.thread_id).forum_id == built.forum_id
    moderator.post(url, data={"target": built.second_forum_id, "confirm": "1"})
    with app.app_context():
        assert db.session.get(ForumThread, built.thread_id).forum_id == built.second_forum_id
    assert _audited(app)[-2:] == ["move", "move_in"]
    # Another community's forum is not a choice.
    with app.app_context():
        other = make_community(user("pengajar"), "Komunitas Lain").forums[0].id
        db.session.commit()
    refused = moderator.post(url, data={"target": other, "confirm": "1"}, follow_redirects=True)
    assert "Pilih forum tujuan dalam komunitas yang sama." in refused.text
    with app.app_context():
        assert db.session.get(ForumThread, built.thread_id).forum_id == built.second_forum_id


def test_a_hidden_post_shows_as_hidden_to_others(app, world, built, no_csrf) -> None:
    moderator = signed_in(app, "pengajar")
    url = f"/diskusi/tulisan/{built.first_post_id}/sembunyikan"
    assert "Tulis alasan" in moderator.post(url, data={"reason": " "}, follow_redirects=True).text
    asked = moderator.post(url, data={"reason": "Data pribadi warga"})
    assert "Sembunyikan tulisan Siti Aminah?" in asked.text and "Data pribadi warga" in asked.text
    moderator.post(url, data={"reason": "Data pribadi warga", "confirm": "1"})
    with app.app_context():
        post = db.session.get(ForumPost, built.first_post_id)
        assert post.hidden_at is not None and post.hidden_reason == "Data pribadi warga"
        assert db.session.get(ForumThread, built.thread_id).hidden  # its opening post
        told = db.session.scalar(
            select(Notification.message)
            .where(Notification.user_id == user("pegawai").id)
            .order_by(Notification.id.desc())
        )
        assert "disembunyikan oleh moderator. Alasan: Data pribadi warga" in told
    other = signed_in(app, "atasan").get(f"/diskusi/topik/{built.thread_id}").text
    assert HIDDEN_TEXT in other and "Bagaimana mengurangi antrean?" not in other
    assert "Topik disembunyikan oleh moderator" in other
    # The author still reads it, with the reason; the moderator too, with a way back.
    author = signed_in(app, "pegawai").get(f"/diskusi/topik/{built.thread_id}").text
    assert "Bagaimana mengurangi antrean?" in author and "Alasan: Data pribadi warga" in author
    mod_page = moderator.get(f"/diskusi/topik/{built.thread_id}").text
    assert "Bagaimana mengurangi antrean?" in mod_page and "Tampilkan kembali" in mod_page
    # Hidden from the forum list for readers, shown to moderators.
    assert (
        "Antrean loket" not in signed_in(app, "atasan").get(f"/diskusi/forum/{built.forum_id}").text
    )
    moderator.post(f"/diskusi/tulisan/{built.first_post_id}/tampilkan")
    assert HIDDEN_TEXT not in signed_in(app, "atasan").get(f"/diskusi/topik/{built.thread_id}").text
    assert _audited(app)[-2:] == ["hide", "unhide"]
    log = moderator.get(f"/komunitas/{built.community_slug}/moderasi").text
    assert "menyembunyikan tulisan" in log and "menampilkan kembali tulisan" in log
    assert "Data pribadi warga" in log


def test_the_file_of_a_hidden_post_is_not_served_to_others(app, world, built, no_csrf) -> None:
    url = f"/diskusi/lampiran/{built.attachment_id}"
    reader = signed_in(app, "atasan")
    served = reader.get(url)
    assert served.status_code == 200 and served.data.startswith(b"%PDF-")
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    signed_in(app, "bkpsdm").post(
        f"/diskusi/tulisan/{built.post_id}/sembunyikan",
        data={"reason": "Salah unggah", "confirm": "1"},
    )
    assert reader.get(url).status_code == 404
    assert signed_in(app, "pengajar").get(url).status_code == 200  # its author (and a moderator)


def test_a_report_reaches_the_queue_and_is_handled(app, world, built, no_csrf) -> None:
    # build_forums: pegawai reported pengajar's reply; pengajar (the owner) was told.
    with app.app_context():
        told = db.session.scalars(
            select(Notification.message).where(Notification.user_id == user("pengajar").id)
        ).all()
        assert any("Ada laporan baru" in m for m in told)
    reader = signed_in(app, "atasan")
    assert reader.get(f"/diskusi/tulisan/{built.post_id}/laporkan").status_code == 200
    assert (
        "Alasan"
        in reader.post(f"/diskusi/tulisan/{built.post_id}/laporkan", data={"reason": ""}).text
    )
    reader.post(f"/diskusi/tulisan/{built.post_id}/laporkan", data={"reason": "Iklan"})
    again = reader.post(
        f"/diskusi/tulisan/{built.post_id}/laporkan",
        data={"reason": "Iklan"},
        follow_redirects=True,
    )
    assert "Anda sudah melaporkan tulisan ini" in again.text
    own = signed_in(app, "pengajar").post(
        f"/diskusi/tulisan/{built.post_id}/laporkan", data={"reason": "x"}, follow_redirects=True
    )
    assert "Anda tidak dapat melaporkan tulisan Anda sendiri." in own.text
    moderator = signed_in(app, "pengajar")
    queue = moderator.get(f"/komunitas/{built.community_slug}/moderasi").text
    assert "2 laporan:" in queue and "Kurang sopan" in queue and "Iklan" in queue
    # Members cannot see the queue nor handle a report (404: a report is no business of theirs).
    assert (
        signed_in(app, "pegawai").get(f"/komunitas/{built.community_slug}/moderasi").status_code
        == 403
    )
    handle = f"/diskusi/laporan/{built.report_id}/tangani"
    assert signed_in(app, "pegawai").post(handle, data={"action": "dismiss"}).status_code == 404
    moderator.post(handle, data={"action": "dismiss"})
    with app.app_context():
        assert set(db.session.scalars(select(ForumReport.status))) == {"dismissed"}
        assert db.session.get(ForumPost, built.post_id).hidden_at is None
    assert (
        "Tidak ada laporan yang menunggu."
        in moderator.get(f"/komunitas/{built.community_slug}/moderasi").text
    )
    assert _audited(app)[-1] == "dismiss"
    # Reported again, then hidden from the queue: the reports are upheld.
    reader.post(f"/diskusi/tulisan/{built.post_id}/laporkan", data={"reason": "Masih iklan"})
    with app.app_context():
        reopened = db.session.scalar(select(ForumReport).where(ForumReport.status == "open"))
    moderator.post(f"/diskusi/laporan/{reopened.id}/tangani", data={"action": "hide", "reason": ""})
    with app.app_context():
        post = db.session.get(ForumPost, built.post_id)
        assert post.hidden_at is not None and post.hidden_reason == "Masih iklan"
        assert reopened.id in set(
            db.session.scalars(select(ForumReport.id).where(ForumReport.status == "upheld"))
        )


def test_a_hidden_post_cannot_be_reported_or_read_through_the_report_page(
    app, world, built, no_csrf
) -> None:
    signed_in(app, "pengajar").post(
        f"/diskusi/tulisan/{built.first_post_id}/sembunyikan", data={"reason": "x", "confirm": "1"}
    )
    page = signed_in(app, "atasan").get(
        f"/diskusi/tulisan/{built.first_post_id}/laporkan", follow_redirects=True
    )
    assert "Bagaimana mengurangi antrean?" not in page.text
    assert "sudah disembunyikan oleh moderator" in page.text


def test_a_course_forum_is_moderated_by_its_trainer(app, world, built, no_csrf) -> None:
    learner = signed_in(app, "pegawai")
    learner.post(
        f"/diskusi/pelatihan/{built.course_key}/topik-baru", data={"title": "T", "body": "B"}
    )
    with app.app_context():
        thread = db.session.scalar(select(ForumThread).where(ForumThread.title == "T"))
        forum_id, thread_id = thread.forum_id, thread.id
    assert learner.get(f"/diskusi/forum/{forum_id}/moderasi").status_code == 403
    trainer = signed_in(app, "pengajar")
    assert trainer.get(f"/diskusi/forum/{forum_id}/moderasi").status_code == 200
    assert (
        trainer.post(f"/diskusi/topik/{thread_id}/sematkan", data={"state": "on"}).status_code
        == 302
    )
    # A course's forum has no other forum to move to.
    moved = trainer.post(
        f"/diskusi/topik/{thread_id}/pindah",
        data={"target": built.second_forum_id},
        follow_redirects=True,
    )
    assert "Pilih forum tujuan dalam komunitas yang sama." in moved.text
