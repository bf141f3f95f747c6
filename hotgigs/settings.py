"""HotGigs settings: every value comes from the environment (django-environ).

With no environment set, the embedded defaults apply: a SQLite file, local-memory cache,
the in-memory channel layer and Celery tasks run eagerly in-process. Setting
``DATABASE_URL`` switches to PostgreSQL (psycopg 3 with a connection pool) and setting
``REDIS_URL`` switches the cache, the channel layer and the Celery broker to Redis.
``.env.example`` lists every variable.
"""

import sys
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import django_stubs_ext
import environ
from corsheaders.defaults import default_headers
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from kombu import Queue

from hotgigs.database import process_kind, replica_databases, runs_as_owner, session_options
from hotgigs.redis_clients import guarded_async_connection_class, guarded_connection_class, redis_db_number
from hotgigs.secret_key import secret_key

# Lets admin and queryset generics be subscripted at runtime (ModelAdmin[Job]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(str(BASE_DIR / ".env"))

# GENERAL
# ------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
# With DEBUG off a missing or public key stops the process here (hotgigs/secret_key.py);
# DJANGO_SECRET_KEY_FILE (make run, the Docker stack) holds a random key made on first start.
SECRET_KEY = secret_key(
    key=env.str("DJANGO_SECRET_KEY", default=""),
    key_file=env.str("DJANGO_SECRET_KEY_FILE", default=""),
    debug=DEBUG,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
TIME_ZONE = "UTC"
USE_TZ = True
LANGUAGE_CODE = "en-us"
USE_I18N = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
ROOT_URLCONF = "hotgigs.urls"
WSGI_APPLICATION = "hotgigs.wsgi.application"
ASGI_APPLICATION = "hotgigs.asgi.application"
VAR_DIR = Path(env.str("HOTGIGS_VAR_DIR", default=str(BASE_DIR / "var")))

# APPS
# ------------------------------------------------------------------------------
INSTALLED_APPS = [
    # The recruiter workspace: the back office's purpose-built pages (dashboard, board, ...).
    # Listed ahead of the admin so its templates (admin/base_site.html: the "My interviews"
    # link) take precedence over the admin's own; it sits above every domain app in the layers.
    "workspace",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "django_ratelimit",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "hotgigs.tenancy",
    "hotgigs.accounts",
    "hotgigs.api",
    "hotgigs.events",
    "hotgigs.realtime",
    "hotgigs.observability",
    "hotgigs.webhooks",
    "hotgigs.notifications",
    "hotgigs.audit",
    "jobs",
    "candidates",
    "applications",
    "interviews",
    "analytics",
    "activity",
    "privacy",
    # The top layer: demo data (manage.py seed_demo) built with every app's services.
    "demo",
]

MIDDLEWARE = [
    "hotgigs.api.middleware.RequestIdMiddleware",
    "hotgigs.observability.middleware.ObservabilityMiddleware",
    # Answers preflights itself (before authentication and the rate limiter: a preflight is
    # neither 401 nor 429 and does not count) and names the origin on every /api/ answer,
    # 401s and 429s included, so the frontend can read them.
    "corsheaders.middleware.CorsMiddleware",
    "hotgigs.api.versioning.ApiVersionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    # Serves the admin's static files from any server (uvicorn, gunicorn) without a proxy.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After WhiteNoise (static files never count), SecurityMiddleware (a 429 gets its headers)
    # and SessionMiddleware (a back-office session is counted per user, not per address).
    "hotgigs.api.ratelimit.RateLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "hotgigs.api.middleware.ApiBodySizeMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The request's user becomes the database's acting identity (row-level security on
    # PostgreSQL) until the response; the API's authentication narrows it to the token's user.
    "hotgigs.accounts.middleware.TenancyMiddleware",
    # Notes a signed-in user's writes so their next reads skip the replicas (hotgigs/replicas.py).
    "hotgigs.replicas.ReadYourWritesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
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

# AUTHENTICATION
# ------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A cheap hasher makes the suite fast; never set this in a deployment.
if env.bool("HOTGIGS_FAST_PASSWORD_HASHER", default=False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# DATABASES
# ------------------------------------------------------------------------------
# web, worker or command (hotgigs/database.py): the database limits and the event pipeline's
# lingering batches depend on it.
HOTGIGS_PROCESS_KIND = env.str("HOTGIGS_PROCESS_KIND", default="") or process_kind(sys.argv)
DATABASES = {
    "default": env.db(
        "DATABASE_URL",
        default=f"sqlite:///{VAR_DIR / 'hotgigs.sqlite3'}",
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg 3 connection pool (Django >= 5.1). Pooling requires CONN_MAX_AGE = 0; without
    # the pool, DATABASE_CONN_MAX_AGE keeps each thread's connection open between requests.
    # https://docs.djangoproject.com/en/5.2/ref/databases/#connection-pool
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    if HOTGIGS_PROCESS_KIND == "worker":
        # A Celery worker process runs one task at a time: it keeps one connection from task
        # to task (hotgigs/celery.py says why) instead of a pool, which Celery would close
        # after every task.
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_WORKER_CONN_MAX_AGE", default=300)
    elif not env.bool("DATABASE_POOL", default=True):
        DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
    else:
        DATABASES["default"]["OPTIONS"]["pool"] = {
            "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
            "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=8),
            # Seconds a request waits for a free connection before answering 503 (not 10 s and a 500).
            "timeout": env.float("DATABASE_POOL_TIMEOUT", default=2.0),
        }
    # A pooled connection is checked (an empty query) before it is handed out unless it was in
    # use less than this many seconds ago (hotgigs/database.py, pool_check); 0 checks every time.
    _alive_bypass = env.str("DATABASE_POOL_ALIVE_BYPASS", default="0.5")
    try:
        DATABASE_POOL_ALIVE_BYPASS = float(_alive_bypass)
    except ValueError:
        DATABASE_POOL_ALIVE_BYPASS = float("nan")
    if not DATABASE_POOL_ALIVE_BYPASS >= 0:  # (also refuses nan)
        raise ImproperlyConfigured(f"DATABASE_POOL_ALIVE_BYPASS must be 0 or more seconds, not {_alive_bypass!r}.")
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    # Seconds to establish a connection (libpq counts whole seconds, at least 2).
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=5))
    # Session time limits in seconds (0: none), per kind of process (hotgigs/database.py). Web:
    # a request blocked on a lock gives up after 2 s and any statement after 5 s, so the pool
    # wait (2 s) plus the slowest statement stays under the edge's 10 s request timeout, and
    # the client gets a 503 to retry instead of its own timeout. Celery worker and beat: the
    # seed's 60 s max duration per statement (well under the task time limits), locks waited
    # for within it. manage.py commands: none, so `migrate` is never cut short.
    DATABASE_TIMEOUTS = {
        "web": (env.float("DATABASE_STATEMENT_TIMEOUT", default=5.0), env.float("DATABASE_LOCK_TIMEOUT", default=2.0)),
        "worker": (
            env.float("DATABASE_WORKER_STATEMENT_TIMEOUT", default=60.0),
            env.float("DATABASE_WORKER_LOCK_TIMEOUT", default=0.0),
        ),
        "command": (
            env.float("DATABASE_COMMAND_STATEMENT_TIMEOUT", default=0.0),
            env.float("DATABASE_COMMAND_LOCK_TIMEOUT", default=0.0),
        ),
    }
    if HOTGIGS_PROCESS_KIND not in DATABASE_TIMEOUTS:
        raise ImproperlyConfigured(f"HOTGIGS_PROCESS_KIND must be one of {', '.join(DATABASE_TIMEOUTS)}.")
    DATABASES["default"]["OPTIONS"]["options"] = session_options(
        statement_timeout=DATABASE_TIMEOUTS[HOTGIGS_PROCESS_KIND][0],
        lock_timeout=DATABASE_TIMEOUTS[HOTGIGS_PROCESS_KIND][1],
        existing=DATABASES["default"]["OPTIONS"].get("options", ""),
    )
    # Server-side prepared statements: a statement a connection runs DATABASE_PREPARE_THRESHOLD
    # times is parsed and planned once and then only executed. With row-level security every
    # statement's plan carries its tables' policies (a submission's inserts each check theirs),
    # and planning them was most of PostgreSQL's time per write: bench/api measured 3.7 → 2.6 ms
    # of PostgreSQL CPU per POST /api/v1/applications. Parameters are then bound by the server
    # (Django's `server_side_binding`). Empty disables it (for a transaction-mode pooler such as
    # PgBouncer without prepared-statement support).
    _prepare_threshold = env.str("DATABASE_PREPARE_THRESHOLD", default="5")
    if _prepare_threshold:
        DATABASES["default"]["OPTIONS"]["server_side_binding"] = True
        DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(_prepare_threshold)
    # pg_stat_activity names each session's kind of process: hotgigs-web, -worker or -command.
    DATABASES["default"]["OPTIONS"].setdefault("application_name", f"hotgigs-{HOTGIGS_PROCESS_KIND}")
    DATABASES["default"].setdefault("TEST", {})["NAME"] = env.str("DATABASE_TEST_NAME", default="test_hotgigs")
    # Row-level security (hotgigs/tenancy): the backend keeps each connection's acting identity
    # current. DATABASE_URL is the application's role (owns nothing, cannot bypass the
    # policies); DATABASE_OWNER_URL, when set, the tables' owner, which `migrate` and
    # `app_role` connect as. Without it everything connects as DATABASE_URL's user: an owner
    # or superuser there is not held by the policies (the selectors still are).
    DATABASES["default"]["ENGINE"] = "hotgigs.tenancy.postgresql"
    DATABASE_OWNER_URL = env.str("DATABASE_OWNER_URL", default="")
    DATABASE_APP_ROLE = ""
    if DATABASE_OWNER_URL:
        _owner = environ.Env.db_url_config(DATABASE_OWNER_URL)
        if _owner.get("USER") and _owner["USER"] != DATABASES["default"]["USER"]:
            DATABASE_APP_ROLE = DATABASES["default"]["USER"]
        if runs_as_owner(sys.argv):
            for _key in ("NAME", "USER", "PASSWORD", "HOST", "PORT"):
                DATABASES["default"][_key] = _owner.get(_key, "")
# Read replicas (hotgigs/replicas.py): comma-separated URLs, empty for none. Reads marked
# replica-ok go to them in turn; a user who wrote within DATABASE_READ_YOUR_WRITES_SECONDS
# reads the primary; an unreachable replica is skipped for DATABASE_REPLICA_RETRY_SECONDS.
_replica_urls = [url.strip() for url in env.list("DATABASE_REPLICA_URLS", default=[]) if url.strip()]
try:
    _replicas = replica_databases([env.db_url_config(url) for url in _replica_urls], DATABASES["default"])
except ValueError as exc:
    raise ImproperlyConfigured(str(exc)) from exc
DATABASES.update(_replicas)
DATABASE_REPLICAS = list(_replicas)
DATABASE_ROUTERS = ["hotgigs.replicas.ReplicaRouter"] if DATABASE_REPLICAS else []
DATABASE_READ_YOUR_WRITES_SECONDS = env.float("DATABASE_READ_YOUR_WRITES_SECONDS", default=5.0)
DATABASE_REPLICA_RETRY_SECONDS = env.float("DATABASE_REPLICA_RETRY_SECONDS", default=30.0)
if DATABASE_READ_YOUR_WRITES_SECONDS < 0 or DATABASE_REPLICA_RETRY_SECONDS < 0:
    raise ImproperlyConfigured(
        "DATABASE_READ_YOUR_WRITES_SECONDS and DATABASE_REPLICA_RETRY_SECONDS must be 0 or more."
    )
# Retry-After (seconds) of a 503 SERVICE_UNAVAILABLE: the database did not serve the request in
# time (a statement or lock timeout, no free pooled connection, a lost connection), or
# /health/ready found a component down.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.int("SERVICE_UNAVAILABLE_RETRY_AFTER", default=5)

# CACHE, CHANNEL LAYER, CELERY BROKER
# ------------------------------------------------------------------------------
# The name of this deployment: part of the default channel-layer prefix (below).
DEPLOYMENT_NAME = env.str("DEPLOYMENT_NAME", default="hotgigs")
REDIS_URL = env.str("REDIS_URL", default="")
# Time limits of every Redis client (cache, rate limiter, breaker store, channel layer, broker;
# hotgigs/redis_clients.py): seconds to connect and to wait for an answer. A Redis that does
# not answer within them is marked down in the process for REDIS_FAIL_FAST_SECONDS, and every
# call to it fails at once meanwhile (the cache and the limiter fail open; tasks are swept later).
REDIS_SOCKET_CONNECT_TIMEOUT = env.float("REDIS_SOCKET_CONNECT_TIMEOUT", default=0.5)
REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
REDIS_FAIL_FAST_SECONDS = env.float("REDIS_FAIL_FAST_SECONDS", default=2.0)
if REDIS_URL:
    _connection_class = guarded_connection_class(REDIS_URL)
    _async_connection_class = guarded_async_connection_class(REDIS_URL)
    CACHES = {
        "default": {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="hotgigs"),
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "SOCKET_CONNECT_TIMEOUT": REDIS_SOCKET_CONNECT_TIMEOUT,
                "SOCKET_TIMEOUT": REDIS_SOCKET_TIMEOUT,
                "CONNECTION_POOL_KWARGS": {"connection_class": _connection_class} if _connection_class else {},
            },
        }
    }
    # "redis-pubsub" (default): channels-redis' Pub/Sub layer, one Redis message per group per
    # server process, fanned out in memory; "redis": its list-based layer, one Redis list read
    # per socket. bench/realtime at 200 events/s to 1,000 sockets: p95 13.8 ms delivering 199/s
    # (Pub/Sub) against 164.6 ms delivering 178/s (lists). Neither stores what a disconnected
    # process misses; the outbox does (gap repair by ``prev``, replay by ``since``).
    CHANNEL_LAYER_BACKEND = env.str("CHANNEL_LAYER_BACKEND", default="redis-pubsub")
    # Redis Pub/Sub channels ignore the database number: two deployments sharing a Redis hear
    # each other unless their prefixes differ. The default is DEPLOYMENT_NAME and the Redis
    # database number (e.g. "hotgigs.0"), so deployments on different databases, or with
    # different names, are apart without configuring anything.
    CHANNEL_LAYER_PREFIX = (
        env.str("CHANNEL_LAYER_PREFIX", default="") or f"{DEPLOYMENT_NAME}.{redis_db_number(REDIS_URL)}"
    )
    _layer_host: dict[str, Any] = {
        "address": REDIS_URL,
        "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
        # The list-based layer blocks up to its brpop_timeout (5 s) waiting for messages.
        "socket_timeout": REDIS_SOCKET_TIMEOUT + (5 if CHANNEL_LAYER_BACKEND == "redis" else 0),
    }
    if _async_connection_class:
        _layer_host["connection_class"] = _async_connection_class
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": {
                "redis": "channels_redis.core.RedisChannelLayer",
                "redis-pubsub": "hotgigs.realtime.layers.PubSubChannelLayer",
            }[CHANNEL_LAYER_BACKEND],
            "CONFIG": {
                "hosts": [_layer_host],
                "prefix": CHANNEL_LAYER_PREFIX,
                **(
                    {"capacity": env.int("REALTIME_SOCKET_BACKLOG", default=500)}
                    if CHANNEL_LAYER_BACKEND == "redis-pubsub"
                    else {}
                ),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "hotgigs"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# Without Redis, Celery's in-memory transport (tasks run eagerly, below). Its URL names a host
# because an eager task still takes a producer from kombu's pool, which warns "No hostname was
# supplied" for a bare memory://.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "memory://localhost/")
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
# With no broker configured, tasks run in-process so `make run` needs no services.
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
# The queue tasks go to when nothing routes them elsewhere (a worker consumes it with -Q).
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Matching and resume parsing (CPU-heavy, minutes in a burst) have a queue of their own, so a
# rematch of thousands of candidates never holds up an email or a webhook. A worker started
# without -Q consumes both; production runs one worker per queue (docker/compose.yaml).
CELERY_MATCHING_QUEUE = env.str("CELERY_MATCHING_QUEUE", default="matching")
CELERY_TASK_QUEUES = (Queue(CELERY_TASK_DEFAULT_QUEUE), Queue(CELERY_MATCHING_QUEUE))
CELERY_TASK_ROUTES = ("hotgigs.celery.route_task",)
CELERY_TASK_EAGER_PROPAGATES = True
# A publish gives up after one immediate retry (a pooled connection that went stale) and the
# socket timeouts above, so a broker outage costs a write at most REDIS_SOCKET_TIMEOUT: the
# rows are committed and the beat sweepers queue what was not (README "When Redis is slow or down").
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
if CELERY_BROKER_URL.startswith("redis://"):
    # kombu's Redis transport with one Redis client per channel, not one per message (hotgigs/broker.py).
    CELERY_BROKER_TRANSPORT = "hotgigs.broker:Transport"
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": REDIS_SOCKET_CONNECT_TIMEOUT,
        "socket_timeout": REDIS_SOCKET_TIMEOUT,
    }
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_SOCKET_CONNECT_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_SOCKET_TIMEOUT
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=240)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Scheduling priority (nice, 0-19) a worker process lowers itself to when it starts. The
# matching worker runs at 10 in compose: scoring and ranking are background work, and on busy
# cores the emails, webhooks and notifications of the default queue go first.
WORKER_NICENESS = env.int("WORKER_NICENESS", default=0)
if not 0 <= WORKER_NICENESS <= 19:
    raise ImproperlyConfigured("WORKER_NICENESS must be between 0 and 19.")
