"""The follow-up e-mail: the release resent, personalised, through the outbox.

"Send me the material" after a call, or a planned e-mail follow-up for a
journalist who takes no calls: one outbox row of kind "followup" for the
campaign's recipient, with a few personal lines above the release
(relance.outreach.sending renders and sends it like any campaign message,
with the same unsubscribe header and preference link).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.campaigns.models import Recipient
from relance.followups.models import FollowUp
from relance.outreach import services as outreach
from relance.outreach.models import OutboxKind, OutboxMessage, OutboxState


def note_text(followup: FollowUp, sender: User, language: str, *, material: bool) -> str:
    contact = followup.contact
    with translation.override(language):
        hello = (
            _("Hello %(name)s,") % {"name": contact.first_name}
            if contact.first_name
            else _("Hello,")
        )
        if material:
            body = _(
                "As promised on the phone, here is the release with the press kit. "
                "I am happy to arrange an interview or send pictures."
            )
        else:
            body = _(
                "In case it is useful for your coverage, here is our release again, below. "
                "I am happy to arrange an interview or send pictures."
            )
    name = sender.get_full_name() or sender.username
    return f"{hello}\n\n{body}\n\n{name}"


def queue_followup_email(
    actor: User, followup: FollowUp, *, material: bool, system: bool
) -> OutboxMessage:
    """Queue the follow-up e-mail. `system`: asked for by the journalist on
    the phone ("send me the material"), so whoever took the call may
    trigger it; otherwise it is a send in the agency's name."""
    campaign = followup.campaign
    if not system:
        outreach.require_send(actor, campaign)
    contact = followup.contact
    addresses = outreach.best_addresses([contact.pk])
    address, status = addresses.get(contact.pk, ("", ""))
    reason = outreach.refusal(contact, address, status, timezone.localdate())
    if reason:
        raise ValidationError(
            _("No e-mail can go to this contact (%(reason)s).") % {"reason": reason}
        )
    messages = outreach.messages_by_language(campaign)
    if not messages:
        raise ValidationError(_("Write the message first."))
    recipient = Recipient.objects.filter(campaign=campaign, contact=contact).first()
    if recipient is None or recipient.sent_at is None:
        raise PermissionDenied(_("Only a recipient who was sent the campaign is followed up."))
    language = outreach.pick_language(contact.language, campaign.language, messages)
    row = OutboxMessage.objects.create(
        campaign=campaign,
        recipient=recipient,
        contact=contact,
        to_address=address,
        language=language,
        message_id=outreach.new_message_id(campaign.pk),
        state=OutboxState.QUEUED,
        next_attempt_at=timezone.now(),
        queued_by=actor,
        kind=OutboxKind.FOLLOWUP,
        note=note_text(followup, actor, language, material=material),
    )
    transaction.on_commit(lambda: outreach.enqueue_in_batches([row.pk]))
    return row
