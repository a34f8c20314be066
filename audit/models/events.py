"""History tables filled by PostgreSQL triggers (django-pghistory), one per tracked model.

Each row is a snapshot of the tracked fields after an insert or update, or before a delete,
with ``pgh_label`` (insert / update / delete), ``pgh_created_at`` (the transaction's time),
``pgh_obj`` (the record) and ``pgh_context`` (who, through what: see ``totalplace.audit_context``).
An update that changes none of the tracked fields writes nothing. The tables are append-only:
a trigger refuses updates and deletes of their rows.

Tracked fields are listed, not derived: they are what a person can change or what identifies
a change, and a field added to a model later does not silently change its history table.
Spend lines, which arrive a million at a time, are tracked by statement-level triggers that
copy each statement's rows from its transition table in one set-based ``INSERT ... SELECT``;
lines added by confirming an import are recorded once per import instead (``audit.models.lines``).
"""

import pghistory
import pgtrigger
from django.db import models

from ledger.models import (
    ColumnMapping,
    Dataset,
    DatasetEdition,
    ImportCorrection,
    Organisation,
    OrganisationAlias,
    Place,
    SpendLine,
    SpendReturn,
    SupplierMatch,
    ThemeRule,
)
from pilots.models import EvidenceItem, Initiative, Pilot, PlaceBudgetSubmission
from savings.models import BenefitFlow, CostLine, Saving


def _history_of(tracked, fields: list[str], *, level=None, insert_condition=None):
    return pghistory.create_event_model(
        tracked,
        pghistory.InsertEvent(condition=insert_condition),
        pghistory.UpdateEvent(),
        pghistory.DeleteEvent(),
        fields=fields,
        app_label="audit",
        model_name=f"{tracked.__name__}EventBase",
        obj_field=pghistory.ObjForeignKey(related_name="audit_events", db_index=True),
        context_field=pghistory.ContextForeignKey(db_index=True),
        append_only=True,
        level=level,
    )


def _loose_reference(to: str) -> models.ForeignKey:
    """A reference as pghistory makes it (no constraint, no index), but nullable."""
    return models.ForeignKey(
        to,
        null=True,
        db_constraint=False,
        db_index=False,
        on_delete=models.DO_NOTHING,
        related_name="+",
        related_query_name="+",
    )


SPEND_RETURN_FIELDS = [
    "organisation",
    "financial_year",
    "place",
    "version",
    "status",
    "title",
    "notes",
    "source_file",
    "source_filename",
    "source_sha256",
    "control_total",
    "mapping",
    "is_illustrative",
    "declared_months",
    "accruals_basis",
    "accruals_reason",
    "created_by",
    "submitted_at",
    "submitted_by",
    "approved_at",
    "approved_by",
    "sent_back_at",
    "sent_back_by",
    "send_back_reason",
    "superseded_at",
    "superseded_by",
]
# Every column of a line: what identifies it and everything anyone can change, whether through
# the line-entry grid, an import or SQL. A column missing here is one a bulk UPDATE could change
# without a trace (tests/audit/test_guards.py checks none is missing).
SPEND_LINE_FIELDS = [
    "spend_return",
    "import_job",
    "source_row",
    "organisation",
    "financial_year",
    "place",
    "theme",
    "amount",
    "spend_kind",
    "basis",
    "driver",
    "driver_source",
    "transaction_date",
    "transaction_ref",
    "supplier_name",
    "supplier_redacted",
    "description",
    "expense_type",
    "expense_area",
    "expense_code",
    "service_label",
]

# Jobs being confirmed: a line carrying one of them is one of that job's lines going in now.
# (Copies of a version keep their lines' jobs, confirmed long ago: recorded line by line.)
CONFIRMING_JOBS = "SELECT id FROM ledger_importjob WHERE status IN ('ready', 'confirming')"


# Columns of a line that are not part of its history: derived from records with a history of
# their own. ``receiver`` is the body its supplier is matched to (``SupplierMatch``, audited as
# ``SupplierMatchEvent``): one officer's decision about a match moves it on every line of that
# payer and supplier, tens of thousands of lines in a year, and a history row for each would
# record the same decision again, line by line.
SPEND_LINE_UNTRACKED = ["receiver"]


class SpendReturnEvent(_history_of(SpendReturn, SPEND_RETURN_FIELDS)):
    pass


class SpendLineEvent(
    _history_of(
        SpendLine,
        SPEND_LINE_FIELDS,
        level=pghistory.Statement,
        # Lines added by confirming an import (their job is being confirmed) are recorded once
        # per import, not per line (``audit.models.lines``); lines entered in the grid or
        # copied into a new version, and every update and delete of any line, per line.
        insert_condition=pgtrigger.Condition(
            f'NEW."import_job_id" IS NULL OR NEW."import_job_id" NOT IN ({CONFIRMING_JOBS})'
        ),
    )
):
    # A national ledger adds tens of millions of lines a year: a 32-bit key would run out.
    pgh_id = models.BigAutoField(primary_key=True)
    # Tracked since audit migration 0012: the events written before it have none (null means
    # "not recorded", not "no organisation").
    organisation = _loose_reference("ledger.Organisation")
    financial_year = _loose_reference("ledger.FinancialYear")


class ColumnMappingEvent(
    _history_of(
        ColumnMapping,
        [
            "organisation",
            "name",
            "layout",
            "fields",
            "options",
            "headers",
            "signature",
            "preferred",
        ],
    )
):
    pass


