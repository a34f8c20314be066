"""National datasets through their whole life: preview, choices, load, approval, the count."""

from collections import defaultdict
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from ledger.calculations.precedence import PlaceTree
from ledger.models import (
    LOWEST_TIER_KINDS,
    Basis,
    DatasetEditionYear,
    DatasetFigure,
    DatasetLine,
    DatasetNotReported,
    Organisation,
    Place,
    SpendRollup,
)
from ledger.services.datasets.editions import (
    dataset_edition_approve,
    dataset_edition_choose,
    dataset_edition_request_load,
    dataset_edition_send_back,
)
from ledger.services.datasets.load import dataset_edition_load
from ledger.services.reconciliation import reconciliation_run
from tests.factories import UserFactory
from tests.ledger.dataset_helpers import (
    CRA_FIGURES,
    Status,
    approved_return,
    cra_workbook,
    editor,
    load_and_approve,
    new_edition,
    preview,
    wide_bytes,
)
from tests.ledger.test_dataset_wide import BODIES, TSE_COLUMN, table

pytestmark = pytest.mark.django_db


@pytest.fixture
def loader(reference_data):
    return editor("loader")


@pytest.fixture
def checker(reference_data):
    return editor("checker")


def _tse_pence(row: list[str]) -> int:
    return int(row[TSE_COLUMN].replace(",", "").replace("(", "-").replace(")", "")) * 100_000


def _money_adds_up(edition) -> None:
    excluded = sum((Decimal(p) for p in edition.excluded.values()), Decimal(0)) / 100
    assert edition.money_read == edition.money_loaded + excluded


def test_a_wide_table_loads_each_bodys_own_figures(loader, checker):
    edition = preview(new_edition(content=wide_bytes(), filename="ra.csv", actor=loader))
    rows = [r for r in table() if r[0] in {b[0][0] for b in BODIES}]
    assert (edition.status, edition.years, edition.unit_factor) == (Status.READY, ["2023-24"], 1000)
    assert edition.money_read == Decimal(sum(_tse_pence(r) for r in rows)) / 100
    assert edition.excluded == {} and edition.not_reported_count == 1  # Woking: "..." throughout
    _money_adds_up(edition)
    edition = load_and_approve(edition, loader=loader, approver=checker)
    for row in rows:
        body = Organisation.objects.by_code(row[1]).get()
        lines = DatasetLine.objects.filter(edition=edition, organisation=body)
        assert lines.aggregate(t=Sum("amount"))["t"] * 100 == _tse_pence(row), row[2]
    police = Organisation.objects.by_code("E23000036").get()  # Avon & Somerset: five areas
    shares = DatasetLine.objects.filter(edition=edition, organisation=police)
    assert set(shares.values_list("basis", flat=True)) == {Basis.APPORTIONED}
    assert shares.values("place").distinct().count() == police.places.count() > 1
    figures = DatasetFigure.objects.filter(edition=edition, organisation=police)
    assert {(f.driver, f.driver_year) for f in figures} == {("population", "2020-21")}
    woking = DatasetNotReported.objects.get(edition=edition)
    assert (woking.organisation.name, woking.complete) == ("Woking Borough Council", True)
    assert not DatasetLine.objects.filter(organisation=woking.organisation).exists()
    assert reconciliation_run() == []


def test_an_unknown_body_waits_for_a_choice_with_its_money(loader):
    rows = table()
    adur = next(r for r in rows if r[0] == "E3831")
    adur[0], adur[1] = "E9999", "E07999999"
    edition = preview(new_edition(content=wide_bytes(rows), filename="ra.csv", actor=loader))
    assert edition.status == Status.NEEDS_CHOICES
    assert [(b["key"], b["name"], b["pence"]) for b in edition.unknown_bodies] == [
        ("E07999999", "Adur", _tse_pence(adur))
    ]
    _money_adds_up(edition)  # read = to load + the money waiting for a choice
    edition = dataset_edition_choose(
        edition=edition, choices={"bodies": {"E07999999": {"action": "exclude"}}}, actor=loader
    )
    edition = preview(edition)
    assert edition.status == Status.READY
    assert edition.excluded == {
        "Bodies excluded by choice (not in the reference data)": str(_tse_pence(adur))
    }
    _money_adds_up(edition)


def test_a_table_that_does_not_say_its_unit_asks_for_it(loader):
    rows = [r for r in table() if "thousand" not in r[0]]
    edition = preview(new_edition(content=wide_bytes(rows), filename="ra.csv", actor=loader))
    assert edition.status == Status.NEEDS_CHOICES and "unit" in edition.message
    edition = preview(
        dataset_edition_choose(edition=edition, choices={"unit_factor": 1000}, actor=loader)
    )
    assert edition.status == Status.READY


