from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lms.admin import bp
from lms.admin.forms import TokenForm, UserForm
from lms.auth import services as auth
from lms.auth.models import ApiToken, PartnerInstitution, User
from lms.db import db_int
from lms.extensions import db
from lms.forms import Confirmation, CsrfForm, ask, confirmed
from lms.org.models import Employee, Unit
from lms.org.nip import normalise_nip
from lms.permissions import ASSIGNABLE_ROLES, ROLE_LABELS, Capability, Role, refuse, require

C = Capability


@bp.route("/pengguna")
@require(C.MANAGE_USERS, C.RESET_PASSWORDS)
def users():
    q = request.args.get("q", "")[:100].strip()
    stmt = select(User).outerjoin(Employee, User.employee_id == Employee.id)
    if q:
        stmt = stmt.where(
            or_(
                func.lower(User.username).like(f"%{q.lower()}%"),
                func.lower(Employee.full_name).like(f"%{q.lower()}%"),
                Employee.nip.startswith(normalise_nip(q)),
            )
        )
    page = max(request.args.get("page", 1, type=db_int), 1)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = db.session.scalars(
        stmt.options(joinedload(User.employee))
        .order_by(User.username)
        .limit(30)
        .offset((page - 1) * 30)
    ).all()
    return render_template(
        "admin/users.html",
        rows=rows,
        roles=auth.roles_of(list(rows)),
        q=q,
        total=total,
        page=page,
        pages=max((total + 29) // 30, 1),
        action_form=CsrfForm(),
    )


def _fill(form: UserForm) -> None:
    form.roles.choices = [(r.value, ROLE_LABELS[r]) for r in ASSIGNABLE_ROLES]
    form.admin_unit_id.choices = [(0, "—")] + [
        (u.id, u.name)
        for u in db.session.scalars(
            select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)
        )
    ]
    form.partner_id.choices = [(0, "—")] + [
        (p.id, p.name)
        for p in db.session.scalars(select(PartnerInstitution).order_by(PartnerInstitution.name))
    ]


@bp.route("/pengguna/baru", methods=["GET", "POST"])
@bp.route("/pengguna/<int:user_id>/ubah", methods=["GET", "POST"])
@require(C.MANAGE_USERS)
def user_edit(user_id: int | None = None):
    user = db.get_or_404(User, user_id) if user_id else None
    form = UserForm(obj=user)
    _fill(form)
    if request.method == "GET" and user is not None:
        form.roles.data = [r.value for r in user.stored_roles]
        form.admin_unit_id.data = user.admin_unit_id or 0
        form.partner_id.data = user.partner_id or 0
        form.employee_nip.data = user.employee.nip if user.employee else ""
    if form.validate_on_submit():
        change = auth.AccountChange(
            username=form.username.data,
            display_name=form.display_name.data,
            roles={Role(r) for r in form.roles.data},
            password=form.password.data or "",
            employee_nip=form.employee_nip.data or "",
            admin_unit_id=form.admin_unit_id.data,
            partner_id=form.partner_id.data,
        )
        try:
            saved = auth.save_account(current_user, user, change)
        except auth.AccountInvalid as exc:  # nothing changed: no rollback, as before
            for problem in exc.problems:
                getattr(form, problem.field).errors.append(str(problem))
        except auth.AuthError as exc:
            db.session.rollback()
            _fill(form)
            getattr(form, exc.field or "username").errors.append(str(exc))
        else:
            db.session.commit()
            flash(_("Akun %(u)s tersimpan.", u=saved.username), "success")
            return redirect(url_for("admin.users", q=saved.username))
    return render_template("admin/user_form.html", form=form, user=user)


def _account_details(user: User) -> list[tuple[str, str]]:
    roles = ", ".join(str(ROLE_LABELS[r]) for r in Role if r in user.roles)
    return [(_("Nama pengguna"), user.username), (_("Nama"), user.name), (_("Peran"), roles)]


