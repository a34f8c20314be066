"""A spend line's references hold without foreign-key constraints (migration 0008's triggers).

The constraints were replaced by per-statement checks for the import's speed; these tests pin
the guarantees they gave: no line refers to a missing row, whether written one by one or by a
bulk ``INSERT ... SELECT``, and (on PostgreSQL) no referenced row can be deleted from under
its lines, even by SQL that bypasses the ORM's PROTECT.
"""

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import ProtectedError

from ledger.models import Place, SpendLine
from ledger.services.lines import spend_lines_add
from ledger.services.returns import spend_return_create
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
)

pytestmark = pytest.mark.django_db
MISSING = 987_654_321


@pytest.fixture
def line():
    spend_return = spend_return_create(
        organisation=OrganisationFactory(),
        financial_year=FinancialYearFactory(),
        actor=None,
    )
    place, theme = PlaceFactory(), ServiceThemeFactory()
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=place, theme=theme, amount=Decimal("12.34"))],
    )
    return spend_return.lines.get()


def _copy_of(line, **changes) -> SpendLine:
    values = {
        "spend_return_id": line.spend_return_id,
        "place_id": line.place_id,
        "organisation_id": line.organisation_id,
        "theme_id": line.theme_id,
        "financial_year_id": line.financial_year_id,
        "amount": Decimal("1.00"),
    }
    return SpendLine(**{**values, **changes})


@pytest.mark.parametrize(
    "column", ["spend_return_id", "place_id", "organisation_id", "theme_id", "financial_year_id"]
)
def test_a_line_refering_to_a_missing_row_is_refused(line, column):
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy_of(line, **{column: MISSING}).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendLine.objects.filter(pk=line.pk).update(**{column: MISSING})
    assert SpendLine.objects.count() == 1


def test_one_bad_line_refuses_the_whole_bulk_insert(line):
    good = [_copy_of(line) for _ in range(50)]
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendLine.objects.bulk_create([*good, _copy_of(line, theme_id=MISSING)])
    SpendLine.objects.bulk_create(good)  # the same lines without the bad one go in
    assert SpendLine.objects.count() == 51


def test_the_orm_still_protects_a_place_with_lines(line):
    with pytest.raises(ProtectedError):
        line.place.delete()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="referenced side: PostgreSQL")
@pytest.mark.parametrize(
    ("table", "column"),
    [
        ("ledger_place", "place_id"),
        ("ledger_organisation", "organisation_id"),
        ("ledger_servicetheme", "theme_id"),
        ("ledger_financialyear", "financial_year_id"),
        ("ledger_spendreturn", "spend_return_id"),
    ],
)
def test_sql_cannot_delete_or_renumber_a_referenced_row(line, table, column):
    key = getattr(line, column)
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE id = %s", [key])  # noqa: S608 - our names
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET id = %s WHERE id = %s", [MISSING, key])  # noqa: S608


@pytest.mark.skipif(connection.vendor != "postgresql", reason="referenced side: PostgreSQL")
def test_rows_no_line_refers_to_can_still_go(line):
    spare = PlaceFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE ledger_place SET name = name || ' (renamed)'")
        cursor.execute("DELETE FROM ledger_place WHERE id = %s", [spare.pk])
    assert not Place.objects.filter(pk=spare.pk).exists()
    line.spend_return.delete()  # the ORM deletes the lines first, then the return
    assert not SpendLine.objects.exists()


def test_a_body_that_a_line_pays_cannot_be_deleted_until_no_line_pays_it(line):
    body = OrganisationFactory()
    SpendLine.objects.filter(pk=line.pk).update(receiver=body)
    with pytest.raises(ProtectedError):
        body.delete()  # the ORM (and so the admin) names the lines that pay it
    if connection.vendor == "postgresql":  # and SQL around the ORM is refused too
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM ledger_organisation WHERE id = %s", [body.pk])
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "UPDATE ledger_organisation SET id = %s WHERE id = %s", [MISSING, body.pk]
            )
    SpendLine.objects.filter(pk=line.pk).update(receiver=None)  # its match rejected
    body.delete()
    assert SpendLine.objects.get(pk=line.pk).receiver_id is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="statement check: PostgreSQL")
def test_a_line_paying_a_missing_body_is_refused(line):
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy_of(line, receiver_id=MISSING).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        SpendLine.objects.filter(pk=line.pk).update(receiver_id=MISSING)
    SpendLine.objects.filter(pk=line.pk).update(receiver_id=line.organisation_id)  # one that is
    assert SpendLine.objects.filter(receiver__isnull=False).count() == 1
