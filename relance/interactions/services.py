"""Recording and reading interactions (relance.interactions.models).

Two ways in:

* `observed(...)`: what Relance itself saw happen (a send, a pixel, a
  click, a bounce, a reply, an RSVP from the journalist's page), recorded
  once per event key by outreach;
* `log(actor, data)`: what a team member reports (a call, a meeting, a
  social message, a reply received elsewhere), by the API now and by the
  call desk. Its effects apply at once: "stop calling me" is the
  journalist's own "no calls" for every campaign, an answer to an
  invitation goes on the guest list.

Reading goes through `visible_interactions`: interactions are part of the
media database (who said what to whom), so only roles that see contacts
read them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import Recipient, Rsvp
from relance.campaigns.services import clean_datetime, visible_campaigns
from relance.contacts.models import Contact
from relance.interactions.models import (
    SYSTEM_OUTCOMES,
    Channel,
    Direction,
    Interaction,
    Outcome,
)

MAX_NOTES = 5000
# A call logged "now" from a phone whose clock runs a little ahead.
FUTURE_SLACK = timedelta(minutes=5)

# What an answer means for an invitation's guest list.
_RSVP_OF_OUTCOME = {
    Outcome.RSVP_YES: Rsvp.YES,
    Outcome.WILL_ATTEND: Rsvp.YES,
    Outcome.RSVP_MAYBE: Rsvp.MAYBE,
    Outcome.RSVP_NO: Rsvp.NO,
}


# --- What Relance observed ----------------------------------------------------------


def observed(
    *,
    key: str,
    contact_id: int,
    outcome: str,
    at: datetime,
    campaign_id: int | None = None,
    user_id: int | None = None,
    channel: str = Channel.EMAIL,
    direction: str = Direction.IN,
    notes: str = "",
    details: Mapping[str, Any] | None = None,
) -> bool:
    """Record an event once: False when its key is already there (the same
    pixel loaded twice, a mailbox read again)."""
    if Interaction.objects.filter(key=key).exists():
        return False
    try:
        with transaction.atomic():
            Interaction.objects.create(
                key=key,
                contact_id=contact_id,
                campaign_id=campaign_id,
                user_id=user_id,
                channel=channel,
                direction=direction,
                outcome=outcome,
                at=at,
                notes=notes[:MAX_NOTES],
                details=dict(details or {}),
            )
    except IntegrityError:  # recorded meanwhile by another request
        return False
    return True


def observed_many(rows: list[Interaction]) -> None:
    """Bulk version of `observed` for rows carrying their keys; those
    already recorded are left as they are."""
    if rows:
        Interaction.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


# --- What a team member reports -----------------------------------------------------------


def can_log(user: User | None) -> bool:
    # Everyone who works the media database: interns and community managers
    # make calls and answer social messages too.
    return has(user, Cap.EDIT_MEDIA)


def _choice(
    value: Any, choices: type[models.TextChoices], field: str, errors: dict[str, list[str]]
) -> str:
    text = str(value or "")
    if text not in choices.values:
        errors[field] = [_("Choose one of: %(choices)s.") % {"choices": ", ".join(choices.values)}]
    return text


def _clean(actor: User, data: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    contact = None
    contact_id = data.get("contact_id")
    if contact_id in (None, ""):
        errors["contact_id"] = [_("Say who the interaction was with.")]
    else:
        contact = Contact.objects.filter(pk=contact_id, erased_at__isnull=True).first()
        if contact is None:
            errors["contact_id"] = [_("This contact does not exist.")]
    campaign = None
    if data.get("campaign_id") not in (None, ""):
        campaign = visible_campaigns(actor).filter(pk=data["campaign_id"]).first()
        if campaign is None:
            errors["campaign_id"] = [_("This campaign does not exist.")]
    channel = _choice(data.get("channel") or Channel.PHONE, Channel, "channel", errors)
    direction = _choice(data.get("direction") or Direction.OUT, Direction, "direction", errors)
    outcome = _choice(data.get("outcome"), Outcome, "outcome", errors)
    if outcome in SYSTEM_OUTCOMES:
        errors["outcome"] = [
            _("“%(outcome)s” is recorded by Relance itself when it happens.") % {"outcome": outcome}
        ]
    if outcome in _RSVP_OF_OUTCOME and campaign is not None and not campaign.is_event:
        errors["outcome"] = [_("Only an event or a press conference has a guest list.")]
    try:
        at = clean_datetime(data.get("at")) or now
    except ValueError as exc:
        errors["at"] = [str(exc)]
        at = now
    if at > now + FUTURE_SLACK:
        errors["at"] = [_("An interaction cannot be in the future.")]
    notes = str(data.get("notes") or "").strip()
    if len(notes) > MAX_NOTES:
        errors["notes"] = [_("Too long: at most %(limit)d characters.") % {"limit": MAX_NOTES}]
    user = actor
    username = data.get("user")
    if username not in (None, "", actor.username):
        other = User.objects.filter(username=username, is_active=True).first()
        if other is None or not can_log(other):
            errors["user"] = [_("No team member has this username.")]
        elif not has(actor, Cap.EDIT_ALL_CAMPAIGNS):
            errors["user"] = [_("Only account managers may record for someone else.")]
        else:
            user = other
    if errors:
        raise ValidationError(errors)
    return {
        "contact": contact,
        "campaign": campaign,
        "channel": channel,
        "direction": direction,
        "outcome": outcome,
        "at": at,
        "notes": notes,
        "user": user,
    }


@transaction.atomic
def log(
    actor: User | None,
    data: Mapping[str, Any],
    now: datetime | None = None,
    *,
    details: Mapping[str, Any] | None = None,
) -> Interaction:
    """Record an interaction a team member reports, and apply what it means.
    `details` are facts the call desk adds (a call back time, who to ask)."""
    require(actor, Cap.EDIT_MEDIA)
    assert actor is not None
    now = now or timezone.now()
    clean = _clean(actor, data, now)
    interaction = Interaction.objects.create(
        contact=clean["contact"],
        campaign=clean["campaign"],
        user=clean["user"],
        channel=clean["channel"],
        direction=clean["direction"],
        outcome=clean["outcome"],
        at=clean["at"],
        notes=clean["notes"],
        details=dict(details or {}),
        recorded_by=actor,
    )
    _apply(actor, interaction)
    return interaction


def _apply(actor: User, interaction: Interaction) -> None:
    """What an outcome changes elsewhere (DESIGN.md §5.9)."""
    from relance.contacts.services.preferences import refuse_calls

    if interaction.outcome == Outcome.STOP_CALLING:
        # The journalist's own choice, for every campaign and every client.
        refuse_calls(actor, interaction.contact)
    rsvp = _RSVP_OF_OUTCOME.get(Outcome(interaction.outcome))
    if rsvp is None and interaction.outcome == Outcome.DECLINED:
        campaign = interaction.campaign
        rsvp = Rsvp.NO if campaign is not None and campaign.is_event else None
    if rsvp is not None and interaction.campaign_id:
        Recipient.objects.filter(
            campaign_id=interaction.campaign_id, contact_id=interaction.contact_id
        ).update(rsvp=rsvp, rsvp_at=interaction.at)
    if interaction.outcome in (Outcome.REPLIED,) and interaction.campaign_id:
        Recipient.objects.filter(
            campaign_id=interaction.campaign_id,
            contact_id=interaction.contact_id,
            replied_at__isnull=True,
        ).update(replied_at=interaction.at)


@transaction.atomic
def delete(actor: User | None, interaction: Interaction) -> None:
    """A mistaken entry, removed by whoever recorded it or an account
    manager. What Relance observed itself stays: it is the record."""
    require(actor, Cap.EDIT_MEDIA)
    assert actor is not None
    if interaction.key is not None:
        raise PermissionDenied(_("What Relance recorded itself cannot be deleted."))
    if interaction.recorded_by_id != actor.pk and not has(actor, Cap.EDIT_ALL_CAMPAIGNS):
        raise PermissionDenied(_("Only who recorded it or an account manager may delete it."))
    audit.record(
        actor,
        "interaction_deleted",
        interaction.contact,
        changes={
            "outcome": interaction.outcome,
            "channel": interaction.channel,
            "at": interaction.at.isoformat(),
        },
    )
    interaction.delete()


# --- Reading ---------------------------------------------------------------------------------


def visible_interactions(actor: User | None) -> QuerySet[Interaction]:
    require(actor, Cap.VIEW_MEDIA)
    return Interaction.objects.filter(contact__erased_at__isnull=True)


def filter_interactions(
    qs: QuerySet[Interaction],
    *,
    contact_id: int | None = None,
    campaign_id: int | None = None,
    user: str | None = None,
    channel: str | None = None,
    direction: str | None = None,
    outcome: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[Interaction]:
    if contact_id is not None:
        qs = qs.filter(contact_id=contact_id)
    if campaign_id is not None:
        qs = qs.filter(campaign_id=campaign_id)
    if user:
        qs = qs.filter(user__username=user)
    if channel:
        qs = qs.filter(channel=channel)
    if direction:
        qs = qs.filter(direction=direction)
    if outcome:
        qs = qs.filter(outcome=outcome)
    if since is not None:
        qs = qs.filter(at__gte=since)
    if until is not None:
        qs = qs.filter(at__lt=until)
    return qs
