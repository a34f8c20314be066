"""The client's address: the one thing that decides who is limited and who is locked out.

``X-Forwarded-For`` is written by whoever sends the request, so it is believed only as far as
the deployment says: ``NUM_PROXIES`` is the number of proxies in front of the app, each of
which appends the address it received the request from. With none (the default), the client is
``REMOTE_ADDR`` and the header is ignored; with N, the client is the Nth address from the right
(everything to its left was sent by the client and can say anything). The API throttles, the
sign-in lockout (django-axes) and anything else that needs the address read it here.
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _valid(address: str) -> bool:
    try:
        ipaddress.ip_address(address)
    except ValueError:
        return False
    return True


def client_address(request: HttpRequest) -> str | None:
    """The address of the client behind the configured number of proxies."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded:
        return remote
    addresses = [part.strip() for part in forwarded.split(",")]
    # Fewer entries than proxies: the request skipped an outer proxy, and the left-most entry
    # was written by the first one it passed through (as Django REST framework reads it).
    candidate = addresses[-min(proxies, len(addresses))]
    # An entry that is not an address (a misconfigured proxy) must not become a counter key or
    # reach the lockout table's address column: fall back to the connection's address.
    return candidate if _valid(candidate) else remote
