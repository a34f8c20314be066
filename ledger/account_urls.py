from django.urls import path

from . import account_views

urlpatterns = [
    path("api-tokens/", account_views.api_tokens, name="account-api-tokens"),
    path(
        "api-tokens/<int:pk>/revoke/",
        account_views.api_token_revoke_view,
        name="account-api-token-revoke",
    ),
]
