"""The participant's evaluation form and the results pages.

The form belongs to an enrolled participant (active or completed), one per enrolment. Results:
BKPSDM sees everything including names; the course's trainers see aggregates only; an Admin OPD
sees aggregates of their own department's participants. Below ``MIN_RESPONSES`` responses the
figures and comments are withheld from trainers and Admin OPD, so one person's answers cannot be
read off the page.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.charts import bar_chart, stacked_bar_chart
from lms.courses import queries as course_queries
from lms.courses.models import Course
from lms.courses.services import can_author
from lms.db import db_int
from lms.enrolments import services as enrolments
from lms.enrolments.models import Enrolment
from lms.errors import flash_error
from lms.evaluations import bp, queries, services
from lms.evaluations.forms import EvaluationForm, ResultsFilterForm
from lms.evaluations.questions import SCALE, SECTIONS, sections_for
from lms.extensions import db
from lms.permissions import Capability, refuse, require

VIEWERS = (
    Capability.AUTHOR_COURSES,
    Capability.VIEW_REPORTS,
    Capability.PUBLISH_COURSES,
    Capability.MANAGE_COHORTS,
)


@bp.app_template_global("evaluation_status")
def evaluation_status(enrolment: Enrolment | None) -> tuple[bool, bool] | None:
    """For course pages: (required, submitted), or None when the enrolment cannot evaluate."""
    if not services.can_evaluate(enrolment):
        return None
    return services.status_for(enrolment)


# --- participant ---------------------------------------------------------------------------------


@bp.route("/pelatihan/<code>/evaluasi", methods=["GET", "POST"])
@require(Capability.LEARN)
def evaluate(code: str):
    course = course_queries.course_by_code(code)
    if course is None or course.published_version is None:
        abort(404)
    employee = current_user.employee
    enrolment = enrolments.find(course, employee) if employee is not None else None
    if not services.can_evaluate(enrolment):
        refuse(course, 403)  # a published course: no secret
    existing = services.find(enrolment)
    if existing is not None:
        if request.method == "POST":
            flash(_("Anda sudah mengisi evaluasi pelatihan ini. Terima kasih!"), "info")
            return redirect(url_for("courses.course", code=course.code))
        return render_template("evaluations/submitted.html", course=course, evaluation=existing)
    sections = sections_for(course)
    form = EvaluationForm.for_sections(sections)()
    if form.validate_on_submit():
        try:
            services.submit(enrolment, sections, form.ratings(), form.comments())
        except services.EvaluationError as exc:
            flash_error(exc)
            return redirect(url_for("courses.course", code=course.code))
        completed = enrolment.status == "completed"
        db.session.commit()
        if completed:
            flash(
                _("Terima kasih, evaluasi Anda tersimpan. Pelatihan ini sudah selesai."), "success"
            )
        else:
            flash(_("Terima kasih, evaluasi Anda tersimpan."), "success")
        return redirect(url_for("courses.course", code=course.code))
    return render_template(
        "evaluations/form.html",
        course=course,
        version=course.published_version,
        form=form,
        sections=sections,
        scale=SCALE,
    )


# --- results -------------------------------------------------------------------------------------


def _load(course_id: int) -> tuple[Course, services.Viewer]:
    course = db.get_or_404(Course, course_id)
    viewer = services.viewer_for(current_user, course)
    if viewer is None:
        refuse(course, 403)
    return course, viewer


def _filters(course: Course, viewer: services.Viewer) -> tuple[ResultsFilterForm, queries.Filters]:
    form = ResultsFilterForm(formdata=request.args)
    form.versi.choices = [(0, _("Semua versi"))] + [
        (vid, _("Versi %(n)s", n=number)) for vid, number in queries.versions(course)
    ]
    valid = form.validate() if request.args else True
    if not valid:
        return form, queries.Filters(unit_path=viewer.unit_path)
    return form, queries.Filters(
        version_id=form.versi.data or None,
        since=form.dari.data,
        until=form.sampai.data,
        unit_path=viewer.unit_path,
    )


def _charts(summary: services.Summary) -> dict:
    labels = [f"{value} {text}" for value, text in SCALE]
    charts = {}
    for section in summary.sections:
        charts[section.key] = stacked_bar_chart(
            _("Sebaran jawaban: %(s)s", s=section.title),
            [item.short for item in section.items],
            {label: [item.counts[i] for item in section.items] for i, label in enumerate(labels)},
            label_header=_("Pernyataan"),
        )
    charts["_index"] = bar_chart(
        _("Indeks per bagian (0–100)"),
        [s.title for s in summary.sections],
        [
            round(services.scale_to_100(s.mean), 1) if s.mean is not None else None
            for s in summary.sections
        ],
        value_header=_("Indeks"),
        label_header=_("Bagian"),
        horizontal=True,
        max_value=100,
        height=200,
    )
    return charts


@bp.route("/kelola/pelatihan/<int:course_id>/evaluasi")
@require(*VIEWERS)
def results(course_id: int):
    course, viewer = _load(course_id)
    form, filters = _filters(course, viewer)
    summary = services.aggregate(list(SECTIONS), queries.answers(course, filters))
    summary = services.prune(summary, {i.key for s in sections_for(course) for i in s.items})
    withheld = not viewer.sees_names and summary.responses < services.MIN_RESPONSES
    return render_template(
        "evaluations/results.html",
        course=course,
        viewer=viewer,
        form=form,
        summary=summary,
        charts=_charts(summary) if summary.responses and not withheld else {},
        withheld=withheld,
        show_comments=summary.responses >= services.MIN_RESPONSES,
        min_responses=services.MIN_RESPONSES,
        scale=SCALE,
        bands=services.BANDS,
        args={k: v for k, v in request.args.items() if k in ("versi", "dari", "sampai") and v},
        can_author=can_author(current_user, course),
    )


@bp.route("/kelola/pelatihan/<int:course_id>/evaluasi/respon")
@require(*VIEWERS)
def responses(course_id: int):
    course, viewer = _load(course_id)
    if not viewer.sees_names:
        refuse(course, 403)
    form, filters = _filters(course, viewer)
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = queries.responses(course, filters, page)
    args = {k: v for k, v in request.args.items() if k in ("versi", "dari", "sampai") and v}
    asked = {item.key for section in sections_for(course) for item in section.items}
    present = {key for row in rows for key in row.ratings}
    columns = [i for s in SECTIONS for i in s.items if i.key in asked or i.key in present]
    return render_template(
        "evaluations/responses.html",
        course=course,
        form=form,
        rows=rows,
        total=total,
        page=page,
        pages=max((total + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        args=args,
        columns=columns,
        comment_titles={s.key: s.title for s in SECTIONS},
        can_author=can_author(current_user, course),
    )
