"""`relance ingest-feeds [--feed-file FILE --outlet ID] [--json]`: poll the
feeds that are due (or read one feed from a file for an outlet) and store
the new articles (relance.coverage.services; docs/coverage.md).

`--json` prints one JSON object per feed entry read: `feed_id`,
`outlet_id`, `url`, `canonical_url`, `title`, `author`, `published_at`,
`guid`, `status` (new, copy, known, deferred, no_link), `text_source`
(feed, page, summary), `article_id`, `duplicate_of`, `note` and `matches`.
Feeds that could not be read are reported on standard error."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from relance.contacts.models import Outlet
from relance.coverage import services
from relance.coverage.feeds import FeedError

# A feed file larger than this is not a feed (the fetcher's limit is 5 MB).
MAX_FILE_BYTES = 50 * 1024 * 1024


class Command(BaseCommand):
    help = "Poll the due feeds (or read a feed file for an outlet) and store new articles."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--feed-file", metavar="FILE", help="read this feed file instead")
        parser.add_argument("--outlet", metavar="ID", help="the outlet the feed file is from")
        parser.add_argument("--json", action="store_true", help="one JSON object per entry read")
        parser.add_argument(
            "--no-pages",
            action="store_true",
            help="store what the feeds say; do not read the linked pages",
        )
        parser.add_argument("--limit", type=int, default=0, help="poll at most N feeds")

    def handle(self, *args: Any, **options: Any) -> None:
        self.verbosity = int(options["verbosity"])
        read_pages = not options["no_pages"]
        if options["feed_file"] or options["outlet"]:
            results = [self._file(options, read_pages)]
        else:
            results = services.poll_due_feeds(
                limit=options["limit"] or None,
                read_pages=read_pages,
                progress=None if options["json"] else self._progress,
            )
        for result in results:
            if result.status == "failed":
                self.stderr.write(f"{result.url}: {result.error}")
            if options["json"]:
                for item in result.items:
                    self.stdout.write(json.dumps(item.as_json(), ensure_ascii=False))
        if not options["json"]:
            self._summary(results)

    def _file(self, options: dict[str, Any], read_pages: bool) -> services.PollResult:
        if not (options["feed_file"] and options["outlet"]):
            raise CommandError(_("--feed-file and --outlet go together."))
        try:
            outlet = Outlet.objects.get(pk=int(options["outlet"]))
        except (ValueError, Outlet.DoesNotExist):
            raise CommandError(_("No outlet with id %(id)r.") % {"id": options["outlet"]}) from None
        path = Path(options["feed_file"])
        try:
            if path.stat().st_size > MAX_FILE_BYTES:
                raise CommandError(_("%(path)s is too large for a feed.") % {"path": path})
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s") % {"path": path, "error": exc.strerror}
            ) from None
        try:
            return services.ingest_feed_file(outlet, data, read_pages=read_pages)
        except FeedError as exc:
            raise CommandError(f"{path}: {exc}") from None

    def _progress(self, result: services.PollResult) -> None:
        if self.verbosity < 2:
            return
        self.stdout.write(
            _("  %(url)s: %(status)s, %(new)d new, %(copies)d copies")
            % {
                "url": result.url,
                "status": result.status,
                "new": result.count("new"),
                "copies": result.count("copy"),
            }
        )

    def _summary(self, results: list[services.PollResult]) -> None:
        failed = sum(1 for r in results if r.status == "failed")
        unchanged = sum(1 for r in results if r.status == "not_modified")
        self.stdout.write(
            _(
                "%(feeds)d feed(s) read: %(read)d with entries, %(same)d unchanged, "
                "%(failed)d failed."
            )
            % {
                "feeds": len(results),
                "read": len(results) - failed - unchanged,
                "same": unchanged,
                "failed": failed,
            }
        )
        labels = {
            "new": _("new articles"),
            "copy": _("copies of an article from another address"),
            "known": _("already stored"),
            "deferred": _("left for the next poll"),
            "no_link": _("entries without a link"),
        }
        for status, label in labels.items():
            count = sum(r.count(status) for r in results)
            if count:
                self.stdout.write(f"  {label}: {count}")
