"""HR screens: employees, units and the employee import."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.db import db_int
from lms.errors import flash_error
from lms.extensions import db
from lms.imports import STALE, PendingImport, preview_status, read_upload, table_suffix
from lms.org import bp, employee_import, listing, queries, search, services
from lms.org.employees import save_employee
from lms.org.forms import (
    UNIT_KIND_LABELS,
    EmployeeForm,
    ImportConfirmForm,
    ImportUploadForm,
    UnitForm,
)
from lms.org.models import Employee, Golongan, Instansi, JabatanLevel, JabatanType, Unit
from lms.permissions import (
    Capability,
    can_edit_employee,
    employee_in_scope,
    refuse,
    require,
    unit_in_scope,
)

C = Capability


def _fill_choices(form: EmployeeForm) -> None:
    blank = [("", "—")]
    form.golongan.choices = blank + [
        (g.code, g.label)
        for g in db.session.scalars(select(Golongan).order_by(Golongan.kind, Golongan.rank))
    ]
    form.jenis_jabatan.choices = blank + [
        (t.code, t.name) for t in db.session.scalars(select(JabatanType).order_by(JabatanType.rank))
    ]
    form.jenjang_jabatan.choices = blank + [
        (lvl.code, lvl.name)
        for lvl in db.session.scalars(
            select(JabatanLevel).order_by(JabatanLevel.type_code, JabatanLevel.rank)
        )
    ]
    form.kode_unit.choices = [(u.code, u.label) for u in queries.unit_choices(current_user)]


def _employee_values(form: EmployeeForm) -> dict[str, str]:
    return {name: (f.data if isinstance(f.data, str) else "") for name, f in form._fields.items()}


@bp.route("/pegawai")
@require(C.VIEW_EMPLOYEES)
def employees():
    q = request.args.get("q", "")[:100]
    unit_id = request.args.get("unit", type=db_int)
    page = max(request.args.get("page", 1, type=db_int), 1)
    found = search.find_employees(current_user, q, unit_id, page)
    units = queries.unit_options(queries.unit_scope(current_user), unit_id)
    # one url_for for the table, each row adds its id (25 url_for calls were a tenth of it)
    employee_href = url_for("org.employee", employee_id=0).removesuffix("0")
    return render_template(
        "org/employees.html",
        text=listing.page_text(),
        rows=listing.employee_rows(found.rows, employee_href),
        total=found.total,
        more=found.more,
        q=q,
        unit_id=unit_id,
        page=page,
        pages=max(((found.total or 0) + queries.PAGE_SIZE - 1) // queries.PAGE_SIZE, 1),
        units=units,
    )


@bp.route("/pegawai/<int:employee_id>")
@require(C.VIEW_EMPLOYEES, C.VIEW_TEAM)
def employee(employee_id: int):
    emp = db.get_or_404(Employee, employee_id)
    if not employee_in_scope(current_user, emp):
        refuse(emp)
    team = queries.team_of(emp)
    return render_template(
        "org/employee.html", emp=emp, team=team, can_edit=can_edit_employee(current_user, emp)
    )


@bp.route("/pegawai/baru", methods=["GET", "POST"])
@bp.route("/pegawai/<int:employee_id>/ubah", methods=["GET", "POST"])
@require(C.EDIT_EMPLOYEES)
def employee_edit(employee_id: int | None = None):
    emp = db.get_or_404(Employee, employee_id) if employee_id else None
    if emp is not None and not can_edit_employee(current_user, emp):
        refuse(emp)
    form = EmployeeForm()
    _fill_choices(form)
    if request.method == "GET" and emp is not None:
        form.nip.data = emp.nip_display
        form.status.data = emp.kind
        form.nama.data = emp.full_name
        form.gelar_depan.data = emp.front_title
        form.gelar_belakang.data = emp.back_title
        form.tempat_lahir.data = emp.birth_place
        form.golongan.data = emp.golongan_code or ""
        form.jenis_jabatan.data = emp.jabatan_type_code or ""
        form.jenjang_jabatan.data = emp.jabatan_level_code or ""
        form.jabatan.data = emp.position_name
        form.kode_unit.data = emp.unit.code
        form.nip_atasan.data = emp.supervisor.nip if emp.supervisor else ""
        form.email.data = emp.email
        form.is_active.data = emp.is_active
    if form.validate_on_submit():
        try:
            saved = save_employee(emp, _employee_values(form), current_user)
            if not unit_in_scope(current_user, saved.unit):
                raise services.OrgError(
                    _("Unit kerja di luar wilayah kewenangan Anda."), "kode_unit"
                )
            saved.is_active = form.is_active.data
        except services.OrgError as exc:
            db.session.rollback()
            _fill_choices(form)
            getattr(form, exc.field or "nama").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Data pegawai %(n)s tersimpan.", n=saved.display_name), "success")
            return redirect(url_for("org.employee", employee_id=saved.id))
    return render_template("org/employee_form.html", form=form, emp=emp)


@bp.route("/unit")
@require(C.VIEW_EMPLOYEES)
def units():
    rows = db.session.scalars(queries.scoped_units(current_user)).all()
    counts = queries.unit_employee_counts([u.id for u in rows])
    return render_template("org/units.html", rows=rows, counts=counts, kind_labels=UNIT_KIND_LABELS)


@bp.route("/unit/<int:unit_id>")
@require(C.VIEW_EMPLOYEES)
def unit(unit_id: int):
    u = db.get_or_404(Unit, unit_id)
    if not unit_in_scope(current_user, u):
        refuse(u, 403)  # the organisation tree is no secret
    members = db.session.scalars(
        select(Employee).where(Employee.unit_id == u.id).order_by(Employee.full_name)
    ).all()
    return render_template("org/unit.html", unit=u, members=members, kind_labels=UNIT_KIND_LABELS)


@bp.route("/unit/baru", methods=["GET", "POST"])
@bp.route("/unit/<int:unit_id>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_UNITS)
def unit_edit(unit_id: int | None = None):
    u = db.get_or_404(Unit, unit_id) if unit_id else None
    form = UnitForm(obj=u)
    all_units = db.session.scalars(select(Unit).order_by(Unit.path)).all()
    form.parent_id.choices = [(0, _("— (perangkat daerah, tingkat teratas)"))] + [
        (x.id, f"{'— ' * x.depth}{x.name}")
        for x in all_units
        if u is None or not x.path.startswith(u.path)
    ]
    if request.method == "GET":
        form.parent_id.data = (
            u.parent_id if u else request.args.get("parent", 0, type=db_int)
        ) or 0
    if form.validate_on_submit():
        instansi = db.session.scalar(select(Instansi).limit(1))
        if instansi is None:
            abort(409)
        parent = db.session.get(Unit, form.parent_id.data) if form.parent_id.data else None
        try:
            saved = services.save_unit(
                u,
                instansi=instansi,
                code=form.code.data,
                name=form.name.data,
                kind=form.kind.data,
                parent=parent,
                siasn_id=form.siasn_id.data,
            )
        except services.OrgError as exc:
            db.session.rollback()
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Unit %(n)s tersimpan.", n=saved.name), "success")
            return redirect(url_for("org.unit", unit_id=saved.id))
    return render_template("org/unit_form.html", form=form, unit=u)


_PENDING = PendingImport("employee_import")


def _import_preview(preview: employee_import.ImportPreview, filename: str, confirm=None):
    return render_template(
        "org/import_preview.html",
        preview=preview,
        confirm=confirm,
        filename=filename,
        columns=employee_import.IMPORT_COLUMNS,
    ), preview_status(confirm is not None)


@bp.route("/impor", methods=["GET", "POST"])
@require(C.IMPORT_EMPLOYEES)
def import_employees():
    form = ImportUploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = read_upload(upload)
        preview = employee_import.preview_import(upload.filename, data)
        confirm = None
        if preview.ok:
            name = upload.filename[:200]
            key = _PENDING.keep(data, table_suffix(upload.filename), name=name)
            confirm = ImportConfirmForm(key=key)
        db.session.rollback()
        return _import_preview(preview, upload.filename, confirm)
    return render_template(
        "org/import.html",
        form=form,
        columns=employee_import.IMPORT_COLUMNS,
        required=employee_import.REQUIRED_COLUMNS,
    )


@bp.route("/impor/konfirmasi", methods=["POST"])
@require(C.IMPORT_EMPLOYEES)
def import_confirm():
    form = ImportConfirmForm()
    kept = _PENDING.take(form.key.data) if form.validate_on_submit() else None
    if kept is None:
        flash(str(STALE), "error")
        return redirect(url_for("org.import_employees"))
    entry, data = kept
    preview = employee_import.preview_import(entry["key"], data)
    try:
        created, updated = employee_import.apply_import(preview)
    except services.OrgError as exc:
        flash_error(exc)
        _PENDING.drop()  # this upload can no longer be confirmed
        return _import_preview(preview, entry.get("name", ""))
    db.session.commit()
    _PENDING.drop()
    flash(
        _("Impor selesai: %(c)s pegawai baru, %(u)s diperbarui.", c=created, u=updated), "success"
    )
    return redirect(url_for("org.employees"))
