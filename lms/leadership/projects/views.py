"""The participant's project page and the proposal: drafting, submitting, the coach's and the
mentor's review. The logbook, the seminar and the assessment are in ``work_views``."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, ask, confirmed
from lms.leadership import bp
from lms.leadership.projects import page, queries, services
from lms.leadership.projects.forms import ProposalForm, ReviewForm
from lms.leadership.projects.services import ProjectError, ProposalInput
from lms.leadership.roles.access import COACH, MENTOR, PARTICIPANT
from lms.permissions import Capability, require

C = Capability
#: Every capability that may open some project page; the object check decides which.
ANY_PROJECT_ROLE = (
    C.LEARN,
    C.COACH_PROJECTS,
    C.MENTOR_PROJECTS,
    C.EXAMINE_PROJECTS,
    C.ORGANISE_COHORTS,
)


def back(member_id: int):
    return redirect(url_for("leadership.project", member_id=member_id))


@bp.route("/proyek")
@require(C.LEARN)
def my_projects():
    """The participant's programmes that require a project (one: straight to its page)."""
    rows = queries.my_projects(current_user.employee_id) if current_user.employee_id else []
    if len(rows) == 1:
        return back(rows[0][0].id)
    return render_template("leadership/my_projects.html", rows=rows, **page.labels())


@bp.route("/proyek/<int:member_id>")
@require(*ANY_PROJECT_ROLE)
def project(member_id: int):
    member, roles = page.load(current_user, member_id)
    return render_template("leadership/project.html", **page.context(member, roles, current_user))


def _proposal_input(form: ProposalForm) -> ProposalInput:
    return ProposalInput(
        title=form.title.data or "",
        problem=form.problem.data or "",
        stakeholders=form.stakeholders.data or "",
        expected_change=form.expected_change.data or "",
        milestones=[(row.form.title.data or "", row.form.due_on.data) for row in form.milestones],
    )


def _fill(form: ProposalForm, member) -> None:
    project = services.project_of(member)
    if request.method == "GET" and project is not None:
        _fill_from(form, project)
    for i, row in enumerate(form.milestones, start=1):
        row.form.title.label.text = _("Milestone ke-%(n)s: kegiatan", n=i)
        row.form.due_on.label.text = _("Milestone ke-%(n)s: target selesai", n=i)


def _fill_from(form: ProposalForm, project) -> None:
    form.title.data, form.problem.data = project.title, project.problem
    form.stakeholders.data, form.expected_change.data = (
        project.stakeholders,
        project.expected_change,
    )
    for _i in range(len(project.milestones) + 1 - len(form.milestones)):
        form.milestones.append_entry()
    for row, milestone in zip(form.milestones, project.milestones, strict=False):
        row.form.title.data, row.form.due_on.data = milestone.title, milestone.due_on


@bp.route("/proyek/<int:member_id>/rancangan", methods=["GET", "POST"])
@require(C.LEARN)
def proposal_edit(member_id: int):
    member, _roles = page.load(current_user, member_id, PARTICIPANT)
    project = services.project_of(member)
    if project is not None and project.state not in services.EDITABLE:
        flash(_("Rancangan sudah diajukan dan tidak dapat diubah lagi."), "error")
        return back(member_id)
    form = ProposalForm()
    _fill(form, member)
    if form.validate_on_submit():
        try:
            services.save_proposal(member, _proposal_input(form))
        except ProjectError as exc:
            db.session.rollback()
            page.field_error(form, exc)
        else:
            db.session.commit()
            flash(_("Rancangan tersimpan. Ajukan bila sudah lengkap."), "success")
            return back(member_id)
    status = 422 if request.method == "POST" else 200
    context = {"form": form, "member": member, "project": project, **page.labels()}
    return render_template("leadership/proposal_form.html", **context), status


@bp.route("/proyek/<int:member_id>/ajukan", methods=["POST"])
@require(C.LEARN)
def proposal_submit(member_id: int):
    member, _roles = page.load(current_user, member_id, PARTICIPANT)
    project = services.project_of(member)
    if project is not None and not confirmed():
        return ask(
            Confirmation(
                _("Ajukan rancangan %(t)s?", t=project.title or _("(tanpa judul)")),
                [
                    _("Coach dan mentor menerima pemberitahuan dan meninjau rancangan ini."),
                    _("Selama ditinjau, rancangan tidak dapat diubah."),
                ],
                _("Ya, ajukan"),
                url_for("leadership.project", member_id=member_id),
            )
        )
    try:
        services.submit(member)
    except ProjectError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Rancangan diajukan kepada coach dan mentor."), "success")
    return back(member_id)


@bp.route("/proyek/<int:member_id>/tinjau", methods=["POST"])
@require(C.COACH_PROJECTS, C.MENTOR_PROJECTS)
def proposal_review(member_id: int):
    member, roles = page.load(current_user, member_id, COACH, MENTOR)
    project = services.project_of(member)
    form = ReviewForm()
    role = page.review_role(project, roles) if project else None
    decided = form.approve.data or form.send_back.data
    if role is None or not decided or not form.validate_on_submit():
        flash(_("Tidak ada rancangan yang menunggu keputusan Anda."), "error")
        return back(member_id)
    try:
        services.review(project, current_user, role, bool(form.approve.data), form.comment.data)
    except ProjectError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(
            _("Rancangan disetujui.") if form.approve.data else _("Rancangan dikembalikan."),
            "success",
        )
    return back(member_id)
