"""Ingesting the campaign mailbox: bounces, automatic replies, replies and
complaints come back into the outbox, the campaign and the contact.

`ingest(items)` classifies each message (`relance.outreach.mail`), matches
it to an outbox row, applies its effect and records it as an
`InboundMessage`:

* a **hard bounce** marks the address bounced (never sent to again, shown
  for correction) and the outbox row and the campaign's recipient bounced;
  a **soft bounce** is only counted on the row;
* an **automatic reply** with a return date pauses the contact until that
  date (never shortening a longer pause);
* a **reply** sets the recipient's `replied_at` (the first one) and keeps
  its text, shown on the contact's timeline and on the campaign;
* an **abuse report** or an **unsubscribe** e-mail is the journalist's
  opt-out (`set_opt_out(..., by_journalist=True)`: journalists' choices win).

Matching: bounces by the Message-ID of the message that bounced, else by
the failed address among recent outbox rows; replies by In-Reply-To /
References, else by the sender's address among recent rows.

Idempotent: each message is keyed by its Message-ID (or a digest of its
bytes); a key already recorded changes nothing. Work is done in chunks,
one transaction each, with the facts a chunk needs loaded in a few queries
(DESIGN.md §3). Classification, the costly part, can run in two processes;
the database writes stay here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from relance.audit import services as audit
from relance.campaigns.models import Recipient, RecipientState
from relance.contacts.models import Contact, ContactEmail, EmailStatus
from relance.contacts.services.contacts import set_opt_out
from relance.interactions import services as interactions
from relance.interactions.models import Channel, Direction, Interaction
from relance.interactions.models import Outcome as Said
from relance.outreach.mailboxes import Classified, ImapMailbox, ImapTarget, Item, classify_all
from relance.outreach.models import InboundKind, InboundMessage, OutboxMessage, OutboxState

# Replies and bounces that carry no usable Message-ID are matched by
# address, among the rows queued this recently (an address may have been
# sent several campaigns: the latest wins).
RECENT = timedelta(days=90)
CHUNK = 200
# Rows that never left: nothing can bounce or be answered.
NOT_SENT = (OutboxState.QUEUED, OutboxState.PAUSED, OutboxState.SKIPPED)
# Opt-out notices: an abuse report (ARF) and Apple Mail's unsubscribe e-mail.
OPT_OUT_REASONS = ("complaint", "unsubscribe")


@dataclass(frozen=True)
class Outcome:
    source: str
    kind: str
    recipient: str | None
    hard: bool
    reason: str | None
    matched_outbox_id: int | None
    # What ingesting did: hard_bounce, soft_bounce, paused, auto_reply,
    # replied, opted_out, recorded, duplicate, unreadable.
    effect: str

    def as_json(self) -> dict[str, Any]:
        """Exactly the public contract's fields (DESIGN.md §4)."""
        return {
            "source": self.source,
            "kind": self.kind,
            "recipient": self.recipient,
            "hard": self.hard,
            "reason": self.reason,
            "matched_outbox_id": self.matched_outbox_id,
        }


def ingest(
    items: Iterable[Item],
    *,
    processes: int = 1,
    chunk_size: int = CHUNK,
    on_commit: Callable[[list[str]], None] | None = None,
) -> Iterator[Outcome]:
    """Ingest messages; yields one outcome per message, in order.

    `on_commit(sources)` is called after each chunk's transaction (IMAP marks
    those messages seen then, so a crash never marks a message it did not
    record)."""
    classified = classify_all(items, processes=processes)
    while chunk := list(islice(classified, chunk_size)):
        outcomes = _ingest_chunk(chunk)
        if on_commit is not None:
            # Not the messages that could not be fetched: next time may work.
            on_commit([c.source for c in chunk if c.key])
        yield from outcomes


def _ingest_chunk(chunk: list[Classified]) -> list[Outcome]:
    # Two runs at once (a periodic task and a command) may record the same
    # message: the unique key refuses the second insert, and the chunk is
    # redone, now seeing it as already recorded.
    for attempt in range(3):
        try:
            with transaction.atomic():
                return _apply(chunk, timezone.now())
        except IntegrityError:
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


# --- Matching -------------------------------------------------------------------------


def _ids_wanted(mail: Any) -> list[str]:
    if mail.kind == "bounce" or mail.reason in OPT_OUT_REASONS:
        return [mail.original_message_id] if mail.original_message_id else []
    if mail.kind in ("reply", "auto_reply"):
        return [i for i in (mail.in_reply_to, *mail.references) if i]
    return []