CELERY_TIMEZONE = TIME_ZONE

# STATIC AND MEDIA FILES
# ------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = env.str("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
Path(STATIC_ROOT).mkdir(parents=True, exist_ok=True)
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Without collectstatic (tests, a fresh checkout) WhiteNoise serves from the app folders.
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=True)
MEDIA_URL = "media/"
MEDIA_ROOT = env.str("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))

# RESUMES (candidates/storage.py, candidates/resume_files.py)
# ------------------------------------------------------------------------------
# Largest resume file accepted (PDF, DOCX or plain text, type sniffed from the content).
RESUME_MAX_BYTES = env.int("RESUME_MAX_BYTES", default=5 * 1024 * 1024)
# Seconds a signed download link stays valid (also the lifetime of S3 presigned URLs).
RESUME_LINK_SECONDS = env.int("RESUME_LINK_SECONDS", default=300)
# Bounds of text extraction, which runs in a child process: wall clock, address space,
# pages of a PDF, characters kept.
RESUME_PARSE_TIMEOUT_SECONDS = env.float("RESUME_PARSE_TIMEOUT_SECONDS", default=30.0)
RESUME_PARSE_MAX_MEMORY_MB = env.int("RESUME_PARSE_MAX_MEMORY_MB", default=512)
RESUME_MAX_PAGES = env.int("RESUME_MAX_PAGES", default=50)
RESUME_MAX_TEXT_CHARS = env.int("RESUME_MAX_TEXT_CHARS", default=200_000)
# Private folder of resume files (no URL serves it); ignored when a bucket is set.
RESUME_STORAGE_ROOT = env.str("RESUME_STORAGE_ROOT", default=str(Path(MEDIA_ROOT) / "private"))
# An S3-compatible bucket (needs the `s3` extra: django-storages[s3]); the AWS_* variables
# configure it: credentials, region, endpoint (for MinIO and the like).
RESUME_STORAGE_BUCKET = env.str("RESUME_STORAGE_BUCKET", default="") or env.str("AWS_STORAGE_BUCKET_NAME", default="")
if RESUME_STORAGE_BUCKET:
    STORAGES["resumes"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": RESUME_STORAGE_BUCKET,
            "location": env.str("RESUME_STORAGE_PREFIX", default="hotgigs"),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": RESUME_LINK_SECONDS,
            "file_overwrite": False,
            "signature_version": "s3v4",
            "access_key": env.str("AWS_ACCESS_KEY_ID", default="") or None,
            "secret_key": env.str("AWS_SECRET_ACCESS_KEY", default="") or None,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default="") or None,
        },
    }
