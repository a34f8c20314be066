"""The worked example: an illustrative family-intervention scheme in Cumbria.

Cumbria because the ledger's demo data covers Cumbria only, so the initiative's baseline (the
county's 2010-11 spend on family support and early intervention) comes from the ledger rather
than being typed in. The county council pays (with a little from the PCT); the savings land
mostly with the NHS, the police and DWP, so the council "invests here, saves elsewhere" and the
fair-share deal shows what the others would pass back. Every figure is illustrative.

Loading twice changes nothing: the pilot is keyed on its slug and the example on its title.
"""

import csv
from decimal import Decimal

from django.core.files.base import ContentFile
from django.db import transaction

from ledger.models import (
    Classification,
    FinancialYear,
    Organisation,
    Place,
    ServiceTheme,
    SpendReturn,
    SpendReturnStatus,
)
from pilots.models import EvidenceKind, Initiative, InitiativeStatus, Pilot, PilotKind, Programme
from pilots.services.access import pilot_lead_grant
from pilots.services.evidence import evidence_create
from pilots.services.initiatives import initiative_baseline_refresh, initiative_create
from pilots.services.seed import PARALLEL_PLACES, PILOTS_DIR, pilots_seed
from pilots.services.submissions import submission_create
from savings.models import EvidenceGrade, Saving, UnitCost
from savings.services.inputs import benefit_flow_create, benefit_flow_update, cost_line_create
from savings.services.realisation import (
    saving_agree,
    saving_cash,
    saving_not_realised,
    saving_propose,
)
from savings.services.recompute import initiative_recompute
from savings.services.reference import discount_rates_load, evidence_grades_load, unit_costs_load

DEMO_PILOT_SLUG = "cumbria-illustrative"
DEMO_TITLE = "Family intervention service (illustrative worked example)"
COUNCIL = "E10000006"
COSTS_CSV = PILOTS_DIR / "demo_family_intervention_costs.csv"
BENEFITS_CSV = PILOTS_DIR / "demo_family_intervention_benefits.csv"
# Every benefit: from year 1 for six years, fading 10% a year, with 20% deadweight, 90%
# attribution and a 10% optimism-bias reduction. Outcomes a year × unit cost are in the CSV.
ADJUSTMENTS = {
    "lag": 1,
    "duration": 6,
    "drop_off_percent": Decimal(10),
    "deadweight_percent": Decimal(20),
    "attribution_percent": Decimal(90),
    "optimism_bias_percent": Decimal(10),
}
GREEN_BOOK_URL = (
    "https://www.gov.uk/government/publications/"
    "the-green-book-appraisal-and-evaluation-in-central-government"
)
NOTE = """This is an illustrative worked example, not a real business case.

Cumbria County Council funds key workers who support 60 families with multiple problems a year
for three years (£15,000 a family, plus £150,000 to set up), and NHS Cumbria seconds a health
visitor. Costs carry a 10% optimism-bias uplift.

Benefits are outcomes avoided a year, valued with the unit-cost library (whose values are
themselves illustrative), arriving from year 1 for six years and fading by 10% a year, with 20%
deadweight, 90% attribution and a 10% optimism-bias reduction. Everything is discounted with the
HM Treasury Green Book schedule (3.5% a year for years 0-30).

The baseline is Cumbria's approved 2010-11 spend on family support and early intervention in
the ledger (itself the illustrative Cumbria demo data)."""


