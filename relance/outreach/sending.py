"""Sending the outbox (docs/sending.md).

A worker claims a small batch of due rows atomically (queued -> sending,
committed before any SMTP traffic), sends them in id order over one SMTP
connection, and records each outcome in its own short transaction as soon
as the server answered. So when a worker is killed at any moment:

* rows it had not claimed are untouched (queued, another task sends them);
* rows the server accepted are already 'sent' (or, if the kill fell between
  the server's "250" and our write, still 'sending' as the first of their
  batch: uncertain, as below);
* of the rows still 'sending' in its batch, only the lowest id can have been
  in the middle of the exchange: `mark_stale` makes it 'uncertain' (never
  re-sent without a person deciding) and puts the others back in the queue.

Nothing the server accepted is sent twice by the machine, and nothing is lost.
"""

from __future__ import annotations

import logging
import re
import smtplib
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import policy
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.db import connection, transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone

from relance.accounts.models import Agency
from relance.campaigns.models import (
    Campaign,
    CampaignAttachment,
    CampaignStatus,
    Recipient,
    RecipientState,
)
from relance.contacts.models import Contact, ContactEmail
from relance.interactions.models import Interaction
from relance.outreach import compose, invitations, links, tracking
from relance.outreach.models import (
    PENDING_STATES,
    CampaignMessage,
    OutboxKind,
    OutboxMessage,
    OutboxState,
)

logger = logging.getLogger(__name__)

# A row that has been due this long without being claimed lost its task
# (a crash between the commit that queued it and the enqueue): a starting
# worker enqueues it again (a duplicate task is harmless: claims are atomic).
ORPHAN_SECONDS = 60
MAX_BACKOFF_SECONDS = 6 * 3600
_REPLY_CHARS = 500


# --- Enqueueing the tasks ----------------------------------------------------------


def enqueue(ids: list[int], at: datetime | None = None) -> None:
    """One task for these rows, deferred to `at` when the backend can defer
    (the immediate backend of the tests cannot: a later sweep sends them)."""
    from relance.outreach.tasks import send_outbox

    task = send_outbox
    if at is not None and at > timezone.now():
        if not task.get_backend().supports_defer:
            return
        task = task.using(run_after=at)
    task.enqueue(list(ids))


# --- Claiming -----------------------------------------------------------------------


def claim(ids: Iterable[int]) -> tuple[str, list[OutboxMessage]]:
    """Move the due, queued rows among `ids` to 'sending' and return them,
    committed. Journalists' choices are checked again here: a contact who
    opted out (or was paused, or bounced) after the row was queued is
    skipped, never sent."""
    token = uuid.uuid4().hex
    now = timezone.now()
    with transaction.atomic():
        qs = OutboxMessage.objects.filter(
            pk__in=list(ids), state=OutboxState.QUEUED, next_attempt_at__lte=now
        ).order_by("pk")
        if connection.features.has_select_for_update_skip_locked:
            # PostgreSQL: two workers never wait for, nor take, each other's rows.
            qs = qs.select_for_update(skip_locked=True)
        # SQLite: the transaction is IMMEDIATE, so it holds the write lock
        # from its first statement; claims are serialised.
        picked = list(qs.values_list("pk", flat=True))
        if not picked:
            return token, []
        OutboxMessage.objects.filter(pk__in=picked, state=OutboxState.QUEUED).update(
            state=OutboxState.SENDING, claimed_at=now, claim_token=token
        )
        rows = list(
            OutboxMessage.objects.filter(pk__in=picked, claim_token=token)
            .select_related("contact__outlet", "contact__show")
            .order_by("pk")
        )
        rows = _drop_refused(rows, now)
    return token, rows


