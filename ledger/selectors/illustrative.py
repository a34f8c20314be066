"""Whether illustrative (demo) figures feed a cut: what decides a banner on a page and the
licence a download may claim (an open licence never covers made-up figures)."""

from django.db.models import Q

from ledger.calculations.cuts import Cut
from ledger.models import DatasetEdition, SpendReturn, SpendReturnStatus, SpendRollup


def cut_has_illustrative_data(*, cut: Cut) -> bool:
    """Any rollup in the cut from an illustrative approved return's organisation-year, or from
    an illustrative dataset edition. Read from the rollups, as the totals are."""
    keys = SpendReturn.objects.filter(
        status=SpendReturnStatus.APPROVED, is_illustrative=True
    ).values_list("organisation_id", "financial_year_id")
    scope = Q(edition_id__in=DatasetEdition.objects.filter(is_illustrative=True).values("pk"))
    for organisation_id, year_id in set(keys):
        scope |= Q(organisation_id=organisation_id, financial_year_id=year_id, edition_id=0)
    return SpendRollup.objects.filter(cut.q()).filter(scope).exists()
