"""How the pilot pages and forms put things: ROI as a multiple ("1.35×"), deep-dive themes by
name (not their codes), and a searchable "Lands with" list."""

import pytest
from django.urls import reverse

from ledger.models import Classification, ClassificationScheme

pytestmark = pytest.mark.django_db


def test_roi_is_a_multiple(client, world):
    # Costs £100 in year 0; fiscal savings £30 a year for five years: PV 135.4516.
    initiative = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "<dt>Financial ROI</dt><dd>1.35× <span" in initiative
    pilot = client.get(reverse("pilots:pilot-detail", args=["alpha"])).content.decode()
    assert "<td>1.35×</td>" in pilot


def test_deep_dive_themes_are_named(client, world):
    older, _ = Classification.objects.get_or_create(
        scheme=ClassificationScheme.DEEP_DIVE,
        code="older-people",
        defaults={"name": "Older people"},
    )
    client.force_login(world.lead_a)
    form = client.get(reverse("pilots:initiative-create", args=["alpha"])).content.decode()
    assert f'<option value="{older.pk}">{older.name}</option>' in form
    assert "older-people" not in form


def test_lands_with_is_searchable(client, world):
    client.force_login(world.lead_a)
    url = reverse("savings:benefit-create", args=[world.initiative.public_id])
    form = client.get(url).content.decode()
    assert 'name="beneficiary"' in form and 'data-searchable="organisations"' in form
    assert "js/select-filter.js" in form
