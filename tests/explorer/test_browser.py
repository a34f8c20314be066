"""Headless Chromium through the explorer (choose a drilldown, share the URL, download) and the
map, and axe-core's WCAG checks on both. Skipped without Debian's chromium, as the suite's other
browser tests are (a failure under TOTALPLACE_REQUIRE_SERVICES=1)."""

import zipfile
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from openpyxl import load_workbook

from tests.csv_downloads import csv_table
from tests.services import missing
from tests.test_accessibility import AXE, WIDE_ELEMENTS, _violations
from tests.test_browser import SCREENSHOTS, _click_and_wait, _wait_for_file
from tests.test_security_headers import LISTEN

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _table(browser):
    """The table's cells as shown, read in one script: a WebDriver call per cell took seconds
    for a table of every place."""
    return browser.execute_script(
        "return Array.from(document.querySelectorAll('#explorer-table tbody tr'), row =>"
        " Array.from(row.querySelectorAll('th, td'), cell =>"
        " cell.innerText.replace(/\\s+/g, ' ').trim()));"
    )


def test_choose_a_drilldown_share_the_view_and_download_it(browser, world_site):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(f"{world_site.url}/explorer/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Explore spending"
    assert browser.execute_script(
        "return !!Chart.getChart('chart-bars') && !!Chart.getChart('chart-treemap')"
    )
    Select(browser.find_element(By.ID, "drilldown-1")).select_by_visible_text("Organisation")
    Select(browser.find_element(By.ID, "drilldown-2")).select_by_visible_text("Place")
    browser.find_element(By.ID, "f-place").send_keys("Cumbria")
    browser.find_element(By.ID, "measure-lines").click()
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".explorer-form button"))
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#explorer-table thead th")]
    assert header == ["Organisation", "Place", "Amount", "Lines"]
    expected = [
        ["X County Council", "Cumbria", "£1,000.00", "1"],
        ["X County Council", "Allerdale", "£250.50", "1"],
        ["X Allerdale Council", "Allerdale", "£120.25", "1"],
        ["X Barrow Council", "Barrow-in-Furness", "£75.00", "2"],
    ]
    assert _table(browser) == expected
    assert browser.find_element(By.ID, "total-amount").text == "£1,445.75"
    # The treemap nests places in organisations; the bars are the organisations' totals.
    bars = browser.execute_script(
        "var c = Chart.getChart('chart-bars'); return [c.data.labels, c.data.datasets[0].data];"
    )
    assert bars == [
        ["X County Council", "X Allerdale Council", "X Barrow Council"],
        [1250.5, 120.25, 75],
    ]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "explorer.png"))

    # The share link opens the same view in a fresh page.
    share = browser.find_element(By.ID, "share-url").get_attribute("value")
    browser.get("about:blank")
    browser.get(share)
    assert _table(browser) == expected
    assert Select(browser.find_element(By.ID, "drilldown-2")).first_selected_option.text == "Place"

    # Download this view: CSV, XLSX and the Fiscal Data Package.
    browser.find_element(By.CSS_SELECTOR, "a[data-download=csv]").click()
    rows = csv_table(_wait_for_file(browser.downloads, ".csv").read_bytes())
    assert rows[0] == [
        "organisation_code",
        "organisation_name",
        "place_code",
        "place_name",
        "amount",
        "lines",
    ]
    assert [r[1::2] for r in rows[1:]] == [
        ["X County Council", "Cumbria", "1"],
        ["X County Council", "Allerdale", "1"],
        ["X Allerdale Council", "Allerdale", "1"],
        ["X Barrow Council", "Barrow-in-Furness", "2"],
    ]
    browser.find_element(By.CSS_SELECTOR, "a[data-download=xlsx]").click()
    sheet = load_workbook(_wait_for_file(browser.downloads, ".xlsx")).active
    assert [row[4] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        1000,
        250.5,
        120.25,
        75,
    ]
    browser.find_element(By.CSS_SELECTOR, "a[data-download=fdp]").click()
    package = zipfile.ZipFile(_wait_for_file(browser.downloads, ".zip"))
    assert sorted(package.namelist()) == ["data/spend.csv", "datapackage.json"]


