"""Reads of the audit trail that depend on who asks.

A spend return's whole trail (who did what, its lines' changes, the files imported and what
their previews said) is for its organisation's people and staff; everyone else who may see the
return reads its status changes alone (``ledger.selectors.access.sees_trail``). Who prepared a
version is the ledger's to read (``ledger.selectors.preparers``).
"""

from ledger.models import SpendReturn
from ledger.selectors.access import sees_trail
from totalplace.history import provides

from . import history


@provides("spend_return")
def spend_return_history_for(*, user, spend_return: SpendReturn) -> list[history.Entry]:
    """The history of ``spend_return`` that ``user`` may read, newest first."""
    if sees_trail(user=user, spend_return=spend_return):
        return history.spend_return_history(spend_return_id=spend_return.pk)
    return history.spend_return_status_history(spend_return_id=spend_return.pk)
