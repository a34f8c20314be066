"""Cached API answers: public totals, kept as rendered JSON under the rollup generation.

A cache hit then costs one primary-key read (the generation) and one cache read: no place
lookup, no serialiser, no rendering. Other formats (CSV, the browsable API) cache the data
and are rendered per request. Only answers that are the same for every user may come through
here (see ``ledger.calculations.cache``).
"""

from collections.abc import Callable

from django.core.cache import cache
from django.http import HttpResponse
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from ledger.calculations.cache import TIMEOUT, cache_key, cached


def cached_response(
    request, namespace: str, params: dict, compute: Callable[[], object]
) -> HttpResponse:
    """The answer to ``compute()`` for ``params``, from the cache when this generation has it.
    An exception from ``compute`` (a 404, a bad cut) is raised, never cached."""
    renderer = request.accepted_renderer
    if type(renderer) is not JSONRenderer or request.accepted_media_type != renderer.media_type:
        return Response(cached(namespace, params, compute))
    key = cache_key(f"{namespace}:json", params)
    body = cache.get(key) if key else None
    if body is None:
        body = renderer.render(compute(), renderer.media_type)
        if key:
            cache.set(key, body, TIMEOUT)
    return HttpResponse(body, content_type=renderer.media_type)
