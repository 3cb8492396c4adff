"""The SCORM runtime's rules: who may play a version, what a launch starts from, what a commit
stores, when a new attempt may start. Services flush, never commit (the view commits once).

Attempts: a learner's state of a SCO lives in numbered attempts (1, 2, ...); the newest is the one
played and saved. A new attempt starts only on the learner's request (``start_new_attempt``) once
the newest is finished; earlier ones stay as history. A commit names the attempt it belongs to, and
the SCO names its package version: a commit for an attempt or a version the learner is no longer
on is refused (``StaleState``, 409), so a forgotten tab never writes over the current attempt."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.enrolments.models import Enrolment
from lms.errors import DomainError
from lms.extensions import db
from lms.packages.models import PackageSco, PackageVersion
from lms.packages.runtime import cmi
from lms.packages.runtime.models import ScoAttempt
from lms.packages.signals import sco_tracked
from lms.permissions import Capability, can

#: Enrolments that may open their course's content.
PLAYING_STATES = ("active", "completed")


class AttemptError(DomainError):
    """A refused new attempt; the message is for the learner."""


class StaleState(DomainError):
    """A commit for a package version or an attempt the learner is no longer on (HTTP 409)."""


def play_mode(user: User, version: PackageVersion) -> str | None:
    """ "normal" for a learner enrolled in the course the version became, "review" for BKPSDM
    reviewing it, None for anybody else."""
    if version.course_id is not None and user.employee_id is not None:
        enrolled = db.session.scalar(
            select(Enrolment.id).where(
                Enrolment.course_id == version.course_id,
                Enrolment.employee_id == user.employee_id,
                Enrolment.status.in_(PLAYING_STATES),
            )
        )
        if enrolled is not None:
            return "normal"
    if can(user, Capability.REVIEW_PACKAGES):
        return "review"
    return None


def launchable(version: PackageVersion) -> list[PackageSco]:
    return [sco for sco in version.scos if sco.scorm_type == "sco" or sco.href]


def attempt_of(user: User, sco: PackageSco) -> ScoAttempt | None:
    """The learner's latest attempt at the SCO (one attempt per learner and SCO today)."""
    return db.session.scalar(
        select(ScoAttempt)
        .where(ScoAttempt.sco_id == sco.id, ScoAttempt.user_id == user.id)
        .order_by(ScoAttempt.attempt.desc())
        .limit(1)
    )


def effective_total_cs(attempt: ScoAttempt) -> int:
    """Closed sessions plus the open one: a session whose tab died still counts."""
    session = (attempt.cmi or {}).get("session") or {}
    return attempt.total_time_cs + int(session.get("cs") or 0)


def launch_state(standard: str, user: User, attempt: ScoAttempt | None, mode: str) -> dict:
    """The flattened CMI a launch starts from (loaded before Initialize: read-only ones too)."""
    name = user.display_name or user.username
    resume = attempt is not None and attempt.exit == "suspend"
    fresh = attempt is None or not (attempt.cmi or {}).get("session")  # a new attempt: no save yet
    entry = "ab-initio" if fresh else ("resume" if resume else "")
    credit = "credit" if mode == "normal" else "no-credit"
    lms_mode = "normal" if mode == "normal" else "browse"
    if standard == cmi.SCORM12:
        state: dict[str, Any] = {
            "cmi.core.student_id": str(user.id),
            "cmi.core.student_name": name,
            "cmi.core.entry": entry,
            "cmi.core.credit": credit,
            "cmi.core.lesson_mode": lms_mode,
        }
    else:
        state = {
            "cmi.learner_id": str(user.id),
            "cmi.learner_name": name,
            "cmi.entry": entry,
            "cmi.credit": credit,
            "cmi.mode": lms_mode,
        }
    if fresh:  # nothing saved yet (a new attempt starts from nothing, not from the last one)
        return state
    total = cmi.format_total_time(standard, effective_total_cs(attempt))
    scores = {
        "raw": attempt.score_raw,
        "min": attempt.score_min,
        "max": attempt.score_max,
    }
    if standard == cmi.SCORM12:
        state.update(
            {
                "cmi.core.lesson_location": attempt.location,
                "cmi.core.total_time": total,
                "cmi.suspend_data": attempt.suspend_data,
            }
        )
        if attempt.lesson_status:
            state["cmi.core.lesson_status"] = attempt.lesson_status
        prefix = "cmi.core.score."
    else:
        state.update(
            {
                "cmi.location": attempt.location,
                "cmi.total_time": total,
                "cmi.suspend_data": attempt.suspend_data,
                "cmi.completion_status": attempt.completion_status or "unknown",
                "cmi.success_status": attempt.success_status or "unknown",
            }
        )
        scores["scaled"] = attempt.score_scaled
        prefix = "cmi.score."
    for key, value in scores.items():
        if value is not None:
            state[prefix + key] = _number(value)
    # Interactions and objectives come back too, so a new session numbers on from them.
    extra = (attempt.cmi or {}).get("extra") or {}
    state.update(
        {k: v for k, v in extra.items() if k.startswith(("cmi.interactions.", "cmi.objectives."))}
    )
    return state


