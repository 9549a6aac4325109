"""Campaign messages and the outbox: who may send, the message per
language, queueing (now or at a set time), pause, resume and re-queue.

The sending itself is in `relance.outreach.sending` (run by the task
worker). Journalists' choices are enforced here when queueing and again
when a worker claims a row, so nothing can get around them: a contact who
opted out, is on do-not-contact, is paused or whose address bounced is
never sent a campaign (DESIGN.md §5.2, §7).
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Agency, Language, User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import Campaign, CampaignStatus, Recipient, RecipientState
from relance.campaigns.services import is_on, require_edit, sanitise_body
from relance.contacts.models import Contact, ContactEmail, EmailStatus
from relance.outreach import compose
from relance.outreach.models import CampaignMessage, OutboxKind, OutboxMessage, OutboxState

MAX_SUBJECT_CHARS = 250

# Why a recipient is left out of a send (codes shared with the planner's
# reason codes where they mean the same thing, DESIGN.md §4).
REFUSALS: dict[str, Any] = {
    "opted_out": gettext_lazy("opted out"),
    "do_not_contact": gettext_lazy("on do-not-contact"),
    "paused": gettext_lazy("paused"),
    "bounced": gettext_lazy("address bounced"),
    "no_email": gettext_lazy("no e-mail address"),
    "already_queued": gettext_lazy("already queued or sent"),
}


# --- Who may send ---------------------------------------------------------------


def can_send(user: User | None, campaign: Campaign) -> bool:
    """Directors and account managers send any campaign; press officers the
    campaigns they are on; nobody else."""
    if not has(user, Cap.SEND_CAMPAIGNS):
        return False
    return has(user, Cap.EDIT_ALL_CAMPAIGNS) or is_on(user, campaign)


def require_send(actor: User | None, campaign: Campaign) -> None:
    require(actor, Cap.SEND_CAMPAIGNS)
    if not can_send(actor, campaign):
        raise PermissionDenied(
            _("Only the campaign's manager, its team and account managers may send it.")
        )


# --- The message ------------------------------------------------------------------


def clean_message(subject: Any, body: Any) -> tuple[str, str]:
    """Subject and sanitised body; every problem at once, under the field's
    name, including merge fields that do not exist (named)."""
    errors: dict[str, list[str]] = {}
    subject = " ".join(str(subject or "").split())
    body = sanitise_body(str(body or ""))
    if not subject:
        errors.setdefault("subject", []).append(_("A message needs a subject."))
    elif len(subject) > MAX_SUBJECT_CHARS:
        errors.setdefault("subject", []).append(
            _("Too long: at most %(limit)d characters.") % {"limit": MAX_SUBJECT_CHARS}
        )
    if not body:
        errors.setdefault("body", []).append(_("A message needs a text."))
    for name, text in (("subject", subject), ("body", body)):
        unknown = compose.unknown_fields(text)
        if unknown:
            errors.setdefault(name, []).append(compose.unknown_fields_message(unknown))
    if errors:
        raise ValidationError(errors)
    return subject, body


@transaction.atomic
def save_message(
    actor: User | None, campaign: Campaign, language: str, data: Mapping[str, Any]
) -> CampaignMessage:
    require_edit(actor, campaign)
    if language not in Language.values:
        raise ValidationError({"language": [_("Choose French or English.")]})
    subject, body = clean_message(data.get("subject"), data.get("body"))
    message, created = CampaignMessage.objects.update_or_create(
        campaign=campaign,
        language=language,
        defaults={"subject": subject, "body": body, "updated_by": actor},
    )
    audit.record(
        actor,
        "create" if created else "update",
        campaign,
        changes={"message": language},
    )
    return message


def messages_by_language(campaign: Campaign) -> dict[str, CampaignMessage]:
    return {m.language: m for m in CampaignMessage.objects.filter(campaign=campaign)}


def pick_language(contact_language: str, campaign_language: str, available: Iterable[str]) -> str:
    """The contact's language when the message exists in it, else the
    campaign's, else whichever exists."""
    have = list(available)
    for choice in (contact_language, campaign_language):
        if choice in have:
            return choice
    return have[0] if have else campaign_language