def test_top_down_figures_are_shared_to_the_penny(loader, checker):
    edition = new_edition(content=cra_workbook(), filename="cra.xlsx", actor=loader, fmt="regional")
    edition = load_and_approve(edition, loader=loader, approver=checker)
    assert edition.years == ["2016-17", "2017-18"]
    assert edition.money_read == Decimal("3760500.00")  # (1000.5 + 2000 + 500 + 300 + 10 - 50)k
    tree, north_west = PlaceTree(), Place.objects.get(gss_code="E12000002")
    lowest = set(
        Place.objects.filter(
            kind__in=LOWEST_TIER_KINDS, pk__in=tree.subtree(north_west.pk)
        ).values_list("pk", flat=True)
    )
    for figure in DatasetFigure.objects.filter(edition=edition):
        lines = DatasetLine.objects.filter(figure=figure)
        assert lines.aggregate(t=Sum("amount"))["t"] == figure.amount
        assert set(lines.values_list("basis", flat=True)) == {Basis.ESTIMATED}
        places = set(lines.values_list("place_id", flat=True))
        if figure.source_place == "ENGLAND_North West":
            assert places <= lowest and len(places) > 30, figure.source_place
            assert figure.driver == "population" and figure.driver_year == "2020-21"
        else:  # Scotland, outside the UK, not identifiable: kept whole where they are
            assert lines.count() == 1 and not figure.driver
    outside = Place.objects.get(slug="outside-uk")
    assert DatasetLine.objects.get(edition=edition, place=outside).amount == Decimal("10000.00")


def test_the_count_never_uses_two_sources_for_one_body_place_and_year(loader, checker):
    """DWP's return for Cumbria replaces DWP's estimate there, and only there; Cumbria County
    Council's return replaces the local-government estimate in Cumbria; the rest of the North
    West keeps its estimates; and the rollups still reconcile to the penny."""
    load_and_approve(
        new_edition(content=cra_workbook(), filename="cra.xlsx", actor=loader, fmt="regional"),
        loader=loader,
        approver=checker,
    )
    dwp, council = Organisation.objects.get(code="DWP"), Organisation.objects.get(code="E10000006")
    lg = Organisation.objects.get(code="LG-ENG")
    approved_return(dwp, "2017-18", {"E07000026": Decimal("123.45")}, place="E10000006")
    approved_return(council, "2017-18", {"E10000006": Decimal("1000.00")})
    rollup_rebuild_and_check()
    cumbria = PlaceTree().subtree(Place.objects.get(gss_code="E10000006").pk)
    rollups = SpendRollup.objects.filter(financial_year__code="2017-18")
    sources = defaultdict(set)
    for row in rollups:
        sources[(row.organisation_id, row.place_id)].add(row.edition_id != 0)
    assert all(len(kinds) == 1 for kinds in sources.values())  # never both
    dwp_here = rollups.filter(organisation=dwp, place_id__in=cumbria)
    assert set(dwp_here.values_list("edition_id", flat=True)) == {0}
    assert dwp_here.aggregate(t=Sum("amount"))["t"] == Decimal("123.45")
    assert rollups.filter(organisation=lg, place_id__in=cumbria).count() == 0
    elsewhere = rollups.exclude(place_id__in=cumbria)
    assert elsewhere.filter(organisation=dwp, basis=Basis.ESTIMATED).exists()
    assert elsewhere.filter(organisation=lg, basis=Basis.ESTIMATED).exists()


def rollup_rebuild_and_check():
    from ledger.services.rollups import rollup_rebuild

    rollup_rebuild()
    assert reconciliation_run() == []


def test_a_newer_edition_replaces_the_older_only_for_the_years_it_covers(loader, checker):
    first = load_and_approve(
        new_edition(content=cra_workbook(), filename="cra.xlsx", actor=loader, fmt="regional"),
        loader=loader,
        approver=checker,
    )
    revised = {key: (values[1] * 2,) for key, values in CRA_FIGURES.items()}
    second = new_edition(
        content=cra_workbook(revised, years=("2017-18",)),
        filename="cra-2019.xlsx",
        actor=loader,
        fmt="regional",
        edition="CRA 2019",
        dataset=first.dataset,
    )
    second = load_and_approve(second, loader=loader, approver=checker)
    current = dict(
        DatasetEditionYear.objects.filter(is_current=True).values_list(
            "financial_year__code", "edition_id"
        )
    )
    assert current == {"2016-17": first.pk, "2017-18": second.pk}
    counted = SpendRollup.objects.filter(financial_year__code="2017-18").aggregate(t=Sum("amount"))
    assert counted["t"] == Decimal("5520000.00")  # twice (2000 + 500 + 300 + 10 - 50) thousand
    assert reconciliation_run() == []


