"""Serializers for the spend-returns API. Money is always a decimal string in pounds."""

from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from ledger.calculations.coverage import (
    ALL_YEAR,
    ALL_YEAR_LABEL,
    mask_to_months,
    months_label,
    months_to_mask,
)
from ledger.models import ImportCorrection, ImportJob, ImportMode, SpendReturn
from ledger.services.imports.apportionment import DRIVERS
from totalplace.uploads import validate_spreadsheet, validate_upload_size

from .serializers import StoredMessageField, UploadField, money_field

MONTH_LIST = {"type": "array", "items": {"type": "integer", "minimum": 1, "maximum": 12}}


@extend_schema_field(
    {
        "oneOf": [{**MONTH_LIST, "minItems": 1}, {"type": "string", "enum": [ALL_YEAR_LABEL]}],
        "nullable": True,
    }
)
class DeclaredMonthsField(serializers.Field):
    """Months as the officer declares them: month numbers (1 = January) or "all year"."""

    def to_internal_value(self, data) -> int:
        if data == ALL_YEAR_LABEL:
            return ALL_YEAR
        if not isinstance(data, list) or not data:
            raise serializers.ValidationError(
                f"Give a list of month numbers (1 = January), or “{ALL_YEAR_LABEL}”."
            )
        if not all(isinstance(m, int) and not isinstance(m, bool) for m in data):
            raise serializers.ValidationError("Months are numbers from 1 (January) to 12.")
        try:
            return months_to_mask(data)
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from exc

    def to_representation(self, value):
        return mask_to_months(value)


def _months(mask: int | None) -> list[int] | None:
    return None if mask is None else mask_to_months(mask)


class OrganisationRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class OrganisationSpendReturnSerializer(serializers.ModelSerializer):
    organisation = OrganisationRefSerializer(read_only=True)
    financial_year = serializers.CharField(source="financial_year.code", read_only=True)
    place = serializers.SerializerMethodField()
    control_total = money_field(allow_null=True, read_only=True)
    line_count = serializers.IntegerField(read_only=True)
    total = money_field(source="line_total", read_only=True)
    mapping = serializers.CharField(source="mapping.name", default=None, read_only=True)
    months = serializers.SerializerMethodField(
        help_text="The months it covers (1 = January), April first: as its officer declared, "
        "else from its lines' dates (recorded when it is submitted); null when not known."
    )
    months_label = serializers.SerializerMethodField(
        help_text="“all year”, “Apr–Jun, Jan” or “months not known”"
    )
    declared_months = serializers.SerializerMethodField(
        help_text="The months its officer declared, if any (null: from its lines' dates)."
    )

    class Meta:
        model = SpendReturn
        fields = [
            "id",
            "organisation",
            "financial_year",
            "place",
            "version",
            "status",
            "title",
            "notes",
            "control_total",
            "line_count",
            "total",
            "source_filename",
            "source_sha256",
            "mapping",
            "is_illustrative",
            "months",
            "months_label",
            "declared_months",
            "accruals_basis",
            "accruals_reason",
            "created_at",
            "submitted_at",
            "approved_at",
            "sent_back_at",
            "send_back_reason",
            "superseded_by",
        ]
        read_only_fields = fields

    def get_place(self, spend_return) -> str | None:
        return spend_return.place.code if spend_return.place_id else None

    @extend_schema_field({**MONTH_LIST, "nullable": True})
    def get_months(self, spend_return) -> list[int] | None:
        return _months(spend_return.months_covered)

    def get_months_label(self, spend_return) -> str:
        return months_label(spend_return.months_covered)

    @extend_schema_field({**MONTH_LIST, "nullable": True})
    def get_declared_months(self, spend_return) -> list[int] | None:
        return _months(spend_return.declared_months)


class SpendReturnCreateSerializer(serializers.Serializer):
    financial_year = serializers.CharField(help_text='A financial year such as "2010-11".')
    place = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="GSS or ONS code of the place, for a return about one place only.",
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True)
    control_total = money_field(required=False, allow_null=True)
    declared_months = DeclaredMonthsField(
        required=False,
        allow_null=True,
        help_text="The months its lines cover, where their dates would not say it right: month "
        "numbers (1 = January) or “all year”. Left out, they come from the lines' dates.",
    )


class ImportConfirmSerializer(serializers.Serializer):
    acknowledge_duplicate = serializers.BooleanField(
        default=False,
        help_text="The file is already in another approved or submitted return (the 400 "
        "names it) and belongs in this one too.",
    )
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Why, with ``acknowledge_duplicate``; the approver sees it.",
    )


class SpendReturnApproveSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text="Needed when the return's check-list has warnings (a 400 names them).",
    )


