"""Application configuration.

Classes hold defaults; ``LMS_*`` environment variables override them in ``load_env``.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("LMS_INSTANCE_DIR", BASE_DIR / "instance"))


def _dev_secret_key() -> str:
    """A key generated once into ``instance/`` so development sessions survive restarts."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    ENV_NAME = "development"
    SECRET_KEY: str | None = None
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'lms.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # A pooled connection idle this long is tested before use (lms.db.ping_when_idle).
    DB_PING_IDLE_SECONDS = 10.0
    REDIS_URL: str | None = None
    FILES_DIR = str(INSTANCE_DIR / "files")
    BASE_URL = "http://127.0.0.1:5000"
    MAX_CONTENT_LENGTH = 20 * 1024 * 1024  # multipart uploads; other bodies: BODY_MAX_BYTES
    BODY_MAX_BYTES = 1024 * 1024  # a url-encoded form or JSON body (lms.security.BoundedRequest)
    # One multipart text field, a whole url-encoded form: a 200,000-character lesson fits encoded.
    MAX_FORM_MEMORY_SIZE = 1_000_000
    MAX_FORM_PARTS = 5_000  # fields per form, either encoding (attendance of a 1,000-person cohort)
    IMPORT_MAX_BYTES = 5 * 1024 * 1024
    # Reading an uploaded table stops at these, counted while reading (lms.spreadsheets).
    IMPORT_MAX_ROWS = 50_000  # rows looked at, empty ones too, besides the header
    IMPORT_MAX_COLUMNS = 60
    IMPORT_MAX_CELLS = 1_000_000  # XLSX cells parsed
    IMPORT_XLSX_MAX_UNPACKED = 50 * 1024 * 1024  # all parts of the zip, inflated

    BABEL_DEFAULT_LOCALE = "id"
    BABEL_DEFAULT_TIMEZONE = "Asia/Jakarta"
    LANGUAGES = ("id", "en")

    SESSION_COOKIE_NAME = "akademi_session"
    SESSION_COOKIE_PATH = "/"
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_NAME = "akademi_remember"
    REMEMBER_COOKIE_PATH = "/"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = False
    # "Ingat saya" lasts two weeks (Flask-Login's default is a year); logout ends it at once.
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    PERMANENT_SESSION_LIFETIME = 8 * 3600

    WTF_CSRF_TIME_LIMIT = 3600
    # Per account (or per name typed when no account has it), from any address; counted in the
    # database, so exact across workers and servers (lms.auth.throttle).
    LOGIN_RATE_LIMIT = "10 per minute"
    # The current-password check on the password page, per account; in the database too.
    PASSWORD_CHECK_RATE_LIMIT = "5 per 15 minutes"  # noqa: S105 - a limit
    # Per client address, any account (an office): Flask-Limiter, in Redis when LMS_REDIS_URL is
    # set, else in each worker's memory (so up to this many times the number of workers).
    LOGIN_ADDRESS_RATE_LIMIT = "100 per minute"
    TRUSTED_PROXIES = 0  # reverse proxies in front whose X-Forwarded-* headers are believed
    RATELIMIT_HEADERS_ENABLED = True
    # argon2id parameters: OWASP Password Storage Cheat Sheet's first choice (m=19 MiB, t=2, p=1).
    # One check takes about 26 ms here, against about 175 ms for RFC 9106's 64 MiB, t=3, p=4
    # (argon2-cffi's defaults, used before), so an exam morning's 1,000 logins fit on 2 cores.
    # Hashes made with other parameters are rewritten at the account's next successful login
    # (lms.auth.services.authenticate), never at a refused one.
    PASSWORD_TIME_COST = 2
    PASSWORD_MEMORY_COST = 19456  # KiB
    PASSWORD_PARALLELISM = 1  # argon2-cffi's own default is 4: always passed explicitly
    JP_TARGET = 20
    VERIFY_RATE_LIMIT = "30 per minute"
    EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
    WEBHOOK_MAX_ATTEMPTS = 6
    WEBHOOK_BACKOFF_SECONDS = 60
    WEBHOOK_TIMEOUT = 10
    # Webhook receivers on non-public addresses: "" refuses them; "true" allows the private ranges
    # (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7: an intranet receiver); a comma-separated
    # list of networks ("10.20.0.0/16,127.0.0.1") allows exactly those. Loopback and link-local
    # (cloud metadata) are refused unless listed by network.
    WEBHOOK_ALLOW_PRIVATE = ""
    REPORTS_XLSX_INLINE_MAX = 20_000
    # Without LMS_REDIS_URL, tasks that talk to other servers (webhook deliveries) run in a
    # background thread of the app process, after the request has answered (lms.tasks).
    TASKS_IN_THREAD = True
    # Module packages (lms.packages): the upload itself, then limits counted while extracting.
    PACKAGE_MAX_UPLOAD = 200 * 1024 * 1024  # the zip as uploaded
    PACKAGE_MAX_BYTES = 500 * 1024 * 1024  # every member inflated
    PACKAGE_MAX_RATIO = 100  # inflated / compressed per member (beyond its first MiB)
    PACKAGE_MAX_FILES = 10_000
    PACKAGE_MAX_PATH = 240  # characters of a member's name
    PACKAGE_MAX_DEPTH = 20  # folders in a member's name
    # Package files (SCORM) are served from this other origin, which holds no cookie of the app
    # (lms.packages.runtime.content). Unset: BASE_URL with 127.0.0.1 and localhost swapped, so
    # one machine still has two origins.
    CONTENT_ORIGIN: str | None = None
    # Seconds a signed package URL works after its launch; the open player renews it every third
    # of that (lms.packages.runtime.content), so a copied URL dies one TTL after the player closed.
    CONTENT_URL_TTL = 15 * 60
    # A SCO that never calls Commit (many do not) is saved this many seconds after it last
    # changed something, so a tab that crashes loses at most that (lms/static/js/scorm-player.js).
    SCORM_SAVE_AFTER_SECONDS = 3
    # Observability (lms.observability). `Server-Timing: app;dur=…, db;dur=…;desc="N queries"`
    # on every response: how long the request took, in SQL, in how many statements.
    SERVER_TIMING = False
    # "json" (one object per line) or "text"; both carry the request id. None leaves logging
    # as Python and Flask set it up (the tests).
    LOG_FORMAT: str | None = "text"
    LOG_LEVEL = "INFO"
    # /metrics answers loopback, these networks ("10.0.0.0/8,192.168.1.5") and the bearer token
    # LMS_METRICS_TOKEN; anyone else gets 404.
    METRICS_ALLOW = ""
    METRICS_TOKEN: str | None = None
    # Shared parts of learner pages (lms.courses.cache). With LMS_REDIS_URL: Redis under this
    # prefix, kept CACHE_REDIS_TIMEOUT seconds (changes reach every worker at once through the
    # generation key). Without it: each process's memory, kept CACHE_LOCAL_TIMEOUT seconds;
    # changes reach every process on the machine at once through generation files in
    # CACHE_GENERATION_DIR (None: instance/generations), one os.stat per kept part read.
    CACHE_KEY_PREFIX = "lms:"
    CACHE_REDIS_TIMEOUT = 3600
    CACHE_LOCAL_TIMEOUT = 30
    # Entries a process keeps without Redis: the shared parts, and a few per person active in the
    # last CACHE_LOCAL_TIMEOUT seconds (enrolments, certificates, profile); past it Flask-Caching
    # drops the expired ones and a third of the rest.
    CACHE_LOCAL_THRESHOLD = 10_000
    CACHE_GENERATION_DIR: str | None = None
    # The signed-in account kept per process between its requests (lms.auth.account_cache):
    # read afresh after any write to accounts, roles, employees or partners (the generation
    # "auth:accounts"), and at the latest after this many seconds; 0 reads it on every request.
    ACCOUNT_CACHE_SECONDS = 300
    ACCOUNT_CACHE_SIZE = 20_000  # accounts per process, the least recently used leaving first
    # Dashboard parts kept under a generation of what they show, read again after this many
    # seconds at most (a bound on a write that went around the ORM); 0 keeps nothing: a
    # profile and a supervisor's roster (org:people), an assessor's "nobody to assess".
    DASHBOARD_PEOPLE_SECONDS = 300
    DASHBOARD_ASSESSOR_SECONDS = 300
    # Dashboard sections that name the state of what they show (lms.dashboard "kept sections")
    # are kept rendered per person this many seconds at most; 0 renders every one on each visit.
    DASHBOARD_KEPT_SECONDS = 300
    # A supervisor's team figures (their enrolments' progress, their JP of the year: written by
    # every lesson seen in the city, so no generation names them) are kept for windows of this
    # many seconds, and say as of when ("Angka per pukul 10:05 WIB"); 0 reads them on each visit.
    DASHBOARD_TEAM_SECONDS = 60


