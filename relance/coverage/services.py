"""Monitoring: feeds kept in step with outlets, polled politely, articles
stored once.

* `sync_feeds()` makes one Feed per URL in the outlets' `feed_urls`.
* `poll_due_feeds(at=…)` claims each due feed atomically (two workers, or
  the worker and `relance ingest-feeds`, never poll one feed at once), then
  `poll_feed` fetches it with a conditional request, reads the pages of
  entries that carry only a summary, and stores the new articles in one
  transaction. A failure (network, HTTP, not a feed) is written on the Feed
  and delays its next poll (doubling each time); it never stops the others.
* `ingest_feed_file(outlet, data)` does the same for a feed read from a file.
* `on_new_articles(articles)` is called after each commit with what was
  stored: where matching to campaigns plugs in.

Nothing is lost or doubled when a poll is interrupted: articles are keyed by
canonical URL, and an entry whose page could not be read is left for the
next poll, whose request is then made unconditional so the entry comes back.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.contacts.models import Outlet, Periodicity
from relance.coverage import collect, fetch, fingerprint
from relance.coverage.collect import Draft
from relance.coverage.feeds import FeedError, ParsedFeed, parse_feed
from relance.coverage.models import Article, ArticleBand, CoverageItem, Feed

logger = logging.getLogger(__name__)

# How often a feed is read, by the outlet's rhythm: a news site publishes all
# day, a monthly's feed changes a few times a month.
POLL_EVERY: dict[str, timedelta] = {
    Periodicity.CONTINUOUS: timedelta(minutes=20),
    Periodicity.DAILY: timedelta(minutes=30),
    Periodicity.WEEKLY: timedelta(hours=2),
    Periodicity.BIWEEKLY: timedelta(hours=2),
    Periodicity.MONTHLY: timedelta(hours=6),
    Periodicity.BIMONTHLY: timedelta(hours=6),
    Periodicity.QUARTERLY: timedelta(hours=6),
    Periodicity.IRREGULAR: timedelta(hours=2),
}
DEFAULT_POLL_EVERY = timedelta(minutes=30)
# A feed failing for days is still tried once a day, so it recovers by itself.
MAX_BACKOFF = timedelta(hours=24)
# A claim outlives a crashed poller by this much, then the feed is due again.
CLAIM_LEASE = timedelta(minutes=15)
# Possible originals looked at for one new text (band collisions beyond this
# are noise from boilerplate-heavy texts).
MAX_CANDIDATES = 20


@dataclass
class Item:
    """One feed entry read, and what became of it (`relance ingest-feeds
    --json` prints one per line)."""

    feed_id: int | None
    outlet_id: int
    link: str
    canonical_url: str
    title: str
    author: str
    published_at: datetime | None
    guid: str
    # new: stored; copy: stored as a copy of another article; known: stored
    # before; deferred: left for the next poll; no_link: nothing to store.
    status: str
    text_source: str = ""
    article_id: int | None = None
    duplicate_of: int | None = None
    note: str = ""
    matches: list[dict[str, Any]] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "feed_id": self.feed_id,
            "outlet_id": self.outlet_id,
            "url": self.link,
            "canonical_url": self.canonical_url,
            "title": self.title,
            "author": self.author,
            "published_at": self.published_at.isoformat() if self.published_at else None,
            "guid": self.guid,
            "status": self.status,
            "text_source": self.text_source,
            "article_id": self.article_id,
            "duplicate_of": self.duplicate_of,
            "note": self.note,
            # The campaigns it may be coverage of (candidates for review).
            "matches": self.matches,
        }


@dataclass
class PollResult:
    feed_id: int | None
    outlet_id: int
    url: str
    status: str  # ok, not_modified, failed
    error: str = ""
    items: list[Item] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for i in self.items if i.status == status)


# --- Feeds in step with outlets -----------------------------------------------------


def _feed_urls(value: Any) -> list[str]:
    if not isinstance(value, list):
        return []
    urls = [str(u).strip() for u in value if isinstance(u, str)]
    return list(dict.fromkeys(u for u in urls if u.lower().startswith(("http://", "https://"))))


@transaction.atomic
def sync_feeds(outlets: Iterable[Outlet] | None = None) -> int:
    """One active Feed per URL in `feed_urls` (every outlet's by default);
    feeds whose URL left the list are deactivated, not deleted (their
    articles keep their origin). Returns how many feeds were created."""
    feeds = Feed.objects.all()
    if outlets is None:
        rows = list(Outlet.objects.values_list("id", "feed_urls"))
    else:
        rows = [(o.pk, o.feed_urls) for o in outlets]
        # A few outlets; for all of them, no IN list (SQLite caps its length).
        feeds = feeds.filter(outlet_id__in=[pk for pk, _urls in rows])
    wanted = {(pk, url) for pk, urls in rows for url in _feed_urls(urls)}
    existing = {(f.outlet_id, f.url): f for f in feeds}
    missing = [Feed(outlet_id=pk, url=url) for pk, url in sorted(wanted - existing.keys())]
    Feed.objects.bulk_create(missing, ignore_conflicts=True)
    back = [f.pk for key, f in existing.items() if key in wanted and not f.active]
    gone = [f.pk for key, f in existing.items() if key not in wanted and f.active]
    if back:
        Feed.objects.filter(pk__in=back).update(active=True, next_poll_at=None)
    if gone:
        Feed.objects.filter(pk__in=gone).update(active=False)
    return len(missing)


# --- Scheduling -----------------------------------------------------------------------


def poll_interval(outlet: Outlet) -> timedelta:
    return POLL_EVERY.get(outlet.periodicity, DEFAULT_POLL_EVERY)


def _backoff(outlet: Outlet, failures: int, retry_after: float | None = None) -> timedelta:
    wait = min(poll_interval(outlet) * (2 ** min(failures, 16)), MAX_BACKOFF)
    if retry_after:
        # The server asked (429 or 503 with Retry-After): do as it says.
        wait = max(wait, min(timedelta(seconds=retry_after), MAX_BACKOFF))
    return wait


def due_feeds(at: datetime) -> Any:
    return (
        Feed.objects.filter(active=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=at))
        .select_related("outlet")
        .order_by(F("next_poll_at").asc(nulls_first=True), "id")
    )


def _claim(feed: Feed, at: datetime) -> bool:
    """Take the feed for this poll; False when another poller has it."""
    taken = Feed.objects.filter(pk=feed.pk, active=True, next_poll_at=feed.next_poll_at).update(
        next_poll_at=at + CLAIM_LEASE
    )
    return taken == 1


def _failed(feed: Feed, at: datetime, error: str, retry_after: float | None = None) -> PollResult:
    failures = feed.failures + 1
    Feed.objects.filter(pk=feed.pk).update(
        failures=F("failures") + 1,
        last_error=error,
        last_polled_at=at,
        next_poll_at=at + _backoff(feed.outlet, failures, retry_after),
    )
    feed.refresh_from_db()
    logger.debug("feed %s failed: %s", feed.url, error)
    return PollResult(feed.pk, feed.outlet_id, feed.url, "failed", error=error)


def _succeeded(feed: Feed, at: datetime, *, etag: str, last_modified: str) -> None:
    Feed.objects.filter(pk=feed.pk).update(
        etag=etag[:500],
        last_modified=last_modified[:100],
        failures=0,
        last_error="",
        last_polled_at=at,
        last_ok_at=at,
        next_poll_at=at + poll_interval(feed.outlet),
    )
    feed.refresh_from_db()


# --- Polling --------------------------------------------------------------------------


def poll_feed(feed: Feed, *, at: datetime | None = None, read_pages: bool = True) -> PollResult:
    """Read one feed now, store its new articles, record how it went on the
    Feed. Raises nothing for a feed's own failures."""
    at = at or timezone.now()
    try:
        response = fetch.fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=fetch.FEED_ACCEPT
        )
    except fetch.FetchError as exc:
        return _failed(feed, at, str(exc), exc.retry_after)
    if response.not_modified:
        _succeeded(
            feed,
            at,
            etag=response.etag or feed.etag,
            last_modified=response.last_modified or feed.last_modified,
        )
        return PollResult(feed.pk, feed.outlet_id, feed.url, "not_modified")
    try:
        parsed = parse_feed(response.body, url=response.url, content_type=response.content_type)
    except FeedError as exc:
        return _failed(feed, at, str(exc))
    items, created = _ingest(parsed, feed.outlet, feed, at, read_pages=read_pages)
    # An entry left for later must come back at the next poll: forget the
    # validators, or the server would answer 304 and it would be lost.
    complete = not any(i.status == "deferred" for i in items)
    _succeeded(
        feed,
        at,
        etag=response.etag if complete else "",
        last_modified=response.last_modified if complete else "",
    )
    _matched(items, on_new_articles(created))
    return PollResult(feed.pk, feed.outlet_id, feed.url, "ok", items=items)


