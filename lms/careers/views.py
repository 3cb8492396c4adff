"""Learning record, verification of outside learning, JP ledger screens and development plans."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms import charts
from lms.careers import bp, ledger, queries, services
from lms.careers import evidence as evidence_files
from lms.careers.forms import (
    ActivityForm,
    DecisionForm,
    NeedForm,
    OutsideRecordForm,
    ReviewForm,
)
from lms.careers.models import LearningRecord
from lms.careers.plan_models import DevelopmentPlan, PlanActivity, PlanNeed
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
from lms.courses.models import Course, CourseVersion
from lms.db import db_int
from lms.enrolments.models import Cohort
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today, number
from lms.main.dashboard import section
from lms.org.models import Employee, Unit
from lms.permissions import Capability, Role, can, refuse, require, unit_in_scope
from lms.storage import StorageError, get_storage

C = Capability


LABELS = {
    "record": services.RECORD_STATUS_LABELS,
    "kind": services.KIND_LABELS,
    "plan": services.PLAN_STATUS_LABELS,
    "reason": services.REASON_LABELS,
    "activity": services.ACTIVITY_LABELS,
}


def _jp_rules_note() -> str:
    """One line naming each kind's own target, for tables that mix PNS and PPPK."""
    pns, pppk = ledger.rule_of("pns"), ledger.rule_of("pppk")
    if pns.target == pppk.target:
        return ""
    return _(
        "Target per jenis pegawai: PNS/CPNS %(a)s JP, PPPK %(b)s JP (%(basis)s).",
        a=pns.target,
        b=pppk.target,
        basis=pppk.basis,
    )


@bp.app_template_global("jp_rules_note")
def _jp_rules_note_global() -> str:
    return _jp_rules_note()


@bp.app_template_global("ledger_labels")
def _ledger_labels() -> dict[str, dict]:
    """Labels of record states, competency kinds, plan states (also used by dashboard sections)."""
    return LABELS


@bp.app_template_filter("jp_fmt")
def _jp(value: Decimal | float | int | None) -> str:
    """JP as people write it in the reader's language: 20, 2,5 (Indonesian), 2.5 (English)."""
    return number(value if value is not None else 0)


def _year_arg() -> int:
    return year_arg(2000, local_today().year + 1)


def _years() -> list[int]:
    return years(local_today().year + 1)


# --- JP charts ----------------------------------------------------------------------------------


def jp_charts(employee_id: int) -> dict[str, Any]:
    """The gauge of this year's JP against the target of the employee's kind (PPPK: their own
    bound), the split by kind, JP per year."""
    this = local_today().year
    employee = db.session.get(Employee, employee_id)
    rule = ledger.rule_of(employee.kind if employee else None)
    target = rule.target
    now = ledger.jp_of(employee_id, this)
    years = list(range(this - HISTORY_YEARS + 1, this + 1))
    per_year = queries.jp_by_year(employee_id, years)
    gauge = charts.gauge(
        _("JP %(y)s terhadap target %(t)s JP", y=this, t=target),
        float(now["total"]),
        float(target),
        unit="JP",
    )
    bars = charts.bar_chart(
        _("JP terverifikasi per tahun"),
        [str(y) for y in years],
        [float(per_year[y]) for y in years],
        value_header=_("JP"),
        label_header=_("Tahun"),
        height=260,
        width=440,  # shown in a half-width card beside the gauge
    )
    return {
        "year": this,
        "target": target,
        "rule": rule,
        "now": now,
        "shortfall": rule.shortfall(now["total"]),
        "above_cap": rule.above_cap(now["total"]),
        "gauge": gauge,
        "bars": bars,
    }


# --- learning record ----------------------------------------------------------------------------


@bp.route("/riwayat")
@require(C.LEARN)
def records():  # noqa: ANN201
    me = current_employee()
    rows = queries.records_of(me.id)
    by_year: dict[int, list[queries.RecordRow]] = {}
    for row in rows:
        by_year.setdefault(row.record.year, []).append(row)
    return render_template(
        "careers/records.html",
        by_year=by_year,
        ledger=jp_charts(me.id),
        form=CsrfForm(),
    )


def _outside_input(form: OutsideRecordForm) -> services.OutsideInput:
    return services.OutsideInput(
        jenis_diklat_code=form.jenis_diklat_code.data,
        name=form.name.data or "",
        organiser=form.organiser.data or "",
        starts_on=form.starts_on.data,
        ends_on=form.ends_on.data,
        jp=form.jp.data,
        competency_kind=form.competency_kind.data or "",
        certificate_number=form.certificate_number.data or "",
    )


