"""A campaign's recipients: targeting proposals, adding and removing
contacts or whole lists, RSVPs. Pages and API call these; the decisions are
made in `relance.campaigns.targeting` over facts loaded in bulk.

The journalists' choices win: contacts who opted out, are marked do not
contact, are paused or whose primary address bounced are never added;
contacts the agency pitched in the last 7 days are not added either, unless
a manager says so explicitly (`allow_recent=True`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, has
from relance.audit import services as audit
from relance.campaigns import targeting
from relance.campaigns.models import Campaign, Recipient, RecipientState, Rsvp
from relance.campaigns.services import clean_datetime, require_edit
from relance.contacts.models import Contact, ListKind, MediaList
from relance.interactions.models import (
    RSVP_OUTCOMES,
    Channel,
    Direction,
    Interaction,
    Outcome,
)

MAX_ADD = 20_000
MAX_GUESTS = 50


def terms_of(campaign: Campaign) -> list[str]:
    return targeting.brief_terms(
        campaign.title,
        campaign.summary,
        campaign.body,
        campaign.key_messages or [],
        campaign.language,
    )


def propose(
    actor: User | None, campaign: Campaign, limit: int = 200, now: datetime | None = None
) -> list[targeting.Proposal]:
    """The best contacts for the brief, with reasons and warnings; contacts
    already on the campaign are left out."""
    require_edit(actor, campaign)
    now = now or timezone.now()
    terms = terms_of(campaign)
    if not terms:
        return []
    ids, df = targeting.candidates(terms)
    present = set(campaign.recipients.values_list("contact_id", flat=True))
    ids = [i for i in ids if i not in present]
    facts = targeting.load_facts(ids, exclude_campaign_id=campaign.pk)
    return targeting.score(facts, terms, df, targeting._total_contacts(), now, limit)


def can_override_recent(user: User | None, campaign: Campaign) -> bool:
    """Account managers and directors, and the campaign's manager."""
    if has(user, Cap.EDIT_ALL_CAMPAIGNS):
        return True
    return bool(user is not None and user.pk and user.pk == campaign.manager_id)


@dataclass
class AddResult:
    added: list[int] = field(default_factory=list)
    already: list[int] = field(default_factory=list)
    # warning code -> contact ids refused for it (the first reason found)
    refused: dict[str, list[int]] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "added": len(self.added),
            "already": len(self.already),
            "refused": {code: len(ids) for code, ids in sorted(self.refused.items())},
            "refused_ids": {code: ids for code, ids in sorted(self.refused.items())},
            "unknown": self.unknown,
        }


def _ids(values: Iterable[Any]) -> list[int]:
    ids = []
    for value in values:
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise ValidationError({"contact_ids": [_("Expected a list of contact ids.")]}) from None
        if isinstance(value, bool) or not 1 <= number <= 2**63 - 1:
            raise ValidationError({"contact_ids": [_("Expected a list of contact ids.")]})
        ids.append(number)
    return list(dict.fromkeys(ids))


def list_contact_ids(list_id: int) -> list[int]:
    media_list = MediaList.objects.filter(pk=list_id).first()
    if media_list is None:
        raise ValidationError({"list_id": [_("This list does not exist.")]})
    if media_list.kind == ListKind.SMART:
        from relance.contacts.search import ContactFilters, index_condition, plan_for

        plan = plan_for(ContactFilters.from_params(media_list.filters))
        if plan.impossible:
            return []
        base = Contact.objects.filter(erased_at__isnull=True)
        if plan.indexed:
            base = base.filter(index_condition(plan))
        return list(base.order_by("id").values_list("id", flat=True)[: MAX_ADD + 1])
    return list(
        media_list.members.filter(erased_at__isnull=True)
        .order_by("id")
        .values_list("id", flat=True)[: MAX_ADD + 1]
    )


