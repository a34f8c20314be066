"""Rules added after an import theme the draft's unallocated lines, without importing again."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from rest_framework.test import APIClient

from ledger.models import ServiceTheme, SpendLine, WorkflowAction, WorkflowEvent
from ledger.services.access import api_token_create
from ledger.services.approval import spend_return_submit
from ledger.services.imports.themes import theme_rule_create
from ledger.services.lines import spend_lines_apply_theme_rules
from tests.ledger.import_helpers import confirmed, dclg_row

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(leeds_draft):
    rows = [
        dclg_row(amount="10.00", area="Mystery Area", number=1),
        dclg_row(amount="20.50", area="Mystery Area", number=2),
        dclg_row(amount="5.00", area="Another Unknown", number=3),
        dclg_row(amount="7.00", area="Libraries", number=4),
    ]
    confirmed(leeds_draft, rows)
    return leeds_draft


def _themes(spend_return):
    return dict(spend_return.lines.values_list("expense_area", "theme__code").distinct())


def _rule(officer, leeds, pattern, theme_code):
    theme_rule_create(
        organisation=leeds,
        field="expense_area",
        match="exact",
        pattern=pattern,
        theme=ServiceTheme.objects.get(code=theme_code),
        actor=officer,
    )


def test_unallocated_lines_take_the_theme_a_new_rule_gives(draft, officer, leeds):
    before = _themes(draft)
    assert before["Mystery Area"] == before["Another Unknown"] == "unallocated"
    libraries = before["Libraries"]
    assert libraries != "unallocated"
    # A hand-set theme the rules would not give stays as it is.
    hand = draft.lines.get(expense_area="Libraries")
    SpendLine.objects.filter(pk=hand.pk).update(
        theme=ServiceTheme.objects.get(code="childrens-youth")
    )
    _rule(officer, leeds, "mystery area", "cultural-parks")
    _rule(officer, leeds, "libraries", "environment-regulation")

    result = spend_lines_apply_theme_rules(spend_return=draft, actor=officer)

    assert result == {"allocated": 2, "still_unallocated": 1}
    assert _themes(draft) == {
        "Mystery Area": "cultural-parks",
        "Another Unknown": "unallocated",
        "Libraries": "childrens-youth",
    }
    event = WorkflowEvent.objects.get(spend_return=draft, action=WorkflowAction.THEMES_APPLIED)
    assert (event.actor_name, event.detail) == (
        "officer",
        {"lines": 2, "total": "30.50", "still_unallocated": 1},
    )
    # Again: nothing left that a rule matches, so nothing changes and nothing is recorded.
    assert spend_lines_apply_theme_rules(spend_return=draft, actor=officer) == {
        "allocated": 0,
        "still_unallocated": 1,
    }
    assert WorkflowEvent.objects.filter(action=WorkflowAction.THEMES_APPLIED).count() == 1


def test_only_the_officers_of_a_draft_may(draft, officer, approver, leeds):
    _rule(officer, leeds, "mystery area", "cultural-parks")
    with pytest.raises(PermissionDenied):
        spend_lines_apply_theme_rules(spend_return=draft, actor=approver)
    spend_return_submit(spend_return=draft, actor=officer)
    with pytest.raises(ValidationError, match="cannot change"):
        spend_lines_apply_theme_rules(spend_return=draft, actor=officer)
    assert _themes(draft)["Mystery Area"] == "unallocated"


def test_the_return_page_offers_it_and_says_what_it_did(client, draft, officer, approver, leeds):
    detail = reverse("spend-return-detail", args=[draft.pk])
    action = reverse("spend-return-apply-theme-rules", args=[draft.pk])
    client.force_login(approver)
    assert action not in client.get(detail).content.decode()
    client.force_login(officer)
    assert action in client.get(detail).content.decode()
    response = client.post(action, follow=True)
    assert "No rule matches any of the 3 unallocated lines yet." in response.content.decode()
    _rule(officer, leeds, "another unknown", "cultural-parks")
    page = client.post(action, follow=True).content.decode()
    assert "1 line now have a theme; 2 still match no rule." not in page
    assert "1 line now has a theme; 2 still match no rule." in page
    assert "Theme rules applied" in page and "£5.00" in page
    assert draft.lines.filter(theme__code="unallocated").count() == 2
    assert sum(draft.lines.values_list("amount", flat=True)) == Decimal("42.50")


def test_a_token_client_applies_them_too(draft, officer, leeds, client):
    _, key = api_token_create(user=officer, organisation=leeds, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    _rule(officer, leeds, "mystery area", "cultural-parks")
    url = f"/api/v1/organisation/spend-returns/{draft.pk}/apply-theme-rules/"
    body = api.post(url).json()
    assert (body["allocated"], body["still_unallocated"]) == (2, 1)
    assert (body["spend_return"]["id"], body["spend_return"]["status"]) == (draft.pk, "draft")
    assert _themes(draft)["Mystery Area"] == "cultural-parks"
    spend_return_submit(spend_return=draft, actor=officer)
    refused = api.post(url)
    assert refused.status_code == 400
    assert "cannot change" in refused.json()["error"]["message"]
    schema = client.get("/api/schema/?format=json").json()
    post = schema["paths"]["/api/v1/organisation/spend-returns/{id}/apply-theme-rules/"]["post"]
    assert "never changed" in post["description"]
