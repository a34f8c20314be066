"""``/health/``: is the database, the cache, the broker and a worker answering?

Each probe is bounded by a short timeout so the page itself never hangs. The response is 200 when
the database answers (the app can serve reads) and 503 otherwise; broker and worker problems are
reported but do not fail the check, because pages and the API still read without them.
"""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from .celery import app as celery_app

PROBE_TIMEOUT_SECONDS = 1.0


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return {"status": "ok", "engine": connection.vendor}
    except Exception as exc:  # any failure is the answer we report
        return {"status": "error", "engine": connection.vendor, "detail": str(exc)[:200]}


def _cache() -> dict:
    try:
        cache.set("health-probe", "ok", 5)
        ok = cache.get("health-probe") == "ok"
        return {"status": "ok" if ok else "error", "backend": settings.CACHES["default"]["BACKEND"]}
    except Exception as exc:
        return {"status": "error", "detail": str(exc)[:200]}


def _broker_and_worker() -> tuple[dict, dict]:
    if celery_app.conf.task_always_eager:
        eager = {"status": "eager", "detail": "no broker configured; tasks run in-process"}
        return eager, eager
    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT_SECONDS)
        broker = {"status": "ok"}
    except Exception as exc:
        return {"status": "error", "detail": str(exc)[:200]}, {"status": "unknown"}
    try:
        replies = celery_app.control.ping(timeout=PROBE_TIMEOUT_SECONDS)
    except Exception as exc:
        return broker, {"status": "error", "detail": str(exc)[:200]}
    if not replies:
        return broker, {"status": "error", "detail": "no worker answered"}
    return broker, {"status": "ok", "workers": sorted(name for reply in replies for name in reply)}


@never_cache
def health(request):
    database = _database()
    broker, worker = _broker_and_worker()
    body = {"database": database, "cache": _cache(), "broker": broker, "worker": worker}
    body["status"] = (
        "ok" if all(p["status"] in ("ok", "eager") for p in body.values()) else "degraded"
    )
    return JsonResponse(body, status=200 if database["status"] == "ok" else 503)
