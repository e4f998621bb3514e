"""Gonghui settings: everything that differs between deployments comes from the environment.

See the configuration table in README.md. Parsing is strict (gonghui.core.env).
"""

import importlib.util
import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gonghui.core.env import env_bool, env_choice, env_int, env_list, env_str
from gonghui.core.ratelimit_settings import rate_limits_from_env

PACKAGE_DIR = Path(__file__).resolve().parent
# django-ninja's own Swagger UI (templates and static files), served without installing ninja as
# an app: an installed app is imported by every process as it starts (ninja and pydantic, 0.15 s),
# API or not. Found without importing it (see gonghui.core.api_schema.LocalSwagger).
_NINJA_SPEC = importlib.util.find_spec("ninja")
if _NINJA_SPEC is None or _NINJA_SPEC.origin is None:
    raise ImproperlyConfigured("django-ninja is not installed: run `make install`.")
NINJA_DIR = Path(_NINJA_SPEC.origin).parent
BASE_DIR = PACKAGE_DIR.parent
VAR_DIR = Path(env_str("GONGHUI_VAR_DIR", str(BASE_DIR / "var")) or "var")

# var/ holds the embedded database, uploads and collected static files.
(VAR_DIR / "static").mkdir(parents=True, exist_ok=True)

ENV = env_choice("GONGHUI_ENV", "development", ("development", "production"))
PRODUCTION = ENV == "production"

_DEV_SECRET = "development-only-secret-key-do-not-use-in-production-0123456789"
SECRET_KEY = env_str("SECRET_KEY", None if PRODUCTION else _DEV_SECRET) or ""
if PRODUCTION and (len(SECRET_KEY) < 50 or SECRET_KEY == _DEV_SECRET or len(set(SECRET_KEY)) < 5):
    raise ImproperlyConfigured(
        "GONGHUI_ENV=production needs SECRET_KEY: at least 50 random characters "
        '(python3 -c "import secrets; print(secrets.token_urlsafe(60))")'
    )

DEBUG = env_bool("DEBUG", not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "gonghui.accounts.admin_config.SuperuserAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "treebeard",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "gonghui.appeals",
    "gonghui.notify",
    "gonghui.legal",
    "gonghui.places",
    "gonghui.portal",
    "gonghui.benefits",
    "gonghui.insights",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gonghui.core.middleware.LanguageMiddleware",
    "gonghui.core.request_guard.RejectNulMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "gonghui.accounts.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a refused login into the lockout page
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates", NINJA_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "gonghui.core.context_processors.csp_nonce",
            ],
        },
    },
]

# Database: DATABASE_URL, or an embedded SQLite file in var/ (WAL, so readers never block).
_default_sqlite = f"sqlite:///{VAR_DIR / 'gonghui.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", _default_sqlite) or _default_sqlite,
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # 16 KB pages (SQLite's default is 4 KB) for a file created now; an existing file keeps
        # its own. A registry of a million rows then has a quarter as many pages to insert into,
        # scan for an index build and write: a large import runs 5–10 % faster (README).
        "init_command": (
            "PRAGMA page_size=16384; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login safety (gonghui.accounts): django-axes locks a username and, separately, an address
# after 5 failures for 15 minutes; attempts during a lockout do not extend it, so the time the
# lockout page names holds. A success does not clear the counts (it would clear the address's
# too). Staff of roles that open personal data or administer the system confirm every login
# with TOTP (django-otp).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("GONGHUI_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("GONGHUI_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_RESET_ON_SUCCESS = False
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "gonghui.core.ratelimit.client_address"  # honours TRUSTED_PROXIES
AXES_LOCKOUT_CALLABLE = "gonghui.accounts.views.login.lockout_response"
AXES_DISABLE_ACCESS_LOG = True  # logins are in the audit log
AXES_VERBOSE = False  # no start-up banner on every command
AXES_ENABLE_ADMIN = False  # unlocking is the security administrator's audited action
OTP_TOTP_ISSUER = env_str("GONGHUI_TOTP_ISSUER", "Gonghui") or "Gonghui"

# Mail (password-reset links, contact verification): SMTP when EMAIL_HOST is set, and always in
# production (default: the local MTA on localhost:25); development prints mails to the console.
_email_host = env_str("EMAIL_HOST")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION or _email_host
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_HOST = _email_host or "localhost"
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "") or ""
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "") or ""
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
if EMAIL_USE_TLS and EMAIL_USE_SSL:
    raise ImproperlyConfigured("EMAIL_USE_TLS and EMAIL_USE_SSL exclude each other: set one")
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "gonghui@localhost") or ""

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Our CSS plus vendor/ built from the npm lockfile; ninja's Swagger UI (see NINJA_DIR).
STATICFILES_DIRS = [PACKAGE_DIR / "static", NINJA_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "gonghui.core.staticfiles.StaticFilesStorage"  # hashed, compressed (whitenoise)
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
# A staff session ends after this many seconds without a request (idle timeout): every request
# pushes the expiry forward.
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 60, minimum=60)
SESSION_SAVE_EVERY_REQUEST = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# No JavaScript reads the CSRF cookie: HTMX sends the token from <body hx-headers>.
CSRF_COOKIE_HTTPONLY = True
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