def campaign_signature(campaign: Campaign) -> str:
    manager = campaign.manager
    agency = Agency.current().name
    if manager is None:
        return agency
    return compose.signature(
        manager.get_full_name() or manager.username, agency, manager.phone, manager.email
    )


def contact_values(contact: Contact, signature: str) -> dict[str, str]:
    return compose.merge_values(
        first_name=contact.first_name,
        last_name=contact.last_name,
        outlet=contact.outlet.name if contact.outlet_id and contact.outlet else "",
        show=contact.show.name if contact.show_id and contact.show else "",
        signature=signature,
    )


def preview(
    actor: User | None, campaign: Campaign, contact: Contact | None, language: str | None = None
) -> tuple[str, compose.Rendered] | None:
    """The message as `contact` would receive it (language chosen as for
    the send unless given), or None when there is no message yet."""
    messages = messages_by_language(campaign)
    if not messages:
        return None
    if language not in messages:
        language = pick_language(
            contact.language if contact else campaign.language, campaign.language, messages
        )
    message = messages[language]
    if contact is None:
        values = compose.merge_values(
            first_name=_("Claire"),
            last_name=_("Dubois"),
            outlet=_("Le Courrier de Lyon"),
            show="",
            signature=campaign_signature(campaign),
        )
    else:
        values = contact_values(contact, campaign_signature(campaign))
    rendered = compose.render(message.subject, message.body, values)
    if campaign.is_event:
        # The answer buttons as the guests see them; here (and in a test
        # send) they lead to the guest list, not to anyone's answer page.
        from relance.outreach.invitations import with_rsvp

        page = settings.BASE_URL.rstrip("/") + reverse("outreach:guests", args=[campaign.pk])
        rendered = with_rsvp(rendered, page_url=page, language=language)
    return language, rendered


def send_test(actor: User, campaign: Campaign, language: str | None = None) -> str:
    """The message, filled with sample values, to the actor's own address,
    right away: not in the outbox, not counted, no tracking. Returns the
    address it went to."""
    require_send(actor, campaign)
    if not actor.email:
        raise ValidationError(_("Add an e-mail address to your profile first."))
    result = preview(actor, campaign, None, language)
    if result is None:
        raise ValidationError(_("Write the message first."))
    chosen, rendered = result
    rendered = compose.Rendered(
        subject=_("[Test] %(subject)s") % {"subject": rendered.subject},
        html=rendered.html,
        text=rendered.text,
    )
    from relance.outreach.sending import load_attachments

    email = compose.build_email(
        rendered,
        to=actor.email,
        language=chosen,
        message_id=new_message_id(campaign.pk),
        sender=campaign_sender(campaign),
        attachments=load_attachments(campaign),
    )
    email.send()
    audit.record(actor, "test_send", campaign, changes={"to": actor.email, "language": chosen})
    return actor.email


def campaign_sender(campaign: Campaign) -> compose.Sender:
    manager = campaign.manager
    if manager is None:
        return compose.sender(Agency.current().name, "")
    return compose.sender(manager.get_full_name() or manager.username, manager.email)


def new_message_id(campaign_id: int) -> str:
    """A Message-ID generated once per outbox row, so a retry reuses it."""
    address = parseaddr(settings.CAMPAIGN_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)[1]
    domain = address.rpartition("@")[2] or "relance.invalid"
    return f"<{uuid.uuid4().hex}.c{campaign_id}@{domain}>"


# --- Queueing ---------------------------------------------------------------------


@dataclass
class QueueReport:
    queued: int = 0
    at: datetime | None = None
    left_out: Counter[str] = field(default_factory=Counter)

    def left_out_text(self) -> list[str]:
        return [f"{count} — {REFUSALS[code]}" for code, count in sorted(self.left_out.items())]


