"""Where the savings land as CSV, for any scope (on a page: ``sections.py``)."""

from decimal import Decimal

from django.http import Http404
from django.utils.text import slugify

from ledger.exports import ExportAbout, csv_rows_response
from ledger.models import Place
from pilots.models import Initiative, Pilot, Programme
from pilots.selectors import pages
from savings.selectors import attribution_for

MATRIX_COLUMNS = ["payer_code", "payer", "beneficiary_code", "beneficiary", "present_value_gbp"]


def _subject(kind: str, key):
    models = {"pilot": Pilot, "programme": Programme, "place": Place}
    try:
        return models[kind].objects.get(slug=key)
    except models[kind].DoesNotExist:
        raise Http404("Not found") from None


def matrix_csv(request, kind: str, key):
    """The payer × beneficiary matrix of present values as CSV, one row per cell."""
    if kind == "initiative":
        try:
            subject = pages.initiative_get(public_id=key, user=request.user)
        except Initiative.DoesNotExist:
            raise Http404("Not found") from None
    else:
        subject = _subject(kind, key)
    attribution = attribution_for(subject=subject)
    name = slugify(str(subject))[:60] or kind
    rows = (
        # Names are escaped for spreadsheets by the writer; the value stays a number.
        [
            cell["payer"] or "",
            cell["payer_name"],
            cell["beneficiary"],
            cell["beneficiary_name"],
            Decimal(cell["present_value"]),
        ]
        for cell in (attribution.matrix if attribution else [])
    )
    about = ExportAbout(
        source=f"TotalPlace, where the savings land: {subject} ({request.build_absolute_uri()})",
        # Not yet computed: no figures, so nothing to license either way.
        illustrative=attribution.is_illustrative if attribution else None,
        as_of=attribution.computed_at if attribution else None,
    )
    return csv_rows_response(f"where-savings-land-{name}", MATRIX_COLUMNS, rows, about=about)