class ThemeRuleEvent(
    _history_of(ThemeRule, ["organisation", "field", "match", "pattern", "theme", "note"])
):
    pass


class ImportCorrectionEvent(
    # A cell changed on the site rather than in the published file: who changed what, and
    # when, is what lets a corrected line be trusted.
    _history_of(ImportCorrection, ["job", "row", "column", "original", "value", "created_by"])
):
    pass


class PilotEvent(
    _history_of(
        Pilot,
        [
            "slug",
            "name",
            "programme",
            "kind",
            "status",
            "lead_organisation",
            "summary",
            "is_illustrative",
        ],
    )
):
    pass


class InitiativeEvent(
    _history_of(
        Initiative,
        [
            "pilot",
            "title",
            "summary",
            "deep_dive",
            "service_theme",
            "status",
            "baseline_year",
            "baseline_entered_amount",
            "baseline_entered_source",
            "is_illustrative",
            "updated_by",
        ],
    )
):
    pass


class EvidenceItemEvent(
    _history_of(
        EvidenceItem,
        [
            "pilot",
            "initiative",
            "kind",
            "title",
            "description",
            "file",
            "file_sha256",
            "url",
            "body",
            "source",
            "published_on",
            "is_published",
            "is_illustrative",
            "updated_by",
        ],
    )
):
    pass


class CostLineEvent(
    _history_of(
        CostLine,
        ["initiative", *CostLine.INPUT_FIELDS],
    )
):
    pass


class BenefitFlowEvent(
    _history_of(
        BenefitFlow,
        ["initiative", *BenefitFlow.INPUT_FIELDS],
    )
):
    pass


class SavingEvent(
    # Every transition: who agreed for which side, what was cashed against which return, why
    # a saving was not realised.
    _history_of(
        Saving,
        [
            "initiative",
            *Saving.INPUT_FIELDS,
            "status",
            "payer_agreed_by",
            "payer_agreed_at",
            "receiver_agreed_by",
            "receiver_agreed_at",
            "realised",
            "realised_year",
            "spend_return",
            "not_realised_reason",
        ],
    )
):
    pass


class OrganisationEvent(
    # Reference data, but its code finds it in files and its sector groups the totals.
    _history_of(
        Organisation,
        [
            "code",
            "name",
            "sector",
            "kind",
            "parent",
            "home_place",
            "control",
            "aggregate_of",
            "valid_from",
            "valid_to",
        ],
    )
):
    pass


class OrganisationAliasEvent(
    # An alias decides which body a published figure is counted for.
    _history_of(OrganisationAlias, ["organisation", "alias", "scheme"])
):
    pass


class DatasetEvent(
    _history_of(
        Dataset,
        ["slug", "title", "publisher", "format", "route", "source_url", "licence", "precedence"],
    )
):
    pass


class DatasetEditionEvent(
    # A dataset's lines arrive a file at a time and are never edited: the edition's history
    # (its file and hash, the choices made, who loaded and approved it) is the lines' audit.
    _history_of(
        DatasetEdition,
        [
            "dataset",
            "edition",
            "version",
            "status",
            "is_illustrative",
            "file",
            "filename",
            "sha256",
            "choices",
            "unit_factor",
            "measure",
            "money_read",
            "money_loaded",
            "excluded",
            "line_count",
            "created_by",
            "loaded_at",
            "loaded_by",
            "approved_at",
            "approved_by",
            "sent_back_at",
            "sent_back_by",
            "send_back_reason",
        ],
    )
):
    pass


class PlaceEvent(
    # Reference data, but its codes find it in files, its parent counts it in a county's totals
    # and its dates say when it ended (a boundary change, with its successors): a change to any
    # of them moves totals, so it must be traceable. Its history page shows its successors too.
    _history_of(
        Place,
        [
            "gss_code",
            "snac_code",
            "slug",
            "name",
            "official_name",
            "kind",
            "parent",
            "valid_from",
            "valid_to",
        ],
    )
):
    pass


class PlaceBudgetSubmissionEvent(
    _history_of(PlaceBudgetSubmission, ["pilot", *PlaceBudgetSubmission.INPUT_FIELDS])
):
    pass


class SupplierMatchEvent(
    # Whether a payment counts as a transfer between public bodies moves net totals: who
    # matched, confirmed or rejected it, and when.
    _history_of(
        SupplierMatch,
        ["payer", "supplier_name", "receiver", "method", "status", "decided_at", "decided_by"],
    )
):
    pass


# Tracked model → its history table, for the history pages and the admin.
EVENT_MODELS = {
    SpendReturn: SpendReturnEvent,
    SpendLine: SpendLineEvent,
    ColumnMapping: ColumnMappingEvent,
    ThemeRule: ThemeRuleEvent,
    ImportCorrection: ImportCorrectionEvent,
    Pilot: PilotEvent,
    Initiative: InitiativeEvent,
    EvidenceItem: EvidenceItemEvent,
    CostLine: CostLineEvent,
    BenefitFlow: BenefitFlowEvent,
    Organisation: OrganisationEvent,
    OrganisationAlias: OrganisationAliasEvent,
    Dataset: DatasetEvent,
    DatasetEdition: DatasetEditionEvent,
    SupplierMatch: SupplierMatchEvent,
    Place: PlaceEvent,
    PlaceBudgetSubmission: PlaceBudgetSubmissionEvent,
    Saving: SavingEvent,
}