def poll_due_feeds(
    *,
    at: datetime | None = None,
    limit: int | None = None,
    read_pages: bool = True,
    progress: Callable[[PollResult], None] | None = None,
) -> list[PollResult]:
    """Poll every feed that is due (after syncing feeds with outlets)."""
    at = at or timezone.now()
    sync_feeds()
    feeds = list(due_feeds(at)[:limit] if limit else due_feeds(at))
    results: list[PollResult] = []
    for feed in feeds:
        if not _claim(feed, at):
            continue
        try:
            result = poll_feed(feed, at=at, read_pages=read_pages)
        except Exception as exc:  # a bug on one feed must not starve the others
            logger.exception("polling feed %s failed", feed.pk)
            result = _failed(
                feed, at, _("Unexpected error: %(error)s") % {"error": exc.__class__.__name__}
            )
        results.append(result)
        if progress:
            progress(result)
    return results


def ingest_feed_file(
    outlet: Outlet, data: bytes, *, at: datetime | None = None, read_pages: bool = True
) -> PollResult:
    """Store the articles of a feed document read from a file (a demo
    outlet, a feed saved by hand); FeedError if it is not a feed."""
    at = at or timezone.now()
    parsed = parse_feed(data)
    items, created = _ingest(parsed, outlet, None, at, read_pages=read_pages)
    _matched(items, on_new_articles(created))
    return PollResult(None, outlet.pk, "", "ok", items=items)


