"""The outreach events on a contact's timeline (relance.contacts.timeline):
bounces, automatic replies, replies and opt-outs read from the campaign
mailbox by `relance ingest-mail`."""

from __future__ import annotations

from collections.abc import Iterable

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from relance.contacts import timeline
from relance.contacts.models import Contact
from relance.outreach.models import InboundMessage

_EXCERPT = 300


def _summary(m: InboundMessage, title: str) -> str:
    data = {"campaign": title, "address": m.recipient or "?", "reason": m.reason or "?"}
    if m.kind == "bounce" and m.effect == "hard_bounce":
        return _("E-mail to %(address)s bounced (%(reason)s): address to correct") % data
    if m.kind == "bounce":
        return _("Temporary delivery failure (%(reason)s), “%(campaign)s”") % data
    if m.kind == "auto_reply" and m.return_date:
        data["date"] = formats.date_format(m.return_date, "SHORT_DATE_FORMAT")
        return _("Automatic reply to “%(campaign)s”: back on %(date)s") % data
    if m.kind == "auto_reply":
        return _("Automatic reply to “%(campaign)s”") % data
    if m.kind == "reply":
        return _("Replied to “%(campaign)s”") % data
    if m.reason == "complaint":
        return _("Reported a campaign e-mail as spam (treated as an opt-out)")
    if m.reason == "unsubscribe":
        return _("Unsubscribed by e-mail")
    return _("E-mail received about “%(campaign)s”") % data


@timeline.provider
def inbound_events(contact: Contact) -> Iterable[timeline.Event]:
    messages = (
        InboundMessage.objects.filter(contact=contact)
        .select_related("campaign")
        .only(
            "kind",
            "reason",
            "effect",
            "recipient",
            "return_date",
            "summary",
            "received_at",
            "campaign__id",
            "campaign__title",
        )[:200]
    )
    for m in messages:
        title = m.campaign.title if m.campaign else "—"
        details: tuple[str, ...] = ()
        if m.kind == "reply" and m.summary:
            text = " ".join(m.summary.split())
            details = (text if len(text) <= _EXCERPT else text[: _EXCERPT - 1] + "…",)
        url = reverse("outreach:sending", args=[m.campaign.pk]) if m.campaign else ""
        yield timeline.Event(
            at=m.received_at,
            kind=f"inbound_{m.kind}",
            summary=_summary(m, title),
            actor=_("the journalist") if m.kind == "reply" else "",
            details=details,
            url=url,
        )
