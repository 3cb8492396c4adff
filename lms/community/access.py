"""Who may read, write and moderate where: the object checks next to the capability table.

Every forum page first needs ``Capability.DISCUSS`` (``@require``); then the place decides:

- a community's forum: readable by anyone who discusses when the community is open, by its
  members only when it is by invitation; members write; the owner, the moderators and BKPSDM
  (``MANAGE_COMMUNITIES``) moderate;
- a course's forum: the course's learners (enrolment active or completed) and its staff (its
  trainers, its partner's staff, BKPSDM: ``courses.services.can_author``); staff moderate;
- a cohort's forum: the cohort's participants (active or completed) and the organiser's staff
  (BKPSDM's cohort managers; a partner institution's staff for a cohort it organises); staff
  moderate.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from lms.auth.models import User, UserRole
from lms.community.models import Community, CommunityMember, Forum
from lms.courses.models import Course, CourseTrainer
from lms.courses.services import can_author
from lms.enrolments.cohorts.models import Cohort, CohortMember
from lms.enrolments.models import Enrolment
from lms.extensions import db
from lms.permissions import Capability, Role, can, partner_scope

C = Capability
#: Enrolment and cohort states that make someone a participant of the place.
TAKING_PART = ("active", "completed")


@dataclass(frozen=True)
class Standing:
    read: bool = False
    post: bool = False
    moderate: bool = False


NOTHING = Standing()
EVERYTHING = Standing(True, True, True)


@dataclass
class Place:
    """Where a forum is, whether or not its row exists yet (a course's or a cohort's forum is
    written when someone first starts a thread or subscribes)."""

    kind: str
    community: Community | None = None
    course: Course | None = None
    cohort: Cohort | None = None
    forum: Forum | None = None

    @classmethod
    def of(cls, forum: Forum) -> Place:
        return cls(forum.kind, forum.community, forum.course, forum.cohort, forum)

    @property
    def subject_id(self) -> int:
        subject = self.community or self.course or self.cohort
        assert subject is not None
        return subject.id


def membership(user: User, community: Community) -> CommunityMember | None:
    return db.session.scalar(
        select(CommunityMember).where(
            CommunityMember.community_id == community.id, CommunityMember.user_id == user.id
        )
    )


def community_standing(
    user: User, community: Community, member: CommunityMember | None
) -> Standing:
    if not can(user, C.DISCUSS):
        return NOTHING
    active = member is not None and member.status == "active"
    moderator = (
        can(user, C.MANAGE_COMMUNITIES)
        or community.owner_id == user.id
        or (active and member is not None and member.role == "moderator")
    )
    if moderator:
        return EVERYTHING
    return Standing(read=active or community.join_policy == "open", post=active)


def may_manage_members(user: User, community: Community) -> bool:
    """Name moderators, change the owner's details: the owner and BKPSDM."""
    return can(user, C.MANAGE_COMMUNITIES) or (
        community.owner_id is not None and community.owner_id == user.id
    )


def course_staff(user: User, course: Course) -> bool:
    """Moderates the course's forum: its trainers, its partner's staff, BKPSDM."""
    return can(user, C.DISCUSS) and (can(user, C.MANAGE_COMMUNITIES) or can_author(user, course))


def course_standing(user: User, course: Course) -> Standing:
    if not can(user, C.DISCUSS):
        return NOTHING
    if course_staff(user, course):
        return EVERYTHING
    if user.employee_id is None:
        return NOTHING
    enrolled = db.session.scalar(
        select(Enrolment.id).where(
            Enrolment.course_id == course.id,
            Enrolment.employee_id == user.employee_id,
            Enrolment.status.in_(TAKING_PART),
        )
    )
    return Standing(True, True, False) if enrolled is not None else NOTHING


def cohort_staff(user: User, cohort: Cohort) -> bool:
    """The organiser's staff: BKPSDM's cohort managers, or the organising partner's staff."""
    if can(user, C.MANAGE_COHORTS):
        return True
    partner = partner_scope(user)
    return partner is not None and partner == cohort.organiser_partner_id


