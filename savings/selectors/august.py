"""The Treasury's four questions of August 2010, answered from what a submission, its linked
initiatives and the ledger hold, each figure with its source."""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal

from ledger.calculations.footprint import footprint_spend, theme_weights_for
from ledger.models import ServiceTheme
from pilots.models import PlaceBudgetSubmission
from pilots.selectors.access import visible_initiatives
from savings.models import Appraisal

from .realisation import NOT_TRANSFERABLE, realisation, savings_for

PENNY = Decimal("0.01")
BENEFITS_THEME = "social-protection"  # with its sub-themes: pensions, disability, JSA, family
LEDGER_SOURCE = "TotalPlace ledger: approved spend returns in the pilot's footprint"


@dataclass
class Answer:
    number: int
    question: str
    rows: list[tuple[str, object, str]] = field(default_factory=list)  # label, value, source
    tables: list[tuple[str, list[str], list[list]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


QUESTIONS = (
    "What savings on total public spend in the place could be made, against 2010-11 "
    "baselines, and how are they built up?",
    "What is the financial dividend of a single place-based budget, compared with aligned "
    "and with separate funding?",
    "What could be saved on the benefits budget against the counterfactual, and how would "
    "it be shared between the Treasury and local government?",
    "What cost-benefit analyses support these figures, and how might the savings actually "
    "be cashed?",
)


def _share(amount: Decimal, percent: Decimal) -> Decimal:
    return (amount * percent / 100).quantize(PENNY, rounding=ROUND_HALF_EVEN)


def august_2010(*, submission: PlaceBudgetSubmission, user) -> list[Answer]:
    """The four answers for ``submission`` as ``user`` may see them."""
    return [
        _total_spend(submission),
        _dividend(submission),
        _benefits(submission),
        _analyses(submission, user),
    ]


def _total_spend(submission: PlaceBudgetSubmission) -> Answer:
    answer = Answer(1, QUESTIONS[0])
    year = submission.baseline_year
    ledger = footprint_spend(places=submission.pilot.places.all(), financial_year=year)
    if submission.total_spend_baseline is not None:
        baseline, source = submission.total_spend_baseline, submission.total_spend_baseline_source
    else:
        baseline = ledger[0].amount if ledger else None
        source = LEDGER_SOURCE if ledger else "No baseline: none entered, none in the ledger"
    answer.rows.append((f"Total public spend, {year.code}", baseline, source))
    rows = list(submission.savings.select_related("theme", "organisation", "initiative"))
    total = sum((row.saving for row in rows), Decimal("0.00"))
    answer.rows.append(("Estimated savings", total, "The submission's savings, line by line"))
    if baseline:
        percent = (total / baseline * 100).quantize(PENNY, rounding=ROUND_HALF_EVEN)
        answer.rows.append(("Savings as a share of the baseline (%)", percent, "Computed"))
    answer.tables.append(
        (
            "How the savings build up",
            ["Saving", "Theme", "Organisation", "Baseline", "Saving (£)", "Initiative"],
            [
                [
                    row.description,
                    row.theme.name if row.theme else "",
                    row.organisation.name if row.organisation else "",
                    row.baseline,
                    row.saving,
                    row.initiative.title if row.initiative else "",
                ]
                for row in rows
            ],
        )
    )
    return answer


def _dividend(submission: PlaceBudgetSubmission) -> Answer:
    answer = Answer(2, QUESTIONS[1])
    source = "The submission"
    for label, amount, percent in (
        ("against aligned funding", submission.dividend_vs_aligned_amount,
         submission.dividend_vs_aligned_percent),
        ("against separate funding", submission.dividend_vs_separate_amount,
         submission.dividend_vs_separate_percent),
    ):  # fmt: skip
        answer.rows.append((f"Dividend {label} (£)", amount, source))
        answer.rows.append((f"Dividend {label} (%)", percent, source))
    if submission.dividend_notes:
        answer.notes.append(submission.dividend_notes)
    return answer


def _benefits(submission: PlaceBudgetSubmission) -> Answer:
    answer = Answer(3, QUESTIONS[2])
    source = submission.benefits_counterfactual_source or "Not stated in the submission"
    answer.rows.append(
        ("Counterfactual benefits spend", submission.benefits_counterfactual, source)
    )
    answer.rows.append(
        (
            "Projected benefits spend with the changes",
            submission.benefits_projected,
            "The submission",
        )
    )
    saving = submission.benefits_saving
    answer.rows.append(("Saving against the counterfactual", saving, "Computed"))
    share = submission.benefits_treasury_share_percent
    if saving is not None and share is not None:
        # The Treasury's share rounded to the penny; local government has the rest, so the two
        # always add up to the saving.
        treasury = _share(saving, share)
        answer.rows.append((f"Treasury's share ({share}%)", treasury, "Computed"))
        answer.rows.append(
            (f"Local government's share ({100 - share}%)", saving - treasury, "Computed")
        )
    if submission.benefits_notes:
        answer.notes.append(submission.benefits_notes)
    # The ledger's own trend, beside whatever counterfactual the submission states.
    theme = ServiceTheme.objects.filter(code=BENEFITS_THEME).first()
    years = (
        footprint_spend(
            places=submission.pilot.places.all(),
            theme_weights=theme_weights_for(service_theme=theme, deep_dive=None),
        )
        if theme
        else []
    )
    answer.tables.append(
        (
            "Benefits spend in the footprint by year, from the ledger (social protection and "
            "benefits, approved returns): the trend a counterfactual can be set against",
            ["Year", "Spend (£)", "Lines"],
            [[t.financial_year, t.amount, t.lines] for t in years],
        )
    )
    return answer


def _analyses(submission: PlaceBudgetSubmission, user) -> Answer:
    answer = Answer(4, QUESTIONS[3])
    visible = visible_initiatives(user=user)
    initiatives = list(
        visible.filter(submissions=submission).select_related("pilot").order_by("title")
    )
    appraisals = {a.initiative_id: a for a in Appraisal.objects.filter(initiative__in=initiatives)}
    rows = []
    for initiative in initiatives:
        appraisal = appraisals.get(initiative.pk)
        benefits = list(initiative.benefits.prefetch_related("evidence"))
        rows.append(
            [
                initiative.title,
                appraisal.npv if appraisal else None,
                appraisal.npv_at_grades if appraisal else None,
                sum(1 for b in benefits if b.grade is not None),
                sum(1 for b in benefits if not b.evidence.all()),
                initiative.get_absolute_url(),
            ]
        )
    answer.tables.append(
        (
            "Linked cost-benefit analyses",
            ["Initiative", "NPV as entered", "NPV at the evidence grades", "Benefits graded",
             "Benefits with no evidence", "Link"],
            rows,
        )
    )  # fmt: skip
    savings = [s for i in initiatives for s in savings_for(subject=i, initiatives=visible)]
    table, total = realisation(savings=savings)
    answer.tables.append(
        (
            "How the savings are being cashed: forecast against realised",
            ["Lands with", "Year", "Forecast", "Agreed", "Realised", "Not realised", "Gap"],
            [
                [r.organisation_name, r.financial_year, r.forecast, r.agreed, r.realised,
                 r.not_realised, r.gap]
                for r in [*table, total]
            ],
        )
    )  # fmt: skip
    answer.notes.append(NOT_TRANSFERABLE)
    return answer
