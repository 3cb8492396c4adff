"""SKP (performance appraisal) screens: the employee's SKP, the supervisor's team and
evaluations, HR's settings and predikat distribution.

Thin views: load → 404, capability and object check → 403, form, one service call, commit once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from lms import charts
from lms.careers import bp
from lms.careers.skp import evaluations, schedule
from lms.careers.skp import queries as skp_queries
from lms.careers.skp import services as skp
from lms.careers.skp.forms import (
    DecisionForm,
    FeedbackForm,
    SkpSettingsForm,
    TargetForm,
    evaluation_form,
)
from lms.careers.skp.models import SkpEvaluation, SkpPeriod, SkpTarget
from lms.careers.skp.predikat import PREDIKAT_MATRIX, Predikat, Rating
from lms.careers.view_helpers import (
    HISTORY_YEARS,
    apply_errors,
    commit_or_flash,
    current_employee,
    decision,
    hr_or_403,
    year_arg,
    years,
)
from lms.errors import flash_error
from lms.evaluations.followup import queries as followups
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today
from lms.permissions import Capability, can, refuse, require

C = Capability


@bp.app_template_global("skp_labels")
def _skp_labels() -> dict[str, Any]:
    return {
        "rating": skp.RATING_LABELS,
        "predikat": skp.PREDIKAT_LABELS,
        "status": skp.PERIOD_STATUS_LABELS,
        "kind": skp.KIND_LABELS,
        "feedback": skp.FEEDBACK_LABELS,
        "berakhlak": dict(skp.BERAKHLAK),
        "low": skp.LOW_PREDIKATS,
    }


def _years() -> list[int]:
    return years(local_today().year)


def _year_arg() -> int:
    this = local_today().year
    return year_arg(this - HISTORY_YEARS, this)


def _matrix() -> list[tuple[Rating, list[Predikat]]]:
    """The predikat matrix as rows (hasil kerja) × columns (perilaku: below, meets, above)."""
    columns = (Rating.DI_BAWAH, Rating.SESUAI, Rating.DI_ATAS)
    return [
        (hk, [PREDIKAT_MATRIX[(hk, pk)] for pk in columns])
        for hk in (Rating.DI_ATAS, Rating.SESUAI, Rating.DI_BAWAH)
    ]


# --- the employee's SKP -------------------------------------------------------------------------


def _render_my_skp(year: int, target_form: TargetForm | None = None, status: int = 200):
    me = current_employee()
    periods = skp.periods_of(me.id, year)
    period = periods[-1] if periods else None
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return render_template(
        "careers/skp/my.html",
        employee=me,
        period=period,
        earlier=periods[:-1],
        frequency_labels=schedule.EVALUATION_PERIOD_LABELS,
        change_labels=skp.CHANGE_REASON_LABELS,
        year=year,
        this_year=local_today().year,
        years=_years(),
        form=target_form or TargetForm(),
        action_form=CsrfForm(),
        evidence=evaluations.evidence_candidates(me.id, start, end),
        followups=followups.evidence(me.id, start, end),
        frequency=schedule.evaluation_period_of(me),
    ), status


@bp.route("/kinerja")
@require(C.LEARN)
def skp_my():
    return _render_my_skp(_year_arg())


@bp.route("/kinerja/sasaran", methods=["POST"])
@require(C.LEARN)
def skp_target_add():
    me = current_employee()
    year = local_today().year
    form = TargetForm()
    valid = form.validate_on_submit()
    data = skp.TargetInput(
        description=form.description.data or "",
        indicator=form.indicator.data or "",
        target_text=form.target_text.data or "",
        target_value=form.target_value.data if valid else None,
    )
    if not valid:  # report the rules' problems too, so one round trip shows them all
        apply_errors(
            form,
            {k: v for k, v in skp.validate_target(data).items() if not getattr(form, k).errors},
        )
    else:
        try:
            skp.add_target(skp.ensure_period(me, year), data)
        except skp.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except skp.CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.skp_my"))
        else:
            db.session.commit()
            flash(_("Rencana hasil kerja ditambahkan."), "success")
            return redirect(url_for("careers.skp_my") + "#sasaran")
    return _render_my_skp(year, form, 422)


@bp.route("/kinerja/sasaran/<int:skp_target_id>/hapus", methods=["POST"])
@require(C.LEARN)
def skp_target_delete(skp_target_id: int):
    target = db.session.get(SkpTarget, skp_target_id)
    if target is None:
        abort(404)
    if target.period.employee_id != current_employee().id:
        refuse(target)
    commit_or_flash(lambda: skp.remove_target(target), _("Rencana hasil kerja dihapus."))
    return redirect(url_for("careers.skp_my") + "#sasaran")


@bp.route("/kinerja/ajukan", methods=["POST"])
@require(C.LEARN)
def skp_submit():
    me = current_employee()
    period = skp.period_of(me.id, local_today().year)
    if period is None:
        flash(_("Susun rencana hasil kerja terlebih dahulu."), "error")
        return redirect(url_for("careers.skp_my"))
    commit_or_flash(
        lambda: skp.submit_period(period), _("SKP diajukan kepada atasan langsung Anda.")
    )
    return redirect(url_for("careers.skp_my"))


# --- the evaluation result ------------------------------------------------------------------------


def _evaluation_or_404(skp_evaluation_id: int) -> SkpEvaluation:
    evaluation = db.session.get(SkpEvaluation, skp_evaluation_id)
    if evaluation is None:
        abort(404)
    return evaluation


@bp.route("/kinerja/evaluasi/<int:skp_evaluation_id>")
@require(C.LEARN, C.VIEW_TEAM, C.VIEW_REPORTS, C.MANAGE_APPRAISALS)
def skp_evaluation(skp_evaluation_id: int):
    evaluation = _evaluation_or_404(skp_evaluation_id)
    period = evaluation.period
    if not skp.can_view_period(current_user, period):
        refuse(evaluation)
    slot = schedule.slot_of(period, evaluation.kind, evaluation.sequence)
    starts, ends = (slot.starts, slot.ends) if slot else (period.first_day, period.end)
    return render_template(
        "careers/skp/evaluation.html",
        followups=followups.evidence(period.employee_id, starts, ends),
        evaluation=evaluation,
        period=period,
        targets={str(t.id): t for t in period.targets},
        is_owner=current_user.employee_id == period.employee_id,
        is_supervisor=skp.is_direct_supervisor(current_user, period),
        action_form=CsrfForm(),
        suggestions=evaluations.suggestions_for(evaluation),
    )


@bp.route("/kinerja/evaluasi/<int:skp_evaluation_id>/akui", methods=["POST"])
@require(C.LEARN)
def skp_acknowledge(skp_evaluation_id: int):
    evaluation = _evaluation_or_404(skp_evaluation_id)
    if evaluation.period.employee_id != current_employee().id:
        refuse(evaluation)
    commit_or_flash(
        lambda: evaluations.acknowledge(evaluation, current_user),
        _("Terima kasih; evaluasi %(l)s telah Anda baca.", l=evaluation.label),
    )
    return redirect(url_for("careers.skp_evaluation", skp_evaluation_id=evaluation.id))


# --- the supervisor -------------------------------------------------------------------------------


@bp.route("/tim/kinerja")
@require(C.VIEW_TEAM)
def team_skp():
    me = current_employee()
    year = _year_arg()
    return render_template(
        "careers/skp/team.html",
        rows=skp_queries.team_periods(me.id, year),
        year=year,
        years=_years(),
    )


def _supervised_period(skp_period_id: int) -> SkpPeriod:
    period = db.session.get(SkpPeriod, skp_period_id)
    if period is None:
        abort(404)
    if not skp.is_direct_supervisor(current_user, period):
        refuse(period)
    return period


def _render_period(
    period: SkpPeriod,
    decision: DecisionForm | None = None,
    feedback: FeedbackForm | None = None,
    status: int = 200,
):
    start, end = period.first_day, period.end
    return render_template(
        "careers/skp/period.html",
        period=period,
        employee=period.employee,
        form=decision or DecisionForm(),
        feedback_form=feedback or FeedbackForm(),
        evidence=evaluations.evidence_candidates(period.employee_id, start, end),
        followups=followups.evidence(period.employee_id, start, end),
        open_slots=schedule.open_slots(period),
        change_labels=skp.CHANGE_REASON_LABELS,
        has_annual=any(e.kind == "annual" for e in period.evaluations),
    ), status


@bp.route("/tim/kinerja/<int:skp_period_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def team_skp_period(skp_period_id: int):
    period = _supervised_period(skp_period_id)
    form = DecisionForm()
    if request.method == "GET":
        return _render_period(period, form)
    here = url_for("careers.team_skp_period", skp_period_id=period.id)
    done = decision(
        form,
        yes=form.agree,
        no=form.send_back,
        note=form.comment,
        choose=_("Pilih Sepakati atau Kembalikan."),
        decide=lambda agree, comment: skp.decide_period(period, current_user, agree, comment),
        message=lambda: (
            _("SKP %(n)s disepakati.", n=period.employee.display_name)
            if period.status == "agreed"
            else _("SKP %(n)s dikembalikan.", n=period.employee.display_name)
        ),
        refused_url=here,
        done_url=here,
    )
    if done is not None:
        return done
    return _render_period(period, form, status=422)


@bp.route("/tim/kinerja/<int:skp_period_id>/umpan-balik", methods=["POST"])
@require(C.VIEW_TEAM)
def skp_feedback(skp_period_id: int):
    period = _supervised_period(skp_period_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            evaluations.add_feedback(
                period, current_user, form.kind.data or "", form.note.data or ""
            )
        except skp.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except skp.CareerError as exc:
            flash_error(exc)
            return redirect(url_for("careers.team_skp_period", skp_period_id=period.id))
        else:
            db.session.commit()
            flash(_("Umpan balik tersimpan dan dapat dibaca pegawai."), "success")
            return redirect(
                url_for("careers.team_skp_period", skp_period_id=period.id) + "#umpan-balik"
            )
    return _render_period(period, feedback=form, status=422)


def _chosen_slot(period: SkpPeriod) -> schedule.Slot | None:
    """POST: the hidden kind/sequence; GET: ?periode=periodic:3 or the latest open slot."""
    if request.method == "POST":
        kind = request.form.get("kind", "")
        sequence = request.form.get("sequence", "")
    else:
        kind, _sep, sequence = request.args.get("periode", "").partition(":")
    if kind:
        try:
            return schedule.slot_of(period, kind, int(sequence or 0))
        except ValueError:
            return None
    return schedule.default_slot(period)


def _evaluation_input(form: Any, period: SkpPeriod) -> evaluations.EvaluationInput:
    return evaluations.EvaluationInput(
        kind=form.kind.data or "",
        sequence=int(form.sequence.data) if (form.sequence.data or "").isdigit() else None,
        hasil_kerja=form.hasil_kerja.data or "",
        perilaku=form.perilaku.data or "",
        note=form.note.data or "",
        behaviour_notes={
            code: getattr(form, f"nilai_{code}").data or "" for code in skp.BERAKHLAK_CODES
        },
        target_ratings={t.id: getattr(form, f"sasaran_{t.id}").data or "" for t in period.targets},
        acknowledged=set(form.evidence.data or []),
    )


def _render_evaluate(
    period: SkpPeriod, slot: schedule.Slot | None, form: Any, candidates: list, status: int
):
    return render_template(
        "careers/skp/evaluate.html",
        period=period,
        employee=period.employee,
        form=form,
        slot=slot,
        slots=schedule.evaluable_slots(period),
        # Said before the form is filled in: a period is evaluated only after it ends.
        timing=schedule.timing_problem(period, slot, local_today()) if slot else None,
        candidates=candidates,
        followups=followups.evidence(period.employee_id, slot.starts, slot.ends) if slot else [],
        matrix=_matrix(),
        berakhlak=[(code, getattr(form, f"nilai_{code}")) for code in skp.BERAKHLAK_CODES],
        target_fields=[(t, getattr(form, f"sasaran_{t.id}")) for t in period.targets],
    ), status


@bp.route("/tim/kinerja/<int:skp_period_id>/evaluasi", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def skp_evaluate(skp_period_id: int):
    period = _supervised_period(skp_period_id)
    slot = _chosen_slot(period)
    candidates = (
        evaluations.evidence_candidates(period.employee_id, slot.starts, slot.ends) if slot else []
    )
    form = evaluation_form(period.targets, [(c.id, f"{c.title} ({c.code})") for c in candidates])
    if request.method == "GET":
        form.evidence.data = [c.id for c in candidates]
        if slot:
            form.kind.data = slot.kind
            form.sequence.data = str(slot.sequence)
        return _render_evaluate(period, slot, form, candidates, 200)
    if not form.validate_on_submit():
        return _render_evaluate(period, slot, form, candidates, 422)
    try:
        evaluation = evaluations.evaluate(period, current_user, _evaluation_input(form, period))
    except skp.RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return _render_evaluate(period, slot, form, candidates, 422)
    except skp.CareerError as exc:
        flash_error(exc)
        return redirect(url_for("careers.team_skp_period", skp_period_id=period.id))
    label, result = evaluation.label, skp.predikat_label(evaluation.predikat)
    evaluation_id = evaluation.id
    db.session.commit()
    flash(_("Evaluasi %(l)s tersimpan: predikat %(p)s.", l=label, p=result), "success")
    return redirect(url_for("careers.skp_evaluation", skp_evaluation_id=evaluation_id))


# --- HR -----------------------------------------------------------------------------------------


@bp.route("/kelola/kinerja/pengaturan", methods=["GET", "POST"])
@require(C.MANAGE_APPRAISALS, C.MANAGE_USERS)
def skp_settings():
    """BKPSDM (or the system administrator) chooses each instansi's SKP evaluation period."""
    instansi = skp_queries.all_instansi()
    if not instansi:
        abort(404)
    form = SkpSettingsForm()
    form.instansi_id.choices = [(i.id, i.name) for i in instansi]
    if request.method == "GET":
        chosen = instansi[0]
        form.instansi_id.data = chosen.id
        form.evaluation_period.data = chosen.evaluation_period
    elif form.validate_on_submit():
        chosen = next(i for i in instansi if i.id == form.instansi_id.data)
        try:
            skp.set_evaluation_period(chosen, form.evaluation_period.data or "", current_user)
        except skp.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        else:
            label = schedule.EVALUATION_PERIOD_LABELS[chosen.evaluation_period]
            name = chosen.name
            db.session.commit()
            flash(_("Evaluasi periodik SKP %(n)s: %(p)s.", n=name, p=str(label).lower()), "success")
            return redirect(url_for("careers.skp_settings"))
    return render_template(
        "careers/skp/settings.html",
        form=form,
        instansi=instansi,
        labels=schedule.EVALUATION_PERIOD_LABELS,
    ), (422 if form.errors else 200)


@bp.route("/kelola/kinerja")
@require(C.MANAGE_APPRAISALS, C.VIEW_REPORTS)
def skp_distribution():
    hr_or_403()
    year = _year_arg()
    rows = skp_queries.predikat_distribution(current_user, year)
    chart = charts.stacked_bar_chart(
        _("Sebaran predikat kinerja tahunan %(y)s per perangkat daerah", y=year),
        [r.name for r in rows],
        {
            **{skp.predikat_label(p.value): [r.counts[p.value] for r in rows] for p in Predikat},
            _("Belum dievaluasi"): [r.not_evaluated for r in rows],
        },
        label_header=_("Perangkat daerah"),
    )
    return render_template(
        "careers/skp/distribution.html",
        rows=rows,
        chart=chart,
        predikats=list(Predikat),
        can_import=can(current_user, C.MANAGE_APPRAISALS),
        year=year,
        years=_years(),
    )
