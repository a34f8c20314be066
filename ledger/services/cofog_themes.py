"""COFOG codes to service themes: how HM Treasury's CRA/PESA lines get a theme. No database."""

import csv
from functools import cache
from pathlib import Path

from django.conf import settings

COFOG_THEMES_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "cofog_themes.csv"


@cache
def _read(path: Path) -> dict[tuple[str, str], str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["cofog"], row.get("control", "")): row["theme"] for row in csv.DictReader(handle)
        }


def cofog_themes(*, path: Path = COFOG_THEMES_PATH) -> dict[str, str]:
    """COFOG division and group codes ("01", "01.1" … "10.9") → service theme codes.

    Also HM Treasury's "EU" (EU transactions) and its health sub-functions "07.A" … "07.C", as
    the CRA reader's ``cofog_code`` writes them. A code not here takes its division's theme.
    """
    return {code: theme for (code, control), theme in _read(path).items() if not control}


def cofog_themes_by_control(*, path: Path = COFOG_THEMES_PATH) -> dict[tuple[str, str], str]:
    """(COFOG code, control) → theme where who spends it changes what it is: social protection
    spent by local government ("local") is social care, not benefits."""
    return {key: theme for key, theme in _read(path).items() if key[1]}
