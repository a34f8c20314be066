"""A pilot's whole evidence pack in one response: pilots' records with savings' figures, every
item with its links. It lives here because it joins both apps, and savings builds on pilots."""

from collections import defaultdict

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.response import Response

from ledger.apis.serializers import money_field
from pilots.apis.serializers.pilots import (
    EvidenceSerializer,
    InitiativeSerializer,
    PilotSerializer,
    PlaceBudgetSubmissionSerializer,
)
from pilots.models import Pilot
from pilots.selectors import pages
from pilots.selectors.access import visible_evidence, visible_initiatives, visible_submissions
from savings.models import BenefitFlow, CostLine
from savings.selectors.realisation import (
    NOT_TRANSFERABLE,
    ledger_checks,
    realisation,
    savings_for,
)
from totalplace.query_params import KnownQueryParameters

from .realisation import RealisationSerializer, SavingSerializer
from .serializers import (
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
    savings = serializers.SerializerMethodField()

    class Meta(InitiativeSerializer.Meta):
        fields = InitiativeSerializer.Meta.fields + [
            "costs",
            "benefits",
            "evidence",
            "appraisal",
            "attribution",
            "savings",
        ]

    @extend_schema_field(SavingSerializer(many=True))
    def get_savings(self, initiative) -> list[dict]:
        items = self.context["savings_by_initiative"].get(initiative.pk, [])
        return SavingSerializer(items, many=True, context=self.context).data

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
    population_year = serializers.CharField(
        allow_null=True,
        help_text="the year of the population figure, when the year has none (the nearest)",
    )
    per_head = money_field(allow_null=True)


class EvidencePackSerializer(serializers.Serializer):
    """Everything recorded about a pilot that the caller may see."""

    pilot = PilotSerializer()
    spend = SpendYearSerializer(many=True, help_text="Approved ledger spend in the footprint")
    initiatives = PackInitiativeSerializer(many=True)
    evidence = EvidenceSerializer(many=True, help_text="Evidence about the pilot as a whole")
    place_budget_submissions = PlaceBudgetSubmissionSerializer(many=True)
    attribution = AttributionSerializer(allow_null=True)
    realisation = RealisationSerializer(help_text="Savings forecast against realised")


class EvidencePackViewSet(KnownQueryParameters, viewsets.GenericViewSet):
    """A pilot's evidence pack (``/pilots/<slug>/evidence-pack/``)."""

    queryset = Pilot.objects.select_related("programme", "lead_organisation")
    lookup_field = "slug"
    serializer_class = EvidencePackSerializer

    @extend_schema(responses=EvidencePackSerializer)
    def retrieve(self, request, slug=None):
        """The pilot's whole evidence pack in one call: the pilot, its ledger spend by year,
        every initiative the caller may see with its costs, benefits, appraisal, where its
        savings land and its evidence, the pilot's own evidence, its place-based budget
        submissions and the pilot's where-savings-land result; every item with its links."""
        pilot = self.get_object()
        user = request.user
        initiatives = list(
            visible_initiatives(user=user)
            .filter(pilot=pilot)
            .select_related(
                "pilot", "deep_dive", "service_theme", "baseline_year", "appraisal", "attribution"
            )
            .prefetch_related(
                Prefetch("costs", queryset=CostLine.objects.select_related("payer", "initiative")),
                Prefetch(
                    "benefits",
                    queryset=BenefitFlow.objects.select_related(
                        "beneficiary", "unit_cost__evidence_grade", "evidence_grade", "initiative"
                    ).prefetch_related(Prefetch("evidence", queryset=visible_evidence(user=user))),
                ),
            )
            .order_by("title")
        )
        evidence = list(
            visible_evidence(user=user)
            .filter(pilot=pilot)
            .select_related("pilot", "initiative")
            .order_by("title", "id")
        )
        by_initiative = defaultdict(list)
        for item in evidence:
            by_initiative[item.initiative_id].append(item)
        submissions = (
            visible_submissions(user=user)
            .filter(pilot=pilot)
            .select_related("pilot", "baseline_year")
            .prefetch_related(
                "savings__theme",
                "savings__organisation",
                "savings__initiative",
                Prefetch("linked_initiatives", queryset=visible_initiatives(user=user)),
                Prefetch("linked_evidence", queryset=visible_evidence(user=user)),
            )
        )
        savings = list(savings_for(subject=pilot, initiatives=visible_initiatives(user=user)))
        by_saving_initiative = defaultdict(list)
        for saving in savings:
            by_saving_initiative[saving.initiative_id].append(saving)
        rows, total = realisation(savings=savings)
        pack = {
            "pilot": pilot,
            "spend": pages.pilot_spend(pilot=pilot),
            "initiatives": initiatives,
            "evidence": by_initiative[None],
            "place_budget_submissions": submissions,
            "attribution": getattr(pilot, "attribution", None),
            "realisation": {
                "scope": "pilot",
                "key": pilot.slug,
                "caveat": NOT_TRANSFERABLE,
                "rows": rows,
                "total": total,
            },
        }
        context = {
            **self.get_serializer_context(),
            "evidence_by_initiative": by_initiative,
            "savings_by_initiative": by_saving_initiative,
            "ledger_checks": {c.saving.pk: c for c in ledger_checks(savings=savings)},
        }
        return Response(EvidencePackSerializer(pack, context=context).data)
