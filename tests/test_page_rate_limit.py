"""Anonymous page views are limited per client address (as the API is): a 429 page with
Retry-After beyond ANONYMOUS_PAGE_RATE; signed-in users and the API are not counted here."""

import itertools

import pytest
from django.test import override_settings

from tests.factories import UserFactory
from totalplace.middleware import parse_rate

pytestmark = pytest.mark.django_db

# Each test its own address: counters live in the shared cache for their whole window.
ADDRESSES = (f"198.51.100.{n}" for n in itertools.count(1))


@pytest.fixture
def address() -> str:
    return next(ADDRESSES)


def test_rates_read_as_the_apis_do():
    assert parse_rate("120/minute") == (120, 60)
    assert parse_rate("120/min") == (120, 60)
    assert parse_rate("10/s") == (10, 1)
    assert parse_rate("1000/hour") == (1000, 3600)
    assert parse_rate("") is None


@override_settings(ANONYMOUS_PAGE_RATE="3/minute")
def test_an_anonymous_client_over_the_rate_gets_a_friendly_429(client, address):
    for _ in range(3):
        assert client.get("/spend-returns/", REMOTE_ADDR=address).status_code == 200
    refused = client.get("/spend-returns/", REMOTE_ADDR=address)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    body = refused.content.decode()
    assert "Too many requests" in body and f"wait {refused['Retry-After']} second" in body
    # Another address is counted on its own.
    assert client.get("/spend-returns/", REMOTE_ADDR=next(ADDRESSES)).status_code == 200


@override_settings(ANONYMOUS_PAGE_RATE="2/minute")
def test_signed_in_users_and_the_api_are_not_counted_here(client, address):
    client.force_login(UserFactory())
    for _ in range(4):
        assert client.get("/spend-returns/", REMOTE_ADDR=address).status_code == 200
    client.logout()
    for _ in range(2):
        assert client.get("/spend-returns/", REMOTE_ADDR=address).status_code == 200
    assert client.get("/api/v1/places/", REMOTE_ADDR=address).status_code == 200
    assert client.get("/health/", REMOTE_ADDR=address).status_code == 200
    assert client.get("/spend-returns/", REMOTE_ADDR=address).status_code == 429


@override_settings(ANONYMOUS_PAGE_RATE="")
def test_no_rate_means_no_limit(client, address):
    for _ in range(5):
        assert client.get("/spend-returns/", REMOTE_ADDR=address).status_code == 200


@override_settings(ANONYMOUS_PAGE_RATE="2/minute", NUM_PROXIES=0)
def test_a_forged_forwarded_for_header_is_still_the_same_client(client, address):
    statuses = [
        client.get(
            "/spend-returns/", REMOTE_ADDR=address, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}"
        ).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
