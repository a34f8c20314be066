"""The four August 2010 questions answered from a submission, its linked analyses and the
ledger: benefits savings against a stated counterfactual split between the Treasury and local
government to the penny, on a page and in one XLSX document with sources."""

import io
from decimal import Decimal

from openpyxl import load_workbook

from pilots.services.submissions import submission_create
from savings.selectors.august import august_2010
from savings.selectors.realisation import NOT_TRANSFERABLE


def _submission(world, **fields):
    return submission_create(
        pilot=world.alpha,
        actor=world.lead_a,
        title="August 2010 submission",
        benefits_counterfactual=Decimal("1000.01"),
        benefits_projected=Decimal("900.00"),
        benefits_treasury_share_percent=Decimal("33.33"),
        linked_initiatives=[world.initiative],
        savings=[{"description": "Family key workers", "saving": Decimal("135.45")}],
        **fields,
    )


def test_the_benefits_saving_is_split_exactly_and_its_counterfactual_sourced(world):
    submission = _submission(world, benefits_counterfactual_source="DWP benefit caseload trend")
    q1, q2, q3, q4 = august_2010(submission=submission, user=world.lead_a)
    figures = {label: (value, source) for label, value, source in q3.rows}
    assert figures["Counterfactual benefits spend"] == (
        Decimal("1000.01"),
        "DWP benefit caseload trend",
    )
    treasury = figures["Treasury's share (33.33%)"][0]
    local = figures["Local government's share (66.67%)"][0]
    assert treasury == Decimal("33.33") and treasury + local == Decimal("100.01")
    assert q1.rows[1] == (
        "Estimated savings",
        Decimal("135.45"),
        "The submission's savings, line by line",
    )
    (analyses, cashing) = q4.tables
    assert analyses[2][0][:3] == ["Family key workers", Decimal("35.45"), Decimal("35.45")]
    assert NOT_TRANSFERABLE in q4.notes


def test_the_page_and_the_xlsx_answer_all_four_with_sources(world, client):
    submission = _submission(world)
    page = client.get(f"/submissions/{submission.public_id}/august-2010/").content.decode()
    for number in (1, 2, 3, 4):
        assert f'id="question-{number}"' in page
    assert "Not stated in the submission" in page  # no counterfactual source given
    assert "not transferable" in page
    response = client.get(f"/submissions/{submission.public_id}/august-2010.xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["About", "Question 1", "Question 2", "Question 3", "Question 4"]
    rows = list(workbook["Question 3"].iter_rows(values_only=True))
    values = {row[0]: row[1:] for row in rows if row and row[0]}
    assert values["Saving against the counterfactual"] == (100.01, "Computed")
    assert values["Counterfactual benefits spend"][1] == "Not stated in the submission"


def test_the_ledgers_benefits_spend_is_the_trend_beside_the_counterfactual(world):
    from ledger.models import Basis, SpendRollup
    from tests.factories import FinancialYearFactory, ServiceThemeFactory

    benefits = ServiceThemeFactory(code="social-protection", name="Social protection")
    jsa = ServiceThemeFactory(code="benefits-unemployment", name="JSA", parent=benefits)
    place = world.alpha.places.get()
    for code, amount in (("2009-10", "900.00"), ("2010-11", "950.00")):
        SpendRollup.objects.create(
            place=place,
            organisation=world.council,
            theme=jsa,
            financial_year=FinancialYearFactory(code=code),
            basis=Basis.DIRECT,
            amount=Decimal(amount),
            line_count=2,
        )
    q3 = august_2010(submission=_submission(world), user=world.lead_a)[2]
    ((title, header, rows),) = q3.tables
    assert "from the ledger" in title
    assert rows == [["2009-10", Decimal("900.00"), 2], ["2010-11", Decimal("950.00"), 2]]
