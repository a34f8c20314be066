"""Headless Chromium through the explorer (choose a drilldown, share the URL, download) and the
map, and axe-core's WCAG checks on both. Skipped without Debian's chromium, as the suite's other
browser tests are (a failure under TOTALPLACE_REQUIRE_SERVICES=1)."""

import zipfile

import pytest
from openpyxl import load_workbook

from tests.csv_downloads import csv_table
from tests.services import missing
from tests.test_accessibility import AXE, WIDE_ELEMENTS, _violations
from tests.test_browser import SCREENSHOTS, _click_and_wait, _wait_for_file
from tests.test_security_headers import LISTEN

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _table(browser):
    from selenium.webdriver.common.by import By

    return [
        [cell.text for cell in row.find_elements(By.CSS_SELECTOR, "th, td")]
        for row in browser.find_elements(By.CSS_SELECTOR, "#explorer-table tbody tr")
    ]


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
