"""The pilot page: footprint, spend, themes, initiatives, savings and evidence."""

from django.http import Http404
from django.shortcuts import render

from pilots.models import InitiativeStatus, Pilot
from pilots.selectors import pages
from pilots.selectors.headline import pilot_headline
from totalplace.permissions import has_perm

from .common import demo_label, sections


def pilot_detail(request, slug: str):
    try:
        pilot = pages.pilot_get(slug=slug)
    except Pilot.DoesNotExist as exc:
        raise Http404("No such pilot") from exc
    spend = pages.pilot_spend(pilot=pilot)
    initiatives = list(pages.pilot_initiatives(pilot=pilot, user=request.user))
    can_edit = has_perm(request.user, "pilots.edit_pilot", pilot)
    context = {
        "pilot": pilot,
        "places": list(pilot.places.all()),
        "spend": spend,
        "headline": pilot_headline(pilot=pilot, spend=spend),
        "spend_illustrative": bool(spend) and pages.pilot_spend_is_illustrative(pilot=pilot),
        "chart_spend": {
            "labels": [row.financial_year for row in spend],
            "values": [str(row.amount) for row in spend],
        },
        "initiatives": initiatives,
        "published_count": sum(i.status == InitiativeStatus.PUBLISHED for i in initiatives),
        "evidence": pages.evidence_for(user=request.user, pilot=pilot, pilot_level=True),
        "submissions": pages.submissions_for(user=request.user, pilot=pilot),
        "can_edit": can_edit,
        "demo_label": demo_label(),
        **sections("pilot", request=request, subject=pilot, may_edit=can_edit),
    }
    return render(request, "pilots/pilot_detail.html", context)
