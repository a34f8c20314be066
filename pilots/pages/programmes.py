"""Programme list, programme page and a place's where-savings-land page."""

from django.http import Http404
from django.shortcuts import render

from ledger.models import Place
from pilots.models import PilotKind, Programme
from pilots.selectors import pages

from .common import demo_label, sections


def programme_list(request):
    """Every programme with its pilots and parallel places."""
    programmes = list(pages.programme_list())
    pilots_by_programme: dict[int, list] = {}
    for pilot in pages.pilot_list():
        pilots_by_programme.setdefault(pilot.programme_id, []).append(pilot)
    for programme in programmes:
        programme.pilot_rows = pilots_by_programme.get(programme.pk, [])
    return render(request, "pilots/programme_list.html", {"programmes": programmes})


def programme_detail(request, slug: str):
    try:
        programme = pages.programme_get(slug=slug)
    except Programme.DoesNotExist as exc:
        raise Http404("No such programme") from exc
    pilots = list(pages.pilot_list(programme=programme))
    groups = [
        (label, [p for p in pilots if p.kind == kind])
        for kind, label in PilotKind.choices
        if any(p.kind == kind for p in pilots)
    ]
    context = {
        "programme": programme,
        "groups": groups,
        "demo_label": demo_label(),
        **sections("programme", request=request, subject=programme, may_edit=False),
    }
    return render(request, "pilots/programme_detail.html", context)


def place_savings(request, slug: str):
    """Where savings land across every pilot whose footprint includes this place."""
    try:
        place = Place.objects.get(slug=slug)
    except Place.DoesNotExist as exc:
        raise Http404("No such place") from exc
    context = {
        "place": place,
        "pilots": pages.place_pilots(place=place),
        "demo_label": demo_label(),
        **sections("place", request=request, subject=place, may_edit=False),
    }
    return render(request, "pilots/place_savings.html", context)
