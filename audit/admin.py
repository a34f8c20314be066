"""The audit trail in the admin: every history table and the workflow events, read only."""

from django.contrib import admin

from ledger.models import LineChangeSummary, WorkflowEvent

from .history import describe_context
from .models.events import EVENT_MODELS
from .models.links import LINK_EVENT_MODELS


class ReadOnlyAdmin(admin.ModelAdmin):
    # History tables grow by millions of rows: no exact count on every page.
    show_full_result_count = False
    list_per_page = 50

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EventAdmin(ReadOnlyAdmin):
    list_display = ["pgh_created_at", "pgh_label", "pgh_obj_id", "who", "via"]
    list_filter = ["pgh_label"]
    search_fields = ["pgh_label"]
    search_help_text = "The record's id"
    list_select_related = ["pgh_context"]
    ordering = ["-pgh_id"]

    def get_search_results(self, request, queryset, search_term):
        # Searching is by the tracked record's id (it may have been deleted since).
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(pgh_obj_id=int(term)), False
        return (queryset.none() if term else queryset), False

    @admin.display(description="who")
    def who(self, event) -> str:
        return describe_context(event.pgh_context.metadata if event.pgh_context_id else None)[0]

    @admin.display(description="via")
    def via(self, event) -> str:
        return describe_context(event.pgh_context.metadata if event.pgh_context_id else None)[1]


for _event_model in EVENT_MODELS.values():
    admin.site.register(_event_model, EventAdmin)


class LinkEventAdmin(EventAdmin):
    """A link's events: which record gained or lost which, searched by the first record's id."""

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(**{self.model.link_owner: int(term)}), False
        return (queryset.none() if term else queryset), False


for _link_models in LINK_EVENT_MODELS.values():
    for _event_model in _link_models:
        _links = [_event_model.link_owner, _event_model.link_other]
        admin.site.register(
            _event_model,
            LinkEventAdmin,
            list_display=["pgh_created_at", "pgh_label", *_links, "who", "via"],
            list_select_related=["pgh_context", *_links],
        )


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "action", "spend_return_id", "import_job_id", "actor_name"]
    list_filter = ["action"]
    search_fields = ["actor_name", "reason"]
    ordering = ["-created_at", "-id"]


@admin.register(LineChangeSummary)
class LineChangeSummaryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "label", "spend_return_id", "lines", "amount"]
    list_filter = ["label"]
