"""Akademi ASN: create_app wires config → extensions → blueprints → CLI → error handlers."""

from __future__ import annotations

import os
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, g, has_request_context, request, session
from flask.globals import _cv_app
from flask.templating import Environment as FlaskEnvironment
from flask_login import current_user

from config import BASE_DIR, CONFIGS, INSTANCE_DIR, _dev_secret_key, load_env
from lms.extensions import (
    babel,
    cache,
    csrf,
    db,
    drop_idle_limit_check,
    limiter,
    login_manager,
    memoise_generations_in,
    migrate,
)


def create_app(config: dict[str, Any] | None = None, env: str | None = None) -> Flask:
    """Build the app for ``env`` (default ``LMS_ENV``), with ``config`` overriding settings."""
    env_name = env or os.environ.get("LMS_ENV", "development")
    if env_name not in CONFIGS:
        raise RuntimeError(f"LMS_ENV must be one of {', '.join(CONFIGS)}, not {env_name!r}")
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.jinja_environment = _Environment  # before anything builds app.jinja_env
    app.config.from_object(CONFIGS[env_name])
    load_env(app.config)
    if config:
        app.config.update(config)
    _check_secret_key(app)
    if app.config["ENV_NAME"] == "production":
        _refuse_unsafe_production_settings(app)
    proxies = int(app.config.get("TRUSTED_PROXIES") or 0)
    if proxies:
        # Behind a reverse proxy every request comes from the proxy's address: believe the
        # X-Forwarded-For/-Proto/-Host it sets (and only the last `proxies` hops), so rate limits
        # count people, not the proxy, and redirects keep https.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    _init_observability(app)
    _init_extensions(app)
    _bound_url_integers(app)
    _register_blueprints(app)
    drop_idle_limit_check(app)
    _register_cli(app)

    from lms.errors import register_error_handlers
    from lms.security import register_security

    register_error_handlers(app)
    register_security(app)
    _register_template_helpers(app)
    if app.config["ENV_NAME"] == "production":
        _refuse_demo_accounts(app)
    return app


class _Environment(FlaskEnvironment):
    """Templates read the environment's globals dict itself, not a ChainMap over it that every
    render copies key by key (about 18 µs for our 45 globals, and each ``{% import %}`` walks it
    again). Do not call ``get_template(name, globals=…)``: on a loaded template it would write
    those globals into the environment's."""

    def make_globals(self, d: Any) -> Any:
        return super().make_globals(d) if d else self.globals


def _refuse_demo_accounts(app: Flask) -> None:
    """Production must not start while a demo account (the seven demo usernames, the 200 demo
    NIP accounts) still has the published password (one argon2 check: see
    ``demo_password_accounts``)."""
    from sqlalchemy import inspect

    from lms.auth.services import demo_password_accounts

    with app.app_context():
        if not inspect(db.engine).has_table("users"):
            return
        found = demo_password_accounts()
        db.session.remove()
    if found:
        found.sort(key=lambda name: (name.isdigit(), name))  # the seven demo names first
        shown = ", ".join(repr(name) for name in found[:5]) + (", …" if len(found) > 5 else "")
        raise RuntimeError(
            f"LMS_ENV=production refuses to start: {len(found)} demo account(s) still have the "
            f"demo password ({shown}). Disable them or change their passwords."
        )


#: HMAC-SHA256 signs sessions, remember-me cookies and CSRF tokens: a key shorter than its
#: 32-byte block can be guessed far sooner than the hash would allow.
MIN_SECRET_KEY_BYTES = 32