class DevelopmentConfig(Config):
    SERVER_TIMING = True  # bench/run.py runs with LMS_ENV=development and reads the header


class TestingConfig(Config):
    # The bell's unread count is counted on every page (tests/notifications/test_bell_cache.py
    # turns the kept count on), so query counts do not depend on an earlier request's cache.
    NOTIFICATIONS_UNREAD_SECONDS = 0
    # Likewise the account (tests/auth/test_account_cache.py turns it on) and the dashboard
    # parts of tests/org/test_people_cache.py and tests/leadership/test_assessor_kept.py.
    ACCOUNT_CACHE_SECONDS = 0
    DASHBOARD_PEOPLE_SECONDS = 0
    DASHBOARD_ASSESSOR_SECONDS = 0
    DASHBOARD_KEPT_SECONDS = 0  # tests/main/test_dashboard_kept.py turns it on
    DASHBOARD_TEAM_SECONDS = 0  # likewise tests/enrolments/test_supervisor_dashboard_kept.py
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = "sqlite://"
    PASSWORD_TIME_COST = 1  # cheap for tests; tests/auth/test_password_rehash.py sets the real ones
    PASSWORD_MEMORY_COST = 64
    PASSWORD_PARALLELISM = 1
    LOGIN_RATE_LIMIT = "5 per minute"
    PASSWORD_CHECK_RATE_LIMIT = "3 per minute"  # noqa: S105 - a limit
    LOGIN_ADDRESS_RATE_LIMIT = "10000 per minute"
    TASKS_IN_THREAD = False  # background tasks run inline after the request: deterministic
    LOG_FORMAT = None  # pytest captures logging its own way


