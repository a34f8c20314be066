"""Sign-in lockout (django-axes) with two limits: one per username at an address, one per address.

Locking a username out everywhere would let anyone lock an approver out by failing their
password on purpose, so a username is locked only at the address that failed it
(``AXES_FAILURE_LIMIT``, 5). That alone lets one address try a few passwords on every
username, so an address is also locked, for every username, after
``LOGIN_ADDRESS_FAILURE_LIMIT`` (20) failures in the same cool-off window. Both count the
attempts axes records; the address is ``totalplace.client_address`` (``AXES_CLIENT_IP_CALLABLE``).
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum


class AddressLimitedHandler(AxesDatabaseHandler):
    """Axes' database handler, plus a failure limit for the client's address alone."""

    def address_failures(self, request) -> int:
        attempts = AccessAttempt.objects.filter(ip_address=request.axes_ip_address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def address_locked(self, request) -> bool:
        if request.axes_ip_address is None:
            return False
        return self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return super().is_locked(request, credentials) or self.address_locked(request)

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "axes_locked_out", True):
            return
        if self.is_whitelisted(request, credentials) or not self.address_locked(request):
            return
        request.axes_locked_out = True
        request.axes_credentials = credentials
        user_locked_out.send(
            "axes",
            request=request,
            username=get_client_username(request, credentials),
            ip_address=request.axes_ip_address,
        )
