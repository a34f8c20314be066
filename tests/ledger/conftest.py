"""A small ledger built with factories, for whole-response tests of totals."""

from decimal import Decimal

import pytest

from ledger.models import Basis, Classification, PlaceKind, Sector, SpendLine, ThemeCrosswalk
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.reconciliation import reconciliation_run
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    PopulationFactory,
    ServiceThemeFactory,
)


def _approved(organisation, year, lines):
    spend_return = spend_return_create(
        organisation=organisation, financial_year=year, title="T", actor=None
    )
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)


@pytest.fixture
def mini(db):
    """County "Testshire" (two districts), a council and a PCT, two themes, 2010-11.

    Lines: council £1,000.00 education at the county, £100.01 roads in North; PCT £50.00 roads
    at the county, a £10.00 credit for education in South. Roads map 90/10 to COFOG 04.5/06.4.
    """
    year = FinancialYearFactory(code="2010-11")
    county = PlaceFactory(
        gss_code="E98000001", name="Testshire", slug="testshire", kind=PlaceKind.COUNTY
    )
    north = PlaceFactory(
        gss_code="E98000002", name="North Testshire", slug="north-testshire", parent=county
    )
    south = PlaceFactory(
        gss_code="E98000003", name="South Testshire", slug="south-testshire", parent=county
    )
    PopulationFactory(place=north, financial_year=year, persons=600)
    PopulationFactory(place=south, financial_year=year, persons=400)
    council = OrganisationFactory(
        code="TCC",
        name="Testshire County Council",
        sector=Sector.LOCAL_GOVERNMENT,
        home_place=county,
    )
    pct = OrganisationFactory(code="TPCT", name="Testshire PCT", sector=Sector.NHS)
    education = ServiceThemeFactory(code="t-education", name="T Education", sort_order=1)
    roads = ServiceThemeFactory(code="t-roads", name="T Roads", sort_order=2)
    cofog = {}
    for code, name, parent in [
        ("09", "Education", None),
        ("09.2", "Secondary", "09"),
        ("04", "Economic affairs", None),
        ("04.5", "Transport", "04"),
        ("06", "Housing and community", None),
        ("06.4", "Street lighting", "06"),
    ]:
        # update_or_create: the session's reference data (if another test loaded it first)
        # names these codes differently; the expected responses below use these names.
        cofog[code], _ = Classification.objects.update_or_create(
            scheme="cofog", code=code, defaults={"name": name, "parent": cofog.get(parent)}
        )
    ThemeCrosswalk.objects.create(theme=education, classification=cofog["09.2"], weight=1)
    ThemeCrosswalk.objects.create(theme=roads, classification=cofog["04.5"], weight="0.9")
    ThemeCrosswalk.objects.create(theme=roads, classification=cofog["06.4"], weight="0.1")
    council_return = _approved(
        council,
        year,
        [
            SpendLine(place=county, theme=education, amount=Decimal("1000.00"), source_row=2),
            SpendLine(place=north, theme=roads, amount=Decimal("100.01"), source_row=3),
        ],
    )
    pct_return = _approved(
        pct,
        year,
        [
            SpendLine(place=county, theme=roads, amount=Decimal("50.00"), source_row=2),
            SpendLine(
                place=south,
                theme=education,
                amount=Decimal("-10.00"),
                source_row=3,
                basis=Basis.APPORTIONED,
                driver="population",
            ),
        ],
    )
    rollup_rebuild()
    reconciliation_run()
    return {
        "year": year,
        "county": county,
        "north": north,
        "south": south,
        "council": council,
        "pct": pct,
        "education": education,
        "roads": roads,
        "council_return": council_return,
        "pct_return": pct_return,
    }
