"""Django settings for cxloop, configured by environment variables (docs/configuration.md)."""

import os
import sys
from pathlib import Path
from typing import Any

import dj_database_url

from cxloop.lib.env import (
    default_data_dir,
    envbool,
    envint,
    envlist,
    envstr,
    persistent_secret_key,
)

BASE_DIR = Path(__file__).resolve().parent
TESTING = "pytest" in sys.modules or envbool("CXLOOP_TESTING", False)

DATA_DIR = Path(envstr("CXLOOP_DATA_DIR", str(default_data_dir(BASE_DIR))))
if TESTING and "CXLOOP_DATA_DIR" not in os.environ:
    DATA_DIR = Path(envstr("TMPDIR", "/tmp")) / "cxloop-test"
DATA_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = os.environ.get("CXLOOP_SECRET_KEY") or persistent_secret_key(DATA_DIR)
DEBUG = envbool("CXLOOP_DEBUG", False)
ALLOWED_HOSTS = envlist("CXLOOP_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = envlist("CXLOOP_CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "cxloop.lib.errors.csrf_failure"
# The address customers reach this instance on; used in links in e-mails.
BASE_URL = envstr("CXLOOP_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "cxloop.orgs",
    "cxloop.customers",
    "cxloop.journeys",
    "cxloop.surveys",
    "cxloop.responses",
    "cxloop.followup",
    "cxloop.messaging",
    "cxloop.webhooks",
    "cxloop.dashboards",
    "cxloop.coaching",
    "cxloop.digest",
    "cxloop.text",
    "cxloop.drivers",
    "cxloop.process",
    "cxloop.demo",
    "cxloop.server",
    "cxloop.audit",
]

MIDDLEWARE = [
    # Outermost, so pages, JSON and the static files WhiteNoise serves all leave compressed;
    # Django's GZipMiddleware pads its output against BREACH (since 4.2).
    "django.middleware.gzip.GZipMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cxloop.lib.locale.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "cxloop.urls"
WSGI_APPLICATION = "cxloop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cxloop.orgs.context_processors.navigation",
            ],
            "builtins": ["cxloop.lib.dates"],  # |when, |day, |iso: one date format everywhere
        },
    },
]

DEFAULT_SQLITE_URL = f"sqlite:///{DATA_DIR / 'cxloop.sqlite3'}"
_database_url = envstr("CXLOOP_DATABASE_URL", DEFAULT_SQLITE_URL)
# On PostgreSQL a web thread keeps its connection for a minute (checked before reuse): a new one
# per request costs a server process, and every statement in it runs on cold catalog caches
# (5% of a 1,000-item batch). Tests close theirs, so that the test database can be dropped.
_conn_max_age = envint(
    "CXLOOP_DB_CONN_MAX_AGE", 60 if _database_url.startswith("postgres") and not TESTING else 0
)
DATABASES = {
    "default": dj_database_url.parse(
        _database_url, conn_max_age=_conn_max_age, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database on disk, so that tests can start real worker processes against it.
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / f"test-cxloop-{os.getpid()}.sqlite3")}
    # WAL and a busy timeout let the web server and the worker share the file.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# A PostgreSQL streaming replica for the reads of dashboards and API GETs (cxloop/lib/replica.py);
# every write, and every read after a request's first write, stays on the primary.
_replica_url = envstr("CXLOOP_DATABASE_REPLICA_URL", "")
if _replica_url:
    from cxloop.lib.env import ConfigError

    DATABASES["replica"] = dj_database_url.parse(
        _replica_url, conn_max_age=_conn_max_age, conn_health_checks=True
    )
    if {DATABASES[a]["ENGINE"] for a in DATABASES} != {"django.db.backends.postgresql"}:
        raise ConfigError("CXLOOP_DATABASE_REPLICA_URL needs PostgreSQL for both databases")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["cxloop.lib.replica.ReplicaRouter"]
    MIDDLEWARE.append("cxloop.lib.replica.ReplicaReadsMiddleware")
CXLOOP_REPLICA_PIN_SECONDS = envint("CXLOOP_REPLICA_PIN_SECONDS", 10)

