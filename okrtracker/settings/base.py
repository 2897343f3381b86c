"""All settings live here; deployments differ only through environment variables."""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from okrtracker.dbsession import postgres_session_options

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not DEBUG and SECRET_KEY in {"", DEV_SECRET_KEY}:
    # Sessions, CSRF tokens and password-reset links are signed with it: a missing or the
    # published key would let anyone forge them, so the app refuses to start.
    raise ImproperlyConfigured(
        "SECRET_KEY is not set (or is the published development key): with DEBUG off "
        f"({os.environ.get('DJANGO_SETTINGS_MODULE') or 'production settings'}) the app "
        "refuses to start without a secret of its own. Set SECRET_KEY to a long random string, "
        "e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))'; use DEBUG=1 (the "
        "dev settings of manage.py) only for local development."
    )
SECRET_KEY = SECRET_KEY or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "metrics",
]

MIDDLEWARE = [
    # Compresses HTML and JSON (WhiteNoise serves static files precompressed). BREACH needs a
    # secret and attacker-chosen text in one compressed body: Django masks the CSRF token
    # afresh in every response, and the pages holding a secret (the API token page) are
    # sent uncompressed (metrics.compression).
    "metrics.compression.CompressionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language: the signed-in person's choice (kept on their account, carried in the
    # session), else the language cookie, else the browser's Accept-Language.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "metrics.languages.AccountLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "okrtracker.middleware.DenialLogMiddleware",
    "okrtracker.middleware.SecurityHeadersMiddleware",
    # The selectors' NotFoundError as the 404 page: selectors know no HTTP.
    "metrics.middleware.NotFoundMiddleware",
    # Last, so the 413 page it renders has the user and messages of every other page.
    "metrics.middleware.RequestTooBigMiddleware",
]

ROOT_URLCONF = "okrtracker.urls"
WSGI_APPLICATION = "okrtracker.wsgi.application"
ASGI_APPLICATION = "okrtracker.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        # A pooled connection broken by a database restart is replaced on the next request,
        # so the app recovers by itself.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves a web process and (in tests) Celery workers at once:
    # transactions take the write lock when they begin, so a second writer waits for it
    # (up to the timeout) instead of failing with "database is locked" half-way.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=int(os.environ.get("SQLITE_TIMEOUT", "20")),
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# `manage.py loaddata seed_deck seed_history` finds the reference deck and its history here.
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # With PASSWORD_SIGN_IN=0 (and SSO configured) refuses every password, on every path.
    "metrics.sso.backend.PasswordSignInSwitch",
    # Refuses accounts and addresses over their failed sign-in limit before any password check.
    "metrics.accounts.SignInLimitBackend",
    "django.contrib.auth.backends.ModelBackend",
    # Single sign-on (inert until OIDC_ISSUER and OIDC_CLIENT_ID are set): see the block at
    # the end.
    "metrics.sso.backend.OrganisationOIDCBackend",
]
# Failed sign-ins (login page, admin login, token endpoint) allowed per account and per
# client address within a window of LOGIN_FAILURE_WINDOW seconds; then 429 until it ends.
LOGIN_FAILURES_PER_ACCOUNT = int(os.environ.get("LOGIN_FAILURES_PER_ACCOUNT", "10"))
LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("LOGIN_FAILURES_PER_ADDRESS", "30"))
LOGIN_FAILURE_WINDOW = int(os.environ.get("LOGIN_FAILURE_WINDOW", "900"))
# How many reverse proxies in front of the app append to X-Forwarded-For. 0: the client
# address is REMOTE_ADDR and the header (which any client can write) is ignored.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "metrics:home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
# The interface's languages (docs/languages.md says how to add one). The deck's printed cells
# stay as the deck prints them in every language.
LANGUAGES = [("en", "English"), ("es", "Español")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The decks as PowerPoint the worker builds for downloads too large to build in a request
# (metrics/services/deck_files.py). Shared by the web processes and the worker.
DECK_FILES_ROOT = Path(os.environ.get("DECK_FILES_ROOT") or BASE_DIR / "var" / "deck-files")

# Bodies above this are refused before they reach a form or serializer (a 10 MB paste).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", 2 * 1024 * 1024))
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "okrtracker@localhost")
# Absolute links in emails (reminders) start with this.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# The organisation's fiscal year: FY20-21 starts in July 2020 when this is 7.
FISCAL_YEAR_START_MONTH = int(os.environ.get("FISCAL_YEAR_START_MONTH", "7"))
# Leads are reminded this many days before a quarter's status deadline.
STATUS_REMINDER_DAYS = int(os.environ.get("STATUS_REMINDER_DAYS", "7"))
# Opening the next tuning session sets its quarter's status deadline this many days after the
# quarter ends (unless one is given).
SESSION_STATUS_DEADLINE_DAYS = int(os.environ.get("SESSION_STATUS_DEADLINE_DAYS", "14"))

