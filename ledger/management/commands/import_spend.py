"""Import a spend file from the shell.

    python manage.py import_spend FILE --organisation CODE --year 2010-11 [--place CODE]
        [--mapping NAME] [--save-mapping NAME] [--prefer-mapping]

The import page without the browser: reads, maps and validates the file, prints what it found,
and (unless --dry-run, or there are errors) confirms the lines into a draft spend return.
"""

from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import CommandError

from ledger.models import (
    ColumnMapping,
    FinancialYear,
    ImportJobStatus,
    ImportMode,
    Organisation,
    Place,
    SpendReturn,
    SpendReturnStatus,
)
from ledger.services.imports.confirm import import_job_confirm
from ledger.services.imports.jobs import import_job_cancel, import_job_create
from ledger.services.imports.preview import import_job_run
from ledger.services.returns import spend_return_create
from ledger.services.years import financial_year_get
from totalplace.commands import AuditedCommand
from totalplace.errors import error_text
from totalplace.money import pounds

ERRORS_SHOWN = 20


class Command(AuditedCommand):
    help = "Import a spend file (CSV or XLSX) into an organisation's spend return for a year."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--organisation", required=True, help="code (GSS, SNAC) or name")
        parser.add_argument("--year", required=True, help="financial year, e.g. 2010-11")
        parser.add_argument("--place", help="GSS or ONS code of the place the lines are in")
        parser.add_argument("--mapping", help="name of one of the organisation's saved mappings")
        parser.add_argument(
            "--apportion",
            action="store_true",
            help="apportion each line across the organisation's places",
        )
        parser.add_argument("--driver", default="population", choices=["population", "equal"])
        parser.add_argument(
            "--replace",
            action="store_true",
            help="replace the lines already in the draft instead of adding",
        )
        parser.add_argument("--control-total", help="the total the lines must add up to")
        parser.add_argument("--return-id", type=int, help="import into this draft return")
        parser.add_argument("--save-mapping", default="", help="save the mapping under this name")
        parser.add_argument(
            "--prefer-mapping",
            action="store_true",
            help="always use the --mapping or --save-mapping mapping for the organisation's "
            "files with these columns, even over a built-in layout",
        )
        parser.add_argument("--dry-run", action="store_true", help="preview only; change nothing")
        parser.add_argument(
            "--also-in-another-return",
            default="",
            metavar="REASON",
            help="confirm a file already in another approved or submitted return, saying why",
        )

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        organisation = self._organisation(options["organisation"])
        year = self._year(options["year"])
        place = self._place(options["place"]) if options["place"] else None
        if options["prefer_mapping"] and not (options["mapping"] or options["save_mapping"]):
            raise CommandError(
                "--prefer-mapping needs the mapping to prefer: --mapping NAME or "
                "--save-mapping NAME."
            )
        mapping = None
        if options["mapping"]:
            mapping = ColumnMapping.objects.filter(
                organisation=organisation, name=options["mapping"]
            ).first()
            if mapping is None:
                names = ", ".join(organisation.column_mappings.values_list("name", flat=True))
                raise CommandError(
                    f"{organisation} has no saved mapping “{options['mapping']}”"
                    + (f" (it has: {names})." if names else ".")
                )
        control_total = None
        if options["control_total"]:
            try:
                control_total = Decimal(options["control_total"].replace(",", "").lstrip("£"))
            except InvalidOperation as exc:
                raise CommandError("--control-total must be an amount, e.g. 726583.94") from exc
        spend_return, created = self._return(organisation, year, place, options["return_id"])
        try:
            with path.open("rb") as handle:
                job = import_job_create(
                    spend_return=spend_return,
                    file=File(handle, name=path.name),
                    actor=self.audit_user,
                    filename=path.name,
                    mode=ImportMode.REPLACE if options["replace"] else ImportMode.ADD,
                    place=None if options["apportion"] else place,
                    apportion=options["apportion"],
                    driver=options["driver"],
                    control_total=control_total,
                    mapping=mapping,
                    save_mapping_as=options["save_mapping"],
                    save_mapping_preferred=options["prefer_mapping"],
                    start=False,
                )
        except (ValidationError, PermissionDenied) as exc:
            if created:
                spend_return.delete()
            raise CommandError(error_text(exc)) from exc
        job = import_job_run(job_id=job.pk)
        self._report(job)
        if job.status != ImportJobStatus.READY:
            if created:
                spend_return.delete()
            raise CommandError(f"Nothing imported: {job.get_status_display().lower()}.")
        if options["dry_run"]:
            import_job_cancel(job=job, actor=self.audit_user)
            if created:
                spend_return.delete()  # the empty draft made for this run goes too
            self.stdout.write("Dry run: nothing was changed.")
            return
        try:
            job = import_job_confirm(
                job=job,
                actor=self.audit_user,
                duplicate_reason=options["also_in_another_return"],
            )
        except (ValidationError, PermissionDenied) as exc:
            raise CommandError(error_text(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Added {job.staged_count:,} lines to {spend_return} "
                f"(spend return {spend_return.pk}, {spend_return.get_status_display().lower()})."
            )
        )

    def _organisation(self, code: str) -> Organisation:
        found = list(Organisation.objects.by_code(code)) or list(
            Organisation.objects.filter(name__iexact=code.strip())
        )
        if len(found) != 1:
            raise CommandError(
                f"No organisation has the code or name “{code}”."
                if not found
                else f"“{code}” matches {len(found)} organisations: "
                + ", ".join(f"{o.name} ({o.code})" for o in found)
            )
        return found[0]

    def _year(self, code: str) -> FinancialYear:
        try:
            return financial_year_get(code)
        except (ValueError, FinancialYear.DoesNotExist) as exc:
            raise CommandError(f"“{code}” is not a financial year we know (e.g. 2010-11).") from exc

    def _place(self, code: str) -> Place:
        found = list(Place.objects.by_code(code))
        if len(found) != 1:
            raise CommandError(f"No place has the code “{code}”.")
        return found[0]

    def _return(self, organisation, year, place, return_id) -> SpendReturn:
        if return_id:
            spend_return = SpendReturn.objects.filter(
                pk=return_id, organisation=organisation
            ).first()
            if spend_return is None:
                raise CommandError(f"{organisation} has no spend return {return_id}.")
            return spend_return, False
        scope = SpendReturn.objects.filter(organisation=organisation, financial_year=year)
        scope = scope.filter(place=place) if place else scope.filter(place__isnull=True)
        latest = scope.order_by("-version").first()
        if latest is not None and latest.status in SpendReturnStatus.editable():
            return latest, False
        try:
            spend_return = spend_return_create(
                organisation=organisation, financial_year=year, place=place, actor=self.audit_user
            )
        except PermissionDenied as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Created draft {spend_return} (spend return {spend_return.pk}).")
        return spend_return, True

    def _report(self, job) -> None:
        write = self.stdout.write
        fmt = job.file_format
        write(f"File: {job.filename} ({job.size:,} bytes, SHA-256 {job.sha256[:16]}…)")
        if fmt.get("kind") == "csv":
            write(
                f"Read as CSV, {fmt.get('encoding')}, {fmt.get('delimiter')}-separated; "
                f"header on row {fmt.get('header_row', '?')}."
            )
        elif fmt.get("kind") == "xlsx":
            write(
                f"Read as Excel, sheet “{fmt.get('sheet', '')}”; header on row "
                f"{fmt.get('header_row', '?')}."
            )
        if job.mapping_used:
            write(
                f"Layout: {job.layout}"
                + (f" (saved mapping “{job.mapping.name}”" if job.mapping else "")
                + (", preferred" if job.mapping and job.mapping.preferred else "")
                + (")" if job.mapping else "")
            )
            read_as = job.mapping_used.get("read_as", {})
            for field, header in job.mapping_used.get("fields", {}).items():
                note = f" (read as “{read_as[header]}”)" if header in read_as else ""
                write(f"  {field:<18} ← {header}{note}")
        write(f"Rows read: {job.rows_done:,}")
        write(
            f"Lines: {job.line_count:,}   total {pounds(Decimal(job.line_total))}   "
            f"credits {job.credits_count:,}"
        )
        if job.staged_count != job.line_count:
            write(f"Ledger lines after apportionment: {job.staged_count:,}")
        if job.dropped_count:
            reasons = ", ".join(f"{n:,} {reason}" for reason, n in job.dropped.items())
            write(f"Dropped rows: {job.dropped_count:,} ({reasons})")
            for example in fmt.get("dropped_examples", [])[:5]:
                if example["reason"] != "empty":
                    write(f"  row {example['row']}: {example['reason']} {example['values']}")
        if job.file_total is not None:
            write(f"The file's own total: {pounds(Decimal(job.file_total))}")
        if job.unallocated_count:
            write(
                f"Unallocated (no theme rule matched): {job.unallocated_count:,} lines, "
                f"{pounds(Decimal(job.unallocated_total))}"
            )
        for warning in job.warnings:
            write(self.style.WARNING(f"Warning: {warning}"))
        if job.message and job.status != ImportJobStatus.READY:
            write(self.style.ERROR(job.message))
        for error in job.errors[:ERRORS_SHOWN]:
            where = []
            if error.get("row") is not None:
                where.append(f"row {error['row']}")
            if error.get("column"):
                where.append(f"column “{error['column']}”")
            if error.get("value"):
                where.append(f"value “{error['value']}”")
            write(
                self.style.ERROR(
                    f"  {', '.join(where)}: {error['message']}"
                    if where
                    else f"  {error['message']}"
                )
            )
        if job.error_count > ERRORS_SHOWN:
            write(self.style.ERROR(f"  … and {job.error_count - ERRORS_SHOWN:,} more"))
