"""Suppliers: one payee however each council spells it, as the transfer matching names it.

``ledger.services.transfers.supplier_key`` normalises a name in Python ("Acme Ltd." and "ACME
LIMITED" are both "ACME"); ``supplier_key_sql`` is the same normalisation in PostgreSQL, so
lines can be grouped and found by it in the database. A key is upper-case words of letters
and digits, so its slug (lower case, words joined by "-") turns back into it exactly.

Redacted suppliers (``SpendLine.supplier_redacted``: a person's name a council withholds)
have no key: they are counted, as "Redacted", and never named, searched or sorted by name.
"""

import re

from django.db.models import Case, CharField, F, Func, Value, When
from django.db.models.functions import Concat, Replace, Trim, Upper

REDACTED_KEY = ""  # the key of every redacted line: one group, never a supplier page
_SLUG = re.compile(r"^[0-9a-z]+(-[0-9a-z]+)*$")


class _RegexpReplace(Func):
    function = "REGEXP_REPLACE"
    output_field = CharField()


def _regexp_replace(value, pattern, replacement, flags=""):
    if value is None:
        return None
    return re.sub(pattern, replacement, value, count=0 if "g" in flags else 1)


def sqlite_functions_add(sender, connection, **kwargs) -> None:
    """SQLite has no REGEXP_REPLACE: give each new connection PostgreSQL's (for the patterns
    used here, Python's ``re`` reads them alike), so the lines page sorts by supplier on the
    embedded database too (``connection_created``, connected in ``ledger.signals``)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "REGEXP_REPLACE", -1, _regexp_replace, deterministic=True
        )


def supplier_key_sql(field: str = "supplier_name", redacted: str = "supplier_redacted"):
    """The supplier key of each row's ``field`` (``REDACTED_KEY`` when ``redacted``): upper
    case, "&" as "and", every run of other characters one space, trailing "Ltd", "Limited"
    and "PLC" dropped (a leading space lets a name that is only "Ltd" lose it too)."""
    upper = Upper(Replace(F(field), Value("&"), Value(" AND ")))
    words = Trim(_RegexpReplace(upper, Value("[^0-9A-Z]+"), Value(" "), Value("g")))
    spaced = Concat(Value(" "), words, output_field=CharField())
    key = Trim(_RegexpReplace(spaced, Value("( (LTD|LIMITED|PLC))+$"), Value("")))
    return Case(When(**{redacted: True}, then=Value(REDACTED_KEY)), default=key)


def supplier_key_sql_text(column: str) -> str:
    """``supplier_key`` of a text column, as SQL (PostgreSQL), for the supplier rollups. Equal
    to Python's for every name of ASCII characters, whatever the database's locale: upper case
    in the "C" collation changes a-z alone, as ``str.upper`` does on ASCII (a Turkish locale
    would make "i" "İ"). A name with other characters may differ ("ß": Python "SS", the database
    keeps it and drops it as a non-letter): those rows' keys are set from Python
    (``NON_ASCII_SQL``, ``ledger.services.supplier_rollups``)."""
    upper = f"UPPER(REPLACE({column}, '&', ' AND ') COLLATE \"C\")"
    words = f"TRIM(REGEXP_REPLACE({upper}, '[^0-9A-Z]+', ' ', 'g'))"
    return f"TRIM(REGEXP_REPLACE(' ' || {words}, '( (LTD|LIMITED|PLC))+$', ''))"


# True for a name with any character beyond ASCII (whose SQL key may not be Python's).
NON_ASCII_SQL = "{column} ~ '[^\\u0001-\\u007f]'"


def supplier_slug(key: str) -> str:
    """ "ACME AND CO" → "acme-and-co" (for the supplier page's URL)."""
    return key.lower().replace(" ", "-")


def supplier_key_from_slug(slug: str) -> str | None:
    """The key a slug stands for, or None if it is not one (so never the redacted key)."""
    return slug.upper().replace("-", " ") if _SLUG.match(slug) else None
