"""BKPSDM's pages for partner institutions: list, profile, create/edit, staff accounts.

Every route needs MANAGE_PARTNERS; it loads the partner (404), validates a form, calls one
service and commits once. Bad input answers 422 with a message on each field.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import PartnerInstitution, User
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import CsrfForm
from lms.indonesian import local_today
from lms.partners import bp
from lms.partners import services as svc
from lms.partners.forms import PartnerForm, StaffForm
from lms.permissions import Capability, require

C = Capability


def _errors_to(form, exc: DomainError, default: str) -> None:
    for problem in getattr(exc, "problems", [exc]):
        field = getattr(form, problem.field or default, None) or getattr(form, default)
        field.errors = [*field.errors, str(problem)]


@bp.route("/kelola/lembaga-mitra")
@require(C.MANAGE_PARTNERS)
def index():
    return render_template(
        "partners/index.html",
        rows=svc.partner_rows(),
        today=local_today(),
        statuses=svc.statuses,
        kinds=svc.KIND_LABELS,
    )


def _detail(partner: PartnerInstitution, staff_form: StaffForm, created=None, status=200):
    return render_template(
        "partners/detail.html",
        partner=partner,
        chips=svc.statuses(partner, local_today()),
        kinds=svc.KIND_LABELS,
        staff=svc.staff_of(partner),
        courses=svc.courses_of(partner),
        staff_form=staff_form,
        created=created,
        action=CsrfForm(),
    ), status


@bp.route("/kelola/lembaga-mitra/<int:partner_id>")
@require(C.MANAGE_PARTNERS)
def detail(partner_id: int):
    return _detail(db.get_or_404(PartnerInstitution, partner_id), StaffForm())


@bp.route("/kelola/lembaga-mitra/baru", methods=["GET", "POST"])
@bp.route("/kelola/lembaga-mitra/<int:partner_id>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_PARTNERS)
def edit(partner_id: int | None = None):
    partner = db.get_or_404(PartnerInstitution, partner_id) if partner_id else None
    form = PartnerForm(obj=partner)
    if form.validate_on_submit():
        try:
            saved = svc.save_partner(current_user, partner, form.values())
        except DomainError as exc:
            db.session.rollback()
            _errors_to(form, exc, "name")
        else:
            db.session.commit()
            flash(_("Profil lembaga %(n)s tersimpan.", n=saved.name), "success")
            return redirect(url_for("partners.detail", partner_id=saved.id))
    status = 422 if form.errors else 200
    return render_template("partners/form.html", form=form, partner=partner), status


@bp.route("/kelola/lembaga-mitra/<int:partner_id>/staf", methods=["POST"])
@require(C.MANAGE_PARTNERS)
def staff_create(partner_id: int):
    partner = db.get_or_404(PartnerInstitution, partner_id)
    form = StaffForm()
    if form.validate_on_submit():
        try:
            user, temporary = svc.create_staff(
                current_user,
                partner,
                form.username.data,
                form.display_name.data,
                form.email.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            _errors_to(form, exc, "username")
        else:
            db.session.commit()
            return _detail(partner, StaffForm(formdata=None), created=(user, temporary))
    return _detail(partner, form, status=422)


@bp.route("/kelola/lembaga-mitra/<int:partner_id>/staf/<int:staff_id>/status", methods=["POST"])
@require(C.MANAGE_PARTNERS)
def staff_toggle(partner_id: int, staff_id: int):
    partner = db.get_or_404(PartnerInstitution, partner_id)
    user = db.get_or_404(User, staff_id)
    if user.partner_id != partner.id:
        abort(404)
    if not CsrfForm().validate_on_submit():
        abort(400)
    try:
        svc.set_staff_active(current_user, user, not user.active)
    except DomainError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
        flash(
            _("Akun %(u)s diaktifkan.", u=user.username)
            if user.active
            else _("Akun %(u)s dinonaktifkan; semua sesinya diakhiri.", u=user.username),
            "success",
        )
    return redirect(url_for("partners.detail", partner_id=partner.id))
