"""Interactions: every exchange between the agency and a contact, in one log.

A send, the first open, a click, a bounce, an automatic reply, a reply, an
RSVP, a call and its outcome, a meeting: one row each, with the channel,
the direction (the agency reaching out, or the contact answering), an
outcome code and when it happened (DESIGN.md §4, `interactions`). Outreach
writes the e-mail events as they happen, the call desk writes calls, and
anyone may record after the fact what happened elsewhere (a call from a
mobile phone). The contact's timeline, the API, the follow-up planner's
pressure caps and the reports all read this one table.

Recipient rows (`campaigns.Recipient`) keep the summary of each contact on
a campaign (first open, first reply, RSVP) for fast counts; this table
keeps the history behind it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    SOCIAL = "social", _("Social message")
    MEETING = "meeting", _("Meeting")
    OTHER = "other", _("Other")


class Direction(models.TextChoices):
    OUT = "out", _("From the agency")
    IN = "in", _("From the contact")


class Outcome(models.TextChoices):
    # E-mail events, recorded by outreach as they happen.
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    CLICKED = "clicked", _("Clicked a link")
    BOUNCED = "bounced", _("Bounced")
    SOFT_BOUNCE = "soft_bounce", _("Temporary delivery failure")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    REPLIED = "replied", _("Replied")
    UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
    RSVP_YES = "rsvp_yes", _("Will attend")
    RSVP_NO = "rsvp_no", _("Will not attend")
    RSVP_MAYBE = "rsvp_maybe", _("Might attend")
    # Calls and other exchanges: the call desk's outcome buttons (DESIGN.md
    # §5.9), also what a team member records after the fact.
    INTERESTED = "interested", _("Reached: interested")
    WILL_ATTEND = "will_attend", _("Reached: will attend")
    DECLINED = "declined", _("Reached: declined")
    SEND_MATERIAL = "send_material", _("Send me the material")
    CALL_BACK = "call_back", _("Call back later")
    NO_ANSWER = "no_answer", _("Voicemail or no answer")
    WRONG_PERSON = "wrong_person", _("Wrong person")
    STOP_CALLING = "stop_calling", _("Stop calling me")
    NOTE = "note", _("Note")


# Written only by Relance itself from what it observed (a send, a pixel, a
# bounce): nobody may claim after the fact that a message was opened.
SYSTEM_OUTCOMES = frozenset(
    {
        Outcome.SENT,
        Outcome.OPENED,
        Outcome.CLICKED,
        Outcome.BOUNCED,
        Outcome.SOFT_BOUNCE,
        Outcome.AUTO_REPLY,
        Outcome.UNSUBSCRIBED,
    }
)
RSVP_OUTCOMES = {"yes": Outcome.RSVP_YES, "no": Outcome.RSVP_NO, "maybe": Outcome.RSVP_MAYBE}
# The contact said yes to the campaign or no to it: they answered, and the
# planner does not follow them up again for it (DESIGN.md §5.2).
ANSWERED_OUTCOMES = frozenset(
    {
        Outcome.REPLIED,
        Outcome.RSVP_YES,
        Outcome.RSVP_NO,
        Outcome.RSVP_MAYBE,
        Outcome.INTERESTED,
        Outcome.WILL_ATTEND,
        Outcome.DECLINED,
        Outcome.SEND_MATERIAL,
        Outcome.STOP_CALLING,
    }
)


class Interaction(models.Model):
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="interactions"
    )
    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="interactions",
    )
    # The team member on the agency's side: who sent, called or met (for a
    # send, who queued it); empty for what the contact did alone.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="interactions",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices)
    at = models.DateTimeField(_("when"))
    notes = models.TextField(_("notes"), blank=True)
    # Facts of the event that the team reads: the link clicked, the bounce's
    # reason, the number of guests, a call back time.
    details = models.JSONField(default=dict, blank=True)
    # Events Relance observed carry a key ("open:<outbox id>"…) so that the
    # same event seen twice (a pixel loaded again, a mailbox read twice) is
    # recorded once; entries made by people have none.
    key = models.CharField(max_length=80, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["contact", "at"]),
            models.Index(fields=["campaign", "outcome"]),
            # Pressure caps: calls to anyone in the last days, agency-wide.
            models.Index(fields=["channel", "at"]),
            models.Index(fields=["user", "at"]),
        ]
        verbose_name = _("interaction")
        verbose_name_plural = _("interactions")

    def __str__(self) -> str:
        return f"{self.contact_id} {self.channel}/{self.outcome} {self.at:%Y-%m-%d}"
