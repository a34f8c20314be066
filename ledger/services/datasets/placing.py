"""Putting a dataset's figures in places: the lines an edition loads.

- Bottom-up (a body's own figure): in the body's own area (a council's), or, for a body serving
  several places (a police force area of three counties), apportioned over them by population.
- Top-down (a region's figure, by HM Treasury): apportioned over the local authority areas of
  the lowest tier below the region by the driver (population unless another is chosen), each
  share an estimate that records its driver, the driver's year and the figure it is a share
  of. A figure for a place with no authorities below (Scotland, "outside the UK", "not
  identifiable") stays where it is, an estimate without a driver.

Every split is exact to the penny (largest remainder, vectorised: a whole CRA database splits
into about two million shares), and shares of £0.00 are not written.
"""

import numpy as np
import pandas as pd

from ledger.calculations.apportion import apportion_pence_many
from ledger.models import Basis, DatasetRoute

from .drivers import Drivers, DriverWeights
from .resolve import Resolver

NO_DRIVER = {"driver": "", "driver_year": "", "driver_source": ""}


def _split(group: pd.DataFrame, weights: DriverWeights, basis: str) -> pd.DataFrame:
    """One row per (figure, place) share of every figure in ``group`` over ``weights``."""
    places = np.array(list(weights.weights), dtype=np.int64)
    parts = apportion_pence_many(
        group["pence"].to_numpy(np.int64), np.array(list(weights.weights.values()))
    )
    shares = group.loc[group.index.repeat(len(places))].reset_index(drop=True)
    shares["source_amount_pence"] = shares["pence"]
    shares["amount_pence"] = parts.ravel()
    shares["place_id"] = np.tile(places, len(group))
    shares["basis"] = basis
    shares["driver"] = weights.driver
    shares["driver_year"] = weights.year
    shares["driver_source"] = weights.describe()
    return shares[shares["amount_pence"] != 0]


def _kept(group: pd.DataFrame, basis: str) -> pd.DataFrame:
    kept = group.copy()
    kept["source_amount_pence"] = kept["amount_pence"] = kept["pence"]
    kept["basis"] = basis
    return kept.assign(**NO_DRIVER)


def place_top_down(figures: pd.DataFrame, drivers: Drivers) -> pd.DataFrame:
    """Estimates: each region's figures shared over the authorities below it."""
    pieces = []
    for (place_id, year_id), group in figures.groupby(["place_id", "financial_year_id"]):
        weights = drivers.weights(parent_id=int(place_id), year_id=int(year_id))
        if weights is None:
            pieces.append(_kept(group, Basis.ESTIMATED))
        else:
            pieces.append(_split(group, weights, Basis.ESTIMATED))
    return pd.concat(pieces, ignore_index=True) if pieces else figures.iloc[0:0]


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
            pieces.append(_split(group, weights, Basis.APPORTIONED))
    return pd.concat(pieces, ignore_index=True) if pieces else figures.iloc[0:0]


def place_figures(
    figures: pd.DataFrame, *, route: str, resolver: Resolver, driver: str = "population"
) -> pd.DataFrame:
    """The lines for resolved ``figures`` (see ``pipeline``), by the dataset's route."""
    loaded: dict[str, Drivers] = {}

    def drivers() -> Drivers:  # only read from the database when something is apportioned
        if "d" not in loaded:
            loaded["d"] = Drivers(driver)
        return loaded["d"]

    if route == DatasetRoute.TOP_DOWN:
        return place_top_down(figures, drivers())
    return place_bottom_up(figures, resolver, drivers)
