"""A small ledger on the real reference places (Cumbria and its districts, whose GSS codes are
hexes of the map), for the explorer's and the map's tests.

2010-11: the county council spends £1,000.00 on education at the county and £250.50 on roads in
Allerdale; Allerdale's council £120.25 on roads in Allerdale (illustrative), and Barrow's
council £80.00 on education in Barrow with a £5.00 credit. Allerdale has a population for the
year; Barrow has none; Copeland has a population and no spend.
"""

from decimal import Decimal

from ledger.models import FinancialYear, Place, Sector, ServiceTheme, SpendLine
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from tests.factories import OrganisationFactory, PopulationFactory

YEAR = "2010-11"


def _approved(organisation, year, lines, illustrative=False):
    spend_return = spend_return_create(
        organisation=organisation,
        financial_year=year,
        title="T",
        actor=None,
        is_illustrative=illustrative,
    )
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)


def explorer_world() -> dict:
    year = FinancialYear.objects.get(code=YEAR)
    county = Place.objects.get(gss_code="E10000006")
    allerdale = Place.objects.get(gss_code="E07000026")
    barrow = Place.objects.get(gss_code="E07000027")
    copeland = Place.objects.get(gss_code="E07000029")
    education = ServiceTheme.objects.get(code="education")
    roads = ServiceTheme.objects.get(code="transport-roads")
    PopulationFactory(place=allerdale, financial_year=year, persons=1000)
    PopulationFactory(place=copeland, financial_year=year, persons=700)
    county_council = OrganisationFactory(
        code="XCC", name="X County Council", sector=Sector.LOCAL_GOVERNMENT
    )
    allerdale_council = OrganisationFactory(code="XAL", name="X Allerdale Council")
    barrow_council = OrganisationFactory(code="XBA", name="X Barrow Council")

    def line(place, theme, amount, row):
        return SpendLine(place=place, theme=theme, amount=Decimal(amount), source_row=row)

    _approved(
        county_council,
        year,
        [line(county, education, "1000.00", 2), line(allerdale, roads, "250.50", 3)],
    )
    _approved(allerdale_council, year, [line(allerdale, roads, "120.25", 2)], illustrative=True)
    _approved(
        barrow_council,
        year,
        [line(barrow, education, "80.00", 2), line(barrow, education, "-5.00", 3)],
    )
    rollup_rebuild()
    return {
        "year": year,
        "county": county,
        "allerdale": allerdale,
        "barrow": barrow,
        "copeland": copeland,
        "education": education,
        "roads": roads,
    }
