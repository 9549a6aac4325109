"""`relance plan-followups CAMPAIGN [--at ISO-DATETIME] [--json] [--save]`:
the follow-up plan with its reasons, the same as the page and the API.

`--all --save` writes the plan of every active campaign for the call desk
(what the worker does each morning)."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from relance.campaigns.models import Campaign
from relance.campaigns.services import clean_datetime
from relance.followups import services


class Command(BaseCommand):
    help = "Print a campaign's follow-up plan: who, when, how, by whom and why; who not and why."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("campaign", nargs="?", help="campaign id")
        parser.add_argument("--at", default="", help="plan at this ISO date-time (default: now)")
        parser.add_argument("--json", action="store_true", help="print the plan as JSON")
        parser.add_argument(
            "--save", action="store_true", help="write the plan for the call desk (now only)"
        )
        parser.add_argument("--all", action="store_true", help="every active campaign (--save)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["all"]:
            if not options["save"]:
                raise CommandError("--all writes plans: add --save.")
            count = services.refresh_all()
            self.stdout.write(f"{count} campaign plan(s) written.")
            return
        if not options["campaign"]:
            raise CommandError("Say which campaign (its id), or --all --save.")
        try:
            campaign = Campaign.objects.get(pk=int(options["campaign"]))
        except (ValueError, Campaign.DoesNotExist):
            raise CommandError(f"No campaign with id {options['campaign']!r}.") from None
        try:
            at = clean_datetime(options["at"]) if options["at"] else None
        except ValueError as exc:
            raise CommandError(f"--at: {exc}") from None
        if options["save"] and at is not None:
            raise CommandError("--save writes today's plan: leave out --at.")
        view = services.compute(campaign, at)
        if options["save"]:
            services.sync(campaign, view)
        if options["json"]:
            self.stdout.write(json.dumps(view.to_json(), ensure_ascii=False, indent=2))
            return
        self._print(view)

    def _print(self, view: services.PlanView) -> None:
        plan = view.plan
        tz = timezone.get_current_timezone()
        out = self.stdout
        out.write(
            f"Campaign {plan.campaign_id} at {plan.at.astimezone(tz):%Y-%m-%d %H:%M %Z}: "
            f"{len(plan.planned)} follow-up(s), {len(plan.skipped)} not followed up."
        )
        for p in plan.planned:
            outlet = view.outlet(p.contact_id)
            via = f" via {view.name(p.via_id)}" if p.via_id else ""
            out.write(
                f"\n+ {view.name(p.contact_id)} ({outlet or '-'}) {p.channel}{via}, "
                f"{p.window_start:%a %Y-%m-%d %H:%M}-{p.window_end:%H:%M} {p.window_start:%Z}, "
                f"{view.username(p.assignee_id) or 'nobody'}, priority {p.priority:.2f}"
            )
            for reason in p.reasons:
                out.write(f"    - {reason.text()}")
        if plan.skipped:
            out.write("\nNot followed up:")
        for s in plan.skipped:
            out.write(f"- {view.name(s.contact_id)} [{s.reason_code}] {s.reason.text()}")
        if plan.cut is not None:
            out.write(f"\nCapacity cut at priority {plan.cut:.2f}.")
