"""Savings against what happened: forecast, agreed and cashed by organisation and year, and
each claim checked against the receiver's own spend in the ledger."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q, QuerySet

from ledger.calculations.footprint import SpendTotal, footprint_spend, theme_weights_for
from ledger.models import Place
from ledger.selectors.access import user_organisations
from pilots.models import Initiative, InitiativeStatus, Pilot, Programme
from pilots.selectors.access import visible_initiatives
from savings.models import Saving, SavingStatus
from totalplace.permissions import has_perm

ZERO = Decimal("0.00")
# Said wherever savings are added up across initiatives, pilots or places (issue 18): a saving
# found in one place is evidence for that place, not a rate to multiply across the country.
NOT_TRANSFERABLE = (
    "Savings are local and not transferable: each was found in one place, with its own "
    "services, people and baseline. A total across pilots or places adds up those local "
    "figures; it does not say what the same changes would save anywhere else."
)


@dataclass
class RealisationRow:
    """One receiving organisation in one financial year (or a total: blank codes)."""

    organisation: str
    organisation_name: str
    financial_year: str
    forecast: Decimal = ZERO
    cashable: Decimal = ZERO
    non_cashable: Decimal = ZERO
    agreed: Decimal = ZERO  # forecast agreed by both sides (and since cashed or not)
    realised: Decimal = ZERO  # what was cashed
    not_realised: Decimal = ZERO  # forecast recorded as not realised
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def gap(self) -> Decimal:
        """Forecast not (yet) cashed: forecast = realised + gap, to the penny."""
        return self.forecast - self.realised

    def add(self, saving: Saving) -> None:
        self.forecast += saving.forecast
        if saving.is_cashable:
            self.cashable += saving.forecast
        else:
            self.non_cashable += saving.forecast
        if saving.payer_agreed_at and saving.receiver_agreed_at:
            self.agreed += saving.forecast
        if saving.status == SavingStatus.CASHED:
            self.realised += saving.realised
        if saving.status == SavingStatus.NOT_REALISED:
            self.not_realised += saving.forecast
        self.counts[saving.status] = self.counts.get(saving.status, 0) + 1


def realisation(*, savings: Iterable[Saving]) -> tuple[list[RealisationRow], RealisationRow]:
    """Forecast against realised by receiving organisation and forecast year, with the total."""
    rows: dict[tuple, RealisationRow] = {}
    total = RealisationRow("", "All organisations", "All years")
    for saving in savings:
        key = (saving.financial_year.start_date, saving.receiver.name, saving.receiver.code)
        row = rows.get(key)
        if row is None:
            row = rows[key] = RealisationRow(
                saving.receiver.code, saving.receiver.name, saving.financial_year.code
            )
        row.add(saving)
        total.add(saving)
    return [rows[key] for key in sorted(rows)], total


def savings_for(*, subject, initiatives: QuerySet[Initiative]) -> QuerySet[Saving]:
    """The savings of an initiative, or of the published initiatives of a pilot, of the pilots
    covering a place or of a programme, among ``initiatives``: those the reader may see
    (pilots' ``visible_initiatives``, or ``Visible.initiatives`` on pilots' pages)."""
    if isinstance(subject, Initiative):
        scope = Q(initiative=subject)
    else:
        initiatives = initiatives.filter(status=InitiativeStatus.PUBLISHED)
        scope = {
            Pilot: lambda: Q(initiative__pilot=subject),
            Programme: lambda: Q(initiative__pilot__programme=subject),
            Place: lambda: Q(initiative__pilot__places=subject),
        }[type(subject)]()
    ids = Saving.objects.filter(scope, initiative__in=initiatives).values("pk")
    return (
        Saving.objects.filter(pk__in=ids)
        .select_related(
            "initiative",
            "payer",
            "receiver",
            "financial_year",
            "realised_year",
            "spend_return",
            "payer_agreed_by",
            "receiver_agreed_by",
        )
        .order_by("financial_year__start_date", "receiver__name", "id")
    )


def savings_visible(*, user) -> QuerySet[Saving]:
    """Savings of the initiatives ``user`` may see."""
    return Saving.objects.filter(initiative__in=visible_initiatives(user=user))


@dataclass(frozen=True)
class LedgerCheck:
    """A claimed saving beside the receiver's approved spend on the initiative's theme in the
    pilot's footprint, year by year. ``impossible``: the claim exceeds that spend in the
    baseline year, so it cannot be a saving on it."""

    saving: Saving
    baseline_year: str
    baseline: Decimal
    years: list[SpendTotal]

    @property
    def impossible(self) -> bool:
        return self.saving.forecast > self.baseline


def ledger_checks(*, savings: Iterable[Saving]) -> list[LedgerCheck]:
    """The ledger check of each saving (one spend query per initiative and receiver)."""
    spend: dict[tuple[int, int], list[SpendTotal]] = {}
    checks = []
    for saving in savings:
        initiative = saving.initiative
        key = (initiative.pk, saving.receiver_id)
        if key not in spend:
            year = initiative.baseline_year
            weights = theme_weights_for(
                service_theme=initiative.service_theme,
                deep_dive=initiative.deep_dive,
                on=year.start_date,
            )
            spend[key] = footprint_spend(
                places=initiative.pilot.places.all(),
                theme_weights=weights,
                organisation_ids=[saving.receiver_id],
            )
        years = spend[key]
        baseline_code = initiative.baseline_year.code
        baseline = next((t.amount for t in years if t.financial_year == baseline_code), ZERO)
        checks.append(LedgerCheck(saving, baseline_code, baseline, years))
    return checks


def saving_actions(
    *,
    saving: Saving,
    user,
    organisation_ids: set[int] | None = None,
    may_edit_pilot: bool | None = None,
) -> set[str]:
    """The steps ``user`` may take on ``saving`` now ("agree", "cash", "not_realised"): what the
    page offers; the services check again. ``organisation_ids``: the user's, if known.
    ``may_edit_pilot``: whether the user holds ``pilots.edit_pilot`` on the saving's initiative,
    if known (pilots' initiative page hands it in, so that savings, called by that page, does
    not call pilots' rules back); otherwise asked here when it matters."""
    if not user.is_authenticated:
        return set()
    if organisation_ids is None:
        organisation_ids = set(user_organisations(user=user).values_list("pk", flat=True))
    sides = {
        "payer": saving.payer_id in organisation_ids,
        "receiver": saving.receiver_id in organisation_ids,
    }
    actions = set()
    if saving.status == SavingStatus.PROPOSED and any(
        member and getattr(saving, f"{side}_agreed_at") is None for side, member in sides.items()
    ):
        actions.add("agree")
    if saving.status == SavingStatus.AGREED and sides["receiver"]:
        actions.add("cash")
    if saving.status in (SavingStatus.PROPOSED, SavingStatus.AGREED) and (
        any(sides.values())
        or (
            may_edit_pilot
            if may_edit_pilot is not None
            else has_perm(user, "pilots.edit_pilot", saving.initiative)
        )
    ):
        actions.add("not_realised")
    return actions
