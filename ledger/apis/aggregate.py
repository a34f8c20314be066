"""The aggregate endpoint, in the style of OpenSpending's: cut, drilldown, order, pages, CSV."""

import csv
import io

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.views import APIView

from ledger.calculations.cuts import DIMENSIONS, Cut, CutError
from ledger.calculations.totals import Aggregate, aggregate
from ledger.exports import ExportAbout, safe_cell
from ledger.pages.common import as_of
from ledger.selectors.illustrative import cut_has_illustrative_data
from totalplace.query_params import KnownQueryParameters

from .caching import cached_response
from .serializers import TRANSFERS, TRANSFERS_HELP, money_field

MAX_PAGE_SIZE = 10_000
DEFAULT_PAGE_SIZE = 100


def aggregate_rows(result: Aggregate) -> tuple[list[str], list[list]]:
    """The cells as a flat table: ``<dimension>_code``, ``<dimension>_name``, amount, lines."""
    header = [f"{d}_{part}" for d in result.drilldown for part in ("code", "name")]
    rows = [
        [v for d in result.drilldown for v in (c.members[d].code, c.members[d].name)]
        + [c.amount, c.lines]
        for c in result.cells
    ]
    return header + ["amount", "lines"], rows


class AggregateCSVRenderer(BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        if isinstance(data, dict) and "csv" in data:
            header, rows = data["csv"]
            writer.writerow(header)
            writer.writerows([safe_cell(v) for v in row] for row in rows)
        else:  # an error body: still CSV, one row per field
            error = (data or {}).get("error", {})
            writer.writerow(["status", "code", "message"])
            writer.writerow([safe_cell(error.get(k)) for k in ("status", "code", "message")])
        return buffer.getvalue().encode("utf-8")


class AggregateQuerySerializer(serializers.Serializer):
    cut = serializers.CharField(required=False, allow_blank=True, default="")
    drilldown = serializers.CharField(required=False, allow_blank=True, default="")
    order = serializers.CharField(required=False, allow_blank=True, default="")
    page = serializers.IntegerField(required=False, min_value=1, default=1)
    pagesize = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE
    )
    transfers = serializers.ChoiceField(choices=TRANSFERS, required=False, default="gross")


DIMENSION_LIST = ", ".join(DIMENSIONS)


@extend_schema(
    parameters=[
        OpenApiParameter(
            "cut",
            str,
            description="Filters, `dimension:value` joined by `|`, several values by `;`: "
            f"`place:E10000006|year:2006-07;2007-08`. Dimensions: {DIMENSION_LIST}. "
            "A place includes the places below it; a theme its sub-themes.",
        ),
        OpenApiParameter(
            "drilldown", str, description=f"Group by, joined by `|`: {DIMENSION_LIST}"
        ),
        OpenApiParameter(
            "order",
            str,
            description="`amount:desc` (default), `lines:asc` or a drilldown dimension; "
            "joined by `|`",
        ),
        OpenApiParameter(
            "transfers",
            str,
            enum=list(TRANSFERS),
            description=f"{TRANSFERS_HELP} (the cut's places); default gross",
        ),
        OpenApiParameter("page", int, description="page number, from 1"),
        OpenApiParameter("pagesize", int, description=f"cells per page (max {MAX_PAGE_SIZE})"),
        OpenApiParameter(
            "format", str, enum=["json", "csv"], description="`csv` for every cell as CSV"
        ),
    ],
    responses={
        (200, "application/json"): inline_serializer(
            "Aggregate",
            {
                "cells": serializers.ListField(child=serializers.DictField()),
                "summary": inline_serializer(
                    "AggregateSummary",
                    {"amount": money_field(), "lines": serializers.IntegerField()},
                ),
                "total_cell_count": serializers.IntegerField(),
                "page": serializers.IntegerField(),
                "page_size": serializers.IntegerField(),
                "cut": serializers.CharField(),
                "transfers": serializers.ChoiceField(choices=TRANSFERS),
                "drilldown": serializers.ListField(child=serializers.CharField()),
                "order": serializers.ListField(child=serializers.CharField()),
                "as_of": serializers.DateTimeField(allow_null=True),
            },
        ),
        (200, "text/csv"): OpenApiTypes.STR,
    },
)
class AggregateView(KnownQueryParameters, APIView):
    """Totals of approved spend for any cut, grouped by any dimensions (OpenSpending style).

    Read from the rollups, so it answers in milliseconds on a large ledger. Amounts are decimal
    strings in pounds; each cell carries the lines behind it. COFOG cells split a theme by its
    crosswalk weights, exactly to the penny, so they still add up to the summary.
    """

    renderer_classes = [JSONRenderer, AggregateCSVRenderer]
    # OpenSpending's parameters: its own ``page`` and ``pagesize`` over the cells.
    query_parameters = tuple(AggregateQuerySerializer().fields)

    def get(self, request):
        query = AggregateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        drilldown = [d.strip() for d in params["drilldown"].split("|") if d.strip()]
        order = [o.strip() for o in params["order"].split("|") if o.strip()]
        as_csv = request.accepted_renderer.format == "csv"
        try:
            response = cached_response(
                request,
                "aggregate",
                {**params, "csv": as_csv},
                lambda: self._answer(params, drilldown, order, as_csv),
            )
        except CutError as exc:
            raise serializers.ValidationError({"cut": [str(exc)]}) from exc
        if as_csv:
            response["Content-Disposition"] = 'attachment; filename="aggregate.csv"'
            # A machine's CSV stays a bare table: what a person's download says in its first
            # lines (ledger.exports) comes here as response headers.
            about = ExportAbout(
                source=f"TotalPlace aggregate API, {request.build_absolute_uri()}",
                illustrative=response.data["illustrative"],
                as_of=response.data["as_of"],
            )
            for name, value in about.headers().items():
                response[name] = value
        return response

    def _answer(self, params, drilldown, order, as_csv) -> dict:
        result = aggregate(
            cut=Cut.parse(params["cut"]),
            drilldown=drilldown,
            order=order,
            net=params["transfers"] == "net",
        )
        if as_csv:
            return {
                "csv": aggregate_rows(result),
                "illustrative": cut_has_illustrative_data(cut=result.cut),
                "as_of": as_of(),
            }
        size, page = params["pagesize"], params["page"]
        cells = result.cells[(page - 1) * size : page * size]
        money = money_field()
        return {
            "cells": [
                {
                    **{d: c.members[d].as_dict() for d in result.drilldown},
                    "amount": money.to_representation(c.amount),
                    "lines": c.lines,
                }
                for c in cells
            ],
            "summary": {
                "amount": money.to_representation(result.amount),
                "lines": result.lines,
            },
            "total_cell_count": len(result.cells),
            "page": page,
            "page_size": size,
            "cut": result.cut.as_text(),
            "transfers": params["transfers"],
            "drilldown": result.drilldown,
            "order": order or ["amount:desc"],
            "as_of": as_of(),
        }
