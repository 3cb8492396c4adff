"""Builders for community and forum tests (run inside an app context, after ``build_world``).

``build_forums(world)`` makes: an open community owned by `pengajar` with `pegawai` as member
(two forums), a course taught by `pengajar` that `pegawai` learns, a cohort `pegawai` takes part
in (organised by BKPSDM), and in the community's first forum a thread by `pegawai` with a reply
by `pengajar`, a PDF attached to the reply, and `pegawai`'s report of that reply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lms.auth.models import User
from lms.community import services
from lms.community.access import Place
from lms.community.forums import files
from lms.community.forums import services as forums
from lms.community.forums.moderation import services as moderation
from lms.community.models import Community, CommunityMember, ForumPost
from lms.enrolments import services as enrolments
from lms.enrolments.cohorts.models import Cohort, CohortMember, Programme, ProgrammeCourse
from lms.extensions import db
from lms.indonesian import local_today
from tests.factories import make_course

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@dataclass(frozen=True)
class Built:
    community_slug: str
    community_id: int
    forum_id: int
    second_forum_id: int
    thread_id: int
    post_id: int  # pengajar's reply
    first_post_id: int  # pegawai's opening post
    report_id: int
    attachment_id: int
    member_id: int  # pegawai's membership
    course_key: str
    cohort_key: str


def user(username: str) -> User:
    return db.session.scalar(db.select(User).where(User.username == username))


def make_community(
    owner: User, name: str = "Komunitas Uji Pelayanan", policy: str = "open", actor=None
) -> Community:
    return services.create_community(
        actor or owner,
        {"name": name, "description": "Belajar **bersama**.", "join_policy": policy},
        owner=owner,
    )


def make_cohort(code: str = "FORUM-ANG-I") -> Cohort:
    course = make_course(f"{code}-C", title="Pelatihan dalam Angkatan")
    programme = Programme(code=f"{code}-P", title="Program Forum")
    programme.courses = [ProgrammeCourse(course_id=course.id, position=0)]
    db.session.add(programme)
    today = local_today()
    cohort = Cohort(
        programme=programme,
        code=code,
        name="Angkatan I",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=60),
        quota=10,
    )
    db.session.add(cohort)
    db.session.flush()
    return cohort


def build_forums(world) -> Built:
    pengajar, pegawai = user("pengajar"), user("pegawai")
    community = make_community(pengajar)
    services.join(pegawai, community)
    second = services.add_forum(pengajar, community, "Berbagi praktik baik")
    first = community.forums[0]
    place = Place("community", community=community, forum=first)
    thread = forums.start_thread(pegawai, place, "Antrean loket", "Bagaimana mengurangi antrean?")
    pdf = files.check("panduan.pdf", PDF)
    reply = forums.reply(pengajar, place, thread, "Coba antrean daring.", [pdf])
    report = moderation.report(pegawai, place, reply, "Kurang sopan")
    course = make_course("FORUM-101", title="Pelatihan Forum", trainer=pengajar)
    enrolments.enrol_self(pegawai, course)
    cohort = make_cohort()
    db.session.add(
        CohortMember(cohort_id=cohort.id, employee_id=pegawai.employee_id, status="active")
    )
    member = db.session.scalar(
        db.select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == pegawai.id
        )
    )
    db.session.flush()
    return Built(
        community_slug=community.slug,
        community_id=community.id,
        forum_id=first.id,
        second_forum_id=second.id,
        thread_id=thread.id,
        post_id=reply.id,
        first_post_id=thread_first_post(thread.id),
        report_id=report.id,
        attachment_id=reply.attachments[0].id,
        member_id=member.id,
        course_key=course.code,
        cohort_key=cohort.code,
    )


def thread_first_post(thread_id: int) -> int:
    return db.session.scalar(
        db.select(ForumPost.id).where(ForumPost.thread_id == thread_id, ForumPost.number == 1)
    )
