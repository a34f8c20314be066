from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from ledger.models import (
    ApiToken,
    Classification,
    ColumnMapping,
    FinancialYear,
    ImportJob,
    Membership,
    Organisation,
    Place,
    PlaceAlias,
    Population,
    ServiceTheme,
    SpendLine,
    SpendReturn,
    SpendReturnStatus,
    ThemeCrosswalk,
    ThemeRule,
)
from ledger.services.lines import spend_line_correct
from totalplace.admin_history import AuditHistoryAdminMixin


@admin.register(FinancialYear)
class FinancialYearAdmin(admin.ModelAdmin):
    list_display = ["code", "start_date", "end_date"]


class PlaceAliasInline(admin.TabularInline):
    model = PlaceAlias
    extra = 0


@admin.register(Place)
class PlaceAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Its history page is the audit trail's: the successors its boundary changes recorded."""

    list_display = ["name", "kind", "gss_code", "snac_code", "parent", "valid_from", "valid_to"]
    list_filter = ["kind"]
    search_fields = ["name", "official_name", "gss_code", "snac_code", "aliases__code"]
    autocomplete_fields = ["parent", "successors"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [PlaceAliasInline]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["place", "financial_year", "persons", "source", "is_illustrative"]
    list_filter = ["financial_year", "is_illustrative"]
    search_fields = ["place__name", "place__gss_code"]
    autocomplete_fields = ["place"]


@admin.register(Organisation)
class OrganisationAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Its history page is the audit trail's: its fields and its links."""

    list_display = ["name", "code", "sector", "kind", "parent"]
    list_filter = ["sector"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["parent", "home_place", "places"]


class ThemeCrosswalkInline(admin.TabularInline):
    model = ThemeCrosswalk
    extra = 0
    autocomplete_fields = ["classification"]


@admin.register(ServiceTheme)
class ServiceThemeAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "parent", "sort_order"]
    search_fields = ["name", "code"]
    inlines = [ThemeCrosswalkInline]


@admin.register(Classification)
class ClassificationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "scheme", "parent"]
    list_filter = ["scheme"]
    search_fields = ["code", "name"]


class SignedOffMixin:
    """What a submitted or approved return holds is what its approver signs off and what the
    totals count: the admin may not delete it, one by one or in bulk (a new version changes it,
    through the workflow). ``spend_return_of`` says whose return a record belongs to."""

    def signed_off(self, obj) -> bool:
        return self.spend_return_of(obj).status not in SpendReturnStatus.editable()

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and self.signed_off(obj):
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # it does not ask each record
        return actions


@admin.register(SpendReturn)
class SpendReturnAdmin(SignedOffMixin, AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = [
        "organisation",
        "financial_year",
        "place",
        "version",
        "status",
        "is_illustrative",
    ]
    list_filter = ["status", "financial_year", "is_illustrative"]
    search_fields = ["organisation__name", "organisation__code", "source_sha256"]
    autocomplete_fields = ["organisation", "place"]
    readonly_fields = [
        "source_sha256",
        "created_at",
        "created_by",
        "submitted_at",
        "submitted_by",
        "approved_at",
        "approved_by",
        "sent_back_at",
        "sent_back_by",
        "superseded_at",
        "superseded_by",
    ]
    # What an approval signs off; changing it here would skip the workflow (no event, no
    # superseding, no refreshed totals). The return's pages and the API move a return along.
    SIGNED_OFF = ["organisation", "financial_year", "place", "control_total", "source_file"]

    def get_readonly_fields(self, request, obj=None):
        fields = [*self.readonly_fields, "status", "version"]
        if obj is not None and self.signed_off(obj):
            fields += self.SIGNED_OFF
        return fields

    def spend_return_of(self, obj: SpendReturn) -> SpendReturn:
        return obj


@admin.register(SpendLine)
class SpendLineAdmin(SignedOffMixin, AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = [
        "spend_return",
        "place",
        "organisation",
        "theme",
        "financial_year",
        "amount",
        "basis",
    ]
    list_filter = ["financial_year", "basis", "spend_kind"]
    search_fields = ["supplier_name", "description", "transaction_ref"]
    raw_id_fields = ["place", "theme"]
    list_select_related = ["spend_return__organisation", "place", "organisation", "theme"]
    # Where a line belongs is fixed when it is added (``ledger.services.lines``): moving a
    # draft's line into an approved return would change signed-off totals with no sign-off.
    # receiver is derived from the supplier matches (``ledger.services.line_receivers``).
    readonly_fields = ["spend_return", "organisation", "financial_year", "receiver"]

    def spend_return_of(self, obj: SpendLine) -> SpendReturn:
        return obj.spend_return

    def save_model(self, request, obj, form, change) -> None:
        # Through the service: it re-checks the return's status under its lock, and the place.
        spend_line_correct(line=obj)

    # Lines go in through a return's grid or an import, which check the workflow; here they can
    # only be corrected while their return is a draft or sent back.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and self.signed_off(obj):
            return False
        return super().has_change_permission(request, obj)


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "organisation__name", "organisation__code"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Keys are never shown (only their hash is stored); admins can see and revoke tokens."""

    list_display = ["name", "key_prefix", "user", "organisation", "expires_at", "revoked_at"]
    list_filter = ["revoked_at"]
    readonly_fields = ["key_prefix", "key_hash", "created_at", "last_used_at"]
    search_fields = ["name", "key_prefix", "user__username"]


@admin.register(ColumnMapping)
class ColumnMappingAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = ["name", "organisation", "layout", "preferred", "last_used_at"]
    list_filter = ["preferred"]
    search_fields = ["name", "organisation__name"]
    autocomplete_fields = ["organisation"]
    # What the file it was saved from had: the signature is made from the headers on saving.
    readonly_fields = ["headers", "signature"]


@admin.register(ThemeRule)
class ThemeRuleAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    list_display = ["pattern", "field", "match", "theme", "organisation"]
    list_filter = ["field", "match"]
    search_fields = ["pattern", "organisation__name"]
    autocomplete_fields = ["organisation", "theme"]


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Jobs are written by the import services; the admin only looks."""

    list_display = [
        "filename",
        "spend_return",
        "status",
        "line_count",
        "error_count",
        "created_at",
    ]
    list_filter = ["status"]
    search_fields = ["filename", "sha256", "organisation__name"]
    raw_id_fields = ["spend_return", "organisation", "financial_year", "place", "mapping"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


class MembershipInline(admin.TabularInline):
    """Finance officer and approver roles, organisation by organisation."""

    model = Membership
    extra = 0
    autocomplete_fields = ["organisation"]
    readonly_fields = ["created_at"]
    verbose_name = "organisation role"
    verbose_name_plural = "Organisation roles (finance officer, approver)"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserRolesAdmin(UserAdmin):
    """Every role is granted on the user's page: organisation roles and pilot leads below
    (the pilots app adds its inline), analysts by the "Analysts" group, administrators by the
    superuser status."""

    inlines = [MembershipInline]
    list_display = [*UserAdmin.list_display, "is_superuser", "roles"]
    list_filter = [*UserAdmin.list_filter, "memberships__role"]

    @admin.display(description="Roles")
    def roles(self, user) -> str:
        names = [m.get_role_display() + " · " + m.organisation.code for m in user.memberships.all()]
        names += [f"Analyst ({g.name})" for g in user.groups.all() if g.name == "Analysts"]
        return ", ".join(names) or "–"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("memberships__organisation", "groups")
