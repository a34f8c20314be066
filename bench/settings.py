"""Settings for benchmark servers: the app as deployed, plus a bare JSON view as a baseline."""

from totalplace.settings.base import *  # noqa: F401,F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
REST_FRAMEWORK = {
    **REST_FRAMEWORK,  # noqa: F405
    # Measuring the API, not the throttle.
    "DEFAULT_THROTTLE_RATES": {"anon": "100000000/minute", "user": "100000000/minute"},
}
# Measuring the pages, not the limit on anonymous page views.
ANONYMOUS_PAGE_RATE = ""
