"""Forums: threads and replies, pages of posts, following a forum or a thread with in-app and
e-mail notifications, and who may read and write a course's or a cohort's forum."""

from __future__ import annotations

from email import message_from_string, policy

from sqlalchemy import func, select, update

from lms.community.access import Place, readers_among
from lms.community.forums import services as forums
from lms.community.models import Forum, ForumPost, ForumSubscription, ForumThread
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.notifications.models import Notification
from lms.org.models import Employee
from tests.community.builders import make_community, user
from tests.community.conftest import _wait_for, signed_in


def _notes(app, username: str) -> list[str]:
    with app.app_context():
        return list(
            db.session.scalars(
                select(Notification.message)
                .where(Notification.user_id == user(username).id)
                .order_by(Notification.id)
            )
        )


def test_a_member_starts_a_thread_and_follows_it(app, world, built, no_csrf) -> None:
    client = signed_in(app, "pegawai")
    form = client.get(f"/diskusi/forum/{built.forum_id}/topik-baru")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    response = client.post(
        f"/diskusi/forum/{built.forum_id}/topik-baru",
        data={"title": "  Standar   pelayanan ", "body": "Ada contoh **maklumat**?"},
    )
    assert response.status_code == 302
    with app.app_context():
        thread = db.session.scalar(select(ForumThread).where(ForumThread.title.like("Standar%")))
        assert thread.title == "Standar pelayanan" and thread.post_count == 1
        post = db.session.scalar(select(ForumPost).where(ForumPost.thread_id == thread.id))
        assert post.body_html == "<p>Ada contoh <strong>maklumat</strong>?</p>\n"
        follows = db.session.scalar(
            select(ForumSubscription).where(ForumSubscription.thread_id == thread.id)
        )
        assert follows.user_id == user("pegawai").id
    page = client.get(response.headers["Location"])
    assert "<strong>maklumat</strong>" in page.text
    assert "Berhenti mengikuti topik" in page.text


def test_an_empty_post_is_refused_with_a_message(app, world, built, no_csrf) -> None:
    response = signed_in(app, "pegawai").post(
        f"/diskusi/topik/{built.thread_id}/balas", data={"body": "   "}
    )
    assert response.status_code == 200
    assert "Isian ini wajib diisi." in response.text


