"""Uploaded files: how big they may be, what they may be, and what they are stored as.

Size: one limit (``MAX_UPLOAD_BYTES``) for every file a user can send, in three layers, so a
file over the limit is refused clearly and nothing is written:
- ``UploadSizeLimitMiddleware`` (``totalplace/middleware.py``) refuses a request whose
  declared body is far over the limit before Django reads it (no temporary file fills the disk);
- ``validate_upload_size`` on every upload field (page forms and API serializers) says which
  file is too large and what the limit is;
- the services check again before they store a file (commands and scripts call them too).

Kind: spend files and datasets are CSV or Excel .xlsx only, by name and by content
(``validate_spreadsheet``, on the same fields and in the same services). Names: stored under a
random name (``RandomName``), never the uploader's, which is kept in the record for display.
Nothing under MEDIA_ROOT is served by URL: downloads go through views that check permissions.
"""

import os
import re
import uuid
import zipfile
from typing import NoReturn

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.deconstruct import deconstructible

# Room for the other form fields and multipart headers around a file that is within the limit.
REQUEST_OVERHEAD_BYTES = 1024 * 1024


def human_size(size: int) -> str:
    """1,536 → "1.5 KB"; 209,715,200 → "200.0 MB"."""
    if size < 1024:
        return f"{size:,} bytes"
    if size < 1024**2:
        return f"{size / 1024:,.1f} KB"
    return f"{size / 1024**2:,.1f} MB"


def upload_too_large_message(size: int | None = None, *, what: str = "The file") -> str:
    """Says how big the upload was, what the limit is, that nothing was kept and what to do."""
    limit = human_size(settings.MAX_UPLOAD_BYTES)
    actual = f"{what} is {human_size(size)}" if size is not None else f"{what} is too large"
    return (
        f"{actual}; files can be at most {limit}. Nothing was saved. "
        "Split a bigger file (for example by month) and upload the parts."
    )


def upload_digest(upload) -> tuple[str, int]:
    """The upload's SHA-256 and size, read in chunks (a 200 MB file is never held whole)."""
    import hashlib

    digest, size = hashlib.sha256(), 0
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    upload.seek(0)
    return digest.hexdigest(), size


def validate_upload_size(upload) -> None:
    """Field validator: refuse a file over ``MAX_UPLOAD_BYTES``."""
    size = getattr(upload, "size", None)
    if size is not None and size > settings.MAX_UPLOAD_BYTES:
        raise ValidationError(upload_too_large_message(size), code="file_too_large")


SPREADSHEET_EXTENSIONS = (".csv", ".xlsx")
SNIFF_BYTES = 64 * 1024
# What marks a web page (or script) rather than a CSV file, anywhere in the first 64 KB: a
# browser asked to show such a file, or a spreadsheet opening it, could run what it holds.
_MARKUP = re.compile(
    r"<\s*(?:!doctype|\?xml|(?:html|head|body|script|iframe|frame|object|embed|svg|meta|link|"
    r"style|form|table|img)\b)",
    re.IGNORECASE,
)
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
NOT_A_SPREADSHEET = "Upload the CSV (.csv) or Excel workbook (.xlsx) file itself."


def _refuse(message: str) -> NoReturn:
    raise ValidationError(f"{message} {NOT_A_SPREADSHEET}", code="not_a_spreadsheet")


def _check_xlsx(upload) -> None:
    """An .xlsx workbook is a zip archive with the Office ``[Content_Types].xml`` in it."""
    try:
        with zipfile.ZipFile(upload) as archive:
            names = archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _refuse(f"The file looks like an .xlsx workbook but is damaged ({exc}).")
    if "[Content_Types].xml" not in names:
        listed = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
        _refuse(
            "The file is a zip archive, not an Excel workbook"
            + (f" (it holds {listed})." if names else " (it is empty).")
        )


def _check_text(head: bytes) -> None:
    """CSV is text: no NUL bytes (UTF-16 with its byte-order mark aside), no web page."""
    if head.startswith(_UTF16_BOMS):
        text = head.decode("utf-16", errors="replace")
        if "\x00" in text:
            _refuse("The file holds binary data, so it is not a CSV file.")
    else:
        if b"\x00" in head:
            # ASCII text in UTF-16 has a NUL in every other byte.
            if head[1::2].count(0) > len(head) // 4 or head[0::2].count(0) > len(head) // 4:
                _refuse("The file is UTF-16 text without a byte-order mark, which cannot be read.")
            _refuse("The file holds binary data, so it is not a CSV file.")
        text = head.decode("utf-8", errors="replace")
    if _MARKUP.search(text):
        _refuse("The file is a web page or XML, not CSV: it was probably saved from a browser.")


def validate_spreadsheet(upload, name: str | None = None) -> None:
    """Field validator (and the services' check): only CSV or Excel .xlsx, by name and content.

    The content decides what the file is (an .xlsx named .csv is still read as a workbook);
    the name must say one of the two, so nothing else is ever stored or handed back.
    """
    name = os.path.basename(name or getattr(upload, "name", "") or "")
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if isinstance(head, str):
        head = head.encode()
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        _refuse("This is an Excel 97-2003 workbook (.xls), which cannot be read: save it as .xlsx.")
    if head.startswith(b"%PDF"):
        _refuse("This is a PDF document, not a spreadsheet.")
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        _check_xlsx(upload)
        upload.seek(0)
    elif head:
        _check_text(head)
    extension = os.path.splitext(name)[1].lower()
    if extension not in SPREADSHEET_EXTENSIONS:
        shown = f"“{name}”" if name else "The file"
        _refuse(f"{shown} is not named .csv or .xlsx: only CSV and Excel .xlsx files are taken.")


@deconstructible
class RandomName:
    """``upload_to`` for uploaded files: a random name (a UUID) in a dated folder, keeping only
    the extension. The uploader's name is guessable, can collide, and may hold personal data;
    the record keeps it for display."""

    def __init__(self, folder: str):
        self.folder = folder

    def __call__(self, instance, filename: str) -> str:
        extension = os.path.splitext(filename)[1].lower()
        if not re.fullmatch(r"\.[a-z0-9]{1,8}", extension):
            extension = ""
        return f"{timezone.now().strftime(self.folder)}{uuid.uuid4().hex}{extension}"

    def __eq__(self, other) -> bool:
        return isinstance(other, RandomName) and other.folder == self.folder
