"""Base settings shared by every environment.

Infrastructure choices (database, jobs, storage) are read from the environment so that any command can run
against a fresh database: ``DATABASE_URL`` (``sqlite:////abs/path.db`` or ``postgres://user@host:port/db``),
``VANPHONG_DATA_DIR`` (default ``./var``), ``VANPHONG_SECRET_KEY``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent
DATA_DIR = Path(os.environ.get("VANPHONG_DATA_DIR", BASE_DIR / "var")).resolve()

SECRET_KEY = os.environ.get("VANPHONG_SECRET_KEY", "dev-insecure-key-change-me-in-production-0123456789")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("VANPHONG_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "vanphong.core",
    "vanphong.org",
    "vanphong.accounts",
    "vanphong.catalogs",
    "vanphong.storage",
    "vanphong.jobs",
    "vanphong.ingest",
    "vanphong.search",
    "vanphong.registry",
    "vanphong.routing",
    "vanphong.security",
    "vanphong.dashboards",
    "vanphong.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "vanphong.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "vanphong.core.middleware.RequestContextMiddleware",
    "vanphong.core.middleware.ErrorPageMiddleware",
    "vanphong.accounts.middleware.IdleTimeoutMiddleware",
    "vanphong.accounts.middleware.TwoFactorRequiredMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "vanphong" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "vanphong.dashboards.context_processors.navigation",
                "vanphong.routing.context_processors.notifications",
            ],
        },
    }
]


def database_from_env(default_sqlite: Path) -> dict[str, Any]:
    """Parse ``DATABASE_URL``; SQLite gets WAL, IMMEDIATE transactions and a busy timeout."""
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{default_sqlite}"
    db: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=0))
    if db["ENGINE"] == "django.db.backends.sqlite3":
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        db["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    db["ATOMIC_REQUESTS"] = False
    db.setdefault("TEST", {})
    return db


DATABASES = {"default": database_from_env(DATA_DIR / "vanphong.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = ["vanphong.accounts.backends.LockoutModelBackend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "vanphong.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Security policy (accounts). Numbers are policy, kept here so a deployment can tighten them.
VANPHONG_LOCKOUT_THRESHOLD = int(os.environ.get("VANPHONG_LOCKOUT_THRESHOLD", "5"))
VANPHONG_LOCKOUT_MINUTES = int(os.environ.get("VANPHONG_LOCKOUT_MINUTES", "15"))
VANPHONG_IDLE_TIMEOUT_MINUTES = int(os.environ.get("VANPHONG_IDLE_TIMEOUT_MINUTES", "30"))
VANPHONG_TOTP_ISSUER = "Vanphong"
VANPHONG_API_TOKEN_DAYS = int(
    os.environ.get("VANPHONG_API_TOKEN_DAYS", "180")
)  # lifetime of a personal API token
VANPHONG_API_RATE = os.environ.get(
    "VANPHONG_API_RATE", "600/m"
)  # API requests per token (or session), N/s|m|h|d

SESSION_COOKIE_AGE = 60 * 60 * 10  # absolute cap of a working day; idle expiry is the middleware's job
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
CSRF_COOKIE_HTTPONLY = True  # pages send the token from the template (hx-headers), never from the cookie

# Hardening (vanphong.core.security, vanphong.core.ratelimit). ``{nonce}`` is replaced per response; pages have no
# inline scripts, ``<style>`` elements carry ``nonce="{{ request.csp_nonce }}"``. An empty string sends no policy.
VANPHONG_CSP = os.environ.get(
    "VANPHONG_CSP",
    "default-src 'self'; script-src 'self'; style-src 'self' 'nonce-{nonce}'; style-src-attr 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'",
)
VANPHONG_PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"
)
# Failed logins counted per client address and per user name (on top of the account lockout above); a shared
# cache (VANPHONG_RATELIMIT_CACHE) makes the counts hold across worker processes.
VANPHONG_LOGIN_RATE_IP = int(os.environ.get("VANPHONG_LOGIN_RATE_IP", "20"))
VANPHONG_LOGIN_RATE_USERNAME = int(os.environ.get("VANPHONG_LOGIN_RATE_USERNAME", "10"))
VANPHONG_LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("VANPHONG_LOGIN_RATE_WINDOW_SECONDS", "300"))
VANPHONG_OTP_RATE = 10  # wrong two-factor codes per pending login per window
VANPHONG_RATELIMIT_CACHE = "default"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "vanphong" / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "vanphong" / "static"]

# Jobs: the Django Tasks API; the database worker by default (no broker on one machine).
# Search: the embedded tantivy index by default; "vanphong.search.backends.postgres.PostgresBackend" keeps the index
# in PostgreSQL for deployments whose web nodes share only the database (docs/decisions/0003-search.md).
VANPHONG_SEARCH = {
    "BACKEND": os.environ.get("VANPHONG_SEARCH_BACKEND", "vanphong.search.backends.tantivy.TantivyBackend"),
    "OPTIONS": {"path": str(DATA_DIR / "search")},
}
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

# Content-addressed storage.
VANPHONG_STORAGE = {
    "BACKEND": "vanphong.storage.backends.FileSystemBackend",
    "OPTIONS": {"root": str(DATA_DIR / "blobs")},
}
# Encryption at rest: master keys in a key file (``vanphong keys generate``) or ``VANPHONG_MASTER_KEY`` (base64).
VANPHONG_KEYS = {
    "PROVIDER": "vanphong.storage.crypto.FileKeyProvider",
    "KEY_FILE": os.environ.get("VANPHONG_KEY_FILE", str(DATA_DIR / "keys" / "master.keys")),
}

# "internet" (default) refuses content marked Mật or above (Luật 117/2025/QH15 Điều 5); "isolated" is a mạng LAN
# độc lập that may hold it, encrypted at rest (vanphong.catalogs.secrecy).
VANPHONG_DEPLOYMENT_MODE = os.environ.get("VANPHONG_DEPLOYMENT_MODE", "internet")
VANPHONG_REAL_DATA = Path(os.environ.get("VANPHONG_REAL_DATA", BASE_DIR.parent / "shared" / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "vanphong.core.logging.RedactSecretsFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact_secrets"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {"vanphong": {"level": "INFO"}},
}

# ingest: checks of received files, OCR backend, inline reading of born-digital files (vanphong.ingest).
VANPHONG_INGEST_MAX_BYTES = int(os.environ.get("VANPHONG_INGEST_MAX_BYTES", 50 * 1024 * 1024))
VANPHONG_INGEST_MAX_PIXELS = 100_000_000  # per image page; larger is refused as a decompression bomb
VANPHONG_INGEST_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024  # zip-bomb guard, from the central directory
VANPHONG_INGEST_DOCX_MAX_ENTRIES = 2000
VANPHONG_INGEST_DOCX_MAX_RATIO = 200  # members over 1 MB compressed more than 200:1 are refused
VANPHONG_INGEST_MIN_TEXT_CHARS_PER_PAGE = 100  # below this average a PDF is a scan and goes to OCR
VANPHONG_INGEST_INLINE = True  # born-digital PDF/DOCX read in the request; scans always in the background
# Hard cap for any uploaded file (keep it >= every entry point's own cap): larger uploads are counted, not stored.
VANPHONG_UPLOAD_MAX_BYTES = int(os.environ.get("VANPHONG_UPLOAD_MAX_BYTES", VANPHONG_INGEST_MAX_BYTES))
FILE_UPLOAD_HANDLERS = [
    "vanphong.core.security.SizeCapUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
VANPHONG_OCR_BACKEND = os.environ.get("VANPHONG_OCR_BACKEND", "vanphong.ingest.ocr.OcrMyPdfBackend")
VANPHONG_OCR_OPTIONS: dict[str, Any] = {"language": "vie", "timeout": 900}

# E-mail (daily digest). Production sets EMAIL_HOST etc. in the environment; without a host, mail is printed.
EMAIL_HOST = os.environ.get("VANPHONG_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("VANPHONG_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("VANPHONG_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("VANPHONG_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("VANPHONG_EMAIL_TLS", "") == "1"
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("VANPHONG_EMAIL_FROM", "vanphong@localhost")
VANPHONG_BASE_URL = os.environ.get("VANPHONG_BASE_URL", "http://127.0.0.1:8000")