class ProductionConfig(Config):
    ENV_NAME = "production"
    # "__Host-": browsers accept the cookie only when Secure, Path=/ and without Domain, so no
    # other host (a sibling subdomain) and no plain-http page can set or shadow it.
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_DOMAIN = None
    REMEMBER_COOKIE_NAME = "__Host-remember"
    REMEMBER_COOKIE_SECURE = True
    REMEMBER_COOKIE_DOMAIN = None
    LOG_FORMAT = "json"


CONFIGS = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def load_env(config: dict) -> None:
    """Apply ``LMS_*`` environment variables on top of a config mapping."""
    env = os.environ
    if env.get("LMS_DATABASE_URL"):
        config["SQLALCHEMY_DATABASE_URI"] = env["LMS_DATABASE_URL"]
    if env.get("LMS_SECRET_KEY"):
        config["SECRET_KEY"] = env["LMS_SECRET_KEY"]
    if env.get("LMS_REDIS_URL"):
        config["REDIS_URL"] = env["LMS_REDIS_URL"]
    if env.get("LMS_FILES_DIR"):
        config["FILES_DIR"] = env["LMS_FILES_DIR"]
    if env.get("LMS_CACHE_GENERATION_DIR"):
        config["CACHE_GENERATION_DIR"] = env["LMS_CACHE_GENERATION_DIR"]
    if env.get("LMS_BASE_URL"):
        config["BASE_URL"] = env["LMS_BASE_URL"].rstrip("/")
    elif env.get("FLASK_RUN_PORT") or env.get("FLASK_RUN_HOST"):
        # `FLASK_RUN_PORT=8080 flask run` without LMS_BASE_URL: links, QR codes and e-mails point
        # at the port served, not at the default :5000 (`make run` sets LMS_BASE_URL itself).
        host = env.get("FLASK_RUN_HOST") or "127.0.0.1"
        port = env.get("FLASK_RUN_PORT") or "5000"
        config["BASE_URL"] = f"http://{host}:{port}"
    if env.get("LMS_SMTP_HOST"):
        config["SMTP_HOST"] = env["LMS_SMTP_HOST"]
        config["SMTP_PORT"] = int(env.get("LMS_SMTP_PORT", "25"))
    if env.get("LMS_JP_TARGET"):
        config["JP_TARGET"] = int(env["LMS_JP_TARGET"])
    if env.get("LMS_WEBHOOK_ALLOW_PRIVATE"):
        config["WEBHOOK_ALLOW_PRIVATE"] = env["LMS_WEBHOOK_ALLOW_PRIVATE"]
    for name in (
        "PACKAGE_MAX_UPLOAD",
        "PACKAGE_MAX_BYTES",
        "PACKAGE_MAX_RATIO",
        "PACKAGE_MAX_FILES",
        "PACKAGE_MAX_PATH",
        "PACKAGE_MAX_DEPTH",
        "CONTENT_URL_TTL",
        "SCORM_SAVE_AFTER_SECONDS",
        "WEBHOOK_MAX_ATTEMPTS",
        "WEBHOOK_BACKOFF_SECONDS",
        "WEBHOOK_TIMEOUT",
        "ACCOUNT_CACHE_SECONDS",
        "ACCOUNT_CACHE_SIZE",
        "DASHBOARD_KEPT_SECONDS",
        "DASHBOARD_TEAM_SECONDS",
    ):
        if env.get(f"LMS_{name}"):
            config[name] = int(env[f"LMS_{name}"])
    if env.get("LMS_CONTENT_ORIGIN"):
        config["CONTENT_ORIGIN"] = env["LMS_CONTENT_ORIGIN"].rstrip("/")
    if env.get("LMS_TRUSTED_PROXIES"):
        config["TRUSTED_PROXIES"] = int(env["LMS_TRUSTED_PROXIES"])
    if env.get("LMS_LOGIN_ADDRESS_RATE_LIMIT"):  # e.g. a load test from one address
        config["LOGIN_ADDRESS_RATE_LIMIT"] = env["LMS_LOGIN_ADDRESS_RATE_LIMIT"]
    _load_observability_env(config, env)


def _load_observability_env(config: dict, env: os._Environ | dict) -> None:
    if env.get("LMS_SERVER_TIMING"):
        config["SERVER_TIMING"] = env["LMS_SERVER_TIMING"].lower() in ("1", "true", "yes", "on")
    for name in ("LOG_FORMAT", "LOG_LEVEL", "METRICS_ALLOW", "METRICS_TOKEN"):
        if env.get(f"LMS_{name}"):
            config[name] = env[f"LMS_{name}"]
