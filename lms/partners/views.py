"""BKPSDM's pages for partner institutions: list, profile, create/edit, status, staff accounts;
and the partner's own profile page for its staff.

Every BKPSDM route needs MANAGE_PARTNERS; it loads the partner (404), validates a form, calls one
service and commits once. Bad input answers 422 with a message on each field. Deactivating an
institution or a staff account asks for confirmation first (lms.forms.ask).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.auth.models import PartnerInstitution, User
from lms.errors import DomainError
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.indonesian import local_today
from lms.packages.services import upload_refusal
from lms.partners import bp
from lms.partners import services as svc
from lms.partners.forms import PartnerForm, StaffForm
from lms.permissions import Capability, can, log_refusal, refuse, require

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
        accreditation=svc.accreditation_status,
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
    if user.active and not confirmed():
        return ask(
            Confirmation(
                _("Nonaktifkan akun %(u)s?", u=user.username),
                [
                    _("Semua sesinya di setiap perangkat berakhir saat ini juga."),
                    _("Ia tidak dapat masuk sampai akun diaktifkan kembali."),
                ],
                _("Ya, nonaktifkan akun"),
                url_for("partners.detail", partner_id=partner.id, _anchor="staf"),
                [(_("Lembaga"), partner.name), (_("Nama"), user.name)],
            )
        )
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


# --- the institution's status ----------------------------------------------------------------


def _deactivation(partner: PartnerInstitution) -> Confirmation:
    staff = sum(1 for u in svc.staff_of(partner) if u.active)
    return Confirmation(
        _("Nonaktifkan %(n)s?", n=partner.name),
        [
            _(
                "%(k)s akun staf aktifnya tidak dapat masuk, dan semua sesinya berakhir pada "
                "permintaan berikutnya.",
                k=staff,
            ),
            _("Token API milik akun staf tersebut ditolak."),
            _(
                "Mengaktifkan kembali lembaga memulihkan akses akun yang aktif sebelumnya; akun "
                "yang dinonaktifkan tersendiri tetap nonaktif."
            ),
            _("Pelatihan, modul yang sudah disetujui dan sertifikat pesertanya tetap berlaku."),
        ],
        _("Ya, nonaktifkan lembaga"),
        url_for("partners.detail", partner_id=partner.id),
        [(_("Kode"), partner.code), (_("Lembaga"), partner.name)],
    )


@bp.route("/kelola/lembaga-mitra/<int:partner_id>/nonaktifkan", methods=["POST"])
@require(C.MANAGE_PARTNERS)
def deactivate(partner_id: int):
    partner = db.get_or_404(PartnerInstitution, partner_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if partner.is_active and not confirmed():
        return ask(_deactivation(partner))
    staff = svc.set_partner_active(current_user, partner, False)
    db.session.commit()
    flash(
        _(
            "%(n)s dinonaktifkan; %(k)s akun stafnya tidak dapat masuk lagi.",
            n=partner.name,
            k=staff,
        ),
        "success",
    )
    return redirect(url_for("partners.detail", partner_id=partner.id))


@bp.route("/kelola/lembaga-mitra/<int:partner_id>/aktifkan", methods=["POST"])
@require(C.MANAGE_PARTNERS)
def activate(partner_id: int):
    partner = db.get_or_404(PartnerInstitution, partner_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    staff = svc.set_partner_active(current_user, partner, True)
    db.session.commit()
    flash(
        _(
            "%(n)s diaktifkan; %(k)s akun stafnya dapat masuk kembali.",
            n=partner.name,
            k=staff,
        ),
        "success",
    )
    return redirect(url_for("partners.detail", partner_id=partner.id))


# --- the partner's own pages -----------------------------------------------------------------


@bp.get("/lembaga-saya")
@require(C.VIEW_OWN_PARTNER)
def own():
    """The signed-in staff member's institution, read-only; no id in the address, so no other
    institution's profile can be asked for."""
    partner = current_user.partner
    if partner is None:
        refuse(status=404)
    today = local_today()
    return render_template(
        "partners/own.html",
        partner=partner,
        kinds=svc.KIND_LABELS,
        accreditation=partner.accreditation_state(today),
        today=today,
        colleagues=svc.colleague_names(partner),
        upload_refusal=upload_refusal(partner, today),
    )


@bp.before_app_request
def _uploads_wait_for_accreditation():
    """The package upload page (GET and POST) answers 403 with the reason while the uploader's
    institution's accreditation has expired: its package pages and approved modules are
    untouched. (A check in front of lms.packages' view, which this feature does not edit; the
    rule itself is ``PartnerInstitution.accreditation_state``.)"""
    if request.endpoint != "packages.upload" or not can(current_user, C.UPLOAD_PACKAGES):
        return None
    partner = current_user.partner
    refusal = upload_refusal(partner, local_today()) if partner is not None else None
    if refusal is None:
        return None
    log_refusal(partner, 403)
    return render_template("partners/upload_refused.html", partner=partner, message=refusal), 403
