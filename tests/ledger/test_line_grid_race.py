"""A grid save racing a submission: the save waits for the submission's lock, then finds the
return submitted and writes nothing (two connections, real PostgreSQL)."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import connections, transaction

from ledger.models import Role, SpendLine, SpendReturnStatus
from ledger.services.access import membership_grant
from ledger.services.approval import spend_return_submit
from ledger.services.lines import spend_lines_add, spend_lines_save_grid
from ledger.services.returns import spend_return_create
from tests.factories import (
    FinancialYearFactory,
    OrganisationFactory,
    PlaceFactory,
    ServiceThemeFactory,
    UserFactory,
)
from tests.ledger.lock_waits import backend_pid, start_until_it_waits
from tests.services import require_postgres


def test_a_grid_save_waiting_on_a_submission_writes_nothing(transactional_db):
    require_postgres()
    year = FinancialYearFactory(code="2010-11")
    place = PlaceFactory(gss_code="E98000019", name="Gridton", slug="gridton")
    council = OrganisationFactory(code="GRID", name="Gridton Council", home_place=place)
    theme = ServiceThemeFactory(code="grid-theme", name="Grid theme")
    officer = UserFactory(username="grid-officer")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    spend_return = spend_return_create(organisation=council, financial_year=year, actor=officer)
    spend_lines_add(
        spend_return=spend_return,
        lines=[SpendLine(place=place, theme=theme, amount=Decimal("100.00"), source_row=2)],
    )
    line = spend_return.lines.get()
    stale = type(spend_return).objects.get(pk=spend_return.pk)  # what the grid page loaded
    outcome, backend = [], []

    def grid_save():
        try:
            backend.append(backend_pid())
            line.amount = Decimal("999.00")
            new = SpendLine(place=place, theme=theme, amount=Decimal("5.00"))
            spend_lines_save_grid(
                spend_return=stale, actor=officer, changed=[line], new=[new], deleted=[]
            )
            outcome.append("saved")
        except ValidationError as exc:
            outcome.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    with transaction.atomic():
        spend_return_submit(spend_return=spend_return, actor=officer)  # holds the return's lock
        saver = start_until_it_waits(grid_save, backend, outcome, "the grid save")
    saver.join(timeout=30)
    assert not saver.is_alive()
    spend_return.refresh_from_db()
    assert spend_return.status == SpendReturnStatus.SUBMITTED
    assert len(outcome) == 1 and "submitted, so its lines cannot change" in outcome[0], outcome
    assert list(spend_return.lines.values_list("amount", flat=True)) == [Decimal("100.00")]
