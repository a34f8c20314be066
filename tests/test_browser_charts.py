"""Headless Chromium: a place or comparison with one year of figures draws a bar, not a line
(a line needs two points), and money axes start at zero."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHART = """
const chart = Chart.getChart(arguments[0]);
return {type: chart.config.type, min: chart.scales.y.min};
"""


@pytest.fixture
def one_year(live_server, reference_data_tx):
    """Leeds with one approved return (2010-11, one line), its totals rolled up."""
    from ledger.models import FinancialYear, Organisation
    from ledger.services.approval import spend_return_approve, spend_return_submit
    from ledger.services.returns import spend_return_create
    from ledger.services.rollups import rollup_rebuild
    from tests.ledger.import_helpers import confirmed, dclg_row

    leeds = Organisation.objects.by_code("00DA").get()
    draft = spend_return_create(
        organisation=leeds, financial_year=FinancialYear.objects.get(code="2010-11"), actor=None
    )
    confirmed(draft, [dclg_row(amount="870.83")])
    spend_return_submit(spend_return=draft, actor=None)
    spend_return_approve(spend_return=draft, actor=None)
    rollup_rebuild()
    return live_server, leeds.home_place


def test_one_year_is_a_bar_from_zero(browser, one_year):
    server, place = one_year
    browser.get(f"{server.url}/places/{place.slug}/")
    assert browser.execute_script(CHART, "chart-years") == {"type": "bar", "min": 0}
    assert browser.execute_script(CHART, "chart-sectors")["min"] == 0
    browser.get(f"{server.url}/compare/?place={place.slug}")
    assert browser.execute_script(CHART, "chart-compare") == {"type": "bar", "min": 0}
