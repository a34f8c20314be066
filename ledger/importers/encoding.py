"""Which text encoding a file is in: UTF-8 (with or without BOM), UTF-16, Windows-1252, Mac Roman.

Council files are mostly ASCII with a stray "£", "–" or "’" somewhere, often near the end (the
Leeds file's only non-ASCII byte is 2 KB from its end), so detection reads the whole file once,
in chunks, alongside the SHA-256 the duplicate check needs.
"""

import codecs
import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from .errors import ImportFileError

CHUNK = 1 << 20
_HIGH = re.compile(rb"[\x80-\xff]+")
# C0 controls other than tab, LF, CR (and the EOF marker ^Z some exporters add) mean binary data.
_BINARY = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x19\x1b-\x1f]")
_NOT_CONTROL = bytes(b for b in range(256) if not _BINARY.match(bytes([b])))
_BINARY_TEXT = re.compile(_BINARY.pattern.decode("ascii"))
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
CONTEXTS_KEPT = 200
# Characters that turn up in UK finance text; anything else non-ASCII counts against a guess.
_COMMON = set("£€’‘“”–—´éèêàâáíóúçôûüöïë•…°½¼¾©®™×·")


@dataclass
class FileScan:
    """What one pass over a text file found."""

    sha256: str
    size: int
    newlines: int
    encoding: str = "utf-8"
    has_bom: bool = False
    # Samples of non-ASCII bytes with their neighbours, to choose between 8-bit encodings.
    contexts: list[bytes] = field(default_factory=list)


def scan(chunks: Iterable[bytes]) -> FileScan:
    """Hash the file, count its lines and work out its encoding, in one streaming pass."""
    digest = hashlib.sha256()
    size = newlines = 0
    utf8 = codecs.getincrementaldecoder("utf-8")()
    utf8_ok, utf8_multibyte, first, first_chunk, tail = True, False, b"", b"", b""
    binary_at: int | None = None
    contexts: list[bytes] = []
    utf16: _Utf16Check | None = None
    for chunk in chunks:
        if not first:
            first, first_chunk = chunk[:4], chunk[:4096]
            if first.startswith(_UTF16_BOMS):
                utf16 = _Utf16Check()
        digest.update(chunk)
        newlines += chunk.count(b"\n")
        if utf16 is not None:
            utf16.feed(chunk)
        elif binary_at is None and chunk.translate(None, _NOT_CONTROL):  # fast: any at all?
            binary_at = size + _BINARY.search(chunk).start()
        # Most chunks are pure ASCII: checking that is ~100 times faster than scanning them.
        if not chunk.isascii():
            window = tail + chunk
            for match in _HIGH.finditer(chunk):
                if len(contexts) >= CONTEXTS_KEPT:
                    break
                start = match.start() + len(tail)
                contexts.append(window[max(0, start - 12) : start + len(match.group()) + 12])
            utf8_multibyte = True
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError:
                    utf8_ok = False
        elif utf8_ok:
            utf8.decode(chunk)  # completes any sequence split across the chunk boundary
        tail = chunk[-12:]
        size += len(chunk)
    result = FileScan(sha256=digest.hexdigest(), size=size, newlines=newlines, contexts=contexts)
    if size == 0:
        raise ImportFileError("The file is empty (0 bytes).")
    if utf16 is not None:
        utf16.finish()
        result.encoding, result.has_bom = "utf-16", True
        return result
    if binary_at is not None and _looks_like_utf16(first_chunk):
        raise ImportFileError(
            "The file is UTF-16 text without a byte-order mark, which cannot be read safely. "
            "Save it again as “CSV UTF-8” (or CSV) and upload that."
        )
    if binary_at is not None:
        raise ImportFileError(
            f"The file holds binary data (byte {binary_at:,}), so it is not a CSV file. "
            "Upload a CSV (comma- or tab-separated text) or an .xlsx workbook."
        )
    if utf8_ok:
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
    if utf8_ok:
        result.has_bom = first.startswith(codecs.BOM_UTF8)
        result.encoding = "utf-8-sig" if result.has_bom else "utf-8"
        return result
    if first.startswith(codecs.BOM_UTF8) or (utf8_multibyte and _mostly_utf8(contexts)):
        raise ImportFileError(
            "The file mixes two text encodings (UTF-8 and another), so some characters would "
            "be garbled. Open it in a spreadsheet and save it again as CSV UTF-8."
        )
    result.encoding = guess_8bit(contexts)
    return result


class _Utf16Check:
    """A file with a UTF-16 byte-order mark must decode as UTF-16 and hold text, not binary."""

    def __init__(self):
        self.decoder = codecs.getincrementaldecoder("utf-16")()
        self.characters = 0

    def feed(self, chunk: bytes, final: bool = False) -> None:
        try:
            text = self.decoder.decode(chunk, final)
        except UnicodeDecodeError as exc:
            raise ImportFileError(
                "The file starts like UTF-16 text (it has a UTF-16 byte-order mark) but is not "
                f"valid UTF-16 ({exc.reason}). Save it again as “CSV UTF-8” and upload that."
            ) from exc
        control = _BINARY_TEXT.search(text)
        if control:
            raise ImportFileError(
                f"The file holds binary data (character {self.characters + control.start():,}), "
                "so it is not a CSV file. Upload a CSV (comma- or tab-separated text) or an "
                ".xlsx workbook."
            )
        self.characters += len(text)

    def finish(self) -> None:
        self.feed(b"", final=True)


def _looks_like_utf16(sample: bytes) -> bool:
    """ASCII text in UTF-16 has a NUL in every other byte."""
    if len(sample) < 8:
        return False
    evens, odds = sample[0::2], sample[1::2]
    return evens.count(0) > 0.9 * len(evens) or odds.count(0) > 0.9 * len(odds)


def _mostly_utf8(contexts: list[bytes]) -> bool:
    """True when most non-ASCII runs are valid UTF-8: a UTF-8 file with a few foreign bytes."""
    valid = invalid = 0
    for context in contexts:
        for run in _HIGH.findall(context):
            try:
                run.decode("utf-8")
                valid += 1
            except UnicodeDecodeError:
                invalid += 1
    return valid > 0 and valid >= invalid


def _plausibility(text: str) -> int:
    """How natural decoded text looks: common symbols and letters in words score, oddities cost."""
    score = 0
    for i, char in enumerate(text):
        if char.isascii():
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        category = unicodedata.category(char)
        if char in _COMMON:
            score += 2
        elif category.startswith("L"):
            # "donÕt" (Mac Roman ’ read as Windows-1252) or a letter standing alone is unlikely.
            if category == "Lu" and before.islower():
                score -= 3
            elif before == " " and after == " ":
                score -= 2
            else:
                score += 1
        else:
            score -= 2
    return score


def guess_8bit(contexts: list[bytes]) -> str:
    """Windows-1252 (by far the usual) unless Mac Roman reads more naturally."""
    if not contexts:
        return "cp1252"
    try:
        cp1252 = sum(_plausibility(c.decode("cp1252")) for c in contexts)
    except UnicodeDecodeError:
        return "mac_roman"  # bytes 0x81, 0x8D, 0x8F, 0x90, 0x9D are unused in Windows-1252
    mac = sum(_plausibility(c.decode("mac_roman")) for c in contexts)
    return "mac_roman" if mac > cp1252 else "cp1252"
