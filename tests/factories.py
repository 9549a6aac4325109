"""Small builders for test data, going through the services like users do."""

from __future__ import annotations

from typing import Any

from relance.accounts.models import Client, User
from relance.campaigns.models import Campaign
from relance.campaigns.services import create_campaign
from relance.contacts.models import Contact, Outlet
from relance.contacts.services.contacts import create_contact
from relance.contacts.services.outlets import create_outlet


def outlet(actor: User, name: str = "Le Courrier de Lyon", **fields: Any) -> Outlet:
    data = {"name": name, "kind": "print", "periodicity": "daily", "country": "FR"}
    data.update(fields)
    return create_outlet(actor, data)


def contact(actor: User, last_name: str = "Dubois", **fields: Any) -> Contact:
    data: dict[str, Any] = {"first_name": "Claire", "last_name": last_name}
    data.update(fields)
    return create_contact(actor, data)


def campaign(actor: User, title: str = "Lancement du parc éolien", **fields: Any) -> Campaign:
    """A draft release for the first client (or `client_id`), through the service."""
    data: dict[str, Any] = {"title": title, "kind": "release"}
    if "client_id" not in fields:
        data["client_id"] = Client.objects.order_by("pk").values_list("pk", flat=True).first()
    data.update(fields)
    return create_campaign(actor, data)


def recipients(actor: User, brief: Campaign, contacts: list[Contact]) -> list[Any]:
    """Put contacts on a campaign's target list (as targeting will)."""
    from relance.campaigns.models import Recipient

    return [Recipient.objects.create(campaign=brief, contact=c, added_by=actor) for c in contacts]


def message(actor: User, brief: Campaign, language: str = "fr", **fields: Any) -> Any:
    """The campaign's message in one language, through the service."""
    from relance.outreach.services import save_message

    data = {
        "subject": "Communiqué : {{ outlet }}",
        "body": "<p>Bonjour {{ first_name }} {{ last_name }},</p><p>Le parc éolien.</p>"
        "<p>{{ signature }}</p>",
    }
    data.update(fields)
    return save_message(actor, brief, language, data)
