from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lms.auth import bp, services
from lms.auth.forms import ChangePasswordForm, LoginForm
from lms.auth.throttle import TooManyAttempts
from lms.errors import json_error, wants_json
from lms.extensions import db, limiter
from lms.security import safe_next

#: In the session: whether the account must change its password first (set at login and whenever
#: the account is loaded without it; False lets hot paths such as the quiz autosave through
#: without loading the account). An admin reset ends every session, so a session marked False
#: cannot miss a later reset.
MUST_CHANGE = "_must_change_password"

#: What an account that must change its password may still reach.
OPEN_BEFORE_PASSWORD_CHANGE = frozenset(
    {"auth.change_password", "auth.logout", "static", "main.healthz"}
)


def _login_address_limit() -> str:
    return current_app.config["LOGIN_ADDRESS_RATE_LIMIT"]


@bp.before_app_request
def _require_password_change():
    """An account with ``must_change_password`` reaches only the password page (and logout,
    static files, the health check) until it has changed it; JSON callers get a JSON 403."""
    if request.endpoint in OPEN_BEFORE_PASSWORD_CHANGE or session.get(MUST_CHANGE) is False:
        return None
    remember_cookie = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    if "_user_id" not in session and remember_cookie not in request.cookies:
        return None  # nobody signed in: nothing to load
    if not current_user.is_authenticated:  # loads the account (or restores it from the cookie)
        return None
    session[MUST_CHANGE] = bool(current_user.must_change_password)
    if not session[MUST_CHANGE]:
        return None
    message = _("Ganti kata sandi sementara Anda terlebih dahulu.")
    if wants_json():
        return json_error(403, message, "password_change_required")
    flash(message, "info")
    return redirect(url_for("auth.change_password"))


@bp.route("/masuk", methods=["GET", "POST"])
@limiter.limit(_login_address_limit, methods=["POST"])  # per client address, in Flask-Limiter
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        refusal = _("Nama pengguna/NIP atau kata sandi salah, atau akun dinonaktifkan.")
        try:  # per account: counted in the database, whatever the workers (lms.auth.throttle)
            user = services.authenticate(form.identifier.data, form.password.data)
        except TooManyAttempts:
            abort(429)
        except services.PartnerInactive as refused:  # the right password: say why
            user, refusal = None, str(refused)
        db.session.commit()  # the attempt counter, or the login time
        if user is None:
            flash(refusal, "error")
        else:
            login_user(user, remember=form.remember.data)
            session[MUST_CHANGE] = user.must_change_password
            if user.locale:
                session["lang"] = user.locale
            if user.must_change_password:
                flash(_("Silakan ganti kata sandi sementara Anda."), "info")
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")))
    # The yearly target as configured (LMS_JP_TARGET), never a figure written into the page.
    jp_target = int(current_app.config.get("JP_TARGET", 20))
    return render_template("auth/login.html", form=form, jp_target=jp_target)


@bp.route("/keluar", methods=["POST"])
@login_required
def logout():
    """Ends the session on the server: the account's session version moves on, so a copied
    session cookie or remember-me cookie stops working too (on every device: sign out
    everywhere)."""
    services.end_sessions(current_user)
    db.session.commit()
    logout_user()
    session.pop(MUST_CHANGE, None)
    flash(_("Anda telah keluar."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/akun/kata-sandi", methods=["GET", "POST"])
@login_required
def change_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        try:
            services.change_password(current_user, form.current.data, form.new.data)
        except TooManyAttempts:
            form.current.errors.append(
                _("Terlalu banyak percobaan kata sandi. Tunggu sebentar, lalu coba lagi.")
            )
            return render_template("auth/change_password.html", form=form), 429
        except services.AuthError as exc:
            getattr(form, exc.field or "new").errors.append(str(exc))
        else:
            db.session.commit()
            login_user(current_user)  # the session version changed: keep this session only
            session[MUST_CHANGE] = False
            flash(
                _("Kata sandi berhasil diganti. Sesi di perangkat lain telah diakhiri."), "success"
            )
            return redirect(url_for("main.dashboard"))
    return render_template("auth/change_password.html", form=form)
