"""A signed-in person's notifications: their spend returns' steps, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_POST

from ledger.models import Notification
from ledger.selectors.notifications import notifications_for
from ledger.services.notifications import notification_mark_read, notifications_mark_read

PER_PAGE = 25


@login_required
def notification_list(request):
    page = Paginator(notifications_for(user=request.user), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "ledger/notifications/list.html", {"page": page})


@require_POST
@login_required
def notifications_read(request):
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'' if count == 1 else 's'} marked as read.")
    return redirect("notification-list")


def _mark_read(request, pk: int) -> Notification:
    try:
        return notification_mark_read(user=request.user, pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404("No such notification") from exc


@require_POST
@login_required
def notification_read(request, pk: int):
    """Mark one notification read and go back to the same page of the list."""
    notification = _mark_read(request, pk)
    messages.success(request, f"Marked as read: {notification.spend_return}.")
    url = reverse("notification-list")
    page = request.POST.get("page", "")
    return redirect(f"{url}?{urlencode({'page': page})}" if page.isdigit() else url)


@require_GET
@login_required
def notification_open(request, pk: int):
    """Open what a notification is about; opening it is reading it, as in a mail client, so the
    list's link comes through here and the unread count drops by one. Only marking read, and
    only one's own, so a GET may do it: a forged link can do no more than that."""
    notification = _mark_read(request, pk)
    return redirect("spend-return-detail", pk=notification.spend_return_id)