def _address_wanted(mail: Any) -> str | None:
    if mail.kind == "bounce" or mail.reason in OPT_OUT_REASONS:
        return (mail.recipient or "").lower() or None
    if mail.kind in ("reply", "auto_reply"):
        return (mail.sender or "").lower() or None
    return None


_ROW_FIELDS = ("pk", "campaign_id", "recipient_id", "contact_id", "to_address", "message_id")


def _load_rows(chunk: list[Classified], now: datetime) -> tuple[dict[str, Any], dict[str, Any]]:
    ids = {i for c in chunk for i in _ids_wanted(c.mail)}
    by_id: dict[str, Any] = {}
    if ids:
        for row in OutboxMessage.objects.filter(message_id__in=ids).only(*_ROW_FIELDS):
            by_id[row.message_id] = row
    addresses = set()
    for c in chunk:
        if not any(i in by_id for i in _ids_wanted(c.mail)):
            addr = _address_wanted(c.mail)
            if addr:
                addresses.add(addr)
    by_address: dict[str, Any] = {}
    if addresses:
        rows = (
            OutboxMessage.objects.filter(to_address__in=addresses, queued_at__gte=now - RECENT)
            .exclude(state__in=NOT_SENT)
            .only(*_ROW_FIELDS)
            .order_by("queued_at", "pk")
        )
        for row in rows:
            by_address[row.to_address.lower()] = row  # the latest wins
    return by_id, by_address


def _match(mail: Any, by_id: dict[str, Any], by_address: dict[str, Any]) -> Any:
    for i in _ids_wanted(mail):
        if i in by_id:
            return by_id[i]
    addr = _address_wanted(mail)
    return by_address.get(addr) if addr else None


# --- Effects --------------------------------------------------------------------------


def _apply(chunk: list[Classified], now: datetime) -> list[Outcome]:
    keys = {c.key for c in chunk if c.key}
    known: dict[str, int | None] = dict(
        InboundMessage.objects.filter(key__in=keys).values_list("key", "outbox_id")
    )  # key -> matched outbox row
    by_id, by_address = _load_rows(chunk, now)
    records: list[InboundMessage] = []
    outcomes: list[Outcome] = []
    for c in chunk:
        mail = c.mail
        if not c.readable:
            outcomes.append(_outcome(c, None, "unreadable"))
            continue
        if c.key in known:
            outcomes.append(_outcome(c, known[c.key], "duplicate"))
            continue
        row = _match(mail, by_id, by_address)
        when = min(c.received_at or now, now)
        effect, contact_id = _effect(mail, row, when)
        known[c.key] = row.pk if row is not None else None
        records.append(
            InboundMessage(
                key=c.key,
                kind=mail.kind,
                reason=(mail.reason or "")[:40],
                effect=effect,
                source=c.source[:300],
                outbox_id=row.pk if row is not None else None,
                campaign_id=row.campaign_id if row is not None else None,
                contact_id=contact_id,
                sender=(mail.sender or "")[:254],
                recipient=(mail.recipient or "")[:254],
                subject=mail.subject[:250],
                hard=mail.hard,
                return_date=mail.return_date,
                summary=(mail.text or "")[:20000] if mail.kind == "reply" else "",
                received_at=when,
            )
        )
        outcomes.append(_outcome(c, row.pk if row is not None else None, effect))
    InboundMessage.objects.bulk_create(records)
    interactions.observed_many([i for i in map(interaction_for, records) if i is not None])
    return outcomes


# What each message is on the contact's history (relance.interactions).
_OUTCOME_OF_EFFECT = {
    "hard_bounce": Said.BOUNCED,
    "soft_bounce": Said.SOFT_BOUNCE,
    "paused": Said.AUTO_REPLY,
    "auto_reply": Said.AUTO_REPLY,
    "replied": Said.REPLIED,
    "opted_out": Said.UNSUBSCRIBED,
}


def interaction_for(m: InboundMessage) -> Interaction | None:
    """The message on the contact's history, if it means something there."""
    outcome = _OUTCOME_OF_EFFECT.get(m.effect)
    if outcome is None or m.contact_id is None:
        return None
    details: dict[str, Any] = {}
    if outcome in (Said.BOUNCED, Said.SOFT_BOUNCE, Said.UNSUBSCRIBED):
        details = {"address": m.recipient, "reason": m.reason}
    elif m.return_date:
        details = {"return_date": m.return_date.isoformat()}
    return Interaction(
        key=f"inbound:{m.pk}",
        contact_id=m.contact_id,
        campaign_id=m.campaign_id,
        channel=Channel.EMAIL,
        direction=Direction.IN,
        outcome=outcome,
        at=m.received_at,
        notes=m.summary[: interactions.MAX_NOTES],
        details=details,
    )


