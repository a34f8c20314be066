"""How good the evidence behind a benefit or a unit cost is, and what that does to it.

The HM Treasury-endorsed cost-benefit guidance for local partnerships (New Economy, 2014) grades
the confidence of each figure from a robust local evaluation down to expert judgement and
reduces a benefit more the weaker its evidence (an optimism-bias correction). The grades and
their corrections are held here as data, loaded by a migration and editable by admins.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class EvidenceGrade(models.Model):
    """One confidence grade and the optimism-bias reduction it sets by default."""

    code = models.SlugField(max_length=40, unique=True)
    rank = models.PositiveSmallIntegerField(unique=True, help_text="1 is the strongest evidence")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    optimism_bias_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text="Reduction of a benefit whose evidence has this grade, e.g. 25",
    )
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["rank"]

    def __str__(self) -> str:
        return f"Grade {self.rank}: {self.name} ({self.optimism_bias_percent}%)"
