"""Reading contact files into a `Table`: CSV (any delimiter, UTF-8, UTF-16 or
Windows-1252), XLSX (first sheet) and vCard, with the format guessed from the
extension and the content.

Files come from every tool an agency meets: Excel on Windows saves
Windows-1252 with semicolons, LibreOffice UTF-8 with commas, Thunderbird
mixes tabs and commas, Outlook writes vCard 2.1. Whatever arrives, the
reader either returns a table or raises ImportFileError with a sentence the
user understands; never a traceback.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime, time
from itertools import islice
from pathlib import PurePath
from typing import cast

from django.utils.translation import gettext as _

from relance.contacts.importing.base import FORMATS, Cell, ImportFileError, Table

DELIMITERS = (",", ";", "\t", "|")
MAX_COLUMNS = 500
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls / .doc
_EXTENSIONS = {
    ".csv": "csv",
    ".txt": "csv",
    ".tsv": "csv",
    ".tab": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".vcf": "vcf",
    ".vcard": "vcf",
}
_VCARD_START = re.compile(rb"^\s*BEGIN:VCARD", re.IGNORECASE)


def read_table(data: bytes, filename: str = "", format: str = "auto") -> Table:
    """Read `data` (the whole file) into a Table; ImportFileError if it cannot."""
    if format not in ("auto", *FORMATS):
        raise ImportFileError(
            _("Unknown format “%(format)s”: use auto, csv, xlsx or vcf.") % {"format": format}
        )
    if not data or not data.strip():
        raise ImportFileError(_("The file is empty."))
    kind = detect_format(data, filename) if format == "auto" else format
    if kind == "xlsx":
        table = read_xlsx(data)
    elif kind == "vcf":
        from relance.contacts.importing.vcards import read_vcards

        table = read_vcards(decode(data))
    else:
        table = read_csv(data)
    if not table.rows:
        raise ImportFileError(_("The file has a header but no contact rows."))
    return table


def detect_format(data: bytes, filename: str = "") -> str:
    """The format from the content first (a renamed file is common), then
    the extension."""
    head = data[:4096]
    if head.startswith(_ZIP):
        return "xlsx"
    if head.startswith(_OLE2):
        raise ImportFileError(
            _("This is an old Excel (.xls) file: save it as .xlsx or .csv and try again.")
        )
    text_head = _sniff_text(head)
    if _VCARD_START.match(text_head):
        return "vcf"
    by_name = _EXTENSIONS.get(PurePath(filename or "").suffix.lower())
    if by_name == "xlsx":
        raise ImportFileError(_("This file is not a valid XLSX workbook."))
    if by_name == "vcf" and b"BEGIN:VCARD" not in data[:65536].upper():
        raise ImportFileError(_("This file has no vCard in it (no BEGIN:VCARD)."))
    return by_name or "csv"


def _sniff_text(head: bytes) -> bytes:
    """The start of the file as ASCII-compatible bytes (UTF-16 reduced)."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return decode(head[: len(head) // 2 * 2]).encode("utf-8", "replace")
        except ImportFileError:
            return b""
    return head.lstrip(b"\xef\xbb\xbf")