def _rows(path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@transaction.atomic
def demo_pilot_ensure() -> Pilot:
    pilots_seed()
    pilot, created = Pilot.objects.get_or_create(
        slug=DEMO_PILOT_SLUG,
        defaults={
            "name": "Cumbria (illustrative demo)",
            "programme": Programme.objects.get(slug=PARALLEL_PLACES),
            "kind": PilotKind.PARALLEL_PLACE,
            "lead_organisation": Organisation.objects.get(code=COUNCIL),
            "is_illustrative": True,
            "summary": "A demonstration pilot built on the illustrative Cumbria ledger data, "
            "with a worked example of investing to save when the savings land elsewhere.",
        },
    )
    if created:
        pilot.places.set([Place.objects.get(gss_code=COUNCIL)])
        pilot.deep_dives.set(
            Classification.objects.filter(scheme="deep_dive", code="children-young-people")
        )
        pilot.service_themes.set(ServiceTheme.objects.filter(code="childrens-family-support"))
    return pilot


def demo_pilot_lead_grant(user) -> None:
    """Make ``user`` a lead of the demo pilot (the demo sign-in "lead")."""
    pilot_lead_grant(pilot=demo_pilot_ensure(), user=user)


def demo_load_pilots() -> dict[str, int]:
    """Seed the programmes, pilots and the worked example; returns what was created."""
    unit_costs_load()
    discount_rates_load()
    evidence_grades_load()
    pilot = demo_pilot_ensure()
    initiative = Initiative.objects.filter(pilot=pilot, title=DEMO_TITLE).first()
    created = initiative is None
    if created:
        initiative = _worked_example(pilot)
    # Compute now, so the pages have results even before a worker has run the queued jobs.
    initiative_baseline_refresh(initiative=initiative)
    initiative_recompute(initiative_id=initiative.pk)
    return {"pilots": Pilot.objects.count(), "worked_example_created": int(created)}


@transaction.atomic
def _worked_example(pilot: Pilot) -> Initiative:
    organisations = {o.code: o for o in Organisation.objects.all()}
    unit_costs = {u.code: u for u in UnitCost.objects.all()}
    grades = {g.code: g for g in EvidenceGrade.objects.all()}
    initiative = initiative_create(
        pilot=pilot,
        actor=None,
        title=DEMO_TITLE,
        summary="Key workers for families with multiple problems, paid for by the county "
        "council; the savings land with the NHS, the police, DWP and the justice system.",
        deep_dive=Classification.objects.get(scheme="deep_dive", code="children-young-people"),
        service_theme=ServiceTheme.objects.get(code="childrens-family-support"),
        status=InitiativeStatus.PUBLISHED,
        is_illustrative=True,
    )
    for row in _rows(COSTS_CSV):
        cost_line_create(
            initiative=initiative,
            actor=None,
            payer=organisations[row["payer"]],
            year=int(row["year"]),
            amount=Decimal(row["amount"]),
            kind=row["kind"],
            optimism_bias_percent=Decimal(row["optimism_bias_percent"]),
            description=row["description"],
        )
    for row in _rows(BENEFITS_CSV):
        benefit_flow_create(
            initiative=initiative,
            actor=None,
            beneficiary=organisations[row["beneficiary"]] if row["beneficiary"] else None,
            value_type=row["value_type"],
            unit_cost=unit_costs[row["unit_cost"]],
            outcomes_per_year=Decimal(row["outcomes_per_year"]),
            cashable_percent=Decimal(row["cashable_percent"]),
            description=row["description"],
            evidence_grade=grades[row["evidence_grade"]],
            **ADJUSTMENTS,
        )
    _evidence(pilot, initiative)
    _evidence_links(initiative)
    _savings(initiative, organisations)
    _submission(pilot, initiative)
    return initiative


def _evidence(pilot: Pilot, initiative: Initiative) -> None:
    common = {"pilot": pilot, "initiative": initiative, "actor": None, "is_illustrative": True}
    evidence_create(
        kind=EvidenceKind.NOTE, title="How this worked example is built", body=NOTE, **common
    )
    evidence_create(
        kind=EvidenceKind.LINK,
        title="HM Treasury: The Green Book (appraisal and evaluation in central government)",
        url=GREEN_BOOK_URL,
        source="HM Treasury",
        description="The discounting method and optimism-bias adjustments used here.",
        **common,
    )
    evidence_create(
        kind=EvidenceKind.DATASET,
        title="Outcome assumptions (illustrative)",
        file=ContentFile(BENEFITS_CSV.read_bytes(), name=BENEFITS_CSV.name),
        source="Illustrative assumptions for the worked example",
        **common,
    )


# The outcome assumptions back the benefits graded on local data or a local evaluation; the
# rest are left with no evidence, which the page and the API say.
EVIDENCED_GRADES = {"local-evaluation", "local-data"}


def _evidence_links(initiative: Initiative) -> None:
    dataset = initiative.evidence.get(kind=EvidenceKind.DATASET)
    for flow in initiative.benefits.filter(evidence_grade__code__in=EVIDENCED_GRADES):
        benefit_flow_update(flow=flow, actor=None, evidence=[dataset])


def _savings(initiative: Initiative, organisations: dict) -> None:
    """One saving at each step, and one the ledger check flags: the NHS's saving is on its
    health budget, not on family support, which it does not spend on in Cumbria."""
    council = organisations[COUNCIL]
    year = initiative.baseline_year
    later = FinancialYear.objects.filter(start_date__gt=year.start_date).order_by("start_date")
    next_year = later.first() or year

    def claim(receiver: str, forecast: str, description: str, **fields) -> Saving:
        return saving_propose(
            initiative=initiative,
            actor=None,
            payer=council,
            receiver=organisations[receiver],
            financial_year=next_year,
            forecast=Decimal(forecast),
            description=description,
            **fields,
        )

    cashed = saving_agree(saving=claim(COUNCIL, "300000.00", "Fewer foster placements"), actor=None)
    council_return = (
        SpendReturn.objects.filter(organisation=council, status=SpendReturnStatus.APPROVED)
        .order_by("-financial_year__start_date")
        .first()
    )
    saving_cash(
        saving=cashed,
        actor=None,
        amount=Decimal("240000.00"),
        financial_year=next_year,
        spend_return=council_return,
    )
    saving_agree(saving=claim("DWP", "150000.00", "Parents off out-of-work benefits"), actor=None)
    claim("5NE", "2000000.00", "A&E, admissions and mental health contacts avoided")
    saving_not_realised(
        saving=claim("CUMBRIA-PA", "120000.00", "Incidents avoided", is_cashable=False),
        actor=None,
        reason="Illustrative: the time freed was absorbed by rising demand; no budget was cut.",
    )


def _submission(pilot: Pilot, initiative: Initiative) -> None:
    submission_create(
        pilot=pilot,
        actor=None,
        title="Place-based budget submission, August 2010 (illustrative)",
        summary="An illustrative answer to the Treasury's August 2010 request, built on the "
        "demo ledger's 2010-11 baseline for Cumbria.",
        dividend_vs_aligned_percent=Decimal("1.50"),
        dividend_vs_separate_percent=Decimal("3.00"),
        dividend_notes="Illustrative: pooling budgets saves on duplicated assessment and "
        "commissioning compared with aligning them, and more compared with separate budgets.",
        benefits_counterfactual=Decimal("1450000000.00"),
        benefits_counterfactual_source="Illustrative: out-of-work benefits paid in Cumbria in "
        "2010-11, held flat in cash (the trend before the changes)",
        benefits_projected=Decimal("1447500000.00"),
        benefits_treasury_share_percent=Decimal("80.00"),
        benefits_notes="Illustrative: fewer out-of-work claims; the Treasury keeps 80%.",
        is_illustrative=True,
        savings=[
            {
                "description": "Family intervention (see the linked cost-benefit analysis)",
                "theme": ServiceTheme.objects.get(code="childrens-family-support"),
                "initiative": initiative,
                "saving": Decimal("1200000.00"),
            },
            {
                "description": "Shared back-office services across the county's bodies",
                "theme": ServiceTheme.objects.get(code="central-corporate"),
                "saving": Decimal("2500000.00"),
            },
            {
                "description": "Rationalising the public estate (asset management)",
                "theme": ServiceTheme.objects.get(code="central-other"),
                "saving": Decimal("4000000.00"),
            },
        ],
        linked_initiatives=[initiative],
        linked_evidence=list(initiative.evidence.all()),
    )
