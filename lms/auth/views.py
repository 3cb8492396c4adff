from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import bp, services
from lms.auth.forms import ChangePasswordForm, LoginForm
from lms.extensions import db, limiter


def _safe_next(target: str | None) -> str:
    if target:
        parts = urlsplit(target)
        if (
            not parts.scheme
            and not parts.netloc
            and target.startswith("/")
            and not target.startswith("//")
        ):
            return target
    return url_for("main.dashboard")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


def _login_account_key() -> str:
    """The account name tried, whatever address it comes from (guessing one password from many
    machines is counted together)."""
    name = "".join((request.form.get("identifier") or "").split()).lower()  # NIP with spaces too
    return "login:" + name[:100]


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], key_func=_login_account_key)
@limiter.limit(_login_address_limit, methods=["POST"])  # per client address
def login():  # noqa: ANN201
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.identifier.data, form.password.data)
        if user is None:
            db.session.commit()
            flash(_("Nama pengguna/NIP atau kata sandi salah, atau akun dinonaktifkan."), "error")
        else:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            if user.locale:
                session["lang"] = user.locale
            if user.must_change_password:
                flash(_("Silakan ganti kata sandi sementara Anda."), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(_safe_next(request.args.get("next")))
    return render_template("auth/login.html", form=form)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():  # noqa: ANN201
    logout_user()
    flash(_("Anda telah keluar."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():  # noqa: ANN201
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except services.AuthError as exc:
            getattr(form, exc.field or "new").errors.append(str(exc))
        else:
            db.session.commit()
            login_user(current_user)  # the session version changed: keep this session only
            flash(
                _("Kata sandi berhasil diganti. Sesi di perangkat lain telah diakhiri."), "success"
            )
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)
