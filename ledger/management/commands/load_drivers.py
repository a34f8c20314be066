from pathlib import Path

from ledger.services.driver_values import driver_values_load
from totalplace.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Load apportionment drivers (claimants, pupils, registered patients...) by place and "
        "year from a CSV with the columns driver, place, year, value, source [, illustrative]. "
        "Safe to re-run: values are updated in place."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("path", type=Path)

    def handle(self, *args, **options):
        result = driver_values_load(path=options["path"])
        self.stdout.write(
            f"drivers: {result.created} created, {result.updated} updated, "
            f"{result.unchanged} unchanged"
        )