AUTH_PASSWORD_VALIDATORS: list[dict[str, Any]] = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
FORMAT_MODULE_PATH = ["cxloop.formats"]  # one date format for staff: "3 dec 2026 14:05"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# E-mail: every message is kept in the outbox admins read in the UI; with
# CXLOOP_EMAIL_HOST set it is also delivered over SMTP.
EMAIL_HOST = envstr("CXLOOP_EMAIL_HOST", "")
EMAIL_PORT = envint("CXLOOP_EMAIL_PORT", 25)
EMAIL_HOST_USER = envstr("CXLOOP_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = envstr("CXLOOP_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = envbool("CXLOOP_EMAIL_USE_TLS", False)
EMAIL_USE_SSL = envbool("CXLOOP_EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = envint("CXLOOP_EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
DEFAULT_FROM_EMAIL = envstr("CXLOOP_DEFAULT_FROM_EMAIL", "feedback@cxloop.localhost")

# Background work: the database is the queue; tests run tasks at once.
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if TESTING and not envbool("CXLOOP_TEST_DB_TASKS", False)
            else "django_tasks_db.DatabaseBackend"
        )
    }
}

# Due times of cases come from each organisation's SLA policies (working hours, Dutch holidays),
# and an invitation's delay and validity from its invitation rule: neither is a setting here.
# A batch's fixed costs (the durable commit, a dozen statements, authentication) are paid per
# request: at 5,000 items a bulk load takes a third less time per item than at 1,000
# (benchmarks/README.md, "Batch size").
CXLOOP_API_BATCH_LIMIT = envint("CXLOOP_API_BATCH_LIMIT", 5000)
# A request body (not a file upload) may hold a full batch with every field at its longest,
# about 1.4 kB an item; Django's default is 2.5 MB. Larger bodies get 413 before they are read.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("CXLOOP_MAX_BODY_BYTES", 8 * 1024 * 1024)

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("CXLOOP_LOG_LEVEL", "INFO")},
}
CXLOOP_ANONYMITY_MIN = envint("CXLOOP_ANONYMITY_MIN", 5)
CXLOOP_SMS_GATEWAY = envstr("CXLOOP_SMS_GATEWAY", "cxloop.messaging.sms.OutboxOnlyGateway")

# --- Workers, leases and recovery (issue 10) ---
# A worker beats every lease/6 seconds; one silent for a whole lease is presumed dead, and any
# other worker puts its task back in the queue and releases its message claims. Recovery after
# a kill -9 therefore takes about one lease (docs/configuration.md, "Workers and recovery").
CXLOOP_WORKER_LEASE_SECONDS = envint("CXLOOP_WORKER_LEASE_SECONDS", 30)
if CXLOOP_WORKER_LEASE_SECONDS < 6:
    from cxloop.lib.env import ConfigError

    raise ConfigError(
        f"CXLOOP_WORKER_LEASE_SECONDS must be at least 6, not {CXLOOP_WORKER_LEASE_SECONDS}"
    )

# --- rate limits, API keys and the cache (issue 10) ---
from cxloop.lib.env import envcache, envrate  # noqa: E402

# Rate-limit counters must be shared by every web process: the database (the embedded default)
# or Redis (CXLOOP_CACHE_URL=redis://...). Tests count in memory and start each test afresh.
CACHES = {
    "default": envcache(
        "CXLOOP_CACHE_URL",
        data_default={
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "cxloop-test",
        }
        if TESTING
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "cxloop_cache",
            # Culling drops counters, so allow many before it starts; expired rows go first.
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
    )
}
# Requests per period, as "count/period" ("60/m", "20/10m") or "off".
CXLOOP_RATELIMIT_API = envrate("CXLOOP_RATELIMIT_API", "600/m")  # per API key, every /api/ call
CXLOOP_RATELIMIT_LINKS = envrate(
    "CXLOOP_RATELIMIT_LINKS", "60/m"
)  # per client, survey and opt-out links
CXLOOP_RATELIMIT_OPT_OUT_API = envrate(
    "CXLOOP_RATELIMIT_OPT_OUT_API", "60/m"
)  # per client, opt-out by key
CXLOOP_RATELIMIT_UNKNOWN = envrate(
    "CXLOOP_RATELIMIT_UNKNOWN", "20/10m"
)  # per client, unknown tokens and keys
# How many reverse proxies in front of cxloop append to X-Forwarded-For; 0 trusts the socket address.
CXLOOP_TRUSTED_PROXY_COUNT = envint("CXLOOP_TRUSTED_PROXY_COUNT", 0)

