"""Demo: one cross-OPD community of practice, "Komunitas Pelayanan Publik Palembang", owned by the
demo trainer (``pengajar``), moderated also by a named employee of DPMPTSP, with members from
BKPSDM (``pegawai``, ``atasan``), Disdukcapil, DPMPTSP, a puskesmas of Dinas Kesehatan and a
kecamatan; two forums and a few threads with replies. Idempotent: a second load finds the
community and changes nothing.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from lms.auth.models import User
from lms.community import services
from lms.community.access import Place
from lms.community.forums import services as forums
from lms.community.models import Community, CommunityMember, ForumPost, ForumThread
from lms.db import utcnow
from lms.extensions import db
from lms.org.models import Employee, Unit

NAME = "Komunitas Pelayanan Publik Palembang"
DESCRIPTION = (
    "Ruang belajar bersama para pegawai yang melayani masyarakat langsung: loket perizinan, "
    "administrasi kependudukan, puskesmas, kecamatan. Kita berbagi **praktik baik**, bertanya "
    "kepada rekan dari OPD lain, dan membahas standar pelayanan, maklumat, serta survei "
    "kepuasan masyarakat (SKM)."
)

#: (title, forum index, author key, body, [(author key, reply)], pinned)
THREADS = (
    (
        "Selamat datang: perkenalkan diri dan layanan Anda",
        0,
        "pengajar",
        "Selamat datang di komunitas ini. Silakan perkenalkan diri: **nama, OPD, dan layanan** "
        "yang Anda tangani sehari-hari. Aturan sederhana:\n\n"
        "1. Saling menghormati.\n2. Jangan menulis data pribadi warga.\n"
        "3. Bagikan dokumen yang boleh dibagikan saja.",
        [
            (
                "puskesmas",
                "Saya dari UPT Puskesmas, bagian pendaftaran pasien. Senang bisa belajar "
                "dari OPD lain.",
            ),
            ("dukcapil", "Saya di Disdukcapil, bidang pendaftaran penduduk. Salam kenal!"),
            ("pegawai", "Saya di BKPSDM, melayani konsultasi kepegawaian. Salam kenal semua."),
        ],
        True,
    ),
    (
        "Antrean layanan: cara mengurangi waktu tunggu",
        0,
        "dukcapil",
        "Antrean perekaman KTP-el di tempat kami bisa sampai dua jam pada hari Senin. Apa yang "
        "sudah dicoba di OPD lain? Kami sedang menimbang **antrean daring** dan jadwal per "
        "kelurahan.",
        [
            (
                "dpmptsp",
                "Di Mal Pelayanan Publik kami memakai nomor antrean daring dan membagi loket "
                "untuk berkas yang sudah lengkap. Waktu tunggu rata-rata turun dari 70 menjadi "
                "25 menit.",
            ),
            (
                "puskesmas",
                "Di puskesmas kami, pendaftaran lewat WhatsApp sehari sebelumnya cukup membantu "
                "untuk pasien kontrol rutin.",
            ),
            (
                "pengajar",
                "Catatan yang bagus. Coba ukur waktu tunggu sebelum dan sesudah perubahan, lalu "
                "tuliskan hasilnya di forum *Berbagi praktik baik*.",
            ),
        ],
        False,
    ),
    (
        "Survei kepuasan masyarakat (SKM): bagaimana mengolah hasilnya?",
        1,
        "kecamatan",
        "Kami punya hasil SKM semester lalu, tetapi belum tahu cara membacanya per unsur "
        "pelayanan. Adakah contoh tindak lanjut yang bisa dibagikan?",
        [
            (
                "dpmptsp",
                "Kami menyusun rencana tindak lanjut untuk tiga unsur dengan nilai terendah, "
                "lalu mengumumkannya di papan informasi kantor.",
            ),
        ],
        False,
    ),
)


def _account_in(unit_code: str, exclude: set[int]) -> User | None:
    """The first active account of an employee in ``unit_code``'s subtree (by NIP)."""
    unit = db.session.scalar(select(Unit).where(Unit.code == unit_code))
    if unit is None:
        return None
    return db.session.scalar(
        select(User)
        .join(Employee, Employee.id == User.employee_id)
        .join(Unit, Unit.id == Employee.unit_id)
        .where(
            Unit.path.startswith(unit.path),
            User.active.is_(True),
            Employee.is_active.is_(True),
            User.id.not_in(exclude or {0}),
        )
        .order_by(Employee.nip)
        .limit(1)
    )


def _people() -> dict[str, User] | None:
    named = {
        u.username: u
        for u in db.session.scalars(
            select(User).where(User.username.in_(("pengajar", "pegawai", "atasan", "bkpsdm")))
        )
    }
    if not {"pengajar", "pegawai", "bkpsdm"} <= set(named):
        return None
    taken = {u.id for u in named.values()}
    for key, unit in (
        ("dukcapil", "DISDUKCAPIL"),
        ("dpmptsp", "DPMPTSP"),
        ("kecamatan", "KEC-IT1"),
        ("puskesmas", "DINKES-PKM-DEMPO"),
    ):
        found = _account_in(unit, taken)
        if found is None:
            return None
        named[key] = found
        taken.add(found.id)
    return named


def load_demo_community() -> bool:
    """Create the demo community with its threads; True if it was created now."""
    if db.session.scalar(select(Community.id).where(Community.name == NAME)) is not None:
        return False
    people = _people()
    if people is None:
        return False
    bkpsdm = people["bkpsdm"]
    community = services.create_community(
        bkpsdm,
        {"name": NAME, "description": DESCRIPTION, "join_policy": "open"},
        owner=people["pengajar"],
    )
    services.add_forum(
        bkpsdm, community, "Berbagi praktik baik", "Inovasi pelayanan yang sudah berjalan."
    )
    for key in ("pegawai", "atasan", "dukcapil", "dpmptsp", "kecamatan", "puskesmas"):
        if key in people:
            services.join(people[key], community)
    member = db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id,
            CommunityMember.user_id == people["dpmptsp"].id,
        )
    )
    services.set_role(bkpsdm, member, "moderator")  # a named employee moderates beside the owner
    forums_ = community.forums
    start = utcnow() - timedelta(days=6)
    for i, (title, forum_index, author, body, replies, pinned) in enumerate(THREADS):
        place = Place("community", community=community, forum=forums_[forum_index])
        thread = forums.start_thread(people[author], place, title, body)
        thread.pinned = pinned
        for who, text in replies:
            forums.reply(people[who], place, thread, text)
        _spread(thread, start + timedelta(days=2 * i))
    db.session.flush()
    return True


def _spread(thread: ForumThread, first) -> None:
    """Demo dates: the thread a few days ago, each reply some hours after the one before."""
    posts = db.session.scalars(
        select(ForumPost).where(ForumPost.thread_id == thread.id).order_by(ForumPost.number)
    ).all()
    moment = first
    for post in posts:
        post.created_at = moment
        moment += timedelta(hours=5)
    thread.created_at = first
    thread.last_post_at = posts[-1].created_at
