"""Settings read from the environment.

With ``DATABASE_URL`` unset the app uses a SQLite file under ``var/``; with it set (postgres://...)
PostgreSQL through psycopg2. With ``CELERY_BROKER_URL`` unset Celery runs tasks eagerly in the
web process; with it set (redis://...) a real worker takes them. See README "Configuration".
"""

from datetime import timedelta
from pathlib import Path

import environ
import pghistory
from celery.schedules import crontab
from csp.constants import NONE, SELF

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
# Only the development default lives here; production.py refuses it, and any key under 50
# characters.
DEVELOPMENT_SECRET_KEY = "dev-only-insecure-key-change-me-0123456789abcdefghij"
SECRET_KEY = env("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# How many proxies stand in front of the app, each appending to X-Forwarded-For. 0: the client is
# the connection's address and the header is ignored (anyone can write it). The API throttles and
# the sign-in lockout read the address through totalplace.client_address.
NUM_PROXIES = env.int("NUM_PROXIES", default=0)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "csp",
    # The object permissions (ledger/permissions.py, pilots/permissions.py), which each app
    # registers when it is ready.
    "rules",
    "pgtrigger",
    "pghistory",
    "ledger",
    "pilots",
    "savings",
    "audit",
    "explorer",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # Before anything reads the body: a request far over MAX_UPLOAD_BYTES is refused unread.
    "totalplace.middleware.UploadSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Anonymous page views per client address (the API has its own throttles).
    "totalplace.middleware.AnonymousPageRateLimitMiddleware",
    # A NUL byte in a query string or form is a 400 here, not a database error later.
    "totalplace.middleware.RejectNulBytesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Who is acting, on which path: attached to every change the audit trail records.
    "audit.middleware.AuditContextMiddleware",
]
# Scripts and styles only from our own static files: no inline code, no other origins, so an
# injected <script> or on* attribute does not run. tests/test_security_headers.py scans the
# templates for inline code. The API docs (Swagger UI) relax styles alone (totalplace/api_urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],  # Swagger UI's icons are data: URIs
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Audit trail (audit/): history tables copy foreign keys without indexes or constraints.
PGHISTORY_FOREIGN_KEY_FIELD = pghistory.ForeignKey(db_index=False)

ROOT_URLCONF = "totalplace.urls"
WSGI_APPLICATION = "totalplace.wsgi.application"
ASGI_APPLICATION = "totalplace.asgi.application"

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
                "ledger.context_processors.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Set but empty (``DATABASE_URL= make run``) means unset, as for the broker: the embedded default.
DATABASE_URL = env("DATABASE_URL", default="") or f"sqlite:///{VAR_DIR / 'totalplace.sqlite3'}"
if DATABASE_URL.startswith("sqlite:///"):
    VAR_DIR.mkdir(exist_ok=True)
