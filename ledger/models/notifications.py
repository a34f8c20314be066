"""What a person is told when a spend return of theirs moves: in the site, and by email."""

from django.conf import settings
from django.db import models

from .spend import SpendReturn


class NotificationKind(models.TextChoices):
    SUBMITTED = "submitted", "Submitted for sign-off"
    SENT_BACK = "sent_back", "Sent back for changes"
    APPROVED = "approved", "Approved"


class Notification(models.Model):
    """One person told of one step of a return: its approvers when it is submitted, the people
    who prepared it when it is sent back or approved."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    # A discarded draft takes its notifications with it: there is nothing left to open.
    spend_return = models.ForeignKey(
        SpendReturn, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(blank=True)  # why it was sent back
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            # The nav's unread count, on every page a member opens.
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["recipient", "-created_at"], name="notification_recent"),
        ]

    def __str__(self) -> str:
        return f"{self.spend_return}: {self.get_kind_display()}"
