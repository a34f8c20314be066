"""Two uploads for one organisation at once, to two of its returns: the second waits for the
first's lock on the organisation, then counts the first file against the quota and is refused
(two connections, real PostgreSQL). Without the lock both would read the same usage and both
be kept, past the quota."""

from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.test import override_settings

from ledger.models import ImportJob, Role
from ledger.services.access import membership_grant
from ledger.services.imports.jobs import import_job_create
from ledger.services.returns import spend_return_create
from tests.factories import FinancialYearFactory, OrganisationFactory, PlaceFactory, UserFactory
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, spend_file
from tests.ledger.lock_waits import backend_pid, start_until_it_waits
from tests.services import require_postgres


def _file(number: int) -> bytes:
    # About 600 KB: two do not fit in a quota of 1 MB.
    row = dclg_row(amount=f"{number}.00", number=number, area="A" * 240)
    return csv_bytes([DCLG_HEADER, *[row] * 2400])


@override_settings(ORGANISATION_UPLOAD_QUOTA_MB=1)
def test_two_uploads_at_once_cannot_both_pass_the_quota(transactional_db):
    require_postgres()
    place = PlaceFactory(gss_code="E98000020", name="Quotaton", slug="quotaton")
    council = OrganisationFactory(code="QUOTA", name="Quotaton Council", home_place=place)
    officer = UserFactory(username="quota-officer")
    membership_grant(user=officer, organisation=council, role=Role.FINANCE_OFFICER)
    returns = [
        spend_return_create(
            organisation=council, financial_year=FinancialYearFactory(code=code), actor=officer
        )
        for code in ("2010-11", "2011-12")
    ]
    outcome, backend = [], []

    def second_upload():
        try:
            backend.append(backend_pid())
            import_job_create(
                spend_return=returns[1], file=spend_file(_file(2)), actor=officer, start=False
            )
            outcome.append("kept")
        except ValidationError as exc:
            outcome.append(" ".join(exc.messages))
        finally:
            connections.close_all()

    with transaction.atomic():
        import_job_create(
            spend_return=returns[0], file=spend_file(_file(1)), actor=officer, start=False
        )
        uploader = start_until_it_waits(second_upload, backend, outcome, "the second upload")
    uploader.join(timeout=30)
    assert not uploader.is_alive()
    assert len(outcome) == 1 and "storage quota" in outcome[0], outcome
    assert list(ImportJob.objects.values_list("spend_return_id", flat=True)) == [returns[0].pk]
