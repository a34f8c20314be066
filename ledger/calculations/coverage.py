"""Coverage: which months of a financial year a body's figures cover, as a 12-bit mask.

Bit ``m - 1`` stands for calendar month ``m`` (January is bit 0, March bit 2, April bit 3), so
a mask reads the same whichever year it belongs to. Labels list months in financial-year order
(April to March), runs joined by an en dash: "Apr–Jun, Jan". ``None`` means *not known* (a
return with no dated lines and nothing declared): shown as such, never taken for a part year.

A place's total for a year is complete only for the months every counted body covers, so the
months of a place-year are the *intersection* of its bodies' masks (``combine``).
"""

from collections.abc import Iterable

ALL_YEAR = 0xFFF  # all twelve months
MONTHS_IN_YEAR = 12
# Calendar month numbers in financial-year order (1 April to 31 March).
FINANCIAL_YEAR_ORDER = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
MONTH_NAMES = {
    1: "Jan",
    2: "Feb",
    3: "Mar",
    4: "Apr",
    5: "May",
    6: "Jun",
    7: "Jul",
    8: "Aug",
    9: "Sep",
    10: "Oct",
    11: "Nov",
    12: "Dec",
}
ALL_YEAR_LABEL = "all year"
UNKNOWN_LABEL = "months not known"


def months_to_mask(months: Iterable[int]) -> int:
    """The mask of these calendar month numbers (1–12); anything else is a ValueError."""
    mask = 0
    for month in months:
        if not 1 <= month <= MONTHS_IN_YEAR:
            raise ValueError(f"{month} is not a month number (1 to 12)")
        mask |= 1 << (month - 1)
    return mask


def mask_to_months(mask: int) -> list[int]:
    """The calendar month numbers in the mask, in financial-year order (April first)."""
    _check(mask)
    return [m for m in FINANCIAL_YEAR_ORDER if mask & (1 << (m - 1))]


def month_count(mask: int) -> int:
    _check(mask)
    return mask.bit_count()


def is_part_year(mask: int | None) -> bool:
    """Whether the figures cover some months but not all (unknown is not a part year)."""
    return mask is not None and mask != ALL_YEAR


def months_label(mask: int | None) -> str:
    """ "all year", "Apr–Jun, Jan", "none" or "months not known"."""
    if mask is None:
        return UNKNOWN_LABEL
    if mask == ALL_YEAR:
        return ALL_YEAR_LABEL
    runs: list[list[int]] = []
    previous = None
    for index, month in enumerate(FINANCIAL_YEAR_ORDER):
        if not mask & (1 << (month - 1)):
            continue
        if previous is not None and previous == index - 1:
            runs[-1].append(month)
        else:
            runs.append([month])
        previous = index
    if not runs:
        return "none"
    return ", ".join(
        MONTH_NAMES[r[0]] if len(r) == 1 else f"{MONTH_NAMES[r[0]]}–{MONTH_NAMES[r[-1]]}"
        for r in runs
    )


def part_year_label(mask: int | None) -> str:
    """ "part year (3 of 12 months)" for a part year; "" for a whole or unknown year."""
    if not is_part_year(mask):
        return ""
    return f"part year ({month_count(mask)} of {MONTHS_IN_YEAR} months)"


def combine(masks: Iterable[int | None]) -> int | None:
    """The months a place-year's total covers: those every body with known months covers.
    None when no body's months are known."""
    known = [m for m in masks if m is not None]
    if not known:
        return None
    result = ALL_YEAR
    for mask in known:
        result &= mask
    return result


def effective_months(*, computed: int, declared: int | None) -> int | None:
    """What a return covers: the officer's declaration if any, else its lines' dates (0, no
    dated lines, is not known)."""
    if declared is not None:
        return declared
    return computed or None


def _check(mask: int) -> None:
    if not 0 <= mask <= ALL_YEAR:
        raise ValueError(f"{mask} is not a 12-month mask")
