"""`relance send-campaign CAMPAIGN [--at ISO-DATETIME]`: queue a campaign's
messages in the outbox; the task worker sends them."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from relance.accounts.models import User
from relance.campaigns.models import Campaign
from relance.campaigns.services import clean_datetime
from relance.outreach import services


class Command(BaseCommand):
    help = "Queue a campaign's e-mails in the outbox (sent by the task worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", help="campaign id")
        parser.add_argument("--at", default="", help="send at this ISO date-time (default: now)")
        parser.add_argument(
            "--as",
            dest="username",
            default="",
            help="the team member sending (default: the campaign's manager)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            campaign = Campaign.objects.select_related("manager").get(pk=int(options["campaign"]))
        except (ValueError, Campaign.DoesNotExist):
            raise CommandError(f"No campaign with id {options['campaign']!r}.") from None
        try:
            at = clean_datetime(options["at"]) if options["at"] else None
        except ValueError as exc:
            raise CommandError(f"--at: {exc}") from None
        actor = campaign.manager
        if options["username"]:
            actor = User.objects.filter(username=options["username"], is_active=True).first()
            if actor is None:
                raise CommandError(f"--as: no active user {options['username']!r}.")
        if actor is None:
            raise CommandError("The campaign has no manager: say who sends it with --as.")
        try:
            report = services.queue_campaign(actor, campaign, at=at)
        except PermissionDenied as exc:
            raise CommandError(f"{actor.username}: {exc}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        when = report.at.isoformat() if report.at else "now"
        self.stdout.write(f"{report.queued} message(s) queued for campaign {campaign.pk} ({when}).")
        for code, count in sorted(report.left_out.items()):
            self.stdout.write(f"  left out: {count} ({code})")