def on_new_articles(articles: Sequence[Article]) -> list[CoverageItem]:
    """Called with the articles each poll or file stored, once the storing
    transaction is over (an empty list too): they are matched to the active
    campaigns, and what may be coverage waits in the review queue."""
    from relance.coverage import items

    return items.match_articles(articles)


def _matched(read: list[Item], proposed: list[CoverageItem]) -> None:
    by_article: dict[int, list[dict[str, Any]]] = {}
    for c in proposed:
        by_article.setdefault(c.article_id or 0, []).append(
            {"campaign_id": c.campaign_id, "score": c.score, "names": c.evidence.get("names", [])}
        )
    for item in read:
        if item.article_id in by_article:
            item.matches = by_article[item.article_id]


# --- Storing --------------------------------------------------------------------------


def _known(canonical_urls: list[str], links: list[str]) -> set[str]:
    found: set[str] = set()
    found.update(
        Article.objects.filter(canonical_url__in=canonical_urls).values_list(
            "canonical_url", flat=True
        )
    )
    found.update(Article.objects.filter(url__in=links).values_list("url", flat=True))
    return found


def _ingest(
    parsed: ParsedFeed, outlet: Outlet, feed: Feed | None, at: datetime, *, read_pages: bool
) -> tuple[list[Item], list[Article]]:
    drafts = collect.drafts(
        parsed.entries,
        language=parsed.language or outlet.language,
        tz_name=outlet.timezone,
        known=_known,
        read_pages=read_pages,
    )
    return store_drafts(drafts, outlet=outlet, feed=feed, at=at)


def _item(draft: Draft, outlet: Outlet, feed: Feed | None, status: str) -> Item:
    return Item(
        feed_id=feed.pk if feed else None,
        outlet_id=outlet.pk,
        link=draft.link,
        canonical_url=draft.canonical_url,
        title=draft.title,
        author=draft.author,
        published_at=draft.published_at,
        guid=draft.guid,
        status=status,
        text_source=draft.text_source,
        note=draft.note,
    )


def _original(hashes: set[int], keys: list[int]) -> int | None:
    """The stored article this text is a copy of, if any."""
    if not keys:
        return None
    ids = list(
        ArticleBand.objects.filter(key__in=keys)
        .values_list("article_id", flat=True)
        .distinct()[:MAX_CANDIDATES]
    )
    rows = Article.objects.filter(pk__in=ids, duplicate_of__isnull=True).values_list("pk", "text")
    best = fingerprint.best_original(hashes, rows)
    return best[0] if best else None


@transaction.atomic
def store_drafts(
    drafts: Sequence[Draft], *, outlet: Outlet, feed: Feed | None, at: datetime
) -> tuple[list[Item], list[Article]]:
    """Store the drafts that are new, each once; returns an item per draft
    and the articles created. All or nothing: an error rolls the batch back
    and the next poll does it again."""
    items: list[Item] = []
    created: list[Article] = []
    wanted = [d.canonical_url for d in drafts if not d.skip]
    stored = dict(
        Article.objects.filter(canonical_url__in=wanted).values_list("canonical_url", "pk")
    )
    stored_links = dict(
        Article.objects.filter(url__in=[d.link for d in drafts if not d.skip]).values_list(
            "url", "pk"
        )
    )
    for draft in drafts:
        if draft.skip:
            items.append(_item(draft, outlet, feed, draft.skip))
            continue
        known_pk = stored.get(draft.canonical_url) or stored_links.get(draft.link)
        if known_pk:
            item = _item(draft, outlet, feed, "known")
            item.article_id = known_pk
            items.append(item)
            continue
        hashes = fingerprint.shingles(draft.text)
        sig = fingerprint.signature(hashes)
        keys = fingerprint.bands(sig)
        original = _original(hashes, keys)
        article = Article(
            outlet=outlet,
            feed=feed,
            url=draft.link,
            canonical_url=draft.canonical_url,
            guid=draft.guid,
            title=draft.title,
            author=draft.author,
            published_at=draft.published_at,
            text=draft.text,
            summary=draft.summary,
            language=draft.language[:2],
            text_fingerprint=fingerprint.encode(sig),
            duplicate_of_id=original,
            fetched_at=at,
        )
        try:
            # A savepoint: another poller may have stored it a moment ago.
            with transaction.atomic():
                article.save()
        except IntegrityError:
            item = _item(draft, outlet, feed, "known")
            item.article_id = (
                Article.objects.filter(canonical_url=draft.canonical_url)
                .values_list("pk", flat=True)
                .first()
            )
            items.append(item)
            continue
        if original is None and keys:
            # Only originals are looked up: a copy of a copy points at the
            # first text, never along a chain.
            ArticleBand.objects.bulk_create([ArticleBand(article=article, key=k) for k in keys])
        stored[draft.canonical_url] = article.pk
        item = _item(draft, outlet, feed, "copy" if original else "new")
        item.article_id, item.duplicate_of = article.pk, original
        items.append(item)
        created.append(article)
    return items, created
