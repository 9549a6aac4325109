"""An article's text, title, author and date from its page, with trafilatura.

trafilatura only ever sees HTML we fetched ourselves (relance.coverage.fetch):
it is never given a URL to download, so its own HTTP client and its looser
address checks are never used. The URL is passed as metadata only (it helps
date and site-name detection).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

import trafilatura
from trafilatura.settings import use_config

from relance.coverage import canonical, markup

logger = logging.getLogger(__name__)

_CONFIG = use_config()
# Its signal-based timeout only works in a main thread; our fetch size limit
# already bounds the work.
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")
# What sites put between an article's title and their name.
_SEPARATORS = "-|–—·:»/"


@dataclass(frozen=True)
class Extracted:
    text: str
    title: str
    author: str
    published: date | None
    language: str  # two letters, "" when the page does not say
    canonical_url: str  # the page's canonical address (relance.coverage.canonical)
    description: str
    site_name: str


def _clean_title(title: str, site_name: str) -> str:
    """The title without the site's name that pages add to it ("Title | Site",
    "Site - Title"); never the whole title."""
    title = " ".join(title.split())
    site = " ".join(site_name.split())
    if not site or len(site) >= len(title):
        return title
    lowered, name = title.lower(), site.lower()
    if lowered.endswith(name):
        head = title[: -len(site)].rstrip()
        if head and head[-1] in _SEPARATORS and head.rstrip(_SEPARATORS + " "):
            return head.rstrip(_SEPARATORS + " ")
    if lowered.startswith(name):
        tail = title[len(site) :].lstrip()
        if tail and tail[0] in _SEPARATORS and tail.lstrip(_SEPARATORS + " "):
            return tail.lstrip(_SEPARATORS + " ")
    return title


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def extract_article(html: str, *, url: str) -> Extracted:
    """What a reader sees of the article on this page. Never raises: a page
    trafilatura cannot read gives its plain text and empty metadata."""
    language, declared = markup.head_facts(html, url)
    canonical_url = canonical.choose(url, declared)
    try:
        doc = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            config=_CONFIG,
        )
    except Exception:  # a parser bug on one page must not stop a feed poll
        logger.warning("trafilatura failed on %s", url, exc_info=True)
        doc = None
    if doc is None or isinstance(doc, dict):
        return Extracted(
            # Not the page's whole text: menus and footers would make false
            # matches later; the feed's summary stands in.
            text="" if doc is None else str(doc.get("text") or ""),
            title="",
            author="",
            published=None,
            language=language,
            canonical_url=canonical_url,
            description="",
            site_name="",
        )
    site_name = str(doc.sitename or "")
    return Extracted(
        text=str(doc.text or "").strip(),
        title=_clean_title(str(doc.title or ""), site_name),
        author=str(doc.author or "").strip(),
        published=_date(doc.date),
        language=language or str(doc.language or "")[:2],
        canonical_url=canonical_url,
        description=str(doc.description or "").strip(),
        site_name=site_name,
    )
