"""The small ledger (``mini``) plus a year of lines that name their suppliers: the same payee
spelt three ways, a payment to another public body (a transfer), and redacted suppliers whose
names must never show."""

import datetime as dt
from decimal import Decimal

import pytest

from ledger.models import SpendLine
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.lines import spend_lines_add
from ledger.services.reconciliation import reconciliation_run
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild
from tests.factories import FinancialYearFactory, PopulationFactory

SECRET = "Jane Secret-Person"


def _line(place, theme, amount, supplier, day, expense="Services", redacted=False):
    return SpendLine(
        place=place,
        theme=theme,
        amount=Decimal(amount),
        supplier_name=supplier,
        supplier_redacted=redacted,
        transaction_date=day,
        expense_type=expense,
        description=f"Paid {expense.lower()}",
    )


def approved_return(organisation, year, lines, declared_months=None):
    spend_return = spend_return_create(
        organisation=organisation, financial_year=year, title="Suppliers", actor=None
    )
    if declared_months is not None:
        spend_return.declared_months = declared_months
        spend_return.save(update_fields=["declared_months"])
    spend_lines_add(spend_return=spend_return, lines=lines)
    spend_return_submit(spend_return=spend_return, actor=None)
    return spend_return_approve(spend_return=spend_return, actor=None)


@pytest.fixture
def suppliers(mini):
    """2011-12: the council pays Acme (as "Acme Ltd", "ACME LIMITED" and "Acme & Co" is
    another payee), the PCT (a transfer) and two redacted payees; the PCT pays "acme ltd."
    too. The council's return covers April to June only (declared)."""
    year = FinancialYearFactory(code="2011-12")
    PopulationFactory(place=mini["north"], financial_year=year, persons=610)
    PopulationFactory(place=mini["south"], financial_year=year, persons=390)
    county, north = mini["county"], mini["north"]
    roads, education = mini["roads"], mini["education"]
    april = dt.date(2011, 4, 15)
    council = approved_return(
        mini["council"],
        year,
        [
            _line(county, roads, "200.00", "Acme Ltd", april, "Road repairs"),
            _line(north, roads, "50.50", "ACME LIMITED", dt.date(2011, 5, 2), "Road repairs"),
            _line(county, education, "75.25", "Acme & Co", dt.date(2011, 6, 1), "Books"),
            _line(county, education, "30.00", "Testshire PCT", april, "Health services"),
            _line(county, education, "12.34", SECRET, april, "Care", redacted=True),
            _line(north, education, "7.66", SECRET, dt.date(2011, 6, 30), "Care", redacted=True),
        ],
        declared_months=0b000000111000,  # April to June
    )
    pct = approved_return(
        mini["pct"],
        year,
        [_line(county, roads, "19.99", "acme ltd.", dt.date(2012, 3, 31), "Transport")],
    )
    rollup_rebuild()
    reconciliation_run()
    return {**mini, "year2": year, "council_return2": council, "pct_return2": pct}
