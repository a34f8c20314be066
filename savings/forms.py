"""Forms for costs and benefits; the services validate again and do the writing."""

from django import forms
from django.db.models import Q

from ledger.models import FinancialYear, Organisation, SpendReturn, SpendReturnStatus
from pilots.models import EvidenceItem
from savings.models import BenefitFlow, CostLine, Saving
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


class SavingForm(ServiceModelForm):
    class Meta:
        model = Saving
        fields = list(Saving.INPUT_FIELDS)
        labels = {
            "payer": "Paid for by",
            "receiver": "Lands with",
            "financial_year": "Financial year",
            "forecast": "Forecast saving (£)",
            "is_cashable": "Cashable",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("payer", "receiver"):
            self.fields[name].queryset = _organisations()
            self.fields[name].widget.attrs["data-searchable"] = "organisations"
        self.fields["financial_year"].queryset = FinancialYear.objects.order_by("start_date")


class SavingCashForm(forms.Form):
    amount = forms.DecimalField(
        label="Amount cashed (£)", max_digits=17, decimal_places=2, min_value=0
    )
    financial_year = forms.ModelChoiceField(
        label="Financial year it was cashed in", queryset=FinancialYear.objects.none()
    )
    spend_return = forms.ModelChoiceField(
        label="The return whose lines show it",
        queryset=SpendReturn.objects.none(),
        required=False,
        empty_label="None yet",
    )

    def __init__(self, *args, saving: Saving, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["financial_year"].queryset = FinancialYear.objects.order_by("start_date")
        self.fields["spend_return"].queryset = (
            SpendReturn.objects.filter(organisation_id=saving.receiver_id)
            .filter(status__in=SpendReturnStatus.public())
            .select_related("financial_year", "organisation")
            .order_by("-financial_year__start_date", "-version")
        )


class SavingNotRealisedForm(forms.Form):
    reason = forms.CharField(
        label="Why it was not realised", widget=forms.Textarea, max_length=2000
    )
