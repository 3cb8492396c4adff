"""The runtime's read side for the pages and for completion: a learner's standing in a course's
packages (SCOs finished, their scores) and the SCOs of a package as the course outline lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from lms.auth.models import User
from lms.extensions import db
from lms.packages.models import PackageSco, PackageVersion
from lms.packages.runtime import cmi
from lms.packages.runtime.models import ScoAttempt
from lms.packages.runtime.services import (
    approved_versions,
    chosen_versions,
    is_done,
    is_finished,
    launchable,
)


@dataclass(frozen=True)
class Standing:
    """A learner's standing in the packages of a course: launchable SCOs, SCOs finished (in any
    attempt: a new attempt never undoes one), and the percent score of each scored finished SCO
    (its newest finished attempt that has a score; ``cmi.percent_score``)."""

    total: int = 0
    done: int = 0
    scores: tuple[Decimal, ...] = ()


def course_standing(course_id: int, employee_id: int | None) -> Standing:
    """The employee's ``Standing`` over the packages a course became (or holds as modules),
    each on the version they play (``learner_versions``); review plays never count. One query
    for a course without packages (most of them)."""
    versions = approved_versions(course_id)
    if not versions:
        return Standing()
    user_id = (
        db.session.scalar(select(User.id).where(User.employee_id == employee_id))
        if employee_id is not None
        else None
    )
    chosen = chosen_versions(versions, user_id)
    ids = [sco.id for version in chosen for sco in launchable(version)]
    if user_id is None or not ids:
        return Standing(len(ids))
    attempts = db.session.scalars(
        select(ScoAttempt)
        .where(
            ScoAttempt.sco_id.in_(ids),
            ScoAttempt.user_id == user_id,
            ScoAttempt.is_review.is_(False),
        )
        .order_by(ScoAttempt.attempt.desc())
    ).all()
    done: set[int] = set()
    scores: dict[int, Decimal] = {}
    for attempt in attempts:  # newest first
        if not is_done(attempt):
            continue
        done.add(attempt.sco_id)
        score = cmi.percent_score(
            attempt.score_raw, attempt.score_min, attempt.score_max, attempt.score_scaled
        )
        if score is not None and attempt.sco_id not in scores:
            scores[attempt.sco_id] = score
    return Standing(len(ids), len(done), tuple(scores[i] for i in ids if i in scores))


@dataclass(frozen=True)
class ScoItem:
    """One SCO of a package as its learner sees it in the course's outline."""

    sco: PackageSco
    attempt: ScoAttempt | None  # the newest
    done: bool  # finished in any attempt
    may_retry: bool  # the newest attempt is finished: "Mulai percobaan baru"


def learner_items(user: User, version: PackageVersion) -> list[ScoItem]:
    """The version's visible launchable SCOs with the learner's newest attempt of each."""
    scos = [s for s in launchable(version) if s.is_visible]
    attempts: dict[int, list[ScoAttempt]] = {}
    if scos:
        for attempt in db.session.scalars(
            select(ScoAttempt)
            .where(
                ScoAttempt.sco_id.in_([s.id for s in scos]),
                ScoAttempt.user_id == user.id,
                ScoAttempt.is_review.is_(False),
            )
            .order_by(ScoAttempt.attempt.desc())
        ):
            attempts.setdefault(attempt.sco_id, []).append(attempt)
    items = []
    for sco in scos:
        mine = attempts.get(sco.id, [])
        newest = mine[0] if mine else None
        items.append(ScoItem(sco, newest, any(is_done(a) for a in mine), is_finished(newest)))
    return items
