from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        # Celery tasks and their publishers carry the audit context (see audit.worker).
        from audit import worker

        worker.connect_signals()
