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


def test_searching_a_county_finds_its_districts(client, reference_data):
    response = client.get(reverse("home"), {"q": "Cumbria"})
    names = [p.name for p in response.context["page"].object_list]
    # The county itself first, then the places within it.
    assert names[0] == "Cumbria"
    assert {"Allerdale", "Carlisle", "Eden", "South Lakeland"} <= set(names[1:])
    # Elsewhere (the compare page, the API) a search still means the name or a code.
    from ledger.selectors.places import place_list

    assert [p.name for p in place_list(search="Cumbria")] == ["Cumbria"]


def test_the_home_page_says_which_places_have_data(client, mini):
    from tests.factories import PlaceFactory

    PlaceFactory(gss_code="E98000009", name="Emptyshire", slug="emptyshire")

    def flags(**query):
        page = client.get(reverse("home"), query)
        return {p.name: p.has_data for p in page.context["page"].object_list}, page

    found, page = flags(q="Testshire")
    # Testshire's own lines, and its districts' (North's roads, South's credit).
    assert found == {"Testshire": True, "North Testshire": True, "South Testshire": True}
    assert '<span class="badge badge-approved">Has data</span>' in page.content.decode()
    assert flags(q="Emptyshire")[0] == {"Emptyshire": False}
    assert flags(q="Emptyshire", data="1")[0] == {}
    assert "Testshire" in flags(q="Testshire", data="1")[0]
