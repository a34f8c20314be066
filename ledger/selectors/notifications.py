"""A person's notifications: the list, newest first, and how many are unread."""

from django.db.models import QuerySet

from ledger.models import Notification


def notifications_for(*, user) -> QuerySet[Notification]:
    """``user``'s notifications, newest first, with what each list row shows."""
    return (
        Notification.objects.filter(recipient=user)
        .select_related("actor", "spend_return__organisation", "spend_return__financial_year")
        .select_related("spend_return__place")
        .order_by("-created_at", "-pk")
    )


def unread_notification_count(*, user) -> int:
    """One indexed count (``notification_unread``); nothing for someone signed out."""
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
