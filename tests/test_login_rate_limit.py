import pytest
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture
def lockout_on(settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_repeated_failures_lock_the_account_out_even_with_the_right_password(client, lockout_on):
    user = UserFactory(password=PASSWORD)
    for _ in range(2):
        assert _login(client, user.username, "wrong").status_code == 200  # form with errors
    locked = _login(client, user.username, "wrong")
    assert locked.status_code == 429
    assert b"Too many sign-in attempts" in locked.content
    # The wait in words, not as an ISO 8601 duration ("PT15M").
    assert b"Try again in 15 minutes," in locked.content and b"PT15M" not in locked.content
    assert _login(client, user.username, PASSWORD).status_code == 429


def test_a_good_login_signs_in_and_resets_the_count(client, lockout_on):
    user = UserFactory(password=PASSWORD)
    _login(client, user.username, "wrong")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_an_attacker_elsewhere_cannot_lock_an_approver_out(client, lockout_on):
    approver = UserFactory(password=PASSWORD)
    attacker = {"REMOTE_ADDR": "198.51.100.9"}
    for _ in range(6):
        client.post(reverse("login"), {"username": approver.username, "password": "x"}, **attacker)
    assert _login(client, approver.username, "wrong").status_code == 200  # not locked here
    assert _login(client, approver.username, PASSWORD).status_code == 302


def test_behind_the_proxy_each_client_has_its_own_address(client, lockout_on, settings):
    """Every request arrives from the proxy: axes must not count them all as one address."""
    settings.NUM_PROXIES = 1
    approver = UserFactory(password=PASSWORD)
    via = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(6):
        client.post(
            reverse("login"),
            {"username": approver.username, "password": "x"},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.9",  # spoofed left part, ignored
            **via,
        )
    response = client.post(
        reverse("login"),
        {"username": approver.username, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **via,
    )
    assert response.status_code == 302


def test_one_address_failing_many_usernames_is_locked_for_every_username(
    client, lockout_on, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    users = [UserFactory(password=PASSWORD) for _ in range(4)]
    attacker = {"REMOTE_ADDR": "198.51.100.9"}

    def attempt(user, password, **extra):
        data = {"username": user.username, "password": password}
        return client.post(reverse("login"), data, **attacker, **extra).status_code

    # Two failures each, under the per-username limit (3), until the address's sixth.
    found = [attempt(user, "wrong") for user in users[:3] for _ in range(2)]
    assert found == [200] * 5 + [429]
    # Locked for every username, even with the right password and a fresh forwarded header.
    assert attempt(users[3], PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.7") == 429
    # Other addresses are untouched.
    assert _login(client, users[3].username, PASSWORD).status_code == 302
