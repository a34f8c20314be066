"""Forms for spend returns, imports, the mapping page, the line grid and theme rules."""

from django import forms
from django.conf import settings
from django.db.models import Q

from ledger.importers.layouts import FIELD_LABELS, LAYOUT_NAMES
from ledger.models import (
    Classification,
    ClassificationScheme,
    ColumnMapping,
    FinancialYear,
    ImportMode,
    Organisation,
    Place,
    ServiceTheme,
    SpendKind,
    SpendLine,
    ThemeRule,
    ThemeRuleField,
    ThemeRuleMatch,
)
from ledger.services.imports.apportionment import DRIVERS
from totalplace.uploads import human_size, validate_spreadsheet, validate_upload_size

from .month_forms import MonthsField

DEFAULT_YEAR = "2010-11"  # the Total Place baseline year


def places_for(organisation: Organisation):
    """The places an organisation's lines can be in: its own, those it serves, and below."""
    mine = Q(pk=organisation.home_place_id) | Q(organisations_serving=organisation)
    parents = Place.objects.filter(mine).values("pk")
    return Place.objects.filter(mine | Q(parent__in=parents)).distinct().order_by("name")


class PlaceCodeField(forms.CharField):
    """A place given by its GSS or ONS code ("E08000035", "00DA")."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        found = list(Place.objects.by_code(value))
        if len(found) != 1:
            raise forms.ValidationError(f"No place has the code “{value}”.")
        return found[0]


class SpendReturnCreateForm(forms.Form):
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    financial_year = forms.ModelChoiceField(
        queryset=FinancialYear.objects.order_by("-start_date"), to_field_name="code"
    )
    place = PlaceCodeField(
        required=False,
        max_length=20,
        help_text="Only for a return about one place; leave empty for the organisation's whole "
        "return. A GSS or ONS code, e.g. E08000035.",
    )
    title = forms.CharField(required=False, max_length=200)
    control_total = forms.DecimalField(
        required=False,
        max_digits=17,
        decimal_places=2,
        help_text="The total the lines must add up to before the return can be submitted.",
    )
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    declared_months = MonthsField()

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if organisations.count() == 1:
            self.fields["organisation"].initial = organisations.first()
        self.fields["financial_year"].initial = DEFAULT_YEAR


class ControlTotalForm(forms.Form):
    control_total = forms.DecimalField(
        required=False,
        max_digits=17,
        decimal_places=2,
        label="Declared control total (£)",
        help_text="The total its lines must add up to before it can be submitted; leave empty "
        "to declare none.",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        help_text="CSV (any delimiter; UTF-8, Windows-1252 or Mac Roman) or Excel .xlsx.",
        validators=[validate_upload_size, validate_spreadsheet],
    )
    mode = forms.ChoiceField(
        label="The return already has lines",
        choices=ImportMode.choices,
        initial=ImportMode.ADD,
        widget=forms.RadioSelect,
    )
    where = forms.ChoiceField(
        label="Where the money was spent",
        choices=[
            ("home", "In the organisation's own area (or the place in the file's place column)"),
            ("place", "In one place (give its code)"),
            ("apportion", "Across the places the organisation serves, apportioned by a driver"),
        ],
        initial="home",
        widget=forms.RadioSelect,
    )
    place = PlaceCodeField(
        required=False,
        max_length=20,
        label="Place code",
        help_text="For “In one place”: its GSS or ONS code, e.g. E08000035 or 00DA.",
    )
    driver = forms.ChoiceField(
        label="Apportion by",
        choices=list(DRIVERS.items()),
        initial="population",
        help_text="For “Across the places”: each line is split exactly, to the penny.",
    )
    mapping = forms.ModelChoiceField(
        queryset=ColumnMapping.objects.none(),
        required=False,
        empty_label="Recognise the columns automatically",
        label="Column mapping",
    )
    control_total = forms.DecimalField(
        required=False,
        max_digits=17,
        decimal_places=2,
        help_text="If given, the file's lines must add up to it.",
    )

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["mapping"].queryset = organisation.column_mappings.order_by("name")
        limit = human_size(settings.MAX_UPLOAD_BYTES)
        self.fields["file"].help_text += f" At most {limit}: split a bigger file by month."

    def clean(self):
        data = super().clean()
        if data.get("where") == "place" and not data.get("place"):
            self.add_error("place", "Give the code of the place the lines are in.")
        return data


NOT_MAPPED = ""


class MappingForm(forms.Form):
    """One select per field (which column feeds it); for wide tables, one per column."""

    save_as = forms.CharField(
        required=False,
        max_length=100,
        label="Save this mapping as",
        help_text="Name it to reuse it for this organisation's next files.",
    )
    preferred = forms.BooleanField(
        required=False,
        label="Always use this for our files",
        help_text="Use it for every file with these columns, even one whose layout is "
        "recognised (such as Leeds's or Craven's published files).",
    )

    def __init__(
        self,
        *args,
        headers: list[str],
        wide: bool,
        initial_mapping: dict,
        guesses: dict[str, str] | None = None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.headers = headers
        self.wide = wide
        choices = [(NOT_MAPPED, "— not in this file —")] + [(h, h) for h in headers]
        guesses = guesses or {}
        fields = {**guesses, **initial_mapping.get("fields", {})}
        names = ["organisation_code"] if wide else list(FIELD_LABELS)
        for name in names:
            self.fields[f"field_{name}"] = forms.ChoiceField(
                label=FIELD_LABELS[name] + (" (required)" if name == "amount" else ""),
                choices=choices,
                required=name == "amount" or (wide and name == "organisation_code"),
                initial=fields.get(name, NOT_MAPPED),
                help_text="Guessed from the column's first values: check it."
                if name in guesses
                else "",
            )
        if wide:
            lines = Classification.objects.filter(
                scheme=ClassificationScheme.REVENUE_OUTTURN
            ).order_by("code")
            line_choices = [(NOT_MAPPED, "— ignore this column —")] + [
                (c.code, f"{c.name} ({c.code})") for c in lines
            ]
            columns = initial_mapping.get("wide_columns", {})
            for index, header in enumerate(headers):
                if header == fields.get("organisation_code"):
                    continue
                self.fields[f"column_{index}"] = forms.ChoiceField(
                    label=header,
                    choices=line_choices,
                    required=False,
                    initial=columns.get(header, NOT_MAPPED),
                )
            self.fields["factor"] = forms.TypedChoiceField(
                label="Figures are in",
                choices=[(1, "£ (pounds)"), (1000, "£ thousand"), (1_000_000, "£ million")],
                coerce=int,
                initial=initial_mapping.get("factor", 1),
            )

    def field_rows(self):
        return [self[name] for name in self.fields if name.startswith("field_")]

    def column_rows(self):
        return [self[name] for name in self.fields if name.startswith("column_")]

    def clean(self):
        data = super().clean()
        chosen = [v for k, v in data.items() if k.startswith("field_") and v]
        duplicates = {h for h in chosen if chosen.count(h) > 1}
        if duplicates:
            raise forms.ValidationError(
                "Each column can feed one field only: " + ", ".join(sorted(duplicates)) + "."
            )
        return data

    def mapping(self, layout: str) -> dict:
        data = self.cleaned_data
        fields = {k[6:]: v for k, v in data.items() if k.startswith("field_") and v}
        if not self.wide:
            return {"layout": "custom", "fields": fields}
        columns = {
            self.fields[k].label: v for k, v in data.items() if k.startswith("column_") and v
        }
        return {
            "layout": layout or "revenue_outturn_wide",
            "fields": fields,
            "wide_columns": columns,
            "factor": data.get("factor", 1),
        }


def layout_name(key: str) -> str:
    return LAYOUT_NAMES.get(key, key)


NEW_LINE_NEEDS = ("transaction_date", "description")


class SpendLineForm(forms.ModelForm):
    class Meta:
        model = SpendLine
        fields = SpendLine.INPUT_FIELDS
        # A date input's value must be ISO (YYYY-MM-DD) whatever the page's locale.
        widgets = {"transaction_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, places, themes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        self.fields["theme"].queryset = themes
        self.fields["spend_kind"].initial = SpendKind.REVENUE
        self.fields["amount"].help_text = "Pounds and pence; a credit is negative."
        if places.count() == 1:
            self.fields["place"].initial = places.first()
        if self.instance.pk is None:
            # A line typed in by hand says when and what: an imported one may lack either.
            for name in NEW_LINE_NEEDS:
                self.fields[name].required = True


class SendBackForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The finance officers see this with the sent-back draft.",
    )


class ThemeRuleForm(forms.ModelForm):
    class Meta:
        model = ThemeRule
        fields = ["organisation", "field", "match", "pattern", "theme", "note"]

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        self.fields["organisation"].required = True
        self.fields["organisation"].empty_label = None
        self.fields["field"].choices = ThemeRuleField.choices
        self.fields["match"].choices = ThemeRuleMatch.choices
        self.fields["theme"].queryset = ServiceTheme.objects.order_by("sort_order", "name")