def _outcome(c: Classified, outbox_id: int | None, effect: str) -> Outcome:
    m = c.mail
    return Outcome(c.source, m.kind, m.recipient, m.hard, m.reason, outbox_id, effect)


def _effect(mail: Any, row: Any, when: datetime) -> tuple[str, int | None]:
    """Apply what this message means; returns (effect, contact id)."""
    if mail.reason in OPT_OUT_REASONS:
        return _opt_out(mail, row)
    if row is None:
        return "recorded", None
    if mail.kind == InboundKind.BOUNCE:
        if mail.hard:
            hard_bounce(row, mail, when)
            return "hard_bounce", row.contact_id
        OutboxMessage.objects.filter(pk=row.pk).update(soft_bounces=F("soft_bounces") + 1)
        return "soft_bounce", row.contact_id
    if mail.kind == InboundKind.AUTO_REPLY:
        if mail.return_date and pause_until(row.contact_id, mail.return_date, when.date()):
            return "paused", row.contact_id
        return "auto_reply", row.contact_id
    if mail.kind == InboundKind.REPLY:
        Recipient.objects.filter(pk=row.recipient_id, replied_at__isnull=True).update(
            replied_at=when
        )
        return "replied", row.contact_id
    return "recorded", row.contact_id


def hard_bounce(row: Any, mail: Any, when: datetime) -> None:
    """The address does not exist (or no longer): no more sends to it, and
    the team sees it flagged on the contact to correct it."""
    reason = " ".join(x for x in (mail.status, mail.reason) if x)
    OutboxMessage.objects.filter(pk=row.pk).exclude(state=OutboxState.BOUNCED).update(
        state=OutboxState.BOUNCED, bounced_at=when, last_error=f"Bounced: {reason}"[:1000]
    )
    Recipient.objects.filter(pk=row.recipient_id).update(
        state=RecipientState.BOUNCED, bounced_at=Coalesce("bounced_at", when)
    )
    addresses = Q(address__iexact=row.to_address)
    if mail.recipient:
        addresses |= Q(address__iexact=mail.recipient)
    ContactEmail.objects.filter(addresses, contact_id=row.contact_id).update(
        status=EmailStatus.BOUNCED
    )


def pause_until(contact_id: int, until: date, today: date) -> bool:
    """Pause a contact until `until` (the day they are back: their inbox is
    full that day) unless already paused as long or longer. Recorded in the
    audit trail like any change of the contact's preferences."""
    if until < today:
        return False
    contact = (
        Contact.objects.filter(pk=contact_id)
        .only("pk", "first_name", "last_name", "paused_until")
        .first()
    )
    if contact is None:
        return False
    previous = contact.paused_until
    updated = (
        Contact.objects.filter(pk=contact_id)
        .filter(Q(paused_until__isnull=True) | Q(paused_until__lt=until))
        .update(paused_until=until, updated_at=timezone.now())
    )
    if not updated:
        return False
    audit.record(
        None,
        "pause",
        contact,
        changes={
            "by": "auto_reply",
            "paused_until": [previous.isoformat() if previous else None, until.isoformat()],
        },
    )
    return True


def _opt_out(mail: Any, row: Any) -> tuple[str, int | None]:
    """An abuse report or an unsubscribe e-mail: the journalist's own "no".
    Without a matching outbox row, every contact with that address."""
    if row is not None:
        contact_ids = [row.contact_id]
    elif mail.recipient:
        contact_ids = list(
            ContactEmail.objects.filter(address__iexact=mail.recipient)
            .values_list("contact_id", flat=True)
            .distinct()
        )
    else:
        contact_ids = []
    contacts = Contact.objects.filter(pk__in=contact_ids, opted_out=False, erased_at__isnull=True)
    for contact in contacts:
        set_opt_out(None, contact, True, by_journalist=True)
    if not contact_ids:
        return "recorded", None
    return "opted_out", contact_ids[0]


def ingest_imap(target: ImapTarget, **kwargs: Any) -> list[Outcome]:
    """Ingest an IMAP folder's unseen messages, marking them seen chunk by
    chunk once recorded. Used by the command and the periodic task."""
    box = ImapMailbox(target, **kwargs)
    try:
        uids = box.open()
        return list(ingest(box.items(uids), on_commit=box.mark_seen))
    finally:
        box.close()
