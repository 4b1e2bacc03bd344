"""Vertebra settings, read from the environment (12-factor).

Every variable is listed in `.env.example` and explained in docs/operations.md.
`VERTEBRA_ENV` is one of `local` (the default: `make run`), `test`, `production`.
Outside local and test a SECRET_KEY must be given; DEBUG is off unless asked for.
"""

from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc


def _env_decimal(name: str, default: str) -> Decimal:
    raw = os.environ.get(name) or default
    try:
        value = Decimal(raw)
    except InvalidOperation as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc
    if not value.is_finite() or value <= 0:
        raise ImproperlyConfigured(f"{name} must be more than 0, got {raw!r}")
    return value


def _env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


VERTEBRA_ENV = os.environ.get("VERTEBRA_ENV", "local")
if VERTEBRA_ENV not in {"local", "test", "production"}:
    raise ImproperlyConfigured(
        f"VERTEBRA_ENV must be local, test or production, not {VERTEBRA_ENV!r}"
    )
IS_PRODUCTION = VERTEBRA_ENV == "production"

DATA_DIR = Path(os.environ.get("VERTEBRA_DATA_DIR", BASE_DIR / "var")).resolve()
# The embedded database and collected static files live here; SQLite cannot create folders.
(DATA_DIR / "static").mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if IS_PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set in production (see .env.example)")
    # Local and test only: a fixed, obviously non-secret key so sessions survive restarts.
    SECRET_KEY = "local-only-insecure-key-never-use-in-production-0123456789abcdef"  # noqa: S105

DEBUG = _env_bool("DEBUG", default=False)

ALLOWED_HOSTS = _env_list(
    "ALLOWED_HOSTS", [] if IS_PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = _env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "csp",
    "vertebra.core",
    "vertebra.audit",
    "vertebra.patients",
    "vertebra.evaluation",
    "vertebra.scheduling",
    "vertebra.procedures",
    "vertebra.portal",
    "vertebra.fhir",
    "vertebra.clinic",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vertebra.core.middleware.ApiBodyGuardMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "vertebra.core.middleware.IdleLogoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vertebra" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vertebra.core.context.clinic",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite is the embedded default. IMMEDIATE transactions take the write lock at BEGIN, so two
# writers queue on busy_timeout instead of failing with "database is locked" mid-transaction.
_SQLITE_URL = f"sqlite:///{DATA_DIR / 'vertebra.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", _SQLITE_URL), conn_max_age=_env_int("DB_CONN_MAX_AGE", 60)
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # A file, not Django's default in-memory test database: concurrency tests open one
    # connection per thread, and every connection must see the same database.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-vertebra.sqlite3")}
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["ATOMIC_REQUESTS"] = False

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "core.User"

