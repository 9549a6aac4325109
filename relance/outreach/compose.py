"""Composing a campaign message for one recipient: merge fields, the HTML
part (sanitised) and its plain-text alternative, and the e-mail itself.

Merge fields are a small substitution of our own, never the Django template
engine: the text is written by users, and a template language would let a
subject run tags, reach objects or leak settings. Only the names in
MERGE_FIELDS are known; anything else between double braces is an error
reported, by name, when the message is saved.
"""

from __future__ import annotations

import base64
import email.policy
import functools
import html
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import Header
from email.message import MIMEPart
from email.utils import format_datetime, formataddr, parseaddr
from html.parser import HTMLParser

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import translation
from django.utils.translation import gettext as _

MERGE_FIELDS = ("first_name", "last_name", "outlet", "show", "signature")
_FIELD = re.compile(r"\{\{(.*?)\}\}", re.DOTALL)
_NAME = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*$")


def unknown_fields(text: str) -> list[str]:
    """The merge fields in `text` that do not exist, as typed (in order,
    once each)."""
    found: list[str] = []
    for match in _FIELD.finditer(text):
        inner = match.group(1)
        name = _NAME.match(inner)
        label = name.group(1) if name else inner.strip()
        if (name is None or label not in MERGE_FIELDS) and label not in found:
            found.append(label)
    return found


def fill(text: str, values: Mapping[str, str], *, as_html: bool) -> str:
    """`text` with each known field replaced by its value (escaped for
    HTML); an empty value leaves nothing. Unknown fields stay as typed
    (saving refuses them; this is for rows written by other means)."""

    def replace(match: re.Match[str]) -> str:
        name = _NAME.match(match.group(1))
        if name is None or name.group(1) not in MERGE_FIELDS:
            return match.group(0)
        value = values.get(name.group(1), "")
        if not as_html:
            return value
        if name.group(1) == "signature":
            return "<br>".join(html.escape(line) for line in value.splitlines())
        return html.escape(value)

    return _FIELD.sub(replace, text)


# --- Plain text from the sanitised HTML -----------------------------------------


class _TextMaker(HTMLParser):
    """Plain text from the few tags the body allows (campaigns.services
    BODY_TAGS): paragraphs and headings separated by blank lines, list items
    as "- ", links followed by their address."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.href: list[str] = []
        self.link_text: list[str] = []
        self.ordered: list[int] = []

    def _block(self) -> None:
        text = "".join(self.out)
        if text and not text.endswith("\n\n"):
            self.out.append("\n" if text.endswith("\n") else "\n\n")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"p", "h2", "h3", "blockquote", "ul", "ol"}:
            self._block()
            if tag == "ol":
                self.ordered.append(0)
            elif tag == "ul":
                self.ordered.append(-1)
        elif tag == "br":
            self.out.append("\n")
        elif tag == "li":
            if self.out and not "".join(self.out[-1:]).endswith("\n"):
                self.out.append("\n")
            if self.ordered and self.ordered[-1] >= 0:
                self.ordered[-1] += 1
                self.out.append(f"{self.ordered[-1]}. ")
            else:
                self.out.append("- ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href") or "")
            self.link_text.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in {"p", "h2", "h3", "blockquote"}:
            self._block()
        elif tag in {"ul", "ol"}:
            if self.ordered:
                self.ordered.pop()
            self._block()
        elif tag == "a" and self.href:
            href = self.href.pop()
            text = self.link_text.pop().strip()
            if href and href.removeprefix("mailto:") != text:
                self.out.append(f" <{href.removeprefix('mailto:')}>")

    def handle_data(self, data: str) -> None:
        data = re.sub(r"\s+", " ", data)
        if self.out and "".join(self.out[-1:]).endswith("\n"):
            data = data.lstrip()
        if self.link_text:
            self.link_text[-1] += data
        self.out.append(data)


def html_to_text(markup: str) -> str:
    maker = _TextMaker()
    maker.feed(markup)
    maker.close()
    lines = [line.rstrip() for line in "".join(maker.out).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


# --- One recipient's message ------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    subject: str
    html: str
    text: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str
    # Content-Type parameters: a calendar file says its charset and method
    # (Django's builder adds the charset of text parts by itself).
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sender:
    """Who the campaign's messages come from: the agency's sending address
    with the manager's name, replies going to the manager."""

    from_email: str
    reply_to: list[str] = field(default_factory=list)


