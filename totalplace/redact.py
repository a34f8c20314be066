"""Server paths out of stored messages before anyone reads them.

An import's or an export's message can carry an exception's text from a library (openpyxl,
zipfile, the storage), and that text can name where the file lies on the server
(``/srv/totalplace/media/spend-returns/imports/…``). The readers of a job need the reason, not
the server's layout: every place that shows a stored message passes it through here.
"""

import re

REDACTED = "[server path]"

# An absolute path of two parts or more: POSIX (/srv/app/x.csv), Windows (C:\app\x.csv) or a
# file:// URL. Not a date (1/2/2011), a rate (£5/year), "and/or", nor a URL's path after its host.
_PATH = re.compile(
    r"(?:file://|(?<![\w/\\.:~-]))(?:[A-Za-z]:)?[/\\]"
    r"(?:[^\s/\\'\"<>|:]+[/\\])+[^\s/\\'\"<>|,;:)\]]*"
)


def without_paths(text: str | None) -> str:
    """``text`` with every server path in it replaced by "[server path]"."""
    if not text:
        return ""
    return _PATH.sub(REDACTED, str(text))