# --- Cache: rendered pages, chart JSON and the deck, keyed by the data version -----------
# Redis (shared by every web process and host) when REDIS_URL or CACHE_URL is set, else
# memory local to each process. Entries are keyed by what they show (the data versions, the
# reader's role: metrics/caching/keys.py), so a write through the services gives new keys.
# The API throttles count here too: with Redis they hold across every worker process (the
# sign-in limits are counted in the database).
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
        if CACHE_URL.startswith(("redis://", "rediss://", "unix://"))
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    )
}

# benchmarks/web.py's floor views (a bare template, a bare .values() list): benchmark runs only.
BENCHMARK_FLOORS = env_bool("BENCHMARK_FLOORS", False)

# --- Celery -------------------------------------------------------------------------------
# Without a broker the app runs tasks in-process (the embedded default).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = int(os.environ.get("CELERY_TASK_TIME_LIMIT", "600"))
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "540"))
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when the broker is down or hung (port open, no answer): the pending recompute is
# already recorded in the database, so no save waits more than about a second on the broker.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": 0.25,  # Redis
    "socket_timeout": 0.25,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 0.25  # AMQP
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = {
    "recompute-all-nightly": {
        "task": "metrics.recompute_all",
        "schedule": crontab(hour=2, minute=15),
    },
    "recompute-pending": {
        "task": "metrics.recompute_pending",
        "schedule": 300.0,
    },
    "status-deadline-reminders": {
        "task": "metrics.send_status_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
}

# --- REST API -----------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes anonymous requests a 401, not a 403.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": "rest_framework.versioning.URLPathVersioning",
    "ALLOWED_VERSIONS": ["v1"],
    "DEFAULT_VERSION": "v1",
    "EXCEPTION_HANDLER": "metrics.api.exceptions.api_exception_handler",
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "metrics.api.negotiation.StrictContentNegotiation",
    # Throttles identify clients as metrics.accounts.client_address does.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "okrtracker API",
    "DESCRIPTION": "Outcomes, metrics, observations, quarterly statuses and OKRs as JSON.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "metrics.api.schema.bounds_postprocessing_hook",
    ],
    "ENUM_NAME_OVERRIDES": {
        "MetricStateEnum": "metrics.models.MetricState",
        "StatusStateEnum": "metrics.models.StatusState",
        # One choice of channel per kind in the preferences: one enum, not one per kind.
        "NotificationChannelEnum": "metrics.models.NotificationChannel",
        "NotificationKindEnum": "metrics.models.NotificationKind",
        "ConfidenceEnum": "metrics.models.Confidence",
    },
}

# --- Security (on whenever DEBUG is off; each can be relaxed from the environment) --------
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_TLS_PROXY", False) else None
)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after this many seconds (default 12 hours: a working day, not forever).
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}


