"""factory_boy factories for tests. Reference rows reuse what the loaders created when present."""

import datetime as dt
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model

from ledger.models import (
    FinancialYear,
    ImportCorrection,
    ImportJob,
    ImportJobStatus,
    Organisation,
    Place,
    PlaceKind,
    Population,
    Sector,
    ServiceTheme,
    SpendLine,
    SpendReturn,
)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("correct horse battery staple")


class FinancialYearFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancialYear
        django_get_or_create = ["code"]

    code = "2010-11"
    start_date = factory.LazyAttribute(lambda y: dt.date(int(y.code[:4]), 4, 1))
    end_date = factory.LazyAttribute(lambda y: dt.date(int(y.code[:4]) + 1, 3, 31))


class PlaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Place
        django_get_or_create = ["gss_code"]

    gss_code = factory.Sequence(lambda n: f"E99{n:06d}")
    name = factory.Sequence(lambda n: f"Testshire {n}")
    slug = factory.Sequence(lambda n: f"testshire-{n}")
    kind = PlaceKind.DISTRICT


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"ORG{n}")
    name = factory.Sequence(lambda n: f"Test Body {n}")
    sector = Sector.LOCAL_GOVERNMENT


class ServiceThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceTheme
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Theme {n}")


class SpendReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendReturn

    organisation = factory.SubFactory(OrganisationFactory)
    financial_year = factory.SubFactory(FinancialYearFactory)


class SpendLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SpendLine

    spend_return = factory.SubFactory(SpendReturnFactory)
    place = factory.SubFactory(PlaceFactory)
    organisation = factory.SelfAttribute("spend_return.organisation")
    financial_year = factory.SelfAttribute("spend_return.financial_year")
    theme = factory.SubFactory(ServiceThemeFactory)
    amount = Decimal("100.00")


class ImportJobFactory(factory.django.DjangoModelFactory):
    """A previewed import with errors (no file is stored: for rows that need no reading)."""

    class Meta:
        model = ImportJob

    spend_return = factory.SubFactory(SpendReturnFactory)
    organisation = factory.SelfAttribute("spend_return.organisation")
    financial_year = factory.SelfAttribute("spend_return.financial_year")
    status = ImportJobStatus.INVALID
    file = "spend-returns/imports/factory.csv"
    filename = "factory.csv"
    sha256 = factory.Sequence(lambda n: f"{n:064x}")
    headers = ["Date", "Amount"]


class ImportCorrectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportCorrection

    job = factory.SubFactory(ImportJobFactory)
    row = factory.Sequence(lambda n: n + 2)
    column = "Amount"
    original = "1,2x4.00"
    value = "1,234.00"


class PopulationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Population
        django_get_or_create = ["place", "financial_year"]

    place = factory.SubFactory(PlaceFactory)
    financial_year = factory.SubFactory(FinancialYearFactory)
    persons = 1000
    source = "test"
