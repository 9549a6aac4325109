"""`relance ingest-mail (--maildir DIR | --mbox FILE | --imap URL) [--json]`:
read the campaign mailbox and bring bounces, automatic replies, replies
and complaints back into the outbox, the campaigns and the contacts
(relance.outreach.inbound; docs/mail.md)."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from relance.outreach import inbound, mailboxes


class Command(BaseCommand):
    help = "Read bounces, automatic replies and replies from a maildir, an mbox or IMAP."

    def add_arguments(self, parser: CommandParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--maildir", metavar="DIR", help="a maildir (new/ and cur/)")
        source.add_argument("--mbox", metavar="FILE", help="an mbox file")
        source.add_argument(
            "--imap", metavar="URL", help="imaps://user:password@host/FOLDER (unseen messages)"
        )
        parser.add_argument("--json", action="store_true", help="one JSON object per message")
        parser.add_argument(
            "--processes",
            type=int,
            default=0,
            help="classifying processes (default: 2 from 1,000 messages on, else 1)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["imap"]:
                outcomes = self._imap(options)
            else:
                if options["maildir"]:
                    count, items = mailboxes.maildir_items(options["maildir"])
                else:
                    count, items = mailboxes.mbox_items(options["mbox"])
                processes = options["processes"] or mailboxes.default_processes(count)
                outcomes = list(self._run(inbound.ingest(items, processes=processes), options))
        except mailboxes.SourceError as exc:
            raise CommandError(str(exc)) from None
        if not options["json"]:
            self._summary(outcomes)

    def _run(self, outcomes: Any, options: dict[str, Any]) -> Any:
        for outcome in outcomes:
            if options["json"]:
                self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False))
            yield outcome

    def _imap(self, options: dict[str, Any]) -> list[inbound.Outcome]:
        try:
            target = mailboxes.parse_imap_url(options["imap"])
        except ValueError as exc:
            raise CommandError(f"--imap: {exc}") from None
        return list(self._run(inbound.ingest_imap(target), options))

    def _summary(self, outcomes: list[inbound.Outcome]) -> None:
        kinds = Counter(o.kind for o in outcomes)
        effects = Counter(o.effect for o in outcomes)
        matched = sum(1 for o in outcomes if o.matched_outbox_id is not None)
        self.stdout.write(
            f"{len(outcomes)} message(s) read: "
            + ", ".join(f"{kinds[k]} {k}" for k in ("bounce", "auto_reply", "reply", "other"))
            + "."
        )
        unmatched = len(outcomes) - matched
        self.stdout.write(f"  matched to a sent message: {matched}, unmatched: {unmatched}")
        for effect, count in sorted(effects.items()):
            self.stdout.write(f"  {effect}: {count}")
