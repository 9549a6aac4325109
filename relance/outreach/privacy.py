"""The campaign messages sent to a person and the mail received from them,
in their personal-data export and gone from the records when they are
erased (relance.contacts.signals)."""

from __future__ import annotations

from typing import Any

from relance.outreach.models import PENDING_STATES, InboundMessage, OutboxMessage, OutboxState


def export_sections(sender: Any, contact: Any, **kwargs: Any) -> dict[str, Any]:
    sent = OutboxMessage.objects.filter(contact=contact).select_related("campaign")
    received = InboundMessage.objects.filter(contact=contact)
    return {
        "campaign_messages": [
            {
                "campaign": row.campaign.title,
                "address": row.to_address,
                "state": row.state,
                "message_id": row.message_id,
                "sent_at": row.sent_at.isoformat() if row.sent_at else None,
                "bounced_at": row.bounced_at.isoformat() if row.bounced_at else None,
            }
            for row in sent.order_by("id")
        ],
        "received_messages": [
            {
                "kind": m.kind,
                "received_at": m.received_at.isoformat(),
                "from": m.sender,
                "subject": m.subject,
                "text": m.summary,
            }
            for m in received.order_by("received_at", "id")
        ],
    }


def erase(sender: Any, contact_id: int, **kwargs: Any) -> None:
    """Blank addresses, subjects and texts; keep the rows (states and dates
    stay in the campaign's counts). Messages still waiting are not sent."""
    rows = OutboxMessage.objects.filter(contact_id=contact_id)
    rows.filter(state__in=PENDING_STATES).update(state=OutboxState.SKIPPED)
    rows.update(to_address="")
    InboundMessage.objects.filter(contact_id=contact_id).update(
        sender="", recipient="", subject="", summary=""
    )
