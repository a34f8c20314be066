"""Theme rules: shared ones from fixtures, an organisation's own first, unallocated otherwise."""

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from ledger.models import ImportJobStatus, ServiceTheme, ThemeRule, ThemeRuleField
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.themes import (
    theme_matcher_for,
    theme_rule_create,
    theme_rule_delete,
    theme_rules_load,
)
from ledger.services.reference import REFERENCE_DIR
from tests.factories import UserFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db


def _code(pk: int) -> str:
    return ServiceTheme.objects.get(pk=pk).code


@pytest.mark.parametrize(
    ("fields", "theme"),
    [
        ({"service_label": "Adult Social Care"}, "adult-social-care"),
        ({"service_label": "Central & Corporate Functions"}, "central-services"),
        ({"service_label": "Aire Valley Homes Leeds"}, "housing"),
        ({"expense_area": "Car Park-High St, Skipton"}, "highways-transport"),  # not "park"
        ({"expense_area": "Aireville Park (Capital)"}, "cultural-parks"),
        ({"expense_area": "Housing Benefit Payments"}, "housing-benefit"),  # not "housing"
        ({"expense_code": "EDU", "expense_area": "Recycling"}, "education"),  # code first
        (
            {"service_label": "East - North East", "expense_area": "Technical Services"},
            "unallocated",
        ),
        ({}, "unallocated"),
    ],
)
def test_shared_rules(leeds, fields, theme):
    assert _code(theme_matcher_for(organisation=leeds).theme_for(**fields)) == theme


def test_an_organisations_own_rules_come_first(leeds, officer, craven):
    housing = ServiceTheme.objects.get(code="housing-development")
    rule = theme_rule_create(
        organisation=leeds,
        field=ThemeRuleField.SERVICE_LABEL,
        match="exact",
        pattern="East - North East",
        theme=housing,
        actor=officer,
        note="ALMO",
    )
    matcher = theme_matcher_for(organisation=leeds)
    # Compared normalised: case, dashes and punctuation do not matter.
    assert _code(matcher.theme_for(service_label="east – north east")) == "housing-development"
    assert _code(matcher.theme_for(service_label="East - North-West")) == "unallocated"
    assert _code(matcher.theme_for(service_label="Adult Social Care")) == "adult-social-care"
    # Craven is not affected by Leeds's rule.
    other = theme_matcher_for(organisation=craven)
    assert _code(other.theme_for(service_label="East - North East")) == "unallocated"
    with pytest.raises(ValidationError):
        theme_rule_create(
            organisation=leeds,
            field="service_label",
            match="exact",
            pattern="east - north east",
            theme=housing,
            actor=officer,
        )
    with pytest.raises(PermissionDenied):
        theme_rule_delete(rule=rule, actor=UserFactory())
    theme_rule_delete(rule=rule, actor=officer)
    with pytest.raises(PermissionDenied):
        theme_rule_delete(rule=ThemeRule.objects.filter(organisation=None).first(), actor=officer)


def test_a_new_rule_allocates_the_next_import(leeds_draft, officer, leeds):
    rows = [DCLG_HEADER, dclg_row(area="Mystery Unit", amount="10.00")]
    first = preview(leeds_draft, csv_bytes(rows))
    assert (first.unallocated_count, first.unallocated[0]["expense_area"]) == (1, "Mystery Unit")
    theme_rule_create(
        organisation=leeds,
        field="expense_area",
        match="contains",
        pattern="mystery",
        theme=ServiceTheme.objects.get(code="police"),
        actor=officer,
    )
    second = preview(leeds_draft, csv_bytes(rows + [dclg_row(area="Mystery Unit", number=2)]))
    assert (second.status, second.unallocated_count) == (ImportJobStatus.READY, 0)
    import_job_confirm(job=second, actor=officer)
    assert set(leeds_draft.lines.values_list("theme__code", flat=True)) == {"police"}


def test_loading_the_shared_rules_is_idempotent(reference_data):
    count = ThemeRule.objects.filter(organisation=None).count()
    result = theme_rules_load(path=Path(REFERENCE_DIR) / "theme_rules.csv")
    assert (result.created, result.updated, result.unchanged) == (0, 0, count)


def test_rules_page(client, officer, leeds):
    client.force_login(officer)
    response = client.post(
        reverse("theme-rule-list"),
        {
            "organisation": leeds.pk,
            "field": "service_label",
            "match": "exact",
            "pattern": "West - North West",
            "theme": ServiceTheme.objects.get(code="housing").pk,
            "note": "ALMO",
        },
    )
    assert response.status_code == 302
    rule = ThemeRule.objects.get(organisation=leeds)
    page = client.get(reverse("theme-rule-list")).content.decode()
    assert "“West - North West”" in page and "Shared rules" in page
    client.post(reverse("theme-rule-delete", args=[rule.pk]))
    assert not ThemeRule.objects.filter(organisation=leeds).exists()
