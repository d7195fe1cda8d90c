"""A host site that is not the index's own: it installs the curation app as any Django site
would (README, "Installing the app into another site") and mounts it under /index/.

Its own settings, base template and URLconf; nothing from osai_index. The suite's tests marked
`host_site` run against it: `pytest -m host_site --ds=tests.host_site.settings`.
"""

import os
from pathlib import Path

import environ

HERE = Path(__file__).resolve().parent
env = environ.Env()

SECRET_KEY = "host-site-tests-only"
DEBUG = False
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    # The curation app's own needs (requirements.txt).
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
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
AXES_CLIENT_IP_CALLABLE = "curation.client_address.client_address"

ROOT_URLCONF = "tests.host_site.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The host's own templates come first: its curation/base.html overrides the app's.
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "curation.editorial.context_processors.navigation",
                "curation.public.theme.theme",
            ],
        },
    },
]

# The suite's database and services, as the index's own settings read them (SQLite in memory
# by default; PostgreSQL and Redis when the environment names them).
DATABASES = {"default": env.db("DATABASE_URL", default="sqlite://:memory:")}
if os.environ.get("DJANGO_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["DJANGO_TEST_DB_NAME"] + "_host"}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "curation.api.errors.api_exception_handler",
    "DEFAULT_PARSER_CLASSES": [
        "curation.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": None},
}
SPECTACULAR_SETTINGS = {"TITLE": "Host site API"}

STATIC_URL = "/static/"
MEDIA_URL = "/media/"
MEDIA_ROOT = HERE / "media"
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en-gb"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# The curation app's settings are left to their defaults (curation.conf), but one.
OSAI_DATASET_DOI = ""
