from django.contrib import admin
from django.db import transaction

from ledger.admin import UserRolesAdmin
from pilots.models import (
    EvidenceItem,
    Initiative,
    Pilot,
    PilotLead,
    PlaceBudgetSubmission,
    Programme,
    SubmissionSaving,
)
from pilots.tasks import baselines_refresh_for_pilot
from totalplace.admin_history import AuditHistoryAdminMixin
from totalplace.celery import send_or_log


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "period", "sort_order"]
    prepopulated_fields = {"slug": ["name"]}


class PilotLeadInline(admin.TabularInline):
    model = PilotLead
    extra = 0
    fk_name = "pilot"
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_at", "granted_by"]


@admin.register(Pilot)
class PilotAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Pilots are set up here; their leads are granted here too (a lead edits only their own)."""

    list_display = ["name", "programme", "kind", "status", "lead_organisation", "is_illustrative"]
    list_filter = ["programme", "kind", "status", "is_illustrative"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["places", "lead_organisation", "service_themes"]
    filter_horizontal = ["deep_dives"]
    inlines = [PilotLeadInline]

    def save_formset(self, request, form, formset, change):
        for instance in formset.save(commit=False):
            if isinstance(instance, PilotLead) and instance.granted_by_id is None:
                instance.granted_by = request.user
            instance.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    def save_related(self, request, form, formsets, change) -> None:
        super().save_related(request, form, formsets, change)
        if change and "places" in form.changed_data:
            # Its initiatives' baselines are the footprint's spend on their themes: read them
            # again now rather than at the nightly refresh (which still catches a lost job).
            pilot_id = form.instance.pk
            transaction.on_commit(
                lambda: send_or_log(baselines_refresh_for_pilot, pilot_id), robust=True
            )


@admin.register(PilotLead)
class PilotLeadAdmin(admin.ModelAdmin):
    list_display = ["user", "pilot", "granted_at", "granted_by"]
    list_filter = ["pilot__programme"]
    search_fields = ["user__username", "pilot__name"]
    autocomplete_fields = ["user", "pilot"]


@admin.register(Initiative)
class InitiativeAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Read-mostly: initiatives are edited by pilot leads on the site, so every change goes
    through the services and is recomputed."""

    list_display = ["title", "pilot", "status", "baseline_year", "is_illustrative"]
    list_filter = ["status", "pilot__programme", "is_illustrative"]
    search_fields = ["title", "pilot__name", "public_id"]
    readonly_fields = [f.name for f in Initiative._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "pilot", "initiative", "is_published", "is_illustrative"]
    list_filter = ["kind", "is_published", "is_illustrative"]
    search_fields = ["title", "public_id", "pilot__name"]
    readonly_fields = ["public_id", "file_sha256", "file_size", "created_at", "updated_at"]
    raw_id_fields = ["pilot", "initiative", "created_by", "updated_by"]


class SubmissionSavingInline(admin.TabularInline):
    model = SubmissionSaving
    extra = 0
    raw_id_fields = ["theme", "organisation", "initiative"]


@admin.register(PlaceBudgetSubmission)
class PlaceBudgetSubmissionAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Its history page is the audit trail's: its fields and its links."""

    list_display = ["title", "pilot", "submitted_on", "is_published", "is_illustrative"]
    list_filter = ["is_published", "is_illustrative"]
    search_fields = ["title", "pilot__name"]
    raw_id_fields = ["pilot", "created_by"]
    filter_horizontal = ["linked_initiatives", "linked_evidence"]
    inlines = [SubmissionSavingInline]


class UserPilotLeadInline(admin.TabularInline):
    """On a user's admin page: the pilots they lead."""

    model = PilotLead
    extra = 0
    fk_name = "user"
    autocomplete_fields = ["pilot"]
    readonly_fields = ["granted_at", "granted_by"]
    verbose_name = "pilot led"
    verbose_name_plural = "Pilots led (pilot lead role)"


# The user's page in the admin (ledger.admin.UserRolesAdmin) grants every role in one place.
UserRolesAdmin.inlines = [*UserRolesAdmin.inlines, UserPilotLeadInline]
