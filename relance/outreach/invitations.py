"""Invitations to events and press conferences: the calendar file that goes
with them, the RSVP links in the message, and the journalist's answer.

The answer comes from the RSVP page (no account: the signed link of the
message, relance.outreach.links) or from a team member who took it by
phone (`campaigns.recipients.set_rsvp`). Both end on the campaign's
recipient row (the guest list) and on the contact's history.

The links in the message only *open* the page with the answer chosen: the
answer is recorded when the journalist confirms it. Mail security scanners
follow every link of a message, and must not answer "yes", "no" and
"maybe" in the journalist's name.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relance.audit import services as audit
from relance.campaigns.models import Campaign, Recipient, Rsvp
from relance.campaigns.recipients import MAX_GUESTS
from relance.interactions.models import RSVP_OUTCOMES, Channel, Direction, Interaction
from relance.outreach.compose import Rendered

MAX_NOTE = 500
ICS_FILENAME = "invitation.ics"
ICS_MIMETYPE = "text/calendar"


def event_timezone(campaign: Campaign) -> ZoneInfo:
    """Where the event's times are read: the manager's time zone (a
    Montreal team invites to Montreal), else the installation's."""
    name = getattr(campaign.manager, "time_zone", "") or settings.TIME_ZONE
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):
        return ZoneInfo(settings.TIME_ZONE)


def _sequence(campaign: Campaign) -> int:
    # Calendars replace an event by a later SEQUENCE of the same UID: minutes
    # since 2020 grow with every change of the brief.
    return max(
        0, int((campaign.updated_at - datetime(2020, 1, 1, tzinfo=UTC)).total_seconds() // 60)
    )


def ics(campaign: Campaign, *, url: str = "") -> bytes:
    """The event as an iCalendar file (RFC 5545, METHOD:PUBLISH): calendar
    programs offer to add it; it is the same for every guest, so it carries
    no personal link (`url` is the public one, if any)."""
    from icalendar import Calendar, Event, vCalAddress

    if campaign.event_at is None:
        raise ValueError("Only an event with a date has a calendar file.")
    zone = event_timezone(campaign)
    host = urlsplit(settings.BASE_URL).hostname or "relance.invalid"
    cal = Calendar()
    cal.add("prodid", "-//Relance//Relance//FR")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"campaign-{campaign.pk}@{host}")
    event.add("dtstamp", timezone.now().astimezone(UTC))
    event.add("sequence", _sequence(campaign))
    event.add("dtstart", campaign.event_at.astimezone(zone))
    event.add("dtend", campaign.event_end.astimezone(zone))  # type: ignore[union-attr]
    event.add("summary", campaign.title)
    if campaign.event_place:
        event.add("location", campaign.event_place)
    description = "\n\n".join(x for x in (campaign.summary, url) if x)
    if description:
        event.add("description", description)
    if url:
        event.add("url", url)
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    manager = campaign.manager
    if manager is not None and manager.email:
        organizer = vCalAddress(f"mailto:{manager.email}")
        organizer.params["cn"] = manager.get_full_name() or manager.username
        event.add("organizer", organizer)
    cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()


# --- The RSVP block of the message ---------------------------------------------------


def with_rsvp(rendered: Rendered, *, page_url: str, language: str) -> Rendered:
    """The message with the three answers as links to the RSVP page."""
    with translation.override(language):
        question = _("Will you come?")
        labels = [
            ("yes", _("Yes, I will come")),
            ("maybe", _("Maybe")),
            ("no", _("No, I cannot")),
        ]
        extra = _("Coming with a photographer or a camera crew? Say so on the page.")
    buttons = " ".join(
        f'<a href="{html.escape(page_url)}?answer={code}" style="display:inline-block;'
        "padding:8px 14px;margin:4px 4px 4px 0;border-radius:4px;background:#1d4ed8;"
        f'color:#ffffff;text-decoration:none">{html.escape(label)}</a>'
        for code, label in labels
    )
    block_html = (
        f'<div style="margin:16px 0"><p><strong>{html.escape(question)}</strong></p>'
        f'<p>{buttons}</p><p style="font-size:12px;color:#555">{html.escape(extra)}</p></div>'
    )
    block_text = "\n".join(
        [f"\n{question}", *(f"- {label}: {page_url}?answer={code}" for code, label in labels)]
    )
    return Rendered(
        subject=rendered.subject,
        html=rendered.html + block_html,
        text=rendered.text.rstrip("\n") + "\n" + block_text + "\n",
    )


# --- The journalist's answer ----------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    rsvp: str
    guests: int = 0
    note: str = ""


def clean_answer(data: Any) -> Answer:
    errors: dict[str, list[str]] = {}
    rsvp = str(data.get("answer") or "")
    if rsvp not in Rsvp.values:
        errors["answer"] = [_("Choose yes, maybe or no.")]
    raw = str(data.get("guests") or "0").strip() or "0"
    try:
        guests = int(raw)
    except ValueError:
        guests = -1
    if not 0 <= guests <= MAX_GUESTS:
        errors["guests"] = [_("Between 0 and %(limit)d.") % {"limit": MAX_GUESTS}]
    note = " ".join(str(data.get("note") or "").split())
    if len(note) > MAX_NOTE:
        errors["note"] = [_("Too long: at most %(limit)d characters.") % {"limit": MAX_NOTE}]
    if errors:
        raise ValidationError(errors)
    return Answer(rsvp=rsvp, guests=guests if rsvp != Rsvp.NO else 0, note=note)


def is_over(campaign: Campaign, now: datetime | None = None) -> bool:
    return campaign.event_at is not None and campaign.event_end <= (now or timezone.now())  # type: ignore[operator]


@transaction.atomic
def respond(recipient: Recipient, answer: Answer, now: datetime | None = None) -> Recipient:
    """Record the journalist's own answer (from the RSVP page)."""
    now = now or timezone.now()
    campaign = recipient.campaign
    if not campaign.is_event:
        raise ValidationError(_("This message was not an invitation."))
    if is_over(campaign, now):
        raise ValidationError(_("This event has already taken place."))
    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
    before = (recipient.rsvp, recipient.guests, recipient.rsvp_note)
    if before == (answer.rsvp, answer.guests, answer.note):
        return recipient  # the same answer sent twice (a double click)
    recipient.rsvp = answer.rsvp
    recipient.rsvp_at = now
    recipient.guests = answer.guests
    recipient.rsvp_note = answer.note
    recipient.save(update_fields=["rsvp", "rsvp_at", "guests", "rsvp_note"])
    Interaction.objects.create(
        contact_id=recipient.contact_id,
        campaign_id=recipient.campaign_id,
        channel=Channel.EMAIL,
        direction=Direction.IN,
        outcome=RSVP_OUTCOMES[answer.rsvp],
        at=now,
        notes=answer.note,
        details={"guests": answer.guests, "via": "rsvp_page"},
    )
    audit.record(
        None,
        "rsvp",
        campaign,
        changes={
            "by": "journalist",
            "contact": recipient.contact_id,
            "rsvp": [before[0], answer.rsvp],
            "guests": [before[1], answer.guests],
        },
    )
    return recipient