# --- Single sign-on: OpenID Connect (metrics/sso/, mozilla-django-oidc) -----------------------
# On when OIDC_ISSUER and OIDC_CLIENT_ID are set; endpoints come from the issuer's discovery
# document. docs/sso.md says how to plug a provider.
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").rstrip("/")
OIDC_RP_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_RP_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_RP_SCOPES = os.environ.get("OIDC_SCOPES", "openid email profile groups")
OIDC_RP_SIGN_ALGO = os.environ.get("OIDC_SIGN_ALGO", "RS256")
OIDC_PROVIDER_NAME = os.environ.get("OIDC_PROVIDER_NAME", "your organisation's account")
# The claim that lists a person's groups, and how groups map to roles and led departments:
# "okr-admins=admin,okr-facilitators=facilitator,okr-exec=executive,okr-product=lead:product".
OIDC_GROUPS_CLAIM = os.environ.get("OIDC_GROUPS_CLAIM", "groups")
OIDC_GROUP_MAP = os.environ.get("OIDC_GROUP_MAP", "")
# PASSWORD_SIGN_IN=0 turns password sign-in off (login page, admin, token endpoint) once SSO
# is configured; without SSO it stays on, so nobody is locked out by a typo.
PASSWORD_SIGN_IN = os.environ.get("PASSWORD_SIGN_IN", "1") not in ("0", "false", "no")
OIDC_TIMEOUT = float(os.environ.get("OIDC_TIMEOUT", "5"))
OIDC_USE_PKCE = True
OIDC_USE_NONCE = True
OIDC_STORE_ID_TOKEN = True  # for the provider's sign-out (id_token_hint)
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
LOGIN_REDIRECT_URL_FAILURE = "login"
# --- Caching (metrics/caching/, docs/caching.md): the cache is an accelerator, never a
# dependency. With Redis, every call waits at most CACHE_TIMEOUT_MS (connect and each read,
# no retry), and after a failure the cache is skipped for CACHE_RETRY_SECONDS (a store in
# each process's memory stands in): pages, API reads and sign-in answer from the database.
CACHE_TIMEOUT_MS = int(os.environ.get("CACHE_TIMEOUT_MS", "100"))
CACHE_RETRY_SECONDS = float(os.environ.get("CACHE_RETRY_SECONDS", "5"))
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    CACHES["default"] = {
        "BACKEND": "metrics.caching.backend.FallbackRedisCache",
        "LOCATION": CACHE_URL,
        "OPTIONS": {"TIMEOUT_MS": CACHE_TIMEOUT_MS, "RETRY_SECONDS": CACHE_RETRY_SECONDS},
    }
# --- Safety (issue 19): safe retries, sign-in limits, generated files -------------------------
# An API write sent with an Idempotency-Key header runs once per user and key; retries within
# this many seconds get the first answer again (metrics/api/idempotency.py, docs/api.md).
IDEMPOTENCY_KEY_TTL = int(os.environ.get("IDEMPOTENCY_KEY_TTL", str(24 * 60 * 60)))
MIDDLEWARE = [*MIDDLEWARE, "metrics.api.idempotency.IdempotencyKeyMiddleware"]
CELERY_BEAT_SCHEDULE["safety-records-purge"] = {
    "task": "metrics.safety_records_purge",
    "schedule": crontab(minute=40),
}
# Where the worker stores the files it generates (the PowerPoint download), a named storage of
# STORAGES (metrics/storage.py): "filesystem" (DECK_FILES_ROOT; one host, or a shared folder)
# or "database" (several hosts with nothing shared but the database).
DECK_FILES_STORAGE = os.environ.get("DECK_FILES_STORAGE", "filesystem").strip().lower()
if DECK_FILES_STORAGE not in {"filesystem", "database"}:
    raise ImproperlyConfigured("DECK_FILES_STORAGE must be 'filesystem' or 'database'.")
