"""Parsing the values real files contain: amounts, dates, capital/revenue flags, redactions.

Amounts become integer pence (never float). Each parser raises ``ValueError`` with a message
written for the person who has to fix the file; the caller adds the row and column.
"""

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

MAX_PENCE = 10**15  # £10 trillion: larger than any public body's annual spend
# "870.83", "-12.5", "1,234.56": most cells of most files. Thousands separators must group
# properly ("1,23.00" is left to the general parser, which refuses it).
_PLAIN_AMOUNT = re.compile(r"(-?(?:\d{1,3}(?:,\d{3})+|\d+))(?:\.(\d\d?))?\Z")
_CURRENCY = re.compile(r"(?i)£|\$|€|\bGBP\b")
_GROUPED = re.compile(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?\Z|\d+(?:\.\d+)?\Z|\.\d+\Z")
_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_MINUS = "-\u2212\u2012\u2013"  # hyphen, minus sign, figure dash, en dash
_FORMULA_HINT = re.compile(r"[A-Za-z_]\w*\s*\(|!|\|")


def is_formula(text: str) -> bool:
    """A spreadsheet formula (or an injection attempt made to look like one)."""
    if not text:
        return False
    first = text[0]
    if first == "=":
        return len(text) > 1
    return first in "+-@" and bool(_FORMULA_HINT.search(text))


def amount_pence(text: str, factor: int = 1) -> int:
    """Pence from "1,000.00", "£1,000", " -12.50 ", "(12.50)", "12.50-", "12.50 CR".

    ``factor`` scales the figure first (1000 for tables in £ thousand). Refuses fractions of a
    penny, formulas, text and implausibly large amounts rather than guessing.
    """
    s = text.strip()
    if factor == 1 and (plain := _PLAIN_AMOUNT.match(s)):
        # Fast path: integer arithmetic on the digits, no Decimal (a million cells a file).
        whole, frac = plain.groups()
        if "," in whole:
            whole = whole.replace(",", "")
        if frac is None:
            pence = int(whole) * 100
        else:
            pence = int(whole + frac) * (10 if len(frac) == 1 else 1)
        if -MAX_PENCE < pence < MAX_PENCE:
            return pence
    return _amount_pence_slow(s, factor)


def _amount_pence_slow(s: str, factor: int) -> int:
    if not s:
        raise ValueError("is empty; every line needs an amount")
    if is_formula(s):
        raise ValueError("is a spreadsheet formula, not a value: save the file with values only")
    negative = False
    body = _SPACES.sub("", _CURRENCY.sub("", s))
    upper = body.upper()
    if upper.endswith("CR") or upper.endswith("DR"):
        negative = upper.endswith("CR")
        body = body[:-2]
    if body.startswith("(") and body.endswith(")"):
        negative, body = not negative, body[1:-1]
    if body[:1] and body[0] in _MINUS:
        negative, body = not negative, body[1:]
    elif body[-1:] and body[-1] in _MINUS:
        negative, body = not negative, body[:-1]
    elif body.startswith("+"):
        body = body[1:]
    body = _CURRENCY.sub("", body)
    if not _GROUPED.match(body):
        raise ValueError("is not an amount of money (expected for example 1,234.56 or -12.50)")
    try:
        amount = Decimal(body.replace(",", "")) * factor
    except InvalidOperation as exc:  # pragma: no cover - the pattern above already checked
        raise ValueError("is not an amount of money") from exc
    pence = amount.scaleb(2)
    if pence != pence.to_integral_value():
        unit = "" if factor == 1 else f" (× {factor:,})"
        raise ValueError(f"has fractions of a penny{unit}")
    pence = int(pence)
    if abs(pence) >= MAX_PENCE:
        raise ValueError("is too large to be an amount of public spend (£10 trillion or more)")
    return -pence if negative else pence


_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d-%b-%Y",
    "%d-%b-%y",
    "%Y-%m-%d",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d.%m.%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d-%B-%Y",
    "%d %b %y",
    "%Y/%m/%d",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
_EXCEL_EPOCH = dt.date(1899, 12, 30)
FIRST_YEAR, LAST_YEAR = 1990, 2100


@lru_cache(maxsize=8192)
def parse_date(text: str) -> dt.date:
    """A date from 14/01/2011, 14-Jan-2011, 14-Jan-11, 2011-01-14 (UK order: day first).

    A bare whole number between 20000 and 80000 is an Excel serial date (a CSV saved from a
    sheet whose date column lost its format). Cached: a month's file has about 30 dates.
    """
    s = text.strip()
    if not s:
        raise ValueError("is empty")
    for fmt in _DATE_FORMATS:
        try:
            day = dt.datetime.strptime(s, fmt).date()  # noqa: DTZ007 - a calendar date, no zone
        except ValueError:
            continue
        break
    else:
        if s.isdigit() and 20000 < int(s) < 80000:
            day = _EXCEL_EPOCH + dt.timedelta(days=int(s))
        else:
            raise ValueError("is not a date (expected for example 14/01/2011 or 14-Jan-2011)")
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ValueError(f"is not a plausible date (year {day.year})")
    return day


REVENUE, CAPITAL = "revenue", "capital"
_SPEND_KINDS = {
    "r": REVENUE,
    "rev": REVENUE,
    "revenue": REVENUE,
    "c": CAPITAL,
    "cap": CAPITAL,
    "capital": CAPITAL,
}


def parse_spend_kind(text: str, default: str = REVENUE) -> str:
    s = text.strip().lower()
    if not s:
        return default
    try:
        return _SPEND_KINDS[s]
    except KeyError:
        raise ValueError(
            "is neither capital nor revenue (expected C, R, Capital or Revenue)"
        ) from None


_REDACTED_WORDS = ("redacted", "personal data", "withheld", "not disclosed", "data protection")
_MASK = re.compile(r"[*xX#]{3,}\Z")


def is_redacted(supplier: str) -> bool:
    """Suppliers hidden to protect individuals: "REDACTED PERSONAL DATA", "*****"."""
    s = supplier.strip()
    if not s:
        return False
    if _MASK.match(s):
        return True
    lowered = s.lower()
    return any(word in lowered for word in _REDACTED_WORDS)


def decimal_text(value: float | int | Decimal) -> str:
    """A spreadsheet number as text, with Excel's 15 significant digits (0.1 + 0.2 is 0.3)."""
    if isinstance(value, int):
        return str(value)
    number = Decimal(format(value, ".15g")) if isinstance(value, float) else value
    return (
        format(number.normalize(), "f") if number == number.to_integral() else format(number, "f")
    )
