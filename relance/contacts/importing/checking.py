"""Checking every row: mapped values through the contact and outlet
validators, with the problems located by row and column.

Row checks are pure (no database): the facts they need (which outlet a name
means, its country) are computed before and passed in. That is what lets a
large file be checked on every core: the rows are split between this process
and forked workers, which inherit the table and return compact results.
"""

from __future__ import annotations

import gc
import marshal
import multiprocessing
import os
import pickle
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from relance.contacts.documents import facet, outlet_name_key
from relance.contacts.importing.base import Problem, Table
from relance.contacts.importing.derived import Deriver
from relance.contacts.importing.fastclean import RowCleaner, fast_e164
from relance.contacts.importing.mapping import RowData, Spec, build_row
from relance.contacts.services.outlets import clean_outlet
from relance.contacts.validation import clean_contact, clean_email
from relance.lib.phones import PhoneError, to_e164

# Below this many rows, forking costs more than it saves.
PARALLEL_MIN_ROWS = 4000
Progress = Callable[[int, int], None]


# Outlets the import creates get their ids when written; until then their
# contacts' search documents carry this placeholder id (+ the outlet's
# number), swapped for the real one by the writer. All have the same number
# of digits, so one never matches the start of another.
PLACEHOLDER_BASE = 9_000_000_000_000


@dataclass
class OutletRef:
    """What an outlet name in the file means: an existing outlet (id) or one
    the import will create (placeholder, values)."""

    key: str
    name: str
    country: str = "FR"
    kind: str = ""
    periodicity: str = ""
    region: str = ""
    id: int | None = None
    score: int | None = None  # near match
    placeholder: int = 0
    # For a new outlet: the first valid value the file gives for each field,
    # and where it came from (row index, header) for error messages.
    values: dict[str, Any] | None = None
    sources: dict[str, tuple[int, str]] | None = None

    @property
    def index_id(self) -> int:
        return self.id if self.id is not None else self.placeholder

    def placeholder_token(self) -> str:
        return facet("outlet", self.placeholder)


@lru_cache(maxsize=4096)
def _clean_outlet_field(name: str, text: str, language: str) -> tuple[Any, tuple[str, ...]]:
    """One outlet field through clean_outlet: (value, ()) or (None, messages)."""
    try:
        return clean_outlet({name: text}, partial=True)[name], ()
    except ValidationError as exc:
        return None, tuple(m for ms in exc.message_dict.values() for m in ms)


def clean_outlet_field(name: str, text: str) -> tuple[Any, tuple[str, ...]]:
    return _clean_outlet_field(name, text, translation.get_language() or "")


class Checked(NamedTuple):
    """One row after checking (a tuple: cheap to send back from a worker)."""

    at: int  # the row's position in the table
    values: dict[str, Any] | None  # cleaned contact fields; e-mails/phones as tuples
    present: tuple[str, ...]  # fields the row gave a value for
    outlet_key: str
    name_key: str
    document: str
    problems: list[Problem] | tuple[()]
    warnings: list[Problem] | tuple[()]


@dataclass
class Context:
    table: Table
    spec: Spec
    outlets: dict[str, OutletRef]  # outlet_name_key -> ref
    lenient_phones: bool  # vCards: keep unreadable numbers in the notes


