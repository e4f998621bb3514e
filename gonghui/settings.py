"""Gonghui settings: everything that differs between deployments comes from the environment.

See the configuration table in README.md. Parsing is strict (gonghui.core.env).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from gonghui.core.env import env_bool, env_choice, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
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
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "ninja",
    "treebeard",
    "gonghui.core",
    "gonghui.accounts",
    "gonghui.orgs",
    "gonghui.members",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "gonghui.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "gonghui.urls"
WSGI_APPLICATION = "gonghui.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
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
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

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
STATICFILES_DIRS = [PACKAGE_DIR / "static"]  # our CSS plus vendor/ built from the npm lockfile
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = VAR_DIR / "media"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 3600, minimum=60)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # The reverse proxy terminates TLS and says so in this header.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

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
