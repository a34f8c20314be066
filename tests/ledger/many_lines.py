"""A county, a district and a body with an approved return of many lines, for the tests of
pages that list lines a page at a time, of a return's figures and of big downloads."""

from decimal import Decimal

from ledger.models import PlaceKind, ServiceTheme, SpendLine
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)


def amount(n: int) -> Decimal:
    """Line n's amount: pence that add up to nothing round; every seventh a credit."""
    pence = -(n * 13 + 7) if n % 7 == 0 else n * 1019 + 1
    return Decimal(pence) / 100


def place_with_lines(count: int, *, approve: bool = True):
    """(county, district, spend return) with ``count`` lines over two themes and the
    unallocated one, in the district and the county; approved and rolled up by default."""
    year = FinancialYearFactory(code="2010-11")
    county = PlaceFactory(name="Manyshire", slug="manyshire", kind=PlaceKind.COUNTY)
    district = PlaceFactory(name="North Manyshire", slug="north-manyshire", parent=county)
    body = OrganisationFactory(code="MANY", name="Manyshire County Council", home_place=county)
    themes = [
        ServiceThemeFactory(code="m-roads", name="M Roads"),
        ServiceThemeFactory(code="m-schools", name="M Schools"),
        ServiceTheme.objects.get_or_create(
            code=ServiceTheme.UNALLOCATED_CODE, defaults={"name": "Unallocated"}
        )[0],
    ]
    spend_return = spend_return_create(organisation=body, financial_year=year, actor=None)
    spend_lines_add(
        spend_return=spend_return,
        lines=[
            SpendLine(
                place=(district, county)[n % 2],
                theme=themes[n % 3],
                amount=amount(n),
                source_row=n + 2,
                supplier_name=f"Supplier {n}",
            )
            for n in range(count)
        ],
    )
    if approve:
        spend_return_submit(spend_return=spend_return, actor=None)
        spend_return = spend_return_approve(spend_return=spend_return, actor=None)
        rollup_rebuild()
    return county, district, spend_return
