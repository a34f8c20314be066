"""Headless Chromium through an officer's day: the line grid warns before unsaved edits are
left behind, and submitting asks first in a native dialog (its own page without JavaScript)."""

import pytest
from django.conf import settings

from tests.test_browser import _click_and_wait, wait_for_new_page

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def officer_site(live_server, reference_data_tx, browser, client):
    """Leeds's draft with one imported line, and its finance officer signed in."""
    from ledger.models import FinancialYear, Organisation, Role
    from ledger.services.access import membership_grant
    from ledger.services.returns import spend_return_create
    from tests.factories import UserFactory
    from tests.ledger.import_helpers import confirmed, dclg_row

    leeds = Organisation.objects.by_code("00DA").get()
    officer = UserFactory(username="browser-officer")
    membership_grant(user=officer, organisation=leeds, role=Role.FINANCE_OFFICER)
    draft = spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2010-11"), actor=officer
    )
    confirmed(draft, [dclg_row()])
    client.force_login(officer)
    browser.get(live_server.url + "/accounts/login/")  # the cookie's domain must be open first
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    browser.add_cookie({"name": settings.SESSION_COOKIE_NAME, "value": session})
    return live_server, draft


# Whether leaving now would ask: the page's beforeunload handlers, run as the browser runs
# them. (Headless Chromium under ChromeDriver answers the prompt itself, so a test cannot see it.)
WOULD_ASK = """
const event = new Event("beforeunload", {cancelable: true});
window.dispatchEvent(event);
return event.defaultPrevented;
"""


def test_the_grid_warns_before_leaving_unsaved_edits(browser, officer_site):
    from selenium.webdriver.common.by import By

    server, draft = officer_site
    browser.get(f"{server.url}/spend-returns/{draft.pk}/lines/")
    assert browser.execute_script(WOULD_ASK) is False  # nothing typed yet
    browser.find_element(By.ID, "id_lines-1-description").send_keys("Library books")
    assert browser.execute_script(WOULD_ASK) is True
    # Saving is not leaving: the form's submit clears the warning...
    browser.execute_script(
        "document.querySelector('form[data-warn-unsaved]')"
        ".dispatchEvent(new Event('submit', {cancelable: true}));"
    )
    assert browser.execute_script(WOULD_ASK) is False
    # ...and the saved page says what a new line lacks (a date), keeping what was typed.
    _click_and_wait(browser, browser.find_element(By.XPATH, "//button[text()='Save lines']"))
    errors = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".field-error")]
    assert "This field is required." in errors
    typed = browser.find_element(By.ID, "id_lines-1-description").get_attribute("value")
    assert typed == "Library books"
    browser.find_element(By.ID, "id_lines-1-transaction_date").send_keys("01062010")
    assert browser.execute_script(WOULD_ASK) is True


def test_submitting_asks_first_in_a_dialog(browser, officer_site):
    from selenium.webdriver.common.by import By

    from ledger.models import SpendReturn, SpendReturnStatus

    server, draft = officer_site
    detail = f"{server.url}/spend-returns/{draft.pk}/"
    browser.get(detail)
    link = browser.find_element(By.CSS_SELECTOR, "a[data-dialog=confirm-submit]")
    dialog = browser.find_element(By.ID, "confirm-submit")
    assert not dialog.is_displayed()
    link.click()
    assert dialog.is_displayed() and browser.current_url == detail
    assert f"Submit {draft} for sign-off?" in dialog.text
    dialog.find_element(By.XPATH, ".//button[text()='Cancel']").click()
    assert not dialog.is_displayed()
    assert SpendReturn.objects.get(pk=draft.pk).status == SpendReturnStatus.DRAFT
    link.click()
    _click_and_wait(browser, dialog.find_element(By.XPATH, ".//button[@type='submit']"))
    assert SpendReturn.objects.get(pk=draft.pk).status == SpendReturnStatus.SUBMITTED
    assert "is submitted for sign-off" in browser.find_element(By.CLASS_NAME, "messages").text


def test_notifications_are_read_one_at_a_time_by_keyboard_or_by_opening_them(browser, officer_site):
    """Each unread notification has a "Mark read" button a keyboard reaches and presses (Enter)
    that reads that one only; opening the other shows its return and reads it; axe finds
    nothing on the list."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    from ledger.models import Notification, NotificationKind
    from tests.services import missing
    from tests.test_accessibility import AXE, _violations

    server, draft = officer_site
    officer = draft.created_by
    older, newer = (
        Notification.objects.create(recipient=officer, kind=kind, spend_return=draft, reason="x")
        for kind in (NotificationKind.SENT_BACK, NotificationKind.APPROVED)
    )
    browser.get(f"{server.url}/notifications/")
    if not AXE.exists():
        missing("needs axe-core from npm (npm ci)")
    browser.set_script_timeout(30)
    problems = [f"{v['impact']} {v['rule']} at {v['nodes']}" for v in _violations(browser)]
    assert not problems, "\n".join(problems)

    mark_read = "//button[starts-with(normalize-space(), 'Mark read')]"
    buttons = browser.find_elements(By.XPATH, mark_read)
    assert len(buttons) == 2
    # In the tab order, and named for a screen reader by what it marks.
    assert all(b.get_property("tabIndex") == 0 for b in buttons)
    label = browser.execute_script("return arguments[0].textContent", buttons[1])
    assert " ".join(label.split()) == f"Mark read: {draft}, sent back for changes"
    browser.execute_script("arguments[0].focus()", buttons[1])  # the older one, listed second
    page = browser.find_element(By.TAG_NAME, "html")
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    wait_for_new_page(browser, page)
    older.refresh_from_db()
    newer.refresh_from_db()
    assert older.read_at is not None and newer.read_at is None
    assert f"Marked as read: {draft}." in browser.find_element(By.CLASS_NAME, "messages").text

    _click_and_wait(browser, browser.find_element(By.LINK_TEXT, str(draft)))
    assert browser.current_url == f"{server.url}/spend-returns/{draft.pk}/"
    newer.refresh_from_db()
    assert newer.read_at is not None
    assert not browser.find_elements(By.CSS_SELECTOR, ".badge-count")  # nothing unread