@transaction.atomic
def add_recipients(
    actor: User | None,
    campaign: Campaign,
    contact_ids: Iterable[Any] | None = None,
    list_id: int | None = None,
    sent_at: Any = None,
    allow_recent: bool = False,
    now: datetime | None = None,
) -> AddResult:
    """Add contacts (by id, or a whole media list) to the campaign, with the
    score and reasons targeting gives them. `sent_at` records a send made
    outside Relance (a wire service): those recipients count as sent."""
    require_edit(actor, campaign)
    if allow_recent and not can_override_recent(actor, campaign):
        raise PermissionDenied(
            _("Only the campaign's manager or an account manager may override the 7-day rule.")
        )
    now = now or timezone.now()
    try:
        sent = clean_datetime(sent_at)
    except ValueError as exc:
        raise ValidationError({"sent_at": [str(exc)]}) from None
    if sent is not None and sent > now + timedelta(minutes=5):
        raise ValidationError({"sent_at": [_("A send cannot be in the future.")]})
    ids = _ids(contact_ids or [])
    if list_id is not None:
        ids = list(dict.fromkeys(ids + list_contact_ids(int(list_id))))
    if len(ids) > MAX_ADD:
        raise ValidationError(
            {"contact_ids": [_("At most %(limit)d contacts at once.") % {"limit": MAX_ADD}]}
        )
    result = AddResult()
    if not ids:
        return result
    existing = dict(
        Recipient.objects.filter(campaign=campaign, contact_id__in=ids).values_list(
            "contact_id", "id"
        )
    )
    facts = {f.contact_id: f for f in targeting.load_facts(ids, exclude_campaign_id=campaign.pk)}
    result.unknown = [i for i in ids if i not in facts]
    terms = terms_of(campaign)
    fresh = [facts[i] for i in ids if i in facts and i not in existing]
    scored = {}
    if terms and fresh:
        df = targeting.document_frequencies(terms)
        total = targeting._total_contacts()
        scored = {p.contact_id: p for p in targeting.score(fresh, terms, df, total, now, None)}
    rows = []
    for contact_id in ids:
        f = facts.get(contact_id)
        if f is None:
            continue
        if contact_id in existing:
            result.already.append(contact_id)
            continue
        warnings = targeting.warnings_for(f, now)
        if sent is not None:
            # Recording a send already made: the 7-day rule is about pitching.
            warnings = [w for w in warnings if w.code != targeting.RECENT]
        elif allow_recent:
            warnings = [w for w in warnings if not w.overridable]
        if warnings:
            result.refused.setdefault(warnings[0].code, []).append(contact_id)
            continue
        proposal = scored.get(contact_id)
        rows.append(
            Recipient(
                campaign=campaign,
                contact_id=contact_id,
                state=RecipientState.SENT if sent else RecipientState.TARGETED,
                sent_at=sent,
                score=proposal.score if proposal else None,
                reasons=proposal.reasons if proposal else [],
                added_by=actor if getattr(actor, "pk", None) else None,
            )
        )
        result.added.append(contact_id)
    Recipient.objects.bulk_create(rows, batch_size=1000)
    if sent is not None:
        unsent = Recipient.objects.filter(
            campaign=campaign, contact_id__in=result.already, sent_at__isnull=True
        )
        newly_sent = result.added + list(unsent.values_list("contact_id", flat=True))
        unsent.update(sent_at=sent, state=RecipientState.SENT)
        _record_outside_sends(actor, campaign, newly_sent, sent)
    if result.added or result.refused:
        changes: dict[str, Any] = {"added": len(result.added)}
        if list_id is not None:
            changes["list"] = int(list_id)
        if result.refused:
            changes["refused"] = {k: len(v) for k, v in sorted(result.refused.items())}
        if allow_recent:
            changes["allow_recent"] = True
        if sent is not None:
            changes["sent_at"] = sent.isoformat()
        audit.record(actor, "recipients_added", campaign, changes=changes)
    return result


