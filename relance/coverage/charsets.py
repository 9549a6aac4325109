"""Turning the bytes a web server sent into text.

Servers lie about encodings all the time: a French page written in
Windows-1252 and served as `charset=utf-8` by a misconfigured server, or a
CMS that declares ISO-8859-1 and writes UTF-8. The order below is the one
that gets real French and Quebec pages right:

1. a byte-order mark wins (it cannot be there by accident);
2. bytes that are valid UTF-8 and contain non-ASCII are UTF-8, whatever the
   declaration says: valid multi-byte UTF-8 sequences almost never occur by
   chance in a legacy single-byte text, so this only overrides lies;
3. otherwise the charset declared by the HTTP header, then by the page's
   `<meta>`, if it decodes the bytes cleanly (ISO-8859-1 and US-ASCII are
   read as Windows-1252, as browsers do: that is what such pages contain);
4. otherwise Windows-1252 with replacement characters for its five
   undefined bytes, since that is the encoding a non-UTF-8 French page is in.
"""

from __future__ import annotations

import codecs
import re
from email.message import Message

# The HTML standard has browsers look for <meta charset> in the first 1024
# bytes; pages with long inline scripts in <head> push it further, so look a
# little further than that.
_PRESCAN_BYTES = 4096
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)""", re.IGNORECASE
)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.\-]+)""")
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Labels whose content is, in practice, Windows-1252 (the WHATWG mapping).
_AS_WINDOWS_1252 = {"iso8859-1", "latin-1", "ascii", "cp1252"}


def header_charset(content_type: str) -> str:
    """The `charset` parameter of a Content-Type value, or ""."""
    if not content_type:
        return ""
    message = Message()
    message["content-type"] = content_type
    return str(message.get_param("charset", "") or "").strip().strip("\"'")


def declared_charset(body: bytes) -> str:
    """The encoding a document declares in itself (<meta> or <?xml?>), or ""."""
    head = body[:_PRESCAN_BYTES]
    match = _XML_ENCODING.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "replace") if match else ""


def _codec(label: str) -> str:
    """Python's canonical codec name for a label, or "" if unknown."""
    if not label:
        return ""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except LookupError:
        return ""
    return "cp1252" if name in _AS_WINDOWS_1252 else name


def decode(body: bytes, content_type: str = "") -> tuple[str, str]:
    """(text, encoding used) for a response body; never raises."""
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, "replace"), name
    if not body.isascii():
        try:
            return body.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    for label in (header_charset(content_type), declared_charset(body)):
        name = _codec(label)
        # A "utf-8" label was just disproved; UTF-16/32 without a BOM is
        # always a mislabel on the web.
        if not name or name == "utf-8" or name.startswith(("utf-16", "utf-32")):
            continue
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    if body.isascii():
        return body.decode("ascii"), "ascii"
    return body.decode("cp1252", "replace"), "cp1252"
