"""SKP (performance appraisal), the appraisal import and the career view.

Thin views: load → 404, capability and object check → 403, form, one service call, commit once.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import charts
from lms.careers import appraisal_import, bp, career_services, queries
from lms.careers import skp_services as skp
from lms.careers.predikat import PREDIKAT_MATRIX, Predikat, Rating
from lms.careers.skp_forms import (
    DecisionForm,
    FeedbackForm,
    ImportConfirmForm,
    ImportUploadForm,
    SkpSettingsForm,
    TargetForm,
    evaluation_form,
)
from lms.careers.skp_models import SkpEvaluation, SkpPeriod, SkpTarget
from lms.careers.view_helpers import (
    HISTORY_YEARS,
    apply_errors,
    commit_or_flash,
    current_employee,
    decision,
    hr_or_403,
    page_arg,
    page_count,
    year_arg,
    years,
)
from lms.db import db_int
from lms.extensions import db
from lms.forms import CsrfForm
from lms.imports import store_pending
from lms.indonesian import local_today
from lms.org.models import Employee, Instansi, Unit
from lms.permissions import Capability, can, refuse, require, unit_in_scope
from lms.storage import get_storage

C = Capability
_KEY_RE = re.compile(r"^imports/[0-9a-f]{32}\.(csv|xlsx)$")
SESSION_KEY = "skp_import_key"
SESSION_NAME = "skp_import_name"


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


def _render_my_skp(year: int, target_form: TargetForm | None = None, status: int = 200):  # noqa: ANN202
    me = current_employee()
    periods = skp.periods_of(me.id, year)
    period = periods[-1] if periods else None
    start, end = date(year, 1, 1), date(year + 1, 1, 1)
    return render_template(
        "careers/skp_my.html",
        employee=me,
        period=period,
        earlier=periods[:-1],
        frequency_labels=skp.EVALUATION_PERIOD_LABELS,
        change_labels=skp.CHANGE_REASON_LABELS,
        year=year,
        this_year=local_today().year,
        years=_years(),
        form=target_form or TargetForm(),
        action_form=CsrfForm(),
        evidence=skp.evidence_candidates(me.id, start, end),
        frequency=skp.evaluation_period_of(me),
    ), status


@bp.route("/kinerja")
@require(C.LEARN)
def skp_my():  # noqa: ANN201
    return _render_my_skp(_year_arg())


@bp.route("/kinerja/sasaran", methods=["POST"])
@require(C.LEARN)
def skp_target_add():  # noqa: ANN201
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
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("careers.skp_my"))
        else:
            db.session.commit()
            flash(_("Rencana hasil kerja ditambahkan."), "success")
            return redirect(url_for("careers.skp_my") + "#sasaran")
    return _render_my_skp(year, form, 422)


@bp.route("/kinerja/sasaran/<int:skp_target_id>/hapus", methods=["POST"])
@require(C.LEARN)
def skp_target_delete(skp_target_id: int):  # noqa: ANN201
    target = db.session.get(SkpTarget, skp_target_id)
    if target is None:
        abort(404)
    if target.period.employee_id != current_employee().id:
        refuse(target)
    commit_or_flash(lambda: skp.remove_target(target), _("Rencana hasil kerja dihapus."))
    return redirect(url_for("careers.skp_my") + "#sasaran")


@bp.route("/kinerja/ajukan", methods=["POST"])
@require(C.LEARN)
def skp_submit():  # noqa: ANN201
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
def skp_evaluation(skp_evaluation_id: int):  # noqa: ANN201
    evaluation = _evaluation_or_404(skp_evaluation_id)
    period = evaluation.period
    if not skp.can_view_period(current_user, period):
        refuse(evaluation)
    return render_template(
        "careers/skp_evaluation.html",
        evaluation=evaluation,
        period=period,
        targets={str(t.id): t for t in period.targets},
        is_owner=current_user.employee_id == period.employee_id,
        is_supervisor=skp.is_direct_supervisor(current_user, period),
        action_form=CsrfForm(),
        suggestions=skp.suggestions_for(evaluation),
    )


@bp.route("/kinerja/evaluasi/<int:skp_evaluation_id>/akui", methods=["POST"])
@require(C.LEARN)
def skp_acknowledge(skp_evaluation_id: int):  # noqa: ANN201
    evaluation = _evaluation_or_404(skp_evaluation_id)
    if evaluation.period.employee_id != current_employee().id:
        refuse(evaluation)
    commit_or_flash(
        lambda: skp.acknowledge(evaluation, current_user),
        _("Terima kasih; evaluasi %(l)s telah Anda baca.", l=evaluation.label),
    )
    return redirect(url_for("careers.skp_evaluation", skp_evaluation_id=evaluation.id))


# --- the supervisor -------------------------------------------------------------------------------


@bp.route("/tim/kinerja")
@require(C.VIEW_TEAM)
def team_skp():  # noqa: ANN201
    me = current_employee()
    year = _year_arg()
    return render_template(
        "careers/skp_team.html",
        rows=skp.team_periods(me.id, year),
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
):  # noqa: ANN202
    start, end = period.first_day, period.end
    return render_template(
        "careers/skp_period.html",
        period=period,
        employee=period.employee,
        form=decision or DecisionForm(),
        feedback_form=feedback or FeedbackForm(),
        evidence=skp.evidence_candidates(period.employee_id, start, end),
        open_slots=skp.open_slots(period),
        change_labels=skp.CHANGE_REASON_LABELS,
        has_annual=any(e.kind == "annual" for e in period.evaluations),
    ), status


@bp.route("/tim/kinerja/<int:skp_period_id>", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def team_skp_period(skp_period_id: int):  # noqa: ANN201
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
def skp_feedback(skp_period_id: int):  # noqa: ANN201
    period = _supervised_period(skp_period_id)
    form = FeedbackForm()
    if form.validate_on_submit():
        try:
            skp.add_feedback(period, current_user, form.kind.data or "", form.note.data or "")
        except skp.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
        except skp.CareerError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("careers.team_skp_period", skp_period_id=period.id))
        else:
            db.session.commit()
            flash(_("Umpan balik tersimpan dan dapat dibaca pegawai."), "success")
            return redirect(
                url_for("careers.team_skp_period", skp_period_id=period.id) + "#umpan-balik"
            )
    return _render_period(period, feedback=form, status=422)


def _slot_choices(period: SkpPeriod) -> list[skp.Slot]:
    slots = list(skp.open_slots(period))
    if period.ends_on is None and not any(e.kind == "annual" for e in period.evaluations):
        slots.append(skp.period_annual_slot(period))
    return slots


def _chosen_slot(period: SkpPeriod) -> skp.Slot | None:
    """POST: the hidden kind/sequence; GET: ?periode=periodic:3 or the latest open slot."""
    if request.method == "POST":
        kind = request.form.get("kind", "")
        sequence = request.form.get("sequence", "")
    else:
        kind, _sep, sequence = request.args.get("periode", "").partition(":")
    if kind:
        try:
            return skp.slot_of(period, kind, int(sequence or 0))
        except ValueError:
            return None
    choices = _slot_choices(period)
    periodic = [s for s in choices if s.kind == "periodic"]
    if periodic:
        return periodic[-1]
    return choices[-1] if choices else None


@bp.route("/tim/kinerja/<int:skp_period_id>/evaluasi", methods=["GET", "POST"])
@require(C.VIEW_TEAM)
def skp_evaluate(skp_period_id: int):  # noqa: ANN201
    period = _supervised_period(skp_period_id)
    slot = _chosen_slot(period)
    candidates = skp.evidence_candidates(period.employee_id, slot.starts, slot.ends) if slot else []
    form = evaluation_form(
        period.targets,
        [(c.id, f"{c.title} ({c.code})") for c in candidates],
    )
    status = 200
    if request.method == "GET":
        form.evidence.data = [c.id for c in candidates]
        if slot:
            form.kind.data = slot.kind
            form.sequence.data = str(slot.sequence)
    elif form.validate_on_submit():
        data = skp.EvaluationInput(
            kind=form.kind.data or "",
            sequence=int(form.sequence.data) if (form.sequence.data or "").isdigit() else None,
            hasil_kerja=form.hasil_kerja.data or "",
            perilaku=form.perilaku.data or "",
            note=form.note.data or "",
            behaviour_notes={
                code: getattr(form, f"nilai_{code}").data or "" for code in skp.BERAKHLAK_CODES
            },
            target_ratings={
                t.id: getattr(form, f"sasaran_{t.id}").data or "" for t in period.targets
            },
            acknowledged=set(form.evidence.data or []),
        )
        try:
            evaluation = skp.evaluate(period, current_user, data)
        except skp.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(form, exc.errors)
            status = 422
        except skp.CareerError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("careers.team_skp_period", skp_period_id=period.id))
        else:
            label, result = evaluation.label, skp.predikat_label(evaluation.predikat)
            evaluation_id = evaluation.id
            db.session.commit()
            flash(_("Evaluasi %(l)s tersimpan: predikat %(p)s.", l=label, p=result), "success")
            return redirect(url_for("careers.skp_evaluation", skp_evaluation_id=evaluation_id))
    else:
        status = 422
    return render_template(
        "careers/skp_evaluate.html",
        period=period,
        employee=period.employee,
        form=form,
        slot=slot,
        slots=_slot_choices(period),
        # Said before the form is filled in: a period is evaluated only after it ends.
        timing=skp.timing_problem(period, slot, local_today()) if slot else None,
        candidates=candidates,
        matrix=_matrix(),
        berakhlak=[(code, getattr(form, f"nilai_{code}")) for code in skp.BERAKHLAK_CODES],
        target_fields=[(t, getattr(form, f"sasaran_{t.id}")) for t in period.targets],
    ), status


# --- HR -----------------------------------------------------------------------------------------


@bp.route("/kelola/kinerja/pengaturan", methods=["GET", "POST"])
@require(C.MANAGE_APPRAISALS, C.MANAGE_USERS)
def skp_settings():  # noqa: ANN201
    """BKPSDM (or the system administrator) chooses each instansi's SKP evaluation period."""
    instansi = list(db.session.scalars(select(Instansi).order_by(Instansi.name)))
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
            label = skp.EVALUATION_PERIOD_LABELS[chosen.evaluation_period]
            name = chosen.name
            db.session.commit()
            flash(_("Evaluasi periodik SKP %(n)s: %(p)s.", n=name, p=str(label).lower()), "success")
            return redirect(url_for("careers.skp_settings"))
    return render_template(
        "careers/skp_settings.html",
        form=form,
        instansi=instansi,
        labels=skp.EVALUATION_PERIOD_LABELS,
    ), (422 if form.errors else 200)


