"""Query filters for the list endpoints (they appear in the OpenAPI schema)."""

import django_filters

from pilots.models import EvidenceItem, Initiative, Pilot, PlaceBudgetSubmission


class PilotFilter(django_filters.FilterSet):
    programme = django_filters.CharFilter(field_name="programme__slug", help_text="Programme slug")

    class Meta:
        model = Pilot
        fields = ["programme", "kind", "status"]


class InitiativeFilter(django_filters.FilterSet):
    pilot = django_filters.CharFilter(field_name="pilot__slug", help_text="Pilot slug")

    class Meta:
        model = Initiative
        fields = ["pilot", "status"]


class EvidenceFilter(django_filters.FilterSet):
    pilot = django_filters.CharFilter(field_name="pilot__slug", help_text="Pilot slug")
    initiative = django_filters.UUIDFilter(
        field_name="initiative__public_id", help_text="Initiative id"
    )

    class Meta:
        model = EvidenceItem
        fields = ["pilot", "initiative", "kind"]


class SubmissionFilter(django_filters.FilterSet):
    pilot = django_filters.CharFilter(field_name="pilot__slug", help_text="Pilot slug")

    class Meta:
        model = PlaceBudgetSubmission
        fields = ["pilot"]
