"""The explorer's and the map's pages, as every role: public reads of approved totals only (two
approved returns of £100.00 each in Matrixshire and an approved dataset edition's £50.00; the
drafts, the submitted returns and the loaded edition's £7.00 never count, whoever asks)."""

from tests.csv_downloads import csv_table

from .cases import expect, page

OK, BAD_REQUEST = 200, 400
PUBLIC = expect(OK)


def _approved_only(world, role, response):
    rows = csv_table(response)
    assert rows[1:] == [
        ["MXA", "Matrix A Council", "100.00", "1"],
        ["MXB", "Matrix B Council", "100.00", "1"],
        ["MXD", "Matrix Department", "50.00", "1"],
    ], rows


def _total(amount):
    def check(world, role, response):
        assert f'id="total-amount">{amount}<' in response.content.decode()

    return check


EXPLORER_PAGES = [
    page(
        "explorer",
        lambda w: "/explorer/?drilldown=organisation&place=matrixshire",
        PUBLIC,
        check=_total("£250.00"),
    ),
    page(
        "explorer-download-csv",
        lambda w: "/explorer/?drilldown=organisation&download=csv",
        PUBLIC,
        check=_approved_only,
    ),
    page("explorer-unknown-place", lambda w: "/explorer/?place=nowhere", expect(BAD_REQUEST)),
    page("map", lambda w: "/map/?year=2010-11", PUBLIC),
    page("map-download-csv", lambda w: "/map/?year=2010-11&download=csv", PUBLIC),
]
