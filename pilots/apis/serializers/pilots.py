"""Programmes, pilots, initiatives, evidence and place-based budget submissions."""

from django.urls import reverse as django_reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ledger.apis.serializers import UploadField, money_field
from ledger.models import (
    Classification,
    ClassificationScheme,
    FinancialYear,
    Organisation,
    ServiceTheme,
)
from pilots.models import (
    EvidenceItem,
    Initiative,
    Pilot,
    PlaceBudgetSubmission,
    Programme,
    SubmissionSaving,
)
from totalplace.uploads import validate_upload_size

from .common import (
    OrganisationBriefSerializer,
    Percent,
    PlaceBriefSerializer,
    PublishedField,
    absolute,
    api_url,
    attribution_url,
)


class ThemeRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class ProgrammeSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = Programme
        fields = ["slug", "name", "period", "summary", "url", "html_url"]

    def get_url(self, programme) -> str:
        return api_url(self.context.get("request"), "api-programme-detail", programme.slug)

    def get_html_url(self, programme) -> str:
        path = django_reverse("pilots:programme-detail", args=[programme.slug])
        return absolute(self.context.get("request"), path)


class PilotSerializer(serializers.ModelSerializer):
    """A pilot or parallel place, its footprint, lead and deep-dive themes, with links."""

    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    places = PlaceBriefSerializer(many=True, read_only=True)
    lead_organisation = OrganisationBriefSerializer(read_only=True, allow_null=True)
    deep_dives = ThemeRefSerializer(many=True, read_only=True)
    service_themes = ThemeRefSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    evidence_pack_url = serializers.SerializerMethodField()
    attribution_url = serializers.SerializerMethodField()

    class Meta:
        model = Pilot
        fields = [
            "slug", "name", "programme", "kind", "status", "places", "lead_organisation",
            "deep_dives", "service_themes", "summary", "is_illustrative", "url", "html_url",
            "evidence_pack_url", "attribution_url",
        ]  # fmt: skip

    def get_url(self, pilot) -> str:
        return api_url(self.context.get("request"), "api-pilot-detail", pilot.slug)

    def get_html_url(self, pilot) -> str:
        path = django_reverse("pilots:pilot-detail", args=[pilot.slug])
        return absolute(self.context.get("request"), path)

    def get_evidence_pack_url(self, pilot) -> str:
        return api_url(self.context.get("request"), "api-pilot-evidence-pack", pilot.slug)

    def get_attribution_url(self, pilot) -> str:
        return attribution_url(self.context.get("request"), "pilot", pilot.slug)


class PilotUpdateSerializer(serializers.ModelSerializer):
    """What a pilot's leads may change: summary, status and themes (by code)."""

    deep_dives = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DEEP_DIVE),
        many=True,
        required=False,
    )
    service_themes = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceTheme.objects.all(), many=True, required=False
    )

    class Meta:
        model = Pilot
        fields = ["summary", "status", "deep_dives", "service_themes"]


