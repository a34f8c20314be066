"""What every page's nav shows of the signed-in user: their unread notifications."""

from ledger.selectors.notifications import unread_notification_count


def notifications(request) -> dict:
    """A callable, so the count is read only where a page's nav shows it (signed in)."""
    user = getattr(request, "user", None)
    return {"unread_notifications": lambda: unread_notification_count(user=user)}
