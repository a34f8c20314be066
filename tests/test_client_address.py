"""The client's address: X-Forwarded-For believed only as far as NUM_PROXIES says."""

import pytest
from django.test import RequestFactory

from totalplace.client_address import client_address


def _address(forwarded: str | None, remote: str = "10.0.0.2") -> str | None:
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **extra))


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy: the header is anyone's to write
        (0, None, "10.0.0.2"),
        (1, None, "10.0.0.2"),  # reached without the proxy's header: the connection
        (1, "192.0.2.1, 203.0.113.7", "203.0.113.7"),  # the proxy appended the right-most
        (1, "203.0.113.7 ", "203.0.113.7"),
        (2, "192.0.2.1, 203.0.113.7, 172.16.0.5", "203.0.113.7"),
        (2, "203.0.113.7", "203.0.113.7"),  # fewer entries than proxies: the first proxy's
        (1, "192.0.2.1, 2001:db8::7", "2001:db8::7"),
        (1, "192.0.2.1, not-an-address", "10.0.0.2"),  # never a counter key or a lockout row
    ],
)
def test_the_client_is_the_nth_forwarded_address_from_the_right(
    settings, proxies, forwarded, expected
):
    settings.NUM_PROXIES = proxies
    assert _address(forwarded) == expected