def _refuse_unsafe_production_settings(app: Flask) -> None:
    """Production does not start in debug mode (the Werkzeug debugger runs code for whoever
    sees a traceback), with a short secret key, or with cookies that lose the ``__Host-``
    prefix's guarantees (Secure, Path=/, no Domain, or the browser drops them)."""
    from flask.helpers import get_debug_flag

    problems = []
    if app.debug or get_debug_flag():
        problems.append("FLASK_DEBUG is on; unset it")
    key = app.config["SECRET_KEY"]
    size = len(key.encode() if isinstance(key, str) else key)
    if size < MIN_SECRET_KEY_BYTES:
        problems.append(
            f"LMS_SECRET_KEY has {size} bytes, at least {MIN_SECRET_KEY_BYTES} are needed "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')"
        )
    for prefix in ("SESSION", "REMEMBER"):
        name = str(app.config.get(f"{prefix}_COOKIE_NAME", ""))
        if name.startswith("__Host-") and (
            not app.config.get(f"{prefix}_COOKIE_SECURE")
            or app.config.get(f"{prefix}_COOKIE_DOMAIN")
            or app.config.get(f"{prefix}_COOKIE_PATH", "/") != "/"
        ):
            problems.append(f"{name} needs {prefix}_COOKIE_SECURE, no domain and path /")
    content = urlsplit(str(app.config.get("CONTENT_ORIGIN") or "")).hostname
    if content and content == urlsplit(str(app.config.get("BASE_URL") or "")).hostname:
        # Module packages run scripts from this origin: on the app's host they could read its
        # cookies and call its routes as the learner (lms.packages.runtime.content).
        problems.append("LMS_CONTENT_ORIGIN needs a host name of its own, not LMS_BASE_URL's")
    if int(app.config.get("CONTENT_URL_TTL") or 0) < 60:
        # the player renews a package URL every third of it: shorter cannot keep up
        problems.append("LMS_CONTENT_URL_TTL needs at least 60 seconds")
    if problems:
        raise RuntimeError("LMS_ENV=production refuses to start: " + "; ".join(problems) + ".")


def _check_secret_key(app: Flask) -> None:
    if app.config.get("SECRET_KEY"):
        return
    if app.config["ENV_NAME"] == "production":
        raise RuntimeError("LMS_SECRET_KEY must be set when LMS_ENV=production")
    app.config["SECRET_KEY"] = _dev_secret_key()


def _init_observability(app: Flask) -> None:
    """Request ids, logs, Server-Timing, metrics: first, so their clocks start before any
    other request hook and their headers are set after every other (lms.observability)."""
    from lms.observability import init_app

    init_app(app)


def _request_generations() -> dict[str, str] | None:
    """One request's memo of the generation tokens it read (lms.extensions.generation)."""
    if not has_request_context():
        return None
    kept = _cv_app.get().g.__dict__  # ``g`` itself, not a proxy lookup per read (a page reads 10+)
    memo = kept.get("_generations")
    if memo is None:
        memo = kept["_generations"] = {}
    return memo


def _init_extensions(app: Flask) -> None:
    from lms.db import keep_prepared_statements, ping_when_idle
    from lms.tasks import init_celery

    db.init_app(app)
    with app.app_context():
        ping_when_idle(db.engine, float(app.config["DB_PING_IDLE_SECONDS"]))
        keep_prepared_statements(db.engine)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    app.config["RATELIMIT_STORAGE_URI"] = app.config.get("REDIS_URL") or "memory://"
    if app.config.get("REDIS_URL"):
        app.config.setdefault("RATELIMIT_KEY_PREFIX", "lms")
        # Redis down: count in this process's memory meanwhile, never fail the page (README).
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    limiter.init_app(app)
    _init_cache(app)
    memoise_generations_in(_request_generations)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    init_celery(app)

    from lms.tasks import run_ready

    @app.after_request
    def _run_ready_tasks(response):
        run_ready()  # in-process tasks whose transaction committed (no broker configured)
        return response

    from lms.auth import services as auth_services

    login_manager.user_loader(auth_services.load_user)
    login_manager.localize_callback = _gettext_message


