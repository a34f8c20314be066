"""Content-Security-Policy: scripts and styles only from our static files, and no page broken by it.

The policy is django-csp's (settings CONTENT_SECURITY_POLICY). Our templates carry no inline code
(scanned here); Django REST framework's and Swagger UI's pages relax styles alone; in Chromium,
every kind of page loads without the browser reporting a single violation.
"""

import re

import pytest

from tests.services import ROOT
from tests.test_accessibility import _paths, site  # noqa: F401 (the fixture, used below)

TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]
# Inline code the policy refuses: a <script> with a body (data blocks excepted), a <style>
# element, an on* event attribute, a style attribute, a javascript: URL.
SCRIPT = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.S | re.I)
INLINE = {
    "<style> element": re.compile(r"<style\b", re.I),
    "event attribute": re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S),
    "style attribute": re.compile(r"<[a-z][^>]*\sstyle\s*=", re.I | re.S),
    "javascript: URL": re.compile(r"javascript:", re.I),
}


def _policy(response) -> dict[str, list[str]]:
    directives = [part.split() for part in response["Content-Security-Policy"].split(";")]
    return {words[0]: words[1:] for words in directives if words}


def _inline_code(text: str) -> list[str]:
    found = [name for name, pattern in INLINE.items() if pattern.search(text)]
    for attributes, body in SCRIPT.findall(text):
        if body.strip() and "application/json" not in attributes:
            found.append("inline <script>")
    return found


def test_the_inline_code_scan_finds_what_the_policy_refuses():
    assert _inline_code('<input onfocus="this.select()">') == ["event attribute"]
    assert _inline_code("<script>alert(1)</script>") == ["inline <script>"]
    assert _inline_code('<p style="color: red">') == ["style attribute"]
    assert _inline_code("<style>p {}</style>") == ["<style> element"]
    assert _inline_code('<script src="/static/js/a.js" defer></script>') == []
    assert _inline_code('<script id="d" type="application/json">{"a": 1}</script>') == []


def test_templates_carry_no_inline_code():
    templates = [path for folder in TEMPLATE_DIRS for path in folder.rglob("*.html")]
    assert len(templates) > 40  # the scan sees the project's templates
    found = {
        str(path.relative_to(ROOT)): problems
        for path in templates
        if (problems := _inline_code(path.read_text(encoding="utf-8")))
    }
    assert found == {}, "move these to static/js or static/css: the CSP blocks them"


@pytest.mark.django_db
def test_pages_send_a_policy_of_our_own_scripts_and_styles_only(client):
    policy = _policy(client.get("/"))
    assert policy == {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
    assert _policy(client.get("/no-such-page/")) == policy  # error pages too


@pytest.mark.django_db
def test_the_api_docs_run_their_script_from_a_file_and_relax_styles_alone(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "inline <script>" not in _inline_code(html)
    policy = _policy(page)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'", "'unsafe-inline'"]
    script = re.search(r'<script src="([^"]*script=[^"]*)"', html).group(1)
    init = client.get(script.replace("&amp;", "&"))
    assert init.status_code == 200
    assert init["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in init.content


@pytest.mark.django_db
def test_the_browsable_api_relaxes_styles_alone_and_json_is_untouched(client):
    html = client.get("/api/v1/financial-years/", HTTP_ACCEPT="text/html")
    assert html["Content-Type"].startswith("text/html")
    assert _policy(html)["style-src"] == ["'self'", "'unsafe-inline'"]
    assert _policy(html)["script-src"] == ["'self'"]
    json = client.get("/api/v1/financial-years/")
    assert _policy(json)["style-src"] == ["'self'"]


# Installed before any page script runs (DevTools scripts are not subject to the page's CSP):
# every violation the browser reports is kept for the test to read.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " +
                    (e.sourceFile || "") + ":" + e.lineNumber);
});
"""


@pytest.mark.browser
@pytest.mark.slow
def test_no_page_is_broken_by_the_policy(browser, site, client):  # noqa: F811
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    server, leeds, job = site
    public, signed_in = _paths(leeds, job)
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
    found = {}

    def visit(path: str) -> None:
        browser.get(server.url + path)
        WebDriverWait(browser, 20).until(
            lambda b: b.execute_script("return document.readyState") == "complete"
        )
        found[path] = browser.execute_script("return window.__csp")

    for path in public:
        visit(path)
    visit("/api/docs/")
    # Swagger UI drew the API from its script file (it would be blank if the script were refused).
    WebDriverWait(browser, 20).until(
        lambda b: b.find_elements(By.CSS_SELECTOR, ".swagger-ui .info")
    )
    found["/api/docs/ (drawn)"] = browser.execute_script("return window.__csp")
    user = get_user_model().objects.create_superuser("csp", "csp@example.org", "unused-pw-1")
    client.force_login(user)
    browser.get(server.url + "/accounts/login/")  # the cookie's domain must be open first
    browser.add_cookie(
        {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies["sessionid"].value}
    )
    for path in [*signed_in, "/account/api-tokens/", "/admin/", "/api/v1/financial-years/"]:
        visit(path)
    assert {path: v for path, v in found.items() if v} == {}
