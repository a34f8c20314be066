"""/api/v1/: each app contributes its own routes; schema and docs are served locally."""

from csp.constants import UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

# Swagger UI's script comes from its own URL (the split view), so the site's script policy holds;
# its page template has a <style> block of its own, so styles alone are relaxed here.
api_docs = csp_update({"style-src": [UNSAFE_INLINE]})(
    SpectacularSwaggerSplitView.as_view(url_name="api-schema")
)

urlpatterns = [
    path("v1/", include("ledger.apis.urls")),
    path("v1/", include("pilots.apis.urls")),
    path("v1/", include("savings.apis.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", api_docs, name="api-docs"),
]
