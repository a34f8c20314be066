"""The trigger-written trail on PostgreSQL: every tracked model, bulk paths, COPY, integrity."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from audit.models import SpendLineEvent, SpendReturnEvent
from audit.models.events import EVENT_MODELS
from ledger.models import (
    ColumnMapping,
    Dataset,
    DatasetEdition,
    LineChangeSummary,
    OrganisationAlias,
    SpendLine,
    SupplierMatch,
    ThemeRule,
    ThemeRuleField,
    WorkflowEvent,
)
from ledger.services.approval import spend_return_approve, spend_return_submit
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.staging import uses_copy
from ledger.services.lines import spend_lines_save_grid
from ledger.services.returns import spend_return_new_version
from pilots.models import PlaceBudgetSubmission
from savings.models import Saving
from tests.audit.helpers import context_of, events_of
from tests.factories import (
    FinancialYearFactory,
    ImportCorrectionFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    SpendLineFactory,
    SpendReturnFactory,
    UserFactory,
)
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview
from tests.pilots.factories import (
    BenefitFlowFactory,
    CostLineFactory,
    EvidenceFactory,
    InitiativeFactory,
    PilotFactory,
)
from tests.services import require_postgres
from totalplace.audit_context import audit_context

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _postgres():
    require_postgres()


def _dataset() -> Dataset:
    return Dataset.objects.create(
        slug=f"ra-{Dataset.objects.count()}",
        title="Revenue account",
        publisher="DLUHC",
        format="wide",
        route="bottom_up",
        precedence=20,
    )


# For each tracked model: make one, and a tracked field to change (with its new value).
MAKERS = {
    "spend return": (lambda: SpendReturnFactory(), "title", "Revised"),
    "spend line": (lambda: SpendLineFactory(), "amount", Decimal("-12.34")),
    "column mapping": (
        lambda: ColumnMapping.objects.create(organisation=OrganisationFactory(), name="Ours"),
        "fields",
        {"amount": "Net"},
    ),
    "theme rule": (
        lambda: ThemeRule.objects.create(
            field=ThemeRuleField.EXPENSE_AREA, pattern="Parks", theme=ServiceThemeFactory()
        ),
        "pattern",
        "Parks and gardens",
    ),
    "import correction": (lambda: ImportCorrectionFactory(), "value", "1,235.00"),
    "pilot": (lambda: PilotFactory(), "summary", "A new summary"),
    "initiative": (lambda: InitiativeFactory(), "title", "Family intervention"),
    "evidence": (lambda: EvidenceFactory(), "title", "Business case"),
    "cost line": (lambda: CostLineFactory(), "amount", Decimal("250.00")),
    "benefit flow": (lambda: BenefitFlowFactory(), "duration", 3),
    "organisation": (lambda: OrganisationFactory(), "sector", "nhs"),
    "place": (lambda: PlaceFactory(), "valid_to", dt.date(2023, 4, 1)),
    "organisation alias": (
        lambda: OrganisationAlias.objects.create(
            organisation=OrganisationFactory(), alias="E9999", scheme="ecode"
        ),
        "alias",
        "E9998",
    ),
    "dataset": (lambda: _dataset(), "precedence", 10),
    "dataset edition": (
        lambda: DatasetEdition.objects.create(
            dataset=_dataset(), edition="2023-24", file="datasets/ra.csv", filename="ra.csv"
        ),
        "status",
        "cancelled",
    ),
    "supplier match": (
        lambda: SupplierMatch.objects.create(
            payer=OrganisationFactory(),
            supplier_name="LEEDS PCT",
            receiver=OrganisationFactory(),
            method="name",
        ),
        "status",
        "rejected",
    ),
    "saving": (
        lambda: Saving.objects.create(
            initiative=InitiativeFactory(),
            payer=OrganisationFactory(),
            receiver=OrganisationFactory(),
            financial_year=FinancialYearFactory(),
            forecast=Decimal("10.00"),
        ),
        "forecast",
        Decimal("12.00"),
    ),
    "place budget submission": (
        lambda: PlaceBudgetSubmission.objects.create(
            pilot=PilotFactory(), title="August 2010", baseline_year=FinancialYearFactory()
        ),
        "title",
        "September 2010",
    ),
}


def test_every_tracked_model_is_in_the_table():
    made = {type(make()) for make, _, _ in MAKERS.values()}
    assert made == set(EVENT_MODELS)


@pytest.mark.parametrize("name", MAKERS)
def test_insert_update_delete_are_recorded_with_the_acting_user(name):
    make, field, value = MAKERS[name]
    alice = UserFactory(username="alice")
    with audit_context(user=alice.pk, username="alice", url="/test/", method="POST"):
        obj = make()
        setattr(obj, field, value)
        obj.save()
        obj.save()  # no tracked field changed: no event
        pk = obj.pk
        obj.delete()
    obj.pk = pk
    events = events_of(obj)
    assert [e.pgh_label for e in events] == ["insert", "update", "delete"]
    assert all(context_of(e)["user"] == alice.pk for e in events)
    assert all(context_of(e)["url"] == "/test/" for e in events)
    assert getattr(events[1], field) == value
    assert events[0].pgh_context_id == events[2].pgh_context_id  # one context for the block


def test_changes_outside_any_context_are_recorded_without_one():
    line = SpendLineFactory()
    (event,) = events_of(line)
    assert (event.pgh_label, event.pgh_context_id) == ("insert", None)


def test_a_bulk_queryset_update_records_every_line_and_one_summary():
    spend_return = SpendReturnFactory()
    lines = SpendLineFactory.create_batch(3, spend_return=spend_return, amount=Decimal("10.00"))
    other = SpendLineFactory(amount=Decimal("5.00"))  # another return: untouched
    bob = UserFactory(username="bob")
    with audit_context(user=bob.pk, username="bob"):
        changed = SpendLine.objects.filter(spend_return=spend_return).update(
            amount=Decimal("12.50"), supplier_name="ACME"
        )
        SpendLine.objects.filter(spend_return=spend_return).update(amount=Decimal("12.50"))
    assert changed == 3
    updates = SpendLineEvent.objects.filter(pgh_label="update").order_by("pgh_obj_id")
    assert [(e.pgh_obj_id, e.amount, e.supplier_name) for e in updates] == [
        (line.pk, Decimal("12.50"), "ACME") for line in lines
    ]
    assert {context_of(e)["user"] for e in updates} == {bob.pk}
    summary = LineChangeSummary.objects.get(label="update")
    assert (summary.spend_return_id, summary.lines, summary.amount) == (
        spend_return.pk,
        3,
        Decimal("7.50"),  # net change of the return's total
    )
    assert not SpendLineEvent.objects.filter(pgh_obj_id=other.pk, pgh_label="update").exists()


def test_a_bulk_delete_records_each_line_deleted_with_its_values():
    spend_return = SpendReturnFactory()
    SpendLineFactory.create_batch(4, spend_return=spend_return, amount=Decimal("2.25"))
    with audit_context(user=None, command="test"):
        SpendLine.objects.filter(spend_return=spend_return).delete()
    deleted = SpendLineEvent.objects.filter(pgh_label="delete")
    assert deleted.count() == 4 and {e.amount for e in deleted} == {Decimal("2.25")}
    summary = LineChangeSummary.objects.get(label="delete")
    assert (summary.lines, summary.amount) == (4, Decimal("9.00"))
    assert summary.context.metadata["command"] == "test"


def test_a_confirmed_import_is_one_record_not_one_per_line(leeds_draft, officer):
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.01", supplier=f"S{n}") for n in range(1, 26)]
    with audit_context(user=officer.pk, username=officer.username, task="test-confirm"):
        job = preview(leeds_draft, csv_bytes(rows), actor=officer)
        assert uses_copy()  # staged by COPY, confirmed by one INSERT ... SELECT
        import_job_confirm(job=job, actor=officer)
    assert SpendLine.objects.filter(spend_return=leeds_draft).count() == 25
    assert not SpendLineEvent.objects.filter(pgh_label="insert", spend_return=leeds_draft).exists()
    record = LineChangeSummary.objects.get(spend_return=leeds_draft, label="insert")
    job.refresh_from_db()
    assert (record.import_job_id, record.lines, record.amount, record.sha256) == (
        job.pk,
        25,
        sum(Decimal(f"{n}.01") for n in range(1, 26)),
        job.sha256,
    )
    assert record.actor_id == officer.pk and record.context.metadata["user"] == officer.pk
    # The confirmation's workflow event and the import's record share one context.
    confirmed = WorkflowEvent.objects.get(import_job=job, action="import_confirmed")
    assert confirmed.context_id == record.context_id and confirmed.actor_id == officer.pk
    assert confirmed.detail["sha256"] == job.sha256 and confirmed.detail["lines"] == 25


def test_an_imported_line_updated_or_deleted_keeps_per_line_history(leeds_draft, officer):
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.00", supplier=f"S{n}") for n in range(1, 4)]
    import_job_confirm(job=preview(leeds_draft, csv_bytes(rows), actor=officer), actor=officer)
    first, second, third = SpendLine.objects.filter(spend_return=leeds_draft).order_by("id")
    with audit_context(user=officer.pk, username=officer.username):
        SpendLine.objects.filter(pk=first.pk).update(amount=Decimal("9.99"))
        second.supplier_name = "ACME"
        second.save()
        SpendLine.objects.filter(pk=third.pk).delete()
    events = SpendLineEvent.objects.filter(spend_return=leeds_draft).order_by("pgh_id")
    assert [(e.pgh_obj_id, e.pgh_label) for e in events] == [
        (first.pk, "update"),
        (second.pk, "update"),
        (third.pk, "delete"),
    ]
    assert events[0].amount == Decimal("9.99") and events[1].supplier_name == "ACME"
    assert events[2].import_job_id == third.import_job_id and events[2].source_row == 4


def test_a_grid_line_still_writes_its_own_insert_history(leeds_draft, officer):
    line = SpendLine(place=PlaceFactory(), theme=ServiceThemeFactory(), amount=Decimal("5.00"))
    spend_lines_save_grid(
        spend_return=leeds_draft, actor=officer, changed=[], new=[line], deleted=[]
    )
    (event,) = SpendLineEvent.objects.filter(spend_return=leeds_draft)
    assert (event.pgh_obj_id, event.pgh_label, event.import_job_id) == (line.pk, "insert", None)
    summary = LineChangeSummary.objects.get(spend_return=leeds_draft)
    assert (summary.lines, summary.import_job_id) == (1, None)


def test_lines_cannot_pass_for_an_import_to_skip_their_history(leeds_draft, officer):
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.00") for n in range(1, 4)]
    job = preview(leeds_draft, csv_bytes(rows), actor=officer)  # ready: not yet confirmed
    # A line claiming the job outside its confirmation (not its previewed lines): refused.
    stray = SpendLineFactory.build(
        spend_return=leeds_draft, place=PlaceFactory(), theme=ServiceThemeFactory(), import_job=job
    )
    with (
        pytest.raises(DatabaseError, match="can only be added by confirming it"),
        transaction.atomic(),
    ):
        SpendLine.objects.bulk_create([stray])
    import_job_confirm(job=job, actor=officer)
    # A confirmed job's lines copied into a new version: recorded line by line, as any copy.
    copied = SpendLineFactory.build(
        spend_return=SpendReturnFactory(),
        place=PlaceFactory(),
        theme=ServiceThemeFactory(),
        import_job=job,
    )
    SpendLine.objects.bulk_create([copied])
    assert SpendLineEvent.objects.filter(pgh_obj_id=copied.pk, pgh_label="insert").exists()
    assert LineChangeSummary.objects.filter(import_job=job).count() == 1


def test_a_new_version_copies_imported_lines_with_per_line_history(leeds_draft, officer, approver):
    rows = [DCLG_HEADER] + [dclg_row(amount=f"{n}.00") for n in range(1, 4)]
    import_job_confirm(job=preview(leeds_draft, csv_bytes(rows), actor=officer), actor=officer)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    spend_return_approve(spend_return=leeds_draft, actor=approver, reason="A part year")
    draft = spend_return_new_version(spend_return=leeds_draft, actor=officer)
    copies = SpendLine.objects.filter(spend_return=draft)
    inserted = SpendLineEvent.objects.filter(spend_return=draft, pgh_label="insert")
    assert copies.count() == inserted.count() == 3
    summary = LineChangeSummary.objects.get(spend_return=draft, label="insert")
    assert (summary.lines, summary.import_job_id) == (3, None)


def test_history_rows_cannot_be_changed_or_deleted():
    line = SpendLineFactory()
    event = SpendLineEvent.objects.get(pgh_obj_id=line.pk)
    for statement in (
        f"UPDATE audit_spendlineevent SET amount_pence = 0 WHERE pgh_id = {event.pgh_id}",
        f"DELETE FROM audit_spendlineevent WHERE pgh_id = {event.pgh_id}",
    ):
        with (
            pytest.raises(DatabaseError, match="Cannot"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement)
    summary = LineChangeSummary.objects.get()
    with pytest.raises(DatabaseError), transaction.atomic():
        LineChangeSummary.objects.filter(pk=summary.pk).delete()


def test_a_rolled_back_approval_leaves_no_trace(leeds_draft, officer, approver):
    SpendLineFactory(spend_return=leeds_draft)
    spend_return_submit(spend_return=leeds_draft, actor=officer)
    before = (WorkflowEvent.objects.count(), SpendReturnEvent.objects.count())
    with pytest.raises(RuntimeError), transaction.atomic():
        spend_return_approve(spend_return=leeds_draft, actor=approver)
        assert WorkflowEvent.objects.filter(action="approved").count() == 1
        raise RuntimeError("the transaction fails after the approval")
    assert (WorkflowEvent.objects.count(), SpendReturnEvent.objects.count()) == before
    assert not WorkflowEvent.objects.filter(action="approved").exists()


def test_an_imported_lines_history_starts_with_its_import(leeds_draft, officer):
    from audit.history import object_history

    rows = [DCLG_HEADER, dclg_row(amount="7.00")]
    job = import_job_confirm(
        job=preview(leeds_draft, csv_bytes(rows), actor=officer), actor=officer
    )
    line = SpendLine.objects.get(spend_return=leeds_draft)
    with audit_context(user=officer.pk, username=officer.username):
        SpendLine.objects.filter(pk=line.pk).update(amount=Decimal("8.00"))
    line.refresh_from_db()
    entries = object_history(line)
    assert [len(e.records) for e in entries] == [1, 0]  # newest first: the change, the import
    (record,) = entries[1].lines
    assert (record.import_job_id, record.lines, record.verb) == (job.pk, 1, "imported")
