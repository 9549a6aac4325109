"""Monitoring: the feeds we poll and the articles they bring.

A `Feed` row exists for each URL in an outlet's `feed_urls`
(services.sync_feeds keeps them in step) and remembers what politeness
needs between two polls: the validators for a conditional request, when to
poll next, and how the last attempts went.

An `Article` is stored once per canonical URL (relance.coverage.canonical).
A syndicated copy, the same text under another address (a wire dispatch
run by several outlets), is stored too, since each outlet that ran it is
coverage, but points at the first one seen (`duplicate_of`), so counts and
matching treat the story once (relance.coverage.fingerprint).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.campaigns.models import UploadStorage


class Feed(models.Model):
    outlet = models.ForeignKey(
        "contacts.Outlet", on_delete=models.CASCADE, related_name="feeds", verbose_name=_("outlet")
    )
    url = models.URLField(_("feed URL"), max_length=2000)
    # A URL taken out of the outlet's list stops being polled; its articles
    # stay and point at it.
    active = models.BooleanField(_("active"), default=True)
    # The validators of the last full answer, sent back as If-None-Match and
    # If-Modified-Since: an unchanged feed then costs the server a 304.
    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    last_ok_at = models.DateTimeField(_("last read"), null=True, blank=True)
    next_poll_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # Consecutive failed polls; each one doubles the wait before the next.
    failures = models.PositiveIntegerField(_("failures"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["outlet_id", "url"]
        verbose_name = _("feed")
        verbose_name_plural = _("feeds")
        constraints = [
            models.UniqueConstraint(fields=["outlet", "url"], name="coverage_feed_outlet_url")
        ]

    def __str__(self) -> str:
        return self.url


class Article(models.Model):
    outlet = models.ForeignKey(
        "contacts.Outlet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="articles",
        verbose_name=_("outlet"),
    )
    feed = models.ForeignKey(
        Feed, null=True, blank=True, on_delete=models.SET_NULL, related_name="articles"
    )
    # Indexed: a feed's link is looked up before its page is read again.
    url = models.URLField(_("address"), max_length=2000, db_index=True)
    canonical_url = models.CharField(max_length=2000, unique=True)
    guid = models.CharField(max_length=1000, blank=True)
    title = models.CharField(_("title"), max_length=1000, blank=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    published_at = models.DateTimeField(_("published"), null=True, blank=True, db_index=True)
    text = models.TextField(_("text"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    language = models.CharField(_("language"), max_length=2, blank=True)
    # MinHash signature of the text (fingerprint.encode); "" for texts too
    # short to compare.
    text_fingerprint = models.TextField(blank=True, editable=False)
    duplicate_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="copies",
        verbose_name=_("copy of"),
    )
    fetched_at = models.DateTimeField(_("collected"), db_index=True)

    class Meta:
        ordering = ["-fetched_at", "-id"]
        verbose_name = _("article")
        verbose_name_plural = _("articles")
        indexes = [models.Index(fields=["outlet", "published_at"])]

    def __str__(self) -> str:
        return self.title or self.url


class ArticleBand(models.Model):
    """One locality-sensitive hash band of an original article's signature:
    looking up a new text's bands finds its possible originals through an
    index instead of comparing it with every stored text."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="bands")
    key = models.BigIntegerField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "key"], name="coverage_band_article_key")
        ]


# --- Coverage (retombées) --------------------------------------------------------


class CoverageStatus(models.TextChoices):
    # Found by matching, waiting for someone to say yes or no.
    CANDIDATE = "candidate", _("To review")
    CONFIRMED = "confirmed", _("Confirmed")
    # Kept, so the same article is never proposed again for this campaign,
    # and its score teaches the threshold (matching.learned_threshold).
    REJECTED = "rejected", _("Rejected")


class CoverageSource(models.TextChoices):
    FEED = "feed", _("Monitoring")
    URL = "url", _("Added by address")
    FILE = "file", _("Clipping or segment")
    MANUAL = "manual", _("Added by hand")


