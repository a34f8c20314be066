"""Forms parse and check input; the services do the writing."""

from django import forms
from django.conf import settings

from ledger.models import Classification, ClassificationScheme, FinancialYear
from pilots.models import EvidenceItem, Initiative, Pilot
from totalplace.forms import ServiceModelForm
from totalplace.uploads import human_size, validate_upload_size


class InitiativeForm(ServiceModelForm):
    class Meta:
        model = Initiative
        fields = [
            "title",
            "summary",
            "status",
            "deep_dive",
            "service_theme",
            "baseline_year",
            "baseline_entered_amount",
            "baseline_entered_source",
        ]
        labels = {
            "deep_dive": "Deep-dive theme",
            "baseline_entered_amount": "Baseline spend, if the ledger has none (£)",
            "baseline_entered_source": "Source of that figure",
        }
        help_texts = {
            "service_theme": "The baseline counts this theme and its sub-themes.",
            "baseline_year": "Spend in this year is the baseline (2010-11 by default).",
        }
        widgets = {"summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deep_dive"].queryset = Classification.objects.filter(
            scheme=ClassificationScheme.DEEP_DIVE
        )
        # "Older people", not "older-people Older people": the code is for machines.
        self.fields["deep_dive"].label_from_instance = lambda theme: theme.name
        self.fields["baseline_year"].queryset = FinancialYear.objects.filter(
            start_date__year__range=(2000, 2030)
        )

    def clean(self):
        data = super().clean()
        if not data.get("deep_dive") and not data.get("service_theme"):
            self.add_error("service_theme", "Choose a deep-dive theme, a service theme, or both.")
        return data


class EvidenceForm(ServiceModelForm):
    url = forms.URLField(
        max_length=500, required=False, assume_scheme="https", label="Link (links and datasets)"
    )

    class Meta:
        model = EvidenceItem
        fields = [
            "kind",
            "title",
            "initiative",
            "description",
            "file",
            "url",
            "body",
            "source",
            "published_on",
            "is_published",
        ]
        labels = {
            "file": "File (documents and datasets)",
            "body": "Note (notes only)",
            "is_published": "Published: visible to everyone",
        }
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "body": forms.Textarea(attrs={"rows": 8}),
            "published_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, pilot: Pilot, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["initiative"].queryset = pilot.initiatives.order_by("title")
        self.fields["initiative"].required = False
        self.fields["initiative"].empty_label = "The pilot as a whole"
        self.fields["file"].validators.append(validate_upload_size)
        self.fields["file"].help_text = f"At most {human_size(settings.MAX_UPLOAD_BYTES)}."
