"""What the import passes between its stages: the table read from a file, the
problems found in it, the duplicates, and the result handed back to callers.

Everything here is plain data (JSON-friendly through `as_dict`), so the page,
the task, the CLI and the tests read the same result.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

# A cell is text, or for vCard properties that repeat (EMAIL, TEL) a list of
# items, each text or (text, label).
Item = str | tuple[str, str]
Cell = str | list[Item]

FORMATS = ("csv", "xlsx", "vcf")


class ImportFileError(Exception):
    """The file cannot be read at all (unknown format, binary garbage, empty).
    The message is for the user, in their language."""


@dataclass
class Table:
    """A file read into columns and rows, whatever its format."""

    format: str
    headers: list[str]
    rows: list[list[Cell]]
    # The row number a person sees: in a spreadsheet the header is row 1 and
    # the first contact row 2; in a vCard file, the card's position (1, 2, …).
    numbers: list[int]
    # First physical line of each record (CSV and vCard), None for XLSX.
    lines: list[int] | None = None
    has_header: bool = True
    encoding: str = ""
    delimiter: str = ""
    # Records the reader could not read at all (a damaged vCard): reported as
    # errors of the import, at the record's place.
    problems: list[Problem] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.rows)

    def cell_text(self, row: int, col: int) -> str:
        return cell_text(self.rows[row][col] if col < len(self.rows[row]) else "")


def cell_text(cell: Cell) -> str:
    if isinstance(cell, list):
        return ", ".join(item if isinstance(item, str) else item[0] for item in cell)
    return cell


@dataclass
class Problem:
    """One thing wrong, located the way the user sees their file."""

    message: str
    row: int | None = None
    line: int | None = None
    column: str = ""
    field: str = ""
    vcard: bool = False

    def where(self) -> str:
        if self.row is None:
            return _("Column mapping") if self.column or self.field else _("File")
        if self.vcard:
            place = _("Card %(card)d (line %(line)d)") % {"card": self.row, "line": self.line or 0}
        else:
            place = _("Row %(row)d") % {"row": self.row}
        if self.column:
            place += ", " + _("column “%(column)s”") % {"column": self.column}
        return place

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "line": self.line,
            "column": self.column,
            "field": self.field,
            "message": self.message,
        }

    def __str__(self) -> str:
        if self.row is None and not self.column and not self.field:
            return self.message  # about the whole file
        return f"{self.where()}: {self.message}"


@dataclass
class Duplicate:
    """A row that is someone already known: in the database, or higher up in
    the same file."""

    row: int
    kind: str  # email, name, near_name
    action: str  # skip, update
    line: int | None = None
    contact_id: int | None = None  # the existing contact it matches
    other_row: int | None = None  # or the earlier row of the file
    label: str = ""  # the matched contact's name
    score: int | None = None  # rapidfuzz similarity for near matches

    def describe(self) -> str:
        reasons = {
            "email": _("same e-mail address as"),
            "name": _("same name at the same outlet as"),
            "near_name": _("nearly the same name at the same outlet as"),
        }
        if self.other_row is not None:
            target = _("row %(row)d") % {"row": self.other_row}
        else:
            target = _("%(name)s (existing contact #%(id)s)") % {
                "name": self.label,
                "id": self.contact_id,
            }
        return f"{reasons.get(self.kind, self.kind)} {target}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "line": self.line,
            "kind": self.kind,
            "action": self.action,
            "contact_id": self.contact_id,
            "other_row": self.other_row,
            "matched": self.label,
            "score": self.score,
            "reason": self.describe(),
        }


@dataclass
class ImportResult:
    """What an import did (or, in a dry run or a failed check, would do)."""

    filename: str
    format: str = ""
    dry_run: bool = False
    on_duplicate: str = "skip"
    total_rows: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    outlets_created: int = 0
    outlets_matched: int = 0
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    erased: list[int] = field(default_factory=list)  # rows skipped: person erased on request
    mapping: dict[str, str] = field(default_factory=dict)
    written: bool = False
    # Seconds per phase (read, check, write…): where an import's time goes.
    timings: dict[str, float] = field(default_factory=dict)

    def timed(self, phase: str, started: float) -> float:
        """Record the time since `started` under `phase`; returns now."""
        now = time.perf_counter()
        self.timings[phase] = round(self.timings.get(phase, 0.0) + now - started, 3)
        return now

    @property
    def ok(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "written": self.written,
            "file": self.filename,
            "format": self.format,
            "on_duplicate": self.on_duplicate,
            "rows": self.total_rows,
            "created": self.created,
            "updated": self.updated,
            "skipped": self.skipped,
            "outlets_created": self.outlets_created,
            "outlets_matched": self.outlets_matched,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
            "duplicates": [d.as_dict() for d in self.duplicates],
            "erased": [
                {"row": row, "reason": _("erased at the person's request")} for row in self.erased
            ],
            "mapping": self.mapping,
            "timings": self.timings,
        }