else:
    STORAGES["resumes"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {
            "location": RESUME_STORAGE_ROOT,
            "file_permissions_mode": 0o600,
            "directory_permissions_mode": 0o700,
        },
    }

# EMAIL
# ------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="HotGigs <no-reply@hotgigs.localhost>")
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
# NOTIFICATIONS (hotgigs/notifications): SMTP as soon as EMAIL_HOST is set.
if env.str("EMAIL_HOST", default=""):
    EMAIL_HOST = env.str("EMAIL_HOST")
    EMAIL_BACKEND = env.str("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
    EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds any SMTP step may take: a hung server must end in an error the task can retry.
EMAIL_TIMEOUT = env.float("EMAIL_TIMEOUT", default=10.0)
# Product name and frontend base URL used in emails, links and calendar UIDs.
HOTGIGS_PRODUCT_NAME = env.str("HOTGIGS_PRODUCT_NAME", default="HotGigs")
FRONTEND_URL = env.str("FRONTEND_URL", default="http://localhost:3000")
# A worker's claim on an email before another may take it over (it died mid-send); keep it
# well above EMAIL_TIMEOUT. Pending emails older than the requeue age are queued again by beat.
NOTIFICATIONS_EMAIL_CLAIM_SECONDS = env.int("NOTIFICATIONS_EMAIL_CLAIM_SECONDS", default=300)
NOTIFICATIONS_EMAIL_REQUEUE_SECONDS = env.int("NOTIFICATIONS_EMAIL_REQUEUE_SECONDS", default=600)
# Interviewers are reminded of missing feedback this many hours after the interview ends,
# for interviews that ended within the look-back window (days).
NOTIFICATIONS_FEEDBACK_REMINDER_HOURS = env.int("NOTIFICATIONS_FEEDBACK_REMINDER_HOURS", default=24)
NOTIFICATIONS_FEEDBACK_REMINDER_LOOKBACK_DAYS = env.int("NOTIFICATIONS_FEEDBACK_REMINDER_LOOKBACK_DAYS", default=7)

# REST FRAMEWORK AND TOKENS
# ------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["hotgigs.api.authentication.JWTAuthentication"],
    # MethodAllowed first: an unsupported method is 405 without a token or scope too, not 401 or 403.
    "DEFAULT_PERMISSION_CLASSES": [
        "hotgigs.api.permissions.MethodAllowed",
        "rest_framework.permissions.IsAuthenticated",
        "hotgigs.api.permissions.HasScope",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "hotgigs.api.pagination.CursorPagination",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["hotgigs.api.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "hotgigs.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "hotgigs.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "PAGE_SIZE": 20,
}
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=100)
# Seconds a token family's user and memberships stay cached (hotgigs/accounts/identity.py);
# every change to them drops the entry at once. 0 reads them from the database every request.
AUTH_CACHE_SECONDS = env.int("AUTH_CACHE_SECONDS", default=60)
# A refresh token presented again this many seconds after its rotation (a second tab
# refreshing at the same moment) gets the same new pair; later reuse revokes the family.
AUTH_REFRESH_REUSE_GRACE_SECONDS = env.int("AUTH_REFRESH_REUSE_GRACE_SECONDS", default=10)
# Per-account login protection, whatever the client address (hotgigs/accounts/throttle.py):
# after this many failed logins in a row, each further attempt must wait, doubling from the
# base up to the maximum (seconds); a successful login or a day without failures clears it.
AUTH_LOGIN_FREE_FAILURES = env.int("AUTH_LOGIN_FREE_FAILURES", default=5)
AUTH_LOGIN_BACKOFF_BASE_SECONDS = env.int("AUTH_LOGIN_BACKOFF_BASE_SECONDS", default=1)
AUTH_LOGIN_BACKOFF_MAX_SECONDS = env.int("AUTH_LOGIN_BACKOFF_MAX_SECONDS", default=900)
AUTH_LOGIN_FAILURE_WINDOW_SECONDS = env.int("AUTH_LOGIN_FAILURE_WINDOW_SECONDS", default=24 * 3600)
# Bodies above this size are refused with 413 before any parsing (uploads have their own limit).
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1_048_576)
DATA_UPLOAD_MAX_MEMORY_SIZE = API_MAX_BODY_BYTES
# JSON bodies and WebSocket messages nested deeper than this are refused with 400 before parsing.
API_MAX_JSON_DEPTH = env.int("API_MAX_JSON_DEPTH", default=32)
# Hot reads (job list and detail, analytics) cached per audience, invalidated on every write
# (hotgigs/api/caching.py); off, every read is computed. TTL in seconds: the seed's 15 minutes.
API_CACHE_ENABLED = env.bool("API_CACHE_ENABLED", default=True)
API_CACHE_TTL = env.int("API_CACHE_TTL", default=900)
# Bytes of cached bodies each process also keeps (least recently used out first), so a hit it
# holds fetches only the generation counters from the cache, not the body; 0: none.
_local_bytes = env.str("API_CACHE_LOCAL_BYTES", default=str(16 * 1024 * 1024)).strip()
if not _local_bytes.isdigit():
    raise ImproperlyConfigured(f"API_CACHE_LOCAL_BYTES must be 0 or a whole number of bytes, not {_local_bytes!r}.")
