"""Headless Chromium: the benefit form's "Lands with" list narrows as one types; the pilot
forms fit a 400 px screen."""

import pytest
from django.conf import settings

from tests.test_browser_narrow_forms import _narrow, _sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SHOWN = "return Array.from(arguments[0].options).filter(o => !o.hidden).map(o => o.text);"


def test_lands_with_narrows_as_one_types(browser, live_server, world, client):
    from selenium.webdriver.common.by import By

    client.force_login(world.lead_a)
    browser.get(live_server.url + "/accounts/login/")
    browser.add_cookie(
        {
            "name": settings.SESSION_COOKIE_NAME,
            "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
        }
    )
    browser.get(f"{live_server.url}/initiatives/{world.initiative.public_id}/benefits/new/")
    select = browser.find_element(By.ID, "id_beneficiary")
    everyone = browser.execute_script(SHOWN, select)
    assert {"Testshire Council", "Testshire PCT", "Testshire Police"} <= set(everyone)
    browser.find_element(By.ID, "id_beneficiary-search").send_keys("shire pol")
    shown = browser.execute_script(SHOWN, select)
    assert "Testshire Police" in shown and "Testshire PCT" not in shown
    assert shown[0].startswith("People, not a public body")  # the empty choice stays


def test_pilot_forms_fit_400px(browser, live_server, world, client):
    _sign_in(browser, client, live_server, world.lead_a)
    initiative = world.initiative.public_id
    paths = [
        "/pilots/alpha/initiatives/new/",
        f"/initiatives/{initiative}/benefits/new/",
        f"/initiatives/{initiative}/costs/new/",
    ]
    assert _narrow(browser, live_server, paths) == {}
