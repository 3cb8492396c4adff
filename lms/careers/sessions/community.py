"""Claiming JP for taking part in a community of practice (issue 18 point 2, "komunitas
belajar", SIASN jenis diklat 23) for one month.

A claim is an ordinary non-classroom ``LearningSession`` of form 23 that names the community
(``community_id``) and the number of the member's shown posts in the community's forums that
month (``community_posts``, read from ``lms.community.forums.queries.participation``) as
evidence. It is dated the month's last day (or today, for the running month) and follows the
sessions' mechanics: the form's rule (content/reference/nonclassroom_rules.yaml) fixes the JP,
a moderator of the community or HR confirms or returns it, a confirmed claim writes the verified
learning record that the JP ledger and the SIASN export read. A month without a shown post
cannot be claimed; one community and month is claimed at most once (while not withdrawn).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.sessions import services
from lms.careers.sessions.models import LearningSession
from lms.community.access import membership
from lms.community.forums.queries import participation
from lms.community.models import Community
from lms.extensions import db
from lms.indonesian import from_local, local_today
from lms.org.models import Employee

FORM_CODE = 23


def month_start(value: date) -> date:
    return value.replace(day=1)


def next_month(month: date) -> date:
    return (month.replace(day=28) + timedelta(days=4)).replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month in the agency's zone (Asia/Jakarta) as aware UTC moments: [start, end)."""
    start = datetime.combine(month_start(month), time())
    end = datetime.combine(next_month(month_start(month)), time())
    return from_local(start), from_local(end)


def claim_problems(posts: int, month: date, today: date) -> dict[str, str]:
    """Pure: why a month with ``posts`` shown posts cannot be claimed (by field; empty if it may)."""
    errors: dict[str, str] = {}
    if month_start(month) > month_start(today):
        errors["month"] = _("Bulan: bulan yang belum berjalan tidak dapat diklaim.")
    elif posts <= 0:
        errors["month"] = _(
            "Bulan: Anda tidak mengirim satu pun tulisan yang tampil di forum komunitas ini pada "
            "bulan tersebut, jadi partisipasinya tidak dapat diklaim sebagai JP."
        )
    return errors


def recent_months(today: date, count: int = 6) -> list[date]:
    """The running month and the ``count - 1`` before it, newest first."""
    months = [month_start(today)]
    while len(months) < count:
        months.append(month_start(months[-1] - timedelta(days=1)))
    return months


def parse_month(text: str | None) -> date | None:
    """ "2026-11" → 1 November 2026; None when it is not a month."""
    try:
        return datetime.strptime((text or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def posts_in(user: User, community: Community, month: date) -> int:
    return participation(community, *month_bounds(month)).get(user.id, 0)


def may_claim(user: User, community: Community) -> bool:
    member = membership(user, community)
    return user.employee_id is not None and member is not None and member.status == "active"


def claim(
    user: User, community: Community, month: date, minutes: int | None, topic: str
) -> LearningSession:
    """Log the member's claim for ``month`` (a session of form 23, submitted)."""
    if not may_claim(user, community):
        raise CareerError(_("Hanya anggota aktif komunitas ini yang dapat mengklaim JP."))
    today = local_today()
    month = month_start(month)
    posts = posts_in(user, community, month)
    errors = claim_problems(posts, month, today)
    if errors:
        raise RecordInvalid(errors)
    taken = db.session.scalar(
        select(LearningSession.id).where(
            LearningSession.employee_id == user.employee_id,
            LearningSession.community_id == community.id,
            LearningSession.held_on >= month,
            LearningSession.held_on < next_month(month),
            LearningSession.status != "withdrawn",
        )
    )
    if taken is not None:
        raise RecordInvalid({"month": _("Bulan: partisipasi bulan ini sudah diklaim.")})
    employee = db.session.get(Employee, user.employee_id)
    assert employee is not None
    data = services.SessionInput(
        form_code=FORM_CODE,
        held_on=min(next_month(month) - timedelta(days=1), today),
        minutes=minutes,
        topic=(topic or "").strip() or community.name,
        agreed=_("%(n)s tulisan di forum komunitas %(c)s.", n=posts, c=community.name),
        community_id=community.id,
        community_posts=posts,
    )
    return services.save_session(employee, data, user, None, allowed_coaches=set())
