"""`relance import-contacts FILE`: import a CSV, XLSX or vCard file of contacts.

All or nothing: when any row has a problem, every problem is printed (row,
column, reason), nothing is written, and the exit status is 1.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation
from django.utils.translation import gettext as _

from relance.accounts.models import Role, User
from relance.contacts.importing import ON_DUPLICATE, ImportResult, import_contacts

# Duplicates and warnings shown in the human report (errors: always all).
SHOWN = 200


def command_user(username: str | None) -> User:
    """The user the command acts as: --user, else the first active director."""
    if username:
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user “{username}”.")
        return user
    user = User.objects.filter(role=Role.DIRECTOR, is_active=True).order_by("id").first()
    if user is None:
        raise CommandError("No active director to act as: pass --user USERNAME.")
    return user


class Progress:
    """A progress line on stderr for files large enough to wait for."""

    def __init__(self, stream: Any, enabled: bool) -> None:
        self.stream = stream
        self.enabled = enabled
        self.tty = bool(getattr(stream, "isatty", lambda: False)())
        self.started = time.monotonic()
        self.last = 0.0
        self.shown = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        if not self.enabled or not total:
            return
        now = time.monotonic()
        if done < total and now - self.last < (0.2 if self.tty else 2.0):
            return
        self.last = now
        label = _("Checking") if phase == "checking" else _("Writing")
        line = f"{label}: {done * 100 // total:3d}%  ({now - self.started:.1f} s)"
        self.stream.write(f"\r{line}" if self.tty else f"{line}\n")
        self.stream.flush()
        self.shown = True

    def end(self) -> None:
        if self.shown and self.tty:
            self.stream.write("\n")


class Command(BaseCommand):
    help = (
        "Import contacts from a CSV, XLSX or vCard file. All or nothing: any invalid row "
        "stops the import with every problem listed (exit status 1) and nothing written. "
        "Acts as --user, or as the first active director when --user is not given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the CSV, XLSX or vCard (.vcf) file")
        parser.add_argument(
            "--format",
            choices=("auto", "csv", "xlsx", "vcf"),
            default="auto",
            help="default: auto (from the extension and the content)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--on-duplicate",
            choices=ON_DUPLICATE,
            default="skip",
            help="contacts already known (same e-mail, or same name at the same outlet): "
            "skip them (default) or update them with the file's values",
        )
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--user", help="act as this user (default: the first active director)")
        parser.add_argument(
            "--map",
            action="append",
            default=[],
            metavar="COLUMN=FIELD",
            help="map a column to a field, correcting the automatic mapping "
            "(repeatable; FIELD 'ignore' skips the column), e.g. --map 'Support=outlet_name'",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        user = command_user(options["user"])
        path = Path(options["file"])
        with translation.override(user.language or "fr"):
            if not path.is_file():
                result = ImportResult(filename=path.name)
                from relance.contacts.importing.base import Problem

                result.errors.append(Problem(_("No such file: %(path)s") % {"path": str(path)}))
            else:
                size = path.stat().st_size
                progress = Progress(self.stderr._out, enabled=size > 512 * 1024)
                try:
                    result = import_contacts(
                        user,
                        path,
                        filename=path.name,
                        format=options["format"],
                        map_overrides=options["map"],
                        on_duplicate=options["on_duplicate"],
                        dry_run=options["dry_run"],
                        progress=progress,
                    )
                except PermissionDenied as exc:
                    raise CommandError(f"{user.username}: {exc}") from None
                progress.end()
            if options["json"]:
                self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
            else:
                self.stdout.write(human_report(result))
        if not result.ok:
            sys.exit(1)


def human_report(result: ImportResult) -> str:
    lines: list[str] = []
    if not result.ok:
        lines.append(
            _("Import failed: nothing was written. %(count)d problem(s) in %(file)s:")
            % {"count": len(result.errors), "file": result.filename}
        )
        lines.extend(f"  {problem}" for problem in result.errors)
        return "\n".join(lines)
    counts = {
        "file": result.filename,
        "rows": result.total_rows,
        "created": result.created,
        "updated": result.updated,
        "skipped": result.skipped,
        "outlets": result.outlets_created,
    }
    if result.dry_run:
        lines.append(
            _(
                "Dry run, nothing written. %(file)s: %(rows)d rows. Contacts to create: "
                "%(created)d, to update: %(updated)d, to skip: %(skipped)d. "
                "New outlets: %(outlets)d."
            )
            % counts
        )
    else:
        lines.append(
            _(
                "%(file)s: %(rows)d rows. Contacts created: %(created)d, updated: %(updated)d, "
                "skipped: %(skipped)d. New outlets: %(outlets)d."
            )
            % counts
        )
    if result.duplicates:
        lines.append(_("Duplicates (%(count)d):") % {"count": len(result.duplicates)})
        action = {"skip": _("skipped"), "update": _("updated")}
        for duplicate in result.duplicates[:SHOWN]:
            where = (_("Card %(card)d") if result.format == "vcf" else _("Row %(card)d")) % {
                "card": duplicate.row
            }
            lines.append(f"  {where}: {duplicate.describe()} — {action[duplicate.action]}")
        if len(result.duplicates) > SHOWN:
            lines.append(
                "  "
                + _("…and %(count)d more (--json lists them all).")
                % {"count": len(result.duplicates) - SHOWN}
            )
    if result.erased:
        lines.append(
            _("Skipped, erased at the person's request: rows %(rows)s")
            % {"rows": ", ".join(str(r) for r in result.erased)}
        )
    if result.warnings:
        lines.append(_("Warnings (%(count)d):") % {"count": len(result.warnings)})
        lines.extend(f"  {warning}" for warning in result.warnings[:SHOWN])
        if len(result.warnings) > SHOWN:
            lines.append(
                "  "
                + _("…and %(count)d more (--json lists them all).")
                % {"count": len(result.warnings) - SHOWN}
            )
    return "\n".join(lines)
