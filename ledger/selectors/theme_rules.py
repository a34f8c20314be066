"""Reads for theme rules: an organisation's own and the shared ones."""

from django.db.models import Q, QuerySet

from ledger.models import ThemeRule
from ledger.selectors.access import acting_organisation_ids


def theme_rules_for(*, organisation_ids) -> QuerySet[ThemeRule]:
    return (
        ThemeRule.objects.filter(Q(organisation_id__in=organisation_ids))
        .select_related("theme", "organisation")
        .order_by("organisation__name", "field", "pattern")
    )


def shared_theme_rules() -> QuerySet[ThemeRule]:
    return ThemeRule.objects.filter(organisation__isnull=True).select_related("theme")


def theme_rule_get(*, user, pk: int) -> ThemeRule:
    """An organisation's own rule, of an organisation ``user`` acts for; raises DoesNotExist."""
    acting = acting_organisation_ids(user=user)
    rules = ThemeRule.objects.filter(organisation__isnull=False).select_related("organisation")
    if acting is not None:
        rules = rules.filter(organisation_id__in=acting)
    return rules.get(pk=pk)
