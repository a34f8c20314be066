"""The admin's "History" button on a tracked record's page shows its audit trail (read by the
audit app: ``totalplace.history``)."""

from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse

from .audit_context import uses_triggers
from .history import history_read

ENTRIES_PER_PAGE = 25


class AuditHistoryAdminMixin:
    """Replaces the admin's history page (its own log of admin edits) with the audit trail,
    which also holds what was changed on the site, through the API, by tasks and commands."""

    object_history_template = "audit/admin/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        entries = history_read("record", obj=obj)
        page = Paginator(entries, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
        context = {
            **self.admin_site.each_context(request),
            "title": f"History: {obj}",
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "page": page,
            "entries": page.object_list,
            "show_via": True,
            "uses_triggers": uses_triggers(),
            "record_subject": self.opts.verbose_name.capitalize(),
            **(extra_context or {}),
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, self.object_history_template, context)
