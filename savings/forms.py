"""Forms for costs and benefits; the services validate again and do the writing."""

from django.db.models import Q

from ledger.models import Organisation
from pilots.models import EvidenceItem
from savings.models import BenefitFlow, CostLine
from totalplace.forms import ServiceModelForm


def _organisations():
    return Organisation.objects.order_by("name")


class CostLineForm(ServiceModelForm):
    class Meta:
        model = CostLine
        fields = list(CostLine.INPUT_FIELDS)
        labels = {
            "payer": "Paid by",
            "year": "Year (0 = the first year)",
            "amount": "Amount (£)",
            "optimism_bias_percent": "Optimism bias uplift (%)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["payer"].queryset = _organisations()


class BenefitFlowForm(ServiceModelForm):
    class Meta:
        model = BenefitFlow
        fields = [*BenefitFlow.INPUT_FIELDS, *BenefitFlow.LINK_FIELDS]
        labels = {
            "beneficiary": "Lands with",
            "amount_per_year": "Amount a year (£), or…",
            "outcomes_per_year": "…outcomes a year",
            "unit_cost": "× unit cost",
            "lag": "First year (lag)",
            "duration": "Duration (years)",
            "drop_off_percent": "Drop-off a year (%)",
            "deadweight_percent": "Deadweight (%)",
            "attribution_percent": "Attribution (%)",
            "optimism_bias_percent": "Optimism bias reduction (%)",
            "cashable_percent": "Cashable share (%)",
            "evidence_grade": "Evidence grade",
            "evidence": "Evidence it rests on",
        }
        help_texts = {
            "optimism_bias_percent": "Leave blank to use the evidence grade's",
        }

    def __init__(self, *args, initiative=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["optimism_bias_percent"].required = False
        self.fields["evidence_grade"].empty_label = "Not graded"
        evidence = self.fields["evidence"]
        evidence.required = False
        evidence.queryset = (
            EvidenceItem.objects.filter(pilot_id=initiative.pilot_id)
            .filter(Q(initiative__isnull=True) | Q(initiative=initiative))
            .order_by("title")
            if initiative is not None
            else EvidenceItem.objects.none()
        )
        self.fields["beneficiary"].queryset = _organisations()
        self.fields["beneficiary"].empty_label = "People, not a public body (economic or social)"
        # Hundreds of bodies: the page adds a search box that narrows the list as one types.
        self.fields["beneficiary"].widget.attrs["data-searchable"] = "organisations"
