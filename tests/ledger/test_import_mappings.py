"""Saved mappings used only for the files they fit; built-in layouts before generic saved
mappings (unless one is preferred); headers misspelt by a letter or two read, and said so."""

import csv
import io
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from rest_framework.test import APIClient

from audit.models import ColumnMappingEvent
from ledger.importers.mapping import Mapping
from ledger.importers.spelling import close
from ledger.models import ColumnMapping, ImportJobStatus, Role
from ledger.services.access import api_token_create, membership_grant
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.jobs import import_job_remap
from ledger.services.imports.mappings import column_mapping_save, column_mappings_fitting
from ledger.services.imports.preview import import_job_run
from tests.factories import UserFactory
from tests.ledger.import_helpers import LEEDS_FILE, csv_bytes, preview
from totalplace.audit_context import uses_triggers

pytestmark = pytest.mark.django_db

MISSPELT = "Service divison label"  # as some of Leeds's published months have it
READ_AS = f"Read “{MISSPELT}” as “Service division label”"


def _leeds_rows() -> tuple[list[str], list[list[str]]]:
    rows = list(csv.reader(io.StringIO(LEEDS_FILE.read_text("cp1252"))))
    return rows[0], rows[1:]


def _leeds(first: int, count: int = 3, *, misspelt: bool = False) -> tuple[bytes, Decimal]:
    """A small Leeds file (the real header, ``count`` of the real rows from ``first``) and
    the total of its net amounts."""
    header, rows = _leeds_rows()
    if misspelt:
        header = [MISSPELT if h == "Service division label" else h for h in header]
        assert MISSPELT in header
    chosen = rows[first : first + count]
    total = sum(Decimal(row[header.index("Net Amount")]) for row in chosen)
    return csv_bytes([header, *chosen]), total


# Our own reading of a Leeds file: areas by service label rather than by division.
BY_SERVICE = {
    "amount": "Net Amount",
    "transaction_date": "Date paid",
    "supplier_name": "Supplier name",
    "expense_area": "Service label",
}


def _remap_and_confirm(job, officer, fields, **options):
    import_job_remap(job=job, mapping={"fields": fields}, actor=officer, **options)
    job = import_job_run(job_id=job.pk)
    assert job.status == ImportJobStatus.READY, job.message
    return import_job_confirm(job=job, actor=officer)


def test_a_mapping_saved_from_placeholder_headers_is_not_applied_to_another_file(
    leeds_draft, officer, leeds
):
    # A petty-cash sheet whose date and amount columns have no header ("Column 1", "Column 2").
    petty_cash = csv_bytes(
        [["", "", "Notes", "Checked by"], ["14/01/2011", "12.50", "Stamps", "JS"]]
    )
    job = preview(leeds_draft, petty_cash, actor=officer)
    assert job.status == ImportJobStatus.NEEDS_MAPPING
    assert job.headers == ["Column 1", "Column 2", "Notes", "Checked by"]
    _remap_and_confirm(
        job,
        officer,
        {"transaction_date": "Column 1", "amount": "Column 2"},
        save_as="Petty cash",
    )
    saved = ColumnMapping.objects.get(organisation=leeds, name="Petty cash")
    assert saved.signature == ["checked by", "notes"]

    # Another sheet with blank first headers is not a petty-cash sheet.
    other = csv_bytes([["", "", "Ward", "Comment"], ["14/02/2011", "7.00", "Headingley", "x"]])
    job = preview(leeds_draft, other, actor=officer)
    assert (job.status, job.mapping) == (ImportJobStatus.NEEDS_MAPPING, None)
    assert job.mapping_used["fields"] == {}

    # Next month's petty-cash sheet is, and gets the saved mapping without asking.
    next_month = csv_bytes([["", "", "Notes", "Checked by"], ["14/02/2011", "3.20", "Tea", "JS"]])
    job = preview(leeds_draft, next_month, actor=officer)
    assert (job.status, job.mapping, job.line_total) == (
        ImportJobStatus.READY,
        saved,
        Decimal("3.20"),
    )


def test_a_mapping_saved_from_blank_headers_fits_no_file(leeds):
    blank = ["Column 1", "Column 2", "Column 3"]
    saved = column_mapping_save(
        organisation=leeds,
        name="Blank",
        mapping=Mapping(layout="custom", fields={"amount": "Column 2"}),
        headers=blank,
        actor=None,
    )
    assert saved.signature == []
    assert column_mappings_fitting(organisation=leeds, headers=blank) == []


def test_a_generic_saved_mapping_does_not_override_the_leeds_layout_unless_preferred(
    leeds_draft, officer, leeds
):
    january, _ = _leeds(0)
    job = preview(leeds_draft, january, actor=officer)
    assert (job.status, job.layout) == (ImportJobStatus.READY, "leeds_2011")
    # The officer reads this month's file their own way and saves that as a mapping.
    _remap_and_confirm(job, officer, BY_SERVICE, save_as="Leeds by service")
    saved = ColumnMapping.objects.get(organisation=leeds)
    assert (saved.name, saved.preferred, saved.layout) == ("Leeds by service", False, "custom")

    # Next month's Leeds file: the built-in layout, not the generic saved mapping.
    february, total = _leeds(3)
    job = preview(leeds_draft, february, actor=officer)
    assert (job.status, job.layout, job.mapping, job.line_total) == (
        ImportJobStatus.READY,
        "leeds_2011",
        None,
        total,
    )
    assert job.mapping_used["fields"]["expense_area"] == "Service division label"

    # Unless the organisation says "always use this for our files".
    _remap_and_confirm(job, officer, BY_SERVICE, save_as="Leeds by service", preferred=True)
    saved.refresh_from_db()
    assert saved.preferred is True
    march, total = _leeds(6)
    job = preview(leeds_draft, march, actor=officer)
    assert (job.status, job.layout, job.mapping, job.line_total) == (
        ImportJobStatus.READY,
        "custom",
        saved,
        total,
    )
    assert job.mapping_used["fields"] == BY_SERVICE


