"""The journalist's links in every campaign message: one-click unsubscribe
(RFC 8058) and the preference page, without an account.

A link carries the outbox row it came with, signed with the secret key and
dated: nobody can forge one for someone else, and it stops working after
LINK_DAYS (a newer message brings a newer link). The row says who the
journalist is and which agency wrote to them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse

from relance.outreach.models import OutboxMessage

SALT = "relance.outreach.links"
# Long enough to act on an old message; expiring, as the issue asks.
LINK_DAYS = 180


class BadLink(Exception):
    """The link was altered, or is too old (`expired`)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def token_for(row_id: int) -> str:
    return signing.dumps(row_id, salt=SALT)


def row_for(token: str) -> OutboxMessage:
    try:
        row_id = signing.loads(token, salt=SALT, max_age=LINK_DAYS * 24 * 3600)
    except signing.SignatureExpired:
        raise BadLink(expired=True) from None
    except signing.BadSignature:
        raise BadLink(expired=False) from None
    row = (
        OutboxMessage.objects.select_related("contact", "campaign__client")
        .filter(pk=row_id)
        .first()
    )
    if row is None or row.contact.erased_at is not None:
        raise BadLink(expired=False)
    return row


@dataclass(frozen=True)
class Links:
    preferences: str
    unsubscribe: str
    rsvp: str  # invitations only: the answer page

    def headers(self) -> dict[str, str]:
        """List-Unsubscribe with its one-click POST (RFC 8058): mail programs
        show an "unsubscribe" button that needs no page at all."""
        return {
            "List-Unsubscribe": f"<{self.unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }


@lru_cache(maxsize=1)
def _prefix() -> str:
    # Every message of a send needs its links: the address is built around
    # one signed token instead of a reverse() per link and per message.
    path = reverse("outreach:preferences", args=["TOKEN"])
    return settings.BASE_URL.rstrip("/") + path.removesuffix("TOKEN/")


def for_row(row_id: int) -> Links:
    base = _prefix() + token_for(row_id) + "/"
    return Links(preferences=base, unsubscribe=base + "unsubscribe/", rsvp=base + "rsvp/")