class ImportFileSerializer(serializers.Serializer):
    file = UploadField(
        help_text="CSV (any common encoding and delimiter) or .xlsx, at most the server's "
        "upload limit (200 MB unless configured otherwise).",
        validators=[validate_upload_size, validate_spreadsheet],
    )
    mode = serializers.ChoiceField(choices=ImportMode.choices, default=ImportMode.ADD)
    place = serializers.CharField(
        required=False, allow_blank=True, help_text="Put every line in this place (GSS/ONS)."
    )
    apportion = serializers.BooleanField(
        default=False, help_text="Apportion each line across the organisation's places."
    )
    driver = serializers.ChoiceField(choices=list(DRIVERS.items()), default="population")
    control_total = money_field(required=False, allow_null=True)
    mapping = serializers.CharField(
        required=False, allow_blank=True, help_text="Name of a saved column mapping to use."
    )


class RowErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(allow_null=True)
    column = serializers.CharField(allow_blank=True)
    value = serializers.CharField(allow_blank=True)
    message = StoredMessageField()


class ImportCorrectionSerializer(serializers.ModelSerializer):
    original = serializers.CharField(
        read_only=True, help_text="The cell's text in the file, which is never changed."
    )
    value = serializers.CharField(read_only=True, help_text="What the preview reads instead.")
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = ImportCorrection
        fields = ["row", "column", "original", "value", "created_by", "created_at"]
        read_only_fields = fields


class CorrectionInputSerializer(serializers.Serializer):
    row = serializers.IntegerField(min_value=1, help_text="The row number in the file.")
    column = serializers.CharField(help_text="The column's header, as in the job's `mapping`.")
    value = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="The corrected text; the file's own text takes the correction away.",
    )
    remove = serializers.BooleanField(
        default=False, help_text="Take away this cell's correction (``value`` is then ignored)."
    )

    def validate(self, data):
        if "value" not in data and not data["remove"]:
            raise serializers.ValidationError("Give the corrected value, or remove: true.")
        return data


class ImportCorrectionsSerializer(serializers.Serializer):
    corrections = CorrectionInputSerializer(many=True, allow_empty=False, max_length=1000)


@extend_schema_serializer(deprecate_fields=["lines_count", "lines_total"])
class ImportJobSerializer(serializers.ModelSerializer):
    spend_return = serializers.IntegerField(source="spend_return_id", read_only=True)
    # Plain text in the schema: "status" is already an enum of other choice sets there.
    status = serializers.CharField(
        read_only=True,
        help_text="queued, running, needs_mapping, invalid, failed, ready, confirming, "
        "confirmed, cancelled or replaced.",
    )
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    delayed = serializers.SerializerMethodField(
        help_text="True while the job queue cannot be reached: the job waits and is queued "
        "again automatically (``message`` says so)."
    )
    percent = serializers.IntegerField(source="percent_done", read_only=True)
    line_total = money_field(read_only=True)
    # The names before December 2026, kept so clients written against them still read their
    # figures (docs/api.md); new clients read line_count and line_total.
    lines_count = serializers.IntegerField(
        source="line_count", read_only=True, help_text="Deprecated: the same as line_count."
    )
    lines_total = money_field(
        source="line_total", read_only=True, help_text="Deprecated: the same as line_total."
    )
    file_total = money_field(allow_null=True, read_only=True)
    control_total = money_field(allow_null=True, read_only=True)
    unallocated_total = money_field(read_only=True)
    mapping = serializers.JSONField(
        source="mapping_used",
        read_only=True,
        help_text="The mapping used: ``layout``, ``fields`` (our field → the file's header), "
        "for wide tables ``wide_columns`` and ``factor``, and ``read_as`` (a header spelt "
        "differently from a name we know → the name it was read as; also in ``warnings``).",
    )
    errors = RowErrorSerializer(many=True, read_only=True)
    warnings = serializers.ListField(child=StoredMessageField(), read_only=True)
    message = StoredMessageField(read_only=True)
    dropped = serializers.DictField(child=serializers.IntegerField(), read_only=True)
    corrections = ImportCorrectionSerializer(many=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id",
            "spend_return",
            "status",
            "status_label",
            "delayed",
            "filename",
            "sha256",
            "size",
            "mode",
            "rows_done",
            "rows_total",
            "percent",
            "layout",
            "mapping",
            "line_count",
            "staged_count",
            "line_total",
            "lines_count",
            "lines_total",
            "credits_count",
            "dropped",
            "dropped_count",
            "file_total",
            "control_total",
            "unallocated_count",
            "unallocated_total",
            "error_count",
            "errors",
            "warnings",
            "corrections",
            "message",
            "created_at",
            "finished_at",
            "confirmed_at",
            "duplicate_reason",
        ]
        read_only_fields = fields

    def get_delayed(self, job: ImportJob) -> bool:
        return job.delayed_at is not None
