"""The guest list of an event or a press conference: who was invited, who
opened the invitation, who said yes (and with how many), maybe, no, and who
has not answered; exported as CSV or PDF for the door.

It is part of the media database (names and outlets of journalists): the
page needs VIEW_MEDIA, the exports EXPORT_CONTACTS, like any list of
contacts leaving the application (interns and client viewers take none).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Agency, User
from relance.accounts.permissions import Cap, require
from relance.campaigns.models import Campaign, Recipient, Rsvp

# The guest list's columns of answers, in the order a press officer reads them.
STATUSES: dict[str, Any] = {
    "yes": gettext_lazy("Confirmed"),
    "maybe": gettext_lazy("Maybe"),
    "no": gettext_lazy("Declined"),
    "opened": gettext_lazy("Opened, no answer"),
    "no_answer": gettext_lazy("No answer"),
    "bounced": gettext_lazy("Not delivered"),
    "not_sent": gettext_lazy("Not sent yet"),
}


@dataclass(frozen=True)
class Guest:
    recipient_id: int
    contact_id: int
    name: str
    outlet: str
    role: str
    status: str
    guests: int
    answered_at: datetime | None
    note: str
    opened_at: datetime | None
    # Ticked at the door on the day (relance.followups.checkin).
    attended_at: datetime | None = None

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def headcount(self) -> int:
        """People expected at the door for this guest."""
        return 1 + self.guests if self.status == "yes" else 0


def status_of(r: Recipient) -> str:
    if r.rsvp:
        return r.rsvp
    if r.bounced_at is not None or r.state == "bounced":
        return "bounced"
    if r.sent_at is None:
        return "not_sent"
    return "opened" if r.opened_at else "no_answer"


def _rows(campaign: Campaign) -> QuerySet[Recipient]:
    return (
        Recipient.objects.filter(campaign=campaign, contact__erased_at__isnull=True)
        .select_related("contact__outlet")
        .only(
            "pk",
            "state",
            "sent_at",
            "opened_at",
            "bounced_at",
            "rsvp",
            "rsvp_at",
            "guests",
            "rsvp_note",
            "attended_at",
            "contact__id",
            "contact__first_name",
            "contact__last_name",
            "contact__role",
            "contact__outlet__name",
        )
        .order_by("contact__last_name", "contact__first_name", "pk")
    )


def guest_list(actor: User | None, campaign: Campaign, status: str = "") -> list[Guest]:
    require(actor, Cap.VIEW_MEDIA)
    guests = []
    for r in _rows(campaign):
        guest = Guest(
            recipient_id=r.pk,
            contact_id=r.contact.pk,
            name=r.contact.full_name,
            outlet=r.contact.outlet.name if r.contact.outlet else "",
            role=r.contact.get_role_display(),
            status=status_of(r),
            guests=r.guests,
            answered_at=r.rsvp_at,
            note=r.rsvp_note,
            opened_at=r.opened_at,
            attended_at=r.attended_at,
        )
        if not status or guest.status == status:
            guests.append(guest)
    return guests


def counts(campaign: Campaign) -> dict[str, int]:
    """How many in each status, plus `invited` (sent) and `expected` (the
    confirmed and those coming with them). Counts only: a client viewer
    may read them."""
    result = {code: 0 for code in STATUSES}
    expected = 0
    rows = Recipient.objects.filter(campaign=campaign, contact__erased_at__isnull=True).only(
        "state", "sent_at", "opened_at", "bounced_at", "rsvp", "guests"
    )
    for r in rows:
        code = status_of(r)
        result[code] += 1
        if code == Rsvp.YES:
            expected += 1 + r.guests
    result["invited"] = sum(v for k, v in result.items() if k not in ("not_sent", "bounced"))
    result["expected"] = expected
    return result


# --- Exports --------------------------------------------------------------------------------


def _for_the_door(guests: list[Guest]) -> list[Guest]:
    # Confirmed first, then maybe: who may show up; the rest is not needed
    # at the door but is kept below for the record.
    order = {code: i for i, code in enumerate(STATUSES)}
    return sorted(guests, key=lambda g: order[g.status])


def as_csv(actor: User | None, campaign: Campaign) -> str:
    require(actor, Cap.EXPORT_CONTACTS)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(
        [
            _("Name"),
            _("Outlet"),
            _("Role"),
            _("Answer"),
            _("Companions"),
            _("Expected"),
            _("Answered on"),
            _("Note"),
        ]
    )
    for g in _for_the_door(guest_list(actor, campaign)):
        writer.writerow(
            [
                g.name,
                g.outlet,
                g.role,
                g.status_label,
                g.guests,
                g.headcount,
                timezone.localtime(g.answered_at).strftime("%Y-%m-%d %H:%M")
                if g.answered_at
                else "",
                g.note,
            ]
        )
    # A BOM so that spreadsheet programs read the accents right.
    return "\ufeff" + out.getvalue()


def as_pdf(actor: User | None, campaign: Campaign) -> bytes:
    """A printable list for the door: who is expected, with a box to tick."""
    require(actor, Cap.EXPORT_CONTACTS)
    from weasyprint import HTML

    guests = _for_the_door(guest_list(actor, campaign))
    markup = render_to_string(
        "outreach/guests_pdf.html",
        {
            "campaign": campaign,
            "agency": Agency.current(),
            "expected": [g for g in guests if g.status in ("yes", "maybe")],
            "counts": counts(campaign),
            "printed_at": timezone.localtime(),
        },
    )
    return HTML(string=markup).write_pdf()
