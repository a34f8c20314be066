"""Browser fixtures (headless Debian Chromium through Selenium), shared by the browser tests.

Needs ``chromium`` and ``chromium-driver`` (Debian); tests using them skip without them, except
under TOTALPLACE_REQUIRE_SERVICES=1 where a missing browser fails the run.
"""

from pathlib import Path

import pytest

from tests.services import missing

CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def browser(tmp_path):
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        missing(
            "needs Debian chromium and chromium-driver (apt-get install chromium chromium-driver)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-dev-shm-usage",
        "--window-size=1280,1800",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.downloads = tmp_path / "downloads"
    driver.downloads.mkdir()
    driver.execute_cdp_cmd(
        "Page.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(driver.downloads)}
    )
    yield driver
    driver.quit()


@pytest.fixture
def demo_site(live_server, reference_data_tx):
    from ledger.services.demo import demo_load_cumbria
    from ledger.services.reconciliation import reconciliation_run
    from ledger.services.rollups import rollup_rebuild

    demo_load_cumbria()
    rollup_rebuild()
    reconciliation_run()
    return live_server