def refusal(
    contact: Contact | None, address: str | None, address_status: str | None, today: date
) -> str | None:
    """Why this contact may not be sent a campaign, or None."""
    if contact is None or contact.erased_at is not None or contact.do_not_contact:
        return "do_not_contact"
    if contact.opted_out:
        return "opted_out"
    if contact.paused_until is not None and contact.paused_until >= today:
        return "paused"
    if not address:
        return "no_email"
    if address_status == EmailStatus.BOUNCED:
        return "bounced"
    return None


def best_addresses(contact_ids: Iterable[int]) -> dict[int, tuple[str, str]]:
    """contact id -> (address, status): the primary address unless it
    bounced and another one did not."""
    best: dict[int, tuple[str, str]] = {}
    rows = (
        ContactEmail.objects.filter(contact_id__in=list(contact_ids))
        .order_by("contact_id", "-is_primary", "id")
        .values_list("contact_id", "address", "status")
    )
    for contact_id, address, status in rows:
        current = best.get(contact_id)
        if current is None or (current[1] == EmailStatus.BOUNCED and status != EmailStatus.BOUNCED):
            best[contact_id] = (address, status)
    return best


def _today() -> date:
    return timezone.localdate()


@transaction.atomic
def queue_campaign(
    actor: User | None, campaign: Campaign, *, at: datetime | None = None
) -> QueueReport:
    """One outbox row per recipient not yet queued or sent, to be sent now
    or at `at`; those the rules leave out are counted by reason."""
    require_send(actor, campaign)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    messages = messages_by_language(campaign)
    if not messages:
        raise ValidationError(_("Write the message first."))
    now = timezone.now()
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at, timezone.get_current_timezone())
    when = at if at is not None and at > now else now
    report = QueueReport(at=when if when > now else None)
    today = _today()
    already = set(
        OutboxMessage.objects.filter(campaign=campaign).values_list("recipient_id", flat=True)
    )
    recipients = list(
        Recipient.objects.filter(campaign=campaign).select_related("contact").order_by("id")
    )
    addresses = best_addresses(r.contact_id for r in recipients)
    # Resuming a paused campaign is explicit: new rows join it paused.
    paused = OutboxMessage.objects.filter(campaign=campaign, state=OutboxState.PAUSED).exists()
    rows: list[OutboxMessage] = []
    for recipient in recipients:
        if recipient.pk in already or recipient.state == RecipientState.SENT or recipient.sent_at:
            report.left_out["already_queued"] += 1
            continue
        address, status = addresses.get(recipient.contact_id, ("", ""))
        reason = refusal(recipient.contact, address, status, today)
        if reason:
            report.left_out[reason] += 1
            continue
        rows.append(
            OutboxMessage(
                campaign=campaign,
                recipient=recipient,
                contact_id=recipient.contact_id,
                to_address=address,
                language=pick_language(recipient.contact.language, campaign.language, messages),
                message_id=new_message_id(campaign.pk),
                state=OutboxState.PAUSED if paused else OutboxState.QUEUED,
                next_attempt_at=when,
                queued_by=actor if getattr(actor, "pk", None) else None,
            )
        )
    OutboxMessage.objects.bulk_create(rows, batch_size=500)
    report.queued = len(rows)
    if rows:
        Recipient.objects.filter(pk__in=[r.recipient_id for r in rows]).update(
            state=RecipientState.QUEUED
        )
        if campaign.status in (CampaignStatus.DRAFT, CampaignStatus.SCHEDULED):
            campaign.status = (
                CampaignStatus.SCHEDULED if report.at is not None else CampaignStatus.SENDING
            )
            campaign.save(update_fields=["status", "updated_at"])
        ids = [row.pk for row in rows]
        if not paused:
            transaction.on_commit(lambda: enqueue_in_batches(ids, report.at))
    audit.record(
        actor,
        "queue_send",
        campaign,
        changes={
            "queued": report.queued,
            "at": report.at.isoformat() if report.at else "now",
            "left_out": dict(report.left_out),
        },
    )
    return report


