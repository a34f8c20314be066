"""The field officers declare the months a spend return covers with.

Left empty, a return's months come from its lines' dates; declared, the declaration wins (an
annual return whose lines are all dated 31 March covers the year, not March).
"""

from django import forms

from ledger.calculations.coverage import (
    ALL_YEAR,
    FINANCIAL_YEAR_ORDER,
    MONTH_NAMES,
    mask_to_months,
    months_to_mask,
)

ALL = "all"


class MonthsField(forms.MultipleChoiceField):
    """Ticked months (or "All year") as a 12-bit mask; nothing ticked is None."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "Months it covers")
        kwargs.setdefault(
            "help_text",
            "Tick the months its lines are for, or All year; leave all unticked to take them "
            "from its lines' dates.",
        )
        choices = [(ALL, "All year")] + [(str(m), MONTH_NAMES[m]) for m in FINANCIAL_YEAR_ORDER]
        super().__init__(choices=choices, **kwargs)

    def clean(self, value):
        ticked = super().clean(value)
        if not ticked:
            return None
        if ALL in ticked:
            return ALL_YEAR
        return months_to_mask(int(m) for m in ticked)

    def prepare_value(self, value):
        if isinstance(value, int):  # initial: a mask
            return [ALL] if value == ALL_YEAR else [str(m) for m in mask_to_months(value)]
        return value


class DeclaredMonthsForm(forms.Form):
    months = MonthsField()
