"""Reading the audit trail: a record's history as entries people can read.

An entry is everything done in one audit context (one request, task or command): the workflow
steps taken, the fields changed from → to, the links added or removed (a pilot's places...),
and how many lines were added, changed or deleted.
Entries come newest first. On SQLite only workflow events exist (see ``totalplace.audit_context``).
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models

from ledger.models import LineChangeSummary, SpendLine, SpendReturn, WorkflowAction, WorkflowEvent
from totalplace.audit_context import uses_triggers
from totalplace.history import provides

from .formatting import EMPTY, Names, display, raw_value, tracked_fields
from .models import SpendLineEvent, SpendReturnEvent
from .models.events import EVENT_MODELS
from .models.links import ADD, LINK_EVENT_MODELS, REVERSE_LINK_EVENT_MODELS

NOT_RECORDED = object()  # the value before the trail began
# What anyone who may see a return reads of its history: its status changes, saying which
# versions, and nothing of who took them, why, or what was imported along the way.
STATUS_ACTIONS = (
    WorkflowAction.CREATED,
    WorkflowAction.SUBMITTED,
    WorkflowAction.SENT_BACK,
    WorkflowAction.APPROVED,
    WorkflowAction.SUPERSEDED,
    WorkflowAction.DISCARDED,
)
STATUS_DETAIL = ("version", "by_version")


@dataclass
class Change:
    field: str
    before: str
    after: str


@dataclass
class RecordChange:
    event: Any
    pairs: list[tuple[models.Field, Any, Any]]
    changes: list[Change] = field(default_factory=list)

    @property
    def verb(self) -> str:
        return {"insert": "created", "update": "changed", "delete": "deleted"}.get(
            self.event.pgh_label, self.event.pgh_label
        )


@dataclass
class LinkChange:
    """A link added to or removed from the record: "Place added: Cumbria"."""

    event: Any
    noun: str
    name: str

    @property
    def verb(self) -> str:
        return "added" if self.event.pgh_label == ADD else "removed"

    def __str__(self) -> str:
        return f"{self.noun.capitalize()} {self.verb}: {self.name}"


@dataclass
class Entry:
    when: datetime
    who: str
    via: str
    actions: list[WorkflowEvent] = field(default_factory=list)
    records: list[RecordChange] = field(default_factory=list)
    links: list[LinkChange] = field(default_factory=list)
    lines: list[LineChangeSummary] = field(default_factory=list)


def describe_context(metadata: dict | None) -> tuple[str, str]:
    """(who, via) for a context's metadata: the user, and the request, task or command."""
    md = metadata or {}
    who = md.get("username") or (f"user #{md['user']}" if md.get("user") else "")
    if md.get("task"):
        via = f"task {md['task']}"
        if md.get("queued_from_url"):
            via += f", queued by {md.get('queued_from_method', '')} {md['queued_from_url']}"
    elif md.get("command"):
        via = f"command {md['command']}"
        if md.get("os_user"):
            via += f" (run by {md['os_user']})"
    elif md.get("url"):
        via = f"{md.get('method', '')} {md['url']}".strip()
    else:
        via = ""
    if md.get("api_token"):
        via += f" with API token {md['api_token']}"
    return who or "the system", via


def record_changes(events: list) -> list[RecordChange]:
    """Each event with what it changed: against the object's previous event (by ``pgh_id``)."""
    if not events:
        return []
    fields = tracked_fields(type(events[0]))
    previous: dict[Any, Any] = {}
    out = []
    for event in sorted(events, key=lambda e: e.pgh_id):
        prev = previous.get(event.pgh_obj_id)
        if event.pgh_label == "insert":
            pairs = [(f, None, raw_value(event, f)) for f in fields]
            pairs = [p for p in pairs if p[2] not in (None, "")]
        elif event.pgh_label == "delete":
            pairs = [(f, raw_value(event, f), None) for f in fields]
            pairs = [p for p in pairs if p[1] not in (None, "")]
        else:
            pairs = [
                (f, raw_value(prev, f) if prev else NOT_RECORDED, raw_value(event, f))
                for f in fields
                if prev is None or raw_value(prev, f) != raw_value(event, f)
            ]
        previous[event.pgh_obj_id] = event
        out.append(RecordChange(event=event, pairs=pairs))
    return out


def render(records: list[RecordChange]) -> None:
    """Fill in readable changes, naming every referenced record with one query per model."""
    names = Names()
    for record in records:
        for f, before, after in record.pairs:
            for value in (before, after):
                if value is not NOT_RECORDED:
                    names.want(f, value)
    names.resolve()
    for record in records:
        record.changes = [
            Change(
                field=str(f.verbose_name)[:1].upper() + str(f.verbose_name)[1:],
                before="not recorded" if before is NOT_RECORDED else display(f, before, names),
                after=display(f, after, names),
            )
            for f, before, after in record.pairs
        ]


def link_changes(obj: models.Model) -> list[LinkChange]:
    """The links added to and removed from ``obj``, from either side, naming the linked records
    in one query per model: a fixed number of queries however long the history."""
    names = Names()
    found = []
    sides = [
        (m, m.link_owner, m.link_other, m.link_noun) for m in LINK_EVENT_MODELS.get(type(obj), [])
    ]
    sides += [
        (m, m.link_other, m.link_owner, m.link_reverse_noun)
        for m in REVERSE_LINK_EVENT_MODELS.get(type(obj), [])
    ]
    for event_model, own_side, other_side, noun in sides:
        other = event_model._meta.get_field(other_side)
        events = event_model.objects.filter(**{own_side: obj.pk})
        for event in events.select_related("pgh_context").order_by("pgh_id"):
            names.want(other, getattr(event, other.attname))
            found.append((event, other, noun))
    names.resolve()
    return [
        LinkChange(
            event=event, noun=noun, name=display(other, getattr(event, other.attname), names)
        )
        for event, other, noun in found
    ]


