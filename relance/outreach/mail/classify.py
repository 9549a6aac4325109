"""One inbound message in, one `InboundMail` out: bounce, auto_reply,
reply or other, with what `relance ingest-mail` needs to match it to the
outbox and act on it.

The order of the checks matters. A delivery report is recognised first,
because bounces quote the original message (which may look like anything)
and are often flagged auto-submitted too. An RFC 3834 "auto-replied" header
is trusted over the heuristics: a responder that says it is one is one.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass, replace
from datetime import date
from email.message import Message
from email.utils import parsedate_to_datetime

from relance.outreach.mail import autoreply, bounces, reply
from relance.outreach.mail.bounces import Failure
from relance.outreach.mail.headers import address, all_addresses, content_type, header, message_ids

__all__ = ["Failure", "InboundMail", "classify_message"]

_FEEDBACK = re.compile(r"report-type\s*=\s*\"?feedback-report", re.IGNORECASE)


@dataclass(frozen=True)
class InboundMail:
    kind: str  # "bounce", "auto_reply", "reply" or "other"
    recipient: str | None = None  # the failed (bounce) or complaining (ARF) address
    hard: bool = False
    reason: str | None = None
    status: str | None = None
    message_id: str | None = None
    in_reply_to: str | None = None
    references: tuple[str, ...] = ()
    original_message_id: str | None = None
    return_date: date | None = None
    text: str | None = None
    sender: str | None = None
    subject: str = ""
    # Every recipient a bounce reports on; `recipient`, `hard`, `reason` and
    # `status` describe the first one (the usual single-recipient case).
    failures: tuple[Failure, ...] = ()


def classify_message(raw: bytes, *, today: date | None = None) -> InboundMail:
    """Classify one message. Never raises: unreadable input is "other".

    `today` is the fallback reference for return dates when the message has
    no usable Date header."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
        return classify_parsed(msg, today=today, raw=raw)
    except Exception:
        return InboundMail(kind="other", reason="unreadable")


def classify_parsed(
    msg: Message, *, today: date | None = None, raw: bytes | None = None
) -> InboundMail:
    subject = " ".join(header(msg, "Subject").split())
    sender = address(msg, "From")
    ids = message_ids(header(msg, "Message-ID"))
    in_reply = message_ids(header(msg, "In-Reply-To"))
    base = InboundMail(
        kind="other",
        message_id=ids[0] if ids else None,
        in_reply_to=in_reply[0] if in_reply else None,
        references=message_ids(header(msg, "References")),
        sender=sender,
        subject=subject,
    )

    if _FEEDBACK.search(header(msg, "Content-Type")):
        # An abuse report (ARF): the journalist pressed "this is spam". Not
        # a delivery failure, but the caller should treat it as an opt-out.
        return replace(
            base,
            kind="other",
            reason="complaint",
            recipient=_complainant(msg),
            original_message_id=bounces.original_message_id(msg),
        )

    if header(msg, "X-Apple-Unsubscribe").strip().lower() == "true":
        # Apple Mail's "unsubscribe" button mails the List-Unsubscribe
        # address; it is the journalist's opt-out, not an out-of-office.
        return replace(base, kind="other", reason="unsubscribe", recipient=sender)

    if bounces.looks_like_bounce(msg, sender or "", subject):
        own = all_addresses(msg, "From", "To", "Cc", "Reply-To")
        failures = tuple(bounces.parse_failures(msg, own, raw))
        original = bounces.original_message_id(msg)
        if failures and all(f.reason == "delivered" for f in failures):
            # A success DSN (NOTIFY=SUCCESS) or a relay notice: nothing failed.
            return replace(
                base,
                kind="other",
                reason="delivered",
                original_message_id=original,
                failures=failures,
            )
        failed = [f for f in failures if f.reason != "delivered"]
        first = failed[0] if failed else None
        return replace(
            base,
            kind="bounce",
            recipient=first.recipient if first else None,
            hard=first.hard if first else False,
            reason=first.reason if first else "undefined",
            status=first.status if first else None,
            original_message_id=original,
            failures=tuple(failed),
        )

    if autoreply.is_auto_reply(msg, subject):
        sent = _sent_date(msg) or today or date.today()
        return replace(
            base,
            kind="auto_reply",
            return_date=autoreply.return_date(subject + "\n" + reply.body_text(msg), sent),
        )

    if reply.looks_like_reply(subject, base.in_reply_to, base.references):
        return replace(base, kind="reply", text=reply.reply_text(msg))
    return replace(base, kind="other")


def _sent_date(msg: Message) -> date | None:
    try:
        return parsedate_to_datetime(header(msg, "Date")).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _complainant(msg: Message) -> str | None:
    for part in msg.walk():
        if content_type(part) == "message/feedback-report":
            payload = part.get_payload()
            blocks = payload if isinstance(payload, list) else []
            for block in blocks:
                if isinstance(block, Message):
                    value = header(block, "Original-Rcpt-To")
                    if "@" in value:
                        return value.strip().strip("<>").lower()
            text = payload if isinstance(payload, str) else ""
            match = re.search(r"^Original-Rcpt-To:\s*<?([^>\s]+@[^>\s]+)>?", text, re.I | re.M)
            if match:
                return match.group(1).lower()
    for part in msg.walk():
        if content_type(part) in ("message/rfc822", "text/rfc822-headers"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message):
                return address(inner, "To")
    return None
