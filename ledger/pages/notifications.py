"""A signed-in person's notifications: their spend returns' steps, newest first."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from ledger.selectors.notifications import notifications_for
from ledger.services.notifications import notifications_mark_read

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
