"""A return's line download past DIRECT_DOWNLOAD_MAX_LINES: an export job written by a worker,
followed on its page, with every line to the penny; only who may download directly gets it."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.test import override_settings
from django.urls import reverse

from ledger.models import ExportJob, ExportStatus, Membership, Role
from ledger.permissions import ANALYSTS_GROUP
from ledger.selectors.return_figures import spend_return_figures
from ledger.services.access import membership_grant
from ledger.services.line_exports import KIND
from tests.csv_downloads import csv_about, csv_table
from tests.factories import UserFactory
from tests.ledger.many_lines import place_with_lines

pytestmark = pytest.mark.django_db

LINES = 12


@pytest.fixture
def many():
    return place_with_lines(LINES)[2]


@pytest.fixture
def member(many):
    user = UserFactory(username="many-officer")
    membership_grant(user=user, organisation=many.organisation, role=Role.FINANCE_OFFICER)
    return user


def _rows(content: bytes) -> list[list[str]]:
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    return csv_table(text)


def _ask(client, spend_return, capture):
    with capture(execute=True):
        return client.get(reverse("spend-return-lines-download", args=[spend_return.pk]))


@override_settings(DIRECT_DOWNLOAD_MAX_LINES=5)
def test_a_big_download_is_written_by_a_job_with_every_line_to_the_penny(
    client, many, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    response = _ask(client, many, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(kind=KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("export-job-detail", args=[job.pk])
    assert (job.status, job.rows_done, job.rows_total) == (ExportStatus.DONE, LINES, LINES)
    page = client.get(response["Location"]).content.decode()
    download = reverse("export-job-download", args=[job.pk])
    assert f'href="{download}"' in page and "Ready" in page
    file = client.get(download)
    assert file["Content-Disposition"].endswith(
        'filename="manyshire-county-council-2010-11-v1-lines.csv"'
    )
    header, *lines = _rows(b"".join(file.streaming_content))
    amount = header.index("Amount")
    assert len(lines) == LINES
    assert sorted(int(line[0]) for line in lines) == sorted(many.lines.values_list("pk", flat=True))
    total = sum((Decimal(line[amount]) for line in lines), Decimal(0))
    assert total == spend_return_figures(spend_return=many)["total"]
    # The very bytes of the direct download.
    with override_settings(DIRECT_DOWNLOAD_MAX_LINES=LINES):
        direct = client.get(reverse("spend-return-lines-download", args=[many.pk]))
    assert b"".join(direct.streaming_content) == b"".join(client.get(download).streaming_content)
    # Asking again finds the same file: nothing is written twice.
    assert (
        _ask(client, many, django_capture_on_commit_callbacks)["Location"] == response["Location"]
    )
    assert ExportJob.objects.count() == 1


@override_settings(DIRECT_DOWNLOAD_MAX_LINES=5)
def test_the_job_page_shows_progress_until_the_file_is_ready(client, many, member):
    client.force_login(member)
    response = client.get(reverse("spend-return-lines-download", args=[many.pk]))  # not run
    job = ExportJob.objects.get(kind=KIND)
    page = client.get(response["Location"]).content.decode()
    status_url = reverse("export-job-status", args=[job.pk])
    assert f'data-status-url="{status_url}"' in page and "<progress" in page
    assert reverse("export-job-download", args=[job.pk]) not in page
    ExportJob.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING, rows_done=6)
    status = client.get(status_url).json()
    assert (status["status"], status["percent"], status["finished"]) == ("running", 50, False)
    assert client.get(reverse("export-job-download", args=[job.pk])).status_code == 404


def test_a_small_download_stays_direct(client, many, member):
    client.force_login(member)
    response = client.get(reverse("spend-return-lines-download", args=[many.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "text/csv; charset=utf-8"
    assert not ExportJob.objects.exists()


@override_settings(DIRECT_DOWNLOAD_MAX_LINES=5)
def test_only_who_could_download_directly_gets_the_jobs_file(
    client, many, member, django_capture_on_commit_callbacks
):
    client.force_login(member)
    _ask(client, many, django_capture_on_commit_callbacks)
    job = ExportJob.objects.get(kind=KIND)
    urls = [
        reverse(name, args=[job.pk])
        for name in ("export-job-detail", "export-job-status", "export-job-download")
    ]
    assert [client.get(url).status_code for url in urls] == [200, 200, 200]
    # Not through the API's exports (those are Fiscal Data Packages).
    assert client.get(f"/api/v1/exports/{job.pk}/download/").status_code == 404
    # An analyst may download the lines directly, but this is someone else's job.
    analyst = UserFactory(username="many-analyst")
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(analyst)
    assert [client.get(url).status_code for url in urls] == [404, 404, 404]
    # Signed out: to the sign-in page.
    client.logout()
    assert all(client.get(url)["Location"].startswith("/accounts/login/") for url in urls)
    # Its own maker, once out of the organisation, can no longer fetch it.
    Membership.objects.filter(user=member).delete()
    client.force_login(member)
    assert [client.get(url).status_code for url in urls] == [403, 403, 403]


@override_settings(DIRECT_DOWNLOAD_MAX_LINES=5)
def test_a_file_written_before_the_about_block_is_not_handed_out_again(
    client, many, member, django_capture_on_commit_callbacks
):
    from ledger.services import line_exports

    client.force_login(member)
    _ask(client, many, django_capture_on_commit_callbacks)
    old = ExportJob.objects.get(kind=KIND)
    # The stamp such a file carried: the version, without a layout.
    stamp = old.params["stamp"].rsplit(":layout-", 1)[0]
    ExportJob.objects.filter(pk=old.pk).update(params={**old.params, "stamp": stamp})
    response = _ask(client, many, django_capture_on_commit_callbacks)
    new = ExportJob.objects.exclude(pk=old.pk).get(kind=KIND)
    assert response["Location"] == reverse("export-job-detail", args=[new.pk])
    assert new.params["stamp"].endswith(f":layout-{line_exports.FILE_LAYOUT}")
    content = b"".join(client.get(reverse("export-job-download", args=[new.pk])).streaming_content)
    assert csv_about(content)["Source"].startswith("TotalPlace, the lines of spend return")
