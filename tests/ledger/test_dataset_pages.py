"""The national datasets' pages on small files in the real layouts: the list, the upload →
preview → choices → load → approve flow, unknown bodies and places, the money account, the
lines and figures, and the place drill-down's dataset lines (see ``dataset_world``)."""

from decimal import Decimal

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from ledger.models import (
    DatasetEdition,
    DatasetFigure,
    DatasetLine,
    Organisation,
    OrganisationAlias,
    Place,
    SpendRollup,
)
from ledger.services.datasets.editions import dataset_edition_request_load
from ledger.services.datasets.load import progress_key
from tests.csv_downloads import csv_table
from tests.factories import UserFactory
from tests.ledger.dataset_helpers import csv_bytes, editor, new_edition, preview
from tests.ledger.dataset_world import (
    ADUR,
    DWP,
    PARK,
    WASTE,
    Status,
    approved_datasets,
    cra_workbook,
    load,
    wide_rows,
)

pytestmark = pytest.mark.django_db

# The unknown bodies' money (£ thousand in the file): structural maintenance only.
WASTE_MONEY, PARK_MONEY = Decimal("7000.00"), Decimal("3000.00")


def _edition_url(edition, action=""):
    return f"/datasets/editions/{edition.pk}/{action}"


def _fresh(edition) -> DatasetEdition:
    return DatasetEdition.objects.get(pk=edition.pk)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _account_rows(response) -> dict[str, Decimal]:
    """The money account as the page shows it: what → amount."""
    table = response.context["account_table"]
    return {row.cells["what"]: row.cells["amount"] for row in table.rows}


def test_an_empty_list_says_what_datasets_are_and_offers_editors_a_start(client):
    body = client.get("/datasets/").content.decode()
    assert "No national dataset has been approved yet" in body
    assert "Load a dataset" not in body
    client.force_login(editor("first-editor"))
    body = client.get("/datasets/").content.decode()
    assert 'href="/datasets/new/"' in body and "Load the first one" in body


def test_the_list_shows_approved_editions_to_everyone_and_every_edition_to_editors(
    client, reference_data
):
    uploader, approver = editor("uploader"), editor("approver")
    editions = approved_datasets(uploader, approver)
    waiting = preview(
        new_edition(
            content=csv_bytes(wide_rows(unknown=[(WASTE, (0, 0, 8, 0))])),
            filename="ra_2024-25.csv",
            actor=uploader,
            fmt="wide",
            edition="2024-25",
            dataset=editions["wide"].dataset,
            choices={"year": "2024-25"},
        )
    )
    assert waiting.status == Status.NEEDS_CHOICES
    public = client.get("/datasets/").content.decode()
    for edition in editions.values():
        assert _edition_url(edition) in public
    assert _edition_url(waiting) not in public
    assert '2023-24 <span class="badge badge-current">current</span>' in public
    client.force_login(UserFactory(username="someone"))
    assert _edition_url(waiting) not in client.get("/datasets/").content.decode()
    client.force_login(uploader)
    mine = client.get("/datasets/").content.decode()
    assert _edition_url(waiting) in mine and "Needs your choices" in mine