def _drop_refused(rows: list[OutboxMessage], now: datetime) -> list[OutboxMessage]:
    from relance.outreach.services import refusal

    bounced = set(
        ContactEmail.objects.filter(
            contact_id__in=[r.contact_id for r in rows],
            address__in=[r.to_address for r in rows],
            status="bounced",
        ).values_list("contact_id", "address")
    )
    today = timezone.localdate(now)
    keep: list[OutboxMessage] = []
    skipped: dict[str, list[OutboxMessage]] = {}
    for row in rows:
        status = "bounced" if (row.contact_id, row.to_address) in bounced else "valid"
        reason = refusal(row.contact, row.to_address, status, today)
        if reason:
            skipped.setdefault(reason, []).append(row)
        else:
            keep.append(row)
    for reason, refused in skipped.items():
        OutboxMessage.objects.filter(pk__in=[r.pk for r in refused]).update(
            state=OutboxState.SKIPPED, last_error=reason, claim_token=""
        )
        Recipient.objects.filter(
            pk__in=[r.recipient_id for r in refused], sent_at__isnull=True
        ).update(state=RecipientState.TARGETED)
    return keep


# --- Talking to the server ----------------------------------------------------------


class SendError(Exception):
    def __init__(self, code: int | None, reply: str) -> None:
        super().__init__(f"{code} {reply}" if code else reply)
        self.code = code
        self.reply = reply[:_REPLY_CHARS]


class TemporaryError(SendError):
    """4xx, or no connection: try again later. `connection` when the
    server could not be reached at all (the rest of the batch waits too)."""

    def __init__(self, code: int | None, reply: str, *, connection: bool = False) -> None:
        super().__init__(code, reply)
        self.connection = connection


class PermanentError(SendError):
    """5xx: the server refused this message for good."""


class UncertainError(SendError):
    """The connection broke after the message's data went out: the server
    may or may not have accepted it."""


def _text(reply: bytes | str) -> str:
    if isinstance(reply, bytes):
        reply = reply.decode("utf-8", "replace")
    return " ".join(reply.split())


def _refused(code: int, reply: bytes | str) -> SendError:
    if 500 <= code < 600:
        return PermanentError(code, _text(reply))
    return TemporaryError(code, _text(reply))


_LEADING_DOT = re.compile(rb"(?m)^\.")


class Transport:
    """One reused connection to the configured mailer for a batch. With
    Django's SMTP backend the exchange is driven command by command, to know
    the server's answer to each message and whether a broken connection
    happened before the data went out (safe to retry) or after (uncertain).
    Any other backend (anymail, console, locmem) gets `send_messages`."""

    def __init__(self) -> None:
        self.backend = mailers.default
        self.smtp = isinstance(self.backend, SmtpBackend)

    def close(self) -> None:
        try:
            self.backend.close()
        except Exception:  # a dead connection is closed all the same
            if self.smtp:
                self.backend.connection = None  # type: ignore[attr-defined]

    def send(self, email: EmailMessage) -> tuple[int | None, str]:
        if not self.smtp:
            try:
                self.backend.send_messages([email])
            except Exception as exc:
                raise TemporaryError(None, f"{exc.__class__.__name__}: {exc}") from exc
            return None, ""
        backend: Any = self.backend
        sender = backend.prep_address(email.from_email)
        recipients = [backend.prep_address(a) for a in email.recipients()]
        return self.send_bytes(sender, recipients, email.message(policy=policy.SMTP).as_bytes())

    def send_bytes(self, sender: str, recipients: list[str], data: bytes) -> tuple[int, str]:
        """One message over the SMTP connection (opened if needed)."""
        backend: Any = self.backend
        try:
            if backend.connection is None:
                try:
                    backend.open()
                except smtplib.SMTPResponseException as exc:
                    self.close()
                    raise TemporaryError(
                        exc.smtp_code, _text(exc.smtp_error), connection=True
                    ) from exc
                except (smtplib.SMTPException, OSError) as exc:
                    self.close()
                    raise TemporaryError(None, str(exc) or repr(exc), connection=True) from exc
            smtp = backend.connection
            smtp.ehlo_or_helo_if_needed()
            code, reply = smtp.mail(sender)
            if code != 250:
                self._reset()
                raise _refused(code, reply)
            for address in recipients:
                code, reply = smtp.rcpt(address)
                if code not in (250, 251):
                    self._reset()
                    raise _refused(code, reply)
            code, reply = smtp.docmd("data")
            if code != 354:
                self._reset()
                raise _refused(code, reply)
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise TemporaryError(None, str(exc) or repr(exc)) from exc
        # From here on the server may accept the message at any moment.
        body = _LEADING_DOT.sub(b"..", data)
        if not body.endswith(b"\r\n"):
            body += b"\r\n"
        try:
            smtp.send(body + b".\r\n")
            code, reply = smtp.getreply()
        except (smtplib.SMTPServerDisconnected, OSError) as exc:
            self.close()
            raise UncertainError(None, str(exc) or repr(exc)) from exc
        if code != 250:
            raise _refused(code, reply)
        return code, _text(reply)

    def _reset(self) -> None:
        try:
            self.backend.connection.rset()  # type: ignore[attr-defined]
        except (smtplib.SMTPException, OSError):
            self.close()


