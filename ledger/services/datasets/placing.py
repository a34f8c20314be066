"""Putting a dataset's figures in places: the lines an edition loads.

- Bottom-up (a body's own figure): in the body's own area (a council's), or, for a body serving
  several places (a police force area of three counties), apportioned over them by population.
- Top-down (a region's figure, by HM Treasury): apportioned over the local authority areas of
  the lowest tier below the region by the driver (population unless another is chosen), each
  share an estimate; the figure records the driver, the driver's year and its source. A figure
  for a place with no authorities below (Scotland, "outside the UK", "not identifiable")
  stays where it is, an estimate without a driver.

Every split is exact to the penny (largest remainder, vectorised: a whole CRA database splits
into about 1.6 million shares), and shares of £0.00 are not written.
"""

import numpy as np
import pandas as pd

from ledger.calculations.apportion import apportion_pence_many
from ledger.models import Basis, DatasetRoute

from .drivers import Drivers, DriverWeights
from .resolve import Resolver

LINE_FIELDS = ("organisation_id", "theme_id", "financial_year_id", "spend_kind", "control")


def _split(group: pd.DataFrame, weights: DriverWeights, basis: str) -> pd.DataFrame:
    """One line per (figure, place) share of every figure in ``group`` over ``weights``."""
    places = np.array(list(weights.weights), dtype=np.int64)
    parts = apportion_pence_many(
        group["pence"].to_numpy(np.int64), np.array(list(weights.weights.values()))
    )
    lines = group.loc[group.index.repeat(len(places)), list(LINE_FIELDS)]
    lines = lines.assign(
        figure_pos=group.index.repeat(len(places)),
        place_id=np.tile(places, len(group)),
        amount_pence=parts.ravel(),
        basis=basis,
    ).reset_index(drop=True)
    return lines[lines["amount_pence"] != 0]


def _kept(group: pd.DataFrame, basis: str) -> pd.DataFrame:
    return group.loc[:, [*LINE_FIELDS, "place_id"]].assign(
        figure_pos=group.index, amount_pence=group["pence"], basis=basis
    )


def _drive(figures: pd.DataFrame, index, weights: DriverWeights) -> None:
    figures.loc[index, ["driver", "driver_year", "driver_source"]] = (
        weights.driver,
        weights.year,
        weights.describe(),
    )


def place_top_down(figures: pd.DataFrame, drivers: Drivers) -> pd.DataFrame:
    """Estimates: each region's figures shared over the authorities below it."""
    pieces = []
    for (place_id, year_id), group in figures.groupby(["place_id", "financial_year_id"]):
        weights = drivers.weights(parent_id=int(place_id), year_id=int(year_id))
        if weights is None:
            pieces.append(_kept(group, Basis.ESTIMATED))
        else:
            _drive(figures, group.index, weights)
            pieces.append(_split(group, weights, Basis.ESTIMATED))
    return pd.concat(pieces, ignore_index=True) if pieces else _kept(figures, "")


def place_bottom_up(figures: pd.DataFrame, resolver: Resolver, drivers) -> pd.DataFrame:
    """Own figures: in the body's area, or apportioned over the places it serves."""
    pieces = []
    for (organisation_id, year_id), group in figures.groupby(
        ["organisation_id", "financial_year_id"]
    ):
        places = resolver.body_places(int(organisation_id))
        if len(places) == 1:
            pieces.append(_kept(group.assign(place_id=places[0]), Basis.DIRECT))
        else:
            weights = drivers().weights_over(place_ids=places, year_id=int(year_id))
            _drive(figures, group.index, weights)
            pieces.append(_split(group, weights, Basis.APPORTIONED))
    return pd.concat(pieces, ignore_index=True) if pieces else _kept(figures, "")


def place_figures(
    figures: pd.DataFrame, *, route: str, resolver: Resolver, driver: str = "population"
) -> pd.DataFrame:
    """The lines for resolved ``figures`` (``pipeline.FIGURE_COLUMNS``, a 0..n-1 index), each
    with ``figure_pos``, its figure's position. Records each figure's driver on ``figures``."""
    loaded: dict[str, Drivers] = {}

    def drivers() -> Drivers:  # only read from the database when something is apportioned
        if "d" not in loaded:
            loaded["d"] = Drivers(driver)
        return loaded["d"]

    for column in ("driver", "driver_year", "driver_source"):
        figures[column] = ""
    if route == DatasetRoute.TOP_DOWN:
        return place_top_down(figures, drivers())
    return place_bottom_up(figures, resolver, drivers)
