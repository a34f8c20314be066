"""An explorer view as its query string: what a shared link carries, parsed once.

``?drilldown=theme&drilldown=year&measure=amount&place=E10000006&transfers=net``: the
drilldowns in order (each level of the treemap), the measures, one value per filter, and gross
or net; ``show_as`` and ``base`` the amounts' measure (``ledger.calculations.measures``: cash,
per head, real terms at a year's prices; "measure" here is already amount or lines). The same
view is the aggregate API's ``cut``/``drilldown``/``transfers`` (``api_query``), so the page
and the API answer the same question.
"""

from dataclasses import dataclass, field

from django.http import QueryDict
from django.utils.http import urlencode

from ledger.calculations.cuts import DIMENSIONS, Cut
from ledger.calculations.measures import Measure

# What an analyst groups by and filters on; "source" and "control" stay API-only.
DRILLDOWNS = ("place", "organisation", "sector", "theme", "theme_group", "cofog", "year", "basis")
FILTERS = ("place", "organisation", "sector", "theme", "cofog", "year", "basis")
MAX_DRILLDOWNS = 3
MEASURES = {"amount": "Amount", "lines": "Lines"}
TRANSFERS = {"gross": "Gross", "net": "Net of transfers between public bodies"}
ORDERS = {"measure": "Largest first", "groups": "In the groups' own order (years in turn)"}
DEFAULT_DRILLDOWN = ["theme_group"]


@dataclass
class ExplorerQuery:
    drilldown: list[str] = field(default_factory=lambda: list(DEFAULT_DRILLDOWN))
    measures: list[str] = field(default_factory=lambda: ["amount"])
    filters: dict[str, str] = field(default_factory=dict)
    transfers: str = "gross"
    order: str = "measure"
    show_as: Measure = field(default_factory=Measure)
    errors: list[str] = field(default_factory=list)

    @classmethod
    def parse(cls, params: QueryDict) -> "ExplorerQuery":
        """The view a query string asks for; an unknown drilldown or measure is reported, not
        guessed (a filter's value is checked when the cut resolves)."""
        query, errors = cls(), []
        asked = [d.strip() for d in params.getlist("drilldown") if d.strip()]
        unknown = [d for d in asked if d not in DRILLDOWNS]
        errors += [f"There is no drilldown “{d}”." for d in unknown]
        if "drilldown" in params:  # an empty choice means no grouping: the total alone
            query.drilldown = list(dict.fromkeys(d for d in asked if d in DRILLDOWNS))
            query.drilldown = query.drilldown[:MAX_DRILLDOWNS]
        measures = [m for m in params.getlist("measure") if m in MEASURES]
        query.measures = measures or ["amount"]
        query.filters = {
            name: params[name].strip() for name in FILTERS if params.get(name, "").strip()
        }
        transfers = params.get("transfers", "gross")
        query.transfers = transfers if transfers in TRANSFERS else "gross"
        query.order = "groups" if params.get("order") == "groups" and query.drilldown else "measure"
        query.show_as = Measure.from_query(
            {"measure": params.get("show_as", "cash"), "base": params.get("base", "")}
        )
        query.errors = errors
        return query

    @property
    def net(self) -> bool:
        return self.transfers == "net"

    @property
    def measure(self) -> str:
        """The measure the charts draw: the first chosen."""
        return self.measures[0]

    def aggregate_order(self) -> list[str]:
        """The aggregate's ``order``: the first measure, largest first, or each drilldown's
        own order in turn (years oldest first, themes in their sort order)."""
        return list(self.drilldown) if self.order == "groups" else [f"{self.measure}:desc"]

    def cut(self) -> Cut:
        return Cut({name: [value] for name, value in self.filters.items()})

    def as_query_string(self, **extra: str) -> str:
        """The view's own query string (what the share link carries), plus ``extra``."""
        params = [("drilldown", d) for d in self.drilldown or [""]]
        params += [("measure", m) for m in self.measures]
        params += list(self.filters.items()) + [("transfers", self.transfers)]
        params += [("order", self.order)] if self.order != "measure" else []
        params += [
            ("show_as", v) if k == "measure" else (k, v) for k, v in self.show_as.query().items()
        ]
        return urlencode(params + list(extra.items()))

    def api_query(self) -> str:
        """The same view as the aggregate API's query string."""
        return urlencode(
            {
                "cut": self.cut().as_text(),
                "drilldown": "|".join(self.drilldown),
                "order": "|".join(self.aggregate_order()),
                "transfers": self.transfers,
            }
        )

    def labels(self) -> list[str]:
        return [DIMENSIONS[d].label for d in self.drilldown]