def cohort_standing(user: User, cohort: Cohort) -> Standing:
    if not can(user, C.DISCUSS):
        return NOTHING
    if can(user, C.MANAGE_COMMUNITIES) or cohort_staff(user, cohort):
        return EVERYTHING
    if user.employee_id is None:
        return NOTHING
    member = db.session.scalar(
        select(CohortMember.id).where(
            CohortMember.cohort_id == cohort.id,
            CohortMember.employee_id == user.employee_id,
            CohortMember.status.in_(TAKING_PART),
        )
    )
    return Standing(True, True, False) if member is not None else NOTHING


def standing(user: User, place: Place, member: CommunityMember | None = None) -> Standing:
    """What ``user`` may do in ``place`` (``member``: their community membership, if known)."""
    if place.community is not None:
        if member is None:
            member = membership(user, place.community)
        return community_standing(user, place.community, member)
    if place.course is not None:
        return course_standing(user, place.course)
    if place.cohort is not None:
        return cohort_standing(user, place.cohort)
    return NOTHING


# --- many people at once (who is told of a new post) --------------------------------------------


def _active(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        db.session.scalars(select(User.id).where(User.id.in_(user_ids), User.active.is_(True)))
    )


def _with_role(user_ids: set[int], role: Role) -> set[int]:
    return set(
        db.session.scalars(
            select(UserRole.user_id).where(
                UserRole.user_id.in_(user_ids), UserRole.role == role.value
            )
        )
    )


def readers_among(place: Place, user_ids: Iterable[int]) -> set[int]:
    """Of ``user_ids``, the active accounts that may still read ``place`` (a subscriber who left
    the course, the cohort or the community is no longer told). A few queries, whatever the
    number of people."""
    wanted = _active(set(user_ids))
    if not wanted:
        return set()
    overseers = _with_role(wanted, Role.ADMIN_BKPSDM)
    if place.community is not None:
        if place.community.join_policy == "open":
            return wanted
        members = db.session.scalars(
            select(CommunityMember.user_id).where(
                CommunityMember.community_id == place.community.id,
                CommunityMember.status == "active",
                CommunityMember.user_id.in_(wanted),
            )
        )
        return set(members) | overseers
    if place.course is not None:
        course = place.course
        learners = db.session.scalars(
            select(User.id)
            .join(Enrolment, Enrolment.employee_id == User.employee_id)
            .where(
                User.id.in_(wanted),
                Enrolment.course_id == course.id,
                Enrolment.status.in_(TAKING_PART),
            )
        )
        trainers = db.session.scalars(
            select(CourseTrainer.user_id).where(
                CourseTrainer.course_id == course.id, CourseTrainer.user_id.in_(wanted)
            )
        )
        partner_staff = _partner_staff(wanted, course.partner_id)
        return set(learners) | set(trainers) | partner_staff | overseers
    if place.cohort is not None:
        cohort = place.cohort
        participants = db.session.scalars(
            select(User.id)
            .join(CohortMember, CohortMember.employee_id == User.employee_id)
            .where(
                User.id.in_(wanted),
                CohortMember.cohort_id == cohort.id,
                CohortMember.status.in_(TAKING_PART),
            )
        )
        return set(participants) | _partner_staff(wanted, cohort.organiser_partner_id) | overseers
    return set()


def _partner_staff(user_ids: set[int], partner_id: int | None) -> set[int]:
    if partner_id is None:
        return set()
    return set(
        db.session.scalars(
            select(User.id)
            .join(UserRole, UserRole.user_id == User.id)
            .where(
                User.id.in_(user_ids),
                User.partner_id == partner_id,
                UserRole.role == Role.MITRA.value,
            )
        )
    )


def moderator_ids(place: Place) -> set[int]:
    """Whom to tell of a new report: a community's owner and moderators, a course's trainers.
    A cohort's organiser staff (every cohort manager) see the queue without a notification."""
    if place.community is not None:
        ids = set(
            db.session.scalars(
                select(CommunityMember.user_id).where(
                    CommunityMember.community_id == place.community.id,
                    CommunityMember.status == "active",
                    CommunityMember.role == "moderator",
                )
            )
        )
        if place.community.owner_id is not None:
            ids.add(place.community.owner_id)
        return _active(ids)
    if place.course is not None:
        return _active({t.user_id for t in place.course.trainers})
    return set()
