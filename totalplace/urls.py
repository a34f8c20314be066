from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .health import health

urlpatterns = [
    path("health/", health, name="health"),
    path("admin/", admin.site.urls),
    path("api/", include("totalplace.api_urls")),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Apps are included by name: the project's package imports none of them
    # (tests/test_app_layers.py).
    path("", include("ledger.urls")),  # with the sign-in page, accounts/login/
    path("", include("audit.urls")),
    path("", include("pilots.urls")),
    path("", include("explorer.urls")),
    path("", include("savings.urls")),
]
# No route serves MEDIA_ROOT, even with DEBUG on: uploaded files are other organisations'
# drafts. They are downloaded through views that check permissions (``ledger.pages.imports``).

handler500 = "totalplace.errors.server_error"
