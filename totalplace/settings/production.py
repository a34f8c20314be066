"""Production settings: everything in base, plus refusals to start unsafe and HTTPS hardening.

The app will not start with a ``SECRET_KEY`` shorter than 50 characters (or the development
one), nor without ``ALLOWED_HOSTS`` naming the site's hosts. Run it behind a TLS-terminating
proxy with ``NUM_PROXIES=1`` (docker-compose.yml): only then is ``X-Forwarded-Proto`` believed,
and the proxy must overwrite that header (and append to ``X-Forwarded-For``), never pass on a
client's own.
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F401,F403
from .base import DEVELOPMENT_SECRET_KEY, NUM_PROXIES, env

MIN_SECRET_KEY_LENGTH = 50


def _secret_key(key: str) -> str:
    """The key, if it is long and random enough to sign sessions and password resets with."""
    if (
        len(key) < MIN_SECRET_KEY_LENGTH
        or key == DEVELOPMENT_SECRET_KEY
        or key.startswith("django-insecure")
        or len(set(key)) < 5
    ):
        raise ImproperlyConfigured(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} random characters and not the "
            "development key, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'"
        )
    return key


def _allowed_hosts(hosts: list[str]) -> list[str]:
    """The site's own host names: a wildcard would let any Host header build our links."""
    hosts = [host for host in hosts if host.strip()]
    if not hosts or "*" in hosts:
        raise ImproperlyConfigured(
            "ALLOWED_HOSTS must name the site's hosts (comma-separated), not be empty or '*'"
        )
    return hosts


DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = _secret_key(env("SECRET_KEY"))  # no default: refuse to start without one
ALLOWED_HOSTS = _allowed_hosts(env.list("ALLOWED_HOSTS"))  # no default either

# A client can send X-Forwarded-Proto itself; only a proxy that overwrites it makes it true.
if NUM_PROXIES >= 1:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Container health checks call /health/ over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
