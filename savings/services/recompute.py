"""Recomputing appraisals and where-savings-land results, and asking for that after a change.

Every input change (and every ``pilots.signals.initiative_changed``) calls ``appraisal_request``,
which queues ``initiative_recompute`` to run after the change commits (``delay_on_commit``). A
recompute reads the committed inputs, so running it twice, or late, or out of order, stores the
same result: it is idempotent. If the job queue is down the change
still stands (the page says the appraisal is being recalculated) and ``appraisals_catch_up``,
run by beat, recomputes what was left out of date.
"""

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from ledger.models import Place
from pilots.models import Initiative, InitiativeStatus, Pilot, Programme
from savings import selectors
from savings.calculations.appraisal import appraise_exact, summarise
from savings.calculations.attribution import attribution_from, combine, fair_share
from savings.models import Appraisal, Attribution, ScopeKind
from totalplace.money import pence_to_decimal

from .results import attribution_from_json, matrix_json, positions_json, transfers_json


def appraisal_request(*, initiative: Initiative) -> None:
    """Mark the initiative's results out of date and recompute them once this change commits."""
    from savings.tasks import initiative_recompute

    Appraisal.objects.update_or_create(
        initiative=initiative, defaults={"requested_at": timezone.now()}
    )
    # Ten cost lines saved in one transaction queue ten recomputes: harmless, as a recompute
    # is idempotent and one whose inputs have not changed since the last stores nothing new.
    initiative_recompute.delay_on_commit(initiative.pk)


def pilot_scopes_request(*, pilot_id: int) -> None:
    """Recompute a pilot's (and its places' and programme's) totals once this change commits."""
    from savings.tasks import pilot_scopes_recompute

    pilot_scopes_recompute.delay_on_commit(pilot_id)


