"""Campaigns: one release, event invitation or press conference for one
client (DESIGN.md §2), with its brief, talking points and media kit.

Writes go through `relance.campaigns.services`: the body is sanitised there
and `search_text` derived there. Targeting and sending (later parts of issue
3) add their own models next to these.
"""

from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Language


class CampaignKind(models.TextChoices):
    RELEASE = "release", _("Press release")
    EVENT = "event", _("Event invitation")
    PRESS_CONFERENCE = "press_conference", _("Press conference")


# Kinds that gather journalists somewhere at a given time.
EVENT_KINDS = frozenset({CampaignKind.EVENT, CampaignKind.PRESS_CONFERENCE})


class CampaignStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    # Set by sending, in a later part of issue 3.
    SCHEDULED = "scheduled", _("Scheduled")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")


class Campaign(models.Model):
    client = models.ForeignKey(
        "accounts.Client",
        verbose_name=_("client"),
        # A campaign is part of the agency's record of what it did for the
        # client: deleting the client is refused while it has any
        # (accounts.services.delete_client says so).
        on_delete=models.PROTECT,
        related_name="campaigns",
    )
    kind = models.CharField(
        _("kind"), max_length=20, choices=CampaignKind.choices, default=CampaignKind.RELEASE
    )
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.FR
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Sanitised HTML (nh3, see services.sanitise_body): safe to render as is.
    body = models.TextField(_("body"), blank=True)
    # Short lines, kept as JSON lists of strings: they are read and edited
    # as a whole (one per line in the form), never queried one by one.
    key_messages = models.JSONField(_("key messages"), default=list, blank=True)
    talking_points = models.JSONField(_("talking points"), default=list, blank=True)
    # Products, services and spokespeople the coverage should name: what
    # monitoring looks for besides the client's names.
    products = models.JSONField(_("products and spokespeople"), default=list, blank=True)
    embargo_until = models.DateTimeField(_("embargo until"), null=True, blank=True)
    event_at = models.DateTimeField(_("event date and time"), null=True, blank=True)
    # Optional: calendars need an end, and without one the invitation's
    # .ics file says two hours (an event) or one (a press conference).
    event_ends_at = models.DateTimeField(_("event end"), null=True, blank=True)
    event_place = models.CharField(_("event place"), max_length=300, blank=True)
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("manager"),
        null=True,  # only after the manager's account was deleted
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_campaigns",
    )
    team = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team"),
        blank=True,
        related_name="campaign_teams",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.DRAFT
    )
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    # Folded title, summary, key messages and place, for the list's search.
    search_text = models.TextField(blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-updated_at"]),
            models.Index(fields=["status", "-updated_at"]),
        ]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")

    def __str__(self) -> str:
        return self.title

    @property
    def is_event(self) -> bool:
        return self.kind in EVENT_KINDS

    @property
    def event_end(self) -> datetime | None:
        """When the event ends: as set, or the usual length of its kind."""
        if self.event_at is None:
            return None
        if self.event_ends_at is not None:
            return self.event_ends_at
        hours = 1 if self.kind == CampaignKind.PRESS_CONFERENCE else 2
        return self.event_at + timedelta(hours=hours)


class UploadStorage(FileSystemStorage):
    """Files uploaded by the team under RELANCE_DATA_DIR/uploads, read only
    through views that check who asks (never served as public media). The
    place is read from the settings on each use, so a test can move it."""

    @property
    def base_location(self) -> str:  # type: ignore[override]
        return str(Path(settings.DATA_DIR) / "uploads")

    @property
    def location(self) -> str:  # type: ignore[override]
        return os.path.abspath(str(Path(settings.DATA_DIR) / "uploads"))

    @property
    def base_url(self) -> str:  # type: ignore[override]
        return ""


def upload_storage() -> UploadStorage:
    return UploadStorage()


def attachment_path(instance: CampaignAttachment, filename: str) -> str:
    # A random name: the original one is kept in `filename` for downloads,
    # and never decides where the file lands on disk.
    extension = Path(filename).suffix.lower()[:8]
    return f"campaigns/{instance.campaign_id}/{uuid.uuid4().hex}{extension}"


class CampaignAttachment(models.Model):
    """A file of the media kit: PDF or image, checked by content."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, storage=upload_storage, max_length=300)
    title = models.CharField(_("title"), max_length=200)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=50)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.title or self.filename


class RecipientState(models.TextChoices):
    TARGETED = "targeted", _("Targeted")
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")


class Rsvp(models.TextChoices):
    YES = "yes", _("Attending")
    NO = "no", _("Not attending")
    MAYBE = "maybe", _("Maybe")


class Recipient(models.Model):
    """A contact on a campaign's target list, and what happened with them
    (DESIGN.md §4: `campaigns/{id}/recipients`). Targeting adds them with the
    reasons they were proposed; sending moves them through `state`; tracking,
    bounces, replies and RSVPs fill the dates. The follow-up planner reads
    these facts."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="recipients")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="campaign_recipients"
    )
    state = models.CharField(
        max_length=10, choices=RecipientState.choices, default=RecipientState.TARGETED
    )
    # Why targeting proposed the contact (sentences shown to the team) and
    # its relevance score then; empty for contacts added by hand or by list.
    reasons = models.JSONField(default=list, blank=True)
    score = models.FloatField(null=True, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    # Set outside Relance too: a send through a wire service (POST
    # recipients with "sent_at") counts as sent for follow-ups and reports.
    sent_at = models.DateTimeField(null=True, blank=True)
    # The first open and click (relance.outreach.tracking) and how many were
    # seen. Opens are approximate: images blocked by the mail program show
    # no open, privacy proxies that load every image show opens nobody made.
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    replied_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    rsvp = models.CharField(max_length=5, choices=Rsvp.choices, blank=True, default="")
    rsvp_at = models.DateTimeField(null=True, blank=True)
    guests = models.PositiveSmallIntegerField(default=0)  # companions or camera crew
    # What the journalist wrote with the answer ("I come with a cameraman").
    rsvp_note = models.CharField(max_length=500, blank=True)
    # Checked in at the door on the day (relance.followups.checkin): who
    # came, confirmed or not, and who ticked them.
    attended_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "contact"], name="recipient_unique")
        ]
        indexes = [
            models.Index(fields=["contact", "campaign"]),
            models.Index(fields=["campaign", "state"]),
        ]
        verbose_name = _("recipient")
        verbose_name_plural = _("recipients")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.contact_id}"
