"""REST API authentication by ``Authorization: Token <key>`` (see ledger.models.ApiToken)."""

from django.utils import timezone
from rest_framework import authentication, exceptions

from ledger.models import ApiToken
from ledger.models.access import hash_token_key


class ApiTokenAuthentication(authentication.TokenAuthentication):
    """Sets ``request.user`` to the token's user and ``request.auth`` to the ApiToken.

    The user is marked as acting by a token, for the token's organisation
    (``token_organisation_id``, ``None`` for a token made for none): every selector and rule
    then lets the request act for that organisation only, even when the user also belongs to
    others (see ``ledger.selectors.access.token_scope``).
    """

    keyword = "Token"

    def authenticate_credentials(self, key: str):
        token = (
            ApiToken.objects.select_related("user", "organisation")
            .filter(key_hash=hash_token_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed("Token has been revoked.")
        if token.expires_at <= timezone.now():
            raise exceptions.AuthenticationFailed("Token has expired.")
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        # At most one write a minute per token, so reads don't become writes.
        now = timezone.now()
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.user.acts_by_token = True
        token.user.token_organisation_id = token.organisation_id
        return token.user, token
