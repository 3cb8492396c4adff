"""Communities: starting one, joining and leaving, invitations, moderators named by the owner or
BKPSDM, removing members, forums; each change of who moderates audited."""

from __future__ import annotations

from sqlalchemy import select

from lms.auth.models import AuditLog
from lms.community import services
from lms.community.models import Community, CommunityMember, Forum, ForumSubscription
from lms.extensions import db
from lms.notifications.models import Notification
from tests.community.builders import make_community, user
from tests.community.conftest import signed_in
from tests.conftest import csrf_token


def _member(app, slug: str, username: str) -> CommunityMember | None:
    with app.app_context():
        return db.session.scalar(
            select(CommunityMember)
            .join(Community)
            .where(Community.slug == slug, CommunityMember.user_id == user(username).id)
        )


def test_a_trainer_starts_a_community_and_owns_and_moderates_it(app, world) -> None:
    client = signed_in(app, "pengajar")
    token = csrf_token(client, "/komunitas/baru")
    response = client.post(
        "/komunitas/baru",
        data={
            "csrf_token": token,
            "name": "  Komunitas   Pengadaan Barang/Jasa ",
            "description": "Untuk **PPK** dan pokja.",
            "join_policy": "invitation",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/komunitas/komunitas-pengadaan-barang-jasa")
    with app.app_context():
        community = db.session.scalar(select(Community))
        assert community.name == "Komunitas Pengadaan Barang/Jasa"
        assert "<strong>PPK</strong>" in community.description_html
        assert community.owner_id == user("pengajar").id
        assert [f.title for f in community.forums] == ["Diskusi umum"]
        owner = db.session.scalar(select(CommunityMember))
        assert (owner.role, owner.status) == ("moderator", "active")
    page = client.get("/komunitas/komunitas-pengadaan-barang-jasa")
    assert "Moderasi" in page.text and "Ubah komunitas" in page.text


def test_a_taken_name_is_refused_on_the_name_field(app, world, no_csrf) -> None:
    with app.app_context():
        make_community(user("pengajar"), "Komunitas Data")
        db.session.commit()
    response = signed_in(app, "bkpsdm").post(
        "/komunitas/baru", data={"name": "komunitas data", "join_policy": "open"}
    )
    assert response.status_code == 200
    assert "Nama komunitas komunitas data sudah dipakai." in response.text


def test_an_employee_may_not_start_a_community(app, world, no_csrf) -> None:
    response = signed_in(app, "pegawai").post("/komunitas/baru", data={"name": "X"})
    assert response.status_code == 403


def test_join_and_leave_an_open_community(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    client = signed_in(app, "atasan")
    assert "Gabung komunitas" in client.get(f"/komunitas/{slug}").text
    assert client.post(f"/komunitas/{slug}/gabung").status_code == 302
    assert _member(app, slug, "atasan").status == "active"
    # Leaving asks first, then goes, with the member's subscriptions in the community.
    with app.app_context():
        forum = db.session.scalar(select(Forum))
        db.session.add(ForumSubscription(user_id=user("atasan").id, forum_id=forum.id))
        db.session.commit()
    asked = client.post(f"/komunitas/{slug}/keluar")
    assert asked.status_code == 200 and "Keluar dari Komunitas Uji Pelayanan?" in asked.text
    assert _member(app, slug, "atasan") is not None
    assert client.post(f"/komunitas/{slug}/keluar", data={"confirm": "1"}).status_code == 302
    assert _member(app, slug, "atasan") is None
    with app.app_context():
        assert db.session.scalar(select(ForumSubscription)) is None


def test_the_owner_cannot_leave(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    client = signed_in(app, "pengajar")
    response = client.post(
        f"/komunitas/{slug}/keluar", data={"confirm": "1"}, follow_redirects=True
    )
    assert "Pemilik komunitas tidak dapat keluar" in response.text
    assert _member(app, slug, "pengajar") is not None


def test_an_invitation_only_community_needs_an_invitation(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar"), policy="invitation").slug
        db.session.commit()
    atasan = signed_in(app, "atasan")
    refused = atasan.post(f"/komunitas/{slug}/gabung", follow_redirects=True)
    assert "hanya untuk yang diundang" in refused.text
    assert _member(app, slug, "atasan") is None
    # Its forum is for members only; its name and description are not secret.
    assert atasan.get(f"/komunitas/{slug}").status_code == 200
    with app.app_context():
        forum_id = db.session.scalar(select(Forum.id))
    assert atasan.get(f"/diskusi/forum/{forum_id}").status_code == 403
    # The owner invites by NIP; the invitee is told, accepts, and reads the forum.
    owner = signed_in(app, "pengajar")
    nip = world.employees["atasan"].nip
    spaced = f"{nip[:8]} {nip[8:14]} {nip[14]} {nip[15:]}"
    assert (
        owner.post(f"/komunitas/{slug}/anggota/undang", data={"identifier": spaced}).status_code
        == 302
    )
    assert _member(app, slug, "atasan").status == "invited"
    with app.app_context():
        told = db.session.scalar(
            select(Notification).where(Notification.user_id == user("atasan").id)
        )
        assert "mengundang Anda bergabung ke Komunitas Uji Pelayanan" in told.message
    assert "Terima undangan" in atasan.get(f"/komunitas/{slug}").text
    atasan.post(f"/komunitas/{slug}/gabung")
    assert _member(app, slug, "atasan").status == "active"
    assert atasan.get(f"/diskusi/forum/{forum_id}").status_code == 200


def test_an_unknown_invitee_is_named_in_the_message(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    response = signed_in(app, "pengajar").post(
        f"/komunitas/{slug}/anggota/undang", data={"identifier": "tidak.ada"}
    )
    assert response.status_code == 200
    assert "Akun tidak.ada tidak ditemukan atau tidak aktif." in response.text


def test_the_owner_names_a_member_moderator_and_it_is_audited(app, world, no_csrf) -> None:
    with app.app_context():
        community = make_community(user("pengajar"))
        member = services.join(user("pegawai"), community)
        db.session.commit()
        slug, member_id = community.slug, member.id
    # A plain member may not name moderators.
    assert (
        signed_in(app, "pegawai")
        .post(f"/komunitas/{slug}/anggota/{member_id}/peran", data={"role": "moderator"})
        .status_code
        == 403
    )
    owner = signed_in(app, "pengajar")
    owner.post(f"/komunitas/{slug}/anggota/{member_id}/peran", data={"role": "moderator"})
    assert _member(app, slug, "pegawai").role == "moderator"
    with app.app_context():
        row = db.session.scalar(select(AuditLog).where(AuditLog.summary == "moderator named"))
        assert row.object_type == "Community" and row.actor_id == user("pengajar").id
        assert row.after["member"] == "Siti Aminah"
    log = owner.get(f"/komunitas/{slug}/moderasi")
    assert "menunjuk moderator" in log.text and "Siti Aminah" in log.text
    # The new moderator may now moderate, and BKPSDM may name the owner anew.
    assert signed_in(app, "pegawai").get(f"/komunitas/{slug}/moderasi").status_code == 200


def test_bkpsdm_names_another_owner(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    client = signed_in(app, "bkpsdm")
    response = client.post(
        f"/komunitas/{slug}/ubah",
        data={"name": "Komunitas Uji Pelayanan", "join_policy": "open", "owner": "pegawai"},
    )
    assert response.status_code == 302
    with app.app_context():
        community = db.session.scalar(select(Community))
        assert community.owner_id == user("pegawai").id
    assert _member(app, slug, "pegawai").role == "moderator"
    # The owner field is BKPSDM's: an owner's own edit ignores it.
    signed_in(app, "pegawai").post(
        f"/komunitas/{slug}/ubah",
        data={"name": "Komunitas Uji Pelayanan", "join_policy": "open", "owner": "atasan"},
    )
    with app.app_context():
        assert db.session.scalar(select(Community.owner_id)) == user("pegawai").id


def test_removing_a_member_asks_first_and_is_audited(app, world, no_csrf) -> None:
    with app.app_context():
        community = make_community(user("pengajar"))
        member = services.join(user("pegawai"), community)
        db.session.commit()
        slug, member_id = community.slug, member.id
    owner = signed_in(app, "pengajar")
    asked = owner.post(f"/komunitas/{slug}/anggota/{member_id}/keluarkan")
    assert "Keluarkan Siti Aminah dari Komunitas Uji Pelayanan?" in asked.text
    assert _member(app, slug, "pegawai") is not None
    owner.post(f"/komunitas/{slug}/anggota/{member_id}/keluarkan", data={"confirm": "1"})
    assert _member(app, slug, "pegawai") is None
    with app.app_context():
        assert db.session.scalar(select(AuditLog.summary).where(AuditLog.action == "delete")) == (
            "member removed"
        )


def test_a_moderator_adds_a_forum(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    client = signed_in(app, "pengajar")
    response = client.post(f"/komunitas/{slug}/forum", data={"title": "Berbagi praktik baik"})
    assert response.status_code == 302
    again = client.post(
        f"/komunitas/{slug}/forum", data={"title": "berbagi praktik baik"}, follow_redirects=True
    )
    assert "Forum berbagi praktik baik sudah ada di komunitas ini." in again.text
    with app.app_context():
        assert [f.title for f in db.session.scalars(select(Forum).order_by(Forum.position))] == [
            "Diskusi umum",
            "Berbagi praktik baik",
        ]


def test_the_list_shows_members_and_my_communities(app, world, no_csrf) -> None:
    with app.app_context():
        make_community(user("pengajar"), "Komunitas A")
        make_community(user("pengajar"), "Komunitas B")
        db.session.commit()
    client = signed_in(app, "pegawai")
    page = client.get("/komunitas")
    assert "Komunitas A" in page.text and "Komunitas B" in page.text
    assert "1 anggota" in page.text
    assert "Anda belum bergabung" in client.get("/komunitas?saya=1").text


def test_forms_need_their_csrf_token(app, world) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    client = signed_in(app, "atasan")
    assert client.post(f"/komunitas/{slug}/gabung").status_code == 400
    assert _member(app, slug, "atasan") is None


def test_the_owner_names_an_employee_moderator_directly_by_nip(app, world, no_csrf) -> None:
    with app.app_context():
        slug = make_community(user("pengajar")).slug
        db.session.commit()
    nip = world.employees["atasan"].nip
    owner = signed_in(app, "pengajar")
    assert "Langsung tunjuk sebagai moderator" in owner.get(f"/komunitas/{slug}/anggota").text
    response = owner.post(
        f"/komunitas/{slug}/anggota/undang", data={"identifier": nip, "as_moderator": "y"}
    )
    assert response.status_code == 302
    member = _member(app, slug, "atasan")
    assert (member.status, member.role) == ("active", "moderator")
    with app.app_context():
        assert (
            db.session.scalar(select(AuditLog.after).where(AuditLog.summary == "moderator named"))[
                "member"
            ]
            == "Rahmat Hidayat"
        )
    again = owner.post(
        f"/komunitas/{slug}/anggota/undang", data={"identifier": nip, "as_moderator": "y"}
    )
    assert "Rahmat Hidayat sudah menjadi moderator." in again.text
    # A moderator who is not the owner may only invite: the box is the owner's and BKPSDM's.
    signed_in(app, "atasan").post(
        f"/komunitas/{slug}/anggota/undang", data={"identifier": "pegawai", "as_moderator": "y"}
    )
    assert _member(app, slug, "pegawai").status == "invited"
