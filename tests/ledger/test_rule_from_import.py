""" "Add a rule" from an import preview: the rule is for the import's organisation, and the
officer goes back to the import, previewed again with the rule."""

import pytest
from django.urls import reverse

from ledger.models import ImportJob, ImportJobStatus, ServiceTheme, ThemeRule
from tests.ledger.import_helpers import DCLG_HEADER, csv_bytes, dclg_row, preview

pytestmark = pytest.mark.django_db


def _rule(leeds, **extra):
    return {
        "organisation": leeds.pk,
        "field": "expense_area",
        "match": "contains",
        "pattern": "Mystery",
        "theme": ServiceTheme.objects.get(code="police").pk,
        "note": "",
        **extra,
    }


def test_a_rule_added_from_a_preview_rechecks_it(
    client, leeds_draft, officer, leeds, craven, django_capture_on_commit_callbacks
):
    rows = [DCLG_HEADER, dclg_row(area="Mystery Unit", amount="10.00")]
    job = preview(leeds_draft, csv_bytes(rows), actor=officer)
    assert job.unallocated_count == 1
    client.force_login(officer)
    page = client.get(reverse("import-job-detail", args=[job.pk])).content.decode()
    link = f"/theme-rules/?import={job.pk}&amp;field=expense_area&amp;pattern=Mystery%20Unit"
    assert link in page
    # The officer acts for Craven (first by name) too: the form opens on the import's Leeds.
    form = client.get(link.replace("&amp;", "&")).content.decode()
    assert f'<option value="{leeds.pk}" selected>' in form
    assert f'<input type="hidden" name="import" value="{job.pk}">' in form

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("theme-rule-list"), _rule(leeds, **{"import": job.pk}))
    assert response["Location"] == reverse("import-job-detail", args=[job.pk])
    assert ThemeRule.objects.filter(organisation=leeds, pattern="Mystery").exists()
    job = ImportJob.objects.get(pk=job.pk)
    assert (job.status, job.unallocated_count) == (ImportJobStatus.READY, 0)
    followed = client.get(response["Location"]).content.decode()
    assert "Checking" in followed and "again with it" in followed


def test_without_an_import_the_rule_page_stays(client, officer, leeds):
    client.force_login(officer)
    response = client.post(reverse("theme-rule-list"), _rule(leeds))
    assert response["Location"] == reverse("theme-rule-list")


def test_someone_elses_import_is_ignored(client, leeds_draft, officer, leeds, craven):
    """An import the user may not change is not named, nor rechecked: the rule still lands."""
    from ledger.models import Role
    from ledger.services.access import membership_grant
    from tests.factories import UserFactory

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    craven_officer = UserFactory()
    membership_grant(user=craven_officer, organisation=craven, role=Role.FINANCE_OFFICER)
    client.force_login(craven_officer)
    page = client.get(reverse("theme-rule-list"), {"import": job.pk}).content.decode()
    assert job.filename not in page
    data = _rule(craven, **{"import": job.pk})
    assert client.post(reverse("theme-rule-list"), data)["Location"] == reverse("theme-rule-list")
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.READY


def test_a_confirmed_import_is_not_previewed_again(
    client, leeds_draft, officer, leeds, django_capture_on_commit_callbacks
):
    from ledger.services.imports.confirm import import_job_confirm

    job = preview(leeds_draft, csv_bytes([DCLG_HEADER, dclg_row()]), actor=officer)
    import_job_confirm(job=job, actor=officer)
    client.force_login(officer)
    response = client.post(
        reverse("theme-rule-list"), _rule(leeds, **{"import": job.pk}), follow=True
    )
    assert ThemeRule.objects.filter(organisation=leeds).exists()
    assert ImportJob.objects.get(pk=job.pk).status == ImportJobStatus.CONFIRMED
    assert "This import is confirmed" in response.content.decode()