# --- Authentication -------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Automatic logoff after this many idle minutes (a clinic setting).
VERTEBRA_IDLE_TIMEOUT_MINUTES = _env_int("VERTEBRA_IDLE_TIMEOUT_MINUTES", 15)
SESSION_COOKIE_AGE = 12 * 60 * 60
# Django's database sessions, with the per-request read done in one plain query.
SESSION_ENGINE = "vertebra.core.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Brute-force protection: lock a username+address after repeated failures; answer 429.
AXES_FAILURE_LIMIT = _env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HTTP_RESPONSE_CODE = 429
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Trusted reverse proxies in front of Vertebra: the audit trail and the lockout key then use
# the client address they forward (vertebra.core.actor.client_address).
VERTEBRA_PROXY_COUNT = _env_int("VERTEBRA_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "vertebra.core.actor.client_address"

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", IS_PRODUCTION)
CSRF_COOKIE_SECURE = _env_bool("CSRF_COOKIE_SECURE", IS_PRODUCTION)
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT", IS_PRODUCTION)
SECURE_HSTS_SECONDS = _env_int("SECURE_HSTS_SECONDS", 31_536_000 if IS_PRODUCTION else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = IS_PRODUCTION
SECURE_HSTS_PRELOAD = _env_bool("SECURE_HSTS_PRELOAD", default=IS_PRODUCTION)
if _env_bool("VERTEBRA_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Internationalisation and time ----------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.environ.get("VERTEBRA_TIME_ZONE", "Europe/Berlin")  # the clinic's time zone
USE_I18N = True
USE_TZ = True

VERTEBRA_CLINIC_NAME = os.environ.get("VERTEBRA_CLINIC_NAME", "Vertebra Spine Clinic")

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if IS_PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (tests, local) WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = not IS_PRODUCTION

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "clinic@localhost")
EMAIL_TIMEOUT = _env_int("EMAIL_TIMEOUT", 20)  # seconds; a hung server must not stall the sender

# --- Booking --------------------------------------------------------------------------------
# How long before an appointment its reminder is sent, and how often a failed e-mail is tried.
VERTEBRA_REMINDER_LEAD_HOURS = _env_int("VERTEBRA_REMINDER_LEAD_HOURS", 24)
VERTEBRA_NOTICE_MAX_ATTEMPTS = _env_int("VERTEBRA_NOTICE_MAX_ATTEMPTS", 5)

# --- The procedure record (clinical-reference §4.1): "check" values, review them locally -------
# A substantial radiation dose: Ka,r above 5 Gy, KAP above 500 Gy·cm² or fluoroscopy above
# 60 min [STECKER2009] (check).
VERTEBRA_DOSE_KAR_MGY = _env_decimal("VERTEBRA_DOSE_KAR_MGY", "5000")
VERTEBRA_DOSE_KAP_GY_CM2 = _env_decimal("VERTEBRA_DOSE_KAP_GY_CM2", "500")
VERTEBRA_DOSE_FLUOROSCOPY_MIN = _env_decimal("VERTEBRA_DOSE_FLUOROSCOPY_MIN", "60")
# Discharge home needs a recovery score of at least this (modified Aldrete or PADSS ≥ 9, check).
VERTEBRA_DISCHARGE_MIN_RECOVERY_SCORE = _env_int("VERTEBRA_DISCHARGE_MIN_RECOVERY_SCORE", 9)
# The number patients call with a red-flag symptom (printed on the discharge instructions).
VERTEBRA_CLINIC_PHONE = os.environ.get("VERTEBRA_CLINIC_PHONE", "")
# A procedure started more than this many hours from its booked appointment warns (issue 14):
# the default procedure slot is 60 min + 15 min turnover, so 2 h allows a list running a session
# late while catching a record opened for another day's booking or patient. Not clinical.
VERTEBRA_PROCEDURE_START_TOLERANCE_HOURS = _env_int("VERTEBRA_PROCEDURE_START_TOLERANCE_HOURS", 2)
# Who may explain the risks at consent besides a physician ("physician" always may); e.g. "nurse"
# where the clinic delegates consent (issue 14; local policy, check).
VERTEBRA_CONSENT_EXPLAINER_ROLES = _env_list("VERTEBRA_CONSENT_EXPLAINER_ROLES", ["physician"])
# After sedation, an adult stays with the patient overnight where the clinic requires it
# [ASASED2018] (check): printed on the discharge instructions when true.
VERTEBRA_DISCHARGE_OVERNIGHT_ADULT = _env_bool("VERTEBRA_DISCHARGE_OVERNIGHT_ADULT", True)
# Times on the procedure record and its documents: 24-hour clock (default) or 12-hour.
VERTEBRA_CLOCK_24H = _env_bool("VERTEBRA_CLOCK_24H", True)

# --- The day of the procedure (clinical-reference §4.1a): "check" values, review them locally ---
# Fasting before sedation [ASAFAST2017] (check): clear liquids up to 2 h before; a light meal up
# to 6 h; fried or fatty food, meat up to 8 h. The checklist compares the recorded times of the
# last clear liquid and the last food with the booked start.
VERTEBRA_FASTING_CLEAR_LIQUID_HOURS = _env_decimal("VERTEBRA_FASTING_CLEAR_LIQUID_HOURS", "2")
VERTEBRA_FASTING_LIGHT_MEAL_HOURS = _env_decimal("VERTEBRA_FASTING_LIGHT_MEAL_HOURS", "6")
VERTEBRA_FASTING_FATTY_MEAL_HOURS = _env_decimal("VERTEBRA_FASTING_FATTY_MEAL_HOURS", "8")
# Documentation items of the checklist (§4.1a: "tracked on the checklist but not safety checks:
# they block only where the clinic sets them to"); PRE-BMD is the LCDs' documentation [LCD].
VERTEBRA_CHECKLIST_DOCUMENTATION_ITEMS = _env_list(
    "VERTEBRA_CHECKLIST_DOCUMENTATION_ITEMS", ["PRE-BMD"]
)
VERTEBRA_CHECKLIST_DOCUMENTATION_BLOCKS = _env_bool(
    "VERTEBRA_CHECKLIST_DOCUMENTATION_BLOCKS", False
)

# --- Logging --------------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

NINJA_PAGINATION_PER_PAGE = 50
