"""A person's interactions in their personal-data export, and blanked when
they are erased (relance.contacts.signals). The rows stay, without notes or
addresses, so the campaigns' counts and the agency's statistics stay true."""

from __future__ import annotations

from typing import Any

from relance.interactions.models import Interaction

# Details that name or describe the person; the others (a link, a count, a
# reason code) are kept.
_PERSONAL_DETAILS = ("address", "note")


def export_sections(sender: Any, contact: Any, **kwargs: Any) -> dict[str, Any]:
    rows = (
        Interaction.objects.filter(contact=contact)
        .select_related("campaign", "user")
        .order_by("at", "id")
    )
    return {
        "interactions": [
            {
                "at": i.at.isoformat(),
                "channel": i.channel,
                "direction": i.direction,
                "outcome": i.outcome,
                "campaign": i.campaign.title if i.campaign else None,
                "team_member": i.user.username if i.user else None,
                "notes": i.notes,
                "details": i.details,
            }
            for i in rows
        ]
    }


def erase(sender: Any, contact_id: int, **kwargs: Any) -> None:
    rows = Interaction.objects.filter(contact_id=contact_id)
    rows.exclude(notes="").update(notes="")
    for i in rows.only("pk", "details"):
        if any(k in (i.details or {}) for k in _PERSONAL_DETAILS):
            details = {k: v for k, v in i.details.items() if k not in _PERSONAL_DETAILS}
            Interaction.objects.filter(pk=i.pk).update(details=details)