class InitiativeSerializer(serializers.ModelSerializer):
    """An initiative (business case). Write with ``pilot`` (slug), theme codes and year code."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    pilot = serializers.SlugRelatedField(slug_field="slug", queryset=Pilot.objects.all())
    deep_dive = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Classification.objects.filter(scheme=ClassificationScheme.DEEP_DIVE),
        allow_null=True,
        required=False,
    )
    service_theme = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceTheme.objects.all(), allow_null=True, required=False
    )
    baseline_year = serializers.SlugRelatedField(
        slug_field="code", queryset=FinancialYear.objects.all(), required=False
    )
    baseline_entered_amount = money_field(allow_null=True, required=False)
    baseline_ledger_amount = money_field(read_only=True, allow_null=True)
    baseline_amount = money_field(read_only=True, allow_null=True)
    baseline_basis = serializers.CharField(read_only=True)
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()
    appraisal_url = serializers.SerializerMethodField()
    attribution_url = serializers.SerializerMethodField()

    class Meta:
        model = Initiative
        fields = [
            "id", "pilot", "title", "summary", "status", "deep_dive", "service_theme",
            "baseline_year", "baseline_basis", "baseline_amount", "baseline_ledger_amount",
            "baseline_ledger_lines", "baseline_entered_amount", "baseline_entered_source",
            "is_illustrative", "created_at", "updated_at", "url", "html_url", "appraisal_url",
            "attribution_url",
        ]  # fmt: skip
        read_only_fields = ["baseline_ledger_lines", "is_illustrative", "created_at", "updated_at"]

    def get_url(self, initiative) -> str:
        return api_url(self.context.get("request"), "api-initiative-detail", initiative.public_id)

    def get_html_url(self, initiative) -> str:
        return absolute(self.context.get("request"), initiative.get_absolute_url())

    def get_appraisal_url(self, initiative) -> str:
        return api_url(self.context.get("request"), "api-appraisal-detail", initiative.public_id)

    def get_attribution_url(self, initiative) -> str:
        return attribution_url(self.context.get("request"), "initiative", initiative.public_id)


class EvidenceSerializer(serializers.ModelSerializer):
    """A document, link, dataset or note. ``permalink`` never changes, whatever is edited."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    pilot = serializers.SlugRelatedField(slug_field="slug", queryset=Pilot.objects.all())
    initiative = serializers.SlugRelatedField(
        slug_field="public_id",
        queryset=Initiative.objects.all(),
        allow_null=True,
        required=False,
    )
    file = UploadField(
        write_only=True, required=False, allow_null=True, validators=[validate_upload_size]
    )
    is_published = PublishedField()
    filename = serializers.CharField(read_only=True)
    link = serializers.URLField(source="url", max_length=500, required=False, allow_blank=True)
    download_url = serializers.SerializerMethodField()
    permalink = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = EvidenceItem
        fields = [
            "id", "pilot", "initiative", "kind", "title", "description", "link", "body",
            "source", "published_on", "is_published", "is_illustrative", "file", "filename",
            "file_size", "file_sha256", "download_url", "permalink", "url", "created_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = [
            "is_illustrative",
            "file_size",
            "file_sha256",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_download_url(self, item) -> str | None:
        if not item.file:
            return None
        path = django_reverse("pilots:evidence-download", args=[item.public_id])
        return absolute(self.context.get("request"), path)

    def get_permalink(self, item) -> str:
        return absolute(self.context.get("request"), item.get_absolute_url())

    def get_url(self, item) -> str:
        return api_url(self.context.get("request"), "api-evidence-detail", item.public_id)


class SubmissionSavingSerializer(serializers.ModelSerializer):
    theme = serializers.SlugRelatedField(
        slug_field="code", queryset=ServiceTheme.objects.all(), allow_null=True, required=False
    )
    organisation = serializers.SlugRelatedField(
        slug_field="code", queryset=Organisation.objects.all(), allow_null=True, required=False
    )
    initiative = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Initiative.objects.all(), allow_null=True, required=False
    )
    baseline = money_field(allow_null=True, required=False)
    saving = money_field()

    class Meta:
        model = SubmissionSaving
        fields = ["description", "theme", "organisation", "initiative", "baseline", "saving"]


class PlaceBudgetSubmissionSerializer(serializers.ModelSerializer):
    """The August 2010 request: savings against 2010-11 baselines and their build-up
    (``savings``), the dividend of a place-based budget versus aligned or separate funding,
    benefits-budget savings against a counterfactual and their Treasury / local split, and the
    linked cost-benefit analyses. Writing ``savings`` replaces the whole build-up."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    pilot = serializers.SlugRelatedField(slug_field="slug", queryset=Pilot.objects.all())
    baseline_year = serializers.SlugRelatedField(
        slug_field="code", queryset=FinancialYear.objects.all(), required=False
    )
    savings = SubmissionSavingSerializer(many=True, required=False)
    total_saving = serializers.SerializerMethodField()
    total_spend_baseline = money_field(allow_null=True, required=False)
    dividend_vs_aligned_amount = money_field(allow_null=True, required=False)
    dividend_vs_separate_amount = money_field(allow_null=True, required=False)
    benefits_counterfactual = money_field(allow_null=True, required=False)
    benefits_projected = money_field(allow_null=True, required=False)
    benefits_saving = money_field(read_only=True, allow_null=True)
    benefits_local_share_percent = Percent(read_only=True, allow_null=True)
    linked_initiatives = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Initiative.objects.all(), many=True, required=False
    )
    linked_evidence = serializers.SlugRelatedField(
        slug_field="public_id", queryset=EvidenceItem.objects.all(), many=True, required=False
    )
    is_published = PublishedField()
    url = serializers.SerializerMethodField()
    html_url = serializers.SerializerMethodField()

    class Meta:
        model = PlaceBudgetSubmission
        fields = [
            "id", "pilot", "title", "submitted_on", "summary", "baseline_year",
            "total_spend_baseline", "total_spend_baseline_source", "savings", "total_saving",
            "dividend_vs_aligned_amount", "dividend_vs_aligned_percent",
            "dividend_vs_separate_amount", "dividend_vs_separate_percent", "dividend_notes",
            "benefits_counterfactual", "benefits_counterfactual_source", "benefits_projected",
            "benefits_saving",
            "benefits_treasury_share_percent", "benefits_local_share_percent", "benefits_notes",
            "linked_initiatives", "linked_evidence", "is_published", "is_illustrative", "url",
            "html_url",
        ]  # fmt: skip
        read_only_fields = ["is_illustrative"]

    @extend_schema_field(money_field())
    def get_total_saving(self, submission) -> str:
        total = sum((row.saving for row in submission.savings.all()), start=0)
        return f"{total:.2f}"

    def get_url(self, submission) -> str:
        return api_url(self.context.get("request"), "api-submission-detail", submission.public_id)

    def get_html_url(self, submission) -> str:
        return absolute(self.context.get("request"), submission.get_absolute_url())
