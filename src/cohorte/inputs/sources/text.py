"""How a CSV file is written: its encoding and its delimiter, found before a single row is read.

The whole file is checked once as UTF-8 (incrementally, a few MB at a time, so memory stays flat);
only when it is not UTF-8 is it read as Windows-1252 (else Latin-1). A file holding UTF-8
accented letters *and* bytes that are not UTF-8 mixes two encodings: it is refused, with the line
of the first byte that is not UTF-8, rather than read half right.
"""

from __future__ import annotations

import codecs
import csv
from dataclasses import dataclass
from pathlib import Path

BLOCK = 8 << 20  # bytes checked at a time
DELIMITERS = (";", ",", "\t", "|")
UTF8_BOM = codecs.BOM_UTF8
_CP1252_UNDEFINED = frozenset(b"\x81\x8d\x8f\x90\x9d")


class EncodingProblem(ValueError):
    """The file cannot be decoded as one encoding; the message says why and where."""


@dataclass(frozen=True)
class TextFormat:
    """A CSV file's encoding (a Python codec name) and delimiter."""

    encoding: str
    delimiter: str

    @property
    def arrow_encoding(self) -> str:
        """The encoding as Arrow's CSV reader takes it (it skips a UTF-8 BOM itself)."""
        return "utf8" if self.encoding in ("utf-8", "utf-8-sig") else self.encoding


def _first_bad_utf8(path: Path) -> tuple[int, bool] | None:
    """(offset of the first byte that is not UTF-8, whether UTF-8 letters were seen before it), or None."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, seen_non_ascii = 0, False
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            try:
                text = decoder.decode(block)
            except UnicodeDecodeError as exc:
                good = block[: max(exc.start, 0)]
                return offset + exc.start, seen_non_ascii or not good.isascii()
            seen_non_ascii = seen_non_ascii or not text.isascii()
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return offset, seen_non_ascii
    return None


def _line_of(path: Path, offset: int) -> int:
    count = 1
    with path.open("rb") as handle:
        done = 0
        while done < offset and (block := handle.read(min(BLOCK, offset - done))):
            count += block.count(b"\n")
            done += len(block)
    return count


def _has_undefined_cp1252(path: Path) -> bool:
    with path.open("rb") as handle:
        while block := handle.read(BLOCK):
            if not _CP1252_UNDEFINED.isdisjoint(block):
                return True
    return False


def detect_encoding(path: Path, declared: str = "auto") -> str:
    """The file's encoding: ``declared`` when it is not ``auto`` (checked when it says UTF-8), else
    UTF-8 (``utf-8-sig`` with a BOM), Windows-1252 or Latin-1. Raises EncodingProblem for UTF-16,
    binary files and files mixing UTF-8 with another encoding."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    if head.startswith(b"PK\x03\x04"):
        raise EncodingProblem("is a ZIP/XLSX file, not text; rename it .xlsx or export it as CSV")
    if head[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in head:
        raise EncodingProblem("is encoded in UTF-16 or is binary; expected CSV text in UTF-8 or Latin-1 (Windows-1252)")
    if declared not in ("auto", "utf-8", "utf-8-sig"):
        return declared
    bad = _first_bad_utf8(path)
    if bad is None:
        return "utf-8-sig" if head.startswith(UTF8_BOM) else "utf-8"
    offset, utf8_seen = bad
    line = _line_of(path, offset)
    if declared != "auto":
        raise EncodingProblem(f"line {line}: a byte that is not UTF-8, but the source declares {declared}")
    if utf8_seen or head.startswith(UTF8_BOM):
        raise EncodingProblem(
            f"mixes encodings: UTF-8 accented letters before line {line}, then a byte that is not UTF-8 "
            "there (Windows-1252 or Latin-1?); save the whole file in one encoding (UTF-8)"
        )
    return "latin-1" if _has_undefined_cp1252(path) else "cp1252"


def detect_delimiter(header: str, declared: str | None = None) -> str:
    """``declared``, else the most frequent of ``;``, ``,``, tab and ``|`` in the header line."""
    if declared:
        return declared
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def header_line(path: Path, encoding: str) -> str:
    """The first line of the file, decoded, without its BOM and line ending."""
    with path.open("rb") as handle:
        raw = handle.readline()
    return raw.decode("utf-8-sig" if encoding.startswith("utf-8") else encoding).rstrip("\r\n")


def header_columns(header: str, delimiter: str) -> list[str]:
    return [c.strip() for c in next(csv.reader([header], delimiter=delimiter), [])]


def text_format(path: Path, encoding: str = "auto", delimiter: str | None = None) -> TextFormat:
    """The encoding and delimiter of a CSV file (declared values win; ``auto`` detects)."""
    found = detect_encoding(path, encoding)
    return TextFormat(found, detect_delimiter(header_line(path, found), delimiter))


def row_position(path: Path, index: int) -> str:
    """Human position of a data row: the line of a CSV, the row of a sheet."""
    if path.suffix == ".csv":
        return f"line {index + 2}"
    if path.suffix == ".xlsx":
        return f"row {index + 2}"
    return f"row {index + 1}"
