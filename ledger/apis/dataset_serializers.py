"""Serializers for national datasets and the count of a place. Money is a decimal string."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ledger.models import Dataset, DatasetEdition, DatasetLine
from ledger.selectors.datasets import dataset_edition_account, dataset_edition_years

from .serializers import MemberSerializer, money_field


class EditionYearSerializer(serializers.Serializer):
    year = serializers.CharField(source="code")
    is_current = serializers.BooleanField(
        help_text="Whether the count of a place uses this edition for the year"
    )
    amount = money_field(allow_null=True, help_text="null until the edition is loaded")
    lines = serializers.IntegerField(allow_null=True)


class ExcludedSerializer(serializers.Serializer):
    reason = serializers.CharField()
    amount = money_field()


class MoneyAccountSerializer(serializers.Serializer):
    read = money_field(help_text="Money read from the file")
    loaded = money_field(help_text="Money loaded (or, before loading, to be loaded)")
    excluded = ExcludedSerializer(many=True)
    adds_up = serializers.BooleanField(help_text="read = loaded + every amount excluded")


class NotReportedSerializer(serializers.Serializer):
    organisation = MemberSerializer()
    year = serializers.CharField(source="financial_year.code")
    complete = serializers.BooleanField(help_text="Every figure of its row is missing")
    missing_figures = serializers.IntegerField(source="cells")


class DatasetEditionSerializer(serializers.ModelSerializer):
    dataset = serializers.CharField(source="dataset.slug", read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text="queued, running, needs_choices, invalid, failed, ready, loading, loaded, "
        "approved, sent_back or cancelled; only approved editions are public",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    years = serializers.SerializerMethodField()
    money = serializers.SerializerMethodField()
    not_reported = NotReportedSerializer(many=True, read_only=True)

    class Meta:
        model = DatasetEdition
        fields = [
            "id",
            "dataset",
            "edition",
            "version",
            "status",
            "status_label",
            "is_illustrative",
            "filename",
            "sha256",
            "unit_factor",
            "measure",
            "years",
            "money",
            "line_count",
            "not_reported_count",
            "not_reported",
            "created_at",
            "loaded_at",
            "approved_at",
        ]

    @extend_schema_field(EditionYearSerializer(many=True))
    def get_years(self, edition: DatasetEdition):
        return EditionYearSerializer(dataset_edition_years(edition=edition), many=True).data

    @extend_schema_field(MoneyAccountSerializer)
    def get_money(self, edition: DatasetEdition):
        account = dataset_edition_account(edition=edition)
        return MoneyAccountSerializer(
            {
                "read": account.read,
                "loaded": account.loaded,
                "excluded": [{"reason": r, "amount": a} for r, a in account.excluded],
                "adds_up": account.adds_up,
            }
        ).data


class DatasetSerializer(serializers.ModelSerializer):
    editions = DatasetEditionSerializer(source="shown_editions", many=True, read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "slug",
            "title",
            "publisher",
            "format",
            "route",
            "source_url",
            "licence",
            "description",
            "precedence",
            "editions",
        ]


class DatasetSourceSerializer(serializers.Serializer):
    """Where a line's figure is in the file, as published."""

    figure = serializers.IntegerField(source="figure_id")
    figure_amount = money_field(source="figure.amount")
    row = serializers.IntegerField(source="figure.source_row")
    column = serializers.CharField(source="figure.source_column")
    code = serializers.CharField(source="figure.source_code")
    label = serializers.CharField(source="figure.source_label")
    place = serializers.CharField(source="figure.source_place", help_text="The region as published")
    body = serializers.CharField(source="figure.body_name", help_text="The body as published")
    cofog = serializers.CharField(source="figure.cofog")


class DriverSerializer(serializers.Serializer):
    name = serializers.CharField(source="figure.driver", help_text="blank: not apportioned")
    year = serializers.CharField(source="figure.driver_year")
    source = serializers.CharField(source="figure.driver_source")


class DatasetLineSerializer(serializers.ModelSerializer):
    edition = serializers.IntegerField(source="edition_id", read_only=True)
    place = serializers.CharField(source="place.code", read_only=True)
    organisation = serializers.CharField(source="organisation.code", read_only=True)
    theme = serializers.CharField(source="theme.code", read_only=True)
    financial_year = serializers.CharField(source="financial_year.code", read_only=True)
    amount = money_field(read_only=True)
    source = DatasetSourceSerializer(source="*", read_only=True)
    driver = DriverSerializer(source="*", read_only=True)

    class Meta:
        model = DatasetLine
        fields = [
            "id",
            "edition",
            "place",
            "organisation",
            "theme",
            "financial_year",
            "amount",
            "spend_kind",
            "basis",
            "control",
            "source",
            "driver",
        ]
