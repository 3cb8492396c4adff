"""Learning record screens: the employee's record, outside learning with evidence, HR's
verification queue."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.careers import bp
from lms.careers.errors import CareerError, RecordInvalid
from lms.careers.ledger import queries as ledger
from lms.careers.ledger.charts import jp_charts
from lms.careers.records import evidence as evidence_files
from lms.careers.records import queries, services
from lms.careers.records.forms import OutsideRecordForm, ReviewForm
from lms.careers.records.models import LearningRecord
from lms.careers.scope import PAGE_SIZE, scoped_unit_choices
from lms.careers.view_helpers import (
    apply_errors,
    current_employee,
    decision,
    evidence_download,
    page_arg,
    page_count,
    years_to_next,
)
from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.permissions import Capability, refuse, require, unit_in_scope

C = Capability


# --- learning record ----------------------------------------------------------------------------


@bp.route("/riwayat")
@require(C.LEARN)
def records():
    me = current_employee()
    rows = queries.records_of(me.id)
    by_year: dict[int, list[queries.RecordRow]] = {}
    for row in rows:
        by_year.setdefault(row.record.year, []).append(row)
    return render_template(
        "careers/records/records.html",
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


def _save_record(form: OutsideRecordForm, record: LearningRecord | None):
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
                services.known_codes(),
                local_today(),
            ),
        )
        return None
    try:
        saved = services.save_outside(current_employee(), _outside_input(form), evidence, record)
    except RecordInvalid as exc:
        db.session.rollback()
        apply_errors(form, exc.errors)
        return None
    except CareerError as exc:
        flash_error(exc)
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
def record_new():
    current_employee()
    form = _record_form(None)
    done = _save_record(form, None)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("careers/records/record_form.html", form=form, record=None), status


def _own_record(learning_record_id: int) -> LearningRecord:
    record = db.session.get(LearningRecord, learning_record_id)
    if record is None:
        abort(404)
    if record.employee_id != current_employee().id:
        refuse(record)
    return record


@bp.route("/riwayat/<int:learning_record_id>/ubah", methods=["GET", "POST"])
@require(C.LEARN)
def record_edit(learning_record_id: int):
    record = _own_record(learning_record_id)
    if not services.editable(record):
        flash(_("Catatan ini sudah diperiksa dan tidak dapat diubah lagi."), "error")
        return redirect(url_for("careers.records"))
    form = _record_form(record)
    done = _save_record(form, record)
    if done is not None:
        return done
    status = 422 if request.method == "POST" else 200
    return render_template("careers/records/record_form.html", form=form, record=record), status


@bp.route("/riwayat/<int:learning_record_id>/tarik", methods=["POST"])
@require(C.LEARN)
def record_withdraw(learning_record_id: int):
    record = _own_record(learning_record_id)
    if services.editable(record) and not confirmed():
        return ask(
            Confirmation(
                _("Tarik catatan %(n)s?", n=record.name),
                [
                    _("Catatan ini tidak lagi menunggu verifikasi dan JP-nya tidak dihitung."),
                    _("Untuk mengajukannya lagi, tambahkan catatan baru beserta buktinya."),
                ],
                _("Ya, tarik catatan"),
                url_for("careers.records"),
            )
        )
    try:
        services.withdraw(record)
    except CareerError as exc:
        flash_error(exc)
    else:
        db.session.commit()
        flash(_("Catatan %(n)s ditarik.", n=record.name), "success")
    return redirect(url_for("careers.records"))


@bp.route("/riwayat/<int:learning_record_id>/bukti")
@require(C.LEARN, C.VERIFY_RECORDS)
def record_evidence(learning_record_id: int):
    record = db.session.get(LearningRecord, learning_record_id)
    if record is None or not record.evidence_key:
        abort(404)
    if not services.can_see_record(current_user, record):
        refuse(record)
    return evidence_download(record.evidence_key, record.evidence_name)


# --- verification -------------------------------------------------------------------------------


@bp.route("/kelola/riwayat")
@require(C.VERIFY_RECORDS)
def review_queue():
    status = request.args.get("status", "pending")
    if status not in (*services.RECORD_STATUS_LABELS, ""):
        status = "pending"
    unit_id = request.args.get("unit", type=db_int)
    year = request.args.get("tahun", type=db_int)
    page = page_arg()
    items, total = queries.verification_queue(current_user, status, unit_id, year, page)
    return render_template(
        "careers/records/review_queue.html",
        items=items,
        total=total,
        page=page,
        pages=page_count(total, PAGE_SIZE),
        status=status,
        unit_id=unit_id,
        year=year,
        units=scoped_unit_choices(current_user),
        years=years_to_next(),
    )


@bp.route("/kelola/riwayat/<int:learning_record_id>", methods=["GET", "POST"])
@require(C.VERIFY_RECORDS)
def review_record(learning_record_id: int):
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
    return render_template(
        "careers/records/review_record.html",
        record=record,
        form=form,
        jenis=services.jenis_diklat_of(record),
        jp_now=ledger.jp_of(record.employee_id, record.year)["total"],
        target=ledger.target(record.employee.kind),
    ), status
