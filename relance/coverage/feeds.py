"""Reading feeds: RSS 0.9x, 1.0 and 2.0, Atom 0.3 and 1.0 (through
feedparser) and JSON Feed 1.0 and 1.1 (feedparser 6.0 does not read it, so
here), into plain data.

feedparser is given bytes wrapped in a stream, never a string: given a
string it would fetch URLs and open local files by itself, around every
check in relance.coverage.fetch.
"""

from __future__ import annotations

import io
import json
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser
from django.utils.translation import gettext as _

from relance.coverage.markup import html_to_text


class FeedError(ValueError):
    """The document is not a feed we can read; the message says why."""


@dataclass(frozen=True)
class FeedEntry:
    title: str
    link: str  # the article's http(s) address, "" when the entry has none
    summary: str  # plain text
    content: str  # plain text of the full content, when the feed carries it
    author: str
    published: datetime | None  # time-zone aware
    guid: str


@dataclass(frozen=True)
class ParsedFeed:
    version: str  # feedparser's names ("rss20", "atom10"…), or "json1"
    title: str
    link: str
    language: str
    entries: tuple[FeedEntry, ...]
    # feedparser read the document although it is not well-formed (a stray
    # "&" in a title is common); its entries are still usable.
    malformed: bool = False


def _http_url(value: Any) -> str:
    text = str(value or "").strip()
    return text if text.lower().startswith(("http://", "https://")) else ""


def _text(value: Any, kind: str = "text/html") -> str:
    text = str(value or "")
    if "html" in kind or "xml" in kind:
        return html_to_text(text)
    return " ".join(text.split()) if "\n" not in text.strip() else text.strip()


def _from_struct(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time | tuple) or len(value) < 6:
        return None
    try:
        # feedparser normalises every date it understands to UTC.
        year, month, day, hour, minute, second = (int(v) for v in value[:6])
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except (TypeError, ValueError):
        return None


def _from_iso(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        parsed_struct = feedparser.datetimes._parse_date(value)  # RFC 822 and friends
        return _from_struct(parsed_struct)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


# --- RSS and Atom ---------------------------------------------------------------------


def _entry_link(entry: Any) -> str:
    for link in entry.get("links") or []:
        if link.get("rel", "alternate") == "alternate" and _http_url(link.get("href")):
            return _http_url(link.get("href"))
    # RSS: a guid that is a permalink is the article's address.
    return _http_url(entry.get("link")) or (
        _http_url(entry.get("id")) if entry.get("guidislink", True) else ""
    )


def _author(entry: Any) -> str:
    names = [str(a.get("name") or "").strip() for a in entry.get("authors") or [] if a.get("name")]
    if names:
        return ", ".join(dict.fromkeys(names))
    detail = entry.get("author_detail") or {}
    return str(detail.get("name") or entry.get("author") or "").strip()


def _content(entry: Any) -> str:
    best = ""
    for part in entry.get("content") or []:
        text = _text(part.get("value"), str(part.get("type") or "text/html"))
        if len(text) > len(best):
            best = text
    return best


def _entry(entry: Any) -> FeedEntry:
    title_kind = str((entry.get("title_detail") or {}).get("type") or "text/plain")
    summary_kind = str((entry.get("summary_detail") or {}).get("type") or "text/html")
    return FeedEntry(
        title=_text(entry.get("title"), title_kind),
        link=_entry_link(entry),
        summary=_text(entry.get("summary"), summary_kind),
        content=_content(entry),
        author=_author(entry),
        published=_from_struct(
            entry.get("published_parsed")
            or entry.get("updated_parsed")
            or entry.get("created_parsed")
        ),
        guid=str(entry.get("id") or "").strip(),
    )


def parse_xml(data: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    headers = {"content-location": url} if url else {}
    if content_type:
        headers["content-type"] = content_type
    result = feedparser.parse(io.BytesIO(data), response_headers=headers)
    version = str(result.get("version") or "")
    if not version and not result.entries:
        problem = result.get("bozo_exception")
        raise FeedError(
            _("This is not a feed (RSS, Atom or JSON Feed): %(problem)s")
            % {"problem": problem or _("no feed element found")}
        )
    info = result.feed
    return ParsedFeed(
        version=version or "unknown",
        title=_text(info.get("title"), str((info.get("title_detail") or {}).get("type") or "")),
        link=_http_url(info.get("link")),
        language=str(info.get("language") or "").split("-")[0].lower()[:2],
        entries=tuple(_entry(e) for e in result.entries),
        malformed=bool(result.get("bozo")),
    )


# --- JSON Feed (https://www.jsonfeed.org/version/1.1/) -----------------------------


def _json_author(item: dict[str, Any]) -> str:
    people = item.get("authors")
    if not isinstance(people, list):
        people = [item["author"]] if isinstance(item.get("author"), dict) else []
    names = [str(p.get("name") or "").strip() for p in people if isinstance(p, dict)]
    return ", ".join(n for n in dict.fromkeys(names) if n)


def _json_item(item: dict[str, Any]) -> FeedEntry:
    html = item.get("content_html")
    content = _text(html) if isinstance(html, str) else _text(item.get("content_text"), "text")
    return FeedEntry(
        title=_text(item.get("title"), "text"),
        link=_http_url(item.get("url")) or _http_url(item.get("external_url")),
        summary=_text(item.get("summary"), "text"),
        content=content,
        author=_json_author(item),
        published=_from_iso(item.get("date_published")) or _from_iso(item.get("date_modified")),
        guid=str(item.get("id") or "").strip(),
    )


def parse_json(data: bytes) -> ParsedFeed:
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise FeedError(
            _("This JSON Feed cannot be read: %(problem)s") % {"problem": exc}
        ) from None
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or "jsonfeed.org/version/" not in version:
        raise FeedError(_("This JSON document is not a JSON Feed (no jsonfeed.org version)."))
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(_("This JSON Feed has no list of items."))
    return ParsedFeed(
        version="json" + version.rstrip("/").rsplit("/", 1)[-1].replace(".", ""),
        title=_text(document.get("title"), "text"),
        link=_http_url(document.get("home_page_url")),
        language=str(document.get("language") or "").split("-")[0].lower()[:2],
        entries=tuple(_json_item(i) for i in items if isinstance(i, dict)),
    )


def parse_feed(data: bytes, *, url: str = "", content_type: str = "") -> ParsedFeed:
    """The feed in `data`, whatever its format; FeedError if it is none."""
    # By the first byte, not the Content-Type: servers label feeds at random.
    start = data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    if start in (b"{", b"["):
        return parse_json(data)
    return parse_xml(data, url=url, content_type=content_type)
