"""Bounces: is this a delivery failure, for whom, and why.

Three sources, most reliable first:

1. RFC 3464 delivery-status parts (Final-Recipient, Action, Status,
   Diagnostic-Code): exact and per recipient, sent by most modern servers.
2. flufl.bounce (Mailman's detectors) for the recipients of the many
   non-standard formats (qmail, old Exim, Yahoo, Exchange…).
3. Our own reading of the human-readable report: the addresses it names
   and the server's words next to each, for the status code and reason.
"""

from __future__ import annotations

import email
import logging
import re
from dataclasses import dataclass
from email.message import Message
from email.policy import compat32

from flufl.bounce import all_failures

from relance.outreach.mail import reasons
from relance.outreach.mail.headers import content_type, header, message_ids, text_parts

# flufl.bounce logs every detector exception with a traceback before
# re-raising; we catch and fall back, so its noise would only flood the
# ingestion log.
logging.getLogger("flufl.bounce").setLevel(logging.CRITICAL)

_DSN_TYPES = ("message/delivery-status", "message/global-delivery-status")
_ORIGINAL_TYPES = (
    "message/rfc822",
    "text/rfc822-headers",
    "message/global",
    "message/global-headers",
)

_DAEMON = re.compile(
    r"^(?:mailer-daemon|mail-daemon|mailerdaemon|postmaster|mail\.delivery|maildelivery"
    r"|post_master|bounces?|double-bounce|mdaemon)(?:[+@]|$)",
    re.IGNORECASE,
)
_REPORT_TYPE = re.compile(r"report-type\s*=\s*\"?delivery-status", re.IGNORECASE)
_REPLY_PREFIX = re.compile(r"\s*(?:re|aw|sv|réf|ref)\s*:", re.IGNORECASE)
# Subjects only delivery reports use: enough on their own, even forwarded
# ("Fwd: Returned mail") by a colleague into the campaign mailbox.
_STRONG_SUBJECT = re.compile(
    r"undeliver|undelivered mail|non ?remis|unzustellbar|delivery status notification"
    r"|returned mail|returning message to sender|failure notice|mail delivery fail"
    r"|delivery (?:has )?failed|delivery failure|mail system error|could not be delivered"
    r"|message not delivered|error sending your mail|mail failure|failure delivery"
    r"|postmaster notify|delivery status|échec de (?:la )?remise|message non remis",
    re.IGNORECASE,
)
_DAEMON_NAME = re.compile(
    r"mail delivery (?:subsystem|system|service)|mailer[- ]daemon|postmaster|mail administrator"
    r"|delivery (?:status )?notification|microsoft outlook|mail system",
    re.IGNORECASE,
)
_SUBJECT = re.compile(
    r"undeliver|undelivered|non ?remis|non distribuable|unzustellbar|nicht zustellbar"
    r"|delivery (?:status notification|failure|failed|has failed|problem|notification)"
    r"|returned mail|return(?:ed|ing) (?:message|to sender)|failure notice|mail delivery"
    r"|delivery status|could not be delivered|not delivered|mail system error"
    r"|message (?:delivery )?(?:failure|failed|not delivered)|failed delivery|mail failure"
    r"|postmaster notify|warning: could not send|delayed mail|error sending|bounce"
    r"|échec de (?:la )?remise|message non remis|mail returned|permanent (?:error|failure)"
    r"|sorry, your message|notice: mail delivery|rejected|mail error|errors from",
    re.IGNORECASE,
)
# Where the copy of the original message starts in a plain-text bounce:
# addresses and words after it belong to the campaign, not the report.
_ORIGINAL_START = re.compile(
    r"^(?:-+ ?(?:this is a copy|original message|the (?:original )?header|below this line"
    r"|undelivered message|message headers|a copy of)|(?:message headers follow|"
    r"original message (?:follows|headers)|-+ ?(?:start|begin) of (?:original|returned|forwarded)"
    r"|the original message (?:was|is)|\s*received: from|return-path: ?<"
    r"|content-type: message/rfc822|bounced e-mail:))",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS = re.compile(r"<?([A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)>?")
_VALID = re.compile(r"^[^@\s<>\"]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+$")
_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
_REPLY_CODE = re.compile(r"(?:^|[\s(:\"'])([245][0-9][0-9])[\s-]")


@dataclass(frozen=True)
class Failure:
    """One recipient a bounce reports on."""

    recipient: str
    status: str | None
    reason: str
    hard: bool
    diagnostic: str = ""
    action: str | None = None


def looks_like_bounce(msg: Message, sender: str, subject: str) -> bool:
    """Whether the message is a delivery report at all (not who or why)."""
    if is_structured(msg):
        return True
    # "From: mailer-daemon" without a domain happens; read the raw header.
    raw_from = sender or header(msg, "From").strip().strip("<>")
    from_daemon = bool(raw_from) and bool(_DAEMON.match(raw_from.partition("@")[0] + "@"))
    strong = bool(_STRONG_SUBJECT.search(subject)) and not _REPLY_PREFIX.match(subject)
    if header(msg, "Auto-Submitted").strip().lower().startswith("auto-replied"):
        # Bounces should say auto-generated (RFC 3464), yet Exim, 1&1 or
        # Postfix milters send auto-replied; only a daemon sender with an
        # unmistakable subject makes such a message a bounce.
        return from_daemon and strong
    if from_daemon or strong:
        return True
    weak = bool(_SUBJECT.search(subject))
    return weak and (
        bool(_DAEMON_NAME.search(header(msg, "From"))) or header(msg, "Return-Path").strip() == "<>"
    )


def is_structured(msg: Message) -> bool:
    """Machine-readable evidence of a delivery report."""
    return (
        bool(_REPORT_TYPE.search(header(msg, "Content-Type")))
        or bool(header(msg, "X-Failed-Recipients"))
        or has_dsn(msg)
    )


def has_dsn(msg: Message) -> bool:
    return any(content_type(part) in _DSN_TYPES for part in msg.walk())


def parse_failures(msg: Message, own: set[str], raw: bytes | None = None) -> list[Failure]:
    """Every recipient reported on, in the order the report names them.

    `own` holds the bounce's own From/To addresses, never a failed
    recipient (the report is addressed to the campaign sender)."""
    report = _report_text(msg)
    structured = _from_dsn(msg, report)
    if structured:
        return structured
    return _from_text(msg, report, own, raw)


def _from_dsn(msg: Message, report: str) -> list[Failure]:
    failures = []
    for part in msg.walk():
        if content_type(part) not in _DSN_TYPES:
            continue
        for fields in _dsn_blocks(part):
            address = _address(
                fields.get("final-recipient") or fields.get("original-recipient") or ""
            )
            if address is None:
                continue
            action = fields.get("action", "").strip().lower() or None
            status = _status(fields.get("status", ""))
            diagnostic = _unfold(fields.get("diagnostic-code", ""))
            diagnostic = re.sub(
                r"^\s*(?:smtp|x-[\w-]+)\s*;\s*", "", diagnostic, flags=re.IGNORECASE
            )
            # Some servers put the useful words only in the human part.
            text = diagnostic or _segment(report, address)
            if not status or status.endswith(".0.0"):
                status = _status(text) or status
            reason = reasons.decide(status, text or report, action)
            failures.append(
                Failure(
                    address, status, reason, reasons.is_hard(reason, status), diagnostic, action
                )
            )
    return failures


def _from_text(msg: Message, report: str, own: set[str], raw: bytes | None) -> list[Failure]:
    candidates = _flufl_recipients(msg, raw)
    for value in header(msg, "X-Failed-Recipients").split(","):
        address = _address(value)
        if address:
            candidates.add(address)
    if not candidates:
        for match in _ADDRESS.finditer(report):
            address = match.group(1).lower()
            if address in own or _DAEMON.match(address.partition("@")[0] + "@"):
                continue
            candidates.add(address)
            # The first address a report names is the failed one; later
            # ones are usually the reporting host's contacts.
            break
    candidates -= own
    if not candidates:
        return []
    lowered = report.lower()
    ordered = sorted(candidates, key=lambda a: (lowered.find(a) % (len(lowered) + 1), a))
    failures = []
    for address in ordered:
        text = _segment(report, address) or report
        # A 2.x.x in a plain-text report is a relay's "accepted" line.
        status = _failure_status(text) or _failure_status(report)
        action = (
            "delayed"
            if re.search(r"delay|still being retried|will retry", report, re.I)
            else "failed"
        )
        reason = reasons.decide(status, text, action if status is None else None)
        if reason == "undefined":
            reason = reasons.decide(status, report, action if status is None else None)
        failures.append(
            Failure(address, status, reason, reasons.is_hard(reason, status), text[:500], action)
        )
    return failures


def _flufl_recipients(msg: Message, raw: bytes | None) -> set[str]:
    try:
        # flufl.bounce is Mailman's and expects compat32 messages; a second,
        # compat32 parse is several times cheaper than letting its detectors
        # query headers through policy.default's header registry.
        source = email.message_from_bytes(raw, policy=compat32) if raw is not None else msg
        temporary, permanent = all_failures(source)
    except Exception:
        return set()
    found = set()
    for raw in temporary | permanent:
        value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
        address = _address(value)
        # Some detectors return whatever follows "to:" (JSON, message ids):
        # keep only what is really an address.
        if address:
            found.add(address)
    return found


def original_message_id(msg: Message) -> str | None:
    """The Message-ID of the message that bounced, to match the outbox row."""
    for part in msg.walk():
        ctype = content_type(part)
        if ctype in ("message/rfc822", "message/global"):
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else payload
            if isinstance(inner, Message):
                ids = message_ids(header(inner, "Message-ID"))
                if ids:
                    return ids[0]
        elif ctype in ("text/rfc822-headers", "message/global-headers"):
            found = _header_in_text(_part_text(part))
            if found:
                return found
    # Plain-text bounces quote the original headers inline.
    text = _report_text(msg, keep_original=True)
    start = _ORIGINAL_START.search(text)
    return _header_in_text(
        text[start.start() :] if start else text, own_id=header(msg, "Message-ID")
    )


def _header_in_text(text: str, own_id: str = "") -> str | None:
    own = set(message_ids(own_id))
    for match in re.finditer(r"^\s*Message-ID:\s*(<[^>\s]+>)", text, re.IGNORECASE | re.MULTILINE):
        ids = message_ids(match.group(1))
        if ids and ids[0] not in own:
            return ids[0]
    return None


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k.lower(): _unfold(str(v)) for k, v in block.raw_items()})
    else:
        # Unparsed (e.g. base64-encoded) delivery-status: split by hand.
        text = _part_text(part)
        for chunk in re.split(r"\r?\n\s*\r?\n", text):
            fields: dict[str, str] = {}
            for match in re.finditer(
                r"^([A-Za-z-]+):[ \t]*(.*(?:\r?\n[ \t].*)*)", chunk, re.MULTILINE
            ):
                fields[match.group(1).lower()] = _unfold(match.group(2))
            if fields:
                blocks.append(fields)
    return blocks