def _init_cache(app: Flask) -> None:
    """Flask-Caching: Redis on REDIS_URL (one cache for every worker) under CACHE_KEY_PREFIX,
    else SimpleCache in this process (CACHE_TYPE set by the caller, e.g. NullCache, wins)."""
    settings: dict[str, Any] = {"CACHE_KEY_PREFIX": app.config["CACHE_KEY_PREFIX"]}
    if app.config.get("CACHE_TYPE"):
        settings["CACHE_TYPE"] = app.config["CACHE_TYPE"]
        settings["CACHE_DEFAULT_TIMEOUT"] = app.config["CACHE_LOCAL_TIMEOUT"]
    elif app.config.get("REDIS_URL"):
        settings["CACHE_TYPE"] = "RedisCache"
        settings["CACHE_REDIS_URL"] = app.config["REDIS_URL"]
        settings["CACHE_DEFAULT_TIMEOUT"] = app.config["CACHE_REDIS_TIMEOUT"]
    else:
        settings["CACHE_TYPE"] = "SimpleCache"
        settings["CACHE_DEFAULT_TIMEOUT"] = app.config["CACHE_LOCAL_TIMEOUT"]
        settings["CACHE_THRESHOLD"] = app.config["CACHE_LOCAL_THRESHOLD"]
    cache.init_app(app, config=settings)


def _gettext_message(message: str) -> str:
    from flask_babel import gettext

    return gettext(message)


def _select_locale() -> str:
    """The session's choice (set by the switch, or at login from the account), else Indonesian.

    A JSON caller without that choice (an API client with a token) is answered in its
    ``Accept-Language`` when that is a language we have, else in Indonesian: every status, from
    401 to 429, speaks the same language. Pages stay Indonesian until the user switches (a
    browser's English default must not turn a city's Indonesian site English).
    It must not touch ``current_user``: loading the user can itself need a translation.
    """
    if not has_request_context():
        return "id"
    chosen = session.get("lang")
    if chosen in ("id", "en"):
        return chosen
    # Indonesian unless the caller prefers English and wants JSON: asked in that order, as
    # reading Accept costs twice what Accept-Language does (without "en" or "*", no English).
    languages = request.headers.get("Accept-Language", "").lower()
    if "en" not in languages and "*" not in languages:
        return "id"
    if request.accept_languages.best_match(("id", "en")) != "en":
        return "id"
    from lms.errors import wants_json

    return "en" if wants_json() else "id"


VIEW_MODULES = (
    "main.views",
    "auth.views",
    "org.views",
    "admin.views",
    "api.views",
    "courses.views",
    "courses.authoring.views",
    "courses.authoring.outline_views",
    "courses.authoring.file_views",
    "courses.authoring.review_views",
    "courses.authoring.categories",
    "enrolments.views",
    "enrolments.cohorts.views",
    "enrolments.cohorts.membership_views",
    "notifications.views",
    "learning.views",
    "packages.views",
    "quizzes.bank.views",
    "quizzes.bank.editor.views",
    "quizzes.attempts.views",
    "quizzes.attempts.trainer_views",
    "quizzes.attempts.preview_views",
    "completion.views",
    "completion.programmes.views",
    "certificates.views",
    "certificates.verify_views",
    "certificates.admin_views",
    "certificates.api_views",
    "evaluations.views",
    "evaluations.followup.views",
    "careers.ledger.views",
    "careers.records.views",
    "careers.plans.views",
    "careers.skp.views",
    "careers.skp.import_views",
    "careers.career.views",
    "careers.foryou.views",
    "careers.sessions.views",
    "careers.sessions.community_views",
    "careers.sessions.coaching.views",
    "careers.akpk.views",
    "reports.views",
    "reports.schedules.views",
    "reports.dashboard",
    "integrations.views",
    "partners.views",
    "packages.runtime.views",
    "community.views",
    "community.forums.views",
    "community.forums.moderation.views",
    "leadership.projects.views",
    "leadership.projects.work_views",
    "leadership.roles.views",
)


