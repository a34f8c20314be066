"""Who acts for which organisation, and the API tokens they act with."""

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from .reference import Organisation


class Role(models.TextChoices):
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    APPROVER = "approver", "Approver"


class Membership(models.Model):
    """A user's role in an organisation: finance officers enter returns, approvers sign off."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"], name="membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()} – {self.organisation}"


def hash_token_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API, belonging to a user acting for one organisation, or
    for none: an analyst's, a pilot lead's or a dataset editor's token reads and writes what
    its user may, but never acts for an organisation (``ledger.selectors.access.token_scope``).

    Only a SHA-256 of the key is stored; the key is shown once, when created. Tokens expire and
    can be revoked.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens", null=True, blank=True
    )
    name = models.CharField(max_length=100)
    key_prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…) for {self.organisation or 'no organisation'}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