def test_upload_choices_load_and_approve_through_the_pages(
    client, reference_data, django_capture_on_commit_callbacks
):
    uploader, approver = editor("uploader"), editor("approver")
    client.force_login(uploader)
    assert client.get("/datasets/new/").status_code == 200
    upload = SimpleUploadedFile("ra_2023-24.csv", csv_bytes(wide_rows()), content_type="text/csv")
    with django_capture_on_commit_callbacks(execute=True):  # the preview (Celery runs eagerly)
        response = client.post(
            "/datasets/new/",
            {
                "title": "Revenue Account budget, by authority",
                "publisher": "DLUHC",
                "format": "wide",
                "licence": "",
                "edition": "2023-24",
                "file": upload,
            },
        )
    edition = DatasetEdition.objects.get()
    assert response.status_code == 302 and response["Location"] == _edition_url(edition)
    assert edition.dataset.route == "bottom_up" and edition.created_by == uploader
    assert edition.status == Status.NEEDS_CHOICES

    page = client.get(_edition_url(edition))
    body = page.content.decode()
    assert "Bodies the reference data does not know (2)" in body
    for name, money in ((WASTE[2], "£7,000.00"), (PARK[2], "£3,000.00")):
        assert name in body and money in body
    # The money account adds up on the page: loaded + each excluded amount = money read.
    rows = _account_rows(page)
    assert rows == {
        "To be loaded": edition.money_loaded,
        "Excluded: Bodies waiting for a choice (not in the reference data)": WASTE_MONEY
        + PARK_MONEY,
        "Money read from the file": edition.money_read,
    }
    assert rows["To be loaded"] + WASTE_MONEY + PARK_MONEY == edition.money_read
    assert "Adds up" in body

    # Exclude the park authority; add the waste authority to the reference data.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _edition_url(edition, "exclude/"),
            {"kind": "bodies", "key": PARK[1], "action": "exclude"},
        )
    assert response.status_code == 302
    edition = _fresh(edition)
    assert edition.status == Status.NEEDS_CHOICES
    assert [b["key"] for b in edition.unknown_bodies] == [WASTE[1]]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _edition_url(edition, "bodies/"),
            {
                "key": WASTE[1],
                "name": "Made-up Waste Authority",
                "sector": "local_government",
                "places": f"{ADUR}; E07000224",
            },
        )
    waste = Organisation.objects.get(code=WASTE[1])
    assert waste.control == "local" and waste.kind == "Waste"
    assert sorted(waste.places.values_list("gss_code", flat=True)) == [ADUR, "E07000224"]
    assert list(OrganisationAlias.objects.filter(organisation=waste).values_list("alias")) == [
        ("E9999",)
    ]
    edition = _fresh(edition)
    assert edition.status == Status.READY
    assert edition.choices["bodies"] == {
        PARK[1]: {"action": "exclude"},
        WASTE[1]: {"action": "add", "organisation": WASTE[1]},
    }
    page = client.get(_edition_url(edition))
    rows = _account_rows(page)
    assert rows == {
        "To be loaded": edition.money_loaded,
        "Excluded: Bodies excluded by choice (not in the reference data)": PARK_MONEY,
        "Money read from the file": edition.money_read,
    }
    assert edition.money_loaded + PARK_MONEY == edition.money_read
    assert "added to the reference data as <code>E99999999</code>" in page.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(_edition_url(edition, "load/"))
    edition = _fresh(edition)
    assert edition.status == Status.LOADED and edition.loaded_by == uploader
    assert DatasetLine.objects.filter(edition=edition, organisation=waste).count() == 2

    # The uploader cannot approve it: the page says who must.
    page = client.get(_edition_url(edition)).content.decode()
    assert "another dataset editor must approve it" in page
    assert _edition_url(edition, "approve/") not in page
    response = client.post(_edition_url(edition, "approve/"), follow=True)
    assert "Another dataset editor must approve it" in " ".join(_messages(response))
    assert _fresh(edition).status == Status.LOADED

    client.force_login(approver)
    assert _edition_url(edition, "approve/") in client.get(_edition_url(edition)).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the count's rebuild
        client.post(_edition_url(edition, "approve/"))
    edition = _fresh(edition)
    assert edition.status == Status.APPROVED and edition.approved_by == approver
    assert SpendRollup.objects.filter(edition_id=edition.pk).exists()
    history = client.get(_edition_url(edition)).content.decode()
    for action in ("Dataset file uploaded", "Dataset lines loaded", "Dataset edition approved"):
        assert action in history
    assert "</span>: Needs your choices · read £" in history  # the first preview's outcome


def test_a_code_another_body_uses_is_refused_naming_it(client, reference_data):
    user = editor("uploader")
    edition = preview(
        new_edition(
            content=csv_bytes(wide_rows()),
            filename="ra.csv",
            actor=user,
            fmt="wide",
            edition="2023-24",
        )
    )
    # Someone gave another body the waste authority's E-code in the meantime.
    other = Organisation.objects.get(code="E23000036")
    OrganisationAlias.objects.create(organisation=other, alias="E9999", scheme="ecode")
    client.force_login(user)
    response = client.post(
        _edition_url(edition, "bodies/"),
        {"key": WASTE[1], "name": "Waste", "sector": "local_government", "places": ADUR},
        follow=True,
    )
    assert _messages(response) == [
        "The code “E9999” is already used by Avon and Somerset Police and Crime Commissioner "
        "(E23000036): choose that body in the reference data, or exclude this one."
    ]
    assert not Organisation.objects.filter(code=WASTE[1]).exists()
    assert _fresh(edition).status == Status.NEEDS_CHOICES


