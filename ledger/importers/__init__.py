"""Reading spend files as they come: encodings, delimiters, preambles, layouts, messy values.

Nothing here touches the database: the import services (``ledger.services.imports``) give the
readers what they need to know (aliases, codes) and store what comes out.
"""

from .errors import ImportFileError, RowError

__all__ = ["ImportFileError", "RowError"]
