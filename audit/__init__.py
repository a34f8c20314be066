"""The audit trail: who changed what, when, and on whose behalf.

Changes to the tracked models are written by PostgreSQL triggers (django-pghistory), so bulk
loads (``COPY`` then ``INSERT ... SELECT``), ``QuerySet.update()`` and raw SQL are caught as well
as ``save()``. Workflow steps (submitted, approved, sent back, superseded; an import previewed,
confirmed or cancelled) are recorded explicitly by the services, in the same transaction.
Every row carries its context: the acting user and the request, Celery task or command.
"""