def test_the_map_and_both_pages_pass_axe(browser, world_site):
    from selenium.webdriver.common.by import By

    browser.get(f"{world_site.url}/map/?year=2010-11")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Spend per head by local authority"
    hexes = browser.execute_script(
        "var found = {}; document.querySelectorAll('#hexmap svg g').forEach(function (g) {"
        " found[g.dataset.code] = [g.querySelector('polygon').getAttribute('class'),"
        " g.querySelector('title').textContent]; }); return found;"
    )
    assert len(hexes) == 374
    assert hexes["E07000026"] == ["hex band-0", "Allerdale: £0.37 per head"]
    assert hexes["E07000027"] == ["hex band-none", "Barrow-in-Furness: no data"]
    assert hexes["S12000049"] == ["hex band-none", "Glasgow City: no data"]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.save_screenshot(str(SCREENSHOTS / "map.png"))

    if not AXE.exists():
        missing("needs axe-core from npm (npm ci)")
    browser.set_script_timeout(30)
    paths = [
        "/explorer/",
        "/explorer/?drilldown=organisation&drilldown=place&measure=amount&measure=lines",
        "/explorer/?drilldown=cofog&transfers=net&year=2010-11",
        "/explorer/?place=Atlantis",
        "/map/?year=2010-11",
        "/map/?year=2010-11&theme=education",
    ]
    # The Content-Security-Policy refuses nothing the charts and the map do (no inline styles).
    browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": LISTEN})
    found = {}
    for path in paths:
        found[path] = _violations(browser, world_site.url + path)
        refused = browser.execute_script("return window.__csp")
        assert not refused, f"{path}: {refused}"
    # A phone's width: nothing pokes out sideways, and axe still finds nothing.
    browser.set_window_size(500, 900)
    for path in ("/explorer/", "/map/?year=2010-11"):
        browser.get(world_site.url + path)
        page, view = browser.execute_script(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert page <= view, f"{path}: {browser.execute_script(WIDE_ELEMENTS)}"
        found[f"{path} (narrow)"] = _violations(browser)
    problems = [
        f"{path}: {v['impact']} {v['rule']} ({v['help']}) at {v['nodes']}"
        for path, violations in found.items()
        for v in violations
    ]
    assert not problems, "\n".join(problems)


def _pounds(text: str) -> Decimal | None:
    return None if text == "—" else Decimal(text.replace("£", "").replace(",", ""))


def _show_as(browser, text: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    Select(browser.find_element(By.ID, "show-as")).select_by_visible_text(text)
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, ".explorer-form button"))


def test_show_as_changes_the_table_and_the_url_keeps_it(browser, world_site):
    """The "Show as" toggle: per head and real terms add their column (the measure's own
    figures for the cash beside them), the address keeps the choice through a reload, and axe
    finds nothing on the toggled page."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    from ledger.calculations.measures import Measure

    browser.get(f"{world_site.url}/explorer/?drilldown=place&year=2010-11")
    cash = _table(browser)
    assert [len(row) for row in cash] == [2] * len(cash) and cash
    persons = {"Allerdale": 1000}  # the world's populations for 2010-11; the others have none

    _show_as(browser, "Cash per head")
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#explorer-table thead th")]
    assert header == ["Place", "Amount", "Cash per head"]
    per_head = Measure("per_head")
    assert _table(browser) == [
        [name, amount, _money(per_head, amount, persons.get(name))] for name, amount in cash
    ]
    assert any(row[2] != "—" for row in _table(browser))  # a figure changed, not only a column
    assert "show_as=per_head" in browser.current_url

    _show_as(browser, "Real terms")
    base = Select(browser.find_element(By.ID, "base")).first_selected_option.text
    real = Measure("real", base)
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "#explorer-table thead th")]
    assert header == ["Place", "Amount", real.label]
    expected = [[name, amount, _money(real, amount, None)] for name, amount in cash]
    assert _table(browser) == expected
    assert expected[0][2] != expected[0][1]  # 2010-11 at later prices is more pounds
    query = parse_qs(urlsplit(browser.current_url).query)
    assert (query["show_as"], query["base"]) == (["real"], [base])
    share = browser.find_element(By.ID, "share-url").get_attribute("value")
    assert "show_as=real" in share

    # The address alone brings the choice back.
    browser.get("about:blank")
    browser.get(share)
    assert Select(browser.find_element(By.ID, "show-as")).first_selected_option.text == (
        "Real terms"
    )
    assert _table(browser) == expected

    if not AXE.exists():
        missing("needs axe-core from npm (npm ci)")
    browser.set_script_timeout(30)
    problems = [
        f"{v['impact']} {v['rule']} ({v['help']}) at {v['nodes']}" for v in _violations(browser)
    ]
    assert not problems, "\n".join(problems)


def _money(measure, shown_amount: str, persons: int | None) -> str:
    from ledger.templatetags.money import money

    figure = measure.apply(_pounds(shown_amount), year="2010-11", persons=persons)
    return "—" if figure is None else money(figure)
