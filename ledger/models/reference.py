"""Reference data: financial years, places, populations, organisations and service themes."""

from django.db import models
from django.db.models import Q


class FinancialYear(models.Model):
    """A UK public-sector financial year, 1 April to 31 March, coded "2006-07"."""

    code = models.CharField(max_length=7, unique=True)
    start_date = models.DateField(unique=True)
    end_date = models.DateField()

    class Meta:
        ordering = ["start_date"]

    def __str__(self) -> str:
        return self.code


class PlaceKind(models.TextChoices):
    UNITED_KINGDOM = "united_kingdom", "United Kingdom"
    COUNTRY = "country", "Country"
    REGION = "region", "Region"
    COUNTY = "county", "County"
    UNITARY = "unitary", "Unitary authority"
    DISTRICT = "district", "District"
    METROPOLITAN_DISTRICT = "metropolitan_district", "Metropolitan district"
    LONDON_BOROUGH = "london_borough", "London borough"
    CITY_CORPORATION = "city_corporation", "City corporation"
    COMBINED_AREA = "combined_area", "Combined area"
    # Not a place: where national figures put spend that no region can claim (HM Treasury's
    # "outside UK" and "non-identifiable"), kept apart rather than apportioned.
    NOTIONAL = "notional", "Not a place (outside the UK, or not identifiable)"


# Local authority areas no other authority area sits inside: where top-down estimates land.
LOWEST_TIER_KINDS = (
    PlaceKind.UNITARY,
    PlaceKind.DISTRICT,
    PlaceKind.METROPOLITAN_DISTRICT,
    PlaceKind.LONDON_BOROUGH,
    PlaceKind.CITY_CORPORATION,
)


class PlaceQuerySet(models.QuerySet):
    def by_code(self, code: str) -> "PlaceQuerySet":
        """Places whose GSS code, legacy ONS/SNAC code or recorded alias is ``code``."""
        code = code.strip().upper()
        return self.filter(Q(gss_code=code) | Q(snac_code=code) | Q(aliases__code=code)).distinct()

    def current_on(self, day) -> "PlaceQuerySet":
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gt=day),
        )


class Place(models.Model):
    """An area public money is spent in: a council area, a region, a combined area.

    GSS codes started in 2011, so sources from 2009-10 carry legacy ONS (SNAC) codes; both
    resolve. ``valid_to`` is the first day the place no longer exists (mySociety's convention:
    Cumbria ends on 2023-04-01, replaced by Cumberland and Westmorland and Furness).
    """

    gss_code = models.CharField("GSS code", max_length=9, unique=True, null=True, blank=True)
    snac_code = models.CharField("ONS/SNAC code", max_length=6, unique=True, null=True, blank=True)
    slug = models.SlugField(max_length=80, unique=True)
    name = models.CharField(max_length=120)
    official_name = models.CharField(max_length=200, blank=True)
    kind = models.CharField(max_length=24, choices=PlaceKind.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    successors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="predecessors"
    )

    objects = PlaceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["kind", "name"])]

    def __str__(self) -> str:
        return self.name

    @property
    def code(self) -> str:
        return self.gss_code or self.snac_code or self.slug


class PlaceAlias(models.Model):
    """Another code or name a place is known by: a former GSS code, a DLUHC E-code, the
    region names HM Treasury uses ("ENGLAND_North West"). Stored upper case."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="aliases")
    code = models.CharField(max_length=120, unique=True)
    scheme = models.CharField(max_length=20)

    class Meta:
        verbose_name_plural = "place aliases"

    def __str__(self) -> str:
        return f"{self.code} ({self.scheme}) → {self.place}"


class Population(models.Model):
    """Persons living in a place in a financial year: the per-head and apportionment driver."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="populations")
    financial_year = models.ForeignKey(FinancialYear, on_delete=models.PROTECT)
    persons = models.PositiveIntegerField()
    source = models.CharField(max_length=200)
    is_illustrative = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["place", "financial_year"], name="population_unique")
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.financial_year}: {self.persons:,}"


class Sector(models.TextChoices):
    LOCAL_GOVERNMENT = "local_government", "Local government"
    NHS = "nhs", "NHS"
    POLICE = "police", "Police"
    FIRE = "fire", "Fire and rescue"
    CENTRAL_GOVERNMENT = "central_government", "Central government"
    EDUCATION = "education", "Education"
    HOUSING = "housing", "Housing"
    VOLUNTARY = "voluntary", "Voluntary"
    OTHER = "other", "Other"


