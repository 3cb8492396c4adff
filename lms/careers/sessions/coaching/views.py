"""Coaching plan screens: the supervisor's team, opening a plan after a low predikat, one plan
with its progress, follow-up notes and closing."""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.sessions import queries as session_queries
from lms.careers.sessions.coaching import queries, services
from lms.careers.sessions.coaching.forms import CloseForm, NoteForm, PlanForm
from lms.careers.sessions.models import CoachingPlan
from lms.careers.sessions.rules import rule_for
from lms.careers.skp.services import PREDIKAT_LABELS
from lms.careers.view_helpers import apply_errors, current_employee
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, ask, confirmed
from lms.indonesian import local_today
from lms.org.models import Employee
from lms.permissions import Capability, refuse, require

C = Capability


def _plan(coaching_plan_id: int, allowed=services.can_see_plan) -> CoachingPlan:
    plan = db.session.get(CoachingPlan, coaching_plan_id)
    if plan is None:
        abort(404)
    if not allowed(current_user, plan):
        refuse(plan)
    return plan


def _plan_page(plan: CoachingPlan, note_form=None, close_form=None, status: int = 200):
    sessions = session_queries.sessions_of_plan(plan.id)
    is_open = plan.status == "open"
    return render_template(
        "careers/sessions/coaching/plan.html",
        plan=plan,
        rule=rule_for(plan.form_code),
        sessions=sessions,
        progress=services.progress(plan.sessions_planned, sessions),
        note_form=note_form
        or (NoteForm() if is_open and services.can_note(current_user, plan) else None),
        close_form=close_form
        or (CloseForm() if is_open and services.leads(current_user, plan) else None),
        predikats=PREDIKAT_LABELS,
    ), status


@bp.route("/pendampingan")
@require(C.VIEW_TEAM)
def coaching_team():
    me = current_employee()
    return render_template(
        "careers/sessions/coaching/team.html", rows=queries.team(me.id), predikats=PREDIKAT_LABELS
    )


def _plan_input(form: PlanForm) -> services.PlanInput:
    return services.PlanInput(
        form_code=form.form_code.data,
        goals=form.goals.data or "",
        sessions_planned=form.sessions_planned.data,
        starts_on=form.starts_on.data,
        review_on=form.review_on.data,
        coach_user_id=form.coach_user_id.data,
        coach_name=form.coach_name.data or "",
    )


@bp.route("/pendampingan/buka/<int:employee_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def coaching_open(employee_id: int):
    me = current_employee()
    employee = db.session.get(Employee, employee_id)
    if employee is None:
        abort(404)
    if employee.supervisor_id != me.id:
        refuse(employee)
    form = PlanForm()
    coaches = session_queries.coach_accounts(employee)
    form.form_code.choices = [(c, r.name) for c, r in services.plan_forms().items()]
    form.coach_user_id.choices = [(None, _("— tulis namanya di bawah —")), *coaches]
    if request.method == "GET":
        today = local_today()
        form.starts_on.data, form.review_on.data = today, today + timedelta(days=90)
        form.sessions_planned.data, form.coach_user_id.data = 6, current_user.id
    if form.validate_on_submit():
        try:
            plan = services.open_plan(
                employee, current_user, _plan_input(form), {uid for uid, _l in coaches}
            )
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except CareerError as exc:
            db.session.rollback()
            flash_error(exc)
            return redirect(url_for("careers.coaching_team"))
        else:
            db.session.commit()
            flash(_("Rencana pendampingan %(n)s dibuka.", n=employee.display_name), "success")
            return redirect(url_for("careers.coaching_plan", coaching_plan_id=plan.id))
    return render_template(
        "careers/sessions/coaching/open.html",
        form=form,
        employee=employee,
        evaluation=services.low_evaluation(employee.id),
        predikats=PREDIKAT_LABELS,
    ), 422 if request.method == "POST" else 200


@bp.route("/pendampingan/<int:coaching_plan_id>")
@require(C.LEARN, C.COACH, C.VIEW_TEAM, C.VERIFY_RECORDS)
def coaching_plan(coaching_plan_id: int):
    return _plan_page(_plan(coaching_plan_id))


@bp.route("/pendampingan/<int:coaching_plan_id>/catatan", methods=["POST"])
@require(C.COACH, C.VIEW_TEAM)
def coaching_note(coaching_plan_id: int):
    plan = _plan(coaching_plan_id, services.can_note)
    form = NoteForm()
    if form.validate_on_submit():
        try:
            services.add_note(plan, current_user, form.note.data or "")
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.coaching_plan", coaching_plan_id=plan.id))
        else:
            db.session.commit()
            flash(_("Catatan tindak lanjut tersimpan."), "success")
            return redirect(url_for("careers.coaching_plan", coaching_plan_id=plan.id) + "#catatan")
    return _plan_page(plan, note_form=form, status=422)


@bp.route("/pendampingan/<int:coaching_plan_id>/tutup", methods=["POST"])
@require(C.VIEW_TEAM)
def coaching_close(coaching_plan_id: int):
    plan = _plan(coaching_plan_id, services.leads)
    form = CloseForm()
    if form.validate_on_submit() and (form.outcome.data or "").strip() and not confirmed():
        return ask(
            Confirmation(
                _("Tutup rencana pendampingan %(n)s?", n=plan.employee.display_name),
                [_("Sesi berikutnya tidak lagi dicatat pada rencana ini.")],
                _("Ya, tutup rencana"),
                url_for("careers.coaching_plan", coaching_plan_id=plan.id),
            )
        )
    if form.is_submitted() and not form.errors:
        try:
            services.close_plan(plan, current_user, form.outcome.data or "")
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.coaching_plan", coaching_plan_id=plan.id))
        else:
            db.session.commit()
            flash(_("Rencana pendampingan ditutup."), "success")
            return redirect(url_for("careers.coaching_plan", coaching_plan_id=plan.id))
    return _plan_page(plan, close_form=form, status=422)