def _bound_url_integers(app: Flask) -> None:
    """``<int:…>`` in every route stops at PostgreSQL's ``integer``: a longer number in a URL is
    a 404 (no such page), not a database error. Set before any route is added."""
    from werkzeug.routing import IntegerConverter

    from lms.db import INT_MAX

    class DatabaseInteger(IntegerConverter):
        def __init__(self, url_map, fixed_digits=0, min=None, max=INT_MAX, signed=False) -> None:
            super().__init__(url_map, fixed_digits, min, max, signed)

    app.url_map.converters["int"] = DatabaseInteger


def _register_blueprints(app: Flask) -> None:
    import importlib

    for models in (
        "auth",
        "org",
        "courses",
        "enrolments",
        "notifications",
        "quizzes",
        "completion",
        "evaluations",
        "certificates",
        "integrations",
        "reports",
        "packages",
        "community",
    ):
        importlib.import_module(f"lms.{models}.models")  # every table known to migrations
    importlib.import_module("lms.enrolments.cohorts.models")
    importlib.import_module("lms.evaluations.followup.models")
    importlib.import_module("lms.packages.runtime.models")
    importlib.import_module("lms.careers.records.models")
    importlib.import_module("lms.careers.plans.models")
    importlib.import_module("lms.careers.skp.models")
    importlib.import_module("lms.careers.career.models")
    importlib.import_module("lms.careers.sessions.models")
    importlib.import_module("lms.careers.akpk.models")
    importlib.import_module("lms.careers.summary.models")
    # Position competencies load with the reference data (the signal's subscriber).
    importlib.import_module("lms.careers.akpk.competencies")
    importlib.import_module("lms.reports.schedules.models")
    importlib.import_module("lms.leadership.roles.models")
    importlib.import_module("lms.leadership.projects.models")
    importlib.import_module("lms.careers.records.consumer")  # registers the outbox consumers
    importlib.import_module("lms.careers.plans.consumer")
    importlib.import_module("lms.careers.summary.tracking")  # keeps the summary tables current
    importlib.import_module("lms.completion.followups")  # the post-training evaluation's
    importlib.import_module("lms.integrations.deliveries")  # the webhook outbox consumer
    for views in VIEW_MODULES:
        importlib.import_module(f"lms.{views}")  # attaches the routes to the blueprints
    from lms.admin import bp as admin_bp
    from lms.api import bp as api_bp
    from lms.auth import bp as auth_bp
    from lms.careers import bp as careers_bp
    from lms.certificates import bp as certificates_bp
    from lms.community import bp as community_bp
    from lms.completion import bp as completion_bp
    from lms.courses import bp as courses_bp
    from lms.enrolments import bp as enrolments_bp
    from lms.evaluations import bp as evaluations_bp
    from lms.integrations import bp as integrations_bp
    from lms.leadership import bp as leadership_bp
    from lms.learning import bp as learning_bp
    from lms.main import bp as main_bp
    from lms.notifications import bp as notifications_bp
    from lms.org import bp as org_bp
    from lms.packages import bp as packages_bp
    from lms.packages.runtime.content import bp as content_bp
    from lms.partners import bp as partners_bp
    from lms.quizzes import bp as quizzes_bp
    from lms.reports import bp as reports_bp

    app.register_blueprint(main_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(completion_bp)
    app.register_blueprint(certificates_bp)
    app.register_blueprint(evaluations_bp)
    app.register_blueprint(careers_bp)
    app.register_blueprint(reports_bp)
    app.register_blueprint(integrations_bp)
    app.register_blueprint(org_bp, url_prefix="/organisasi")
    app.register_blueprint(admin_bp, url_prefix="/admin")
    app.register_blueprint(courses_bp)
    app.register_blueprint(enrolments_bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(learning_bp)
    app.register_blueprint(leadership_bp)
    app.register_blueprint(quizzes_bp)
    app.register_blueprint(packages_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(content_bp)
    app.register_blueprint(community_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    csrf.exempt(api_bp)


def _register_cli(app: Flask) -> None:
    from lms.cli import register_cli

    register_cli(app)


def _install_template_gettext(app: Flask) -> None:
    """Templates translate through the catalogue of the request's locale, kept per locale.

    Flask-Babel's own callables look up the app, the domain, the locale and the catalogue again for
    every string (about 12 µs each; a quiz result page translates over a hundred); keeping each
    locale's catalogue halves that. Same strings, same ``%`` formatting and autoescape (Jinja's
    newstyle gettext wraps these callables).
    """
    from flask.globals import _cv_app
    from flask_babel import get_locale, get_translations

    catalogues: dict[Any, Any] = {}

    def catalogue() -> Any:
        # The locale Flask-Babel keeps in ``g`` once selected (read here for a tenth of what
        # get_locale() costs, once per string); get_locale() selects it when it is not kept yet.
        context = _cv_app.get(None)
        kept = context.g.__dict__.get("_flask_babel") if context is not None else None
        locale = getattr(kept, "babel_locale", None) or get_locale()
        found = catalogues.get(locale)
        if found is None:
            found = get_translations()
            if locale is not None:  # outside a request Flask-Babel hands out a null catalogue
                catalogues[locale] = found
        return found

    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalogue().ugettext(s),
        ngettext=lambda s, p, n: catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import format_date, format_datetime, get_locale

    from lms.courses.rendering import scrollable_tables
    from lms.indonesian import local_date, number, soft_breaks, zone_abbreviation
    from lms.main.menu import menu_items, page_frame, page_links
    from lms.permissions import ROLE_LABELS, Capability, Role, can

    _install_template_gettext(app)
    app.jinja_env.filters["format_date"] = format_date
    app.jinja_env.filters["format_datetime"] = format_datetime
    # Numbers and dates people read: `{{ score | num(2) }}` is 92,86 in Indonesian, 92.86 in
    # English; `{{ moment | local_date }}` is the agency's calendar day of a stored UTC moment.
    app.jinja_env.filters["num"] = number
    app.jinja_env.filters["local_date"] = local_date
    # `{{ nip | soft_breaks }}`: a NIP or certificate number that may wrap in a narrow column.
    app.jinja_env.filters["soft_breaks"] = soft_breaks
    # `{{ lesson.body_html | scrollable_tables(_('...')) }}`: a lesson's tables scroll in a box.
    app.jinja_env.filters["scrollable_tables"] = scrollable_tables
    app.jinja_env.globals["zone_abbreviation"] = zone_abbreviation

    def unread_notifications() -> int:
        """Unread count for the header bell: kept per account in the app cache (see
        ``kept_unread_count``), memoised for the request."""
        if not current_user.is_authenticated:
            return 0
        if "_unread" not in g:
            from lms.notifications.queries import READ_STAMP, kept_unread_count

            g._unread = kept_unread_count(current_user, session.get(READ_STAMP, ""))
        return g._unread

    texts: dict[str, Any] = {}

    def base_text() -> Any:
        """base.html's fixed words in the request's language (templates/_base_text.html),
        translated once per language and kept: eight lookups less on every page."""
        locale = str(get_locale() or "id")
        found = texts.get(locale)
        if found is None:
            found = texts[locale] = app.jinja_env.get_template("_base_text.html").make_module()
        return found

    # Globals, set once: callables that read the request when called, and constants. A context
    # processor would build them again for every template rendered (partials too).
    app.jinja_env.globals.update(
        can=lambda cap: can(current_user, cap),
        menu_items=menu_items,
        page_frame=page_frame,
        base_links=page_links,
        base_text=base_text,
        unread_notifications=unread_notifications,
        Capability=Capability,
        Role=Role,
        ROLE_LABELS=ROLE_LABELS,
    )

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"current_locale": str(get_locale() or "id")}