def _uploaded_evidence(form: OutsideRecordForm) -> evidence_files.Evidence | None:
    """The checked upload, None when none was sent; a refusal lands on the field."""
    upload = form.evidence.data
    if upload is None or not getattr(upload, "filename", ""):
        return None
    try:
        return evidence_files.check(upload.filename, evidence_files.read_upload(upload.stream))
    except evidence_files.EvidenceRefused as exc:
        form.evidence.errors = [*list(form.evidence.errors), str(exc)]
        return None


def _record_form(record: LearningRecord | None) -> OutsideRecordForm:
    form = OutsideRecordForm(obj=record if request.method == "GET" else None)
    form.jenis_diklat_code.choices = [(None, _("— pilih jenis diklat —"))] + [
        (j.code, f"{j.code} · {j.name}") for j in services.jenis_diklat_choices()
    ]
    return form


def _save_record(form: OutsideRecordForm, record: LearningRecord | None):  # noqa: ANN202
    """Validate, save, commit and redirect; or None (errors are on the form)."""
    if not form.validate_on_submit():
        return None
    evidence = _uploaded_evidence(form)
    if form.evidence.errors:
        # Report the other fields' problems too, so one round trip shows them all.
        apply_errors(
            form,
            services.validate_outside(
                _outside_input(form),
                set(j.code for j in services.jenis_diklat_choices()),
                local_today(),
            ),
        )
        return None
    try:
        saved = services.save_outside(current_employee(), _outside_input(form), evidence, record)
    except services.RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return None
    except services.CareerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
        return redirect(url_for("careers.records"))
    db.session.commit()
    flash(
        _("Catatan %(n)s tersimpan dan menunggu verifikasi.", n=saved.name)
        if record is None
        else _("Perubahan catatan %(n)s tersimpan.", n=saved.name),
        "success",
    )
    return redirect(url_for("careers.records"))


@bp.route("/riwayat/tambah", methods=["GET", "POST"])
@require(C.LEARN)
def record_new():  # noqa: ANN201
    current_employee()
    form = _record_form(None)
    done = _save_record(form, None)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("careers/record_form.html", form=form, record=None), status


def _own_record(learning_record_id: int) -> LearningRecord:
    record = db.session.get(LearningRecord, learning_record_id)
    if record is None:
        abort(404)
    if record.employee_id != current_employee().id:
        refuse(record)
    return record


@bp.route("/riwayat/<int:learning_record_id>/ubah", methods=["GET", "POST"])
@require(C.LEARN)
def record_edit(learning_record_id: int):  # noqa: ANN201
    record = _own_record(learning_record_id)
    if not services.editable(record):
        flash(_("Catatan ini sudah diperiksa dan tidak dapat diubah lagi."), "error")
        return redirect(url_for("careers.records"))
    form = _record_form(record)
    done = _save_record(form, record)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("careers/record_form.html", form=form, record=record), status


@bp.route("/riwayat/<int:learning_record_id>/tarik", methods=["POST"])
@require(C.LEARN)
def record_withdraw(learning_record_id: int):  # noqa: ANN201
    record = _own_record(learning_record_id)
    try:
        services.withdraw(record)
    except services.CareerError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(_("Catatan %(n)s ditarik.", n=record.name), "success")
    return redirect(url_for("careers.records"))


def can_see_record(user: Any, record: LearningRecord) -> bool:
    """The owner, their direct supervisor, and reviewers whose scope holds the employee."""
    me = user.employee_id
    if me is not None and (record.employee_id == me or record.employee.supervisor_id == me):
        return True
    return can(user, C.VERIFY_RECORDS) and unit_in_scope(user, record.employee.unit)


@bp.route("/riwayat/<int:learning_record_id>/bukti")
@require(C.LEARN, C.VERIFY_RECORDS)
def record_evidence(learning_record_id: int):  # noqa: ANN201
    record = db.session.get(LearningRecord, learning_record_id)
    if record is None or not record.evidence_key:
        abort(404)
    if not can_see_record(current_user, record):
        refuse(record)
    try:
        data = get_storage().read(record.evidence_key)
    except (OSError, StorageError):
        abort(404)
    return send_file(
        io.BytesIO(data),
        mimetype=evidence_files.mimetype_of(record.evidence_key),
        as_attachment=True,
        download_name=record.evidence_name or "bukti",
        max_age=0,
    )


# --- verification -------------------------------------------------------------------------------