@bp.route("/pengguna/<int:user_id>/status", methods=["POST"])
@require(C.MANAGE_USERS)
def user_toggle(user_id: int):
    user = db.get_or_404(User, user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if user.active and user.id != current_user.id and not confirmed():
        return ask(
            Confirmation(
                _("Nonaktifkan akun %(u)s?", u=user.username),
                [
                    _("Semua sesinya di setiap perangkat berakhir saat ini juga."),
                    _(
                        "Ia tidak dapat masuk, dan token API-nya ditolak, sampai akun diaktifkan kembali."
                    ),
                    _("Data, riwayat belajar, dan sertifikatnya tetap tersimpan."),
                ],
                _("Ya, nonaktifkan akun"),
                url_for("admin.users", q=user.username),
                _account_details(user),
            )
        )
    try:
        auth.set_active(current_user, user, not user.active)
    except auth.AuthError as exc:
        flash(str(exc), "error")
        return redirect(url_for("admin.users", q=user.username))
    db.session.commit()
    flash(
        _("Akun %(u)s diaktifkan.", u=user.username)
        if user.active
        else _("Akun %(u)s dinonaktifkan; semua sesinya diakhiri.", u=user.username),
        "success",
    )
    return redirect(url_for("admin.users", q=user.username))


@bp.route("/pengguna/<int:user_id>/reset-sandi", methods=["POST"])
@require(C.RESET_PASSWORDS)
def user_reset(user_id: int):
    user = db.get_or_404(User, user_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if Role.ADMIN_SISTEM in user.roles and Role.ADMIN_SISTEM not in current_user.roles:
        refuse(user, 403)  # the admin area lists accounts: nothing to hide here
    if not confirmed():
        return ask(
            Confirmation(
                _("Atur ulang kata sandi %(u)s?", u=user.username),
                [
                    _("Kata sandinya saat ini tidak berlaku lagi."),
                    _(
                        "Kata sandi sementara ditampilkan sekali di layar berikutnya; sampaikan kepada pemilik akun."
                    ),
                    _(
                        "Semua sesinya di setiap perangkat berakhir, dan ia wajib mengganti kata sandi saat masuk."
                    ),
                ],
                _("Ya, atur ulang kata sandi"),
                url_for("admin.users", q=user.username),
                _account_details(user),
            )
        )
    temporary = auth.reset_password(current_user, user)
    db.session.commit()
    return render_template("admin/reset_done.html", target=user, temporary=temporary)


@bp.route("/token", methods=["GET", "POST"])
@require(C.MANAGE_API_TOKENS)
def tokens():
    form = TokenForm()
    created = None
    if form.validate_on_submit():
        owner = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if owner is None:
            form.username.errors.append(_("Akun tidak ditemukan."))
        else:
            try:
                _token, created = auth.create_api_token(owner, form.scopes.data, form.name.data)
            except auth.AuthError as exc:
                form.scopes.errors.append(str(exc))
            else:
                db.session.commit()
                flash(
                    _("Token dibuat. Salin sekarang: token ini tidak akan ditampilkan lagi."),
                    "success",
                )
    rows = db.session.scalars(
        select(ApiToken)
        .options(joinedload(ApiToken.user))
        .order_by(ApiToken.created_at.desc())
        .limit(200)
    ).all()
    return render_template(
        "admin/tokens.html", form=form, rows=rows, created=created, action_form=CsrfForm()
    )


@bp.route("/token/<int:token_id>/cabut", methods=["POST"])
@require(C.MANAGE_API_TOKENS)
def token_revoke(token_id: int):
    token = db.get_or_404(ApiToken, token_id)
    if not CsrfForm().validate_on_submit():
        abort(400)
    if token.revoked_at is None and not confirmed():
        return ask(
            Confirmation(
                _("Cabut token %(p)s?", p=token.prefix),
                [
                    _(
                        "Aplikasi yang memakai token ini langsung ditolak (401) pada permintaan berikutnya."
                    ),
                    _(
                        "Token yang dicabut tidak dapat dipulihkan; buat token baru bila masih diperlukan."
                    ),
                ],
                _("Ya, cabut token"),
                url_for("admin.tokens"),
                [
                    (_("Pemilik"), token.user.username),
                    (_("Keterangan"), token.name or "—"),
                    (_("Cakupan"), token.scopes),
                ],
            )
        )
    auth.revoke_api_token(current_user, token)
    db.session.commit()
    flash(_("Token %(p)s dicabut.", p=token.prefix), "success")
    return redirect(url_for("admin.tokens"))
