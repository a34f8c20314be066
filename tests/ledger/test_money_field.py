from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from ledger.models import SpendLine
from ledger.models.fields import from_pence, to_pence
from tests.factories import SpendLineFactory

pytestmark = pytest.mark.django_db


def test_amounts_are_stored_as_integer_pence():
    line = SpendLineFactory(amount=Decimal("-1234.56"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT amount_pence FROM ledger_spendline WHERE id = %s", [line.pk])
        assert cursor.fetchone()[0] == -123456
    assert SpendLine.objects.get(pk=line.pk).amount == Decimal("-1234.56")


def test_sums_are_exact_where_floats_would_drift():
    first = SpendLineFactory(amount=Decimal("9999999999.99"))
    spend_return = first.spend_return
    # 0.10 added 1,000 times is not 100.0 in binary floating point; in pence it is exact.
    SpendLine.objects.bulk_create(
        SpendLineFactory.build(
            spend_return=spend_return, place=first.place, theme=first.theme, amount=Decimal("0.10")
        )
        for _ in range(1000)
    )
    total = SpendLine.objects.filter(spend_return=spend_return).aggregate(t=Sum("amount"))["t"]
    assert total == Decimal("10000000099.99")
    assert isinstance(total, Decimal)


def test_filtering_by_amount_compares_pounds():
    line = SpendLineFactory(amount=Decimal("500.01"))
    assert SpendLine.objects.filter(pk=line.pk, amount__gt=Decimal("500")).exists()
    assert not SpendLine.objects.filter(pk=line.pk, amount__gt=Decimal("500.01")).exists()


def test_fractions_of_a_penny_are_refused_not_rounded():
    with pytest.raises(ValidationError):
        SpendLineFactory(amount=Decimal("1.005"))
    with pytest.raises(ValueError):
        to_pence(Decimal("0.001"))
    assert to_pence("12.30") == 1230
    assert from_pence(5) == Decimal("0.05")
