"""Development plan screens: the employee's plan for a year and the supervisor's decision."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.ledger import queries as ledger
from lms.careers.plans import queries, services
from lms.careers.plans.forms import ActivityForm, DecisionForm, NeedForm
from lms.careers.plans.models import DevelopmentPlan, PlanActivity, PlanNeed
from lms.careers.plans.suggestions import suggest_courses
from lms.careers.records.services import jenis_diklat_choices
from lms.careers.view_helpers import (
    apply_errors,
    commit_or_flash,
    current_employee,
    decision,
    year_arg_to_next,
    years_to_next,
)
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today, number
from lms.permissions import Capability, refuse, require

C = Capability


def _plan_forms(plan: DevelopmentPlan | None) -> tuple[NeedForm, ActivityForm]:
    need_form = NeedForm(prefix="need")
    activity_form = ActivityForm(prefix="act")
    activity_form.need_id.choices = [(None, _("— tidak terkait kebutuhan tertentu —"))] + [
        (n.id, n.competency) for n in (plan.needs if plan else [])
    ]
    activity_form.course_id.choices = [(None, _("— pilih pelatihan —"))] + [
        (cid, f"{title} ({number(jp)} JP)") for cid, title, jp in queries.course_choices()
    ]
    activity_form.cohort_id.choices = [(None, _("— pilih angkatan —"))] + [
        (cid, name) for cid, name in queries.open_cohorts(local_today())
    ]
    activity_form.jenis_diklat_code.choices = [(None, _("— pilih jenis diklat —"))] + [
        (j.code, f"{j.code} · {j.name}") for j in jenis_diklat_choices()
    ]
    if request.method == "GET":
        need_form.current_level.data = 1
        need_form.target_level.data = 3
    return need_form, activity_form


def _render_plan(
    plan: DevelopmentPlan | None,
    year: int,
    need_form: NeedForm | None = None,
    activity_form: ActivityForm | None = None,
    status: int = 200,
):
    me = current_employee()
    forms = _plan_forms(plan)
    need_form = need_form or forms[0]
    activity_form = activity_form or forms[1]
    suggestions = {
        need.id: suggest_courses(need.competency, need.kind, limit=3)
        for need in (plan.needs if plan else [])
    }
    return render_template(
        "careers/plans/plan.html",
        plan=plan,
        year=year,
        this_year=local_today().year,
        years=years_to_next(),
        employee=me,
        need_form=need_form,
        activity_form=activity_form,
        action_form=CsrfForm(),
        suggestions=suggestions,
        jp=ledger.jp_of(me.id, year),
        target=ledger.target(me.kind),
    ), status


@bp.route("/rencana")
@require(C.LEARN)
def plan():
    me = current_employee()
    year = year_arg_to_next()
    return _render_plan(services.plan_of(me.id, year), year)


@bp.route("/rencana/kebutuhan", methods=["POST"])
@require(C.LEARN)
def plan_need_add():
    me = current_employee()
    year = local_today().year
    plan = services.plan_of(me.id, year)
    need_form, _activity = _plan_forms(plan)
    if need_form.validate_on_submit():
        data = services.NeedInput(
            competency=need_form.competency.data or "",
            kind=need_form.kind.data or "",
            current_level=need_form.current_level.data,
            target_level=need_form.target_level.data,
            reason=need_form.reason.data or "",
            note=need_form.note.data or "",
        )
        try:
            services.add_need(services.ensure_plan(me, year), data)
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(need_form, exc.errors)
        except CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.plan"))
        else:
            db.session.commit()
            flash(_("Kebutuhan %(n)s ditambahkan.", n=data.competency.strip()), "success")
            return redirect(url_for("careers.plan") + "#kebutuhan")
    return _render_plan(services.plan_of(me.id, year), year, need_form=need_form, status=422)


@bp.route("/rencana/kegiatan", methods=["POST"])
@require(C.LEARN)
def plan_activity_add():
    me = current_employee()
    year = local_today().year
    plan = services.plan_of(me.id, year)
    _need, activity_form = _plan_forms(plan)
    if activity_form.validate_on_submit():
        data = services.ActivityInput(
            kind=activity_form.kind.data or "",
            need_id=activity_form.need_id.data,
            course_id=activity_form.course_id.data,
            cohort_id=activity_form.cohort_id.data,
            other_text=activity_form.other_text.data or "",
            jenis_diklat_code=activity_form.jenis_diklat_code.data,
            target_jp=activity_form.target_jp.data,
            deadline=activity_form.deadline.data,
        )
        try:
            services.add_activity(services.ensure_plan(me, year), data)
        except RecordInvalid as exc:
            db.session.rollback()
            apply_errors(activity_form, exc.errors)
        except CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.plan"))
        else:
            db.session.commit()
            flash(_("Kegiatan ditambahkan ke rencana."), "success")
            return redirect(url_for("careers.plan") + "#kegiatan")
    return _render_plan(
        services.plan_of(me.id, year), year, activity_form=activity_form, status=422
    )


def _own_plan_item(model: type, item_id: int) -> Any:
    item = db.session.get(model, item_id)
    if item is None:
        abort(404)
    if item.plan.employee_id != current_employee().id:
        refuse(item)
    return item


def _plan_change(change, item: Any, message: str):
    commit_or_flash(lambda: change(item), message)  # CSRF: CSRFProtect checks every POST
    return redirect(url_for("careers.plan"))


@bp.route("/rencana/kebutuhan/<int:plan_need_id>/hapus", methods=["POST"])
@require(C.LEARN)
def plan_need_delete(plan_need_id: int):
    need = _own_plan_item(PlanNeed, plan_need_id)
    return _plan_change(services.remove_need, need, _("Kebutuhan dihapus dari rencana."))


@bp.route("/rencana/kegiatan/<int:plan_activity_id>/hapus", methods=["POST"])
@require(C.LEARN)
def plan_activity_delete(plan_activity_id: int):
    activity = _own_plan_item(PlanActivity, plan_activity_id)
    return _plan_change(services.remove_activity, activity, _("Kegiatan dihapus dari rencana."))


@bp.route("/rencana/ajukan", methods=["POST"])
@require(C.LEARN)
def plan_submit():
    me = current_employee()
    plan = services.plan_of(me.id, local_today().year)
    if plan is None:
        flash(_("Susun rencana terlebih dahulu."), "error")
        return redirect(url_for("careers.plan"))
    return _plan_change(
        services.submit_plan, plan, _("Rencana diajukan kepada atasan langsung Anda.")
    )


@bp.route("/tim/rencana/<int:dev_plan_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def team_plan(dev_plan_id: int):
    plan = db.session.get(DevelopmentPlan, dev_plan_id)
    if plan is None:
        abort(404)
    if not services.is_direct_supervisor(current_user, plan):
        refuse(plan)
    form = DecisionForm()
    done = decision(
        form,
        yes=form.agree,
        no=form.send_back,
        note=form.comment,
        choose=_("Pilih Setujui atau Kembalikan."),
        decide=lambda agree, comment: services.decide_plan(plan, current_user, agree, comment),
        message=lambda: (
            _("Rencana %(n)s disetujui.", n=plan.employee.display_name)
            if plan.status == "agreed"
            else _("Rencana %(n)s dikembalikan.", n=plan.employee.display_name)
        ),
        refused_url=url_for("careers.team_plan", dev_plan_id=plan.id),
        done_url=url_for("careers.team_jp", tahun=plan.year),
    )
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/plans/team_plan.html",
        plan=plan,
        form=form,
        jp=ledger.jp_of(plan.employee_id, plan.year),
        target=ledger.target(plan.employee.kind),
    ), status
