"""Importing contacts from CSV, XLSX and vCard files.

    result = import_contacts(user, path_or_bytes, filename="presse.csv",
                             on_duplicate="skip", dry_run=False)

All or nothing: the whole file is read, mapped and checked first; any
problem stops the import with every problem listed (row, column, reason) and
nothing written. Only a clean file is written, in one transaction. The page,
the task, the CLI and the API call this same function.

Stages (one module each): readers/vcards (file -> Table), headers/mapping
(columns -> fields), fastclean/checking (rows -> checked values), plan
(outlets, duplicates, decisions), writer (the transaction).
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.contacts import choices
from relance.contacts.importing.base import (
    Duplicate,
    ImportFileError,
    ImportResult,
    Problem,
    Table,
)
from relance.contacts.importing.mapping import TARGETS, auto_mapping, parse_map_option
from relance.contacts.importing.plan import Plan, build_plan, facts_changed_since
from relance.contacts.importing.readers import read_table
from relance.contacts.importing.writer import write_plan

ON_DUPLICATE = ("skip", "update")
IMPORT_LOCK = 0x52656C616E6365  # PostgreSQL advisory lock key ("Relance")
# progress(phase, done, total); phase is "checking" or "writing".
Progress = Callable[[str, int, int], None]
Source = bytes | str | Path | IO[bytes]


def load(source: Source, filename: str = "", format: str = "auto") -> Table:
    """Read a file into a Table (ImportFileError with a message if it cannot)."""
    return read_table(_bytes(source), filename or _name(source), format)


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for one import. An import builds
    hundreds of thousands of long-lived objects (cells, rows, values) and
    creates no reference cycles worth collecting; left on, the collector
    walks them all again and again (a third of the checking time measured
    on 100,000 rows). Reference counting still frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def import_contacts(
    actor: Any,
    source: Source,
    *,
    filename: str = "",
    format: str = "auto",
    mapping: dict[str, str] | None = None,
    map_overrides: list[str] | None = None,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportResult:
    """Import a contact file (see the module docstring). `mapping` is the
    column mapping confirmed by the user ({column index: field}); columns it
    leaves out are mapped automatically. Never raises for bad input: the
    result lists the problems."""
    require(actor, Cap.IMPORT_CONTACTS)
    with gc_paused():
        return _import(
            actor,
            source,
            filename=filename,
            format=format,
            mapping=mapping,
            map_overrides=map_overrides,
            on_duplicate=on_duplicate,
            dry_run=dry_run,
            progress=progress,
        )


def _import(
    actor: Any,
    source: Source,
    *,
    filename: str,
    format: str,
    mapping: dict[str, str] | None,
    map_overrides: list[str] | None,
    on_duplicate: str,
    dry_run: bool,
    progress: Progress | None,
) -> ImportResult:
    filename = filename or _name(source)
    result = ImportResult(filename=filename, dry_run=dry_run, on_duplicate=on_duplicate)
    if on_duplicate not in ON_DUPLICATE:
        result.errors.append(
            Problem(
                _("Unknown choice for duplicates “%(value)s”: use skip or update.")
                % {"value": on_duplicate}
            )
        )
        return result
    started = time.perf_counter()
    try:
        table = read_table(_bytes(source), filename, format)
    except ImportFileError as exc:
        result.errors.append(Problem(str(exc)))
        return result
    except OSError as exc:
        result.errors.append(
            Problem(_("The file cannot be read: %(reason)s") % {"reason": exc.strerror or exc})
        )
        return result
    result.format = table.format
    read_time = time.perf_counter() - started
    full_mapping = resolve_mapping(table, mapping)
    override_problems = parse_map_option(table, list(map_overrides or []), full_mapping)
    if override_problems:
        result.errors.extend(override_problems)
        return result

    def checking(done: int, total: int) -> None:
        if progress:
            progress("checking", done, total)

    plan = build_plan(
        table, full_mapping, filename=filename, on_duplicate=on_duplicate, progress=checking
    )
    plan.result.dry_run = dry_run
    plan.result.timings = {"read": round(read_time, 3), **plan.result.timings}
    if not plan.result.ok or dry_run:
        return plan.result
    return _write(plan, actor, table, full_mapping, filename, on_duplicate, progress)


def resolve_mapping(table: Table, mapping: dict[str, str] | None) -> dict[str, str]:
    """The automatic mapping, with the user's choices on top."""
    full = auto_mapping(table)
    for index, target in (mapping or {}).items():
        if str(index) in full:
            full[str(index)] = target
    return full


def check(actor: Any, table: Table, mapping: dict[str, str], on_duplicate: str = "skip") -> Plan:
    """The whole-file check behind the mapping page (a dry run on a table
    already read)."""
    require(actor, Cap.IMPORT_CONTACTS)
    with gc_paused():
        plan = build_plan(table, mapping, filename="", on_duplicate=on_duplicate)
    plan.result.dry_run = True
    return plan


def _write(
    plan: Plan,
    actor: Any,
    table: Table,
    mapping: dict[str, str],
    filename: str,
    on_duplicate: str,
    progress: Progress | None,
) -> ImportResult:
    # Where the contacts came from (GDPR): the file's own Source column when
    # it has one (even empty: an export re-imports as it was), else the import.
    default_source = (
        ""
        if "source" in mapping.values()
        else _("Import %(file)s %(date)s")
        % {"file": filename, "date": timezone.localdate().isoformat()}
    )

    def writing(done: int, total: int) -> None:
        if progress:
            progress("writing", done, total)

    # Announced before the transaction opens, so a page polling the job
    # sees the phase change while the (invisible) writes go on.
    writing(0, 1)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One import writes at a time (SQLite's IMMEDIATE transactions
            # already queue writers): the next one then sees this one's
            # contacts as duplicates instead of creating them twice.
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        # Someone changed the base while the file was being checked: check
        # again inside the transaction, so duplicates are judged on what is
        # really there when writing.
        if plan.checked_at and facts_changed_since(plan.checked_at):
            plan = build_plan(table, mapping, filename=filename, on_duplicate=on_duplicate)
            if not plan.result.ok:
                return plan.result
        write_plan(plan, actor, default_source, writing)
        result = plan.result
        started = time.perf_counter()
        audit.record(
            actor,
            "import",
            target_type="contact",
            target_label=filename,
            changes={
                "format": result.format,
                "rows": result.total_rows,
                "created": result.created,
                "updated": result.updated,
                "skipped": result.skipped,
                "erased_skipped": len(result.erased),
                "outlets_created": result.outlets_created,
                "on_duplicate": on_duplicate,
            },
        )
    result.timed("commit", started)
    choices.forget()  # new outlets and beats appear in the filters at once
    return result


def _bytes(source: Source) -> bytes:
    if isinstance(source, bytes):
        return source
    if isinstance(source, str | Path):
        return Path(source).read_bytes()
    data = source.read()
    return data.encode() if isinstance(data, str) else data


def _name(source: Source) -> str:
    if isinstance(source, str | Path):
        return Path(source).name
    return Path(getattr(source, "name", "") or "").name


__all__ = [
    "ON_DUPLICATE",
    "TARGETS",
    "Duplicate",
    "ImportFileError",
    "ImportResult",
    "Problem",
    "Table",
    "check",
    "import_contacts",
    "load",
    "resolve_mapping",
]
