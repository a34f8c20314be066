"""Programmes (Total Place 2009-10, ...), their pilots and parallel places, and pilot leads."""

from django.conf import settings
from django.db import models

from ledger.models import Classification, ClassificationScheme, Organisation, Place, ServiceTheme


class Programme(models.Model):
    """A national programme of place-based working: Total Place 2009-10, its parallel places,
    Whole Place Community Budgets 2012-13."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    period = models.CharField(max_length=40, blank=True, help_text="e.g. 2009-10")
    summary = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class PilotKind(models.TextChoices):
    PILOT = "pilot", "Pilot"
    PARALLEL_PLACE = "parallel_place", "Parallel place"
    # Counting Cumbria (2007-08) mapped one county's spend before Total Place began.
    FORERUNNER = "forerunner", "Forerunner"


class PilotStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACTIVE = "active", "Active"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Pilot(models.Model):
    """A place (or group of places) working on one programme: a pilot or a parallel place."""

    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=200)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pilots")
    kind = models.CharField(max_length=20, choices=PilotKind.choices, default=PilotKind.PILOT)
    status = models.CharField(
        max_length=12, choices=PilotStatus.choices, default=PilotStatus.ACTIVE
    )
    places = models.ManyToManyField(Place, related_name="pilots", help_text="The footprint")
    lead_organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="led_pilots"
    )
    deep_dives = models.ManyToManyField(
        Classification,
        blank=True,
        related_name="pilots",
        limit_choices_to={"scheme": ClassificationScheme.DEEP_DIVE},
        help_text="Total Place deep-dive themes",
    )
    service_themes = models.ManyToManyField(ServiceTheme, blank=True, related_name="pilots")
    summary = models.TextField(blank=True)
    # Demo and sample pilots: labelled wherever they show.
    is_illustrative = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["programme__sort_order", "kind", "name"]

    def __str__(self) -> str:
        return self.name


class PilotLead(models.Model):
    """A user who leads a pilot and may edit its initiatives, evidence, costs and benefits."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pilot_leads"
    )
    pilot = models.ForeignKey(Pilot, on_delete=models.CASCADE, related_name="leads")
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "pilot"], name="pilot_lead_unique")]

    def __str__(self) -> str:
        return f"{self.user} leads {self.pilot}"
