from django.http import JsonResponse
from django.urls import include, path


def bare(request):
    """The baseline: the cheapest Django JSON view the same server can answer."""
    return JsonResponse({"ok": True})


urlpatterns = [path("bench/bare/", bare), path("", include("totalplace.urls"))]