def signature(name: str, agency: str, phone: str, email: str) -> str:
    return "\n".join(line for line in (name, agency, phone, email) if line)


def merge_values(
    *, first_name: str, last_name: str, outlet: str, show: str, signature: str
) -> dict[str, str]:
    return {
        "first_name": first_name,
        "last_name": last_name,
        "outlet": outlet,
        "show": show,
        "signature": signature,
    }


def render(
    subject: str, body_html: str, values: Mapping[str, str], *, text_template: str | None = None
) -> Rendered:
    """The message for one recipient. `body_html` is the sanitised body;
    values are escaped as they go in, so the result stays safe.
    `text_template` is `html_to_text(body_html)` with the fields still in
    it, when the caller made it once for many recipients."""
    filled_html = fill(body_html, values, as_html=True)
    # A subject is one line whatever a value holds (no header injection).
    filled_subject = " ".join(fill(subject, values, as_html=False).split())
    if text_template is None:
        text = html_to_text(filled_html)
    else:
        text = fill(text_template, values, as_html=False)
    return Rendered(subject=filled_subject, html=filled_html, text=text)


def with_note(rendered: Rendered, note: str) -> Rendered:
    """A follow-up: the sender's own lines above the release they resend
    ("as promised on the phone, here is…"), plain text made safe HTML."""
    paragraphs = [p.strip() for p in note.split("\n\n") if p.strip()]
    note_html = "".join("<p>" + html.escape(p).replace("\n", "<br>") + "</p>" for p in paragraphs)
    return Rendered(
        subject=rendered.subject,
        html=f"{note_html}<hr>{rendered.html}",
        text=f"{note.strip()}\n\n----\n\n{rendered.text}",
    )


def with_footer(rendered: Rendered, *, agency: str, url: str, language: str) -> Rendered:
    """The message with the journalist's footer: who writes and why, and
    the link to their preferences (unsubscribe, no calls, pause, beats), in
    the message's language."""
    with translation.override(language):
        why = _(
            "You receive this message from %(agency)s because you write about these subjects."
        ) % {"agency": agency}
        link = _("Your preferences: unsubscribe, no phone calls, pause, your beats")
    footer_html = (
        '<hr><p style="font-size:12px;color:#555">'
        f'{html.escape(why)}<br><a href="{html.escape(url)}">{html.escape(link)}</a></p>'
    )
    return Rendered(
        subject=rendered.subject,
        html=rendered.html + footer_html,
        text=f"{rendered.text}\n\n-- \n{why}\n{link}: {url}\n",
    )


def html_document(rendered: Rendered, language: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{language}"><head><meta charset="utf-8">'
        f"<title>{html.escape(rendered.subject)}</title></head>"
        f"<body>{rendered.html}</body></html>\n"
    )


def sender(manager_name: str, manager_email: str) -> Sender:
    address = parseaddr(settings.CAMPAIGN_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL)[1]
    from_email = formataddr((manager_name, address)) if manager_name else address
    return Sender(from_email=from_email, reply_to=[manager_email] if manager_email else [])


def build_email(
    rendered: Rendered,
    *,
    to: str,
    language: str,
    message_id: str,
    sender: Sender,
    attachments: Iterable[Attachment] = (),
    headers: Mapping[str, str] | None = None,
) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=sender.from_email,
        to=[to],
        reply_to=sender.reply_to,
        headers={"Message-ID": message_id, "Content-Language": language, **(headers or {})},
    )
    email.attach_alternative(html_document(rendered, language), "text/html")
    for item in attachments:
        email.attach(item.filename, item.content, item.mimetype)
    return email


def field_tag(name: str) -> str:
    return "{{ " + name + " }}"


def unknown_fields_message(names: list[str]) -> str:
    return _("Unknown merge field: %(names)s. Use %(known)s.") % {
        "names": ", ".join(field_tag(n) for n in names),
        "known": ", ".join(field_tag(n) for n in MERGE_FIELDS),
    }


