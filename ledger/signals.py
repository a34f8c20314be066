"""A change to a name, code, sector, population or year that cached answers show raises the
rollup generation, so an administrator's edit is on the API at once, not after the cache ages.

Bulk loads (reference data, the demo) run inside ``rollup_generation_deferred``, which raises
it once at the end instead of once a row.

``rollups_refreshed`` tells other apps that the rollups of some returns' lines are current (or,
after the nightly rebuild, all of them), so what they read from the rollups can follow without
the ledger knowing who reads them (pilots' baselines subscribe in ``PilotsConfig.ready``).
"""

from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal

from ledger.calculations.suppliers import sqlite_functions_add
from ledger.models import FinancialYear, Organisation, Place, Population, ServiceTheme
from ledger.services.rollup_generation import (
    rollup_generation_bump,
    rollup_generation_is_deferred,
)

SHOWN_IN_TOTALS = (Place, Organisation, ServiceTheme, Population, FinancialYear)

# Sent with ``spend_return_ids`` once the rollups their lines touch have been refreshed, or with
# ``spend_return_ids=None`` once every rollup has been rebuilt (any total may have moved).
rollups_refreshed = Signal()


def _bump(sender, **kwargs) -> None:
    # loaddata (raw) writes a fixture's own data; a bulk load raises it once when done.
    if kwargs.get("raw") or rollup_generation_is_deferred():
        return
    rollup_generation_bump()


def connect() -> None:
    connection_created.connect(sqlite_functions_add, dispatch_uid="ledger-sqlite-functions")
    for model in SHOWN_IN_TOTALS:
        post_save.connect(_bump, sender=model, dispatch_uid=f"rollup-generation-{model.__name__}")
        post_delete.connect(
            _bump, sender=model, dispatch_uid=f"rollup-generation-del-{model.__name__}"
        )
