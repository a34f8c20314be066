"""Create or update the PostgreSQL role the app runs as, and grant it what the app needs.

    python manage.py db_app_role [--role NAME]

Run as the tables' owner after every ``migrate`` (docker-compose's ``migrate`` service does).
The role and its password come from ``TOTALPLACE_APP_DB_ROLE`` and
``TOTALPLACE_APP_DB_PASSWORD``; see ``audit.roles`` for what it may do and README "Production".
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from audit.roles import AppRoleError, app_role_apply


class Command(BaseCommand):
    help = "Create or update the app's PostgreSQL role (not the owner): history insert-only."

    def add_arguments(self, parser):
        parser.add_argument("--role", default=settings.TOTALPLACE_APP_DB_ROLE)
        parser.add_argument("--database", default="default")

    def handle(self, *args, role: str, database: str, **options):
        if not role:
            raise CommandError("name the role: TOTALPLACE_APP_DB_ROLE or --role")
        try:
            result = app_role_apply(
                role=role, password=settings.TOTALPLACE_APP_DB_PASSWORD, using=database
            )
        except AppRoleError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            f"{'created' if result.created else 'updated'} role {result.role}: "
            f"read and write on {result.tables - len(result.history_tables)} tables, "
            f"insert and read only on {len(result.history_tables)} history tables"
        )