@bp.route("/kelola/riwayat")
@require(C.VERIFY_RECORDS)
def review_queue():  # noqa: ANN201
    status = request.args.get("status", "pending")
    if status not in (*services.RECORD_STATUS_LABELS, ""):
        status = "pending"
    unit_id = request.args.get("unit", type=db_int)
    year = request.args.get("tahun", type=db_int)
    page = page_arg()
    items, total = queries.verification_queue(current_user, status, unit_id, year, page)
    return render_template(
        "careers/review_queue.html",
        items=items,
        total=total,
        page=page,
        pages=page_count(total, queries.PAGE_SIZE),
        status=status,
        unit_id=unit_id,
        year=year,
        units=queries.scoped_unit_choices(current_user),
        years=_years(),
    )


@bp.route("/kelola/riwayat/<int:learning_record_id>", methods=["GET", "POST"])
@require(C.VERIFY_RECORDS)
def review_record(learning_record_id: int):  # noqa: ANN201
    record = db.session.get(LearningRecord, learning_record_id)
    if record is None or record.source != "outside":
        abort(404)
    if not unit_in_scope(current_user, record.employee.unit):
        refuse(record)
    form = ReviewForm()
    done = decision(
        form,
        yes=form.verify,
        no=form.reject,
        note=form.reason,
        choose=_("Pilih Verifikasi atau Tolak."),
        decide=lambda verify, reason: services.review(record, current_user, verify, reason),
        message=lambda: (
            _("Catatan %(n)s diverifikasi.", n=record.name)
            if record.status == "verified"
            else _("Catatan %(n)s ditolak.", n=record.name)
        ),
        refused_url=url_for("careers.review_record", learning_record_id=record.id),
        done_url=url_for("careers.review_queue"),
    )
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    jenis = None
    if record.jenis_diklat_code is not None:
        from lms.org.models import JenisDiklat

        jenis = db.session.get(JenisDiklat, record.jenis_diklat_code)
    return render_template(
        "careers/review_record.html",
        record=record,
        form=form,
        jenis=jenis,
        jp_now=ledger.jp_of(record.employee_id, record.year)["total"],
        target=ledger.target(record.employee.kind),
    ), status


# --- JP tables ----------------------------------------------------------------------------------


@bp.route("/tim/jp")
@require(C.VIEW_TEAM)
def team_jp():  # noqa: ANN201
    me = current_employee()
    year = _year_arg()
    return render_template(
        "careers/team_jp.html",
        rows=queries.team_jp(me.id, year),
        year=year,
        years=_years(),
        target=ledger.target(),
    )


@bp.route("/kelola/jp")
@require(C.VIEW_REPORTS)
def hr_jp():  # noqa: ANN201
    hr_or_403()
    year = _year_arg()
    rows = queries.opd_jp_table(current_user, year)
    return render_template(
        "careers/hr_jp.html",
        rows=rows,
        year=year,
        years=_years(),
        target=ledger.target(),
    )


@bp.route("/kelola/jp/<int:unit_id>")
@require(C.VIEW_REPORTS)
def hr_jp_opd(unit_id: int):  # noqa: ANN201
    hr_or_403()
    opd = db.session.get(Unit, unit_id)
    if opd is None or opd.parent_id is not None:
        abort(404)
    path = queries.scope_path(current_user)
    in_scope = path == "" or (path and (opd.path.startswith(path) or path.startswith(opd.path)))
    if not in_scope:
        refuse(opd)
    year = _year_arg()
    page = page_arg()
    rows, total = queries.opd_under_target(current_user, opd, year, page)
    return render_template(
        "careers/hr_jp_opd.html",
        opd=opd,
        rows=rows,
        total=total,
        page=page,
        pages=page_count(total, queries.PAGE_SIZE),
        year=year,
        years=_years(),
        target=ledger.target(),
    )


# --- development plan ---------------------------------------------------------------------------


def _course_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(
        select(Course.id, CourseVersion.title, CourseVersion.jp)
        .join(CourseVersion, Course.published_version_id == CourseVersion.id)
        .where(Course.archived.is_(False))
        .order_by(CourseVersion.title, Course.id)
    ).all()
    return [(None, _("— pilih pelatihan —"))] + [
        (cid, f"{title} ({_jp(jp)} JP)") for cid, title, jp in rows
    ]


def _cohort_choices() -> list[tuple[Any, str]]:
    rows = db.session.execute(
        select(Cohort.id, Cohort.name)
        .where(Cohort.ends_on >= local_today())
        .order_by(Cohort.starts_on, Cohort.id)
    ).all()
    return [(None, _("— pilih angkatan —"))] + [(cid, name) for cid, name in rows]


