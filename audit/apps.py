from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Celery tasks and their publishers carry the audit context (see audit.worker).
        from audit import worker

        worker.connect_signals()
        # The readers other apps' pages ask for a record's history (see totalplace.history).
        from audit import history, selectors  # noqa: F401 (register on import)

        # After every migrate (once, with this app as sender): guard every history table,
        # including ones other apps' migrations have just added (see audit.guards).
        post_migrate.connect(_after_migrate, sender=self, dispatch_uid="audit.guards")


def _after_migrate(sender, using="default", plan=None, **kwargs) -> None:
    if plan is None:  # sent by flush: tables emptied, none added or changed
        return
    from django.conf import settings

    from audit.guards import guards_install
    from audit.roles import app_role_grants_refresh

    guards_install(using=using)
    # New tables need the app role's grants before the app (running as it) can use them.
    app_role_grants_refresh(role=settings.TOTALPLACE_APP_DB_ROLE, using=using)
