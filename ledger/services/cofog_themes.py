"""COFOG codes to service themes: how HM Treasury's CRA/PESA lines get a theme. No database."""

import csv
import re
from functools import cache
from pathlib import Path

from django.conf import settings

COFOG_THEMES_PATH = Path(settings.BASE_DIR) / "fixtures" / "reference" / "cofog_themes.csv"
# "1.1 Executive and …", "10. Social protection", "7.A Medical services", "01.1", "EU02 EC receipts"
_LEADING_CODE = re.compile(r"^\s*(?:(EU)(?![A-Z])|(\d{1,2})(?:\.([0-9A-Z]))?)", re.IGNORECASE)


@cache
def _read(path: Path) -> dict[str, str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["cofog"]: row["theme"] for row in csv.DictReader(handle)}


def cofog_themes(*, path: Path = COFOG_THEMES_PATH) -> dict[str, str]:
    """COFOG division and group codes ("01", "01.1" … "10.9"), HM Treasury's "EU" (EU
    transactions) and its health subfunctions ("07.A" … "07.C") → service theme codes."""
    return dict(_read(path))


def cofog_code(text: str) -> str | None:
    """The code at the start of a CRA label, written as in cofog.csv: "1.1 Executive …" →
    "01.1", "10. Social protection" → "10", "7.A Medical services" → "07.A", "EU transactions"
    and "EU01 …" → "EU". None if the label starts with no code."""
    match = _LEADING_CODE.match(text or "")
    if not match:
        return None
    if match.group(1):
        return "EU"
    division = f"{int(match.group(2)):02d}"
    return f"{division}.{match.group(3).upper()}" if match.group(3) else division


def cofog_theme(text: str, *, themes: dict[str, str] | None = None) -> str | None:
    """The theme for a COFOG code or CRA label: its group's, else its division's, else None."""
    code = cofog_code(text)
    if code is None:
        return None
    themes = cofog_themes() if themes is None else themes
    return themes.get(code) or themes.get(code.split(".")[0])