class Medium(models.TextChoices):
    PRINT = "print", _("Print")
    WEB = "web", _("Web")
    TV = "tv", _("Television")
    RADIO = "radio", _("Radio")
    PODCAST = "podcast", _("Podcast")
    BLOG = "blog", _("Blog")
    SOCIAL = "social", _("Social media")


class Tone(models.TextChoices):
    POSITIVE = "positive", _("Positive")
    NEUTRAL = "neutral", _("Neutral")
    NEGATIVE = "negative", _("Negative")


class CoverageItem(models.Model):
    """One piece of coverage: an article, a clipping or a broadcast segment
    about a client, attributed to a campaign when it came of one."""

    client = models.ForeignKey(
        "accounts.Client",
        on_delete=models.PROTECT,
        related_name="coverage",
        verbose_name=_("client"),
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coverage",
        verbose_name=_("campaign"),
    )
    article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.SET_NULL, related_name="coverage"
    )
    status = models.CharField(
        max_length=10, choices=CoverageStatus.choices, default=CoverageStatus.CANDIDATE
    )
    source = models.CharField(max_length=10, choices=CoverageSource.choices)
    outlet = models.ForeignKey(
        "contacts.Outlet",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coverage",
        verbose_name=_("outlet"),
    )
    # As the piece names it when the outlet is not in the media database.
    outlet_name = models.CharField(_("outlet name"), max_length=200, blank=True)
    # The journalist it is attributed to (the byline matched to a contact).
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="coverage",
        verbose_name=_("journalist"),
    )
    author = models.CharField(_("author"), max_length=300, blank=True)
    url = models.URLField(_("address"), max_length=2000, blank=True)
    title = models.CharField(_("title"), max_length=1000)
    published_at = models.DateTimeField(_("published"))
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    # Potential reach: the outlet's stated audience when the item was
    # recorded; reports say "potential", never "people who read it".
    audience = models.PositiveBigIntegerField(_("audience"), default=0)
    tone = models.CharField(_("tone"), max_length=10, choices=Tone.choices, blank=True)
    # The campaign's key messages the piece carries (their text).
    key_messages = models.JSONField(_("key messages present"), default=list, blank=True)
    # The agency's own summary: French press clippings are copyrighted, so
    # the default is links, metadata and this, not a copy.
    summary = models.TextField(_("summary"), blank=True)
    # Matching's evidence: score, names and passages with their highlights.
    score = models.FloatField(default=0)
    evidence = models.JSONField(default=dict, blank=True)
    # A full copy (PDF clipping, segment file) is kept only where the agency
    # says it holds the rights.
    attachment = models.FileField(
        upload_to="coverage/%Y/%m/", storage=UploadStorage(), blank=True, max_length=300
    )
    rights_held = models.BooleanField(_("the agency holds the rights to a copy"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("coverage item")
        verbose_name_plural = _("coverage items")
        constraints = [
            # An article is proposed once per campaign, whatever the answer.
            models.UniqueConstraint(
                fields=["article", "campaign"],
                condition=models.Q(article__isnull=False, campaign__isnull=False),
                name="coverage_item_article_campaign",
            )
        ]
        indexes = [
            models.Index(fields=["status", "published_at"]),
            models.Index(fields=["campaign", "status"]),
            models.Index(fields=["client", "status", "published_at"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def outlet_label(self) -> str:
        return self.outlet.name if self.outlet_id and self.outlet else self.outlet_name


class CoverageSettings(models.Model):
    """The agency's matching threshold (learned from reviews) and its
    choice about advertising value equivalence (off by default: a
    contested measure, shown only if the agency wants it, and labelled)."""

    threshold = models.FloatField(default=0.4)
    ave_enabled = models.BooleanField(_("show advertising value equivalence"), default=False)
    # What the agency says a thousand readers, listeners or viewers of each
    # medium cost in advertising (€ per thousand, "CPM"); AVE = audience /
    # 1,000 × rate. Only the agency's own figures: there is no neutral one.
    ave_rates = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    @classmethod
    def current(cls) -> CoverageSettings:
        row = cls.objects.order_by("id").first()
        return row or cls.objects.create()
