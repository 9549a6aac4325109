"""Monitoring end to end: outlets' feeds served by a real local HTTP server,
polled by the service and by `relance ingest-feeds`: articles stored once,
pages read when the feed gives only a summary, syndicated copies pointing
at their original, failures written on the feed with back-off, entries
whose page is unavailable left for the next poll, and the --json output."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from relance.coverage import fetch, services
from relance.coverage.models import Article, ArticleBand, Feed

from .factories import outlet
from .test_coverage_dedup import COPY, OTHER, WIRE
from .test_coverage_fetch import LocalSite, Route, loopback_only

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "data" / "coverage" / "feeds"
PORT = (
    "Le port de Sainte-Luce prépare sa saison touristique avec un nouveau ponton, financé par "
    "la communauté de communes. Les plaisanciers pourront amarrer quarante bateaux de plus dès "
    "le mois de juin, et la capitainerie promet des tarifs inchangés pour les habitants. Le "
    "conseil portuaire a aussi voté la rénovation de la criée, dont la toiture fuit depuis "
    "deux hivers, ainsi que l'installation de bornes de recharge pour les navettes électriques "
    "qui relieront bientôt le port au centre-ville pendant toute la saison estivale."
)


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch):
    loopback_only(monkeypatch)


@pytest.fixture
def site(settings):
    server = LocalSite()
    settings.RELANCE_FETCH_ALLOW_HOSTS = frozenset({server.host_port})
    settings.RELANCE_FETCH_MIN_INTERVAL = 0
    settings.RELANCE_FETCH_TIMEOUT = 5.0
    fetch.pacer.reset()
    try:
        yield server
    finally:
        server.close()


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>Le Courrier</title>'
        "<link>http://127.0.0.1/</link><language>fr</language>"
        + "".join(items)
        + "</channel></rss>"
    ).encode()


def item(
    link: str,
    title: str,
    *,
    summary: str = "",
    content: str = "",
    author: str = "",
    date: str = "Mon, 09 Mar 2026 08:00:00 +0100",
) -> str:
    parts = [f"<item><title>{title}</title><link>{link}</link><guid>{link}</guid>"]
    parts.append(f"<pubDate>{date}</pubDate>")
    if summary:
        parts.append(f"<description><![CDATA[{summary}]]></description>")
    if content:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    if author:
        parts.append(f"<dc:creator>{author}</dc:creator>")
    return "".join(parts) + "</item>"


def page(title: str, text: str, *, canonical: str = "", author: str = "Claire Dubois") -> bytes:
    paragraphs = "".join(f"<p>{p}.</p>" for p in text.split(". "))
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>'
        f'<meta name="author" content="{author}">{link}</head><body>'
        f'<nav><a href="/">Accueil</a> <a href="/sport">Sport</a></nav>'
        f"<article><h1>{title}</h1>{paragraphs}</article>"
        f"<footer>Mentions légales</footer></body></html>"
    ).encode()


@pytest.fixture
def courrier(cast, site):
    """An outlet whose feed has a full-text entry, a summary-only entry
    whose page is on the site, and one whose link carries tracking
    parameters and whose page declares its canonical address."""
    site.routes["/feed.xml"] = Route(
        etag='"v1"',
        headers={"Content-Type": "application/rss+xml"},
        body=rss(
            item(site.url("/full"), "Premiers kilowattheures", content=WIRE, author="AFP"),
            item(site.url("/teaser"), "Les habitants partagés", summary="Un reportage."),
            item(site.url("/tracked?utm_source=rss&utm_medium=feed"), "Le port", summary="Brève."),
        ),
    )
    site.routes["/teaser"] = Route(
        body=page("Les habitants partagés | Le Courrier", OTHER),
        headers={"Content-Type": "text/html; charset=utf-8"},
    )
    site.routes["/tracked?utm_source=rss&utm_medium=feed"] = Route(
        body=page("Le port", PORT, canonical="/le-port"),
        headers={"Content-Type": "text/html"},
    )
    return outlet(cast["director"], "Le Courrier", feed_urls=[site.url("/feed.xml")])


def _json_lines(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def test_command_polls_stores_once_and_prints_items(courrier, site):
    out, err = StringIO(), StringIO()
    call_command("ingest_feeds", "--json", stdout=out, stderr=err)
    items = _json_lines(out.getvalue())
    assert [i["status"] for i in items] == ["new", "new", "new"]
    assert [i["text_source"] for i in items] == ["feed", "page", "page"]
    assert all(i["matches"] == [] and i["outlet_id"] == courrier.pk for i in items)
    full, teaser, tracked = (Article.objects.get(pk=i["article_id"]) for i in items)
    assert full.text == WIRE and full.author == "AFP"
    assert full.published_at == datetime(2026, 3, 9, 7, 0, tzinfo=UTC)
    # The page was read for the summary-only entry: its text, its byline.
    assert "pêcheurs reconnaissent" in teaser.text and "Accueil" not in teaser.text
    assert teaser.summary == "Un reportage."
    assert teaser.author == "Claire Dubois" and teaser.language == "fr"
    # Stored under the page's canonical address, not the tracked link.
    assert tracked.canonical_url == site.url("/le-port")
    assert tracked.url == site.url("/tracked?utm_source=rss&utm_medium=feed")
    assert items[2]["canonical_url"] == site.url("/le-port")
    feed = Feed.objects.get(outlet=courrier)
    assert feed.etag == '"v1"' and feed.failures == 0 and feed.last_ok_at is not None
    assert feed.next_poll_at > timezone.now() + timedelta(minutes=20)
    assert err.getvalue() == ""

    # Not due yet: nothing is fetched.
    requests_before = len(site.requests)
    call_command("ingest_feeds", "--json", stdout=StringIO())
    assert len(site.requests) == requests_before

    # Due again: a conditional request, answered 304.
    Feed.objects.update(next_poll_at=None)
    out = StringIO()
    call_command("ingest_feeds", stdout=out)
    assert site.requests[-1][1]["if-none-match"] == '"v1"'
    assert "1 unchanged" in out.getvalue()

    # The feed changes: the known entries are not stored or read again.
    site.routes["/feed.xml"].etag = '"v2"'
    Feed.objects.update(next_poll_at=None)
    out = StringIO()
    call_command("ingest_feeds", "--json", stdout=out)
    assert [i["status"] for i in _json_lines(out.getvalue())] == ["known"] * 3
    assert site.requests[-1][0] == "/feed.xml"
    assert Article.objects.count() == 3


def test_syndicated_copy_points_at_the_original(courrier, site, cast):
    services.poll_due_feeds()
    original = Article.objects.get(canonical_url=site.url("/full"))
    # A second outlet runs the same dispatch, rewritten a little, on its page.
    site.routes["/other-feed.xml"] = Route(
        body=rss(item(site.url("/reprise"), "Sainte-Luce : le parc produit", summary="AFP."))
    )
    site.routes["/reprise"] = Route(body=page("Sainte-Luce : le parc produit", COPY))
    other = outlet(cast["director"], "L'Écho", feed_urls=[site.url("/other-feed.xml")])
    (result,) = services.poll_due_feeds()
    (copy_item,) = result.items
    assert copy_item.status == "copy" and copy_item.duplicate_of == original.pk
    copy = Article.objects.get(pk=copy_item.article_id)
    assert copy.outlet == other and copy.duplicate_of == original
    assert list(original.copies.all()) == [copy]
    # Only originals are indexed for look-ups; different texts stay apart.
    assert not ArticleBand.objects.filter(article=copy).exists()
    assert Article.objects.filter(duplicate_of__isnull=True).count() == 3


def test_the_same_address_in_two_outlets_feeds_is_stored_once(courrier, site, cast):
    site.routes["/agency.xml"] = Route(
        body=rss(item(site.url("/full#top"), "Repris", content=WIRE))
    )
    outlet(cast["director"], "Agence", feed_urls=[site.url("/agency.xml")])
    results = services.poll_due_feeds()
    statuses = sorted(i.status for r in results for i in r.items)
    assert statuses == ["known", "new", "new", "new"]
    assert Article.objects.filter(canonical_url=site.url("/full")).count() == 1


def test_failures_are_recorded_on_the_feed_and_back_off(cast, site):
    site.routes["/html"] = Route(body=b"<html><body>Pas un flux</body></html>")
    broken = outlet(
        cast["director"],
        "Cassé",
        feed_urls=[site.url("/missing.xml"), site.url("/html"), "http://10.0.0.1/feed.xml"],
    )
    at = timezone.now()
    err = StringIO()
    call_command("ingest_feeds", stdout=StringIO(), stderr=err)
    feeds = {f.url: f for f in Feed.objects.filter(outlet=broken)}
    missing = feeds[site.url("/missing.xml")]
    assert missing.failures == 1 and "404" in missing.last_error
    assert missing.last_ok_at is None and missing.last_polled_at is not None
    assert "not a feed" in feeds[site.url("/html")].last_error
    private = feeds["http://10.0.0.1/feed.xml"]
    assert "Refused" in private.last_error and "private" in private.last_error
    assert "404" in err.getvalue() and "Refused" in err.getvalue()
    # The next try waits twice the outlet's interval (daily: 30 minutes).
    assert missing.next_poll_at >= at + timedelta(minutes=59)
    Feed.objects.update(next_poll_at=None)
    services.poll_due_feeds()
    missing.refresh_from_db()
    assert missing.failures == 2
    assert missing.next_poll_at >= timezone.now() + timedelta(minutes=119)
    # Once it answers, the count starts again.
    site.routes["/missing.xml"] = Route(body=rss())
    Feed.objects.update(next_poll_at=None)
    services.poll_due_feeds()
    missing.refresh_from_db()
    assert (missing.failures, missing.last_error) == (0, "")


def test_an_unavailable_page_is_left_for_the_next_poll(cast, site):
    site.routes["/feed.xml"] = Route(
        etag='"v1"', body=rss(item(site.url("/later"), "Plus tard", summary="Bientôt."))
    )
    site.routes["/later"] = Route(status=503)
    monitored = outlet(cast["director"], "Le Soir", feed_urls=[site.url("/feed.xml")])
    (result,) = services.poll_due_feeds()
    assert [i.status for i in result.items] == ["deferred"]
    assert not Article.objects.exists()
    feed = Feed.objects.get(outlet=monitored)
    # No validators kept, so the next request gets the whole feed again.
    assert feed.etag == "" and feed.failures == 0
    site.routes["/later"] = Route(body=page("Plus tard", OTHER))
    Feed.objects.update(next_poll_at=None)
    (result,) = services.poll_due_feeds()
    assert [i.status for i in result.items] == ["new"]
    assert "if-none-match" not in site.requests[-2][1]
    feed.refresh_from_db()
    assert feed.etag == '"v1"'


def test_a_missing_page_keeps_the_feed_summary(cast, site):
    site.routes["/feed.xml"] = Route(
        body=rss(item(site.url("/gone"), "Disparu", summary="Le résumé du flux."))
    )
    outlet(cast["director"], "Le Matin", feed_urls=[site.url("/feed.xml")])
    (result,) = services.poll_due_feeds()
    (entry,) = result.items
    assert entry.status == "new" and entry.text_source == "summary" and "404" in entry.note
    assert Article.objects.get().text == "Le résumé du flux."


def test_two_pollers_never_take_the_same_feed(courrier):
    services.sync_feeds()
    feed = Feed.objects.get()
    at = timezone.now()
    assert services._claim(feed, at)
    assert not services._claim(feed, at)  # the second sees the first's lease


def test_feeds_follow_the_outlets_list(courrier, site, cast):
    from relance.contacts.services.outlets import update_outlet

    assert services.sync_feeds() == 1
    assert services.sync_feeds() == 0
    update_outlet(cast["director"], courrier, {"feed_urls": [site.url("/new.xml")]})
    assert services.sync_feeds() == 1
    active = dict(Feed.objects.values_list("url", "active"))
    assert active == {site.url("/feed.xml"): False, site.url("/new.xml"): True}


def test_new_articles_reach_the_hook(courrier, monkeypatch):
    seen = []
    monkeypatch.setattr(services, "on_new_articles", lambda articles: seen.append(list(articles)))
    services.poll_due_feeds()
    assert [len(batch) for batch in seen] == [3]
    assert all(a.pk for a in seen[0])


def test_feed_file_for_an_outlet(cast):
    monitored = outlet(cast["director"], "NPR")
    out = StringIO()
    call_command(
        "ingest_feeds",
        "--feed-file",
        str(CORPUS / "trafilatura-feed.json"),
        "--outlet",
        str(monitored.pk),
        "--no-pages",
        "--json",
        stdout=out,
    )
    items = _json_lines(out.getvalue())
    assert len(items) == 25 and {i["status"] for i in items} == {"new"}
    assert all(i["feed_id"] is None for i in items)
    first = Article.objects.get(pk=items[0]["article_id"])
    assert first.outlet == monitored and first.author == "Manoush Zomorodi"
    # Stored without the feed's tracking parameters.
    assert "utm_" not in first.canonical_url and "utm_" in first.url
    assert first.published_at == datetime(2021, 10, 29, 14, 26, tzinfo=UTC)
    # Read again: all known.
    out = StringIO()
    call_command(
        "ingest_feeds",
        "--feed-file",
        str(CORPUS / "trafilatura-feed2.rss"),
        "--outlet",
        str(monitored.pk),
        "--no-pages",
        stdout=out,
    )
    assert "new articles: 1" in out.getvalue()


def test_feed_file_errors(cast, tmp_path):
    monitored = outlet(cast["director"], "NPR")
    not_a_feed = tmp_path / "page.html"
    not_a_feed.write_text("<html><body>x</body></html>")
    with pytest.raises(CommandError, match="not a feed"):
        call_command("ingest_feeds", "--feed-file", str(not_a_feed), "--outlet", str(monitored.pk))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command(
            "ingest_feeds", "--feed-file", str(tmp_path / "nope"), "--outlet", str(monitored.pk)
        )
    with pytest.raises(CommandError, match="No outlet"):
        call_command("ingest_feeds", "--feed-file", str(not_a_feed), "--outlet", "999999")
    with pytest.raises(CommandError, match="go together"):
        call_command("ingest_feeds", "--feed-file", str(not_a_feed))


def test_the_task_polls_due_feeds(courrier):
    from relance.coverage.tasks import poll_feeds

    result = poll_feeds.enqueue()
    assert result.return_value == {"feeds": 1, "ok": 1, "items_new": 3}