def _digest(costs, benefits, bands) -> str:
    canonical = json.dumps(
        [sorted(map(repr, costs)), sorted(map(repr, benefits)), list(map(repr, bands))]
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _names(codes) -> dict[str, tuple[str, str]]:
    return {
        code: (org.name, org.sector) for code, org in selectors.organisations_by_code(codes).items()
    }


def initiative_recompute(*, initiative_id: int) -> Appraisal | None:
    """Appraise one initiative, store its where-savings-land result, then its pilot's totals."""
    with transaction.atomic():
        initiative = Initiative.objects.select_related("pilot").filter(pk=initiative_id).first()
        if initiative is None:  # deleted since the request: nothing to do
            return None
        Appraisal.objects.get_or_create(initiative=initiative)
        # Lock the row: two recomputes of one initiative run one after the other, and the later
        # one reads inputs committed after the earlier one started.
        appraisal = Appraisal.objects.select_for_update().get(initiative=initiative)
        started = timezone.now()
        costs, benefits = selectors.initiative_inputs(initiative=initiative)
        _, graded = selectors.initiative_inputs(initiative=initiative, at_grades=True)
        bands = selectors.discount_schedule()
        digest = _digest(costs, [*benefits, *graded], bands)
        if digest != appraisal.inputs_digest or appraisal.error:
            _appraisal_store(appraisal, initiative, costs, benefits, bands, digest, graded=graded)
        appraisal.computed_at = started
        appraisal.save(update_fields=["computed_at"])
    scopes_recompute(pilot_id=initiative.pilot_id)
    return appraisal


def _appraisal_store(appraisal, initiative, costs, benefits, bands, digest, *, graded) -> None:
    try:
        exact = appraise_exact(costs, benefits, bands)
        at_grades = summarise(appraise_exact(costs, graded, bands))["totals"]
    except ValueError as exc:  # e.g. a year beyond the schedule: say so on the page
        appraisal.error, appraisal.inputs_digest = str(exc), digest
        appraisal.save(update_fields=["error", "inputs_digest"])
        return
    summary = summarise(exact)
    totals = summary["totals"]
    for field, key in [
        ("pv_costs", "costs"),
        ("pv_fiscal", "fiscal"),
        ("pv_cashable", "cashable"),
        ("pv_economic", "economic"),
        ("pv_social", "social"),
        ("pv_benefits", "benefits"),
        ("npv", "npv"),
        ("fiscal_npv", "fiscal_npv"),
        ("net_budget_impact", "net_budget_impact"),
    ]:
        setattr(appraisal, field, pence_to_decimal(totals[key]))
    appraisal.npv_at_grades = pence_to_decimal(at_grades["npv"])
    appraisal.fiscal_npv_at_grades = pence_to_decimal(at_grades["fiscal_npv"])
    appraisal.horizon = summary["horizon"]
    appraisal.financial_roi = summary["financial_roi"]
    appraisal.public_value_roi = summary["public_value_roi"]
    appraisal.payback_year = summary["payback_year"]
    appraisal.payback_year_discounted = summary["payback_year_discounted"]
    appraisal.years = [_year_json(row) for row in summary["years"]]
    appraisal.inputs_digest, appraisal.error = digest, ""
    appraisal.save()
    attribution = attribution_from(exact)
    _attribution_store(
        {"scope": ScopeKind.INITIATIVE, "initiative": initiative},
        attribution,
        initiative_count=1,
        is_illustrative=initiative.is_illustrative,
    )


def _year_json(row: dict) -> dict:
    return {
        key: value
        if key == "year"
        else str(value if key == "discount_factor" else pence_to_decimal(value))
        for key, value in row.items()
    }


def _attribution_store(scope: dict, attribution, *, initiative_count: int, is_illustrative: bool):
    deal = fair_share(attribution.net())
    names = _names(attribution.organisations())
    values = {
        "computed_at": timezone.now(),
        "initiative_count": initiative_count,
        "pv_costs": pence_to_decimal(sum(attribution.paid.values())),
        "pv_fiscal": pence_to_decimal(sum(attribution.received.values())),
        "fiscal_net": pence_to_decimal(deal.fiscal_net),
        "deal_possible": deal.possible,
        "shortfall": pence_to_decimal(deal.shortfall),
        "positions": positions_json(attribution, deal, names),
        "matrix": matrix_json(attribution, names),
        "transfers": transfers_json(deal, names),
        "is_illustrative": is_illustrative,
    }
    lookup = {k: v for k, v in scope.items() if k != "scope"}
    stored, _ = Attribution.objects.update_or_create(
        **lookup, defaults={**values, "scope": scope["scope"]}
    )
    return stored


def _combined(initiatives) -> tuple:
    rows = Attribution.objects.filter(
        scope=ScopeKind.INITIATIVE, initiative__in=initiatives
    ).values_list("positions", "matrix", "is_illustrative")
    parts = [attribution_from_json(positions, matrix) for positions, matrix, _ in rows]
    return combine(parts), len(parts), any(flag for _, _, flag in rows)


@transaction.atomic
def scopes_recompute(*, pilot_id: int) -> None:
    """Sum the published initiatives of a pilot, of each place in its footprint and of its
    programme into their where-savings-land results (replacing what was stored)."""
    pilot = Pilot.objects.filter(pk=pilot_id).first()
    if pilot is None:
        return
    # Serialise recomputes that share a programme or a place, so the last one to write has read
    # every initiative committed before it (locks in a fixed order: programme, then places).
    Programme.objects.select_for_update().filter(pk=pilot.programme_id).first()
    list(Place.objects.select_for_update(of=("self",)).filter(pilots=pilot).order_by("pk"))
    published = Initiative.objects.filter(status=InitiativeStatus.PUBLISHED)
    scopes = [({"scope": ScopeKind.PILOT, "pilot": pilot}, published.filter(pilot=pilot))]
    for place in Place.objects.filter(pilots=pilot):
        scopes.append(
            ({"scope": ScopeKind.PLACE, "place": place}, published.filter(pilot__places=place))
        )
    programme = Programme.objects.get(pk=pilot.programme_id)
    scopes.append(
        (
            {"scope": ScopeKind.PROGRAMME, "programme": programme},
            published.filter(pilot__programme=programme),
        )
    )
    for scope, initiatives in scopes:
        attribution, count, illustrative = _combined(initiatives.values("pk"))
        _attribution_store(scope, attribution, initiative_count=count, is_illustrative=illustrative)


# A request younger than this is most likely still in the queue: leave it to its own job.
CATCH_UP_AFTER = dt.timedelta(minutes=2)


def appraisals_catch_up() -> int:
    """Recompute every appraisal still out of date a while after its change (its job was lost,
    e.g. the queue was down); returns how many."""
    stale = Appraisal.objects.filter(
        Q(computed_at__isnull=True) | Q(requested_at__gt=F("computed_at")),
        requested_at__lte=timezone.now() - CATCH_UP_AFTER,
    )
    ids = list(stale.order_by("initiative_id").values_list("initiative_id", flat=True))
    for initiative_id in ids:
        initiative_recompute(initiative_id=initiative_id)
    return len(ids)


def recompute_all() -> int:
    """Recompute every initiative (after the discount schedule changes); returns how many."""
    ids = list(Initiative.objects.values_list("pk", flat=True))
    for initiative_id in ids:
        initiative_recompute(initiative_id=initiative_id)
    return len(ids)