API_CACHE_LOCAL_BYTES = int(_local_bytes)
# A web process moves the analytics generations of the writes of this many milliseconds on
# together, from a thread of its own (hotgigs/cache.py, "Analytics generations linger"): a reader
# in another process may see figures up to this much older; the same process always sees its
# own writes. 0 moves them at commit, as workers and commands do.
_analytics_linger = env.str("ANALYTICS_INVALIDATION_LINGER_MS", default="100" if HOTGIGS_PROCESS_KIND == "web" else "0")
try:
    ANALYTICS_INVALIDATION_LINGER_MS = float(_analytics_linger)
except ValueError:
    ANALYTICS_INVALIDATION_LINGER_MS = float("nan")
if not 0 <= ANALYTICS_INVALIDATION_LINGER_MS <= 10_000:  # (also refuses nan and infinity)
    raise ImproperlyConfigured(
        f"ANALYTICS_INVALIDATION_LINGER_MS must be 0 to 10000 milliseconds, not {_analytics_linger!r}."
    )
# Idempotency-Key on creates (hotgigs/api/idempotency.py): how long a key and its stored answer
# are replayed (then purged by the beat task api.purge_idempotency_keys), and how long a retry
# waits for a request with the same key still in progress before 409 CONFLICT.
IDEMPOTENCY_KEY_TTL = timedelta(seconds=env.int("IDEMPOTENCY_KEY_TTL_SECONDS", default=24 * 3600))
IDEMPOTENCY_KEY_WAIT_SECONDS = env.float("IDEMPOTENCY_KEY_WAIT_SECONDS", default=2.0)