def _record_outside_sends(
    actor: User | None, campaign: Campaign, contact_ids: list[int], sent: datetime
) -> None:
    """A send made through a wire service or another tool, on each contact's
    history like the sends of the outbox (one per contact and campaign)."""
    user_id = getattr(actor, "pk", None)
    Interaction.objects.bulk_create(
        (
            Interaction(
                key=f"outside:{campaign.pk}:{contact_id}",
                contact_id=contact_id,
                campaign=campaign,
                user_id=user_id,
                recorded_by_id=user_id,
                channel=Channel.EMAIL,
                direction=Direction.OUT,
                outcome=Outcome.SENT,
                at=sent,
                details={"outside": True},
            )
            for contact_id in contact_ids
        ),
        batch_size=1000,
        ignore_conflicts=True,
    )


@transaction.atomic
def remove_recipients(actor: User | None, campaign: Campaign, contact_ids: Iterable[Any]) -> int:
    """Take contacts off the target list; those already queued or sent stay
    (they are the campaign's history). Returns how many were removed."""
    require_edit(actor, campaign)
    ids = _ids(contact_ids)
    removed, _by_model = Recipient.objects.filter(
        campaign=campaign, contact_id__in=ids, state=RecipientState.TARGETED, sent_at__isnull=True
    ).delete()
    if removed:
        audit.record(actor, "recipients_removed", campaign, changes={"removed": removed})
    return removed


@transaction.atomic
def set_rsvp(
    actor: User | None, recipient: Recipient, rsvp: str | None, guests: int | None = None
) -> Recipient:
    """Record an answer received by phone or mail: yes, no, maybe, or
    nothing (clears it); `guests` counts companions or a camera crew."""
    require_edit(actor, recipient.campaign)
    value = rsvp or ""
    errors: dict[str, list[str]] = {}
    if value not in ("", *Rsvp.values):
        errors["rsvp"] = [_("Use yes, no, maybe or null.")]
    if guests is not None and (
        isinstance(guests, bool) or not isinstance(guests, int) or not 0 <= guests <= MAX_GUESTS
    ):
        errors["guests"] = [_("Between 0 and %(limit)d.") % {"limit": MAX_GUESTS}]
    if errors:
        raise ValidationError(errors)
    before = {"rsvp": recipient.rsvp, "guests": recipient.guests}
    recipient.rsvp = value
    recipient.rsvp_at = timezone.now() if value else None
    if guests is not None:
        recipient.guests = guests
    elif not value or value == Rsvp.NO:
        recipient.guests = 0
    recipient.save(update_fields=["rsvp", "rsvp_at", "guests"])
    after = {"rsvp": recipient.rsvp, "guests": recipient.guests}
    changes: dict[str, Any] = dict(audit.diff(before, after))
    if changes:
        changes["contact"] = recipient.contact_id
        audit.record(actor, "rsvp", recipient.campaign, changes=changes)
        if value:
            # Told to a team member (the API's use: an answer given by phone).
            user_id = getattr(actor, "pk", None)
            Interaction.objects.create(
                contact_id=recipient.contact_id,
                campaign_id=recipient.campaign_id,
                user_id=user_id,
                recorded_by_id=user_id,
                channel=Channel.PHONE,
                direction=Direction.IN,
                outcome=RSVP_OUTCOMES[value],
                at=recipient.rsvp_at or timezone.now(),
                details={"guests": recipient.guests},
            )
    return recipient


def totals(campaign: Campaign, now: datetime | None = None) -> dict[str, Any]:
    """Recipients on the campaign, and those whose warnings keep them out of
    the sending now (by reason)."""
    now = now or timezone.now()
    ids = list(campaign.recipients.values_list("contact_id", flat=True))
    excluded: dict[str, int] = {}
    for f in targeting.load_facts(ids, exclude_campaign_id=campaign.pk):
        for w in targeting.warnings_for(f, now)[:1]:
            excluded[w.code] = excluded.get(w.code, 0) + 1
    return {"recipients": len(ids), "excluded": excluded}