# --- Building each message ------------------------------------------------------------


def load_attachments(campaign: Campaign) -> list[compose.Attachment]:
    """The media kit, and for an invitation its calendar file."""
    items = []
    for attachment in CampaignAttachment.objects.filter(campaign_id=campaign.pk):
        with attachment.file.open("rb") as handle:
            items.append(
                compose.Attachment(attachment.filename, handle.read(), attachment.content_type)
            )
    if campaign.is_event and campaign.event_at is not None:
        items.append(
            compose.Attachment(
                invitations.ICS_FILENAME,
                invitations.ics(campaign),
                invitations.ICS_MIMETYPE,
                params=(("charset", "utf-8"), ("method", "PUBLISH")),
            )
        )
    return items


@dataclass
class _CampaignKit:
    """What every message of a campaign shares, loaded once per batch."""

    campaign: Campaign
    messages: dict[str, CampaignMessage]
    signature: str
    sender: compose.Sender
    attachments: list[compose.Attachment]
    agency: str = ""
    mime: compose.MimeKit | None = None
    texts: dict[str, str] = field(default_factory=dict)
    track_opens: bool = False
    # Address -> TrackedLink id; empty when clicks are not tracked.
    link_ids: dict[str, int] = field(default_factory=dict)

    @classmethod
    def load(cls, campaign_id: int) -> _CampaignKit:
        from relance.outreach.services import campaign_sender, campaign_signature

        campaign = Campaign.objects.select_related("manager").get(pk=campaign_id)
        messages = {m.language: m for m in CampaignMessage.objects.filter(campaign=campaign)}
        agency = Agency.current()
        link_ids: dict[str, int] = {}
        if agency.track_clicks:
            urls = [u for m in messages.values() for u in tracking.trackable_urls(m.body)]
            link_ids = tracking.links_for(campaign_id, urls)
        return cls(
            campaign=campaign,
            messages=messages,
            signature=campaign_signature(campaign),
            sender=campaign_sender(campaign),
            attachments=load_attachments(campaign),
            agency=agency.name,
            track_opens=agency.track_opens,
            link_ids=link_ids,
        )

    def rendered(self, row: OutboxMessage, row_links: links.Links) -> tuple[str, compose.Rendered]:
        from relance.outreach.services import contact_values, pick_language

        language = row.language
        if language not in self.messages:
            language = pick_language(language, self.campaign.language, self.messages)
        message = self.messages[language]
        contact: Contact = row.contact
        values = contact_values(contact, self.signature)
        text = self.texts.get(language)
        if text is None:
            text = self.texts[language] = compose.html_to_text(message.body)
        rendered = compose.render(message.subject, message.body, values, text_template=text)
        if row.note:
            rendered = compose.with_note(rendered, row.note)
        if self.link_ids:
            rendered = replace(
                rendered, html=tracking.rewrite(rendered.html, row.pk, self.link_ids)
            )
        if self.campaign.is_event:
            rendered = invitations.with_rsvp(rendered, page_url=row_links.rsvp, language=language)
        rendered = compose.with_footer(
            rendered, agency=self.agency, url=row_links.preferences, language=language
        )
        if self.track_opens:
            rendered = replace(rendered, html=rendered.html + tracking.pixel_tag(row.pk))
        return language, rendered

    def wire(self, row: OutboxMessage) -> tuple[str, list[str], bytes]:
        """Envelope sender, recipients and the message's bytes (SMTP)."""
        if self.mime is None:
            self.mime = compose.MimeKit(self.sender, self.attachments)
        row_links = links.for_row(row.pk)
        language, rendered = self.rendered(row, row_links)
        data = self.mime.message(
            rendered,
            to=row.to_address,
            language=language,
            message_id=row.message_id,
            headers=self.headers(row_links),
        )
        return self.mime.envelope_from, [compose.ascii_address(row.to_address)], data

    def email(self, row: OutboxMessage) -> EmailMessage:
        """The message for any other mail backend (anymail, console…)."""
        row_links = links.for_row(row.pk)
        language, rendered = self.rendered(row, row_links)
        return compose.build_email(
            rendered,
            to=row.to_address,
            language=language,
            message_id=row.message_id,
            sender=self.sender,
            attachments=self.attachments,
            headers=self.headers(row_links),
        )

    def headers(self, row_links: links.Links) -> dict[str, str]:
        return {"X-Relance-Campaign": str(self.campaign.pk), **row_links.headers()}