SIMPLE_JWT = {
    "ALGORITHM": "HS256",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default=SECRET_KEY),
    "AUDIENCE": env.str("JWT_AUDIENCE", default="hotgigs-api"),
    "ISSUER": env.str("JWT_ISSUER", default="hotgigs"),
    "ACCESS_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_ACCESS_TOKEN_LIFETIME", default=900)),
    "REFRESH_TOKEN_LIFETIME": timedelta(seconds=env.int("JWT_REFRESH_TOKEN_LIFETIME", default=14 * 24 * 3600)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "LEEWAY": 0,
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "user_id",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "HotGigs API",
    "DESCRIPTION": "REST API of the HotGigs recruiting platform. Errors use the envelope {code, message, details}.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ApplicationStageEnum": "applications.choices.ApplicationStage",
        "ApplicationSourceEnum": "applications.choices.ApplicationSource",
        "NotificationKindEnum": "hotgigs.notifications.choices.NotificationKind",
        "InterviewKindEnum": "interviews.choices.InterviewKind",
        "MembershipRoleEnum": "hotgigs.accounts.choices.MembershipRole",
        "HiringTeamRoleEnum": "hotgigs.accounts.choices.HiringTeamRole",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "PREPROCESSING_HOOKS": ["hotgigs.api.schema.only_versioned_paths"],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "hotgigs.api.schema.add_error_responses",
        "hotgigs.api.schema.close_request_bodies",
        "hotgigs.api.schema.integer_path_ids",
        "hotgigs.api.schema.add_response_headers",
    ],
    "SECURITY": [{"jwtAuth": []}],
}

