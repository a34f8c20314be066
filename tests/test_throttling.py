"""API throttling: fixed windows, one integer per client, anonymous and signed-in apart."""

import pytest
from django.core.cache import cache

from tests.factories import UserFactory
from totalplace import throttling

pytestmark = pytest.mark.django_db
URL = "/api/v1/financial-years/"


@pytest.fixture
def rates(monkeypatch):
    """3 a minute for anonymous clients, 5 for users; a clock the test moves."""
    now = [1_000_000.0]
    for cls in (throttling.AnonRateThrottle, throttling.UserRateThrottle):
        monkeypatch.setattr(cls, "THROTTLE_RATES", {"anon": "3/minute", "user": "5/minute"})
        monkeypatch.setattr(cls, "timer", staticmethod(lambda: now[0]))
    cache.clear()
    return now


def statuses(client, n, **extra):
    return [client.get(URL, **extra).status_code for _ in range(n)]


def test_anonymous_clients_are_limited_per_address_and_told_when_to_retry(client, rates):
    assert statuses(client, 3) == [200, 200, 200]
    refused = client.get(URL)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "throttled"
    assert refused["Retry-After"] == "20"  # the clock is 40 s into a one-minute window
    assert statuses(client, 1, REMOTE_ADDR="10.0.0.9") == [200]  # another address
    rates[0] += 20  # the next window
    assert statuses(client, 3) == [200, 200, 200]
    assert client.get(URL).status_code == 429


def test_signed_in_users_have_their_own_rate(client, rates):
    assert statuses(client, 4)[-1] == 429  # this address is spent for anonymous requests
    client.force_login(UserFactory())
    assert statuses(client, 6) == [200] * 5 + [429]


def test_the_cost_does_not_grow_with_the_requests(client, rates, monkeypatch):
    monkeypatch.setattr(
        throttling.AnonRateThrottle, "THROTTLE_RATES", {"anon": "1000/minute", "user": "1/minute"}
    )
    statuses(client, 50)
    window = int(rates[0] // 60)
    assert cache.get(f"throttle_anon_127.0.0.1:{window}") == 50  # one integer, not 50 times


def test_with_redis_unreachable_each_process_still_counts(client, rates, monkeypatch):
    """Redis down: the shared counters are gone, but a flood is still refused, not let through."""
    from totalplace.cache import ResilientRedisCache

    down = ResilientRedisCache(
        "redis://127.0.0.1:1/0", {"OPTIONS": {"socket_connect_timeout": 0.2}}
    )
    monkeypatch.setattr(throttling.AnonRateThrottle, "cache", down)
    throttling.LOCAL_COUNTERS.clear()
    assert statuses(client, 4) == [200, 200, 200, 429]
    assert down.failed
    rates[0] += 20  # the next window
    assert statuses(client, 1) == [200]


def test_fresh_forwarded_for_headers_do_not_reset_the_anonymous_limit(client, rates, monkeypatch):
    """No proxy configured (NUM_PROXIES=0): X-Forwarded-For is the client's own word, ignored."""
    monkeypatch.setattr(
        throttling.AnonRateThrottle, "THROTTLE_RATES", {"anon": "120/minute", "user": "1/minute"}
    )
    found = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"198.51.100.{n % 250}, 10.1.{n}.1").status_code
        for n in range(130)
    ]
    assert found == [200] * 120 + [429] * 10


def test_behind_one_proxy_the_client_is_the_right_most_forwarded_address(client, rates, settings):
    """The proxy appends the address it saw; whatever the client wrote is to the left of it."""
    settings.NUM_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    spoofed = [
        client.get(URL, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.7", **proxy).status_code
        for n in range(4)
    ]
    assert spoofed == [200, 200, 200, 429]
    window = int(rates[0] // 60)
    assert cache.get(f"throttle_anon_203.0.113.7:{window}") == 4
    # Another client behind the same proxy has its own count.
    assert statuses(client, 1, HTTP_X_FORWARDED_FOR="203.0.113.8", **proxy) == [200]