def _plan_forms(plan: DevelopmentPlan | None) -> tuple[NeedForm, ActivityForm]:
    need_form = NeedForm(prefix="need")
    activity_form = ActivityForm(prefix="act")
    activity_form.need_id.choices = [(None, _("— tidak terkait kebutuhan tertentu —"))] + [
        (n.id, n.competency) for n in (plan.needs if plan else [])
    ]
    activity_form.course_id.choices = _course_choices()
    activity_form.cohort_id.choices = _cohort_choices()
    activity_form.jenis_diklat_code.choices = [(None, _("— pilih jenis diklat —"))] + [
        (j.code, f"{j.code} · {j.name}") for j in services.jenis_diklat_choices()
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
):  # noqa: ANN202
    me = current_employee()
    forms = _plan_forms(plan)
    need_form = need_form or forms[0]
    activity_form = activity_form or forms[1]
    suggestions = {
        need.id: services.suggest_courses(need.competency, need.kind, limit=3)
        for need in (plan.needs if plan else [])
    }
    return render_template(
        "careers/plan.html",
        plan=plan,
        year=year,
        this_year=local_today().year,
        years=_years(),
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
def plan():  # noqa: ANN201
    me = current_employee()
    year = _year_arg()
    return _render_plan(services.plan_of(me.id, year), year)


@bp.route("/rencana/kebutuhan", methods=["POST"])
@require(C.LEARN)
def plan_need_add():  # noqa: ANN201
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
        except services.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(need_form, exc.errors)
        except services.CareerError as exc:
            db.session.rollback()
            flash(str(exc), "error")
            return redirect(url_for("careers.plan"))
        else:
            db.session.commit()
            flash(_("Kebutuhan %(n)s ditambahkan.", n=data.competency.strip()), "success")
            return redirect(url_for("careers.plan") + "#kebutuhan")
    return _render_plan(services.plan_of(me.id, year), year, need_form=need_form, status=422)


@bp.route("/rencana/kegiatan", methods=["POST"])
@require(C.LEARN)
def plan_activity_add():  # noqa: ANN201
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
        except services.RecordInvalid as exc:
            db.session.rollback()
            apply_errors(activity_form, exc.errors)
        except services.CareerError as exc:
            db.session.rollback()
            flash(str(exc), "error")
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


def _plan_change(change, item: Any, message: str):  # noqa: ANN001, ANN202
    commit_or_flash(lambda: change(item), message)  # CSRF: CSRFProtect checks every POST
    return redirect(url_for("careers.plan"))


@bp.route("/rencana/kebutuhan/<int:plan_need_id>/hapus", methods=["POST"])
@require(C.LEARN)
def plan_need_delete(plan_need_id: int):  # noqa: ANN201
    need = _own_plan_item(PlanNeed, plan_need_id)
    return _plan_change(services.remove_need, need, _("Kebutuhan dihapus dari rencana."))


@bp.route("/rencana/kegiatan/<int:plan_activity_id>/hapus", methods=["POST"])
@require(C.LEARN)
def plan_activity_delete(plan_activity_id: int):  # noqa: ANN201
    activity = _own_plan_item(PlanActivity, plan_activity_id)
    return _plan_change(services.remove_activity, activity, _("Kegiatan dihapus dari rencana."))


@bp.route("/rencana/ajukan", methods=["POST"])
@require(C.LEARN)
def plan_submit():  # noqa: ANN201
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
def team_plan(dev_plan_id: int):  # noqa: ANN201
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
        "careers/team_plan.html",
        plan=plan,
        form=form,
        jp=ledger.jp_of(plan.employee_id, plan.year),
        target=ledger.target(plan.employee.kind),
    ), status


# --- dashboard sections -------------------------------------------------------------------------


@section(12)
def _learner_jp_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if user.employee_id is None or not can(user, C.LEARN):
        return None
    return "careers/_dash_jp.html", jp_charts(user.employee_id)


@section(42)
def _supervisor_jp_section(user: Any) -> tuple[str, dict[str, Any]] | None:
    if Role.ATASAN not in user.roles or user.employee_id is None:
        return None
    year = local_today().year
    rows = queries.team_jp(user.employee_id, year)
    return "careers/_dash_team_jp.html", {
        "rows": rows[:5],
        "total": len(rows),
        "under": sum(1 for r in rows if r.shortfall > 0),
        "year": year,
        "target": ledger.target(),
        "rules": _jp_rules_note(),
        "plans": queries.plans_waiting(user.employee_id, limit=5),
    }
