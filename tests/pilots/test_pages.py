"""The pilot pages: programme list, pilot, initiative, evidence permalinks, CSV exports."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pilots.models import EvidenceItem, EvidenceKind
from pilots.services.evidence import evidence_create
from tests.csv_downloads import csv_table

pytestmark = pytest.mark.django_db


def test_programme_list_and_programme_page(client, world):
    page = client.get(reverse("pilots:programme-list")).content.decode()
    assert "Test programme" in page and "Alpha" in page and "Beta" in page
    assert "£135" in page  # alpha's fiscal savings
    response = client.get(reverse("pilots:programme-detail", args=["test-programme"]))
    assert response.status_code == 200
    assert response.context["attribution"].initiative_count == 1
    assert client.get(reverse("pilots:programme-detail", args=["nope"])).status_code == 404


def test_the_nav_links_to_the_pilots(client, world):
    assert f'href="{reverse("pilots:programme-list")}"' in client.get("/").content.decode()


def test_pilot_page_shows_footprint_initiatives_totals_and_where_savings_land(client, world):
    response = client.get(reverse("pilots:pilot-detail", args=["alpha"]))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Alphaton" in page and "Testshire Council" in page
    assert "Family key workers" in page
    assert "Proposed savings: 1 published initiative" in page
    assert "invests here, saves elsewhere" in page
    assert 'id="sankey-data"' in page and "sankey-chart" in page
    assert "No approved spend returns cover this footprint" in page
    assert response.context["savings_totals"]["pv_fiscal"] == Decimal("135.45")


def test_initiative_page_has_every_section(client, world):
    response = client.get(world.initiative.get_absolute_url())
    page = response.content.decode()
    for text in [
        "Appraisal",
        "Year by year",
        "Costs",
        "Benefits",
        "Where the savings land",
        "Evidence",
        "£35.45",
        "£1,000,000.00",
        "Council budget book 2010-11",
        "Fair-share deal",
        'id="years-data"',
        "year 4",
    ]:
        assert text in page, text
    assert len(response.context["years"]) == 6


def test_a_withdrawn_or_unpaid_initiative_says_no_deal_can_be_made(
    client, world, django_capture_on_commit_callbacks
):
    from savings.services.inputs import cost_line_update

    with django_capture_on_commit_callbacks(execute=True):
        cost_line_update(line=world.initiative.costs.get(), actor=None, amount=Decimal("500"))
    page = client.get(world.initiative.get_absolute_url()).content.decode()
    assert "This does not pay back." in page and "£364.55" in page


def test_matrix_csv_exports(client, world):
    uid = world.initiative.public_id
    for url in [
        reverse("savings:initiative-matrix-csv", args=[uid]),
        reverse("savings:pilot-matrix-csv", args=["alpha"]),
        reverse("savings:programme-matrix-csv", args=["test-programme"]),
        reverse("savings:place-matrix-csv", args=["alphaton"]),
    ]:
        response = client.get(url)
        assert response["Content-Type"].startswith("text/csv")
        rows = csv_table(response)
        assert rows == [
            ["payer_code", "payer", "beneficiary_code", "beneficiary", "present_value_gbp"],
            ["COUNCIL", "Testshire Council", "NHS", "Testshire PCT", "90.30"],
            ["COUNCIL", "Testshire Council", "POLICE", "Testshire Police", "45.15"],
        ], url
    assert client.get(reverse("savings:pilot-matrix-csv", args=["nope"])).status_code == 404


def test_evidence_permalink_survives_edits_and_serves_its_file(client, world):
    item = evidence_create(
        pilot=world.alpha,
        actor=world.lead_a,
        initiative=world.initiative,
        kind=EvidenceKind.DOCUMENT,
        title="Business case",
        file=SimpleUploadedFile("case.pdf", b"%PDF-1.4 test", content_type="application/pdf"),
    )
    permalink = item.get_absolute_url()
    assert permalink == f"/evidence/{item.public_id}/"
    client.force_login(world.lead_a)
    response = client.post(
        reverse("pilots:evidence-edit", args=[item.public_id]),
        {"kind": "document", "title": "Business case (final)", "is_published": "on"},
    )
    assert response.status_code == 302 and response["Location"] == permalink
    client.logout()
    page = client.get(permalink).content.decode()
    assert "Business case (final)" in page and "case.pdf" in page
    download = client.get(reverse("pilots:evidence-download", args=[item.public_id]))
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert EvidenceItem.objects.get(pk=item.pk).public_id == item.public_id


def test_a_lead_adds_evidence_and_an_initiative_through_the_forms(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(world.lead_a)
    response = client.post(
        reverse("pilots:evidence-create", args=["alpha"]),
        {
            "kind": "link",
            "title": "Evaluation",
            "url": "https://example.org/e",
            "is_published": "on",
        },
    )
    assert response.status_code == 302
    item = EvidenceItem.objects.get(title="Evaluation")
    assert response["Location"] == item.get_absolute_url() and item.initiative is None

    missing = client.post(
        reverse("pilots:evidence-create", args=["alpha"]), {"kind": "note", "title": "Empty"}
    )
    assert missing.status_code == 200 and "Write the note." in missing.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pilots:initiative-create", args=["alpha"]),
            {
                "title": "Shared assessments",
                "status": "published",
                "service_theme": world.theme.pk,
                "baseline_year": world.initiative.baseline_year_id,
            },
        )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Shared assessments" in page and "No costs recorded yet." in page


def test_initiative_form_explains_a_missing_theme_and_source(client, world):
    client.force_login(world.lead_a)
    response = client.post(
        reverse("pilots:initiative-create", args=["alpha"]),
        {
            "title": "No theme",
            "status": "draft",
            "baseline_entered_amount": "5.00",
            "baseline_year": world.initiative.baseline_year_id,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Choose a deep-dive theme, a service theme, or both." in page


def test_place_savings_page(client, world):
    response = client.get(reverse("pilots:place-savings", args=["alphaton"]))
    assert response.status_code == 200 and "Alpha" in response.content.decode()
    assert response.context["attribution"].pv_costs == Decimal("100.00")


def test_submission_page(client, world):
    from pilots.services.submissions import submission_create

    submission = submission_create(
        pilot=world.alpha,
        actor=None,
        title="August 2010",
        total_spend_baseline=Decimal("1000.00"),
        total_spend_baseline_source="Budget book",
        savings=[{"description": "Key workers", "saving": Decimal("50.00")}],
        benefits_counterfactual=Decimal("10.00"),
        benefits_projected=Decimal("4.00"),
        benefits_treasury_share_percent=Decimal("60.00"),
    )
    page = client.get(submission.get_absolute_url()).content.decode()
    for text in ["£1,000.00", "£50.00", "5.00% of the baseline", "£6.00", "40.00%"]:
        assert text in page, text
