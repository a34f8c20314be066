"""Headless Chromium through the organisation and supplier pages (issue 17, items 3-5): walk
from an organisation to a supplier, to another council that pays it, switch to real terms,
sort the lines; and axe-core finds no WCAG violation on any of the new pages."""

import pytest
from django.conf import settings

from tests.services import missing
from tests.test_accessibility import AXE, WIDE_ELEMENTS, _violations
from tests.test_browser import _click_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(live_server, transactional_db, suppliers):
    return live_server


def test_walk_an_organisation_to_a_supplier_and_back(browser, site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{site.url}/organisations/")
    browser.find_element(By.ID, "q").send_keys("county council")
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form button"))
    _click_and_wait(browser, browser.find_element(By.LINK_TEXT, "Testshire County Council"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Testshire County Council"
    assert browser.find_element(By.ID, "organisation-total").text == "£1,475.76"
    by_year = browser.find_element(By.ID, "table-by-year").text
    assert "part year (3 of 12 months)" in by_year and "£30.00" in by_year
    assert "Testshire PCT" in browser.find_element(By.ID, "table-paid").text
    assert "Secret" not in browser.page_source

    # Real terms per head, at 2006-07 prices: the tables say so, and name the deflator.
    Select(browser.find_element(By.ID, "measure")).select_by_value("real_per_head")
    Select(browser.find_element(By.ID, "base")).select_by_value("2006-07")
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.filter-form button"))
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#table-by-year thead th")]
    assert "Real terms per head (£ at 2006-07 prices)" in header
    assert "vintage" in browser.find_element(By.CSS_SELECTOR, "#table-by-year .table-note").text

    # Its top supplier → the supplier's page, across both bodies that pay it.
    suppliers = browser.find_element(By.ID, "table-top-suppliers")
    assert "Redacted" in suppliers.text
    _click_and_wait(browser, suppliers.find_element(By.LINK_TEXT, "ACME LIMITED"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Acme"
    assert browser.find_element(By.ID, "supplier-total").text == "£270.49"
    assert len(browser.find_elements(By.CSS_SELECTOR, "#supplier-lines tbody tr")) == 3
    payers = browser.find_element(By.ID, "table-payers")
    _click_and_wait(browser, payers.find_element(By.LINK_TEXT, "Testshire PCT"))
    received = browser.find_element(By.ID, "table-received").text
    assert "Testshire County Council" in received and "£30.00" in received

    # The place's lines, largest first, searched by supplier.
    browser.get(f"{site.url}/places/testshire/lines/")
    browser.find_element(By.ID, "f-q").send_keys("acme")
    Select(browser.find_element(By.ID, "f-sort")).select_by_value("-amount")
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.filter-form button"))
    assert browser.find_element(By.ID, "lines-total").text == "£345.74"
    amounts = [td.text for td in browser.find_elements(By.CSS_SELECTOR, "tbody td.num")]
    assert amounts == ["£200.00", "£75.25", "£50.50", "£19.99"]


NEW_PAGES = [
    "/organisations/",
    "/organisations/?q=testshire",
    "/organisations/TCC/?year=2011-12",
    "/organisations/TPCT/?measure=real_per_head&base=2010-11",
    "/suppliers/",
    "/suppliers/?q=acme",
    "/suppliers/acme/",
    "/places/testshire/?year=2011-12&measure=real",
    "/places/testshire/lines/?q=acme&sort=-amount&min=10",
    "/places/testshire/lines/?min=lots",
    "/compare/?place=testshire&place=north-testshire&measure=real_per_head",
]


def test_new_pages_have_no_accessibility_violations(browser, site, client):
    if not AXE.exists():
        missing("needs axe-core from npm (npm ci)")
    from django.contrib.auth import get_user_model

    browser.set_script_timeout(30)
    found = {path: _violations(browser, site.url + path) for path in NEW_PAGES}
    user = get_user_model().objects.create_superuser("a11y-p", "p@example.org", "unused-pw-1")
    client.force_login(user)
    browser.get(site.url + "/accounts/login/")
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )
    for path in NEW_PAGES[2:4] + NEW_PAGES[6:9]:
        found[f"{path} (signed in)"] = _violations(browser, site.url + path)
    browser.set_window_size(500, 900)
    for path in ("/organisations/TCC/?year=2011-12", "/places/testshire/lines/?q=acme"):
        browser.get(site.url + path)
        page, view = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page <= view, f"{path} is {page}px wide: {browser.execute_script(WIDE_ELEMENTS)}"
        found[f"{path} (narrow)"] = _violations(browser)
    problems = {path: v for path, v in found.items() if v}
    assert not problems, "\n".join(
        f"{path}: {v['impact']} {v['rule']} ({v['help']}) at {v['nodes']}"
        for path, found_here in problems.items()
        for v in found_here
    )