def _entries(*, workflow=(), records=(), links=(), lines=()) -> list[Entry]:
    groups: dict[Any, Entry] = {}

    def entry_for(key, when, metadata) -> Entry:
        entry = groups.get(key)
        if entry is None:
            who, via = describe_context(metadata)
            entry = groups[key] = Entry(when=when, who=who, via=via)
        entry.when = min(entry.when, when)
        return entry

    for event in workflow:
        key = event.context_id or ("workflow", event.pk)
        entry = entry_for(key, event.created_at, event.context)
        if event.actor_name:  # the explicit actor wins over the context's user
            entry.who = event.actor_name
        entry.actions.append(event)
    for record in records:
        event = record.event
        metadata = event.pgh_context.metadata if event.pgh_context_id else None
        key = event.pgh_context_id or ("event", event.pgh_id)
        entry_for(key, event.pgh_created_at, metadata).records.append(record)
    for link in links:
        event = link.event
        metadata = event.pgh_context.metadata if event.pgh_context_id else None
        key = event.pgh_context_id or ("link", event._meta.label, event.pgh_id)
        entry_for(key, event.pgh_created_at, metadata).links.append(link)
    for summary in lines:
        metadata = summary.context.metadata if summary.context_id else None
        key = summary.context_id or ("lines", summary.pk)
        entry_for(key, summary.created_at, metadata).lines.append(summary)
    return sorted(groups.values(), key=lambda e: e.when, reverse=True)


def spend_return_history(*, spend_return_id: int) -> list[Entry]:
    """A return's whole history: sign-off steps, imports, its own changes, its lines' changes."""
    workflow = WorkflowEvent.objects.filter(spend_return_id=spend_return_id).order_by(
        "created_at", "id"
    )
    events = list(
        SpendReturnEvent.objects.filter(pgh_obj_id=spend_return_id).select_related("pgh_context")
    )
    records = record_changes(events)
    render(records)
    lines = LineChangeSummary.objects.filter(spend_return_id=spend_return_id).select_related(
        "context"
    )
    return _entries(workflow=list(workflow), records=records, lines=list(lines))


def spend_return_status_history(*, spend_return_id: int) -> list[Entry]:
    """A return's status changes alone (for readers outside its organisation): no user, reason,
    file, context or line change. The events are copies holding only what may be shown, so
    no template can reach the rest."""
    rows = (
        WorkflowEvent.objects.filter(spend_return_id=spend_return_id, action__in=STATUS_ACTIONS)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at", "action", "detail")
    )
    entries = []
    for pk, created_at, action, detail in rows:
        shown = {key: detail[key] for key in STATUS_DETAIL if key in (detail or {})}
        event = WorkflowEvent(pk=pk, created_at=created_at, action=action, detail=shown)
        entries.append(Entry(when=created_at, who="", via="", actions=[event]))
    return entries


@provides("record")
def object_history(obj: models.Model) -> list[Entry]:
    """Any tracked record's history (the admin's history page): its changes and its links'."""
    if isinstance(obj, SpendReturn):
        return spend_return_history(spend_return_id=obj.pk)
    records = []
    event_model = EVENT_MODELS.get(type(obj))
    if event_model is not None:
        events = event_model.objects.filter(pgh_obj_id=obj.pk).select_related("pgh_context")
        records = record_changes(list(events))
        render(records)
    lines = []
    if isinstance(obj, SpendLine) and obj.import_job_id:
        # An imported line's insert is its import's one record (not a row of its own).
        found = import_record(spend_return_id=obj.spend_return_id, import_job_id=obj.import_job_id)
        lines = [found] if found else []
    return _entries(records=records, links=link_changes(obj), lines=lines)


def line_changes(*, spend_return_id: int, context_id, label: str = "") -> models.QuerySet:
    """The line events one context wrote for one return (the drill-down of a summary)."""
    events = SpendLineEvent.objects.filter(
        pgh_context_id=context_id, spend_return_id=spend_return_id
    ).order_by("pgh_id")
    return events.filter(pgh_label=label) if label else events


def import_record(*, spend_return_id: int, import_job_id: int) -> LineChangeSummary | None:
    """The one record of the lines a confirmed import added to a return (PostgreSQL)."""
    return (
        LineChangeSummary.objects.filter(
            spend_return_id=spend_return_id, import_job_id=import_job_id, label="insert"
        )
        .select_related("context")
        .first()
    )


def line_changes_render(events: list[SpendLineEvent]) -> list[RecordChange]:
    """The page of line events with what each changed, against each line's previous event."""
    if not events:
        return []
    ids = {e.pgh_obj_id for e in events}
    first = min(e.pgh_id for e in events)
    earlier = (
        SpendLineEvent.objects.filter(pgh_obj_id__in=ids, pgh_id__lt=first)
        .order_by("pgh_obj_id", "-pgh_id")
        .distinct("pgh_obj_id")
        if uses_triggers()
        else []
    )
    shown = {e.pgh_id for e in events}
    records = [r for r in record_changes([*earlier, *events]) if r.event.pgh_id in shown]
    render(records)
    return records


__all__ = [
    "EMPTY",
    "Entry",
    "LinkChange",
    "describe_context",
    "link_changes",
    "import_record",
    "line_changes",
    "line_changes_render",
    "object_history",
    "spend_return_history",
    "spend_return_status_history",
]
