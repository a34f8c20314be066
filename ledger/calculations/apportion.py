"""Exact apportionment: split an amount across parts so the parts sum to the whole, to the penny."""

from collections.abc import Hashable, Mapping
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

import numpy as np

from ledger.models.fields import from_pence, to_pence
from totalplace.money import largest_remainder

K = TypeVar("K", bound=Hashable)


def apportion(total: Decimal, weights: Mapping[K, int | Decimal]) -> dict[K, Decimal]:
    """Split ``total`` across the keys of ``weights`` in proportion to their weights.

    Largest remainder on whole pence (``totalplace.money.largest_remainder``: ties to the
    earlier key). The parts always sum exactly to ``total``; a negative total (a
    credit) is split as its absolute value and every part keeps the sign.
    """
    if not weights:
        raise ValueError("nothing to apportion across")
    if any(w < 0 for w in weights.values()):
        raise ValueError("apportionment weights cannot be negative")
    weight_total = sum(Fraction(w) for w in weights.values())
    if weight_total == 0:
        raise ValueError("apportionment weights sum to zero")

    pence = to_pence(total)
    sign, pence = (-1 if pence < 0 else 1), abs(pence)
    exact = {key: pence * Fraction(w) / weight_total for key, w in weights.items()}
    floors = largest_remainder(exact, pence)
    return {key: from_pence(sign * floors[key]) for key in weights}


def apportion_pence_many(amounts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """``apportion`` for many amounts over the same weights at once, in integer pence.

    ``amounts`` is int64 pence (n,), ``weights`` non-negative int64 (k,); returns int64 (n, k)
    whose rows sum exactly to ``amounts``. The same rule as ``apportion``: each part gets the
    floor of its exact share, and the pence left over go to the largest remainders, ties to
    the earlier part; a credit is split as its absolute value and keeps its sign. Exact in
    int64: an amount is split as ``q·W + r`` (W the weights' total), so no product exceeds
    ``W·w`` or ``q·w``.
    """
    weights = np.asarray(weights, dtype=np.int64)
    amounts = np.asarray(amounts, dtype=np.int64)
    if weights.size == 0:
        raise ValueError("nothing to apportion across")
    if (weights < 0).any():
        raise ValueError("apportionment weights cannot be negative")
    total = int(weights.sum())
    if total == 0:
        raise ValueError("apportionment weights sum to zero")
    size = np.abs(amounts)
    whole, rest = np.divmod(size, total)
    scaled = rest[:, None] * weights[None, :]  # < W·w: exact in int64 for any real driver
    parts = whole[:, None] * weights[None, :] + scaled // total
    remainders = scaled % total
    leftover = size - parts.sum(axis=1)
    k = weights.size
    # Largest remainder first, then the earlier part: one stable sort on a combined key.
    order = np.argsort(-remainders * k + np.arange(k)[None, :], axis=1, kind="stable")
    rank = np.empty_like(order)
    np.put_along_axis(rank, order, np.arange(k)[None, :].repeat(len(amounts), axis=0), axis=1)
    parts += rank < leftover[:, None]
    return np.where(amounts[:, None] < 0, -parts, parts)
