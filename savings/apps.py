from django.apps import AppConfig


class SavingsConfig(AppConfig):
    name = "savings"
    verbose_name = "Savings"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Savings subscribes to pilots' announcements and adds its sections to pilots' pages.
        from savings import receivers
        from savings.pages import sections  # noqa: F401 (registers on import)

        receivers.connect()
