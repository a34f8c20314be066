from django.conf import settings

from ledger.services.demo import demo_load_cumbria
from ledger.services.demo_accounts import DEMO_PASSWORD, demo_accounts_create
from ledger.services.demo_datasets import demo_load_datasets
from ledger.services.demo_spend_file import SPEND_FILE, demo_load_spend_file
from ledger.services.reference import reference_load_all
from savings.services.demo import demo_load_pilots, demo_pilot_lead_grant
from totalplace.commands import AuditedCommand


class Command(AuditedCommand):
    help = (
        "Load the illustrative Cumbria demo data (bodies, populations, approved returns for "
        "2006-07 to 2010-11 and the county's own bodies for 2013-14 to 2017-18), a real council "
        "spend file (Leeds, January 2011: imported, confirmed and approved), the real national "
        "datasets (DLUHC revenue account 2023-24, HM Treasury CRA 2018), then the "
        "pilots and the illustrative worked example. Loads "
        "reference data first. Loading twice does not double it. With --accounts (DEBUG only) "
        "it also creates a sign-in for each role, sharing one password."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--accounts",
            action="store_true",
            help="create the demo sign-ins officer, approver, analyst, lead and admin "
            "(only with DEBUG on; existing accounts are left alone)",
        )
        parser.add_argument("--password", default=DEMO_PASSWORD, help="their password")
        parser.add_argument(
            "--skip-datasets",
            action="store_true",
            help="do not load the national datasets (the CRA alone is 1.6 million lines, about "
            "half a minute on PostgreSQL and two on SQLite)",
        )

    def handle(self, *args, **options):
        reference_load_all()
        result = demo_load_cumbria()
        self.stdout.write(
            f"Cumbria demo: {result['returns_created']} returns created "
            f"({result['lines']} lines), {result['returns_skipped']} already loaded."
        )
        spend_file = demo_load_spend_file()
        lines = f" ({spend_file.job.staged_count:,} lines)" if spend_file.job else ""
        self.stdout.write(f"Spend file {SPEND_FILE.name}: {spend_file.status}{lines}.")
        if not options["skip_datasets"]:
            for slug, status in demo_load_datasets().items():
                self.stdout.write(f"Dataset {slug}: {status}.")
        pilots = demo_load_pilots()
        self.stdout.write(
            f"Pilots: {pilots['pilots']} pilots; worked example "
            f"{'created' if pilots['worked_example_created'] else 'already loaded'}."
        )
        if options["accounts"] and not settings.DEBUG:
            # Not an error: `DEBUG=0 make run` still gets its demo data, without the sign-ins.
            self.stderr.write(
                "Demo sign-ins not created: they share a known password, so only with DEBUG on."
            )
        elif options["accounts"]:
            accounts = demo_accounts_create(
                password=options["password"], pilot_lead_grant=demo_pilot_lead_grant
            )
            self.stdout.write("Demo sign-ins (at /accounts/login/; the page lists them too):")
            for account in accounts:
                note = f"password {options['password']}" if account.created else "already there"
                self.stdout.write(f"  {account.username:<9} {account.role:<16} {note}")
