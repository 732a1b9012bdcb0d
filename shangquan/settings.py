"""One environment-driven settings module.

Every knob is a ``SHANGQUAN_*`` environment variable; the defaults give a working
embedded set-up (SQLite, database-backed cache and task queue) on a laptop.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SHANGQUAN_VAR_DIR", BASE_DIR / "var"))


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(f"SHANGQUAN_{name}", default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


ENVIRONMENT = env("ENV", "development")
PRODUCTION = ENVIRONMENT == "production"
TESTING = env_bool("TESTING") or "pytest" in sys.modules
DEBUG = env_bool("DEBUG", default=False)
# A service that changes state without its declared audit action raises (else: logs).
SHANGQUAN_AUDIT_STRICT = env_bool("AUDIT_STRICT", TESTING or DEBUG)

SECRET_KEY = env("SECRET_KEY") or ""
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SHANGQUAN_SECRET_KEY must be set in production.")
    SECRET_KEY = "dev-only-insecure-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
# Empty: absolute links use the request's host (shangquan.core.links.site_url).
SITE_URL = (env("SITE_URL", "") or "").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "health_check",  # /healthz (shangquan.core.health); its status page template
    "shangquan.core",
    "shangquan.org",
    "shangquan.merchants",
    "shangquan.workorders",
    "shangquan.inspections",
    "shangquan.scales",
    "shangquan.crowd",
    "shangquan.stations",
    "shangquan.ratings",
    "shangquan.points",
    "shangquan.activities",
    "shangquan.deliberation",
    "shangquan.dashboard",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "shangquan.core.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "shangquan.core.links.SiteURLMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "shangquan.core.inputs.CleanInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "shangquan.core.middleware.IdempotencyMiddleware",
    "shangquan.core.middleware.DomainErrorMiddleware",
    "shangquan.core.httperrors.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "shangquan.urls"
ASGI_APPLICATION = "shangquan.asgi.application"
WSGI_APPLICATION = "shangquan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "shangquan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shangquan.core.context_processors.shell",
            ],
        },
    },
]


# --- database -----------------------------------------------------------------
def database_from_url(url: str | None) -> dict:
    """SQLite by default; ``postgres://user:pass@host:port/name`` switches to PostgreSQL.

    dj-database-url parses the URL (``sqlite:////absolute/path``, ``sqlite:///relative``,
    query parameters become OPTIONS); this adds what Shangquan needs on each engine.
    """
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'shangquan.sqlite3'}"
    try:
        config: dict = dict(dj_database_url.parse(url, conn_max_age=0))
    except dj_database_url.UnknownSchemeError as exc:
        raise ImproperlyConfigured(
            f"Unsupported SHANGQUAN_DATABASE_URL scheme: {exc.scheme!r}") from None
    options: dict = config.setdefault("OPTIONS", {})
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Concurrent writers wait on the lock instead of failing with
        # "database is locked": WAL for readers beside a writer, IMMEDIATE
        # so a transaction takes the write lock up front, a busy timeout.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 30,
            "init_command": (
                "PRAGMA journal_mode=WAL;"
                "PRAGMA synchronous=NORMAL;"
                "PRAGMA foreign_keys=ON;"
                "PRAGMA busy_timeout=30000;"
            ),
            **options,
        }
        config["TEST"] = {"NAME": None}
        return config
    if config["ENGINE"] == "django.db.backends.postgresql":
        # Under ASGI each request may run on a different thread, so per-thread persistent
        # connections pile up ("too many clients"). The web server (``shangquan run``) uses
        # a per-process psycopg pool instead; commands connect directly (clear errors).
        pool_size = int(env("DB_POOL_MAX", "0") or 0)
        if pool_size:
            options["pool"] = {"min_size": 1, "max_size": pool_size, "timeout": 30}
        # After a database restart, a pooled connection is checked before it is handed out
        # (and a broken one replaced), so the first request after the outage succeeds.
        config["CONN_HEALTH_CHECKS"] = True
        config["NAME"] = config["NAME"] or "shangquan"
        config["PORT"] = str(config["PORT"] or "")
        return config
    raise ImproperlyConfigured(
        f"Unsupported SHANGQUAN_DATABASE_URL engine: {config['ENGINE']!r} "
        "(SQLite and PostgreSQL are supported)")


DATABASES = {"default": database_from_url(env("DATABASE_URL"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- /healthz (shangquan.core.health) -------------------------------------------
# A heartbeat older than this fails its component with 503: 3 × the worker's 30 s beat.
HEARTBEAT_STALE_SECONDS = int(env("HEARTBEAT_STALE_SECONDS", "90") or 90)
# The MQTT bridge (``shangquan crowd-mqtt``) is checked only where a broker is configured.
HEALTHZ_MQTT_BRIDGE = env_bool("HEALTHZ_MQTT_BRIDGE", default=env("MQTT_URL") is not None)

# --- cache (rate limits, OTP counters, page fragments) -------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
    # Sessions read from Redis (no query per staff request) and written through to the
    # database, so a Redis restart signs nobody out and logging out ends the session.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
elif TESTING:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    # Shared by every server worker process without another service.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                          "LOCATION": "shangquan_cache"}}

# --- background work ------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING else "django_tasks_db.DatabaseBackend"
        ),
        "QUEUES": ["default"],
    }
}

# --- auth -----------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every login path (console form, API token, /admin/login/) is rate-limited here.
AUTHENTICATION_BACKENDS = ["shangquan.core.auth.RateLimitedModelBackend"]
# Reverse proxies (addresses or networks) whose X-Forwarded-For names the client that
# rate limits key on (core.ratelimit.client_ip); empty: the peer address itself.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
LOGIN_URL = "core:login"
LOGIN_REDIRECT_URL = "core:console"
LOGOUT_REDIRECT_URL = "core:home"

# Deployment-wide knobs, the same for every district. Per-district settings are declared
# by each app (``<app>/settings_schema.py``) and stored by ``core.district_settings``.
SHANGQUAN = {
    "SMS_SENDER": env("SMS_SENDER", "shangquan.core.notify.LogSender"),
    # The provider's approved signature and template codes (core.notify.TEMPLATES), e.g.
    # SHANGQUAN_SMS_TEMPLATES="otp=SMS_1234567,notice=SMS_7654321".
    "SMS_SIGN_NAME": env("SMS_SIGN_NAME", "商圈共治"),
    "SMS_TEMPLATES": dict(item.split("=", 1) for item in env_list("SMS_TEMPLATES")
                          if "=" in item),
    "OTP_TTL_SECONDS": 300,
    "OTP_MAX_ATTEMPTS": 5,
    "LOGIN_RATE": (int(env("LOGIN_RATE", "10") or 10), 300),  # attempts per window (s)
    "OTP_SEND_RATE": (5, 3600),  # codes sent per phone (×4 per address) per window (s)
    "OTP_VERIFY_RATE": (10, 600),  # codes tried per phone (×4 per address) per window (s)
    "PHOTO_MAX_BYTES": 8 * 1024 * 1024,
    "PHOTO_MAX_COUNT": 9,
    "PHOTO_MAX_SIDE": 2048,
    "IDEMPOTENCY_TTL_HOURS": 48,
    # A retry of a key still being answered waits this long, then gets 409 + Retry-After.
    "IDEMPOTENCY_WAIT_SECONDS": float(env("IDEMPOTENCY_WAIT_SECONDS", "10") or 10),
    # A claim whose request hangs is released after this much idling (PostgreSQL).
    "IDEMPOTENCY_LEASE_SECONDS": float(env("IDEMPOTENCY_LEASE_SECONDS", "30") or 30),
    "MQTT_URL": env("MQTT_URL", "mqtt://127.0.0.1:1883"),
    # Slow and oversized clients (core/bodyguard.py, ``shangquan run``): a multipart body
    # over this is 413; headers and each body chunk must arrive within the read timeout.
    "REQUEST_MAX_BYTES": int(env("REQUEST_MAX_BYTES", str(9 * 8 * 1024 * 1024 + 1024 * 1024))
                             or 0),
    "BODY_READ_TIMEOUT": float(env("READ_TIMEOUT", "30") or 30),
    # ``shangquan run``: concurrent requests per web worker (more wait in the backlog).
    # Each open live board holds one for its lifetime, idle between changes: room for a
    # holiday evening's viewers beside the ordinary requests.
    "MAX_CONCURRENCY": int(env("MAX_CONCURRENCY", "1024") or 1024),
    "BACKLOG": int(env("BACKLOG", "256") or 256),
}

# The log sender would print one-time codes and phones: never the sender in production.
if PRODUCTION and SHANGQUAN["SMS_SENDER"].endswith(".LogSender"):
    raise ImproperlyConfigured("SHANGQUAN_SMS_SENDER must name a real SMS sender in production "
                               "(the log sender is for development).")

# --- i18n -----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "shangquan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- static and media -----------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "staticfiles")) or "")
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end libraries come from the npm registry (package.json) at install time.
STATICFILES_DIRS = [
    BASE_DIR / "shangquan" / "static",
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
    ("vendor/leaflet", NODE_MODULES / "leaflet" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if TESTING or DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG or TESTING
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")) or "")
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
# Photos stop at PHOTO_MAX_BYTES while they are received (413), then memory or disk.
FILE_UPLOAD_HANDLERS = ["shangquan.core.uploads.PhotoLimitUploadHandler",
                        "django.core.files.uploadhandler.MemoryFileUploadHandler",
                        "django.core.files.uploadhandler.TemporaryFileUploadHandler"]
FILE_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

# --- security -------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 60 * 60 * 12
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    DEBUG = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"},
                # An oversized body is answered 413 and logged by shangquan.faults.
                "django.security.RequestDataTooBig": {"level": "CRITICAL"}},
}
