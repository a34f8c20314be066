"""Test settings: the environment's database and broker, but tasks run inline by default.

Tests that exercise a real worker switch eagerness off for their duration (tests/conftest.py).
"""

import os

from .base import *  # noqa: F401,F403

SECRET_KEY = "test-only-secret-key-not-for-production-0123456789"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CELERY_TASK_ALWAYS_EAGER = True
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Static files come from the finders in tests; no collected directory to look for.
STATIC_ROOT = None
# Throttling has its own tests; everything else must not trip over it.
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    "DEFAULT_THROTTLE_RATES": {"anon": "100000/minute", "user": "100000/minute"},
}
# The anonymous page limit has its own tests (which set a rate); other tests browse freely.
ANONYMOUS_PAGE_RATE = ""
# Login lockout is exercised by its own test (which turns it on); client.login() elsewhere.
AXES_ENABLED = False
# Under pytest-xdist every worker has its own test database (test_<name>_gw0, ...); with a shared
# Redis cache (CACHE_URL) each keeps its own keys too, or one worker would read another's totals.
if _worker := os.environ.get("PYTEST_XDIST_WORKER"):
    CACHES["default"]["KEY_PREFIX"] = _worker  # noqa: F405