# RATE LIMITS (hotgigs/api/ratelimit.py; README.md, "Operations")
# ------------------------------------------------------------------------------
# Rates are "<count>/<period>" with period s, m, h or d. Every path but /health/* and /metrics
# counts against the burst and the default; /api/<group> also counts against its group's
# limit. Each counts per user (a valid bearer token's, or the back-office session's), per
# client IP for anonymous requests; the auth group (login, sign-up) always per IP.
RATE_LIMIT_ENABLED = env.bool("RATE_LIMIT_ENABLED", default=True)
RATE_LIMIT_BURST = env.str("RATE_LIMIT_BURST", default="50/m")
RATE_LIMIT_DEFAULT = env.str("RATE_LIMIT_DEFAULT", default="1000/h")
RATE_LIMITS = {
    "jobs": env.str("RATE_LIMIT_JOBS", default="1000/h"),
    "candidates": env.str("RATE_LIMIT_CANDIDATES", default="1000/h"),
    "applications": env.str("RATE_LIMIT_APPLICATIONS", default="2000/h"),
    "interviews": env.str("RATE_LIMIT_INTERVIEWS", default="500/h"),
    "analytics": env.str("RATE_LIMIT_ANALYTICS", default="100/h"),
    # Login and sign-up (auth/token, auth/register), per IP: the brute-force limit.
    "auth": env.str("RATE_LIMIT_AUTH", default="20/m"),
}
# Endpoint groups whose conditional GETs answered 304 Not Modified do not count against the
# group's own limit (dashboards poll analytics with If-None-Match); burst and default still count.
RATE_LIMIT_FREE_NOT_MODIFIED = env.list("RATE_LIMIT_FREE_NOT_MODIFIED", default=["analytics"])
# Exports of a candidate's personal data (privacy): per user, on top of the limits above; an
# export reads every table holding the person, so a handful an hour is plenty.
RATE_LIMIT_EXPORT = env.str("RATE_LIMIT_EXPORT", default="5/h")
# The header (META name, e.g. HTTP_X_FORWARDED_FOR) that carries the client address, honoured
# only from the proxies listed (IPs or CIDRs). Unset, the client is REMOTE_ADDR.
RATE_LIMIT_TRUSTED_PROXY_HEADER = env.str("RATE_LIMIT_TRUSTED_PROXY_HEADER", default="")
RATE_LIMIT_TRUSTED_PROXIES = env.list("RATE_LIMIT_TRUSTED_PROXIES", default=[])
# When the counter cache does not answer: let requests through (True) or refuse them (False).
RATE_LIMIT_FAIL_OPEN = env.bool("RATE_LIMIT_FAIL_OPEN", default=True)
# django-ratelimit's own settings: the cache holding the counters and their key prefix.
RATELIMIT_USE_CACHE = "default"
RATELIMIT_CACHE_PREFIX = env.str("RATE_LIMIT_KEY_PREFIX", default="rl:")
RATELIMIT_IP_META_KEY = "hotgigs.api.ratelimit.client_ip"
if not REDIS_URL:
    # django-ratelimit refuses local memory because it is per process; that is the documented
    # single-process default (tests, `make run`). With REDIS_URL the check runs and passes.
    SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

# SECURITY
# ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "hotgigs.api.views.csrf_failure"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if env.bool("DJANGO_SECURE", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True

# CORS (django-cors-headers): the browser frontend calls /api/ from its own origin. Bearer
# tokens, not cookies, so no credentials mode. Origins are scheme://host[:port].
CORS_ALLOWED_ORIGINS = env.list(
    "CORS_ALLOWED_ORIGINS",
    default=["{0.scheme}://{0.netloc}".format(urlsplit(FRONTEND_URL))],
)
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_CREDENTIALS = False
CORS_ALLOW_HEADERS = (*default_headers, "idempotency-key", "if-none-match", "x-request-id")
CORS_EXPOSE_HEADERS = (
    "X-Request-ID",
    "X-RateLimit-Limit",
    "X-RateLimit-Remaining",
    "X-RateLimit-Reset",
    "Retry-After",
    "ETag",
    "API-Version",
    "Deprecation",
    "Sunset",
    "Link",
)
# Seconds a browser may reuse a preflight answer.
CORS_PREFLIGHT_MAX_AGE = env.int("CORS_PREFLIGHT_MAX_AGE", default=3600)

# Content-Security-Policy (django-csp) on every response: the admin and the API docs
# (Swagger UI from drf-spectacular-sidecar's static files, its start script served by the
# docs view itself) load only this site's scripts, styles, images and fonts; no inline
# script, no framing, no plugin. JSON answers carry it too, harmlessly.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
    }
}

