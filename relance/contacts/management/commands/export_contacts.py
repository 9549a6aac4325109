"""`relance export-contacts`: the media database (or one list) as CSV, XLSX
or vCard. Contacts who opted out or must not be contacted are left out
unless --include-opted-out (directors and managers only)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from relance.contacts import exporting
from relance.contacts.management.commands.import_contacts import command_user
from relance.contacts.models import MediaList


class Command(BaseCommand):
    help = (
        "Export contacts to CSV, XLSX or vCard (the whole base, or --list NAME). Contacts who "
        "opted out or must not be contacted are left out unless --include-opted-out. Acts as "
        "--user, or as the first active director when --user is not given."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=exporting.FORMATS, default="csv")
        parser.add_argument("--list", dest="list_name", help="export this media list only")
        parser.add_argument("--output", "-o", help="file to write (default: standard output)")
        parser.add_argument(
            "--include-opted-out",
            action="store_true",
            help="also export contacts who opted out or must not be contacted, with their "
            "flags (directors and managers only; for a backup or a migration)",
        )
        parser.add_argument("--user", help="act as this user (default: the first active director)")

    def handle(self, *args: Any, **options: Any) -> None:
        user = command_user(options["user"])
        media_list = None
        if options["list_name"]:
            media_list = MediaList.objects.filter(name__iexact=options["list_name"]).first()
            if media_list is None:
                raise CommandError(f"No media list named “{options['list_name']}”.")
        output = options["output"]
        if options["format"] == "xlsx" and not output and sys.stdout.isatty():
            raise CommandError("An XLSX file is binary: pass --output FILE.")
        with translation.override(user.language or "fr"):
            try:
                export = exporting.prepare_export(
                    user,
                    options["format"],
                    media_list=media_list,
                    include_opted_out=options["include_opted_out"],
                )
            except PermissionDenied as exc:
                raise CommandError(str(exc) or "Your role does not allow this.") from None
            if output:
                path = Path(output)
                try:
                    with path.open("wb") as handle:
                        export.write(handle)
                except OSError as exc:
                    raise CommandError(f"Cannot write {path}: {exc.strerror or exc}") from None
                self.stderr.write(f"{export.count} contacts exported to {path}")
            else:
                stream = getattr(self.stdout, "_out", sys.stdout)
                binary = getattr(stream, "buffer", None)
                for piece in export.chunks():
                    if binary is not None:
                        binary.write(piece)
                    else:
                        stream.write(piece.decode("utf-8", "replace"))
                stream.flush()
