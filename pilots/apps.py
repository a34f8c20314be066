from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = "Pilots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pilots import permissions, signals  # noqa: F401 (permissions registers the rules)

        signals.connect()
