"""The site's URLs plus one view that fails, for the error page tests."""

from django.urls import path

from totalplace.urls import handler500  # noqa: F401
from totalplace.urls import urlpatterns as site_urlpatterns


def fails(request):
    raise RuntimeError("something broke")


urlpatterns = [path("fails/", fails), *site_urlpatterns]