# --- Recording outcomes (one short transaction each) ---------------------------------------


_MARK_OUTBOX = (
    "UPDATE {outbox} SET state = %s, sent_at = %s, updated_at = %s,"
    " attempts = attempts + 1, smtp_code = %s, server_reply = %s,"
    " last_error = '', claim_token = '' WHERE id = %s AND claim_token = %s"
)
# A follow-up e-mail leaves the recipient as the release left it: its send
# time is what the follow-up timing counts from.
_MARK_RECIPIENT = (
    "UPDATE {recipient} SET state = %s, sent_at = %s WHERE id = %s AND sent_at IS NULL"
)
# The send on the contact's history (relance.interactions), keyed by the row
# and the attempt: a message a manager chose to send again is a second send.
_INTERACTION_COLUMNS = (
    'INSERT INTO {interaction} ("key", contact_id, campaign_id, user_id, channel, direction,'
    ' outcome, "at", notes, details, recorded_at)'
)
_RECORD_SEND = (
    _INTERACTION_COLUMNS + " SELECT 'sent:' || id || ':' || attempts, contact_id, campaign_id,"
    " queued_by_id, 'email', 'out', 'sent', sent_at, '', '{{}}', sent_at"
    " FROM {outbox} WHERE id = %s AND state = 'sent'"
    " ON CONFLICT DO NOTHING"
)
# PostgreSQL: all three in one statement (atomic by itself, one round trip).
_MARK_ALL = (
    "WITH done AS (" + _MARK_OUTBOX + " RETURNING id, recipient_id, contact_id, campaign_id,"
    " queued_by_id, attempts), rec AS ("
    " UPDATE {recipient} SET state = %s, sent_at = %s"
    " FROM done WHERE {recipient}.id = done.recipient_id AND {recipient}.sent_at IS NULL)"
    " " + _INTERACTION_COLUMNS + " SELECT 'sent:' || id || ':' || attempts, contact_id,"
    " campaign_id, queued_by_id, 'email', 'out', 'sent', %s, '', '{{}}'::jsonb, %s FROM done"
    " ON CONFLICT DO NOTHING"
)


def _tables() -> dict[str, str]:
    quote = connection.ops.quote_name
    return {
        "outbox": quote(OutboxMessage._meta.db_table),
        "recipient": quote(Recipient._meta.db_table),
        "interaction": quote(Interaction._meta.db_table),
    }


