"""Interactions on a contact's timeline (relance.contacts.timeline): every
send, open, click, bounce, reply, RSVP and call, newest first."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from relance.contacts import timeline
from relance.contacts.models import Contact
from relance.interactions.models import Direction, Interaction, Outcome

_EXCERPT = 300


def summary(i: Interaction, title: str) -> str:
    """One line saying what happened, in the reader's language."""
    d: dict[str, Any] = i.details or {}
    data = {
        "campaign": title,
        "address": d.get("address") or "?",
        "reason": d.get("reason") or "?",
        "guests": d.get("guests") or 0,
    }
    outcome = i.outcome
    if outcome == Outcome.SENT:
        if d.get("outside"):
            return _("Sent “%(campaign)s” outside Relance") % data
        return _("Sent “%(campaign)s”") % data
    if outcome == Outcome.OPENED:
        return _("Opened “%(campaign)s” (approximate)") % data
    if outcome == Outcome.CLICKED:
        return _("Clicked a link in “%(campaign)s”") % data
    if outcome == Outcome.BOUNCED:
        return _("E-mail to %(address)s bounced (%(reason)s): address to correct") % data
    if outcome == Outcome.SOFT_BOUNCE:
        return _("Temporary delivery failure (%(reason)s), “%(campaign)s”") % data
    if outcome == Outcome.AUTO_REPLY:
        back = parse_date(str(d.get("return_date") or ""))
        if back:
            data["date"] = formats.date_format(back, "SHORT_DATE_FORMAT")
            return _("Automatic reply to “%(campaign)s”: back on %(date)s") % data
        return _("Automatic reply to “%(campaign)s”") % data
    if outcome == Outcome.REPLIED and i.channel == "email":
        return _("Replied to “%(campaign)s”") % data
    if outcome == Outcome.UNSUBSCRIBED:
        if d.get("reason") == "complaint":
            return _("Reported a campaign e-mail as spam (treated as an opt-out)")
        return _("Unsubscribed by e-mail")
    if outcome == Outcome.RSVP_YES and data["guests"]:
        return _("Will attend “%(campaign)s”, with %(guests)s more") % data
    if outcome == Outcome.RSVP_YES:
        return _("Will attend “%(campaign)s”") % data
    if outcome == Outcome.RSVP_NO:
        return _("Will not attend “%(campaign)s”") % data
    if outcome == Outcome.RSVP_MAYBE:
        return _("Might attend “%(campaign)s”") % data
    data["channel"] = i.get_channel_display()
    data["outcome"] = i.get_outcome_display()
    if title != "—":
        return _("%(channel)s: %(outcome)s (“%(campaign)s”)") % data
    return _("%(channel)s: %(outcome)s") % data


def _details(i: Interaction) -> tuple[str, ...]:
    d: dict[str, Any] = i.details or {}
    lines = []
    if i.outcome == Outcome.CLICKED and d.get("url"):
        lines.append(str(d["url"]))
    if i.notes:
        text = " ".join(i.notes.split())
        lines.append(text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…")
    return tuple(lines)


def actor_of(i: Interaction) -> str:
    if i.user is not None:
        return i.user.get_full_name() or i.user.username
    if i.direction == Direction.IN and i.outcome in (
        Outcome.REPLIED,
        Outcome.RSVP_YES,
        Outcome.RSVP_NO,
        Outcome.RSVP_MAYBE,
        Outcome.CLICKED,
    ):
        return _("the journalist")
    return ""


@timeline.provider
def interaction_events(contact: Contact) -> Iterable[timeline.Event]:
    rows = (
        Interaction.objects.filter(contact=contact)
        .select_related("campaign", "user")
        .only(
            "channel",
            "direction",
            "outcome",
            "at",
            "notes",
            "details",
            "campaign__id",
            "campaign__title",
            "user__username",
            "user__first_name",
            "user__last_name",
        )
        .order_by("-at", "-id")[:200]
    )
    for i in rows:
        title = i.campaign.title if i.campaign else "—"
        url = reverse("campaigns:campaign_detail", args=[i.campaign.pk]) if i.campaign else ""
        yield timeline.Event(
            at=i.at,
            kind=f"{i.channel}_{i.outcome}",
            summary=summary(i, title),
            actor=actor_of(i),
            details=_details(i),
            url=url,
        )
