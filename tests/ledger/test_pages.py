import pytest
from django.urls import reverse

from ledger.models import Place

pytestmark = pytest.mark.django_db


def test_home_lists_places_with_pagination(client, reference_data):
    response = client.get(reverse("home"))
    assert response.status_code == 200
    # 380 authorities, 9 regions, the UK and its 4 countries, "outside the UK", "not identifiable"
    assert response.context["page"].paginator.count == 396
    assert b"Page 1 of 8" in response.content


@pytest.mark.parametrize("query", ["south lakeland", "E07000031", "16UG", "16ug"])
def test_home_finds_a_place_by_name_or_either_code(client, reference_data, query):
    response = client.get(reverse("home"), {"q": query})
    names = [p.name for p in response.context["page"].object_list]
    assert names == ["South Lakeland"]


def test_home_search_with_no_match_says_so(client, reference_data):
    response = client.get(reverse("home"), {"q": "Atlantis"})
    assert b"No place matches" in response.content


def test_empty_ledger_tells_you_how_to_load_places(client, db, monkeypatch):
    monkeypatch.setattr("ledger.pages.home.place_list", lambda **_: Place.objects.none())
    response = client.get(reverse("home"))
    assert b"No places are loaded yet" in response.content


def test_places_without_spend_say_so(client, reference_data):
    response = client.get(reverse("place-detail", args=["leeds"]))
    assert b"No approved spend returns or national datasets cover Leeds yet" in response.content