# The reverse proxy terminates TLS and says so in this header, `Header-Name: value`; `none`
# when nothing in front sets it. Production assumes a proxy (README, operations).
_proxy_header = env_str(
    "SECURE_PROXY_SSL_HEADER", "X-Forwarded-Proto: https" if PRODUCTION else "none"
)
if _proxy_header and _proxy_header.strip().lower() != "none":
    _header, _colon, _value = _proxy_header.partition(":")
    if not _colon or not _header.strip() or not _value.strip() or " " in _header.strip():
        raise ImproperlyConfigured(
            f"SECURE_PROXY_SSL_HEADER={_proxy_header!r} must be like "
            "'X-Forwarded-Proto: https', or none"
        )
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _header.strip().upper().replace("-", "_"),
        _value.strip(),
    )
# How many reverse proxies append to X-Forwarded-For in front of the app: the client address
# (rate limits) is the one the outermost trusted proxy saw. 0 = use the TCP peer address.
TRUSTED_PROXIES = env_int("GONGHUI_TRUSTED_PROXIES", 1 if PRODUCTION else 0, minimum=0)

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no
# inline code; a per-response nonce for the rare script tag that needs one ({{ csp_nonce }}).
# Tabler draws select arrows and check marks as data: SVG images, hence data: in img-src.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Public endpoints count requests per address and per submitted phone/code in the database, or
# in Redis when GONGHUI_RATE_LIMIT_REDIS_URL is set (redis://host:6379/0; needs the `redis` extra).
RATE_LIMITS = rate_limits_from_env(env_str("GONGHUI_RATE_LIMITS"))
RATE_LIMIT_REDIS_URL = env_str("GONGHUI_RATE_LIMIT_REDIS_URL")
if RATE_LIMIT_REDIS_URL and not RATE_LIMIT_REDIS_URL.startswith(
    ("redis://", "rediss://", "unix://")
):
    raise ImproperlyConfigured(
        "GONGHUI_RATE_LIMIT_REDIS_URL must start with redis://, rediss:// or unix://"
    )
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    **(
        {
            "ratelimit": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": RATE_LIMIT_REDIS_URL,
                "KEY_PREFIX": "gonghui-rl",
            }
        }
        if RATE_LIMIT_REDIS_URL
        else {}
    ),
}

# Background jobs: Django's task API on the database (no broker). Run `gonghui db_worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# Member card numbers: this 4-digit issuer prefix + an 11-digit sequence + a Luhn check digit.
CARD_NUMBER_PREFIX = env_str("GONGHUI_CARD_PREFIX", "8110")

