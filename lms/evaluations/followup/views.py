"""Post-training evaluation screens: the alumnus's and the supervisor's questionnaires, and the
setting (with a summary) of a course or a programme.

The alumnus answers only their own follow-ups, the supervisor only their current direct
reports'; anyone else gets a 404, as for a missing id. A course's page is open to whoever sees its
course evaluation (``lms.evaluations.services.viewer_for``): BKPSDM all alumni, its trainers the
figures only, an Admin OPD their department's alumni; below ``MIN_RESPONSES`` answers the figures
and texts are withheld from trainers and Admin OPD. Only BKPSDM changes the setting.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.courses.models import Course
from lms.courses.services import can_author
from lms.enrolments.cohorts.models import Programme
from lms.errors import flash_error
from lms.evaluations import bp
from lms.evaluations import services as course_evaluation
from lms.evaluations.followup import queries, rules, services
from lms.evaluations.followup.forms import FollowupForm, SettingForm
from lms.evaluations.followup.models import Followup
from lms.evaluations.followup.questions import QUESTIONNAIRES, SCALE
from lms.extensions import db
from lms.indonesian import local_today
from lms.permissions import Capability, can, refuse, require

C = Capability
VIEWERS = (C.AUTHOR_COURSES, C.VIEW_REPORTS, C.PUBLISH_COURSES, C.MANAGE_COHORTS)


@bp.app_template_global("followup_questions")
def followup_questions() -> tuple[dict, tuple]:
    """For the SKP pages (careers, above): the questionnaires and the scale their answers use."""
    return QUESTIONNAIRES, SCALE


@bp.route("/evaluasi-pascapelatihan")
@require(C.LEARN)
def followups():
    me = current_user.employee
    today = local_today()
    return render_template(
        "evaluations/followup/list.html",
        mine=queries.mine(me.id),
        team=queries.team(me.id, today) if can(current_user, C.VIEW_TEAM) else None,
        state_of=lambda f, role: services.state_of(f, role, today),
        labels=services.STATE_LABELS,
    )


def _followup_or_404(followup_id: int) -> Followup:
    followup = db.session.get(Followup, followup_id)
    if followup is None:
        abort(404)
    return followup


def _questionnaire(followup: Followup, role: str, here: str):
    """GET: the form (or the answers given); POST: store them. The caller checked who asks."""
    questionnaire = QUESTIONNAIRES[role]
    state = services.state_of(followup, role)
    form = FollowupForm.for_questionnaire(questionnaire)()
    if request.method == "POST" and state != "open":
        flash(services.refusal(followup, role) or "", "info")
        return redirect(here)
    if state == "open" and form.validate_on_submit():
        try:
            services.submit(followup, role, current_user, form.ratings(), form.texts())
        except services.FollowupError as exc:
            flash_error(exc)
            return redirect(here)
        db.session.commit()
        flash(_("Terima kasih, jawaban Anda tersimpan."), "success")
        return redirect(url_for("evaluations.followups"))
    return render_template(
        "evaluations/followup/form.html",
        followup=followup,
        role=role,
        state=state,
        labels=services.STATE_LABELS,
        questionnaire=questionnaire,
        answer=followup.answer_of(role),
        form=form,
        scale=SCALE,
        action=here,
    ), (422 if form.errors else 200)


@bp.route("/evaluasi-pascapelatihan/<int:followup_id>", methods=["GET", "POST"])
@require(C.LEARN)
def followup_answer(followup_id: int):
    followup = _followup_or_404(followup_id)
    if not services.is_alumnus(current_user, followup):
        refuse(followup)
    here = url_for("evaluations.followup_answer", followup_id=followup.id)
    return _questionnaire(followup, "alumnus", here)


@bp.route("/tim/evaluasi-pascapelatihan/<int:followup_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def followup_assess(followup_id: int):
    followup = _followup_or_404(followup_id)
    if not services.is_supervisor(current_user, followup):
        refuse(followup)
    here = url_for("evaluations.followup_assess", followup_id=followup.id)
    return _questionnaire(followup, "supervisor", here)


# --- a course's or programme's setting and summary ------------------------------------------------


def _save_setting(form: SettingForm, ids: dict, here: str):
    """POST: store the setting (BKPSDM; the caller checked), or None to show the form's errors."""
    if not form.validate_on_submit():
        return None
    try:
        moved = services.save_setting(
            **ids, months=form.months.data, enabled=form.enabled.data, by=current_user
        )
    except services.FollowupError as exc:
        flash_error(exc)
        return redirect(here)
    db.session.commit()
    flash(
        _("Pengaturan tersimpan; %(n)s jadwal yang belum dibuka disesuaikan.", n=moved), "success"
    )
    return redirect(here)


def _subject_page(subject, *, course=None, programme=None, viewer=None, may_edit: bool, here: str):
    ids = {"course_id": course.id} if course else {"programme_id": programme.id}
    setting = services.setting_of(**ids)
    form = SettingForm()
    if request.method == "POST":
        if not may_edit:
            refuse(subject, 403)
        saved = _save_setting(form, ids, here)
        if saved is not None:
            return saved
    else:
        form.months.data = setting.months if setting else rules.DEFAULT_MONTHS
        form.enabled.data = setting.enabled if setting else True
    summary = queries.subject_summary(**ids, unit_path=viewer.unit_path if viewer else None)
    withheld = (
        viewer is not None
        and not viewer.sees_names
        and (sum(summary.answered.values()) < course_evaluation.MIN_RESPONSES)
    )
    return render_template(
        "evaluations/followup/subject.html",
        course=course,
        programme=programme,
        viewer=viewer,
        setting=setting,
        form=form,
        may_edit=may_edit,
        summary=summary,
        withheld=withheld,
        min_responses=course_evaluation.MIN_RESPONSES,
        questionnaires=QUESTIONNAIRES,
        scale=SCALE,
        action=here,
        default_months=rules.DEFAULT_MONTHS,
        can_author=course is not None and can_author(current_user, course),
    ), (422 if form.errors else 200)


@bp.route("/kelola/pelatihan/<int:course_id>/pascapelatihan", methods=["GET", "POST"])
@require(*VIEWERS)
def followup_course(course_id: int):
    course = db.get_or_404(Course, course_id)
    viewer = course_evaluation.viewer_for(current_user, course)
    if viewer is None:
        refuse(course, 403)
    here = url_for("evaluations.followup_course", course_id=course.id)
    may_edit = can(current_user, C.PUBLISH_COURSES)
    return _subject_page(course, course=course, viewer=viewer, may_edit=may_edit, here=here)


@bp.route("/kelola/program/<programme_code>/pascapelatihan", methods=["GET", "POST"])
@require(C.MANAGE_COHORTS)
def followup_programme(programme_code: str):
    programme = db.first_or_404(db.select(Programme).where(Programme.code == programme_code))
    here = url_for("evaluations.followup_programme", programme_code=programme.code)
    return _subject_page(programme, programme=programme, may_edit=True, here=here)


@bp.route("/kelola/pascapelatihan")
@require(C.PUBLISH_COURSES, C.MANAGE_COHORTS)
def followup_overview():
    programmes, courses = queries.overview()
    return render_template(
        "evaluations/followup/overview.html",
        programmes=programmes,
        courses=courses,
        default_months=rules.DEFAULT_MONTHS,
        close_days=rules.CLOSE_AFTER_DAYS,
        notices=rules.NOTICES,
    )
