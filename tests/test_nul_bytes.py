"""NUL bytes in query strings and forms: a 400 that names the parameter, never a 500.

PostgreSQL refuses NUL in text, so on PostgreSQL an unguarded filter would crash; the guard
answers the same on SQLite, so this runs on both.
"""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path, params",
    [
        ("/spend-returns/", {"year": "2010\x00-11"}),
        ("/", {"q": "Leeds\x00"}),
        ("/api/v1/lines/", {"spend_return": "1\x00"}),
        ("/api/v1/aggregate/", {"cut": "year:2010-11\x00"}),
        ("/api/v1/places/", {"na\x00me": "x"}),
    ],
)
def test_a_nul_in_the_query_string_is_a_400_naming_the_parameter(client, path, params):
    response = client.get(path, params)
    assert response.status_code == 400
    name = next(iter(params)).replace("\x00", "\\0")
    message = f'The parameter "{name}" contains a NUL character (\\0), which is not allowed.'
    if path.startswith("/api/"):
        assert response.json() == {"error": {"status": 400, "code": "invalid", "message": message}}
    else:
        page = response.content.decode()
        assert "<h1>Bad request</h1>" in page and message.replace('"', "&quot;") in page


def test_a_nul_in_a_posted_form_is_a_400(client):
    response = client.post(
        "/accounts/login/",
        "username=a%00&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "The parameter &quot;username&quot; contains a NUL" in response.content.decode()


def test_ordinary_requests_pass(client):
    assert client.get("/", {"q": "Leeds"}).status_code == 200