# Rows per committed chunk of the member import (memory and progress granularity).
MEMBER_IMPORT_CHUNK = env_int("GONGHUI_IMPORT_CHUNK", 20_000, minimum=100)
# A member file at least this large, imported into an empty registry on PostgreSQL, loads in
# one transaction with the secondary indexes rebuilt at the end (~100 000 rows).
MEMBER_BULK_LOAD_BYTES = env_int("GONGHUI_BULK_LOAD_BYTES", 8_000_000, minimum=0)
# A file at least that large is validated in this many worker processes (0: in a thread).
MEMBER_IMPORT_WORKERS = env_int("GONGHUI_IMPORT_WORKERS", min(os.cpu_count() or 1, 4), minimum=0)

# Lists are paged; the API caps page_size here.
PAGE_SIZE = 50
API_MAX_PAGE_SIZE = 1000

# Days the audit log stays online; `gonghui prune_audit` refuses anything newer. The law asks
# for at least six months, so less than 184 is refused here too.
AUDIT_RETENTION_DAYS = env_int("GONGHUI_AUDIT_RETENTION_DAYS", 184, minimum=184)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Personal data protection (PIPL) ---------------------------------------------------------
# Resident ID numbers and phones are stored encrypted (gonghui.core.pii). GONGHUI_PII_CIPHER is
# aes (AES-256-GCM) or sm4 (SM4-GCM, HMAC-SM3 index); GONGHUI_PII_KEYS is keyid:base64key,… (the
# first encrypts); GONGHUI_PII_INDEX_KEY keys the blind index. Production requires both keys
# (`gonghui generate_pii_keys`); a development checkout creates its own in var/pii-keys.env.
from gonghui.core.pii_settings import PII_CIPHERS, pii_keys_from_env  # noqa: E402

PII_CIPHER = env_choice("GONGHUI_PII_CIPHER", "aes", PII_CIPHERS)
PII_KEYS, PII_INDEX_KEY = pii_keys_from_env(
    cipher=PII_CIPHER, production=PRODUCTION, key_file=VAR_DIR / "pii-keys.env"
)
# --- end of personal data protection ---------------------------------------------------------

# --- 12351 appeal line (gonghui.appeals) -------------------------------------------------------
# Deadlines of the three difficulty classes, in working days from the day of receipt.
APPEALS_DEADLINE_DAYS = {
    "ordinary": env_int("GONGHUI_APPEAL_DAYS_ORDINARY", 5, minimum=1),
    "difficult": env_int("GONGHUI_APPEAL_DAYS_DIFFICULT", 10, minimum=1),
    "complex": env_int("GONGHUI_APPEAL_DAYS_COMPLEX", 20, minimum=1),
}
# Routing: this many workers involved raise an appeal one level (unless its rule says
# otherwise); this many send it to the district federation.
APPEALS_RAISE_FROM_WORKERS = env_int("GONGHUI_APPEAL_RAISE_WORKERS", 10, minimum=2)
APPEALS_DISTRICT_FROM_WORKERS = env_int("GONGHUI_APPEAL_DISTRICT_WORKERS", 30, minimum=2)
# Escalation of overdue appeals and reminders run only inside service hours on working days.
APPEALS_SERVICE_HOURS = env_str("GONGHUI_APPEAL_SERVICE_HOURS", "08:30-17:30") or ""
# Early warning: this many appeals about one employer within this many days, or one appeal
# with this many workers involved, raise an alert to the district federation.
APPEALS_ALERT_APPEALS = env_int("GONGHUI_APPEAL_ALERT_APPEALS", 3, minimum=2)
APPEALS_ALERT_DAYS = env_int("GONGHUI_APPEAL_ALERT_DAYS", 7, minimum=1)
APPEALS_ALERT_WORKERS = env_int("GONGHUI_APPEAL_ALERT_WORKERS", 10, minimum=2)
APPEALS_ATTACHMENT_MAX_BYTES = env_int("GONGHUI_APPEAL_ATTACHMENT_MB", 10, minimum=1) * 2**20
# Channel clients' Idempotency-Keys are remembered this many days (`gonghui prune_intake_keys`).
APPEALS_INTAKE_KEY_DAYS = env_int("GONGHUI_APPEAL_INTAKE_KEY_DAYS", 7, minimum=1)