def enqueue_in_batches(ids: list[int], at: datetime | None = None) -> None:
    from relance.outreach.sending import enqueue

    size = settings.SEND_BATCH_SIZE
    for start in range(0, len(ids), size):
        enqueue(ids[start : start + size], at)


# --- Pause, resume, re-queue --------------------------------------------------------


@transaction.atomic
def pause(actor: User | None, campaign: Campaign) -> int:
    """Rows waiting are set aside; a batch already claimed finishes (at most
    one batch per worker)."""
    require_send(actor, campaign)
    count = OutboxMessage.objects.filter(campaign=campaign, state=OutboxState.QUEUED).update(
        state=OutboxState.PAUSED
    )
    audit.record(actor, "pause_send", campaign, changes={"paused": count})
    return count


@transaction.atomic
def resume(actor: User | None, campaign: Campaign) -> int:
    require_send(actor, campaign)
    return _requeue(actor, campaign, OutboxState.PAUSED, "resume_send")


@transaction.atomic
def requeue(actor: User | None, campaign: Campaign, ids: Iterable[int] | None = None) -> int:
    """Send again the rows marked uncertain (they may arrive twice: a person
    decides), with their own Message-ID so a server may drop a duplicate."""
    require_send(actor, campaign)
    return _requeue(actor, campaign, OutboxState.UNCERTAIN, "requeue_send", ids)


def _requeue(
    actor: User | None,
    campaign: Campaign,
    state: str,
    action: str,
    ids: Iterable[int] | None = None,
) -> int:
    qs = OutboxMessage.objects.filter(campaign=campaign, state=state)
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    chosen = list(qs.values_list("pk", flat=True))
    OutboxMessage.objects.filter(pk__in=chosen, state=state).update(
        state=OutboxState.QUEUED, next_attempt_at=timezone.now(), claim_token=""
    )
    if chosen:
        Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENT).update(
            status=CampaignStatus.SENDING
        )
        transaction.on_commit(lambda: enqueue_in_batches(chosen))
    audit.record(actor, action, campaign, changes={"messages": len(chosen)})
    return len(chosen)


# --- Progress ---------------------------------------------------------------------


def engagement(campaign: Campaign) -> dict[str, Any]:
    """What came back from the recipients: delivered, opened (approximate),
    clicked, replied, bounced; and the links by clicks."""
    from django.db.models import Q

    from relance.outreach.models import TrackedLink

    sent = Q(sent_at__isnull=False)
    counts = Recipient.objects.filter(campaign=campaign).aggregate(
        sent=Count("id", filter=sent),
        bounced=Count("id", filter=sent & Q(bounced_at__isnull=False)),
        opened=Count("id", filter=sent & Q(opened_at__isnull=False)),
        clicked=Count("id", filter=sent & Q(clicked_at__isnull=False)),
        replied=Count("id", filter=sent & Q(replied_at__isnull=False)),
    )
    counts["delivered"] = counts["sent"] - counts["bounced"]
    agency = Agency.current()
    return {
        **counts,
        "track_opens": agency.track_opens,
        "track_clicks": agency.track_clicks,
        "links": list(
            TrackedLink.objects.filter(campaign=campaign)
            .order_by("-clicks", "id")
            .values("url", "clicks")[:20]
        ),
    }


def progress(campaign: Campaign) -> dict[str, int]:
    """The release's sending progress (follow-up e-mails are counted on
    the follow-ups page)."""
    counts = {state: 0 for state in OutboxState.values}
    rows = (
        OutboxMessage.objects.filter(campaign=campaign, kind=OutboxKind.RELEASE)
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for state, n in rows:
        counts[state] = n
    counts["total"] = sum(counts[s] for s in OutboxState.values)
    counts["remaining"] = sum(counts[s] for s in ("queued", "sending", "paused"))
    counts["done"] = counts["total"] - counts["remaining"]
    return counts
