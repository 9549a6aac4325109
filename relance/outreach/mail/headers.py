"""Header and body access that never raises.

Mail from the wild breaks every rule: undecodable encoded words, headers
the policy cannot parse, charsets Python does not know. Ingestion must go
on, so each accessor falls back to the raw text instead of failing.
"""

from __future__ import annotations

import re
from email.message import Message
from email.utils import getaddresses

_MESSAGE_ID = re.compile(r"<([^<>\s]+)>")
_TAG = re.compile(r"<[^>]*>")
_MAX_TEXT = 200_000  # a pasted spreadsheet is not a reply; keep regexes bounded


def header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
        return "" if value is None else str(value)
    except Exception:
        lowered = name.lower()
        for key, raw in msg.raw_items():
            if key.lower() == lowered:
                return str(raw)
        return ""


def content_type(part: Message) -> str:
    """`get_content_type()` without the header registry: under
    policy.default every call re-parses Content-Type, and walking a bounce
    asks for it dozens of times (it was most of the classification time)."""
    for key, value in part.raw_items():
        if key.lower() == "content-type":
            ctype = str(value).split(";", 1)[0].strip().lower()
            return ctype if "/" in ctype else "text/plain"
    return "text/plain"


def message_ids(value: str) -> tuple[str, ...]:
    """Message-IDs in angle brackets, kept with their brackets (as stored in
    the outbox and in In-Reply-To); a bare id is accepted when alone."""
    found = tuple(f"<{m}>" for m in _MESSAGE_ID.findall(value))
    if found:
        return found
    bare = value.strip()
    return (f"<{bare}>",) if bare and " " not in bare and "@" in bare else ()


def address(msg: Message, name: str) -> str | None:
    try:
        pairs = getaddresses([header(msg, name)])
    except Exception:
        return None
    for _, addr in pairs:
        if "@" in addr:
            return addr.strip().lower()
    return None


def all_addresses(msg: Message, *names: str) -> set[str]:
    found: set[str] = set()
    for name in names:
        try:
            pairs = getaddresses([header(msg, name)])
        except Exception:
            continue
        found.update(addr.strip().lower() for _, addr in pairs if "@" in addr)
    return found


def text_parts(msg: Message, skip: tuple[str, ...] = ()) -> list[str]:
    """Decoded text of the text/* leaves, not descending into `skip` types."""
    out: list[str] = []
    _collect(msg, skip, out)
    return out


def _collect(part: Message, skip: tuple[str, ...], out: list[str]) -> None:
    ctype = content_type(part)
    if ctype in skip:
        return
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _collect(sub, skip, out)
        return
    if ctype.startswith("text/"):
        text = decoded(part)
        out.append(html_to_text(text) if ctype == "text/html" else text)


def decoded(part: Message) -> str:
    try:
        raw = part.get_payload(decode=True)
    except Exception:
        raw = None
    if not isinstance(raw, bytes):
        payload = part.get_payload()
        return payload[:_MAX_TEXT] if isinstance(payload, str) else ""
    charset = "utf-8"
    try:
        charset = part.get_content_charset() or "utf-8"
        text = raw[:_MAX_TEXT].decode(charset, "replace")
    except (LookupError, TypeError, ValueError):
        text = raw[:_MAX_TEXT].decode("latin-1", "replace")
    return text


def html_to_text(html: str) -> str:
    # Good enough to find words and addresses in; the reply text itself
    # prefers the text/plain alternative when there is one.
    html = re.sub(r"(?is)<(script|style)[^>]*>.*?</\1>", " ", html)
    html = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</tr>", "\n", html)
    text = _TAG.sub(" ", html)
    for entity, char in (
        ("&nbsp;", " "),
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", '"'),
        ("&#39;", "'"),
        ("&amp;", "&"),
    ):
        text = text.replace(entity, char)
    return re.sub(r"[ \t]+", " ", text)