class RowChecker:
    def __init__(self, context: Context) -> None:
        self.context = context
        self.cleaner = RowCleaner()
        self.deriver = Deriver()
        self._outlet_keys: dict[str, str] = {}
        self._outlet_fields: dict[tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]] = {}
        self.vcard = context.table.format == "vcf"

    def check(self, index: int) -> Checked:
        table = self.context.table
        data = build_row(table.rows[index], self.context.spec)
        row = table.numbers[index]
        line = table.lines[index] if table.lines else None
        problems: list[Problem] = []
        warnings: list[Problem] = []
        raw = data.contact
        # Who asked for the opt-out is not a clean_contact field: checked here.
        opted_out_by = raw.pop("opted_out_source", None)
        if opted_out_by is not None and opted_out_by not in ("self", "agency"):
            problems.append(
                self._problem(
                    _("“%(value)s” is not valid here: use self (the journalist asked) or agency.")
                    % {"value": opted_out_by},
                    row,
                    line,
                    data.columns.get("opted_out_source", ""),
                    "opted_out_source",
                )
            )
            opted_out_by = None
        outlet_name = data.outlet.get("name", "")
        key = self._outlet_key(outlet_name) if outlet_name else ""
        ref = self.context.outlets.get(key) if key else None
        region = ref.country if ref else "FR"
        if self.context.lenient_phones and raw.get("phones"):
            self._keep_unreadable_phones(data, region, row, line, warnings)
        values = self.cleaner.clean(raw, region)
        if values is None:
            try:
                values = clean_contact(raw, region=region)
            except ValidationError as exc:
                problems.extend(self._locate(exc, data, region, row, line))
                values = None
        # Outlet columns are checked on every row (a wrong "Type" is an error
        # even for an outlet that exists); new outlets take their values
        # from plan.resolve_outlets.
        outlet_items = tuple(data.outlet.items())
        found = self._outlet_fields.get(outlet_items)
        if found is None:
            # A file repeats each outlet's description on many rows: the
            # whole description is checked once.
            found = self._outlet_fields[outlet_items] = tuple(
                (name, message)
                for name, text in outlet_items
                if name != "name"  # any text names an outlet; the outlet is checked whole
                for message in clean_outlet_field(name, text)[1]
            )
        for name, message in found:
            header = data.columns.get(f"outlet_{name}", "")
            problems.append(self._problem(message, row, line, header, f"outlet_{name}"))
        if values is not None and opted_out_by:
            values["opted_out_source"] = opted_out_by
        if values is None or problems:
            return Checked(index, None, (), key, "", "", problems, warnings or ())
        emails = [(e.address, e.label, e.is_primary) for e in values["emails"]]
        phones = [(p.number, p.label, p.is_primary) for p in values["phones"]]
        values["emails"], values["phones"] = emails, phones
        # In the order the services read a contact's beats (by name), so the
        # search document is the same whichever way the contact came in.
        values["beats"].sort()
        name_key, document = self.deriver.derive(values, ref)
        present = tuple(raw) + (("opted_out_source",) if opted_out_by else ())
        return Checked(index, values, present, key, name_key, document, (), warnings or ())

    def _outlet_key(self, name: str) -> str:
        try:
            return self._outlet_keys[name]
        except KeyError:
            key = self._outlet_keys[name] = outlet_name_key(name)
            return key

    def finish(self, rows: list[Checked]) -> list[Checked]:
        """Recompute the derived columns with documents.py itself if a check
        of the fast path failed in this batch."""
        if not self.deriver.exact:
            return rows
        outlets = self.context.outlets
        fixed = []
        for r in rows:
            if r.values is not None:
                name_key, document = Deriver.reference(r.values, outlets.get(r.outlet_key))
                r = r._replace(name_key=name_key, document=document)
            fixed.append(r)
        return fixed

    def _problem(self, message: str, row: int, line: int | None, column: str, field: str):
        return Problem(message, row=row, line=line, column=column, field=field, vcard=self.vcard)

    def _keep_unreadable_phones(
        self, data: RowData, region: str, row: int, line: int | None, warnings: list[Problem]
    ) -> None:
        """An address book's phone field often holds text ("BusinessPhone") or
        fictitious numbers; refusing the whole vCard file for that would lose
        everything else. Those go to the notes, and the report says so."""
        kept, columns, notes = [], [], []
        for entry, header in zip(data.contact["phones"], data.phone_columns, strict=False):
            number = entry["number"]
            if fast_e164(number, region) is None:
                try:
                    to_e164(number, region)
                except PhoneError:
                    label = f" ({entry['label']})" if entry.get("label") else ""
                    notes.append(f"{number}{label}")
                    warnings.append(
                        self._problem(
                            _("“%(value)s” is not a valid phone number; kept in the notes.")
                            % {"value": number},
                            row,
                            line,
                            header,
                            "phones",
                        )
                    )
                    continue
            kept.append(entry)
            columns.append(header)
        if notes:
            data.contact["phones"] = kept
            data.phone_columns = columns
            extra = _("Phone numbers not recognised: %(numbers)s") % {"numbers": ", ".join(notes)}
            existing = data.contact.get("notes", "")
            data.contact["notes"] = f"{existing}\n{extra}" if existing else extra

    def _locate(
        self, exc: ValidationError, data: RowData, region: str, row: int, line: int | None
    ) -> list[Problem]:
        """Field errors of clean_contact, each placed on the column it came
        from; e-mails and phones are re-checked one by one to name the exact
        cell."""
        problems = []
        columns = data.columns
        for field, messages in exc.message_dict.items():
            if field == "emails":
                found = False
                for entry, header in zip(
                    data.contact.get("emails", []), data.email_columns, strict=False
                ):
                    try:
                        clean_email(str(entry.get("address") or ""))
                    except ValueError as item_error:
                        problems.append(self._problem(str(item_error), row, line, header, field))
                        found = True
                if found:
                    continue
            if field == "phones":
                found = False
                for entry, header in zip(
                    data.contact.get("phones", []), data.phone_columns, strict=False
                ):
                    try:
                        to_e164(str(entry.get("number") or ""), region)
                    except PhoneError as item_error:
                        problems.append(self._problem(str(item_error), row, line, header, field))
                        found = True
                if found:
                    continue
            if field in ("last_name", "first_name"):
                header = (
                    columns.get(field)
                    or columns.get("full_name")
                    or next(
                        (
                            h
                            for _i, t, h, _l in self.context.spec.columns
                            if t in ("last_name", "first_name", "full_name")
                        ),
                        "",
                    )
                )
            else:
                header = columns.get(field, "")
            for message in messages:
                problems.append(self._problem(message, row, line, header, field))
        return problems


# --- Running over the whole table -------------------------------------------

# Set before forking; workers read it: (context, chunk size, claims).
_SHARED: tuple[Context, int, Any] | None = None


