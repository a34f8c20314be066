"""404 and 500 pages in the site's style (DEBUG off, as in production)."""

import pytest
from django.test import Client

from totalplace.errors import PLAIN, server_error

pytestmark = pytest.mark.django_db


def _site_page(html: str) -> bool:
    """The site's layout: its stylesheet, its header and its way back to the places."""
    return "css/site.css" in html and 'class="site-header"' in html and 'href="/"' in html


def test_a_missing_page_is_the_sites_not_found_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert _site_page(html)
    assert "<title>Page not found · TotalPlace</title>" in html
    assert "<code>/no-such-page/</code>" in html


@pytest.mark.urls("tests.error_urls")
def test_a_server_error_is_the_sites_error_page():
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    html = response.content.decode()
    assert _site_page(html)
    assert "<title>Something went wrong · TotalPlace</title>" in html
    assert "something broke" not in html  # never the exception's text


def _broken_context(request):
    raise RuntimeError("the session store is down")


@pytest.mark.urls("tests.error_urls")
def test_the_error_page_needs_nothing_from_the_failed_request(settings):
    """Context processors (the user, the session, messages) may be what failed: the 500 page
    is rendered without them."""
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {"context_processors": ["tests.test_error_pages._broken_context"]},
        }
    ]
    response = Client(raise_request_exception=False).get("/fails/")
    assert response.status_code == 500
    assert _site_page(response.content.decode())


def test_when_even_the_template_fails_a_plain_page_is_served(rf):
    response = server_error(rf.get("/"), template_name="no-such-template.html")
    assert response.status_code == 500
    assert response.content.decode() == PLAIN
