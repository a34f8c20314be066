"""Query filters for the savings list endpoints (they appear in the OpenAPI schema)."""

import django_filters

from savings.models import Appraisal, BenefitFlow, CostLine


class CostLineFilter(django_filters.FilterSet):
    initiative = django_filters.UUIDFilter(
        field_name="initiative__public_id", help_text="Initiative id"
    )

    class Meta:
        model = CostLine
        fields = ["initiative", "kind"]


class BenefitFlowFilter(django_filters.FilterSet):
    initiative = django_filters.UUIDFilter(
        field_name="initiative__public_id", help_text="Initiative id"
    )

    class Meta:
        model = BenefitFlow
        fields = ["initiative", "value_type"]


class AppraisalFilter(django_filters.FilterSet):
    pilot = django_filters.CharFilter(field_name="initiative__pilot__slug", help_text="Pilot slug")

    class Meta:
        model = Appraisal
        fields = ["pilot"]