STORAGES["deck_files"] = {
    "BACKEND": (
        "metrics.storage.DatabaseStorage"
        if DECK_FILES_STORAGE == "database"
        else "metrics.storage.AtomicFileSystemStorage"
    )
}
# --- Worker queues and memory (issue 20, perf) ----------------------------------------------
# The PowerPoint build has a queue of its own, so a download never waits behind recomputes:
# run a worker for it (`make worker-pptx`, `celery -A okrtracker worker -Q pptx`). Blocks that
# add queues extend the routes and WORKER_QUEUES (the queues `make worker` and the worker tests
# consume) in the same way, in any order.
PPTX_QUEUE = os.environ.get("PPTX_QUEUE", "pptx")
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    "metrics.deck_pptx_build": {"queue": PPTX_QUEUE},
}
WORKER_QUEUES = [*globals().get("WORKER_QUEUES", ["celery"]), PPTX_QUEUE]
# A held session's snapshot (docs/writes.md "Holding a session"): seconds of work at scale 100,
# queued by the hold; on a queue of its own, so it waits behind neither recomputes nor a
# PowerPoint build.
SNAPSHOTS_QUEUE = os.environ.get("SNAPSHOTS_QUEUE", "snapshots")
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    "metrics.session_snapshot_build": {"queue": SNAPSHOTS_QUEUE},
}
WORKER_QUEUES = [*globals().get("WORKER_QUEUES", ["celery"]), SNAPSHOTS_QUEUE]
# A pool process is replaced after the task that took its resident memory past this (KiB): a
# scale-100 PowerPoint build or a full recompute leaves hundreds of MB behind otherwise.
CELERY_WORKER_MAX_MEMORY_PER_CHILD = int(
    os.environ.get("CELERY_WORKER_MAX_MEMORY_PER_CHILD", "300000")
)

# --- Notifications (issue 18: docs/notifications.md) --------------------------------------
# Mails go out on a queue of their own, so a backlog of recomputes never delays them; run the
# worker with `-Q celery,notifications` (make worker does).
NOTIFICATIONS_QUEUE = os.environ.get("NOTIFICATIONS_QUEUE", "notifications")
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    **{
        name: {"queue": NOTIFICATIONS_QUEUE}
        for name in (
            "metrics.notifications_send",
            "metrics.notifications_pending",
            "metrics.notification_digests",
        )
    },
}
WORKER_QUEUES = [*globals().get("WORKER_QUEUES", ["celery"]), NOTIFICATIONS_QUEUE]
# A sign-in runs the day's check-in deadline reminders once (sites without beat or cron).
CHECKIN_REMINDERS_ON_SIGN_IN = env_bool("CHECKIN_REMINDERS_ON_SIGN_IN", True)
CELERY_BEAT_SCHEDULE.update(
    {
        # What the broker did not take when the action happened.
        "notifications-pending": {
            "task": "metrics.notifications_pending",
            "schedule": float(os.environ.get("NOTIFICATIONS_PENDING_SECONDS", "60")),
        },
        "notification-digests": {
            "task": "metrics.notification_digests",
            "schedule": crontab(
                hour=int(os.environ.get("NOTIFICATION_DIGEST_HOUR", "7")), minute=30
            ),
        },
    }
)

