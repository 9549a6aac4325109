"""Outreach: the message of a campaign and the outbox that sends it.

One `OutboxMessage` per recipient, moved through a small state machine by
`relance.outreach.sending` (see docs/sending.md):

    queued ──claim──▶ sending ──server accepted──▶ sent
      ▲  │               │──4xx / connection error──▶ queued (later, back-off)
      │  │               │──5xx──▶ failed
      │  │               └──worker died mid-exchange──▶ uncertain (never re-sent by itself)
      │  └──pause──▶ paused ──resume──▶ queued
      └──a manager re-queues an uncertain or failed row explicitly
    queued ──contact opted out / paused / bounced meanwhile──▶ skipped

"bounced" is set later by the ingestion of delivery-status notifications.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Language


class CampaignMessage(models.Model):
    """The subject and body of a campaign in one language. The body is
    sanitised HTML with merge fields (`{{ first_name }}`…) still in it; they
    are filled per recipient when the message is built."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="messages"
    )
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("subject"), max_length=250)
    body = models.TextField(_("body"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "language"], name="campaign_message_per_language"
            )
        ]
        verbose_name = _("message")
        verbose_name_plural = _("messages")

    def __str__(self) -> str:
        return f"{self.campaign_id}:{self.language}"


class OutboxState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    BOUNCED = "bounced", _("Bounced")
    # The worker stopped while talking to the server: the message may have
    # arrived once or not at all. Never re-sent without a person deciding.
    UNCERTAIN = "uncertain", _("Uncertain")
    PAUSED = "paused", _("Paused")
    # Left out when claimed: the contact opted out, was paused or bounced
    # after the row was queued (journalists' choices win).
    SKIPPED = "skipped", _("Not sent")


# States a row is still waiting in (the campaign is not finished).
PENDING_STATES = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.PAUSED)


class OutboxKind(models.TextChoices):
    RELEASE = "release", _("Release or invitation")
    FOLLOWUP = "followup", _("Follow-up e-mail")


class OutboxMessage(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="outbox"
    )
    # One release row per recipient: a retry or an explicit re-queue reuses
    # the row, and with it the Message-ID (a server that saw it may
    # de-duplicate). Follow-up e-mails (the release resent after a call,
    # relance.followups) are rows of their own for the same recipient.
    recipient = models.ForeignKey(
        "campaigns.Recipient", on_delete=models.CASCADE, related_name="outbox"
    )
    kind = models.CharField(
        max_length=10, choices=OutboxKind.choices, default=OutboxKind.RELEASE, db_default="release"
    )
    # A follow-up's personal lines, above the release (plain text).
    note = models.TextField(blank=True, default="", db_default="")
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="outbox", db_index=False
    )
    to_address = models.EmailField(max_length=254)
    language = models.CharField(max_length=2, choices=Language.choices)
    message_id = models.CharField(max_length=250, unique=True)
    state = models.CharField(max_length=10, choices=OutboxState.choices, default=OutboxState.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Not claimed before this moment: the scheduled time, then the back-off.
    next_attempt_at = models.DateTimeField()
    # When the current attempt was claimed: a row still 'sending' long after
    # it belonged to a worker that died (see sending.mark_stale_uncertain).
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Rows claimed together share a token: a worker sends them in id order
    # and each leaves 'sending' before the next starts, so of a dead
    # worker's rows only the lowest can have been in the middle of the SMTP
    # exchange (uncertain); the others were never started (queued again).
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The server's last answer ("250 2.0.0 Ok: queued as …", "550 5.1.1 …")
    # or the connection error, for the team and for support.
    smtp_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    server_reply = models.CharField(max_length=500, blank=True)
    # Filled by `relance ingest-mail` (relance.outreach.inbound): a hard
    # bounce sets `bounced_at` (and the state "bounced"); soft bounces (a
    # full mailbox, a greylisting server giving up) are only counted.
    bounced_at = models.DateTimeField(null=True, blank=True)
    soft_bounces = models.PositiveSmallIntegerField(default=0)
    queued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    queued_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient"],
                condition=models.Q(kind="release"),
                name="outbox_one_release_per_recipient",
            )
        ]
        indexes = [
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["state", "next_attempt_at"]),
            # Inbound mail without a usable Message-ID is matched by address.
            models.Index(fields=["to_address"]),
        ]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")

    def __str__(self) -> str:
        return f"{self.to_address} ({self.state})"


class InboundKind(models.TextChoices):
    BOUNCE = "bounce", _("Bounce")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    REPLY = "reply", _("Reply")
    OTHER = "other", _("Other")


class InboundMessage(models.Model):
    """One message read from the campaign mailbox by `relance ingest-mail`.

    `key` (the message's Message-ID, or a digest of its bytes when it has
    none) makes ingestion idempotent: a message read twice, from a re-run or
    from an IMAP folder that kept it unseen, changes nothing the second
    time. Replies keep their text (quotes stripped) and are shown on the
    contact's timeline and on the campaign."""

    key = models.CharField(max_length=250, unique=True)
    kind = models.CharField(max_length=10, choices=InboundKind.choices)
    # The classifier's reason ("userunknown", "mailboxfull", "complaint",
    # "unsubscribe"…) and what ingesting did ("hard_bounce", "paused"…).
    reason = models.CharField(max_length=40, blank=True)
    effect = models.CharField(max_length=20, blank=True)
    source = models.CharField(max_length=300, blank=True)
    outbox = models.ForeignKey(
        OutboxMessage, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound",
    )
    contact = models.ForeignKey(
        "contacts.Contact",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound",
    )
    sender = models.CharField(max_length=254, blank=True)
    recipient = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=250, blank=True)
    hard = models.BooleanField(default=False)
    return_date = models.DateField(null=True, blank=True)
    # Replies: the new words, quotes and signature stripped.
    summary = models.TextField(blank=True)
    received_at = models.DateTimeField()
    ingested_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["contact", "received_at"]),
            models.Index(fields=["campaign", "kind"]),
        ]
        verbose_name = _("inbound message")
        verbose_name_plural = _("inbound messages")

    def __str__(self) -> str:
        return f"{self.kind}: {self.key}"


class TrackedLink(models.Model):
    """A web link of a campaign's message. Each message carries, in place of
    the address, a signed redirect naming its outbox row and this link, so a
    click is counted for that recipient before the browser goes on to the
    address (relance.outreach.tracking)."""

    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="tracked_links"
    )
    url = models.TextField()
    # SHA-1 of the address: one row per address and campaign, with an index
    # short enough for any database whatever the address's length.
    digest = models.CharField(max_length=40)
    clicks = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["campaign", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "digest"], name="tracked_link_unique")
        ]
        verbose_name = _("tracked link")
        verbose_name_plural = _("tracked links")

    def __str__(self) -> str:
        return self.url
