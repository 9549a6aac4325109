"""`relance report CAMPAIGN --format html|pdf --output FILE`: write the
campaign report (relance.reports.report), in the client's language.
`relance report --client ID --from DATE --to DATE …`: a client's period
report across campaigns instead."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relance.accounts.models import Client
from relance.campaigns.models import Campaign
from relance.reports import report


class Command(BaseCommand):
    help = "Write a campaign's report as HTML or PDF."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", nargs="?", help="the campaign's id")
        parser.add_argument("--client", help="a client's id: the period report")
        parser.add_argument("--from", dest="start", help="first day (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", help="last day (YYYY-MM-DD)")
        parser.add_argument("--format", choices=["html", "pdf"], default="html")
        parser.add_argument("--output", required=True, help="the file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"--output {output}: the folder {output.parent} does not exist")
        pdf = options["format"] == "pdf"
        if options["client"]:
            client = _get(Client, options["client"], "client")
            start, end = _day(options["start"], "--from"), _day(options["end"], "--to")
            if end < start:
                raise CommandError("--to: the period ends before it starts")
            if pdf:
                output.write_bytes(report.client_pdf(client, start, end))
            else:
                output.write_text(report.client_html(client, start, end), encoding="utf-8")
        else:
            if not options["campaign"]:
                raise CommandError("give a CAMPAIGN id, or --client with --from and --to")
            campaign = _get(Campaign, options["campaign"], "campaign")
            if pdf:
                output.write_bytes(report.campaign_pdf(campaign))
            else:
                output.write_text(report.campaign_html(campaign), encoding="utf-8")
        self.stdout.write(f"{output} ({output.stat().st_size:,} bytes)")


def _get(model: Any, value: str, what: str) -> Any:
    try:
        return model.objects.get(pk=int(value))
    except (ValueError, model.DoesNotExist):
        raise CommandError(f"{what} {value!r}: no such {what}") from None


def _day(value: str | None, option: str) -> date:
    try:
        return date.fromisoformat(value or "")
    except ValueError:
        raise CommandError(f"{option}: expected a date as YYYY-MM-DD, got {value!r}") from None
