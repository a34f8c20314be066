"""Recording workflow events. Called by the services that take the step, inside their
transaction, so the event and the change it describes are committed (or rolled back) together."""

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser

from ledger.models import WorkflowAction, WorkflowEvent
from totalplace.audit_context import current


def _actor_from_context() -> tuple[int | None, str]:
    ctx = current()
    if ctx is None or not ctx.metadata.get("user"):
        return None, ""
    return ctx.metadata["user"], ctx.metadata.get("username", "")


def workflow_event_record(
    *,
    action: WorkflowAction,
    actor: AbstractBaseUser | None = None,
    spend_return=None,
    import_job=None,
    dataset_edition=None,
    reason: str = "",
    detail: dict[str, Any] | None = None,
    default_actor: AbstractBaseUser | None = None,
) -> WorkflowEvent:
    """Record that ``actor`` took ``action`` on a spend return (and/or an import job), or on a
    dataset edition.

    Without an explicit actor, the user the audit context names is the actor (a Celery task
    acting for whoever queued it), else ``default_actor`` (on whose behalf the system acted);
    with none of them, the step was the system's own.
    """
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_name = actor.pk, actor.get_username()
    else:
        actor_id, actor_name = _actor_from_context()
        if actor_id is None and default_actor is not None:
            actor_id, actor_name = default_actor.pk, default_actor.get_username()
        if actor_id and not actor_name:
            user = get_user_model().objects.filter(pk=actor_id).first()
            actor_name = user.get_username() if user else ""
    if spend_return is None and import_job is not None:
        spend_return_id = import_job.spend_return_id
    else:
        spend_return_id = spend_return.pk if spend_return is not None else None
    organisation_id = None
    for subject in (spend_return, import_job):
        if subject is not None:
            organisation_id = subject.organisation_id
            break
    ctx = current()
    return WorkflowEvent.objects.create(
        action=action,
        spend_return_id=spend_return_id,
        import_job_id=import_job.pk if import_job is not None else None,
        dataset_edition_id=dataset_edition.pk if dataset_edition is not None else None,
        organisation_id=organisation_id,
        actor_id=actor_id,
        actor_name=actor_name,
        reason=reason,
        detail=detail or {},
        context_id=ctx.id if ctx else None,
        context=dict(ctx.metadata) if ctx else {},
    )
