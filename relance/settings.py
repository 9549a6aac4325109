"""Relance settings: one module, driven by the environment (see README, "Settings").

Every variable is read through the strict helpers of `relance.lib.env`, so a
bad value stops start-up with a message naming the variable.
"""

from __future__ import annotations

import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from relance.lib.env import (
    SettingError,
    env_bool,
    env_int,
    env_list,
    env_str,
    env_url,
    mailers_setting,
)

BASE_DIR = Path(__file__).resolve().parent.parent
TESTING = "pytest" in sys.modules or env_bool("RELANCE_TESTING")

DATA_DIR = Path(env_str("RELANCE_DATA_DIR") or BASE_DIR / "var").resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("RELANCE_DEBUG", default=False)
SECRET_KEY = env_str("RELANCE_SECRET_KEY")
if not SECRET_KEY:
    # Without a configured key, keep one per data directory so sessions and
    # signed links survive restarts; production sets RELANCE_SECRET_KEY.
    key_file = DATA_DIR / "secret_key"
    if not key_file.exists():
        from django.utils.crypto import get_random_string

        key_file.write_text(get_random_string(64))
        key_file.chmod(0o600)
    SECRET_KEY = key_file.read_text().strip()
elif len(SECRET_KEY) < 32:
    raise SettingError("RELANCE_SECRET_KEY is too short: use at least 32 random characters.")

BASE_URL = env_url("RELANCE_BASE_URL", {"http", "https"}, default="http://127.0.0.1:8000")
ALLOWED_HOSTS = env_list("RELANCE_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = [BASE_URL.rstrip("/")]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    # Before django_tasks_db: its `db_worker` command is wrapped by ours,
    # which recovers the outbox when a worker starts (docs/sending.md).
    "relance.outreach",
    "django_tasks_db",
    "relance.accounts",
    "relance.audit",
    "relance.contacts",
    "relance.campaigns",
    "relance.interactions",
    "relance.followups",
    "relance.coverage",
    "relance.reports",
    "relance.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "relance.accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "relance.urls"
WSGI_APPLICATION = "relance.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "relance" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "relance.accounts.context_processors.relance",
            ],
            "builtins": ["django.templatetags.i18n"],
        },
    }
]

# --- Database -------------------------------------------------------------

DATABASE_URL = env_url("DATABASE_URL", {"postgres", "postgresql", "sqlite"})
if DATABASE_URL:
    try:
        _db = dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)
    except ValueError as exc:
        raise SettingError(f"DATABASE_URL is not usable: {exc}") from None
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(DATA_DIR / "relance.sqlite3"),
        # Keep connections: SQLite's page cache lives in the connection, and a
        # fresh one per request reads a million-contact index from cold.
        "CONN_MAX_AGE": 600,
        "CONN_HEALTH_CHECKS": True,
    }
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock at BEGIN, so two writers wait
    # for each other (busy timeout) instead of failing with "database is locked"
    # half-way through; WAL lets readers go on while one process writes.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON; PRAGMA cache_size=-65536; PRAGMA mmap_size=268435456"
        ),
    }
    _db.setdefault("TEST", {})
elif _db["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: our queries are many short ones over indexes, and JIT compiles
    # any whose estimated cost is high (a semi-join probing 10,000 contacts)
    # for 40-50 ms it never wins back (docs/performance.md, "Follow-up plan").
    _options = _db.setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Tasks ----------------------------------------------------------------

TASKS = {
    "default": {
        "BACKEND": (
            "django.tasks.backends.immediate.ImmediateBackend"
            if TESTING
            else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- Auth -----------------------------------------------------------------

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Failed logins allowed per username and per address before a pause.
LOGIN_FAILURE_LIMIT = env_int("RELANCE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# Password-reset e-mails allowed per address typed and per client address.
PASSWORD_RESET_LIMIT = env_int("RELANCE_PASSWORD_RESET_LIMIT", 5, minimum=1)
PASSWORD_RESET_WINDOW_SECONDS = 3600
PASSWORD_RESET_TIMEOUT = 3 * 3600

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = BASE_URL.startswith("https://")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# --- Email ----------------------------------------------------------------

EMAIL_URL = env_str("EMAIL_URL")
MAILERS = mailers_setting(EMAIL_URL)
DEFAULT_FROM_EMAIL = env_str("RELANCE_FROM_EMAIL", "Relance <relance@localhost>")
# Campaign e-mails (docs/sending.md): the address they come from (the
# manager's name is shown with it; replies go to the manager), messages per
# claimed batch (one SMTP connection each), attempts on temporary errors
# before giving up, the first retry delay (doubled each time), and how long
# a row may stay "sending" before its worker is taken for dead.
CAMPAIGN_FROM_EMAIL = env_str("RELANCE_CAMPAIGN_FROM_EMAIL")
SEND_BATCH_SIZE = env_int("RELANCE_SEND_BATCH_SIZE", 50, minimum=1)
SEND_MAX_ATTEMPTS = env_int("RELANCE_SEND_MAX_ATTEMPTS", 8, minimum=1)
SEND_RETRY_SECONDS = env_int("RELANCE_SEND_RETRY_SECONDS", 60, minimum=1)
SENDING_TIMEOUT_SECONDS = env_int("RELANCE_SENDING_TIMEOUT_SECONDS", 600, minimum=1)
# The campaign mailbox the worker reads every few minutes for bounces and
# replies (`relance ingest-mail --imap`, docs/mail.md): imaps://user:pass@host/INBOX.
INBOUND_IMAP_URL = env_url("RELANCE_INBOUND_IMAP_URL", {"imap", "imaps"})

# --- Internationalisation -------------------------------------------------

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "relance" / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Paris"
USE_TZ = True

# --- Static and uploaded files -------------------------------------------

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "relance" / "static"]
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING
MEDIA_ROOT = DATA_DIR / "media"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
# Largest contact file accepted by the import page.
IMPORT_MAX_BYTES = env_int("RELANCE_IMPORT_MAX_BYTES", 50 * 1024 * 1024, minimum=1024)
# A campaign attachment (media kit): 20 MB is what journalists' mailboxes still accept.
ATTACHMENT_MAX_BYTES = env_int("RELANCE_ATTACHMENT_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# The cache holds counters shared by every web process on this machine (the
# API's read budget); a file cache needs no extra service.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(DATA_DIR / "cache"),
        }
    )
}
# Contact records an hour that roles without the export right (interns,
# community managers) may read through the API: browsing, not bulk download.
RELANCE_API_CONTACT_READS_PER_HOUR = env_int("RELANCE_API_CONTACT_READS_PER_HOUR", 500, minimum=1)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"relance": {"level": "INFO"}},
}

CSRF_FAILURE_VIEW = "relance.accounts.views_team.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
