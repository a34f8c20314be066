from django.apps import AppConfig


class PilotsConfig(AppConfig):
    name = "pilots"
    verbose_name = "Pilots"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from pilots import permissions, receivers  # noqa: F401 (permissions registers the rules)

        receivers.connect()
