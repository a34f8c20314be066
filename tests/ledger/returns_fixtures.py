"""Fixtures for the spend-return and import tests: real councils, their people, drafts.

Registered for the whole suite by ``pytest_plugins`` in ``tests/conftest.py``.
"""

import pytest

from ledger.models import FinancialYear, Organisation, Role
from ledger.services.access import membership_grant
from ledger.services.returns import spend_return_create
from tests.factories import UserFactory


@pytest.fixture
def leeds(reference_data) -> Organisation:
    return Organisation.objects.by_code("00DA").get()


@pytest.fixture
def craven(reference_data) -> Organisation:
    return Organisation.objects.by_code("E07000163").get()


@pytest.fixture
def year_2010(reference_data) -> FinancialYear:
    return FinancialYear.objects.get(code="2010-11")


@pytest.fixture
def officer(leeds, craven):
    user = UserFactory(username="officer")
    for organisation in (leeds, craven):
        membership_grant(user=user, organisation=organisation, role=Role.FINANCE_OFFICER)
    return user


@pytest.fixture
def approver(leeds, craven):
    user = UserFactory(username="approver")
    for organisation in (leeds, craven):
        membership_grant(user=user, organisation=organisation, role=Role.APPROVER)
    return user


@pytest.fixture
def leeds_draft(leeds, year_2010, officer):
    return spend_return_create(organisation=leeds, financial_year=year_2010, actor=officer)
