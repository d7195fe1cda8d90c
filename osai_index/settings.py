"""Site settings, read from the environment.

With nothing set the site runs on a local SQLite file with Celery in eager mode and a
local-memory cache, so `runserver` works on a bare machine. `DATABASE_URL` (PostgreSQL) and
`REDIS_URL` switch to the production services: Redis becomes the Celery broker, result backend
and the Django cache.
"""

import datetime
import os
import secrets
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from curation.conf import DEFAULTS as CURATION_DEFAULTS

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()


def _local_development_key(path: Path) -> str:
    """A secret key of this checkout, made on first use (never a key published in the code).

    Written under a temporary name and linked into place, so that processes starting together
    agree on one key."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(secrets.token_urlsafe(50))
    temporary.chmod(0o600)
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()


DEBUG = env.bool("DEBUG", default=True)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. With DEBUG off the site does not start without a secret key "
            "of its own (signed preview links, sessions and password resets depend on it); make one with "
            "python -c 'import secrets; print(secrets.token_urlsafe(50))'."
        )
    # Development (DEBUG on): a key of this checkout, kept out of version control.
    SECRET_KEY = _local_development_key(BASE_DIR / ".django-secret-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# --- HTTPS, cookies, browser policies --------------------------------------------------------
# Production (DEBUG off) is served over HTTPS only: plain HTTP is redirected, HSTS tells browsers
# to stay on HTTPS, cookies never travel unencrypted. Each can be changed through the environment.
# Behind a reverse proxy that terminates TLS, OSAI_TRUSTED_PROXIES is the number of proxies in
# front of the site; it decides which X-Forwarded-For entry is the client (curation.client_address)
# and lets the proxy's X-Forwarded-Proto say that the request came over HTTPS.
OSAI_TRUSTED_PROXIES = env.int("OSAI_TRUSTED_PROXIES", default=CURATION_DEFAULTS["OSAI_TRUSTED_PROXIES"])
if OSAI_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Load balancers and process managers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 365 * 24 * 3600)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_HTTPONLY = CSRF_COOKIE_HTTPONLY = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "csp",
    "axes",
    "curation",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # HTML, JSON and CSV answers are gzipped for clients that accept it (static files come
    # precompressed from WhiteNoise, and cached pages keep a gzip copy made once, see
    # curation.public.caching). Placed above every middleware that reads or changes the body.
    # BREACH: pages carrying a CSRF token (admin, login, review forms) are compressed too;
    # Django's GZipMiddleware pads each answer with a random length (Heal The Breach), and the
    # CSRF token is masked afresh on every answer, so the secret cannot be read off sizes.
    "curation.middleware.TextGZipMiddleware",
    # Repeated anonymous reads of cached pages, answered from memory before the rest runs.
    "curation.public.caching.FrontPageCacheMiddleware",
    # NUL characters and oversized bodies are refused before any view reads them.
    "curation.middleware.RequestGuardMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes requires: answers a locked-out login attempt.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "osai_index.urls"

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
                "curation.editorial.context_processors.navigation",
                "curation.public.theme.theme",
            ],
            # `{% url %}` with its addresses kept per process (replaces Django's tag everywhere).
            "builtins": ["curation.templatetags.known_urls"],
        },
    },
]

WSGI_APPLICATION = "osai_index.wsgi.application"

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
# Connections are kept between requests and checked before reuse, so a PostgreSQL restart costs
# the requests of the restart itself and processes recover without being restarted.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A server that is down is reported within seconds, not after the system's TCP timeout.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env.int("DATABASE_CONNECT_TIMEOUT", default=3)
    )
    # No JIT compilation of queries: at 100,000 models the planner's cost of an index page with
    # a filter passes PostgreSQL's JIT threshold, and compiling took longer (~400 ms) than
    # running the query. Reader queries are short; none gains from it.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c jit=off")
# Parallel test runs against one PostgreSQL server need distinct test database names.
if env.str("DJANGO_TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("DJANGO_TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache and Celery -----------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")

# Every wait on Redis (cache and broker) is bounded by this many seconds, so a Redis that accepts
# connections but never answers slows a save by a few seconds at most instead of hanging it.
REDIS_TIMEOUT_SECONDS = env.float("OSAI_REDIS_TIMEOUT_SECONDS", default=CURATION_DEFAULTS["REDIS_TIMEOUT_SECONDS"])
# After a cache error, each process runs uncached for this long before trying Redis again.
OSAI_CACHE_RETRY_SECONDS = env.float("OSAI_CACHE_RETRY_SECONDS", default=CURATION_DEFAULTS["OSAI_CACHE_RETRY_SECONDS"])

if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down the site answers uncached (curation.cache_backends).
            "BACKEND": "curation.cache_backends.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="osai"),
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT_SECONDS, "socket_timeout": REDIS_TIMEOUT_SECONDS},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # A host in the URL keeps kombu from warning about a missing one on every start.
    CELERY_BROKER_URL = "memory://localhost/"
    CELERY_RESULT_BACKEND = "cache+memory://"
    # Without a broker the same task code runs inline, so the embedded default behaves like
    # production minus the queue.
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Fail fast when Redis is down or stalled: callers fall back to the periodic sweep instead of
# hanging. Sending a task tries once more after a short pause, each attempt bounded by the timeouts.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    "socket_keepalive": True,
}
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT_SECONDS
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT_SECONDS
# The worker keeps trying to reach a broker that went away (forever, every few seconds at most)
# instead of giving up; see README "Production" for the process manager's part.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task whose worker died unacknowledged is redelivered after this many seconds (acks_late).
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = env.int("CELERY_VISIBILITY_TIMEOUT", default=600)
# A separate queue lets a benchmark or test worker share a Redis with a running site.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_BEAT_SCHEDULE = {
    # Chart outbox rows that no run consumed (e.g. Redis was down when they were written): with
    # these defaults charts converge within about 30 s of Redis coming back.
    "sweep-chart-outbox": {
        "task": "curation.tasks.sweep_chart_outbox",
        "schedule": env.float("OSAI_CHARTS_SWEEP_SECONDS", default=CURATION_DEFAULTS["OSAI_CHARTS_SWEEP_SECONDS"]),
    },
    "check-all-charts-nightly": {"task": "curation.tasks.check_all_charts", "schedule": crontab(hour=3, minute=17)},
    # Adoption figures (Hugging Face downloads and likes), read once a day; a second run the
    # same day only finishes what the first left undone.
    "fetch-adoption-daily": {
        "task": "curation.tasks.fetch_adoption",
        "schedule": crontab(
            hour=env.int("OSAI_ADOPTION_FETCH_HOUR", default=CURATION_DEFAULTS["OSAI_ADOPTION_FETCH_HOUR"]), minute=23
        ),
    },
    # Scheduled news and guides go live within a minute of their publish_at.
    "publish-scheduled-posts": {
        "task": "curation.editorial.publish_scheduled_posts",
        "schedule": env.float(
            "OSAI_PUBLISH_SCHEDULED_SECONDS", default=CURATION_DEFAULTS["OSAI_PUBLISH_SCHEDULED_SECONDS"]
        ),
    },
}

# --- Adoption (curation.adoption.fetch) -------------------------------------------------------
# The Hub the figures are read from (a fake one in tests and benchmarks), and a token only where
# a higher rate limit is wanted.
HF_ENDPOINT = env.str("HF_ENDPOINT", default=CURATION_DEFAULTS["HF_ENDPOINT"]).rstrip("/")
HF_TOKEN = env.str("HF_TOKEN", default=CURATION_DEFAULTS["HF_TOKEN"])
OSAI_ADOPTION_CONCURRENCY = env.int("OSAI_ADOPTION_CONCURRENCY", default=CURATION_DEFAULTS["OSAI_ADOPTION_CONCURRENCY"])
OSAI_ADOPTION_MAX_ATTEMPTS = env.int(
    "OSAI_ADOPTION_MAX_ATTEMPTS", default=CURATION_DEFAULTS["OSAI_ADOPTION_MAX_ATTEMPTS"]
)
OSAI_ADOPTION_BACKOFF_SECONDS = env.float(
    "OSAI_ADOPTION_BACKOFF_SECONDS", default=CURATION_DEFAULTS["OSAI_ADOPTION_BACKOFF_SECONDS"]
)
OSAI_ADOPTION_MAX_BACKOFF_SECONDS = env.float(
    "OSAI_ADOPTION_MAX_BACKOFF_SECONDS", default=CURATION_DEFAULTS["OSAI_ADOPTION_MAX_BACKOFF_SECONDS"]
)
OSAI_ADOPTION_TIMEOUT_SECONDS = env.float(
    "OSAI_ADOPTION_TIMEOUT_SECONDS", default=CURATION_DEFAULTS["OSAI_ADOPTION_TIMEOUT_SECONDS"]
)
# The daily run holds a lock this long at most (a run redelivered to a second worker waits).
OSAI_ADOPTION_LOCK_SECONDS = env.int(
    "OSAI_ADOPTION_LOCK_SECONDS", default=CURATION_DEFAULTS["OSAI_ADOPTION_LOCK_SECONDS"]
)

# --- Auth, i18n, static ---------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    # Not a rule: after every password change, the user's API tokens are deleted.
    {"NAME": "curation.accounts.RevokeApiTokensOnPasswordChange"},
]
# Logins (the admin's and the API token endpoint's) are counted per client address by
# django-axes: after OSAI_LOGIN_FAILURE_LIMIT failures in a row an address is locked out for
# OSAI_LOGIN_COOLOFF_MINUTES (answered 429). The address is the real client's, read through
# OSAI_TRUSTED_PROXIES (curation.client_address), so a forged X-Forwarded-For changes nothing.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_FAILURE_LIMIT = env.int("OSAI_LOGIN_FAILURE_LIMIT", default=CURATION_DEFAULTS["OSAI_LOGIN_FAILURE_LIMIT"])
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env.int("OSAI_LOGIN_COOLOFF_MINUTES", default=CURATION_DEFAULTS["OSAI_LOGIN_COOLOFF_MINUTES"])
)
AXES_LOCKOUT_PARAMETERS = ["ip_address"]
AXES_CLIENT_IP_CALLABLE = "curation.client_address.client_address"
AXES_RESET_ON_SUCCESS = True
# API tokens expire this many days after they were issued (a new one is issued on request).
OSAI_API_TOKEN_MAX_AGE_DAYS = env.float(
    "OSAI_API_TOKEN_MAX_AGE_DAYS", default=CURATION_DEFAULTS["OSAI_API_TOKEN_MAX_AGE_DAYS"]
)
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# WhiteNoise serves the apps' static files directly, without collectstatic (the demo does this).
WHITENOISE_USE_FINDERS = env.bool("WHITENOISE_USE_FINDERS", default=False)

MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="index@localhost")

# Corrections readers may suggest per address (curation.public.rate_limits), "<count>/<period>".
OSAI_SUGGESTION_RATE = env.str("OSAI_SUGGESTION_RATE", default=CURATION_DEFAULTS["OSAI_SUGGESTION_RATE"])

# --- REST framework -------------------------------------------------------------------------
_ANON_RATE = env.str("API_ANON_THROTTLE_RATE", default="300/minute")
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "curation.api.errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "curation.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Requests per address for anonymous API clients; authenticated clients are not limited.
    # `none` switches the limit off (e.g. for a load test from one address).
    "DEFAULT_THROTTLE_RATES": {"anon": _ANON_RATE if _ANON_RATE.lower() not in ("none", "off") else None},
    # DRF's own reading of X-Forwarded-For trusts exactly the site's proxies (our throttles read
    # curation.client_address, which does the same).
    "NUM_PROXIES": OSAI_TRUSTED_PROXIES,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "European Open Source AI Index API",
    "VERSION": "1.0.0",
    "DESCRIPTION": "The index's models, organisations, dimensions, charts, posts and changelogs; "
    "curators' change requests. Documentation: /api/v1/docs/.",
    # Enums list their values; a prose copy of ~250 country names per parameter helps nobody.
    "ENUM_GENERATE_CHOICE_DESCRIPTION": False,
    # One name per vocabulary wherever it appears (models' types and dimensions' applicable
    # types; a change request's state and its events' states).
    "ENUM_NAME_OVERRIDES": {
        "ModelTypeEnum": "curation.vocab.ModelType",
        "ChangeRequestStateEnum": "curation.models.review.ChangeRequest.State",
    },
}

# --- The index ------------------------------------------------------------------------------
# Let a superuser approve their own proposals on a single-person installation.
OSAI_ALLOW_SELF_APPROVAL = env.bool("OSAI_ALLOW_SELF_APPROVAL", default=CURATION_DEFAULTS["OSAI_ALLOW_SELF_APPROVAL"])
# With a shared cache, how long a process trusts the data version it last read before asking
# Redis again (a change committed by another process reaches its readers within this time).
OSAI_PAGE_VERSION_MEMO_SECONDS = env.float(
    "OSAI_PAGE_VERSION_MEMO_SECONDS", default=CURATION_DEFAULTS["OSAI_PAGE_VERSION_MEMO_SECONDS"]
)
# Behind the front nginx of deploy/nginx/osai-index.conf: how many seconds it may keep an
# anonymous cached answer (sent as X-Accel-Expires; 0: no such header, no proxy caching).
OSAI_PROXY_CACHE_SECONDS = env.int("OSAI_PROXY_CACHE_SECONDS", default=CURATION_DEFAULTS["OSAI_PROXY_CACHE_SECONDS"])
# Charts (the Chinese AI Tigers are always a slice of their own, see curation.charts.catalogue):
# how many countries the origins pie names before "Other"; how long superseded chart versions are kept; coalescing of regeneration runs
# (wait for this many quiet seconds, at most this long); minimum age of rows the sweep picks up.
OSAI_CHARTS_TOP_ORIGINS = env.int("OSAI_CHARTS_TOP_ORIGINS", default=CURATION_DEFAULTS["OSAI_CHARTS_TOP_ORIGINS"])
OSAI_CHART_RETENTION_DAYS = env.int("OSAI_CHART_RETENTION_DAYS", default=CURATION_DEFAULTS["OSAI_CHART_RETENTION_DAYS"])
OSAI_CHARTS_QUIET_SECONDS = env.float(
    "OSAI_CHARTS_QUIET_SECONDS", default=CURATION_DEFAULTS["OSAI_CHARTS_QUIET_SECONDS"]
)
OSAI_CHARTS_MAX_WAIT_SECONDS = env.float(
    "OSAI_CHARTS_MAX_WAIT_SECONDS", default=CURATION_DEFAULTS["OSAI_CHARTS_MAX_WAIT_SECONDS"]
)
OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS = env.float(
    "OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS", default=CURATION_DEFAULTS["OSAI_CHARTS_SWEEP_MIN_AGE_SECONDS"]
)
# Hosts whose https iframes may appear in posts (video players and the like); all others are removed.
OSAI_IFRAME_ALLOWED_HOSTS = env.list(
    "OSAI_IFRAME_ALLOWED_HOSTS", default=CURATION_DEFAULTS["OSAI_IFRAME_ALLOWED_HOSTS"]
)
# How long a signed link sharing a draft post stays valid (seconds).
OSAI_PREVIEW_LINK_MAX_AGE = env.int("OSAI_PREVIEW_LINK_MAX_AGE", default=CURATION_DEFAULTS["OSAI_PREVIEW_LINK_MAX_AGE"])
# Imports refuse any file larger than this (bytes); real index files are a few kilobytes.
OSAI_IMPORT_MAX_FILE_BYTES = env.int(
    "OSAI_IMPORT_MAX_FILE_BYTES", default=CURATION_DEFAULTS["OSAI_IMPORT_MAX_FILE_BYTES"]
)
# Request bodies: forms and JSON up to DATA_UPLOAD_MAX_MEMORY_SIZE (Django's 2.5 MB); multipart
# uploads (images in the admin) up to this many bytes. Larger bodies are answered 413.
OSAI_MAX_UPLOAD_BYTES = env.int("OSAI_MAX_UPLOAD_BYTES", default=CURATION_DEFAULTS["OSAI_MAX_UPLOAD_BYTES"])
# Sites that may show the embed pages (/embed/...) in an iframe, as CSP frame-ancestors sources
# ("*": any site); every other page refuses to be framed.
OSAI_EMBED_FRAME_ANCESTORS = env.list(
    "OSAI_EMBED_FRAME_ANCESTORS", default=CURATION_DEFAULTS["OSAI_EMBED_FRAME_ANCESTORS"]
)
# The DOI of the index's dataset, named in the footer and in every citation; empty: none is given.
OSAI_DATASET_DOI = env.str("OSAI_DATASET_DOI", default=CURATION_DEFAULTS["OSAI_DATASET_DOI"])

# Content Security Policy (django-csp) on every response: scripts only from this site (no
# inline script anywhere), iframes only from the hosts posts may embed, no plugins, no framing.
# Inline style attributes stay allowed: score bars and sanitised post tables use them.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:", "https:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [f"https://{host}" for host in OSAI_IFRAME_ALLOWED_HOSTS] or [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        **({"upgrade-insecure-requests": True} if SECURE_SSL_REDIRECT else {}),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="WARNING")},
}
