"""Check-in at the door of an event or a press conference: who came.

The guest list (relance.outreach.guests) says who answered; on the day the
team ticks who actually came, confirmed or not (journalists often come
without answering, or send a colleague). A tick sets `attended_at` on the
recipient and leaves one interaction on the contact's history ("came to
the event"), keyed by the recipient so that a double tap records it once;
an undo is a mistaken tap, so it takes both back. Both are on the audit
trail.

Whoever works the media database may tick (interns and community managers
often hold the welcome desk); client viewers never see the list, which
names journalists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import Campaign, Recipient, Rsvp
from relance.campaigns.services import visible_campaigns
from relance.interactions import services as interactions
from relance.interactions.models import Channel, Direction, Interaction, Outcome

# The order at the door: who said yes, who said maybe, who did not answer,
# and last who said no (they do come, sometimes).
_ORDER = {Rsvp.YES: 0, Rsvp.MAYBE: 1, "": 2, Rsvp.NO: 3}


def interaction_key(recipient: Recipient) -> str:
    return f"checkin:{recipient.pk}"


def can_view(user: User | None) -> bool:
    return has(user, Cap.VIEW_MEDIA)


def can_mark(user: User | None) -> bool:
    return has(user, Cap.EDIT_MEDIA)


def _require_event(actor: User | None, campaign: Campaign) -> None:
    if not visible_campaigns(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))
    if not campaign.is_event:
        raise ValidationError(_("Only an event or a press conference has a check-in."))


@dataclass(frozen=True)
class Arrival:
    """One line of the check-in list."""

    recipient_id: int
    contact_id: int
    name: str
    # Empty for contacts who opted out or are marked do not contact: the
    # door needs their name, nothing more.
    outlet: str
    rsvp: str
    guests: int
    attended_at: datetime | None
    private: bool

    @property
    def came(self) -> bool:
        return self.attended_at is not None


def _arrival(r: Recipient) -> Arrival:
    contact = r.contact
    private = contact.opted_out or contact.do_not_contact
    return Arrival(
        recipient_id=r.pk,
        contact_id=contact.pk,
        name=contact.full_name,
        outlet="" if private or contact.outlet is None else contact.outlet.name,
        rsvp=r.rsvp,
        guests=0 if private else r.guests,
        attended_at=r.attended_at,
        private=private,
    )


def _rows(campaign: Campaign):
    return (
        Recipient.objects.filter(campaign=campaign, contact__erased_at__isnull=True)
        .select_related("contact__outlet")
        .only(
            "pk",
            "rsvp",
            "guests",
            "attended_at",
            "contact__id",
            "contact__first_name",
            "contact__last_name",
            "contact__opted_out",
            "contact__do_not_contact",
            "contact__outlet__name",
        )
    )


def arrivals(actor: User | None, campaign: Campaign) -> list[Arrival]:
    """The list for the door, in its order (two queries)."""
    require(actor, Cap.VIEW_MEDIA)
    _require_event(actor, campaign)
    rows = [_arrival(r) for r in _rows(campaign)]
    rows.sort(key=lambda a: (_ORDER.get(a.rsvp, 2), a.name.casefold(), a.recipient_id))
    return rows


def arrival(recipient: Recipient) -> Arrival:
    return _arrival(_rows(recipient.campaign).get(pk=recipient.pk))


def counts(campaign: Campaign) -> dict[str, int]:
    """Confirmed, came, and how many of those who came had not said yes."""
    result = {"confirmed": 0, "came": 0, "unannounced": 0, "expected": 0}
    for rsvp, guests, attended_at in Recipient.objects.filter(
        campaign=campaign, contact__erased_at__isnull=True
    ).values_list("rsvp", "guests", "attended_at"):
        if rsvp == Rsvp.YES:
            result["confirmed"] += 1
            result["expected"] += 1 + guests
        if attended_at is not None:
            result["came"] += 1
            if rsvp != Rsvp.YES:
                result["unannounced"] += 1
    return result


def mark(
    actor: User | None, recipient: Recipient, came: bool, now: datetime | None = None
) -> Recipient:
    """Tick (`came`) or untick a guest. Idempotent: a second tap changes
    nothing and records nothing."""
    require(actor, Cap.EDIT_MEDIA)
    assert actor is not None
    now = now or timezone.now()
    with transaction.atomic():
        # Two people at the door ticking the same guest: the row lock makes
        # the second see the first's tick.
        current = (
            Recipient.objects.select_for_update()
            .select_related("campaign", "contact")
            .get(pk=recipient.pk)
        )
        _require_event(actor, current.campaign)
        if current.contact.erased_at is not None:
            raise ValidationError(_("This person's data was erased."))
        if came == (current.attended_at is not None):
            return current
        key = interaction_key(current)
        before = current.attended_at
        if came:
            current.attended_at, current.checked_in_by = now, actor
            current.save(update_fields=["attended_at", "checked_in_by"])
            interactions.observed(
                key=key,
                contact_id=current.contact_id,
                campaign_id=current.campaign_id,
                user_id=actor.pk,
                channel=Channel.MEETING,
                direction=Direction.IN,
                outcome=Outcome.NOTE,
                at=now,
                notes=_("Came to the event."),
                details={"checkin": True, "rsvp": current.rsvp},
            )
        else:
            current.attended_at, current.checked_in_by = None, None
            current.save(update_fields=["attended_at", "checked_in_by"])
            # A mistaken tap: its trace on the history goes with it (the
            # audit trail keeps that it happened).
            Interaction.objects.filter(key=key).delete()
        audit.record(
            actor,
            "checkin" if came else "checkin_undone",
            current.campaign,
            changes={
                "contact": current.contact_id,
                "attended_at": [
                    before.isoformat() if before else None,
                    current.attended_at.isoformat() if current.attended_at else None,
                ],
            },
        )
    return current
