from django.apps import AppConfig


class ExplorerConfig(AppConfig):
    """The analyst's explorer and map: pages over ledger's totals, with no models of their own."""

    name = "explorer"
