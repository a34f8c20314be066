"""The returns list's organisation filter offers every organisation whose returns one may see."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from ledger.permissions import ANALYSTS_GROUP
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db


def test_an_analyst_filters_approved_returns_by_any_organisation(
    client, leeds_draft, officer, approver, craven, year_2010
):
    confirmed(leeds_draft, [dclg_row()])
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="January only.")
    craven_draft = spend_return_create(organisation=craven, financial_year=year_2010, actor=None)
    analyst = UserFactory()
    analyst.groups.add(Group.objects.get_or_create(name=ANALYSTS_GROUP)[0])
    client.force_login(analyst)
    page = client.get(reverse("spend-return-list")).content.decode()
    # Leeds has an approved return; Craven only a draft, which an analyst does not see.
    assert f'<option value="{leeds_draft.organisation_id}"' in page
    assert f'<option value="{craven.pk}"' not in page
    filtered = client.get(reverse("spend-return-list"), {"organisation": craven.pk})
    assert "No spend return matches these filters." in filtered.content.decode()
    # The officer acts for Craven too, so sees its draft and can filter by it.
    client.force_login(officer)
    page = client.get(reverse("spend-return-list"), {"organisation": craven.pk}).content.decode()
    assert f'<option value="{craven.pk}" selected>' in page
    assert f"/spend-returns/{craven_draft.pk}/" in page
