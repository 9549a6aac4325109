"""The new words of a human reply, without the quoted release and the
signature, with mail-parser-reply (French and English markers)."""

from __future__ import annotations

import re
from email.message import Message

from mailparser_reply import EmailReplyParser

from relance.outreach.mail.headers import decoded, html_to_text

_PARSER = EmailReplyParser(languages=["fr", "en"])
_HUMAN_PREFIX = re.compile(r"^\s*(?:re|aw|sv|réf|ref)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)


def looks_like_reply(subject: str, in_reply_to: str | None, references: tuple[str, ...]) -> bool:
    return bool(in_reply_to or references or _HUMAN_PREFIX.match(subject))


def body_text(msg: Message) -> str:
    """The message's own text: text/plain preferred, else HTML flattened."""
    try:
        part = msg.get_body(preferencelist=("plain", "html"))  # type: ignore[attr-defined]
    except Exception:
        part = None
    if part is None:
        if msg.is_multipart():
            return ""
        part = msg
    text = decoded(part)
    if part.get_content_type() == "text/html":
        text = html_to_text(text)
    return text


def reply_text(msg: Message) -> str:
    text = body_text(msg)
    if not text.strip():
        return ""
    try:
        latest = _PARSER.parse_reply(text=text)
    except Exception:
        latest = None
    return (latest if latest is not None else text).strip()
