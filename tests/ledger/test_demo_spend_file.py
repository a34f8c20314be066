"""load_demo's real spend file: Leeds's payments of January 2011 imported, confirmed and approved
through the import and approval services, so the supplier pages have payees on a first run."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Q, Sum
from django.urls import reverse

from ledger.models import (
    ImportJob,
    ImportJobStatus,
    LineChangeSummary,
    Organisation,
    RollupRun,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    SpendRollup,
    SpendSupplierRollup,
    WorkflowAction,
    WorkflowEvent,
)
from ledger.services import demo_spend_file
from ledger.services.returns import spend_return_create
from ledger.services.years import financial_year_get
from tests.ledger.test_import_real_files import LEEDS_SHA256

# The Cumbria demo is loaded once for the module (tests/conftest.py): load_demo skips it.
pytestmark = pytest.mark.django_db
LINES, TOTAL = 8837, Decimal("65483945.63")  # as fixtures/samples/README.md counts them


def _everything() -> dict:
    """What a second load must not change."""
    rows = ("id", "amount", "line_count")
    return {
        "returns": list(SpendReturn.objects.order_by("pk").values_list("pk", "status")),
        "lines": SpendLine.objects.count(),
        "jobs": list(ImportJob.objects.order_by("pk").values_list("pk", "status")),
        "events": WorkflowEvent.objects.count(),
        "line_records": LineChangeSummary.objects.count(),
        "rollups": sorted(SpendRollup.objects.values_list(*rows)),
        "supplier_rollups": sorted(SpendSupplierRollup.objects.values_list(*rows)),
        "rollup_runs": RollupRun.objects.count(),
    }


def _load_demo() -> str:
    out = io.StringIO()
    call_command("load_demo", "--skip-datasets", stdout=out)
    return out.getvalue()


def test_load_demo_imports_the_file_once_and_its_suppliers_show(cumbria_totals, client):
    assert "leeds_spend_over_500_2011-01_raw.csv: imported (8,837 lines)." in _load_demo()
    job = ImportJob.objects.get(sha256=LEEDS_SHA256)
    spend_return = job.spend_return
    leeds = Organisation.objects.by_code("00DA").get()
    assert (spend_return.organisation, spend_return.financial_year.code) == (leeds, "2010-11")
    assert (job.status, spend_return.status) == (
        ImportJobStatus.CONFIRMED,
        SpendReturnStatus.APPROVED,
    )
    assert not spend_return.is_illustrative  # a council's published figures
    # The lines, their place totals and their supplier rollups hold what the import reported.
    assert (job.line_count, job.staged_count, job.line_total) == (LINES, LINES, TOTAL)
    lines = SpendLine.objects.filter(spend_return=spend_return)
    assert lines.aggregate(n=Count("id"), t=Sum("amount")) == {"n": LINES, "t": TOTAL}
    key = {"organisation": spend_return.organisation, "financial_year": spend_return.financial_year}
    assert SpendRollup.objects.filter(**key).aggregate(t=Sum("amount"))["t"] == TOTAL
    suppliers = SpendSupplierRollup.objects.filter(spend_return=spend_return).aggregate(
        n=Sum("line_count"), t=Sum("amount"), named=Count("id", filter=~Q(supplier_key=""))
    )
    assert (suppliers["n"], suppliers["t"]) == (LINES, TOTAL) and suppliers["named"] > 1000
    # The audit trail of a real import: one confirmation, and one record of the lines it added.
    confirmed = WorkflowEvent.objects.filter(action=WorkflowAction.IMPORT_CONFIRMED)
    assert [(e.import_job_id, e.detail["lines"], e.detail["total"]) for e in confirmed] == [
        (job.pk, LINES, str(TOTAL))
    ]
    if connection.vendor == "postgresql":  # the audit triggers are PostgreSQL's
        records = LineChangeSummary.objects.filter(spend_return=spend_return)
        assert [(r.import_job_id, r.lines, r.amount) for r in records] == [(job.pk, LINES, TOTAL)]
    # /suppliers/ opens on the newest year that names payees, not Cumbria's illustrative 2017-18.
    page = client.get(reverse("supplier-list"))
    assert page.context["year"].code == "2010-11"
    top = page.context["table"].rows[0].cells
    assert (top["supplier"], top["amount"]) == ("The Secretary Of State", Decimal("5808118.00"))
    place = client.get(reverse("place-detail", args=["leeds"])).content.decode()
    assert "Suppliers paid most in Leeds, 2010-11" in place and "The Secretary Of State" in place

    before = _everything()
    assert "leeds_spend_over_500_2011-01_raw.csv: already loaded (8,837 lines)." in _load_demo()
    assert _everything() == before


def test_a_load_cut_short_carries_on_without_importing_again(cumbria_demo, monkeypatch):
    submit = demo_spend_file.spend_return_submit

    def cut_short(**kwargs):
        raise RuntimeError("the load was cut short")

    monkeypatch.setattr(demo_spend_file, "spend_return_submit", cut_short)
    with pytest.raises(RuntimeError):
        demo_spend_file.demo_load_spend_file()
    assert ImportJob.objects.get().status == ImportJobStatus.CONFIRMED
    monkeypatch.setattr(demo_spend_file, "spend_return_submit", submit)
    loaded = demo_spend_file.demo_load_spend_file()
    assert loaded.status == "imported" and ImportJob.objects.get() == loaded.job
    assert loaded.spend_return.status == SpendReturnStatus.APPROVED
    assert SpendLine.objects.filter(spend_return=loaded.spend_return).count() == LINES
    assert SpendSupplierRollup.objects.filter(spend_return=loaded.spend_return).exists()


def test_a_leeds_return_someone_else_made_is_left_alone(cumbria_demo):
    leeds = Organisation.objects.by_code("00DA").get()
    theirs = spend_return_create(
        organisation=leeds, financial_year=financial_year_get("2010-11"), actor=None
    )
    loaded = demo_spend_file.demo_load_spend_file()
    assert loaded.status == "left alone: Leeds City Council already has a 2010-11 return"
    assert not ImportJob.objects.exists()
    assert list(SpendReturn.objects.filter(organisation=leeds)) == [theirs]
