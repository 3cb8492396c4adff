"""The seminar and the assessment (flush, never commit).

The organiser schedules the seminar (date, time, place, examiners) once the logbook is complete,
may move it until it is held, and records that it was held. Then the coach, the mentor and every
examiner each score the rubric once; the last score in fixes the final score, its qualification
band and pass/fail (``rubric``), and the project is assessed. Scores are never edited after they
are given; each assessment and the final result leave an audit row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from lms.auth.models import User
from lms.auth.services import audit
from lms.db import as_utc, utcnow
from lms.extensions import db
from lms.indonesian import local_time, tanggal, zone_abbreviation
from lms.kualifikasi import load_bands
from lms.leadership.projects import logbook, rubric
from lms.leadership.projects.models import Assessment, Project, Seminar
from lms.leadership.projects.notices import tell_member, tell_user
from lms.leadership.projects.services import TEXT_MAX, ProjectError, ensure_open
from lms.leadership.roles import services as roles
from lms.leadership.roles.access import COACH, EXAMINER, MENTOR, assigned
from lms.leadership.roles.models import CohortRole
from lms.notifications.messages import N_

PLACE_MAX = 200


def _check_schedule(project: Project, starts_at: datetime | None, place: str, now: datetime) -> str:
    """Refuse a seminar that cannot be set now (naming the field); the cleaned place."""
    ensure_open(project.member)
    if project.state not in ("implementing", "seminar_scheduled"):
        raise ProjectError(
            _(
                "Seminar dijadwalkan setelah pelaksanaan berjalan dan sebelum seminar diselenggarakan."
            )
        )
    done = logbook.progress(project)
    if not done.complete:
        raise ProjectError(
            _(
                "Catatan pelaksanaan belum lengkap: %(c)s dari %(t)s milestone terkonfirmasi "
                "mentor, %(w)s catatan menunggu konfirmasi.",
                c=done.confirmed,
                t=done.total,
                w=done.waiting,
            )
        )
    if starts_at is None:
        raise ProjectError(_("Isi tanggal dan jam seminar."), "starts_at")
    if as_utc(starts_at) <= now:
        raise ProjectError(_("Waktu seminar harus setelah saat ini."), "starts_at")
    place = (place or "").strip()
    if not place:
        raise ProjectError(_("Isi tempat seminar."), "place")
    if len(place) > PLACE_MAX:
        raise ProjectError(_("Tempat paling panjang %(n)s karakter.", n=PLACE_MAX), "place")
    return place


def schedule_seminar(
    project: Project,
    organiser: User,
    starts_at: datetime | None,
    place: str,
    examiners: Sequence[User],
    now: datetime | None = None,
) -> Seminar:
    """Schedule (or move) the seminar; ``starts_at`` is an aware moment."""
    place = _check_schedule(project, starts_at, place, now or utcnow())
    member = project.member
    roles.set_examiners(organiser, member, examiners)
    seminar = project.seminar
    moved = seminar is not None
    if seminar is None:
        seminar = Seminar(project=project, starts_at=starts_at, place=place)
        db.session.add(seminar)
    seminar.starts_at, seminar.place, seminar.scheduled_by_id = starts_at, place, organiser.id
    project.state = "seminar_scheduled"
    db.session.flush()
    title = project.title
    when = _when(starts_at)
    tell_member(
        member,
        N_(
            "Seminar %(t)s %(x)s: %(w)s, di %(p)s.",
            t=title,
            x=N_("dipindahkan") if moved else N_("dijadwalkan"),
            w=when,
            p=place,
        ),
    )
    for user_id in assigned(member).examiner_ids:
        tell_user(
            user_id,
            N_(
                "Anda menjadi penguji seminar %(t)s (%(n)s): %(w)s, di %(p)s.",
                t=title,
                n=member.employee.display_name,
                w=when,
                p=place,
            ),
            member,
        )
    return seminar


def _when(moment: datetime) -> str:
    """The seminar's local date and time as a notification prints it (the agency's zone)."""
    local = local_time(moment)
    return f"{tanggal(local.date())} {local:%H.%M} {zone_abbreviation(moment)}"


def mark_held(project: Project, organiser: User, now: datetime | None = None) -> Seminar:
    now = now or utcnow()
    ensure_open(project.member)
    seminar = project.seminar
    if project.state != "seminar_scheduled" or seminar is None:
        raise ProjectError(_("Tidak ada seminar terjadwal untuk proyek ini."))
    if as_utc(seminar.starts_at) > now:
        raise ProjectError(_("Seminar belum dimulai; catat setelah seminar berlangsung."))
    seminar.held_at = now
    project.state = "seminar_held"
    db.session.flush()
    member = project.member
    who = assigned(member)
    message = N_(
        "Seminar %(t)s (%(n)s) telah diselenggarakan; silakan beri penilaian.",
        t=project.title,
        n=member.employee.display_name,
    )
    for user_id in (who.coach_id, who.mentor_id, *who.examiner_ids):
        tell_user(user_id, message, member)
    return seminar


def pending_assessors(project: Project) -> list[tuple[str, int | None]]:
    """(role, account) of everyone whose score is still missing."""
    who = assigned(project.member)
    given = {(a.role, a.assessor_id) for a in project.assessments}
    wanted = [(COACH, who.coach_id), (MENTOR, who.mentor_id)]
    wanted += [(EXAMINER, user_id) for user_id in who.examiner_ids]
    return [(role, user_id) for role, user_id in wanted if (role, user_id) not in given]


def assess(
    project: Project,
    assessor: User,
    role: str,
    scores: Mapping[str, int],
    comment: str,
    now: datetime | None = None,
) -> Assessment:
    ensure_open(project.member)
    if project.state != "seminar_held":
        raise ProjectError(_("Penilaian diberikan setelah seminar diselenggarakan."))
    if any(a.assessor_id == assessor.id and a.role == role for a in project.assessments):
        raise ProjectError(_("Anda sudah memberi penilaian untuk proyek ini."))
    if (role, assessor.id) not in pending_assessors(project):
        raise ProjectError(_("Anda bukan penilai proyek ini."))
    comment = (comment or "").strip()
    if len(comment) > TEXT_MAX:
        raise ProjectError(_("Catatan paling panjang %(n)s karakter.", n=TEXT_MAX), "comment")
    used = rubric.rubric_for(project.kind)
    try:
        total = rubric.assessor_total(used, scores)
    except rubric.RubricError as exc:
        raise ProjectError(str(exc)) from None
    row = Assessment(
        project=project,
        role=role,
        assessor_id=assessor.id,
        scores=[
            {"code": c.code, "name": c.name, "weight": c.weight, "score": int(scores[c.code])}
            for c in used.criteria
        ],
        total=total,
        comment=comment,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.flush()
    audit(
        assessor,
        "create",
        row,
        f"project {project.id}: {role} score {total}",
        after={"role": role, "total": str(total), "scores": row.scores},
    )
    if not pending_assessors(project):
        finalize(project, assessor, now)
    return row


def finalize(project: Project, actor: User | None, now: datetime | None = None) -> Project:
    """Every score is in: the final score, its band and pass/fail, from the rubric's weights."""
    used = rubric.rubric_for(project.kind)
    totals: dict[str, list] = {}
    for row in project.assessments:
        totals.setdefault(row.role, []).append(row.total)
    try:
        result = rubric.final_result(used.weights, totals, load_bands())
    except rubric.RubricError as exc:
        raise ProjectError(str(exc)) from None
    before = {"state": project.state}
    project.final_score = result.score
    project.band = result.band.name if result.band is not None else ""
    project.passed = result.passed
    project.weights = dict(used.weights)
    project.assessed_at = now or utcnow()
    project.state = "assessed"
    db.session.flush()
    audit(
        actor,
        "update",
        project,
        f"project assessed: {result.score} {project.band}",
        before=before,
        after={
            "state": "assessed",
            "final_score": str(result.score),
            "band": project.band,
            "passed": result.passed,
            "weights": project.weights,
        },
    )
    tell_member(
        project.member,
        N_(
            "Proyek %(t)s telah dinilai: nilai akhir %(s)s, kualifikasi %(b)s.",
            t=project.title,
            s=str(result.score).replace(".", ","),
            b=project.band,
        ),
    )
    return project


def examiners_of(project: Project) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(CohortRole, CohortRole.user_id == User.id)
            .where(CohortRole.member_id == project.member_id, CohortRole.role == EXAMINER)
            .order_by(User.id)
        )
    )
