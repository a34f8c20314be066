"""Headers spelt a letter or two away from a name we know.

Published files keep their typos for years (Leeds's "Service divison label"), so a header close
enough to a name we know is read as that name, and the preview says so. "Close enough" is kept
narrow, because a wrong guess would put a column's values in the wrong field: both names have
at least six characters; one edit (a letter added, dropped, changed, or two letters swapped),
or two in a name of twenty characters or more (at most one in ten); and the same numbers in
both, since "Account Code (2)" is another column, not a typo of "Account Code". So "amount"
is never read as "account", nor "service level" as "service label".
"""

import re
from collections.abc import Iterable

MIN_LENGTH = 6
MAX_EDITS = 2
MIN_RATIO = 0.9
_NUMBERS = re.compile(r"\d+")


def distance(a: str, b: str) -> int:
    """Edits from ``a`` to ``b``: letters inserted, deleted, replaced or swapped with the next."""
    before, previous = None, list(range(len(b) + 1))
    for i, x in enumerate(a, start=1):
        current = [i]
        for j, y in enumerate(b, start=1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y))
            if before is not None and j > 1 and x == b[j - 2] and a[i - 2] == y:
                cost = min(cost, before[j - 2] + 1)
            current.append(cost)
        before, previous = previous, current
    return previous[-1]


def close(name: str, header: str) -> bool:
    """Whether ``header`` (normalised) is ``name`` (normalised) misspelt."""
    if name == header or min(len(name), len(header)) < MIN_LENGTH:
        return False
    if abs(len(name) - len(header)) > MAX_EDITS:
        return False
    if _NUMBERS.findall(name) != _NUMBERS.findall(header):
        return False
    edits = distance(name, header)
    return edits == 1 or (
        edits <= MAX_EDITS and 1 - edits / max(len(name), len(header)) >= MIN_RATIO
    )


def closest(name: str, headers: Iterable[str]) -> str | None:
    """The one header among ``headers`` that is ``name`` misspelt; None if none is, or if two
    are equally close (then the file is not telling us which)."""
    found = sorted((distance(name, h), h) for h in headers if close(name, h))
    if not found or (len(found) > 1 and found[0][0] == found[1][0]):
        return None
    return found[0][1]


def as_written(name: str) -> str:
    """A normalised name as a header would be written: "service division label" → "Service
    division label"."""
    return name[:1].upper() + name[1:]