# --- Operations and outgoing webhooks (issue 22; docs/operations.md) ----------------------
# Outermost: the request id first (every later line carries it), then the probes and the
# scrape (answered before host checks and HTTPS redirects), then the latency histogram.
MIDDLEWARE = [
    "okrtracker.logs.RequestIdMiddleware",
    "okrtracker.health.ProbeMiddleware",
    "metrics.prometheus.RequestLatencyMiddleware",
    *MIDDLEWARE,
]
# /metrics needs "Authorization: Bearer <this>"; unset: /metrics answers 404.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# Seconds /readyz waits for the cache and the broker before calling them down.
READYZ_TIMEOUT = float(os.environ.get("READYZ_TIMEOUT", "2"))
# A hung Redis never hangs pages or probes: the cache gives up after CACHE_TIMEOUT_MS
# (the caching block above).
if DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql"):
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options.setdefault("connect_timeout", int(os.environ.get("DATABASE_CONNECT_TIMEOUT", "5")))
    # A host cut off mid-transaction must not keep its row locks for ever (okrtracker/dbsession.py).
    _session_options = postgres_session_options(
        idle_in_transaction_seconds=int(
            os.environ.get("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "60")
        ),
        keepalive_idle_seconds=int(os.environ.get("DATABASE_TCP_KEEPALIVE_IDLE", "30")),
    )
    if _session_options:
        _options.setdefault("options", _session_options)
# Logs: "json" (one object a line; the production default) or "text"; both carry the
# request id, which follows the Celery tasks a request starts.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}.")
LOGGING["filters"] = {"request_id": {"()": "okrtracker.logs.RequestIdFilter"}}
LOGGING["formatters"] = {
    "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    "json": {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
        "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    },
}
LOGGING["handlers"]["console"].update(
    formatter="json" if LOG_FORMAT == "json" else "plain", filters=["request_id"]
)
# Errors to Sentry when set (pip install "okrtracker[sentry]"); no personal data is sent.
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    try:
        import sentry_sdk
    except ImportError as error:
        raise ImproperlyConfigured(
            "SENTRY_DSN is set but sentry-sdk is not installed: pip install 'okrtracker[sentry]'."
        ) from error
    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT") or None,
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
    )

# Outgoing webhooks: addresses in private, loopback, link-local and other non-public ranges
# are refused unless listed here (comma-separated CIDRs, e.g. 10.0.0.0/8,127.0.0.1/32; "1":
# any address, for tests and closed networks only).
WEBHOOKS_ALLOW_PRIVATE = os.environ.get("WEBHOOKS_ALLOW_PRIVATE", "")
WEBHOOKS_CONNECT_TIMEOUT = float(os.environ.get("WEBHOOKS_CONNECT_TIMEOUT", "3"))
WEBHOOKS_READ_TIMEOUT = float(os.environ.get("WEBHOOKS_READ_TIMEOUT", "10"))
# Tries per delivery; try n+1 waits base * 2^(n-1) seconds (capped at max), with jitter:
# 30 s, 1, 2, 4 ... minutes, about a day in all with the defaults.
WEBHOOKS_MAX_ATTEMPTS = int(os.environ.get("WEBHOOKS_MAX_ATTEMPTS", "12"))
WEBHOOKS_RETRY_BASE_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_BASE_SECONDS", "30"))
WEBHOOKS_RETRY_MAX_SECONDS = float(os.environ.get("WEBHOOKS_RETRY_MAX_SECONDS", "3600"))
# Webhook posts have a queue of their own (a slow receiver never delays a recompute); the
# worker consumes every queue: celery -A okrtracker worker -Q celery,webhooks
WEBHOOKS_QUEUE = os.environ.get("WEBHOOKS_QUEUE", "webhooks")
CELERY_TASK_ROUTES = {
    **globals().get("CELERY_TASK_ROUTES", {}),
    "metrics.webhook_deliver": {"queue": WEBHOOKS_QUEUE},
    "metrics.webhooks_pending": {"queue": WEBHOOKS_QUEUE},
}
WORKER_QUEUES = [*globals().get("WORKER_QUEUES", ["celery"]), WEBHOOKS_QUEUE]
CELERY_BEAT_SCHEDULE["webhooks-pending"] = {"task": "metrics.webhooks_pending", "schedule": 60.0}
# A held session's snapshot whose task was lost is queued again (a running one is not built
# twice: the second run finds it stored).
CELERY_BEAT_SCHEDULE["session-snapshots-pending"] = {
    "task": "metrics.session_snapshots_pending",
    "schedule": 300.0,
}