def test_only_another_dataset_editor_approves(loader, checker):
    stranger = UserFactory(username="stranger")
    with pytest.raises(PermissionDenied):
        new_edition(content=wide_bytes(), filename="ra.csv", actor=stranger)
    edition = preview(new_edition(content=wide_bytes(), filename="ra.csv", actor=loader))
    dataset_edition_request_load(edition=edition, actor=loader)
    edition = dataset_edition_load(edition_id=edition.pk)
    for who in (loader, stranger):
        with pytest.raises(PermissionDenied):
            dataset_edition_approve(edition=edition, actor=who)
    with pytest.raises(ValidationError):
        dataset_edition_send_back(edition=edition, actor=checker, reason=" ")
    edition = dataset_edition_send_back(edition=edition, actor=checker, reason="Wrong year")
    assert edition.status == Status.SENT_BACK and not edition.lines.exists()


def test_the_same_file_is_not_loaded_twice(loader):
    edition = new_edition(content=wide_bytes(), filename="ra.csv", actor=loader)
    with pytest.raises(ValidationError, match="already edition “2023-24”"):
        new_edition(
            content=wide_bytes(), filename="again.csv", actor=loader, dataset=edition.dataset
        )


def test_a_load_that_fails_half_way_leaves_nothing(loader, monkeypatch):
    edition = preview(new_edition(content=wide_bytes(), filename="ra.csv", actor=loader))
    dataset_edition_request_load(edition=edition, actor=loader)

    def broken(*args, **kwargs):
        raise OSError("the worker lost its connection")

    monkeypatch.setattr("ledger.services.datasets.load.lines_write", broken)
    edition = dataset_edition_load(edition_id=edition.pk)
    assert edition.status == Status.INVALID and "nothing was loaded" in edition.message
    assert not DatasetFigure.objects.filter(edition=edition).exists()
    assert not DatasetLine.objects.filter(edition=edition).exists()


def test_a_driver_held_as_data_shares_top_down_figures(loader, checker, tmp_path):
    """Claimants instead of population: a region's figure follows the driver loaded as data."""
    from ledger.services.driver_values import driver_values_load

    north_west = PlaceTree().subtree(Place.objects.get(gss_code="E12000002").pk)
    areas = Place.objects.filter(pk__in=north_west, kind__in=LOWEST_TIER_KINDS).exclude(
        valid_from__gt="2017-04-01"
    )
    rows = ["driver,place,year,value,source"] + [
        f"Claimants,{p.gss_code},2017-18,{3 if p.gss_code == 'E07000028' else 0},A test count"
        for p in areas
    ]
    path = tmp_path / "claimants.csv"
    path.write_text("\n".join(rows), encoding="utf-8")
    assert driver_values_load(path=path).created == len(rows) - 1
    assert driver_values_load(path=path).created == 0  # re-running creates nothing
    north_west_only = {k: v for k, v in CRA_FIGURES.items() if "North West" in k[4]}
    edition = new_edition(
        content=cra_workbook(north_west_only),
        filename="cra.xlsx",
        actor=loader,
        fmt="regional",
        choices={"driver": "claimants"},
    )
    edition = load_and_approve(edition, loader=loader, approver=checker)
    carlisle = Place.objects.get(gss_code="E07000028")
    assert set(DatasetLine.objects.filter(edition=edition).values_list("place", flat=True)) == {
        carlisle.pk
    }
    # 2016-17 has no claimant figures: the nearest year's are used, and the figure says which.
    assert set(
        DatasetFigure.objects.filter(edition=edition).values_list("driver", "driver_year")
    ) == {("claimants", "2017-18")}


def test_choices_are_in_the_editions_history(loader):
    from ledger.models import WorkflowAction, WorkflowEvent

    rows = [r for r in table() if "thousand" not in r[0]]
    edition = preview(new_edition(content=wide_bytes(rows), filename="ra.csv", actor=loader))
    dataset_edition_choose(edition=edition, choices={"unit_factor": 1000}, actor=loader)
    event = WorkflowEvent.objects.get(
        dataset_edition=edition, action=WorkflowAction.DATASET_CHOICES
    )
    assert (event.actor_name, event.detail["summary"]) == ("loader", "unit factor 1000")
