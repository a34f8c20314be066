"""What pilots announces.

``initiative_changed``: an initiative was created, changed or deleted. Apps built on pilots
(savings) subscribe, so that pilots never imports them. Sent inside the writing transaction
with ``initiative`` (None once deleted), ``initiative_id`` and ``pilot_id``; a receiver asks
for its work to run after commit.
"""

from django.dispatch import Signal

initiative_changed = Signal()