DATABASES = {"default": env.db_url_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # A file database shared by the web process and eager tasks: wait for locks, don't fail.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# The PostgreSQL role the app runs as in production (not the tables' owner, not a superuser):
# `manage.py db_app_role`, run as the owner after `migrate`, creates it and grants it what the
# app needs, history tables insert-only (README "Production"). Unset: nothing is granted.
TOTALPLACE_APP_DB_ROLE = env("TOTALPLACE_APP_DB_ROLE", default="")
TOTALPLACE_APP_DB_PASSWORD = env("TOTALPLACE_APP_DB_PASSWORD", default="")

# --- Cache ----------------------------------------------------------------------------------
CACHE_URL = env("CACHE_URL", default="")
if CACHE_URL.startswith("redis"):
    CACHES = {
        "default": {
            # Misses (never errors) while Redis is down: pages and the API keep reading.
            "BACKEND": "totalplace.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
TOTALPLACE_REAL_BROKER_URL = env("CELERY_BROKER_URL", default="")
# No broker configured: run tasks in-process so a first run needs no Redis. "memory://" keeps
# Celery from ever reaching for a default broker host in that mode.
CELERY_TASK_ALWAYS_EAGER = not TOTALPLACE_REAL_BROKER_URL
CELERY_BROKER_URL = TOTALPLACE_REAL_BROKER_URL or "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=TOTALPLACE_REAL_BROKER_URL or None)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Jobs record their own state in the database; acks after the task ends so a killed worker's
# job is redelivered, and tasks are written to be idempotent so a redelivery never doubles data.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600)}
CELERY_BEAT_SCHEDULE: dict = {
    # Rebuild every place total from the approved lines and reconcile, nightly at 02:30. When it
    # is done it queues pilots.baselines_refresh (through ledger.signals.rollups_refreshed), so
    # every initiative baseline is re-read from the rebuilt totals, however long they took.
    "ledger-rollups-rebuild": {
        "task": "ledger.rollups_rebuild",
        "schedule": crontab(hour=2, minute=30),
    },
    # Import and export jobs whose task could not be queued (broker down) are queued again.
    "ledger-import-jobs-requeue": {"task": "ledger.import_jobs_requeue", "schedule": 60.0},
    "ledger-export-jobs-requeue": {"task": "ledger.export_jobs_requeue", "schedule": 60.0},
    "ledger-dataset-editions-requeue": {
        "task": "ledger.dataset_editions_requeue",
        "schedule": 60.0,
    },
    # Appraisals left out of date by a recompute that was never queued (broker down).
    "savings-appraisals-catch-up": {"task": "savings.appraisals_catch_up", "schedule": 300.0},
    # Import previews left unconfirmed for UPLOAD_RETENTION_DAYS are cancelled, and the files
    # of failed and cancelled imports deleted; daily at 04:00.
    "ledger-import-files-clean-up": {
        "task": "ledger.import_files_clean_up",
        "schedule": crontab(hour=4, minute=0),
    },
}
CELERY_TIMEZONE = "Europe/London"

# --- Email ----------------------------------------------------------------------------------
# Notifications of spend returns (submitted, sent back, approved) are always shown in the site;
# they are emailed too once a mail server is configured (EMAIL_HOST), or NOTIFY_BY_EMAIL says so.
EMAIL_HOST = env("EMAIL_HOST", default="")
EMAIL_PORT = env.int("EMAIL_PORT", default=587)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="TotalPlace <noreply@localhost>")
NOTIFY_BY_EMAIL = env.bool("NOTIFY_BY_EMAIL", default=bool(EMAIL_HOST))
# Where the site is served, for the links in emails (which have no request to build them from).
SITE_URL = env("SITE_URL", default="http://localhost:8000")

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses logins while a username+address is locked out (django-axes).
    "axes.backends.AxesStandaloneBackend",
    # Object permissions from the rules in ledger/permissions.py and pilots/permissions.py.
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login rate limit: after 5 failures for one username from one address, that username waits
# 15 minutes at that address (elsewhere it signs in as usual: no one can lock an approver out);
# after 20 failures from one address, for any usernames, the address waits (login_lockout.py).
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_HANDLER = "totalplace.login_lockout.AddressLimitedHandler"
AXES_CLIENT_IP_CALLABLE = "totalplace.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# JavaScript libraries arrive through npm (package.json); only their built files are served.
NODE_MODULES = BASE_DIR / "node_modules"
# Package → the folder of its browser builds (d3-hexjson ships them in build/, not dist/).
NODE_BUILDS = {
    "chart.js": "dist",
    "chartjs-chart-sankey": "dist",
    "chartjs-chart-treemap": "dist",
    "d3-array": "dist",
    "d3-selection": "dist",
    "d3-hexjson": "build",
}
STATICFILES_DIRS = [BASE_DIR / "static"] + [
    (f"vendor/{name}", NODE_MODULES / name / folder)
    for name, folder in NODE_BUILDS.items()
    if (NODE_MODULES / name / folder).is_dir()
]
WHITENOISE_USE_FINDERS = True
# Uploads: requests over these sizes are refused before any parsing.
# Anonymous page views per client (e.g. "120/minute"; empty: no limit): a 429 page beyond it.
ANONYMOUS_PAGE_RATE = env("ANONYMOUS_PAGE_RATE", default="120/minute")
# A return's line download above this many lines is built by a worker (an export job with a
# progress page) rather than streamed inside the request (gunicorn's timeout is 60 s).
DIRECT_DOWNLOAD_MAX_LINES = env.int("DIRECT_DOWNLOAD_MAX_LINES", default=100_000)
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=200 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024  # larger files stream to a temporary file
API_MAX_JSON_BYTES = env.int("API_MAX_JSON_BYTES", default=1024 * 1024)
API_MAX_JSON_DEPTH = 32
# Uploaded files are never served from MEDIA_URL (no route serves it, even with DEBUG on):
# they are read by the services and downloaded through views that check permissions.
# Payments of at least this many pounds to a supplier named like a public body ("… Council",
# "… NHS Trust") but matched to no body are on the approver's check-list: if the receiver also
# reports the money, the place counts it twice.
LARGE_PUBLIC_BODY_PAYMENT = env.int("LARGE_PUBLIC_BODY_PAYMENT", default=25_000)
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Unconfirmed import previews expire after this many days, and their files are deleted.
UPLOAD_RETENTION_DAYS = env.int("UPLOAD_RETENTION_DAYS", default=7)
# What one organisation's uploaded spend files may take on disk, in MB.
ORGANISATION_UPLOAD_QUOTA_MB = env.int("ORGANISATION_UPLOAD_QUOTA_MB", default=2048)

# --- REST framework -------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "totalplace.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ledger.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    "DEFAULT_PAGINATION_CLASS": "totalplace.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "totalplace.api.api_exception_handler",
    # Bodies are read up to a limit (413 beyond it) and JSON nesting is bounded (400).
    "DEFAULT_PARSER_CLASSES": [
        "totalplace.parsers.LimitedJSONParser",
        "totalplace.parsers.LimitedFormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Our throttles read totalplace.client_address; this keeps any DRF default in step.
    "NUM_PROXIES": NUM_PROXIES,
    "DEFAULT_THROTTLE_CLASSES": [
        "totalplace.throttling.AnonRateThrottle",
        "totalplace.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="120/minute"),
        "user": env("API_THROTTLE_USER", default="600/minute"),
    },
}
API_DESCRIPTION = """Place-based public spending: places, organisations, spend returns, totals and
pilot evidence. Money is always a decimal string in pounds.

## Getting a token
Reading public data needs no token. To act as yourself (a finance officer's or approver's
organisation API, an analyst's line downloads and export jobs, a pilot lead's edits), sign
in and open **API tokens** in the menu (`/account/api-tokens/`): name the token, choose the
organisation it acts for (analysts, pilot leads and dataset editors may choose none) and how
long it lasts, and copy the key, which is shown only once. Send it with every request as
`Authorization: Token <key>`. Revoke it on the same page when it is no longer needed. If
your account has no role yet, ask an administrator to add you.

## Lists and parameters
Every list answers `{"next", "previous", "results"}`: `limit` rows a page (default 100, at
most 1000), and links to the next and previous pages carrying a `cursor` (follow the links;
do not build cursors). A query parameter an endpoint does not take is refused with a 400 that
names the ones it does.

## Changes
An import is one word throughout: a file goes into a draft by
`POST /api/v1/organisation/spend-returns/{id}/imports/`. Its old address, `.../files/`, still
works the same and is marked deprecated here. An import job's line sum is `line_total` (was
`lines_total`), beside `line_count` (was `lines_count`).
"""
SPECTACULAR_SETTINGS = {
    "TITLE": "TotalPlace API",
    "DESCRIPTION": API_DESCRIPTION,
    "VERSION": "1.0.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "PilotStatusEnum": "pilots.models.PilotStatus",
        "InitiativeStatusEnum": "pilots.models.InitiativeStatus",
        # Costs are revenue or capital, exactly as spend lines are: one enum in the schema.
        "SpendKindEnum": "ledger.models.SpendKind",
        "PlaceKindEnum": "ledger.models.PlaceKind",
        "PilotKindEnum": "pilots.models.PilotKind",
        "EvidenceKindEnum": "pilots.models.EvidenceKind",
    },
}
# Spend return statuses appear in more than one serializer: one enum in the schema.
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {})["SpendReturnStatusEnum"] = (
    "ledger.models.SpendReturnStatus"
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
}

# Marks the Cumbria demo data everywhere it shows: the figures are illustrative, not published.
TOTALPLACE_DEMO_LABEL = "Illustrative demo data, not official statistics"