def _report_text(msg: Message, keep_original: bool = False) -> str:
    """The human-readable part of the report, without the returned message."""
    chunks = text_parts(msg, skip=() if keep_original else _ORIGINAL_TYPES)
    text = "\n".join(chunks)
    if keep_original:
        return text
    start = _ORIGINAL_START.search(text)
    # A cut in the very first lines would keep nothing: some reports start
    # with the original's Received lines quoted for context.
    if start and start.start() > 40:
        text = text[: start.start()]
    return text


def _part_text(part: Message) -> str:
    try:
        raw = part.get_payload(decode=True)
    except Exception:
        raw = None
    if isinstance(raw, bytes):
        return raw.decode(part.get_content_charset() or "utf-8", "replace")
    payload = part.get_payload()
    return payload if isinstance(payload, str) else ""


def _segment(report: str, address: str) -> str:
    """The words about one recipient: from its first mention to the next
    blank-line-separated address, bounded to keep regexes cheap."""
    index = report.lower().find(address)
    if index < 0:
        return ""
    segment = report[index : index + 1200]
    next_address = _ADDRESS.search(segment, len(address) + 2)
    if next_address and next_address.group(1).lower() != address and next_address.start() > 80:
        segment = segment[: next_address.start()]
    return segment


def _address(value: str) -> str | None:
    value = value.strip()
    if ";" in value:
        value = value.split(";", 1)[1]
    value = value.strip().strip("<>").strip().strip("\"'").lower()
    match = _ADDRESS.search(value)
    if not match:
        return None
    address = match.group(1).lower().rstrip(".")
    return address if _VALID.match(address) else None


def _status(text: str) -> str | None:
    match = _STATUS.search(text)
    return ".".join(match.groups()) if match else None


def _failure_status(text: str) -> str | None:
    for match in _STATUS.finditer(text):
        if match.group(1) != "2":
            return ".".join(match.groups())
    return None


def _unfold(value: str) -> str:
    return re.sub(r"\s*\r?\n[ \t]+", " ", value).strip()
