"""
Settings shared by every environment, driven by environment variables.

``DATABASE_URL`` defaults to an SQLite file, ``CELERY_BROKER_URL`` unset means tasks run eagerly in-process.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parents[2]

env = environ.Env()
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

SECRET_KEY = env("SECRET_KEY", default=env("DJANGO_SECRET_KEY", default=""))
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "graphene_django",
    "core",
    "catalog",
    "lineage",
    "compliance",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
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

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'custodian.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Ref: SQLite writers wait for each other instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 30, "transaction_mode": "IMMEDIATE"})
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "core.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {"presidio-analyzer": {"level": "ERROR"}},
}

#
# Custodian
#
# Key for the keyed digests of subject identifiers (HMAC-SHA256). Never stored in the database.
CUSTODIAN_SUBJECT_KEY = env("CUSTODIAN_SUBJECT_KEY", default="")
# Lineage answers are cut at this depth unless the caller asks for less.
CUSTODIAN_MAX_LINEAGE_DEPTH = env.int("CUSTODIAN_MAX_LINEAGE_DEPTH", default=100)
# OpenLineage request bodies: cap on the decompressed size.
CUSTODIAN_OPENLINEAGE_MAX_BYTES = env.int("CUSTODIAN_OPENLINEAGE_MAX_BYTES", default=16 * 1024 * 1024)
# A runId that is not a UUID is rejected (422) unless mapped to a name-based uuid5 of its text.
CUSTODIAN_OPENLINEAGE_MAP_NON_UUID_RUN_IDS = env.bool("CUSTODIAN_OPENLINEAGE_MAP_NON_UUID_RUN_IDS", default=False)
# Ingestion waits at most this long for a row lock before answering 503 + Retry-After.
CUSTODIAN_OPENLINEAGE_LOCK_TIMEOUT_MS = env.int("CUSTODIAN_OPENLINEAGE_LOCK_TIMEOUT_MS", default=3000)
# Uploaded files wait here for their scan (deleted when it ends); must be shared by web and worker machines.
CUSTODIAN_UPLOAD_DIR = env.path("CUSTODIAN_UPLOAD_DIR", default=BASE_DIR / "media" / "uploads")
# A running scan with no progress for this long is failed by the sweeper (its worker died).
CUSTODIAN_SCAN_STALE_SECONDS = env.int("CUSTODIAN_SCAN_STALE_SECONDS", default=600)
# Rows per scan partition: each partition is one task, so this sets how many workers one scan can keep busy.
CUSTODIAN_SCAN_PARTITION_ROWS = env.int("CUSTODIAN_SCAN_PARTITION_ROWS", default=250_000)
# Subject-request deadlines: move a due date on a weekend or listed holiday to the next working day
# (Reg. 1182/71 Art. 3(4)); off by default, as most DPAs count calendar months strictly.
CUSTODIAN_DSR_ROLL_TO_WORKING_DAY = env.bool("CUSTODIAN_DSR_ROLL_TO_WORKING_DAY", default=False)
CUSTODIAN_DSR_HOLIDAYS = env.list("CUSTODIAN_DSR_HOLIDAYS", default=[])
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=32 * 1024 * 1024)

#
# REST framework and OpenAPI
#
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": (
        "core.api.authentication.TokenOrBearerAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ),
    "DEFAULT_PERMISSION_CLASSES": ("core.api.permissions.RolePermission",),
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": (
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ),
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Custodian API",
    "DESCRIPTION": "Data governance and lineage catalog for teams that train AI models.",
    "VERSION": "0.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "RunStateEnum": "lineage.choices.RunState",
        "VersionStateEnum": "catalog.choices.VersionState",
        "AssetStatusEnum": "catalog.choices.AssetStatus",
        "AssetKindEnum": "catalog.choices.AssetKind",
        "PrivacyMeasureEnum": "catalog.choices.PrivacyMeasure",
        "FlagKindEnum": "compliance.models.governance.FlagKind",
        "RetentionActionEnum": "compliance.models.governance.RetentionAction",
    },
}

#
# GraphQL
#
GRAPHENE = {
    "SCHEMA": "config.graphql_schema.schema",
    "RELAY_CONNECTION_MAX_LIMIT": 100,
    "ATOMIC_MUTATIONS": False,
}
GRAPHQL_MAX_DEPTH = env.int("GRAPHQL_MAX_DEPTH", default=10)

#
# Celery
#
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=CELERY_BROKER_URL or None)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
if not CELERY_BROKER_URL:
    CELERY_BROKER_URL = "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_RESULT_EXPIRES = 3600
CELERY_BEAT_SCHEDULE: dict = {
    "scan-sweeper": {"task": "compliance.tasks.scan_sweep", "schedule": 300.0},
    # Daily: flag assets past their retention date (and their descendants), then reconcile every governance flag.
    "retention-check": {"task": "compliance.tasks.retention_check", "schedule": crontab(hour=2, minute=15)},
    "flags-reconcile": {"task": "compliance.tasks.flags_reconcile", "schedule": crontab(hour=2, minute=45)},
}
