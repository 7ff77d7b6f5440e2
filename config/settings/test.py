"""Test settings: fast hashing, eager tasks unless a test asks for a worker."""

import tempfile
from pathlib import Path

from config.settings.base import *  # noqa: F403

DEBUG = False
SECRET_KEY = "test-secret-key-not-for-production"
CUSTODIAN_SUBJECT_KEY = "test-subject-key"
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Tests run tasks in-process by default; the worker test configures its own app against Redis.
CELERY_TASK_ALWAYS_EAGER = True
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405

# Files the tests write (demo data, uploads) go to a throwaway directory.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="custodian-test-media-"))
CUSTODIAN_UPLOAD_DIR = MEDIA_ROOT / "uploads"