def _mark_sent(row: OutboxMessage, token: str, code: int | None, reply: str) -> None:
    """The hot path of a send (one per message), as plain SQL: the outbox
    row, the campaign recipient and the contact's history in one short
    transaction, without building the queries each time."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    outbox: list[Any] = [OutboxState.SENT.value, now, now, code, reply[:_REPLY_CHARS], row.pk]
    outbox.append(token)
    sent: list[Any] = [RecipientState.SENT.value, now]
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(_MARK_ALL.format(**_tables()), outbox + sent + [now, now])
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_MARK_OUTBOX.format(**_tables()), outbox)
        if cursor.rowcount:
            cursor.execute(_MARK_RECIPIENT.format(**_tables()), [*sent, row.recipient_id])
            cursor.execute(_RECORD_SEND.format(**_tables()), [row.pk])


def _mark_failed(row: OutboxMessage, token: str, code: int | None, error: str) -> None:
    with transaction.atomic():
        if OutboxMessage.objects.filter(pk=row.pk, claim_token=token).update(
            state=OutboxState.FAILED,
            attempts=F("attempts") + 1,
            smtp_code=code,
            last_error=error[:2000],
            claim_token="",
        ):
            Recipient.objects.filter(pk=row.recipient_id, sent_at__isnull=True).update(
                state=RecipientState.FAILED
            )


def _mark_uncertain(row: OutboxMessage, token: str, error: str) -> None:
    OutboxMessage.objects.filter(pk=row.pk, claim_token=token).update(
        state=OutboxState.UNCERTAIN,
        attempts=F("attempts") + 1,
        last_error=error[:2000],
        claim_token="",
    )


def backoff(attempts: int) -> timedelta:
    """Delay before attempt number `attempts + 1`: the base, doubled each
    time, at most six hours (greylisting servers answer 451 for minutes)."""
    seconds = settings.SEND_RETRY_SECONDS * 2 ** max(0, attempts - 1)
    return timedelta(seconds=min(seconds, MAX_BACKOFF_SECONDS))


def _retry_later(
    rows: list[OutboxMessage], token: str, error: TemporaryError, *, tried: int
) -> None:
    """Back in the queue after a temporary error; the first `tried` rows
    had an attempt (the others waited behind a dead connection)."""
    for index, row in enumerate(rows):
        attempts = row.attempts + (1 if index < tried else 0)
        if attempts >= settings.SEND_MAX_ATTEMPTS:
            _mark_failed(row, token, error.code, str(error))
            continue
        at = timezone.now() + backoff(max(1, attempts))
        updated = OutboxMessage.objects.filter(pk=row.pk, claim_token=token).update(
            state=OutboxState.QUEUED,
            attempts=attempts,
            next_attempt_at=at,
            smtp_code=error.code,
            last_error=str(error)[:2000],
            claim_token="",
        )
        if updated:
            enqueue([row.pk], at)


def _still_ours(row: OutboxMessage, token: str) -> bool:
    # A worker so slow that its rows were declared stale must not send them
    # behind the back of the worker that took them over.
    return OutboxMessage.objects.filter(
        pk=row.pk, claim_token=token, state=OutboxState.SENDING
    ).exists()


# --- The batch -----------------------------------------------------------------------------


def send_batch(ids: Iterable[int]) -> dict[str, int]:
    """Claim and send these rows (those still queued and due)."""
    token, rows = claim(ids)
    counts = {"claimed": len(rows), "sent": 0, "failed": 0, "retry": 0, "uncertain": 0}
    if not rows:
        return counts
    kits: dict[int, _CampaignKit] = {}
    transport = Transport()
    claimed = time.monotonic()
    # Rows are declared stale only SENDING_TIMEOUT_SECONDS after their claim;
    # before half of that they are certainly still ours (no query needed).
    safe_for = settings.SENDING_TIMEOUT_SECONDS / 2
    code: int | None
    # Where the loop is, so that an interruption (a second Ctrl-C or SIGTERM
    # makes the worker exit mid-task) gives back the rows not started.
    position, exchanging, finished = 0, False, False
    try:
        for index, row in enumerate(rows):
            position, exchanging = index, False
            if time.monotonic() - claimed > safe_for and not _still_ours(row, token):
                continue
            try:
                kit = kits.get(row.campaign_id) or kits.setdefault(
                    row.campaign_id, _CampaignKit.load(row.campaign_id)
                )
                if transport.smtp:
                    envelope = kit.wire(row)
                else:
                    email = kit.email(row)
            except Exception as exc:  # a missing file, a bad address: this row only
                logger.exception("outbox row %s could not be built", row.pk)
                _mark_failed(row, token, None, f"{exc.__class__.__name__}: {exc}")
                counts["failed"] += 1
                continue
            exchanging = True
            try:
                if transport.smtp:
                    code, reply = transport.send_bytes(*envelope)
                else:
                    code, reply = transport.send(email)
            except TemporaryError as exc:
                if exc.connection:
                    _retry_later(rows[index:], token, exc, tried=1)
                    counts["retry"] += len(rows) - index
                    break
                _retry_later([row], token, exc, tried=1)
                counts["retry"] += 1
            except PermanentError as exc:
                _mark_failed(row, token, exc.code, str(exc))
                counts["failed"] += 1
            except UncertainError as exc:
                _mark_uncertain(row, token, str(exc))
                counts["uncertain"] += 1
            else:
                _mark_sent(row, token, code, reply)
                counts["sent"] += 1
            exchanging = False
        finished = True
    finally:
        if not finished:
            # The row in the SMTP exchange stays 'sending' (uncertain later);
            # the ones after it were never started.
            _release(rows[position + 1 if exchanging else position :], token)
        transport.close()
        _settle_campaigns(kits.keys() or {r.campaign_id for r in rows}, bool(counts["sent"]))
    return counts


def _release(rows: list[OutboxMessage], token: str) -> None:
    ids = [r.pk for r in rows]
    try:
        OutboxMessage.objects.filter(
            pk__in=ids, claim_token=token, state=OutboxState.SENDING
        ).update(state=OutboxState.QUEUED, claim_token="")
        if ids:
            enqueue(ids)  # a new task: this one is ending
    except Exception:  # the database is away too: recovery will do it later
        logger.exception("could not give back %s outbox rows", len(rows))


def _settle_campaigns(campaign_ids: Iterable[int], any_sent: bool) -> None:
    now = timezone.now()
    for campaign_id in campaign_ids:
        if any_sent:
            Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.SCHEDULED).update(
                status=CampaignStatus.SENDING
            )
        pending = OutboxMessage.objects.filter(
            campaign_id=campaign_id, state__in=PENDING_STATES, kind=OutboxKind.RELEASE
        ).exists()
        if not pending:
            Campaign.objects.filter(
                pk=campaign_id, status__in=[CampaignStatus.SENDING, CampaignStatus.SCHEDULED]
            ).update(status=CampaignStatus.SENT, sent_at=Coalesce("sent_at", now))


# --- Recovery (worker start, and periodically) -------------------------------------------------


def mark_stale(timeout: float | None = None) -> dict[str, int]:
    """Rows 'sending' for longer than the timeout belonged to a worker that
    died: per claim, the lowest becomes 'uncertain', the others go back to
    the queue (they were never started)."""
    seconds = settings.SENDING_TIMEOUT_SECONDS if timeout is None else timeout
    limit = timezone.now() - timedelta(seconds=seconds)
    stale = list(
        OutboxMessage.objects.filter(state=OutboxState.SENDING, claimed_at__lt=limit)
        .order_by("pk")
        .values_list("pk", "claim_token")
    )
    first: dict[str, int] = {}
    for pk, token in stale:
        first.setdefault(token, pk)
    uncertain = requeued = 0
    again: list[int] = []
    for token, pk in first.items():
        with transaction.atomic():
            uncertain += OutboxMessage.objects.filter(
                pk=pk, claim_token=token, state=OutboxState.SENDING
            ).update(
                state=OutboxState.UNCERTAIN,
                attempts=F("attempts") + 1,
                last_error="The worker stopped during the SMTP exchange.",
                claim_token="",
            )
            rest = list(
                OutboxMessage.objects.filter(
                    claim_token=token, state=OutboxState.SENDING, claimed_at__lt=limit
                ).values_list("pk", flat=True)
            )
            requeued += OutboxMessage.objects.filter(pk__in=rest, claim_token=token).update(
                state=OutboxState.QUEUED, next_attempt_at=timezone.now(), claim_token=""
            )
            again.extend(rest)
    _enqueue_all(again)
    if uncertain or requeued:
        logger.warning("outbox: %s uncertain, %s queued again after a stop", uncertain, requeued)
    return {"uncertain": uncertain, "requeued": requeued}


def recover(timeout: float | None = None, orphan_seconds: float = ORPHAN_SECONDS) -> dict[str, int]:
    """On worker start: stale rows as above, and queued rows long due whose
    task was lost get a task again."""
    result = mark_stale(timeout)
    limit = timezone.now() - timedelta(seconds=orphan_seconds)
    orphans = list(
        OutboxMessage.objects.filter(state=OutboxState.QUEUED, next_attempt_at__lte=limit)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    _enqueue_all(orphans)
    result["orphans"] = len(orphans)
    return result


def _enqueue_all(ids: list[int]) -> None:
    size = settings.SEND_BATCH_SIZE
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        transaction.on_commit(lambda chunk=chunk: enqueue(chunk))  # type: ignore[misc]
