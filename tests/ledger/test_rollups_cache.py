"""Cached totals: served until the rollups change, then never again; the same for everyone."""

from decimal import Decimal

import pytest
from django.core.cache import cache

from ledger.models import Role, RollupGeneration, SpendLine, SpendRollup
from ledger.services.access import membership_grant
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from ledger.services.rollups import rollup_rebuild, rollup_refresh
from tests.factories import UserFactory
from tests.ledger.test_rollups import approved_return

pytestmark = pytest.mark.django_db
TOTALS = "/api/v1/places/E98000001/totals/"
AGGREGATE = "/api/v1/aggregate/?cut=place:E98000001&drilldown=organisation|theme"


def generation() -> int:
    return RollupGeneration.objects.get().number


def county_total(client) -> str:
    return client.get(TOTALS).json()["years"][0]["amount"]


def test_every_refresh_and_rebuild_raises_the_generation(mini):
    start = generation()
    rollup_refresh(keys=[(mini["council"].pk, mini["year"].pk)])
    assert generation() == start + 1
    rollup_rebuild()
    assert generation() == start + 2
    assert rollup_refresh(keys=[]) is None  # nothing recomputed: nothing to announce
    assert generation() == start + 2


def test_a_cached_answer_is_served_until_the_rollups_change(
    client, mini, django_capture_on_commit_callbacks
):
    cache.clear()
    assert county_total(client) == "1140.01"
    aggregate = client.get(AGGREGATE).json()
    # Change a rollup behind the services' back: no generation bump, so the cache answers.
    SpendRollup.objects.filter(organisation=mini["council"]).update(amount=Decimal("0.01"))
    assert county_total(client) == "1140.01"
    assert client.get(AGGREGATE).json() == aggregate
    # An approval's refresh raises the generation: from then on only the new figures.
    with django_capture_on_commit_callbacks(execute=True):
        approved_return(
            mini["pct"],
            mini["year"],
            [SpendLine(place=mini["north"], theme=mini["roads"], amount=Decimal("7.00"))],
        )
    assert county_total(client) == "7.02"  # the PCT's new 7.00 and the council's damaged rows
    cells = client.get(AGGREGATE).json()["cells"]
    assert {(c["organisation"]["code"], c["theme"]["code"]): c["amount"] for c in cells} == {
        ("TPCT", "t-roads"): "7.00",
        ("TCC", "t-education"): "0.01",
        ("TCC", "t-roads"): "0.01",
    }
    rollup_rebuild()  # repairs the damage, and is seen at once
    assert county_total(client) == "1107.01"


def test_cached_answers_are_the_same_for_everyone_and_never_show_drafts(client, mini):
    cache.clear()
    officer = UserFactory()
    membership_grant(user=officer, organisation=mini["council"], role=Role.FINANCE_OFFICER)
    draft = spend_return_create(
        organisation=mini["council"], financial_year=mini["year"], actor=None
    )
    spend_lines_add(
        spend_return=draft,
        lines=[SpendLine(place=mini["county"], theme=mini["roads"], amount=Decimal("500.00"))],
    )
    rollup_refresh(keys=[(mini["council"].pk, mini["year"].pk)])
    client.force_login(officer)  # the draft's own organisation asks first, filling the cache
    mine = client.get(TOTALS).json()
    client.logout()
    assert client.get(TOTALS).json() == mine
    assert mine["years"][0]["amount"] == "1140.01"


def test_without_a_generation_nothing_is_cached(client, mini):
    RollupGeneration.objects.all().delete()
    assert county_total(client) == "1140.01"
    SpendRollup.objects.filter(organisation=mini["council"]).update(amount=Decimal("0.01"))
    assert county_total(client) == "40.02"


def test_other_formats_are_cached_per_format(client, mini):
    cache.clear()
    as_csv = client.get(AGGREGATE + "&format=csv").content.decode()
    as_json = client.get(AGGREGATE).json()
    assert "Testshire County Council" in as_csv and as_json["summary"]["amount"] == "1140.01"
    assert client.get(AGGREGATE + "&format=csv").content.decode() == as_csv
    browsable = client.get(TOTALS, HTTP_ACCEPT="text/html")
    assert browsable.status_code == 200 and b"1140.01" in browsable.content


def test_an_edit_to_a_name_shown_in_cached_totals_is_served_at_once(client, mini):
    cache.clear()
    aggregate = client.get(AGGREGATE).json()
    names = {c["organisation"]["name"] for c in aggregate["cells"]}
    assert "Renamed Primary Care Trust" not in names
    start = generation()
    mini["pct"].name = "Renamed Primary Care Trust"
    mini["pct"].save()  # as the admin does
    assert generation() > start
    names = {c["organisation"]["name"] for c in client.get(AGGREGATE).json()["cells"]}
    assert "Renamed Primary Care Trust" in names


def test_a_bulk_reference_load_raises_the_generation_once_not_once_a_row(mini):
    from ledger.services.reference import reference_load_all

    start = generation()
    reference_load_all()  # hundreds of places, bodies and populations saved row by row
    assert generation() == start + 1
