"""A pilot's whole evidence pack in one response, every item with its links."""

from rest_framework import serializers

from ledger.apis.serializers import money_field

from .pilots import (
    EvidenceSerializer,
    InitiativeSerializer,
    PilotSerializer,
    PlaceBudgetSubmissionSerializer,
)
from .savings import (
    AppraisalSerializer,
    AttributionSerializer,
    BenefitFlowSerializer,
    CostLineSerializer,
)


class PackInitiativeSerializer(InitiativeSerializer):
    costs = CostLineSerializer(many=True, read_only=True)
    benefits = BenefitFlowSerializer(many=True, read_only=True)
    evidence = serializers.SerializerMethodField()
    appraisal = serializers.SerializerMethodField()
    attribution = serializers.SerializerMethodField()

    class Meta(InitiativeSerializer.Meta):
        fields = InitiativeSerializer.Meta.fields + [
            "costs",
            "benefits",
            "evidence",
            "appraisal",
            "attribution",
        ]

    def get_evidence(self, initiative) -> list[dict]:
        items = self.context["evidence_by_initiative"].get(initiative.pk, [])
        return EvidenceSerializer(items, many=True, context=self.context).data

    def get_appraisal(self, initiative) -> dict | None:
        appraisal = getattr(initiative, "appraisal", None)
        return AppraisalSerializer(appraisal, context=self.context).data if appraisal else None

    def get_attribution(self, initiative) -> dict | None:
        attribution = getattr(initiative, "attribution", None)
        return (
            AttributionSerializer(attribution, context=self.context).data if attribution else None
        )


class SpendYearSerializer(serializers.Serializer):
    financial_year = serializers.CharField()
    amount = money_field()
    lines = serializers.IntegerField()
    population = serializers.IntegerField(allow_null=True)
    per_head = money_field(allow_null=True)


class EvidencePackSerializer(serializers.Serializer):
    """Everything recorded about a pilot that the caller may see."""

    pilot = PilotSerializer()
    spend = SpendYearSerializer(many=True, help_text="Approved ledger spend in the footprint")
    initiatives = PackInitiativeSerializer(many=True)
    evidence = EvidenceSerializer(many=True, help_text="Evidence about the pilot as a whole")
    place_budget_submissions = PlaceBudgetSubmissionSerializer(many=True)
    attribution = AttributionSerializer(allow_null=True)
