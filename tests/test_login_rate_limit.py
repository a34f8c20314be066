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
    assert _login(client, user.username, PASSWORD).status_code == 429


def test_a_good_login_signs_in_and_resets_the_count(client, lockout_on):
    user = UserFactory(password=PASSWORD)
    _login(client, user.username, "wrong")
    response = _login(client, user.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)