# --- tokens kept out of logs (issue 10) ---
# Django logs the path of every 4xx answer ("Unprocessable Content: /s/<token>/"); survey, opt-out
# and digest-stop tokens are blanked in every log line before any handler writes it.
LOGGING.setdefault("filters", {})["redact_tokens"] = {"()": "cxloop.messaging.links.RedactTokens"}
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("redact_tokens")
LOGGING.setdefault("loggers", {}).setdefault("django.request", {}).setdefault("filters", []).append(
    "redact_tokens"
)

# --- privacy (issue 10) ---
INSTALLED_APPS += ["cxloop.privacy"]

# --- logging in: lockout, password rules, second factor, idle timeout (issue 10) ---
from datetime import timedelta  # noqa: E402

INSTALLED_APPS += [
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "csp",
    "cxloop.accounts",
]
# After authentication and messages: the idle timeout tells the person why they were logged out.
_after_messages = MIDDLEWARE.index("django.contrib.messages.middleware.MessageMiddleware") + 1
MIDDLEWARE[_after_messages:_after_messages] = [
    "cxloop.accounts.middleware.IdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "cxloop.accounts.middleware.SecondFactorMiddleware",
]
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.append("axes.middleware.AxesMiddleware")  # django-axes asks to come last
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses a locked-out login before the password is checked
    "django.contrib.auth.backends.ModelBackend",
]
# Five wrong passwords for one username from one address lock that pair out for 15 minutes: an
# attacker cannot keep guessing, and cannot lock a colleague out from another address.
AXES_FAILURE_LIMIT = envint("CXLOOP_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=envint("CXLOOP_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "cxloop.accounts.lockout.locked_out"
AXES_CLIENT_IP_CALLABLE = (
    "cxloop.accounts.lockout.client_address"  # honours CXLOOP_TRUSTED_PROXY_COUNT
)
AXES_VERBOSE = False

# Django's standard validators: long enough, not like the username, not a common or numeric password.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": envint("CXLOOP_PASSWORD_MIN_LENGTH", 10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
OTP_TOTP_ISSUER = envstr("CXLOOP_TOTP_ISSUER", "cxloop")
# Idle timeout: 30 minutes without a request end a session (accounts.middleware.IdleTimeoutMiddleware);
# a session lasts at most a working day after its last request was recorded.
CXLOOP_SESSION_IDLE_MINUTES = envint("CXLOOP_SESSION_IDLE_MINUTES", 30)
SESSION_COOKIE_AGE = 12 * 60 * 60

# --- production mode behind TLS (issue 10): `cxloop check --deploy` is clean with CXLOOP_HTTPS=1 ---
CXLOOP_HTTPS = envbool("CXLOOP_HTTPS", False)
if CXLOOP_HTTPS:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("CXLOOP_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("CXLOOP_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("CXLOOP_HSTS_PRELOAD", True)
    if CXLOOP_TRUSTED_PROXY_COUNT:
        # The TLS proxy tells Django the request came in over https (and must strip this header
        # from what clients send).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    if not CSRF_TRUSTED_ORIGINS and BASE_URL.startswith("https://"):
        CSRF_TRUSTED_ORIGINS = [BASE_URL]

# Content-Security-Policy, always on: cxloop's pages load nothing from elsewhere and run no script
# of their own (only Django admin's own files). Inline style attributes remain in some templates.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# django-axes logs every login at INFO; its warnings (lockouts) are what an operator needs.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}

# --- single sign-on through OpenID Connect (issue 12; docs/configuration.md, docs/security.md) ---
from cxloop.accounts.sso_config import config_from_environment  # noqa: E402

CXLOOP_OIDC = config_from_environment()  # None without CXLOOP_OIDC_CLIENT_ID: single sign-on off
if CXLOOP_OIDC:
    AUTHENTICATION_BACKENDS.append("cxloop.accounts.sso.SingleSignOnBackend")
# A refused single sign-on is no password guess: django-axes does not count it (accounts/lockout.py).
AXES_WHITELIST_CALLABLE = "cxloop.accounts.lockout.not_a_password"
