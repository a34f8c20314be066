from ledger.services.reference import reference_load_all
from pilots.services.seed import pilots_seed
from savings.services.reference import discount_rates_load, unit_costs_load
from totalplace.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Seed the programmes, the 13 Total Place pilots (with Counting Cumbria) and the Whole "
        "Place Community Budget pilots, the unit-cost library and the Green Book discount "
        "schedule. Loads reference data first. Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--skip-reference", action="store_true", help="Reference data is already loaded"
        )

    def handle(self, *args, **options):
        if not options["skip_reference"]:
            reference_load_all()
        pilots = pilots_seed()
        unit_costs = unit_costs_load()
        rates = discount_rates_load()
        self.stdout.write(
            f"Pilots: {pilots.created} created, {pilots.updated} updated; unit costs: "
            f"{unit_costs.created} created, {unit_costs.updated} updated; discount bands: "
            f"{rates.created} created."
        )
