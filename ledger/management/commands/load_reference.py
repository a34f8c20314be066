from ledger.services.reference import reference_load_all
from totalplace.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Load (or refresh) reference data: financial years, England's regions and local "
        "authorities (mySociety), COFOG, revenue-outturn lines, deep-dive themes, service "
        "themes and crosswalks, national bodies and one organisation per council. Safe to re-run."
    )

    def handle(self, *args, **options):
        for name, result in reference_load_all().items():
            self.stdout.write(
                f"{name}: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged"
            )