def test_a_known_body_with_no_place_is_given_its_places(
    client, reference_data, django_capture_on_commit_callbacks
):
    waste = Organisation.objects.create(code=WASTE[1], name="Waste", sector="local_government")
    user = editor("uploader")
    edition = preview(
        new_edition(
            content=csv_bytes(wide_rows(unknown=[(WASTE, (0, 0, 7, 0))])),
            filename="ra.csv",
            actor=user,
            fmt="wide",
            edition="2023-24",
        )
    )
    assert [(b["key"], b["problem"]) for b in edition.unknown_bodies] == [
        (WASTE[1], "has no place it serves")
    ]
    client.force_login(user)
    before = Organisation.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _edition_url(edition, "bodies/"),
            {"key": WASTE[1], "name": "Waste", "sector": "local_government", "places": ADUR},
        )
    assert Organisation.objects.count() == before  # nothing new: the body has its places
    assert list(waste.places.values_list("gss_code", flat=True)) == [ADUR]
    assert _fresh(edition).status == Status.READY


def test_the_choices_form_reads_the_file_again(
    client, reference_data, django_capture_on_commit_callbacks
):
    user = editor("uploader")
    edition = preview(
        new_edition(
            content=cra_workbook(metadata=False),  # no metadata sheet: the unit is not said
            filename="cra.xlsx",
            actor=user,
            fmt="regional",
            edition="CRA 2024",
        )
    )
    assert edition.status == Status.NEEDS_CHOICES and "unit" in edition.message
    client.force_login(user)
    page = client.get(_edition_url(edition))
    form = page.context["choices_form"]
    assert set(form.fields) == {"header_row", "sheet", "unit_factor", "driver"}
    assert form.fields["sheet"].choices == [("", "As found"), ("CRA database", "CRA database")]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            _edition_url(edition, "choices/"), {"unit_factor": "1000", "driver": "population"}
        )
    edition = _fresh(edition)
    assert edition.choices == {"unit_factor": 1000}
    assert edition.status == Status.READY and edition.unit_factor == 1000
    # £ thousand: 1,000.5 + 2,000 + 500 + 300 + 10 − 50.
    assert edition.money_read == Decimal("3760500.00") == edition.money_loaded


def test_an_unknown_region_is_placed_and_an_unknown_department_added(
    client, reference_data, django_capture_on_commit_callbacks
):
    figures = {
        (DWP, "10.2", "CUR", "CG", "ENGLAND_The South"): (0, 40),
        (DWP, "10.2", "CUR", "CG", "ATLANTIS"): (0, 2),
        ("Ministry of Magic", "01.1", "CUR", "CG", "NON-REGIONAL"): (0, 5),
    }
    user = editor("uploader")
    edition = preview(
        new_edition(
            content=cra_workbook(figures),
            filename="cra.xlsx",
            actor=user,
            fmt="regional",
            edition="CRA 2024",
        )
    )
    assert edition.status == Status.NEEDS_CHOICES
    assert [p["key"] for p in edition.unmapped_places] == ["ATLANTIS", "ENGLAND_The South"]
    client.force_login(user)
    body = client.get(_edition_url(edition)).content.decode()
    assert "Places the reference data does not know (2)" in body and "£40,000.00" in body
    choices = [
        ("places/", {"key": "ENGLAND_The South", "code": "E12000008"}),
        ("exclude/", {"kind": "places", "key": "ATLANTIS", "action": "exclude"}),
        (
            "bodies/",
            {
                "key": "Ministry of Magic",
                "name": "Ministry of Magic",
                "sector": "central_government",
            },
        ),
    ]
    for action, data in choices:  # each reads the file again before the next can be made
        with django_capture_on_commit_callbacks(execute=True):
            client.post(_edition_url(edition, action), data)
    magic = Organisation.objects.get(code="MINISTRY-OF-MAGIC")
    assert magic.control == "central"
    assert list(magic.aliases.values_list("alias", "scheme")) == [("MINISTRY OF MAGIC", "name")]
    edition = _fresh(edition)
    assert edition.status == Status.READY, edition.message
    assert edition.excluded == {"Regions excluded by choice (not in the reference data)": "200000"}
    edition = load(edition, loader=user)
    south_east = Place.objects.get(gss_code="E12000008")
    figure = DatasetFigure.objects.get(edition=edition, source_place="ENGLAND_The South")
    assert figure.amount == Decimal("40000.00")
    assert DatasetLine.objects.filter(figure=figure, place__parent__parent=south_east).exists()


