"""Small builders for test data, going through the services like users do."""

from __future__ import annotations

from typing import Any

from relance.accounts.models import User
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
