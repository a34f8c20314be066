"""Memberships and API tokens."""

import datetime as dt
import secrets

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from ledger.models import ApiToken, Membership, Organisation, Role
from ledger.models.access import hash_token_key
from totalplace.permissions import has_perm

TOKEN_LIFETIME_DAYS = 90


def membership_grant(
    *, user: AbstractBaseUser, organisation: Organisation, role: Role
) -> Membership:
    membership, _ = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    return membership


@transaction.atomic
def api_token_create(
    *,
    user: AbstractBaseUser,
    organisation: Organisation | None,
    name: str,
    lifetime: dt.timedelta = dt.timedelta(days=TOKEN_LIFETIME_DAYS),
) -> tuple[ApiToken, str]:
    """A new token for a member of ``organisation``, or with none for an analyst, dataset
    editor, pilot lead or admin (``ledger.create_api_token_without_organisation``); returns
    it and the key, shown only once."""
    if organisation is None:
        if not has_perm(user, "ledger.create_api_token_without_organisation"):
            raise ValidationError(
                f"{user} has no role that uses the API without an organisation: "
                "a token acts for an organisation they belong to."
            )
    elif not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(f"{user} is not a member of {organisation}.")
    key = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        organisation=organisation,
        name=name,
        key_prefix=key[:8],
        key_hash=hash_token_key(key),
        expires_at=timezone.now() + lifetime,
    )
    return token, key


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