def test_non_editors_get_a_403_or_a_404(client, reference_data):
    uploader, approver = editor("uploader"), editor("approver")
    editions = approved_datasets(uploader, approver)
    waiting = new_edition(
        content=csv_bytes(wide_rows(unknown=[])),
        filename="ra_2.csv",
        actor=uploader,
        fmt="wide",
        edition="2023-24 revised",
        dataset=editions["wide"].dataset,
    )
    response = client.get("/datasets/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    client.force_login(UserFactory(username="outsider"))
    assert client.get("/datasets/new/").status_code == 403
    assert client.get(_edition_url(waiting)).status_code == 404
    assert client.get(_edition_url(waiting, "status/")).status_code == 404
    assert client.post(_edition_url(waiting, "cancel/")).status_code == 404
    approved = editions["wide"]
    assert client.get(_edition_url(approved)).status_code == 200
    assert client.post(_edition_url(approved, "cancel/")).status_code == 403
    assert _fresh(waiting).status == Status.QUEUED


def test_the_figure_page_shows_every_share_adding_up_to_it(client, reference_data):
    editions = approved_datasets(editor("uploader"), editor("approver"))
    figure = DatasetFigure.objects.get(
        edition=editions["cra"],
        source_place="ENGLAND_South East",
        body_name="Department for Work and Pensions",
        financial_year__code="2023-24",
    )
    response = client.get(f"/datasets/figures/{figure.pk}/")
    lines = response.context["lines"]
    assert figure.amount == Decimal("2000000.00")
    assert len(lines) > 30 and {line.basis for line in lines} == {"estimated"}
    assert sum(line.amount for line in lines) == figure.amount == response.context["shares_total"]
    body = response.content.decode()
    assert f"The {len(lines)} shares add up to the figure, £2,000,000.00, to the penny" in body
    assert "ENGLAND_South East" in body and "Population 20" in body
    assert client.get(f"/datasets/figures/{figure.pk + 10_000}/").status_code == 404


def test_the_place_drill_down_lists_the_counted_dataset_lines(client, reference_data):
    editions = approved_datasets(editor("uploader"), editor("approver"))
    cra, wide = editions["cra"], editions["wide"]
    response = client.get("/places/adur/lines/?year=2023-24")
    # No return in Adur: the first source is listed, and every source is a tab.
    assert response.context["source"] == f"edition-{cra.pk}"
    tabs = {tab["code"]: tab for tab in response.context["sources"]}
    assert set(tabs) == {f"edition-{cra.pk}", f"edition-{wide.pk}"}
    for code, edition in ((f"edition-{cra.pk}", cra), (f"edition-{wide.pk}", wide)):
        page = client.get(tabs[code]["url"])
        listed = list(page.context["page"].object_list)
        summary = page.context["summary"]
        assert not page.context["page"].has_next  # all on the first page
        assert summary.lines == len(listed) > 0
        assert sum(line.amount for line in listed) == summary.amount == tabs[code]["amount"]
        assert {line.edition_id for line in listed} == {edition.pk}
    # "Local government in England"'s estimate for Adur is in the edition, but Adur's council
    # has its own figures there: the count (and so the list) leaves it out.
    cra_page = client.get(tabs[f"edition-{cra.pk}"]["url"])
    shown = {line.organisation.code for line in cra_page.context["page"].object_list}
    assert shown == {"DWP"}
    assert DatasetLine.objects.filter(
        edition=cra, place__gss_code=ADUR, organisation__code="LG-ENG"
    ).exists()
    body = cra_page.content.decode()
    assert "ENGLAND_South East" in body and "/datasets/figures/" in body
    # The count section's links name their source and land on the same figures.
    place = client.get("/places/adur/?year=2023-24")
    for row in place.context["tables"]["count-sources"].rows:
        lines = client.get(row.links["amount"])
        assert lines.context["summary"].amount == row.cells["amount"]
        assert not lines.context["page"].has_next
        assert lines.context["summary"].lines == len(lines.context["page"].object_list)


def test_the_place_drill_down_downloads_dataset_lines_for_analysts(client, reference_data):
    from django.contrib.auth.models import Group

    from ledger.permissions import ANALYSTS_GROUP

    editions = approved_datasets(editor("uploader"), editor("approver"))
    url = f"/places/adur/lines/?source=edition-{editions['cra'].pk}&export=csv"
    client.force_login(UserFactory(username="not-an-analyst"))
    assert client.get(url).status_code == 403
    analyst = UserFactory(username="analyst")
    analyst.groups.add(Group.objects.get(name=ANALYSTS_GROUP))
    client.force_login(analyst)
    response = client.get(url)
    rows = csv_table(response)
    assert rows[0][:3] == ["Line id", "Financial year", "Place code"]
    assert "Region as published" in rows[0] and len(rows) == 3
    assert {row[rows[0].index("Region as published")] for row in rows[1:]} == {"ENGLAND_South East"}


def test_the_edition_lines_page_filters_and_pages_by_id(client, reference_data, monkeypatch):
    from ledger.pages import dataset_lines

    monkeypatch.setattr(dataset_lines, "LINES_PER_PAGE", 5)
    cra = approved_datasets(editor("uploader"), editor("approver"))["cra"]
    url = f"/datasets/editions/{cra.pk}/lines/?year=2023-24&organisation=DWP"
    first = client.get(url)
    expected = DatasetLine.objects.filter(
        edition=cra, financial_year__code="2023-24", organisation__code="DWP"
    )
    assert first.context["count"] == expected.count() > 10
    assert first.context["amount"] == Decimal("2310000.00")  # South East, Scotland, outside UK
    ids = [line.pk for line in first.context["lines"]]
    second = client.get(f"{url}&after={first.context['next_after']}")
    more = [line.pk for line in second.context["lines"]]
    assert len(ids) == len(more) == 5 and max(ids) < min(more)
    assert ids + more == list(expected.order_by("id").values_list("pk", flat=True)[:10])
    everything = client.get(f"/datasets/editions/{cra.pk}/lines/")
    assert everything.context["count"] == cra.line_count  # as recorded at load: no scan
    bad = client.get(f"/datasets/editions/{cra.pk}/lines/?place=NOWHERE")
    assert bad.status_code == 200 and "No place “NOWHERE”" in bad.content.decode()


def test_the_status_view_follows_the_load_from_the_cache(client, reference_data):
    user = editor("uploader")
    edition = preview(
        new_edition(
            content=cra_workbook(), filename="cra.xlsx", actor=user, fmt="regional", edition="C"
        )
    )
    client.force_login(user)
    assert client.get(_edition_url(edition, "status/")).json() == {
        "id": edition.pk,
        "status": "ready",
        "status_label": "Ready to load",
        "finished": True,
        "rows_done": 5,
        "rows_total": 5,
        "unit": "row",
        "percent": 100,
        "delayed": False,
        "message": "",
        "url": _edition_url(edition),
    }
    dataset_edition_request_load(edition=edition, actor=user)
    cache.set(progress_key(edition.pk), (250, 1000), 60)
    status = client.get(_edition_url(edition, "status/")).json()
    assert (status["status"], status["unit"], status["percent"]) == ("loading", "line", 25)
    page = client.get(_edition_url(edition)).content.decode()
    assert 'data-status-url="' in page and "line 250 of about 1,000" in page
    assert "js/import-progress.js" in page


def test_send_back_and_cancel(client, reference_data, django_capture_on_commit_callbacks):
    uploader, approver = editor("uploader"), editor("approver")
    edition = load(
        new_edition(
            content=cra_workbook(), filename="cra.xlsx", actor=uploader, fmt="regional", edition="C"
        ),
        loader=uploader,
    )
    client.force_login(approver)
    client.post(_edition_url(edition, "send-back/"), {"reason": ""})
    assert _fresh(edition).status == Status.LOADED  # a reason is needed
    client.post(_edition_url(edition, "send-back/"), {"reason": "Wrong year columns"})
    edition = _fresh(edition)
    assert edition.status == Status.SENT_BACK and not edition.lines.exists()
    body = client.get(_edition_url(edition)).content.decode()
    assert "“Wrong year columns”" in body and "Dataset edition sent back" in body
    client.post(_edition_url(edition, "cancel/"))
    assert _fresh(edition).status == Status.CANCELLED