# --- The wire format, fast --------------------------------------------------------------
#
# Building each message with the email package's modern API costs about 5 ms
# (header objects parsed and folded one by one), more than everything else a
# send does. A campaign's messages differ only in a few headers and the two
# text parts, so the parts they share (sender, attachments) are encoded once
# per batch, and each message is written directly: base64 text parts, RFC
# 2047 headers through email.header. Tests parse the result with the email
# package and compare it with EmailMultiAlternatives' (test_outreach_compose).


def _b64(data: bytes) -> bytes:
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


@functools.lru_cache(maxsize=4096)  # subjects repeat (one per outlet, per language)
def _header(name: str, value: str) -> bytes:
    if value.isascii() and len(name) + len(value) < 76:
        return f"{name}: {value}\r\n".encode("ascii")
    encoded = Header(value, "us-ascii" if value.isascii() else "utf-8", header_name=name)
    return f"{name}: {encoded.encode(linesep=chr(13) + chr(10))}\r\n".encode("ascii")


def ascii_address(address: str) -> str:
    """The address with its domain in IDNA; ValueError for what cannot be
    written in a header (line breaks, a non-ASCII local part)."""
    address = address.strip()
    local, _sep, domain = address.rpartition("@")
    if not local or not domain or any(c in address for c in "\r\n<>,\"' "):
        raise ValueError(f"Invalid address {address!r}")
    if not local.isascii():
        raise ValueError(f"Invalid address {address!r}: non-ASCII local part")
    return f"{local}@{domain.encode('idna').decode('ascii')}"


class MimeKit:
    """What every message of a campaign shares on the wire, encoded once."""

    def __init__(self, sender: Sender, attachments: Iterable[Attachment]) -> None:
        name, address = parseaddr(sender.from_email)
        self.envelope_from = ascii_address(address)
        self.from_line = _header("From", formataddr((name, self.envelope_from), "utf-8"))
        self.reply_to_line = (
            _header("Reply-To", ", ".join(ascii_address(a) for a in sender.reply_to))
            if sender.reply_to
            else b""
        )
        token = uuid.uuid4().hex
        self.mixed = f"=_mixed_{token}"
        self.alternative = f"=_alt_{token}"
        self.attachments = b""
        for item in attachments:
            part = MIMEPart(policy=email.policy.SMTP)
            maintype, _slash, subtype = item.mimetype.partition("/")
            part.set_content(
                item.content,
                maintype,
                subtype or "octet-stream",
                filename=item.filename,
                params=dict(item.params),
            )
            self.attachments += f"--{self.mixed}\r\n".encode() + part.as_bytes()
            if not self.attachments.endswith(b"\r\n"):
                self.attachments += b"\r\n"

    def message(
        self,
        rendered: Rendered,
        *,
        to: str,
        language: str,
        message_id: str,
        headers: Mapping[str, str] | None = None,
    ) -> bytes:
        head = [
            self.from_line,
            _header("To", ascii_address(to)),
            self.reply_to_line,
            _header("Subject", rendered.subject),
            _header("Date", format_datetime(datetime.now(UTC))),
            _header("Message-ID", message_id),
            b"MIME-Version: 1.0\r\n",
            _header("Content-Language", language),
        ]
        head += [_header(k, v) for k, v in (headers or {}).items()]
        alternative = b"".join(
            [
                f"--{self.alternative}\r\n".encode(),
                b'Content-Type: text/plain; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: base64\r\n\r\n",
                _b64(rendered.text.encode("utf-8")),
                f"--{self.alternative}\r\n".encode(),
                b'Content-Type: text/html; charset="utf-8"\r\n',
                b"Content-Transfer-Encoding: base64\r\n\r\n",
                _b64(html_document(rendered, language).encode("utf-8")),
                f"--{self.alternative}--\r\n".encode(),
            ]
        )
        alt_type = f'Content-Type: multipart/alternative; boundary="{self.alternative}"\r\n'
        if not self.attachments:
            return b"".join([*head, alt_type.encode(), b"\r\n", alternative])
        mixed_type = f'Content-Type: multipart/mixed; boundary="{self.mixed}"\r\n'
        return b"".join(
            [
                *head,
                mixed_type.encode(),
                b"\r\n",
                f"--{self.mixed}\r\n".encode(),
                alt_type.encode(),
                b"\r\n",
                alternative,
                self.attachments,
                f"--{self.mixed}--\r\n".encode(),
            ]
        )