def test_the_leeds_layout_is_recognised_with_its_misspelt_header(leeds_draft, officer):
    content, total = _leeds(0, count=5, misspelt=True)
    job = preview(leeds_draft, content, actor=officer)
    assert (job.status, job.layout, job.line_count, job.line_total) == (
        ImportJobStatus.READY,
        "leeds_2011",
        5,
        total,
    )
    assert job.mapping_used["fields"]["expense_area"] == MISSPELT
    assert job.mapping_used["read_as"] == {MISSPELT: "Service division label"}
    areas = set(job.staged_lines.values_list("expense_area", flat=True))
    assert "Commercial Services Trading Services" in areas


def test_a_misspelt_header_is_said_on_the_page_in_the_command_and_in_the_api(
    client, leeds_draft, officer, leeds, tmp_path
):
    content, _ = _leeds(0, misspelt=True)
    job = preview(leeds_draft, content, actor=officer)
    assert [w for w in job.warnings if w.startswith(READ_AS)] == [
        f"{READ_AS}, a name we know spelt differently: check the column mapping if that is wrong."
    ]

    client.force_login(officer)
    page = client.get(reverse("import-job-detail", args=[job.pk])).content.decode()
    assert READ_AS in page
    assert f'{MISSPELT} <span class="muted">(read as “Service division label”)</span>' in page

    token_user = UserFactory()
    membership_grant(user=token_user, organisation=leeds, role=Role.FINANCE_OFFICER)
    _, key = api_token_create(user=token_user, organisation=leeds, name="test")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    body = api.get(f"/api/v1/organisation/imports/{job.pk}/").json()
    assert body["mapping"]["read_as"] == {MISSPELT: "Service division label"}
    assert any(w.startswith(READ_AS) for w in body["warnings"])

    path = tmp_path / "leeds-february.csv"
    path.write_bytes(_leeds(3, misspelt=True)[0])
    out = StringIO()
    call_command(
        "import_spend",
        str(path),
        organisation="00DA",
        year="2010-11",
        user="officer",
        dry_run=True,
        stdout=out,
    )
    output = out.getvalue()
    assert "Layout: leeds_2011" in output
    assert f"expense_area       ← {MISSPELT} (read as “Service division label”)" in output
    assert f"Warning: {READ_AS}" in output


def test_import_spend_prefer_mapping_marks_the_saved_mapping_preferred(
    leeds_draft, officer, leeds, tmp_path
):
    path = tmp_path / "leeds-january.csv"
    path.write_bytes(_leeds(0)[0])
    with pytest.raises(CommandError, match="--prefer-mapping needs the mapping to prefer"):
        call_command(
            "import_spend", str(path), organisation="00DA", year="2010-11", prefer_mapping=True
        )
    call_command(
        "import_spend",
        str(path),
        organisation="00DA",
        year="2010-11",
        user="officer",
        save_mapping="Leeds monthly",
        prefer_mapping=True,
        stdout=StringIO(),
    )
    saved = ColumnMapping.objects.get(organisation=leeds)
    assert (saved.name, saved.preferred, saved.layout) == ("Leeds monthly", True, "leeds_2011")
    job = preview(leeds_draft, _leeds(3)[0], actor=officer)
    assert (job.status, job.mapping) == (ImportJobStatus.READY, saved)


def test_the_mapping_page_tick_makes_the_saved_mapping_preferred(
    client, leeds_draft, officer, leeds, django_capture_on_commit_callbacks
):
    job = preview(leeds_draft, _leeds(0)[0], actor=officer)
    client.force_login(officer)
    url = reverse("import-job-mapping", args=[job.pk])
    assert "Always use this for our files" in client.get(url).content.decode()
    posted = {f"field_{name}": header for name, header in BY_SERVICE.items()}
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {**posted, "save_as": "Leeds by service", "preferred": "on"})
    job.refresh_from_db()
    assert (job.status, job.save_mapping_preferred) == (ImportJobStatus.READY, True)
    import_job_confirm(job=job, actor=officer)
    saved = ColumnMapping.objects.get(organisation=leeds)
    assert (saved.name, saved.preferred) == ("Leeds by service", True)
    if uses_triggers():  # the choice is in the mapping's history, with its signature
        event = ColumnMappingEvent.objects.filter(pgh_obj=saved).latest("pgh_id")
        assert (event.preferred, event.signature) == (True, saved.signature)


@pytest.mark.parametrize(
    ("name", "header", "expected"),
    [
        ("service division label", "service divison label", True),  # Leeds's typo
        ("supplier name", "suplier name", True),
        ("transaction number", "transacton number", True),
        ("expenditure", "expenditrue", True),  # two letters swapped: one edit
        ("amount", "account", False),  # short names two letters apart are other words
        ("service label", "service level", False),
        ("account code", "account code 2", False),  # a second column, not a typo
        ("detailed expenditure code", "detailed expenditure code 2", False),
        ("payee", "payer", False),  # too short to tell
        ("net amount", "net amount", False),  # the same name is no misspelling
    ],
)
def test_only_names_a_letter_or_two_apart_are_read_as_each_other(name, header, expected):
    assert close(name, header) is expected
