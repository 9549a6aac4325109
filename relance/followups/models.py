"""Follow-ups (relances): the plan's rows that the call desk works from.

The plan itself is computed from facts (relance.followups.planner) and can
be recomputed at any time; these rows hold what must not be recomputed:
who claimed a follow-up (the atomic claim that stops two team members
calling the same journalist), when it was done and what it gave. A sync
(`services.sync_plan`) writes the planned rows of a campaign and removes
those the facts no longer support, leaving claimed and done rows alone.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from relance.contacts.models import Channel


class FollowUpState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    # Someone has it in hand, usually on the phone right now: everyone sees
    # it, nobody else can take it.
    CLAIMED = "claimed", _("In progress")
    DONE = "done", _("Done")


class FollowUp(models.Model):
    campaign = models.ForeignKey(
        "campaigns.Campaign", on_delete=models.CASCADE, related_name="followups"
    )
    contact = models.ForeignKey(
        "contacts.Contact", on_delete=models.CASCADE, related_name="followups"
    )
    # TV and radio: the desk or the show's researcher is called about the
    # host's invitation (DESIGN.md §5.4).
    via = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    window_start = models.DateTimeField(_("from"))
    window_end = models.DateTimeField(_("until"))
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="followups",
    )
    priority = models.FloatField(default=0)
    warm = models.BooleanField(default=False)
    # The planner's reasons as codes and values, shown in the reader's
    # language ([{"code": "...", "params": {...}}, …]).
    reasons = models.JSONField(default=list, blank=True)
    state = models.CharField(
        max_length=10, choices=FollowUpState.choices, default=FollowUpState.PLANNED
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, blank=True)
    interaction = models.ForeignKey(
        "interactions.Interaction",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    planned_at = models.DateTimeField()

    class Meta:
        ordering = ["window_start", "-priority", "id"]
        constraints = [
            # One open follow-up per contact and campaign; done ones are the
            # history (a second try after no answer is a new row).
            models.UniqueConstraint(
                fields=["campaign", "contact"],
                condition=~models.Q(state="done"),
                name="followup_open_unique",
            )
        ]
        indexes = [
            models.Index(fields=["assignee", "state", "window_start"]),
            models.Index(fields=["contact", "state"]),
            models.Index(fields=["campaign", "state"]),
            models.Index(fields=["state", "window_start"]),
        ]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.contact_id} {self.channel} {self.state}"


class FollowUpPolicy(models.Model):
    """The agency's choices over the defaults of `policy.Policy` (one row)."""

    values = models.JSONField(default=dict, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("follow-up policy")
