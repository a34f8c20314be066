"""Headless Chromium at 400 px: every form fits the screen (nothing pokes out sideways)."""

import pytest
from django.conf import settings

from tests.test_accessibility import WIDE_ELEMENTS

pytestmark = [pytest.mark.browser, pytest.mark.slow]
WIDTHS = "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"


def _sign_in(browser, client, server, user):
    client.force_login(user)
    browser.get(server.url + "/accounts/login/")
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": cookie})


def _narrow(browser, server, paths) -> dict:
    browser.set_window_size(400, 900)
    wide = {}
    for path in paths:
        browser.get(server.url + path)
        assert "Sign in" not in browser.title or path.startswith("/accounts/"), path
        page, view = browser.execute_script(WIDTHS)
        assert view <= 400, f"the window is {view}px wide"
        if page > view:
            wide[path] = (page, browser.execute_script(WIDE_ELEMENTS))
    return wide


def test_ledger_forms_fit_400px(browser, live_server, reference_data_tx, client):
    from ledger.models import FinancialYear, Organisation, Role
    from ledger.services.access import membership_grant
    from ledger.services.returns import spend_return_create
    from tests.factories import UserFactory

    leeds = Organisation.objects.by_code("00DA").get()
    officer = UserFactory(username="narrow-officer")
    membership_grant(user=officer, organisation=leeds, role=Role.FINANCE_OFFICER)
    draft = spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2010-11"), actor=officer
    )
    _sign_in(browser, client, live_server, officer)
    paths = [
        "/spend-returns/new/",
        f"/spend-returns/{draft.pk}/import/",
        f"/spend-returns/{draft.pk}/discard/",
        "/theme-rules/",
        "/account/api-tokens/",
        "/notifications/",
        "/spend-returns/",
        "/?q=Cumbria",
    ]
    assert _narrow(browser, live_server, paths) == {}
