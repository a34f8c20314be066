from django import forms
from django.contrib import admin
from django.db import transaction

from savings.calculations.discount import RateBand, check_schedule
from savings.models import (
    Appraisal,
    Attribution,
    BenefitFlow,
    CostLine,
    DiscountRate,
    EvidenceGrade,
    Saving,
    UnitCost,
)
from savings.services.reference import (
    discount_schedule_changed,
    evidence_grades_changed,
    unit_cost_changed,
)
from totalplace.admin_history import AuditHistoryAdminMixin


@admin.register(UnitCost)
class UnitCostAdmin(admin.ModelAdmin):
    """The unit-cost library. Changing a value recomputes every initiative that uses it."""

    list_display = [
        "code",
        "description",
        "unit",
        "agency",
        "value",
        "price_year",
        "is_illustrative",
    ]
    list_filter = ["agency", "price_year", "is_illustrative"]
    search_fields = ["code", "description", "source"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change:
            unit_cost_changed(unit_cost=obj)


@admin.register(EvidenceGrade)
class EvidenceGradeAdmin(admin.ModelAdmin):
    """Evidence grades and the optimism bias each sets by default. A change recomputes every
    appraisal (its NPV at the grades)."""

    list_display = ["rank", "name", "optimism_bias_percent", "code"]
    ordering = ["rank"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        evidence_grades_changed()

    def has_delete_permission(self, request, obj=None):
        # A grade in use is protected by the database; keep the table whole.
        return False


class DiscountRateForm(forms.ModelForm):
    class Meta:
        model = DiscountRate
        fields = ["from_year", "to_year", "rate", "source"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        others = DiscountRate.objects.exclude(pk=self.instance.pk)
        bands = [RateBand(r.from_year, r.to_year, r.rate) for r in others]
        bands.append(RateBand(data["from_year"], data["to_year"], data["rate"]))
        try:
            check_schedule(bands)
        except ValueError as exc:
            raise forms.ValidationError(
                f"With this band the schedule would be broken: {exc}. Edit the neighbouring "
                "band first so the years stay contiguous."
            ) from exc
        return data


@admin.register(DiscountRate)
class DiscountRateAdmin(admin.ModelAdmin):
    """The Green Book schedule. A change recomputes every appraisal."""

    form = DiscountRateForm
    list_display = ["from_year", "to_year", "rate", "source"]

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        discount_schedule_changed()

    def has_delete_permission(self, request, obj=None):
        return False  # deleting a band would leave years uncovered; edit the bands instead


@admin.register(Appraisal)
class AppraisalAdmin(admin.ModelAdmin):
    """Computed by the recompute jobs; read only."""

    list_display = ["initiative", "pv_costs", "pv_fiscal", "npv", "computed_at"]
    readonly_fields = [f.name for f in Appraisal._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(Attribution)
class AttributionAdmin(admin.ModelAdmin):
    list_display = ["scope", "subject", "pv_costs", "pv_fiscal", "deal_possible", "computed_at"]
    list_filter = ["scope"]
    readonly_fields = [f.name for f in Attribution._meta.fields]

    def has_add_permission(self, request):
        return False


class InputAdmin(AuditHistoryAdminMixin, admin.ModelAdmin):
    """Costs and benefits are entered by pilot leads on the site; here they are read, with
    their history."""

    raw_id_fields = ["initiative"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(CostLine)
class CostLineAdmin(InputAdmin):
    list_display = ["initiative", "payer", "year", "amount", "kind"]
    list_select_related = ["initiative", "payer"]


@admin.register(BenefitFlow)
class BenefitFlowAdmin(InputAdmin):
    list_display = ["initiative", "beneficiary", "value_type", "lag", "duration"]
    list_select_related = ["initiative", "beneficiary"]


@admin.register(Saving)
class SavingAdmin(InputAdmin):
    """Savings move through their steps on the site (each recorded); here they are read, with
    their history."""

    list_display = ["initiative", "receiver", "financial_year", "forecast", "status", "realised"]
    list_filter = ["status"]
