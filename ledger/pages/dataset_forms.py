"""Forms for national datasets: upload an edition, the preview's choices, unknown bodies and
places, send back."""

from django import forms

from ledger.models import (
    Dataset,
    DatasetEdition,
    DatasetFormat,
    DriverValue,
    FinancialYear,
    Measure,
    Sector,
)
from totalplace.uploads import validate_spreadsheet, validate_upload_size

UNIT_FACTORS = [("", "As the file says"), ("1", "£ (pounds)"), ("1000", "£ thousand")]
UNIT_FACTORS.append(("1000000", "£ million"))
KEEP = ""


class DatasetUploadForm(forms.Form):
    """An edition of an existing dataset, or of a new one described here."""

    dataset = forms.ModelChoiceField(
        queryset=Dataset.objects.order_by("publisher", "title"),
        required=False,
        to_field_name="slug",
        empty_label="A new dataset (describe it below)",
        label="Dataset",
    )
    title = forms.CharField(
        required=False,
        max_length=200,
        help_text="For a new dataset: as the publisher titles it, e.g. “Revenue Account budget, "
        "by authority”.",
    )
    publisher = forms.CharField(
        required=False, max_length=200, help_text="For a new dataset: e.g. DLUHC, HM Treasury."
    )
    format = forms.ChoiceField(
        required=False,
        choices=DatasetFormat.choices,
        initial=DatasetFormat.WIDE,
        widget=forms.RadioSelect,
        label="Format",
        help_text="For a new dataset. A wide table is counted bottom-up (each body's own "
        "figures); a regional database top-down (regions' figures shared among their places).",
    )
    source_url = forms.URLField(
        required=False, max_length=500, label="Source URL", assume_scheme="https"
    )
    licence = forms.CharField(
        required=False, max_length=200, help_text="Blank: Open Government Licence v3.0."
    )
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), label="Description"
    )
    edition = forms.CharField(
        max_length=100,
        label="Edition",
        help_text="As the publisher names it, e.g. “2023-24” or “CRA 2018”.",
    )
    file = forms.FileField(
        help_text="CSV (UTF-8, Windows-1252 or Mac Roman) or Excel .xlsx, as published.",
        validators=[validate_upload_size, validate_spreadsheet],
    )
    is_illustrative = forms.BooleanField(
        required=False,
        label="Illustrative: its figures are made up (a demo or a test), and are labelled so",
    )

    def clean(self):
        data = super().clean()
        if not data.get("dataset"):
            for name in ("title", "publisher", "format"):
                if not data.get(name):
                    self.add_error(name, "Needed for a new dataset.")
        return data


class EditionChoicesForm(forms.Form):
    """What the preview could not know, or guessed: each blank field keeps what it found."""

    header_row = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=1000,
        label="Header row",
        help_text="The row with the column names, counted from 1. Blank: as found.",
    )
    sheet = forms.ChoiceField(required=False, label="Sheet")
    unit_factor = forms.ChoiceField(required=False, choices=UNIT_FACTORS, label="Unit")
    measure = forms.ChoiceField(
        required=False,
        choices=[(KEEP, "Total service expenditure (the default)"), *Measure.choices[1:]],
        label="Measure",
        help_text="Never both: net current expenditure contains total service expenditure.",
    )
    year = forms.ChoiceField(required=False, label="Financial year")
    driver = forms.ChoiceField(
        required=False,
        label="Apportion top-down figures by",
        help_text="Population unless other data is loaded (claimants, pupils, patients).",
    )

    def __init__(self, *args, edition: DatasetEdition, **kwargs):
        super().__init__(*args, **kwargs)
        self.edition = edition
        sheets = [s["name"] for s in edition.header.get("sheets", []) if s.get("usable", True)]
        sheets = sheets or edition.file_format.get("sheets", [])
        self.fields["sheet"].choices = [(KEEP, "As found"), *((s, s) for s in sheets)]
        years = FinancialYear.objects.order_by("-start_date").values_list("code", flat=True)
        self.fields["year"].choices = [(KEEP, "As the file says"), *((y, y) for y in years)]
        drivers = DriverValue.objects.values_list("driver", flat=True).distinct().order_by()
        self.fields["driver"].choices = [("population", "Population")] + [
            (d, d.replace("-", " ").capitalize()) for d in sorted(set(drivers))
        ]
        chosen = edition.choices
        self.initial = {
            "header_row": chosen.get("header_row"),
            "sheet": chosen.get("sheet", KEEP),
            "unit_factor": str(chosen.get("unit_factor", KEEP)),
            "measure": chosen.get("measure", KEEP) if chosen.get("measure") != "tse" else KEEP,
            "year": chosen.get("year", KEEP),
            "driver": chosen.get("driver", "population"),
        }
        if not sheets:
            del self.fields["sheet"]
        if edition.dataset.format != DatasetFormat.WIDE:  # years and measure are its columns
            del self.fields["measure"], self.fields["year"]

    def choices(self) -> dict:
        """The choices to record: a blank field clears an earlier choice (back to as found)."""
        data = self.cleaned_data
        chosen = {
            "header_row": data.get("header_row"),
            "sheet": data.get("sheet", KEEP),
            "unit_factor": int(data["unit_factor"]) if data.get("unit_factor") else None,
            "measure": data.get("measure") or None,
            "year": data.get("year") or None,
            "driver": data["driver"] if data.get("driver") not in (KEEP, "population") else None,
        }
        return {key: value for key, value in chosen.items() if key in self.fields}


class BodyAddForm(forms.Form):
    key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    name = forms.CharField(max_length=200, label="Name")
    sector = forms.ChoiceField(choices=Sector.choices, label="Sector")
    places = forms.CharField(
        max_length=2000,
        required=False,
        label="Places it serves",
        help_text="GSS or ONS codes, separated by semicolons, e.g. E06000022;E06000023.",
    )

    def place_codes(self) -> list[str]:
        return [c.strip() for c in self.cleaned_data["places"].replace(",", ";").split(";")]


class ExcludeForm(forms.Form):
    key = forms.CharField(max_length=500, widget=forms.HiddenInput)
    kind = forms.ChoiceField(choices=[("bodies", "bodies"), ("places", "places")])
    action = forms.ChoiceField(choices=[("exclude", "exclude"), ("", "undo")], required=False)


class PlaceChoiceForm(forms.Form):
    key = forms.CharField(max_length=500, widget=forms.HiddenInput)
    code = forms.CharField(
        max_length=120, label="Place code", help_text="The GSS code it is, e.g. E12000002."
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Reason")
