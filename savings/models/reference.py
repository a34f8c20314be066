"""Reference data for appraisal, held as data and editable by admins."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from ledger.models import MoneyField


class UnitCost(models.Model):
    """A unit cost (in the style of the New Economy unit cost database): what one outcome is
    worth to the agency that bears it, e.g. "A&E attendance, per attendance, NHS"."""

    code = models.SlugField(max_length=60, unique=True)
    description = models.CharField(max_length=300)
    unit = models.CharField(max_length=100, help_text="per …")
    agency = models.CharField(max_length=100, help_text="Who bears the cost: NHS, police, DWP…")
    value = MoneyField()
    price_year = models.CharField(max_length=7, help_text="Financial year of the prices, 2010-11")
    source = models.CharField(max_length=400)
    # Not a published figure: labelled wherever it is used.
    is_illustrative = models.BooleanField(default=False)
    evidence_grade = models.ForeignKey(
        "savings.EvidenceGrade",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_costs",
        help_text="How good the evidence behind this value is",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agency", "description"]

    def __str__(self) -> str:
        return f"{self.description} ({self.unit}): £{self.value:,}"


class DiscountRate(models.Model):
    """One band of the Green Book discount schedule: ``rate`` for years from_year..to_year."""

    from_year = models.PositiveSmallIntegerField(unique=True)
    to_year = models.PositiveSmallIntegerField()
    rate = models.DecimalField(
        max_digits=6,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text="As a fraction: 0.035 for 3.5%",
    )
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["from_year"]

    def __str__(self) -> str:
        return f"Years {self.from_year}-{self.to_year}: {self.rate * 100}%"
