"""Builders of planner facts for the policy tests (no database)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from relance.followups.planner import (
    CampaignFacts,
    ContactFacts,
    Facts,
    OutletFacts,
    RecipientFacts,
    UserFacts,
)

PARIS = ZoneInfo("Europe/Paris")
MONTREAL = ZoneInfo("America/Montreal")

USERS = {
    1: UserFacts(1, "diane", "director", 10),
    2: UserFacts(2, "marc", "manager", 10),
    3: UserFacts(3, "paula", "press_officer", 25),
    4: UserFacts(4, "ines", "intern", 25),
}


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def montreal(*args: int) -> datetime:
    return datetime(*args, tzinfo=MONTREAL)  # type: ignore[misc]


def outlet(oid: int = 1, **fields: Any) -> OutletFacts:
    base = OutletFacts(
        id=oid,
        name=f"Outlet {oid}",
        kind="print",
        periodicity="daily",
        timezone="Europe/Paris",
        country="FR",
        audience=50_000,
        tier=2,
    )
    return replace(base, **fields)


def quebec(oid: int = 1, **fields: Any) -> OutletFacts:
    return outlet(oid, timezone="America/Montreal", country="CA", region="QC", **fields)


def contact(cid: int = 1, outlet_id: int | None = 1, **fields: Any) -> ContactFacts:
    return replace(ContactFacts(id=cid, name=f"Contact {cid}", outlet_id=outlet_id), **fields)


def facts(
    sent_at: datetime,
    contacts: list[ContactFacts] | None = None,
    outlets: list[OutletFacts] | None = None,
    *,
    kind: str = "release",
    event_at: datetime | None = None,
    recipients: dict[int, dict[str, Any]] | None = None,
    pool: list[int] | None = None,
    users: dict[int, UserFacts] | None = None,
    **extra: Any,
) -> Facts:
    contacts = contacts if contacts is not None else [contact()]
    outlets = outlets if outlets is not None else [outlet()]
    recipients = recipients or {}
    return Facts(
        campaign=CampaignFacts(id=7, kind=kind, sent_at=sent_at, event_at=event_at, manager_id=2),
        recipients=[
            RecipientFacts(**{"contact_id": c.id, "sent_at": sent_at, **recipients.get(c.id, {})})
            for c in contacts
        ],
        contacts={c.id: c for c in contacts},
        outlets={o.id: o for o in outlets},
        users=users if users is not None else dict(USERS),
        pool=pool if pool is not None else [3, 4],
        **extra,
    )
