"""The audit trail: who changed what, when, and on whose behalf.

Changes to the tracked models are written by PostgreSQL triggers (django-pghistory), so bulk
loads (``COPY`` then ``INSERT ... SELECT``), ``QuerySet.update()`` and raw SQL are caught as well
as ``save()``. Workflow steps (submitted, approved, sent back, superseded; an import previewed,
confirmed or cancelled) are recorded explicitly by the ledger's services, in the same
transaction, as its workflow events (``ledger.models.workflow``). Every row carries its context
(``totalplace.audit_context``): the acting user and the request, Celery task or command.

This app builds on ledger, pilots and savings (its history tables name their models); they never
import it, and their pages read a record's history through ``totalplace.history``.
"""