@bp.route("/kelola/kinerja")
@require(C.MANAGE_APPRAISALS, C.VIEW_REPORTS)
def skp_distribution():  # noqa: ANN201
    hr_or_403()
    year = _year_arg()
    rows = skp.predikat_distribution(current_user, year)
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
        "careers/skp_distribution.html",
        rows=rows,
        chart=chart,
        predikats=list(Predikat),
        can_import=can(current_user, C.MANAGE_APPRAISALS),
        year=year,
        years=_years(),
    )


@bp.route("/kelola/kinerja/impor", methods=["GET", "POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import():  # noqa: ANN201
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(current_app.config["IMPORT_MAX_BYTES"] + 1)
        if len(data) > current_app.config["IMPORT_MAX_BYTES"]:
            abort(413)
        suffix = ".xlsx" if upload.filename.lower().endswith(".xlsx") else ".csv"
        checked = appraisal_import.preview(current_user, upload.filename, data)
        confirm = None
        if checked.ok:
            key = store_pending("imports", suffix, data, replacing=session.get(SESSION_KEY))
            session[SESSION_KEY] = key
            session[SESSION_NAME] = upload.filename[:200]
            confirm = ImportConfirmForm(key=key)
        db.session.rollback()
        return render_template(
            "careers/skp_import_preview.html",
            preview=checked,
            confirm=confirm,
            filename=upload.filename,
            columns=appraisal_import.COLUMNS,
        ), (200 if checked.ok else 422)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "careers/skp_import.html",
        form=form,
        columns=appraisal_import.COLUMNS,
        required=appraisal_import.REQUIRED,
    ), status


@bp.route("/kelola/kinerja/impor/konfirmasi", methods=["POST"])
@require(C.MANAGE_APPRAISALS)
def skp_import_confirm():  # noqa: ANN201
    form = ImportConfirmForm()
    key = form.key.data or ""
    stale = _("Pratinjau impor sudah tidak berlaku. Unggah ulang berkasnya.")
    if not form.validate_on_submit() or key != session.get(SESSION_KEY) or not _KEY_RE.match(key):
        flash(stale, "error")
        return redirect(url_for("careers.skp_import"))
    storage = get_storage()
    if not storage.exists(key):
        flash(stale, "error")
        return redirect(url_for("careers.skp_import"))
    filename = session.get(SESSION_NAME, "")
    checked = appraisal_import.preview(current_user, key, storage.read(key))
    try:
        count = appraisal_import.apply(current_user, checked)
    except skp.CareerError as exc:
        db.session.rollback()
        storage.delete(key)  # this upload can no longer be confirmed
        session.pop(SESSION_KEY, None)
        flash(str(exc), "error")
        return render_template(
            "careers/skp_import_preview.html",
            preview=checked,
            confirm=None,
            filename=filename,
            columns=appraisal_import.COLUMNS,
        ), 422
    db.session.commit()
    storage.delete(key)
    session.pop(SESSION_KEY, None)
    session.pop(SESSION_NAME, None)
    flash(_("Impor selesai: %(n)s evaluasi tahunan tersimpan.", n=count), "success")
    return redirect(url_for("careers.skp_distribution"))


# --- career view --------------------------------------------------------------------------------


@bp.route("/karier")
@require(C.LEARN)
def career():  # noqa: ANN201
    me = current_employee()
    return render_template("careers/career_view.html", own=True, **career_services.career_view(me))


@bp.route("/kelola/pegawai/<int:employee_id>/karier")
@require(C.VIEW_TEAM, C.VIEW_REPORTS, C.MANAGE_APPRAISALS)
def employee_career(employee_id: int):  # noqa: ANN201
    employee = db.session.get(Employee, employee_id)
    if employee is None:
        abort(404)
    mine = current_user.employee_id
    supervisor = mine is not None and employee.supervisor_id == mine
    if not (supervisor or skp.is_hr_for(current_user, employee)):
        refuse(employee)
    return render_template(
        "careers/career_view.html",
        own=employee.id == mine,
        **career_services.career_view(employee),
    )


@bp.route("/kelola/karier/kekurangan")
@require(C.MANAGE_APPRAISALS, C.VIEW_REPORTS)
def career_gaps():  # noqa: ANN201
    hr_or_403()
    unit_id = request.args.get("unit", type=db_int)
    unit = None
    if unit_id:
        unit = db.session.get(Unit, unit_id)
        if unit is None:
            abort(404)
        if not unit_in_scope(current_user, unit):
            refuse(unit)
    page = page_arg()
    rows, total = career_services.gaps(current_user, unit, page)
    return render_template(
        "careers/career_gaps.html",
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, career_services.PAGE_SIZE),
        unit=unit,
        units=queries.scoped_unit_choices(current_user),
    )