def decode(data: bytes) -> str:
    """Text of a file saved as UTF-8 (with or without BOM), UTF-16 (with BOM,
    Excel's "Unicode text") or Windows-1252 (Excel on Windows)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFileError(_("This file is not readable text.")) from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFileError(
                _("This file is not text in a known encoding (UTF-8 or Windows-1252).")
            ) from None
    if "\x00" in text:
        raise ImportFileError(_("This file is not a CSV, XLSX or vCard file (binary content)."))
    return text


# --- CSV ------------------------------------------------------------------


def read_csv(data: bytes) -> Table:
    text = decode(data)
    encoding = _encoding_name(data)
    first_lines = list(islice(io.StringIO(text, newline=""), 50))
    if not first_lines:
        raise ImportFileError(_("The file is empty."))
    delimiter = sniff_delimiter(first_lines)
    records, starts = _parse(text, delimiter)
    # Drop blank records at the end (spreadsheets often leave some).
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
        starts.pop()
    first = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if first is None:
        raise ImportFileError(_("The file is empty."))
    from relance.contacts.importing.mapping import looks_like_header

    header_row = records[first]
    has_header = looks_like_header(header_row)
    width = max(len(r) for r in records[first:])
    if width > MAX_COLUMNS:
        raise ImportFileError(
            _("The file has %(count)d columns; at most %(max)d are read.")
            % {"count": width, "max": MAX_COLUMNS}
        )
    if has_header:
        headers = _headers(header_row, width)
        body = range(first + 1, len(records))
    else:
        headers = [_("Column %(number)d") % {"number": i + 1} for i in range(width)]
        body = range(first, len(records))
    rows: list[list[Cell]] = []
    numbers: list[int] = []
    starts_out: list[int] = []
    for i in body:
        record = records[i]
        if not "".join(record).strip():
            continue  # a blank row between contacts
        if len(record) < width:
            record.extend([""] * (width - len(record)))
        rows.append(cast("list[Cell]", record))  # the reader's own list, not copied
        numbers.append(i + 1)  # spreadsheets count every record, blank ones too
        starts_out.append(starts[i])
    return Table(
        format="csv",
        headers=headers,
        rows=rows,
        numbers=numbers,
        lines=starts_out,
        has_header=has_header,
        encoding=encoding,
        delimiter=delimiter,
    )


def _encoding_name(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return "cp1252"
    return "utf-8"


def _headers(row: list[str], width: int) -> list[str]:
    headers = []
    for i in range(width):
        name = " ".join((row[i] if i < len(row) else "").split())
        headers.append(name or _("Column %(number)d") % {"number": i + 1})
    return headers


def sniff_delimiter(lines: list[str]) -> str:
    """The delimiter used by most of the first lines (outside quotes); ties go
    to the one that splits the header most."""
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [_count_outside_quotes(line, delimiter) for line in lines if line.strip()]
        if not counts:
            continue
        score = (sum(1 for c in counts if c), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _count_outside_quotes(line: str, delimiter: str) -> int:
    if '"' not in line:
        return line.count(delimiter)
    return len(re.sub(r'"[^"]*"', "", line).split(delimiter)) - 1


def _parse(text: str, delimiter: str) -> tuple[list[list[str]], list[int]]:
    """Records and the physical line each starts on. A record in which the
    main delimiter never occurs but another one does is re-read with that
    one: Thunderbird writes such mixed tab/comma files."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    starts: list[int] = []
    previous_end = 0
    others = [d for d in DELIMITERS if d != delimiter]
    lines: list[str] | None = None  # split only if a record must be re-read
    try:
        for record in reader:
            start = previous_end + 1
            previous_end = reader.line_num
            if len(record) == 1 and record[0]:
                if lines is None:
                    # Split exactly as the csv module does (\r\n, \r or \n), so
                    # the line numbers and the records re-read stay in step.
                    lines = io.StringIO(text, newline="").readlines()
                raw = "".join(lines[start - 1 : previous_end])
                alt = next((d for d in others if _count_outside_quotes(raw, d)), None)
                if alt:
                    record = next(csv.reader(io.StringIO(raw, newline=""), delimiter=alt), record)
            records.append(record)
            starts.append(start)
    except csv.Error as exc:
        raise ImportFileError(
            _("Line %(line)d cannot be read as CSV (%(reason)s).")
            % {"line": reader.line_num, "reason": exc}
        ) from None
    return records, starts


# --- XLSX -----------------------------------------------------------------


def read_xlsx(data: bytes) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=True, keep_links=False
        )
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, EOFError):
        raise ImportFileError(_("This file is not a valid XLSX workbook.")) from None
    except Exception:  # openpyxl raises many kinds of errors on damaged files
        raise ImportFileError(_("This file is not a valid XLSX workbook.")) from None
    try:
        if not workbook.worksheets:
            raise ImportFileError(_("The workbook has no sheet."))
        sheet = workbook.worksheets[0]
        records = [
            [_xlsx_text(v) for v in values]
            for values in sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS)
        ]
    except ImportFileError:
        raise
    except Exception:
        raise ImportFileError(_("This file is not a valid XLSX workbook.")) from None
    finally:
        workbook.close()
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    first = next((i for i, r in enumerate(records) if any(c.strip() for c in r)), None)
    if first is None:
        raise ImportFileError(_("The first sheet of the workbook is empty."))
    width = max(len(r) for r in records[first:])
    # Trailing columns that are empty everywhere (formatting left behind).
    while width and not any(len(r) >= width and r[width - 1].strip() for r in records[first:]):
        width -= 1
    from relance.contacts.importing.mapping import looks_like_header

    has_header = looks_like_header(records[first][:width])
    if has_header:
        headers = _headers(records[first], width)
        body = range(first + 1, len(records))
    else:
        headers = [_("Column %(number)d") % {"number": i + 1} for i in range(width)]
        body = range(first, len(records))
    rows: list[list[Cell]] = []
    numbers = []
    for i in body:
        record = records[i][:width]
        if not any(c.strip() for c in record):
            continue
        cells: list[Cell] = [*record, *([""] * (width - len(record)))]
        rows.append(cells)
        numbers.append(i + 1)
    return Table(format="xlsx", headers=headers, rows=rows, numbers=numbers, has_header=has_header)


def _xlsx_text(value: object) -> str:
    """Cell values as the user typed them: dates as ISO dates, whole numbers
    without ".0" (phone numbers typed as numbers lose nothing else)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()
