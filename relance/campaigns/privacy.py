"""The campaigns a person was targeted by, in their personal-data export
(relance.contacts.signals). Erasure keeps the recipient rows: they hold no
personal data beyond the link to the contact, who is then anonymous, and
they keep the campaigns' counts true."""

from __future__ import annotations

from typing import Any

from relance.campaigns.models import Recipient


def export_sections(sender: Any, contact: Any, **kwargs: Any) -> dict[str, Any]:
    def when(value: Any) -> str | None:
        return value.isoformat() if value else None

    rows = Recipient.objects.filter(contact=contact).select_related("campaign__client")
    return {
        "campaigns": [
            {
                "campaign": r.campaign.title,
                "client": r.campaign.client.name,
                "state": r.state,
                "why_targeted": r.reasons,
                "sent_at": when(r.sent_at),
                "opened_at": when(r.opened_at),
                "clicked_at": when(r.clicked_at),
                "replied_at": when(r.replied_at),
                "bounced_at": when(r.bounced_at),
                "rsvp": r.rsvp or None,
            }
            for r in rows.order_by("added_at", "id")
        ]
    }