# LOGGING
# ------------------------------------------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# "json": one JSON object per line with the request id (hotgigs.observability.logs); "plain": text.
LOG_FORMAT = env.str("LOG_FORMAT", default="json")
# Verbose: the access log adds query string, client IP, user agent, size; task lines are logged.
HOTGIGS_DEBUG_VERBOSE = env.bool("HOTGIGS_DEBUG_VERBOSE", default=False)
# Trace: the access log adds the query count and time; every SQL statement is logged at DEBUG.
HOTGIGS_TRACE = env.bool("HOTGIGS_TRACE", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "hotgigs.observability.logs.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "hotgigs.observability.logs.json_formatter"},
        "plain": {"()": "hotgigs.observability.logs.plain_formatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # The server's request lines (full URLs: a WebSocket's ?token=, a signed link) go through
        # the console handler, whose formatters redact query strings, however the server was
        # started; uvicorn.error propagates to "uvicorn", gunicorn.error to "gunicorn" (hotgigs.serve). Levels stay the server's own.
        "uvicorn": {"handlers": ["console"], "propagate": False},
        "uvicorn.access": {"handlers": ["console"], "propagate": False},
        "gunicorn": {"handlers": ["console"], "propagate": False},
        "django.server": {"handlers": ["console"], "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "hotgigs.observability.trace": {"level": "DEBUG" if HOTGIGS_TRACE else "WARNING"},
    },
}
# Celery workers keep this configuration (JSON lines) instead of replacing the root handlers.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_WORKER_REDIRECT_STDOUTS = False

# OBSERVABILITY
# ------------------------------------------------------------------------------
# Bearer token that /metrics requires; unset, /metrics answers 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
# prometheus_client reads this from the environment itself (multiprocess mode); shown here for reference.
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Upper bound, in seconds, of /health/ready and of each of its component checks.
HEALTH_CHECK_TIMEOUT = env.float("HEALTH_CHECK_TIMEOUT", default=2.0)
# Import the URLConf, open the database pool and touch the cache when a process starts.
HOTGIGS_WARM_UP = env.bool("HOTGIGS_WARM_UP", default=True)

# SERVING (python -m hotgigs.serve; README "Serving")
# ------------------------------------------------------------------------------
# Worker processes of either interface (uvicorn for asgi, gunicorn for wsgi).
WEB_CONCURRENCY = env.int("WEB_CONCURRENCY", default=1)
# ASGI server (python -m hotgigs.serve): a connection whose request head (the WebSocket upgrade
# included) is not complete this many seconds after it opened is closed.
HTTP_HEADER_TIMEOUT_SECONDS = env.float("HTTP_HEADER_TIMEOUT_SECONDS", default=10.0)
# wsgi: threads per gunicorn worker; 1 is the sync worker, more the gthread worker (measured
# best here: bench/api, README "Serving").
WSGI_THREADS = env.int("WSGI_THREADS", default=4)
# wsgi: seconds a request may run before its worker is restarted (also the graceful stop).
WSGI_TIMEOUT = env.int("WSGI_TIMEOUT", default=30)
# wsgi: seconds an idle keep-alive connection stays open (gthread only; sync closes each one).
WSGI_KEEPALIVE = env.int("WSGI_KEEPALIVE", default=5)
# wsgi: restart a worker after this many requests (plus up to 10% jitter); 0 = never.
WSGI_MAX_REQUESTS = env.int("WSGI_MAX_REQUESTS", default=0)

# RESILIENCE: circuit breakers and retries around external services
# ------------------------------------------------------------------------------
# Breakers open at this failure rate over the rolling window once it holds enough calls,
# stay open, then recover in steps (hotgigs/resilience/breaker.py). State is in Redis
# when REDIS_URL is set, so every worker agrees; in process memory otherwise.
CIRCUIT_BREAKER_FAILURE_RATE = env.float("CIRCUIT_BREAKER_FAILURE_RATE", default=0.5)
CIRCUIT_BREAKER_WINDOW_SECONDS = env.int("CIRCUIT_BREAKER_WINDOW_SECONDS", default=60)
CIRCUIT_BREAKER_MIN_CALLS = env.int("CIRCUIT_BREAKER_MIN_CALLS", default=10)
CIRCUIT_BREAKER_OPEN_SECONDS = env.int("CIRCUIT_BREAKER_OPEN_SECONDS", default=300)
CIRCUIT_BREAKER_TRIAL_SUCCESSES = env.int("CIRCUIT_BREAKER_TRIAL_SUCCESSES", default=3)
CIRCUIT_BREAKER_KEY_PREFIX = env.str("CIRCUIT_BREAKER_KEY_PREFIX", default="hotgigs:cb")
# Exponential backoff with full jitter; the contract allows at most 3 retries.
RETRY_MAX_RETRIES = env.int("RETRY_MAX_RETRIES", default=3)
RETRY_BASE_DELAY = env.float("RETRY_BASE_DELAY", default=0.5)
RETRY_MAX_DELAY = env.float("RETRY_MAX_DELAY", default=30.0)

# AI MATCHING (hotgigs/ai, applications/matching.py)
# ------------------------------------------------------------------------------
# "local" (offline, deterministic, the default) or "openai" (any OpenAI-compatible server;
# takes effect only with OPENAI_API_KEY set). While the "openai" circuit breaker is open or
# its retries are spent, the local provider scores and the receipt says so.
AI_PROVIDER = env.str("AI_PROVIDER", default="local")
# The local provider's dense text part: "lsa" (bundled, numpy only, the default) or "minilm"
# (all-MiniLM-L6-v2 on the CPU; needs the `embeddings` extra, else LSA scores and a warning is logged).
AI_LOCAL_ENCODER = env.str("AI_LOCAL_ENCODER", default="lsa")
OPENAI_API_KEY = env.str("OPENAI_API_KEY", default="")
# Empty: api.openai.com. Any OpenAI-compatible server, e.g. http://localhost:11434/v1.
OPENAI_BASE_URL = env.str("OPENAI_BASE_URL", default="")
OPENAI_EMBEDDING_MODEL = env.str("OPENAI_EMBEDDING_MODEL", default="text-embedding-3-small")
OPENAI_CHAT_MODEL = env.str("OPENAI_CHAT_MODEL", default="gpt-4o-mini")
# Seconds per request; the breaker needs every guarded call to end.
OPENAI_TIMEOUT = env.float("OPENAI_TIMEOUT", default=10.0)
# A one-sentence rationale from the chat model on each new or changed match (extra calls).
OPENAI_RATIONALE = env.bool("OPENAI_RATIONALE", default=False)
OPENAI_EMBEDDING_CACHE_SECONDS = env.int("OPENAI_EMBEDDING_CACHE_SECONDS", default=30 * 24 * 3600)
# How many of the best-scoring candidates a job keeps as matches (applicants and pairs
# already stored are always kept up to date), and how many open jobs a candidate keeps.
MATCH_TOP_CANDIDATES_PER_JOB = env.int("MATCH_TOP_CANDIDATES_PER_JOB", default=100)
MATCH_TOP_JOBS_PER_CANDIDATE = env.int("MATCH_TOP_JOBS_PER_CANDIDATE", default=50)
# Matches scoring below this are not stored (unless the pair is an application).
MATCH_MIN_SCORE_TO_STORE = env.float("MATCH_MIN_SCORE_TO_STORE", default=0.0)
# Each process keeps the job board as a matrix for matching (applications.open_jobs), checked on
# every use against a generation that job events move on; at most this often (seconds) also
# against the board's count and latest update, for changes no job event tells (0: every use).
MATCH_OPEN_JOBS_VERIFY_SECONDS = env.float("MATCH_OPEN_JOBS_VERIFY_SECONDS", default=30.0)
# The beat sweep (applications.score_sweep, every 60 s) queues the scoring of applications
# older than this that still have no match score (their task was lost in a broker outage).
APPLICATIONS_SCORE_SWEEP_LAG_SECONDS = env.int("APPLICATIONS_SCORE_SWEEP_LAG_SECONDS", default=120)

# REALTIME (hotgigs/realtime; README "Realtime")
# ------------------------------------------------------------------------------
# Outbox events older than this are pruned by the hourly beat task realtime.prune_outbox;
# a client resuming with an older ``since`` is told its replay is incomplete.
REALTIME_OUTBOX_RETENTION = timedelta(seconds=env.int("REALTIME_OUTBOX_RETENTION_SECONDS", default=3 * 24 * 3600))
# At most this many missed events are replayed per subscription (then "replay_truncated").
REALTIME_REPLAY_LIMIT = env.int("REALTIME_REPLAY_LIMIT", default=1000)
# Server heartbeat every N seconds: re-checks the token family and every subscription; 0 turns it off.
REALTIME_HEARTBEAT_SECONDS = env.float("REALTIME_HEARTBEAT_SECONDS", default=30.0)
REALTIME_MAX_SUBSCRIPTIONS = env.int("REALTIME_MAX_SUBSCRIPTIONS", default=50)
# Every subscribe (accepted, refused or repeated) takes a token: REALTIME_MAX_SUBSCRIPTIONS at
# once, then this many per second. A connection's replays together send at most
# REALTIME_REPLAY_BUDGET events (then "replay_truncated" with reason "budget").
REALTIME_SUBSCRIBES_PER_SECOND = env.float("REALTIME_SUBSCRIBES_PER_SECOND", default=1.0)
REALTIME_REPLAY_BUDGET = env.int("REALTIME_REPLAY_BUDGET", default=5000)
# Threads of a server process that run its sockets' database work (authentication,
# subscriptions, replay, heartbeats); each holds at most one pooled database connection.
REALTIME_DATABASE_THREADS = env.int("REALTIME_DATABASE_THREADS", default=4)
# Slow readers: a socket is closed with 4008 when one send to it waits longer than this, or
# when this many messages wait for it in the channel layer (README "Realtime").
REALTIME_SEND_TIMEOUT_SECONDS = env.float("REALTIME_SEND_TIMEOUT_SECONDS", default=10.0)
REALTIME_SOCKET_BACKLOG = env.int("REALTIME_SOCKET_BACKLOG", default=500)
# Once a socket is closed by the server, each step of the close handshake waits at most this
# long for the client, and a connection still open this long after the close is aborted
# (hotgigs/serve.py: a client that stopped reading never reads the close frame).
REALTIME_CLOSE_TIMEOUT_SECONDS = env.float("REALTIME_CLOSE_TIMEOUT_SECONDS", default=2.0)

# WEBHOOKS (hotgigs/webhooks): signed outbound webhooks fed by the outbox
# ------------------------------------------------------------------------------
# Lets endpoints reach loopback, private, link-local and reserved addresses (development
# and tests only; a deployment must leave it off, or a member could probe the internal network).
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
# Seconds a delivery may take in all, and to connect; the breaker needs every call to end.
WEBHOOKS_TIMEOUT = env.float("WEBHOOKS_TIMEOUT", default=10.0)
WEBHOOKS_CONNECT_TIMEOUT = env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.0)
WEBHOOKS_USER_AGENT = env.str("WEBHOOKS_USER_AGENT", default="HotGigs-Webhooks/1.0")
# An endpoint whose deliveries fail for good this many times in a row is disabled.
WEBHOOKS_DISABLE_AFTER_FAILURES = env.int("WEBHOOKS_DISABLE_AFTER_FAILURES", default=20)
# The beat sweep (webhooks.sweep, every 30 s) requeues pending deliveries due for longer than the grace.
# Domain events whose events.dispatch task has not run this long after they were due are
# dispatched by the beat sweep (events.sweep): longer than a busy worker's normal delay.
EVENTS_DISPATCH_SWEEP_LAG = timedelta(seconds=env.float("EVENTS_DISPATCH_SWEEP_LAG_SECONDS", default=60.0))
# A web process sends the events.dispatch of the transactions of this many milliseconds as one
# message, from a thread of its own (hotgigs/queueing.py, "Lingering batches"); 0 sends each
# transaction's at commit, as workers and commands do (a killed worker child would lose them).
_linger = env.str("EVENTS_DISPATCH_LINGER_MS", default="100" if HOTGIGS_PROCESS_KIND == "web" else "0")
try:
    EVENTS_DISPATCH_LINGER_MS = float(_linger)
