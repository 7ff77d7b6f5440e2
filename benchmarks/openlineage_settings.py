"""Benchmark-only settings: production-like (DEBUG off), plus the floor endpoint's URLconf."""

import warnings

from config.settings.base import *  # noqa: F403

warnings.filterwarnings("ignore", message="No directory at")  # whitenoise: static files are not collected here

DEBUG = False
SECRET_KEY = "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
CUSTODIAN_SUBJECT_KEY = "benchmark-only-subject-key"
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "benchmarks.openlineage_urls"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
