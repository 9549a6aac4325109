"""From feed entries to article drafts: what the article says and where it
lives, reading the linked page when the feed gives only a summary.

No database writes here (relance.coverage.services stores the drafts) and
no database transaction is open while pages are fetched: a slow site must
not hold the SQLite write lock or a PostgreSQL row lock.
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, time

from django.utils.translation import gettext as _

from relance.coverage import canonical, fetch
from relance.coverage.extract import Extracted, extract_article
from relance.coverage.feeds import FeedEntry
from relance.lib.text import clean_text, squash, words

logger = logging.getLogger(__name__)

# Feed content this long is the article itself; shorter, it is a teaser
# ("Lire la suite…") and the page is read instead.
FULL_TEXT_WORDS = 150
# Pages read per poll of one feed, at one a second per host (fetch's pacing):
# a feed's first poll with 50 unseen entries must not take a worker for
# minutes. The rest waits for the next poll (they are "deferred").
PAGES_PER_POLL = 25
# Longer addresses are not stored: they do not fit the unique index.
MAX_URL_BYTES = 2000
_HTML_TYPES = ("text/html", "application/xhtml+xml")


# Reads an article's page: (what it says, or None and why not).
Reader = Callable[[str], tuple[Extracted | None, str]]


@dataclass(frozen=True)
class Draft:
    """An article ready to store, or the reason it is not."""

    link: str
    canonical_url: str
    guid: str
    title: str
    author: str
    published_at: datetime | None
    text: str
    summary: str
    language: str
    # Where the text comes from: "feed" (full content in the feed), "page"
    # (extracted from the article's page), "summary" (only the feed's summary).
    text_source: str
    # "" for a draft to store; else "no_link" or "deferred" (try again at the
    # next poll: the page could not be read for now).
    skip: str = ""
    note: str = ""


def _fits(url: str) -> bool:
    return bool(url) and len(url.encode("utf-8")) <= MAX_URL_BYTES


def _aware(day: date | None, tz_name: str) -> datetime | None:
    """A page's publication day as a time: midnight where the outlet is."""
    if day is None:
        return None
    try:
        tz = zoneinfo.ZoneInfo(tz_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        tz = zoneinfo.ZoneInfo("UTC")
    return datetime.combine(day, time(0), tzinfo=tz)


def _is_full(entry: FeedEntry) -> bool:
    return len(words(entry.content)) >= FULL_TEXT_WORDS


def _base(entry: FeedEntry, link: str, language: str) -> Draft:
    full = _is_full(entry)
    return Draft(
        link=link,
        canonical_url=canonical.canonicalize(link),
        guid=squash(entry.guid)[:1000],
        title=squash(entry.title)[:1000],
        author=squash(entry.author)[:300],
        published_at=entry.published,
        text=clean_text(entry.content if full else (entry.content or entry.summary)),
        summary=clean_text(entry.summary),
        language=language,
        text_source="feed" if full else "summary",
    )


def read_page(url: str) -> tuple[Extracted | None, str]:
    """The article on `url`, or (None, why) when the page gives nothing;
    FetchError propagates for the caller to tell transient from final."""
    response = fetch.fetch(url, accept=fetch.PAGE_ACCEPT)
    kind = response.content_type.split(";")[0].strip().lower()
    if kind and kind not in _HTML_TYPES:
        return None, _("The page is not HTML (%(type)s).") % {"type": kind}
    return extract_article(response.text(), url=response.url), ""


def _with_page(draft: Draft, page: Extracted, tz_name: str) -> Draft:
    """The draft completed by its page; the feed's own title and byline win
    (they are what the outlet chose to publish), the page fills the gaps."""
    canonical_url = page.canonical_url if _fits(page.canonical_url) else draft.canonical_url
    return replace(
        draft,
        canonical_url=canonical_url or draft.canonical_url,
        title=draft.title or squash(page.title)[:1000],
        author=draft.author or squash(page.author)[:300],
        published_at=draft.published_at or _aware(page.published, tz_name),
        text=clean_text(page.text) if page.text else draft.text,
        summary=draft.summary or clean_text(page.description),
        language=page.language or draft.language,
        text_source="page" if page.text else draft.text_source,
    )


def drafts(
    entries: Iterable[FeedEntry],
    *,
    language: str,
    tz_name: str,
    known: Callable[[list[str], list[str]], set[str]],
    read_pages: bool = True,
    reader: Reader = read_page,
) -> list[Draft]:
    """A draft per entry, in feed order.

    `known(canonical_urls, links)` says which of these addresses are stored
    already; those entries come back as drafts too (the caller reports them
    as known) but their pages are not read again."""
    base: list[Draft] = []
    seen: set[str] = set()
    for entry in entries:
        link = entry.link if _fits(entry.link) else ""
        draft = _base(entry, link, language)
        if not draft.canonical_url or not _fits(draft.canonical_url):
            base.append(replace(draft, skip="no_link", note=_("The entry has no usable link.")))
            continue
        if draft.canonical_url in seen:  # the feed lists it twice
            continue
        seen.add(draft.canonical_url)
        base.append(draft)
    stored = known(
        [d.canonical_url for d in base if not d.skip], [d.link for d in base if not d.skip]
    )
    out: list[Draft] = []
    pages = 0
    for draft in base:
        settled = draft.skip or draft.text_source == "feed" or not read_pages
        if settled or draft.canonical_url in stored or draft.link in stored:
            out.append(draft)
        elif pages >= PAGES_PER_POLL:
            out.append(replace(draft, skip="deferred", note=_("Left for the next poll.")))
        else:
            pages += 1
            out.append(_read(draft, tz_name, reader))
    return out


def _read(draft: Draft, tz_name: str, reader: Reader) -> Draft:
    try:
        page, why = reader(draft.link)
    except fetch.FetchError as exc:
        if exc.transient:
            return replace(draft, skip="deferred", note=str(exc))
        # The page will not get better (404, refused address, too large):
        # keep what the feed says rather than lose the article.
        return replace(draft, note=str(exc))
    if page is None:
        return replace(draft, note=why)
    return _with_page(draft, page, tz_name)