def test_a_reply_tells_the_followers_in_app_and_by_mail(
    app, world, built, no_csrf, smtp_server
) -> None:
    with app.app_context():
        db.session.get(Employee, world.employees["pegawai"].id).email = "siti@contoh.test"
        db.session.commit()
    # pegawai started the thread, so follows it; pengajar replies.
    response = signed_in(app, "pengajar").post(
        f"/diskusi/topik/{built.thread_id}/balas", data={"body": "Jadwal per kelurahan."}
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/diskusi/topik/{built.thread_id}#tulisan-3")
    assert _notes(app, "pegawai")[-1].endswith("membalas topik “Antrean loket”.")
    assert not [n for n in _notes(app, "pengajar") if "membalas" in n]  # not told of one's own
    _wait_for(smtp_server, 1)
    to, raw = smtp_server.messages[-1]
    assert to == ["siti@contoh.test"]
    mail = message_from_string(raw, policy=policy.default)
    assert "membalas topik" in mail["Subject"] and "Antrean loket" in mail["Subject"]
    assert f"/diskusi/topik/{built.thread_id}" in mail.get_content()


def test_a_forum_follower_hears_of_new_threads_and_can_stop(app, world, built, no_csrf) -> None:
    atasan = signed_in(app, "atasan")  # reads the open community without being a member
    assert (
        atasan.post(f"/diskusi/forum/{built.forum_id}/ikuti", data={"state": "on"}).status_code
        == 302
    )
    assert "Berhenti mengikuti forum" in atasan.get(f"/diskusi/forum/{built.forum_id}").text
    signed_in(app, "pegawai").post(
        f"/diskusi/forum/{built.forum_id}/topik-baru", data={"title": "SKM", "body": "Hasil SKM?"}
    )
    assert _notes(app, "atasan")[-1].startswith("Siti Aminah memulai topik “SKM” di Diskusi umum")
    atasan.post(f"/diskusi/forum/{built.forum_id}/ikuti", data={"state": "off"})
    signed_in(app, "pegawai").post(
        f"/diskusi/forum/{built.forum_id}/topik-baru", data={"title": "Lagi", "body": "Lagi"}
    )
    assert not any("Lagi" in n for n in _notes(app, "atasan"))
    # A follow button sent twice changes nothing the second time.
    client = signed_in(app, "pegawai")
    for _ in range(2):
        client.post(f"/diskusi/topik/{built.thread_id}/ikuti", data={"state": "on"})
    with app.app_context():
        assert (
            db.session.scalar(
                select(func.count(ForumSubscription.id)).where(
                    ForumSubscription.thread_id == built.thread_id
                )
            )
            == 1
        )


def test_a_follower_who_cannot_read_the_place_is_not_told(app, world, built, no_csrf) -> None:
    with app.app_context():
        community = make_community(user("pengajar"), "Komunitas Tertutup", policy="invitation")
        forum = community.forums[0]
        db.session.add(ForumSubscription(user_id=user("atasan").id, forum_id=forum.id))
        place = Place("community", community=community, forum=forum)
        assert readers_among(place, {user("atasan").id, user("pengajar").id}) == {
            user("pengajar").id
        }
        db.session.commit()


def test_pages_of_twenty_posts(app, world, built, no_csrf) -> None:
    with app.app_context():
        thread = db.session.get(ForumThread, built.thread_id)
        place = Place.of(thread.forum)
        for i in range(40):
            forums.reply(user("pegawai"), place, thread, f"Balasan nomor {i + 3}.")
        db.session.commit()
    client = signed_in(app, "atasan")
    first = client.get(f"/diskusi/topik/{built.thread_id}")
    assert "Halaman 1 dari 3" in first.text and 'id="tulisan-20"' in first.text
    assert 'id="tulisan-21"' not in first.text
    last = client.get(f"/diskusi/topik/{built.thread_id}?page=3")
    assert 'id="tulisan-41"' in last.text and 'id="tulisan-42"' in last.text
    beyond = client.get(f"/diskusi/topik/{built.thread_id}?page=999999")
    assert beyond.status_code == 200 and "Halaman 3 dari 3" in beyond.text


def test_posts_are_numbered_once_each(app, world, built) -> None:
    with app.app_context():
        thread = db.session.get(ForumThread, built.thread_id)
        place = Place.of(thread.forum)
        numbers = [forums.reply(user("pegawai"), place, thread, "x").number for _ in range(3)]
        assert numbers == [3, 4, 5] and thread.post_count == 5
        db.session.rollback()


# --- a course's and a cohort's forum -----------------------------------------------------------


def test_a_course_forum_is_for_its_learners_and_trainers(app, world, built, no_csrf) -> None:
    url = f"/diskusi/pelatihan/{built.course_key}"
    assert signed_in(app, "atasan").get(url).status_code == 403  # not enrolled
    learner = signed_in(app, "pegawai")
    page = learner.get(url)
    assert page.status_code == 200 and "Belum ada topik" in page.text
    with app.app_context():
        assert (
            db.session.scalar(select(Forum).where(Forum.kind == "course")) is None
        )  # GET wrote nothing
    learner.post(f"{url}/topik-baru", data={"title": "Tugas 1", "body": "Kapan batasnya?"})
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.kind == "course"))
        assert forum.title == "Forum Pelatihan Forum"
        thread_id = db.session.scalar(
            select(ForumThread.id).where(ForumThread.forum_id == forum.id)
        )
    trainer = signed_in(app, "pengajar")
    assert "Tugas 1" in trainer.get(url).text
    assert trainer.get(f"/diskusi/topik/{thread_id}").status_code == 200
    # Someone outside the course cannot open the thread either: like a missing one.
    assert signed_in(app, "atasan").get(f"/diskusi/topik/{thread_id}").status_code == 404
    # A learner who withdrew is out.
    with app.app_context():
        db.session.execute(update(Enrolment).values(status="withdrawn"))
        db.session.commit()
    assert learner.get(url).status_code == 403
    assert learner.get(f"/diskusi/topik/{thread_id}").status_code == 404


def test_the_course_page_links_to_its_forum(app, world, built) -> None:
    assert (
        f"/diskusi/pelatihan/{built.course_key}"
        in signed_in(app, "pegawai").get(f"/pelatihan/{built.course_key}").text
    )
    assert (
        "/diskusi/pelatihan/"
        not in signed_in(app, "atasan").get(f"/pelatihan/{built.course_key}").text
    )


def test_a_cohort_forum_is_for_its_participants_and_organiser(app, world, built, no_csrf) -> None:
    url = f"/diskusi/angkatan/{built.cohort_key}"
    assert signed_in(app, "pegawai").get(url).status_code == 200
    assert signed_in(app, "bkpsdm").get(url).status_code == 200  # BKPSDM organises it
    assert signed_in(app, "atasan").get(url).status_code == 403
    assert signed_in(app, "pengajar").get(url).status_code == 403
    assert signed_in(app, "mitra").get(url).status_code == 403
    signed_in(app, "pegawai").post(f"{url}/ikuti", data={"state": "on"})
    with app.app_context():
        forum = db.session.scalar(select(Forum).where(Forum.kind == "cohort"))
        assert forum is not None and forum.title == "Program Forum · Angkatan I"
        # A partner institution organising the cohort: its staff are in.
        cohort = db.session.get(Cohort, forum.cohort_id)
        cohort.organiser_partner_id = user("mitra").partner_id
        db.session.execute(update(CohortMember).values(status="withdrawn"))
        db.session.commit()
    assert signed_in(app, "mitra").get(url).status_code == 200
    assert signed_in(app, "pegawai").get(url).status_code == 403


def test_the_dashboard_shows_the_latest_discussions(app, world, built) -> None:
    page = signed_in(app, "pegawai").get("/dasbor")
    assert "Diskusi terbaru" in page.text and "Antrean loket" in page.text
    assert "Diskusi terbaru" not in signed_in(app, "atasan").get("/dasbor").text