# --- Notifications (gonghui.notify) ------------------------------------------------------------
# SMS gateway: console (development), file (JSON lines, idempotent by message id) or http.
NOTIFY_SMS_BACKEND = env_choice("GONGHUI_SMS_BACKEND", "console", ("console", "file", "http"))
NOTIFY_FILE_PATH = Path(env_str("GONGHUI_SMS_FILE", str(VAR_DIR / "sms.jsonl")) or "sms.jsonl")
# The http backend POSTs NOTIFY_HTTP_TEMPLATE to NOTIFY_HTTP_URL with $phone, $text and
# $message_id substituted (JSON-escaped); the message id lets the gateway drop duplicates.
NOTIFY_HTTP_URL = env_str("GONGHUI_SMS_HTTP_URL", "") or ""
NOTIFY_HTTP_TEMPLATE = (
    env_str("GONGHUI_SMS_HTTP_TEMPLATE", '{"to": "$phone", "text": "$text", "id": "$message_id"}')
    or ""
)
NOTIFY_HTTP_AUTHORIZATION = env_str("GONGHUI_SMS_HTTP_AUTHORIZATION", "") or ""
NOTIFY_HTTP_TIMEOUT = env_int("GONGHUI_SMS_HTTP_TIMEOUT", 10, minimum=1)
NOTIFY_MAX_ATTEMPTS = env_int("GONGHUI_SMS_MAX_ATTEMPTS", 5, minimum=1)
NOTIFY_RETRY_SECONDS = env_int("GONGHUI_SMS_RETRY_SECONDS", 60, minimum=0)
# A message left `sending` this long (its dispatcher died) is offered to the gateway again.
NOTIFY_LEASE_SECONDS = env_int("GONGHUI_SMS_LEASE_SECONDS", 300, minimum=0)
NOTIFY_BATCH = env_int("GONGHUI_SMS_BATCH", 100, minimum=1)

# --- Legal services and labour-dispute mediation (gonghui.legal) --------------------------------
# A dispute case is major (dispatched to the lawyers' group at once) from this many workers
# involved, or when the claims add up to more than this many yuan.
LEGAL_MAJOR_WORKERS = env_int("GONGHUI_LEGAL_MAJOR_WORKERS", 10, minimum=2)
LEGAL_MAJOR_AMOUNT = env_int("GONGHUI_LEGAL_MAJOR_AMOUNT", 500_000, minimum=1)

# --- Service points, venue booking and the worker portal sign-in (gonghui.places, .portal) -----
# The nearest search starts with a box of this radius and doubles it until `limit` points are
# found; the public API returns at most PLACES_NEAR_MAX_LIMIT points per query.
PLACES_NEAR_START_M = env_int("GONGHUI_PLACES_NEAR_START_M", 2000, minimum=100)
PLACES_NEAR_MAX_LIMIT = env_int("GONGHUI_PLACES_NEAR_MAX_LIMIT", 50, minimum=1)
# One-time sign-in codes: lifetime, wrong tries before a code is void, wait before a new one.
PORTAL_CODE_TTL_SECONDS = env_int("GONGHUI_PORTAL_CODE_TTL", 300, minimum=30)
PORTAL_CODE_MAX_ATTEMPTS = env_int("GONGHUI_PORTAL_CODE_ATTEMPTS", 5, minimum=1)
PORTAL_CODE_RESEND_SECONDS = env_int("GONGHUI_PORTAL_CODE_RESEND", 60, minimum=0)

# --- Insights (gonghui.insights) ---------------------------------------------------------------
# The rollup tables keep monthly figures for this many calendar years (this one included);
# earlier figures are kept by whole year.
INSIGHTS_MONTHLY_YEARS = env_int("GONGHUI_INSIGHTS_MONTHLY_YEARS", 2, minimum=1)
