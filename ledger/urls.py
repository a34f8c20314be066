from django.urls import include, path

from .pages import account, compare, count, home, lines, organisations, place, suppliers

urlpatterns = [
    path("", home.home, name="home"),
    path("accounts/login/", account.SignInView.as_view(), name="login"),
    path("account/api-tokens/", account.api_tokens, name="account-api-tokens"),
    path(
        "account/api-tokens/<int:pk>/revoke/",
        account.api_token_revoke_view,
        name="account-api-token-revoke",
    ),
    path("places/<slug:slug>/", place.place_detail, name="place-detail"),
    path("places/<slug:slug>/lines/", lines.place_lines, name="place-lines"),
    path(
        "places/<slug:slug>/reconciliation/",
        count.place_count_reconciliation,
        name="place-count-reconciliation",
    ),
    path("lines/<int:pk>/", lines.line_detail, name="line-detail"),
    path("compare/", compare.compare, name="compare"),
    path("organisations/", organisations.organisation_list_view, name="organisation-list"),
    path("suppliers/", suppliers.supplier_list_view, name="supplier-list"),
    path("suppliers/<slug:slug>/", suppliers.supplier_detail_view, name="supplier-detail"),
    path(
        "organisations/<str:code>/",
        organisations.organisation_detail_view,
        name="organisation-detail",
    ),
    path("", include("ledger.pages.urls")),
]
