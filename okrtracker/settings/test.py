"""Test runs: base with fast hashing and eager Celery (worker tests switch eagerness off)."""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production-0123456789abcdef")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
# A test's transaction stays open for the whole test, however long it waits on a browser or
# a worker: no idle-in-transaction limit (tests/deploy/test_idle_transactions.py sets its own).
os.environ.setdefault("DATABASE_IDLE_IN_TRANSACTION_TIMEOUT", "0")

from .base import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
# Worker tests read the worker's mails from files (OKR_TEST_EMAIL_FILE_PATH).
EMAIL_BACKEND = os.environ.get(
    "OKR_TEST_EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"
)
EMAIL_FILE_PATH = os.environ.get("OKR_TEST_EMAIL_FILE_PATH", "")
# Sign-ins in tests do not run the deadline reminders (their own test turns it on).
CHECKIN_REMINDERS_ON_SIGN_IN = False
STORAGES = {
    **STORAGES,  # noqa: F405 (the generated files' storage, "deck_files")
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# Serve static files from the app folders (no collectstatic before a test run).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