def _claim(claims: Any, front: bool) -> int | None:
    """The next chunk to check, or None when all are taken. This process
    takes chunks from the front of the file, workers from the back, so a
    worker slowed down by a busy machine costs at most one chunk of waiting
    (the shares follow the real speeds, not a fixed split)."""
    with claims.get_lock():
        first, stop = claims[0], claims[1]
        if first >= stop:
            return None
        if front:
            claims[0] = first + 1
            return first
        claims[1] = stop - 1
        return stop - 1


def _check_chunks(worker: int) -> bytes:
    """A worker's chunks (it starts with one of the last ones, always its
    own), packed for the trip back to the parent."""
    assert _SHARED is not None
    context, size, claims = _SHARED
    total = len(context.table)
    checker = RowChecker(context)
    chunks: list[int] = []
    rows: list[Checked] = []
    chunk: int | None = -1 - worker + (total + size - 1) // size
    while chunk is not None:
        chunks.append(chunk)
        rows.extend(checker.check(i) for i in range(chunk * size, min(total, (chunk + 1) * size)))
        chunk = _claim(claims, front=False)
    return _pack(chunks, checker.finish(rows))


def _pack(chunks: list[int], rows: list[Checked]) -> bytes:
    """Rows as plain tuples, each row's field names sent once per distinct
    set, written by marshal: twice as fast as pickle both ways on these
    rows (measured on 50,000), and the parent reads every worker row. A
    share with something marshal does not know (a Problem, a date) goes by
    pickle."""
    names: dict[tuple[str, ...], tuple[str, ...]] = {}
    packed: list[tuple[Any, ...]] = []
    for row in rows:
        if row.values is None:
            packed.append((tuple(row), None, None))
            continue
        keys = tuple(row.values)
        keys = names.setdefault(keys, keys)
        packed.append((tuple(row._replace(values=None)), keys, tuple(row.values.values())))
    try:
        return b"m" + marshal.dumps((chunks, packed))
    except ValueError:
        return b"p" + pickle.dumps((chunks, packed), protocol=pickle.HIGHEST_PROTOCOL)


def _unpack(data: bytes) -> tuple[list[int], list[Checked]]:
    chunks, packed = marshal.loads(data[1:]) if data[:1] == b"m" else pickle.loads(data[1:])
    rows = []
    for row, keys, values in packed:
        checked = Checked._make(row)
        if keys is not None:
            checked = checked._replace(values=dict(zip(keys, values, strict=True)))
        rows.append(checked)
    return chunks, rows


def check_rows(context: Context, progress: Progress | None = None) -> list[Checked]:
    """Check every row, on every core for large files."""
    global _SHARED
    total = len(context.table)
    # Chunks small enough to share the end of the work evenly, large
    # enough to cost nothing to claim; each worker starts with one.
    workers = _worker_count(total)
    size = max(50, min(2000, total // (workers * 8)))
    count = (total + size - 1) // size
    workers = min(workers, count)
    if workers <= 1:
        checker = RowChecker(context)
        out = []
        for i in range(total):
            out.append(checker.check(i))
            if progress and i % 2000 == 1999:
                progress(i + 1, total)
        if progress:
            progress(total, total)
        return checker.finish(out)
    mp = multiprocessing.get_context("fork")
    claims = mp.Array("q", [0, count - (workers - 1)])
    _SHARED = (context, size, claims)
    # Objects alive now are shared with the workers page by page; frozen, the
    # collector never writes to them, so pages are not copied for nothing.
    gc.freeze()
    try:
        with mp.Pool(workers - 1) as pool:
            pending = pool.map_async(_check_chunks, range(workers - 1), chunksize=1)
            checker = RowChecker(context)
            own: list[Checked] = []
            mine = 0
            while (chunk := _claim(claims, front=True)) is not None:
                own.extend(
                    checker.check(i) for i in range(chunk * size, min(total, (chunk + 1) * size))
                )
                mine = chunk + 1
                if progress:
                    with claims.get_lock():
                        left = claims[1] - claims[0]
                    progress(min(total, (count - left) * size), total)
            own = checker.finish(own)
            rest = pending.get()
    finally:
        _SHARED = None
        gc.unfreeze()
    if progress:
        progress(total, total)
    # This process took the chunks 0 … mine-1; the workers the others.
    by_chunk: dict[int, list[Checked]] = {}
    for data in rest:
        chunks, rows = _unpack(data)
        start = 0
        for chunk in chunks:
            length = min(total, (chunk + 1) * size) - chunk * size
            by_chunk[chunk] = rows[start : start + length]
            start += length
    out = own
    for chunk in range(mine, count):
        out.extend(by_chunk[chunk])
    return out


def single_threaded() -> bool:
    """Whether this process has one thread, counted by the OS (threads not
    made by the threading module count too: those of a test runner or a
    server)."""
    try:
        return len(os.listdir("/proc/self/task")) == 1
    except OSError:
        return threading.active_count() == 1


def _worker_count(total: int) -> int:
    """Fork only where it is safe and pays: a large file, several cores, and
    a single-threaded process (forking a threaded web server can deadlock)."""
    if total < PARALLEL_MIN_ROWS or not single_threaded():
        return 1
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))
