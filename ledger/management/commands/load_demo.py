from audit.commands import AuditedCommand
from ledger.services.demo import demo_load_cumbria
from ledger.services.reference import reference_load_all
from pilots.services.demo import demo_load_pilots


class Command(AuditedCommand):
    help = (
        "Load the illustrative Cumbria demo data (bodies, populations, approved returns for "
        "2006-07 to 2010-11), then the pilots and the illustrative worked example. Loads "
        "reference data first. Loading twice does not double it."
    )

    def handle(self, *args, **options):
        reference_load_all()
        result = demo_load_cumbria()
        self.stdout.write(
            f"Cumbria demo: {result['returns_created']} returns created "
            f"({result['lines']} lines), {result['returns_skipped']} already loaded."
        )
        pilots = demo_load_pilots()
        self.stdout.write(
            f"Pilots: {pilots['pilots']} pilots; worked example "
            f"{'created' if pilots['worked_example_created'] else 'already loaded'}."
        )