class Control(models.TextChoices):
    """Who decides how the money is spent: the split Counting Cumbria drew."""

    LOCAL = "local", "Local bodies"
    CENTRAL = "central", "Central government"
    PUBLIC_CORPORATION = "public_corporation", "Public corporations"


class OrganisationQuerySet(models.QuerySet):
    def by_code(self, code: str) -> "OrganisationQuerySet":
        """Organisations coded ``code`` (or with that alias), or councils whose area has that
        GSS/SNAC code."""
        code = code.strip().upper()
        return self.filter(
            Q(code=code) | Q(aliases__alias=code) | Q(home_place__in=Place.objects.by_code(code))
        ).distinct()


class Organisation(models.Model):
    """A public body that spends money: a council, a PCT, a police authority, a department."""

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200)
    sector = models.CharField(max_length=24, choices=Sector.choices)
    kind = models.CharField(max_length=80, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # A council's own area; its code also finds the council (Leeds files say "00DA").
    home_place = models.ForeignKey(
        Place, null=True, blank=True, on_delete=models.PROTECT, related_name="home_organisations"
    )
    places = models.ManyToManyField(Place, blank=True, related_name="organisations_serving")
    # Who decides how its money is spent ("" = as its sector says: see ``control_of``).
    control = models.CharField(max_length=18, choices=Control.choices, blank=True)
    # A national total that stands for a whole sector in top-down figures ("Local government
    # in England" in HM Treasury's CRA): its estimate for a place gives way to the bodies of
    # these sectors that have figures of their own there, so the money is not counted twice.
    aggregate_of = models.JSONField(default=list, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_aggregate(self) -> bool:
        return bool(self.aggregate_of)


LOCAL_SECTORS = frozenset({Sector.LOCAL_GOVERNMENT, Sector.POLICE, Sector.FIRE})


def control_of(organisation: Organisation) -> Control:
    """Who controls a body's money: as recorded for it, else as its sector says."""
    if organisation.control:
        return Control(organisation.control)
    return Control.LOCAL if organisation.sector in LOCAL_SECTORS else Control.CENTRAL


class OrganisationAlias(models.Model):
    """Another code or name a body is known by in published files, upper case: a DLUHC E-code
    ("E6135"), a police force area code, a department's name in HM Treasury's CRA (which changes
    with each machinery-of-government change: "MINISTRY OF HOUSING, COMMUNITIES AND LOCAL
    GOVERNMENT" is the department coded MHCLG)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="aliases")
    alias = models.CharField(max_length=200, unique=True)
    scheme = models.CharField(max_length=20)

    class Meta:
        verbose_name_plural = "organisation aliases"
        ordering = ["alias"]

    def __str__(self) -> str:
        return f"{self.alias} ({self.scheme}) → {self.organisation}"


class ServiceTheme(models.Model):
    """What money is spent on: a theme and its sub-themes (``parent``).

    Crosswalks to external classifications (COFOG, revenue-outturn service lines, Total Place
    deep dives) are data in ``ThemeCrosswalk``, not code.
    """

    UNALLOCATED_CODE = "unallocated"

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    description = models.TextField(blank=True)
    sort_order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class ClassificationScheme(models.TextChoices):
    COFOG = "cofog", "COFOG (UN Classification of the Functions of Government)"
    REVENUE_OUTTURN = "revenue_outturn", "Council revenue outturn service line"
    DEEP_DIVE = "deep_dive", "Total Place deep-dive theme"


class Classification(models.Model):
    """A code in an external scheme: COFOG 10.2 "Old age", RO "Adult social care"."""

    scheme = models.CharField(max_length=24, choices=ClassificationScheme.choices)
    code = models.CharField(max_length=40)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )

    class Meta:
        ordering = ["scheme", "code"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "code"], name="classification_unique")
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ThemeCrosswalk(models.Model):
    """How much of a theme falls in an external class; a theme's weights per scheme sum to 1."""

    theme = models.ForeignKey(ServiceTheme, on_delete=models.CASCADE, related_name="crosswalks")
    classification = models.ForeignKey(
        Classification, on_delete=models.CASCADE, related_name="crosswalks"
    )
    weight = models.DecimalField(max_digits=5, decimal_places=4, default=1)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["theme", "classification", "valid_from"], name="crosswalk_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.theme} → {self.classification} ×{self.weight}"