def _number(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def standard_of(version: PackageVersion) -> str:
    return cmi.SCORM2004 if version.package.kind == "scorm2004" else cmi.SCORM12


def _attempt_to_store(user: User, sco: PackageSco) -> ScoAttempt:
    """The learner's attempt, created when missing. Two first saves of one SCO may arrive at once
    (the timed save and the beacon of a page being left): the loser of the insert reads the
    winner's row instead of failing on the UNIQUE key."""
    attempt = attempt_of(user, sco)
    if attempt is not None:
        return attempt
    attempt = ScoAttempt(sco_id=sco.id, user_id=user.id, attempt=1, cmi={}, total_time_cs=0)
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        found = attempt_of(user, sco)
        if found is None:
            raise
        return found
    return attempt


def _refuse_stale(user: User, sco: PackageSco, mode: str, attempt_number: int | None) -> None:
    """StaleState when the commit is for another version than the learner's attempts are on, or
    for another attempt than the newest (``attempt_number`` None: the sender did not say)."""
    if mode != "normal" or sco.version.course_id is None:
        return
    siblings = [  # the package's approved versions in the course: one (most often), no question
        v
        for v in approved_versions(sco.version.course_id)
        if v.package_id == sco.version.package_id
    ]
    mine = chosen_versions(siblings, user.id)[0] if len(siblings) > 1 else sco.version
    if mine.id != sco.version_id and _has_attempts(user, mine):
        raise StaleState(
            _(
                "Kemajuan ini untuk versi %(sent)s modul, sedangkan Anda mengerjakan versi "
                "%(mine)s. Muat ulang halaman untuk melanjutkan versi %(mine)s.",
                sent=sco.version.version,
                mine=mine.version,
            )
        )
    if attempt_number is None:
        return
    latest = attempt_of(user, sco)
    current = latest.attempt if latest is not None else 1
    if attempt_number != current:
        raise StaleState(
            _(
                "Kemajuan ini untuk percobaan ke-%(sent)s, sedangkan percobaan Anda sekarang "
                "ke-%(now)s. Muat ulang halaman untuk melanjutkan percobaan ke-%(now)s.",
                sent=attempt_number,
                now=current,
            )
        )


def _has_attempts(user: User, version: PackageVersion) -> bool:
    found = db.session.scalar(
        select(ScoAttempt.id)
        .join(PackageSco, PackageSco.id == ScoAttempt.sco_id)
        .where(
            PackageSco.version_id == version.id,
            ScoAttempt.user_id == user.id,
            ScoAttempt.is_review.is_(False),
        )
        .limit(1)
    )
    return found is not None


def store_commit(
    user: User,
    sco: PackageSco,
    mode: str,
    session_id: str,
    flat: dict[str, Any],
    attempt_number: int | None = None,
) -> ScoAttempt:
    """Check and keep one commit; raises cmi.CmiError naming the element that is wrong, and
    StaleState for a version or attempt the learner is no longer on.

    The session's time replaces the open session's; when a new session id arrives, the previous
    session is folded into ``total_time_cs`` first, so repeats of a commit never count twice."""
    tracked = cmi.read_commit(standard_of(sco.version), flat)
    _refuse_stale(user, sco, mode, attempt_number)
    session_id = str(session_id or "")[:64]
    attempt = _attempt_to_store(user, sco)
    attempt.is_review = mode == "review"
    data = dict(attempt.cmi or {})
    session = data.get("session") or {}
    if session.get("id") and session.get("id") != session_id:
        attempt.total_time_cs += int(session.get("cs") or 0)
    data["session"] = {"id": session_id, "cs": tracked.session_cs}
    extra = dict(data.get("extra") or {})
    extra.update(tracked.extra)
    data["extra"] = extra
    attempt.cmi = data
    attempt.lesson_status = tracked.lesson_status
    attempt.completion_status = tracked.completion_status
    attempt.success_status = tracked.success_status
    attempt.score_raw = tracked.score_raw
    attempt.score_min = tracked.score_min
    attempt.score_max = tracked.score_max
    attempt.score_scaled = tracked.score_scaled
    attempt.location = tracked.location
    attempt.suspend_data = tracked.suspend_data
    attempt.exit = tracked.exit
    db.session.flush()
    if is_done(attempt):  # only a SCO passed or completed can complete its course: the check
        # is a third of a commit's cost (bench/scorm_commit.py), so incomplete saves skip it
        sco_tracked.send(attempt, user=user)
    return attempt


def is_done(attempt: ScoAttempt | None) -> bool:
    """Completed for completion's purposes: 1.2 passed/completed; 2004 completed or passed."""
    if attempt is None:
        return False
    if attempt.lesson_status in ("passed", "completed"):
        return True
    return attempt.completion_status == "completed" or attempt.success_status == "passed"


def is_finished(attempt: ScoAttempt | None) -> bool:
    """An attempt a new one may follow: 1.2 lesson status passed or completed; 2004 completion
    status completed (a 2004 SCO that is passed but not completed is still being attempted)."""
    if attempt is None:
        return False
    return attempt.lesson_status in ("passed", "completed") or (
        attempt.completion_status == "completed"
    )


def start_new_attempt(user: User, sco: PackageSco) -> ScoAttempt:
    """A new, empty attempt after the newest one finished; the earlier ones stay as they are
    (history for reports), and the course's completion is not touched (never revoked)."""
    mine = version_for(user, sco.version)
    if mine.id != sco.version_id:
        raise AttemptError(
            _(
                "Anda mengerjakan versi %(n)s modul ini; mulai percobaan baru di sana.",
                n=mine.version,
            )
        )
    latest = attempt_of(user, sco)
    if latest is None or not is_finished(latest):
        raise AttemptError(
            _(
                "Percobaan baru dapat dimulai setelah percobaan sekarang selesai "
                "(lulus atau selesai)."
            )
        )
    attempt = ScoAttempt(
        sco_id=sco.id, user_id=user.id, attempt=latest.attempt + 1, cmi={}, total_time_cs=0
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:  # a double click: the other request started it
        found = attempt_of(user, sco)
        if found is None:
            raise
        return found
    return attempt


def learner_versions(course_id: int, user_id: int | None) -> list[PackageVersion]:
    """For each package the course became, the approved version this learner plays: the newest
    one they have (non-review) attempts on, so a new approved version never moves a learner off
    the version they started; the newest approved one for a learner who has not started."""
    return chosen_versions(approved_versions(course_id), user_id)


def approved_versions(course_id: int) -> list[PackageVersion]:
    return list(
        db.session.scalars(
            select(PackageVersion)
            .where(PackageVersion.course_id == course_id, PackageVersion.status == "approved")
            .order_by(PackageVersion.package_id, PackageVersion.version.desc())
        )
    )


def chosen_versions(versions: list[PackageVersion], user_id: int | None) -> list[PackageVersion]:
    started: set[int] = set()
    if user_id is not None and versions:
        started = set(
            db.session.scalars(
                select(PackageSco.version_id)
                .join(ScoAttempt, ScoAttempt.sco_id == PackageSco.id)
                .where(
                    PackageSco.version_id.in_([v.id for v in versions]),
                    ScoAttempt.user_id == user_id,
                    ScoAttempt.is_review.is_(False),
                )
            )
        )
    chosen: dict[int, PackageVersion] = {}
    for version in versions:  # newest first within each package
        current = chosen.get(version.package_id)
        if current is None or (version.id in started and current.id not in started):
            chosen[version.package_id] = version
    return list(chosen.values())


def version_for(user: User, version: PackageVersion) -> PackageVersion:
    """The version of ``version``'s package this learner plays in its course (itself when the
    version became no course)."""
    if version.course_id is None:
        return version
    for candidate in learner_versions(version.course_id, user.id):
        if candidate.package_id == version.package_id:
            return candidate
    return version