except ValueError:
    EVENTS_DISPATCH_LINGER_MS = float("nan")
# (Also refuses nan and infinity. A linger as long as the sweep's lag would let the sweep
# dispatch every event before its own batch left.)
if not (
    EVENTS_DISPATCH_LINGER_MS == 0 or 0 < EVENTS_DISPATCH_LINGER_MS < EVENTS_DISPATCH_SWEEP_LAG.total_seconds() * 1000
):
    raise ImproperlyConfigured(
        "EVENTS_DISPATCH_LINGER_MS must be 0 or more milliseconds and less than "
        f"EVENTS_DISPATCH_SWEEP_LAG_SECONDS, not {_linger!r}."
    )
WEBHOOKS_REQUEUE_GRACE = timedelta(seconds=env.float("WEBHOOKS_REQUEUE_GRACE_SECONDS", default=60.0))
# After a secret rotation the old secret keeps signing (a second signature) this long.
WEBHOOKS_SECRET_ROTATION_GRACE = timedelta(seconds=env.int("WEBHOOKS_SECRET_ROTATION_GRACE_SECONDS", default=24 * 3600))

# HOTGIGS
# ------------------------------------------------------------------------------
# Password of every demo login that `seed_demo` creates (printed at the end of the command).
HOTGIGS_DEMO_PASSWORD = env.str("HOTGIGS_DEMO_PASSWORD", default="hotgigs-demo-2026")
