"""Headless Debian Chromium through the analyst pages: place, drill to a line, compare, export.

Needs ``chromium`` and ``chromium-driver`` (Debian); skipped without them, except under
TOTALPLACE_REQUIRE_SERVICES=1 where a missing browser fails the run.
"""

import shutil
import time
from decimal import Decimal
from pathlib import Path

import pytest

from tests.csv_downloads import csv_table
from tests.services import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
SCREENSHOTS = ROOT / "var" / "screenshots"


def _click_and_wait(browser, element, timeout: float = 20) -> None:
    """Click something that navigates, and wait until the new page has replaced the old one."""
    from selenium.webdriver.common.by import By

    page = browser.find_element(By.TAG_NAME, "html")
    element.click()
    wait_for_new_page(browser, page, timeout)


def wait_for_new_page(browser, page, timeout: float = 20) -> None:
    """Wait until a navigation has replaced ``page`` and the new page has loaded.

    While the old document is being torn down, Chromium may answer a question about it with
    "unhandled inspector error" instead of "stale element": that is the navigation under way,
    so the wait asks again rather than failing.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, timeout, ignored_exceptions=(WebDriverException,))
    wait.until(expected_conditions.staleness_of(page))
    wait.until(lambda b: b.execute_script("return document.readyState") == "complete")


def _wait_for_file(folder: Path, suffix: str, timeout: float = 15) -> Path:
    """The downloaded file, once Chromium has finished writing it: it may make the file empty
    under its final name before the download (a ``.crdownload``) is moved onto it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(folder.iterdir())
        done = [p for p in files if p.suffix == suffix and p.stat().st_size > 0]
        if done and not any(p.suffix == ".crdownload" for p in files):
            return done[0]
        time.sleep(0.2)
    raise AssertionError(f"no {suffix} file downloaded to {folder}")


def test_place_drill_to_a_line_compare_and_export(browser, demo_site):
    from selenium.webdriver.common.by import By

    browser.get(f"{demo_site.url}/places/cumbria/?year=2006-07")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Cumbria"
    assert browser.find_element(By.ID, "headline-total").text == "£7,100,000,000.00"
    assert "Illustrative demo data" in browser.find_element(By.CLASS_NAME, "banner").text
    # Chart.js drew the charts (a canvas with a chart attached).
    assert browser.execute_script(
        "return typeof Chart !== 'undefined' && !!Chart.getChart('chart-sectors')"
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "place-cumbria.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000

    # Drill down: the headline total → its lines → one line → its source return and row.
    _click_and_wait(browser, browser.find_element(By.ID, "headline-total"))
    assert "Lines behind the figures" in browser.find_element(By.TAG_NAME, "h1").text
    assert browser.find_element(By.ID, "lines-total").text == "£7,100,000,000.00"
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "tbody th a"))
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Line #")
    source = browser.find_element(By.ID, "line-source").text
    assert "Spend return" in source and "Source row" in source

    # Compare two places, then export the comparison as CSV.
    browser.get(f"{demo_site.url}/compare/")
    browser.find_element(By.ID, "place-1").send_keys("Eden")
    browser.find_element(By.ID, "place-2").send_keys("Carlisle")
    _click_and_wait(browser, browser.find_element(By.CSS_SELECTOR, "form.filter-form button"))
    header = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "thead th")]
    assert header == ["Financial year", "Eden", "Carlisle"]
    # The demo's ten years: every body 2006-07 to 2010-11, the district's own 2013-14 to 2017-18.
    assert len(browser.find_elements(By.CSS_SELECTOR, "tbody tr")) == 10
    browser.find_element(By.CSS_SELECTOR, "a[data-export=csv]").click()
    downloaded = _wait_for_file(browser.downloads, ".csv")
    rows = csv_table(downloaded.read_bytes())
    assert rows[0] == ["Financial year", "Eden", "Carlisle"]
    assert len(rows) == 11
    shutil.copy(downloaded, SCREENSHOTS / "compare-eden-carlisle.csv")


def test_an_initiative_chart_stacks_each_years_benefits(browser, demo_site):
    """The year-by-year chart agrees with the table beside it: a year's bars reach its PV
    benefits (fiscal, economic and social stacked), and the axis reads £1m, not £1,000,000."""
    from selenium.webdriver.common.by import By

    from pilots.models import Initiative
    from savings.services.demo import DEMO_TITLE, demo_load_pilots

    demo_load_pilots()
    initiative = Initiative.objects.get(title=DEMO_TITLE)
    browser.get(f"{demo_site.url}/initiatives/{initiative.public_id}/")
    assert browser.find_element(By.TAG_NAME, "h1").text.startswith("Family intervention")
    axis = browser.execute_script(
        "var c = Chart.getChart('years-chart');"
        "return {max: c.scales.y.max,"
        " labels: c.scales.y.ticks.map(function (t) { return t.label; })};"
    )
    tallest = max(Decimal(row["pv_benefits"]) for row in initiative.appraisal.years)
    assert axis["max"] >= tallest, (axis, tallest)
    assert "£1m" in axis["labels"], axis["labels"]
