"""Writing SVG by hand, safely and reproducibly.

Every piece of text in a chart comes from users or from feeds (outlet
names, client names, campaign titles), so it all goes through `text()` or
`attr()`: characters XML 1.0 forbids are dropped and markup characters
escaped, so a label such as `<script>` or `A & B` reads as written and the
document stays well-formed. Coordinates are written with at most two
decimals, so the same data gives the same bytes on every machine (a report
regenerated later compares equal, and tests can pin output).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
FONT_SIZE = 12
TITLE_SIZE = 14
# Presentation attributes, not CSS: the page's stylesheet may still override
# them (they have the lowest precedence), and WeasyPrint honours them.
FONT_FAMILY = "Helvetica, Arial, Liberation Sans, DejaVu Sans, sans-serif"
ELLIPSIS = "…"

# Characters XML 1.0 does not allow at all (a NUL in an outlet name from a
# broken feed would make the whole report unparseable), and the bidi
# controls, which would let one label reorder the text drawn after it.
_FORBIDDEN = re.compile(
    "[^\u0009\u000a\u000d\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
    "|[\u202a-\u202e\u2066-\u2069]"
)
# Line breaks and tabs become one space; the no-break spaces stay, since
# French numbers and punctuation ("1 234", "Le Point :") depend on them.
_SPACES = re.compile("[ \t\n\r\f\v\x85\u2028\u2029]+")


def clean(value: object) -> str:
    """One line of displayable text: forbidden characters dropped,
    runs of white space (newlines from a pasted label) made one space."""
    return _SPACES.sub(" ", _FORBIDDEN.sub("", str(value))).strip()


def text(value: object) -> str:
    """`value` as XML character data."""
    return clean(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def attr(value: object) -> str:
    """`value` as the content of a double-quoted XML attribute."""
    return text(value).replace('"', "&quot;")


def n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros, no "-0"."""
    out = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if out in ("-0", "") else out


def _char_width(char: str) -> float:
    if unicodedata.combining(char):
        return 0.0
    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 1.0
    if char in " .,:;'!|ilIjtf()[]/\u00a0\u202f":
        return 0.32
    if char in "mwMW@%":
        return 0.9
    if char.isupper() or char.isdigit():
        return 0.66
    return 0.56


def text_width(value: str, size: float = FONT_SIZE) -> float:
    """An estimate of the drawn width of `value`, in user units.

    The server has no layout engine for SVG text, and the reader's font is
    not known (the page may override it): the estimate leans wide, as
    DejaVu Sans, the widest of the fallbacks, would draw it, so that
    truncated labels fit in any of them.
    """
    return sum(_char_width(c) for c in value) * size


def truncate(value: str, width: float, size: float = FONT_SIZE) -> str:
    """`value` cut with an ellipsis to fit in `width` (already `clean`)."""
    if text_width(value, size) <= width:
        return value
    room = width - text_width(ELLIPSIS, size)
    used = 0.0
    for index, char in enumerate(value):
        used += _char_width(char) * size
        if used > room:
            # Never leave a base letter's accent behind, nor a trailing space.
            head = value[:index]
            while head and unicodedata.combining(head[-1]):
                head = head[:-1]
            return head.rstrip() + ELLIPSIS
    return value


def label(
    x: float,
    y: float,
    content: str,
    *,
    fill: str,
    size: float = FONT_SIZE,
    anchor: str = "start",
    weight: str = "",
) -> str:
    """A <text> element; `content` is escaped here."""
    extra = f' font-weight="{weight}"' if weight else ""
    if anchor != "start":
        extra += f' text-anchor="{anchor}"'
    return (
        f'<text x="{n(x)}" y="{n(y)}" font-size="{n(size)}" fill="{fill}"{extra}>'
        f"{text(content)}</text>"
    )


def rect(x: float, y: float, width: float, height: float, fill: str) -> str:
    return (
        f'<rect x="{n(x)}" y="{n(y)}" width="{n(max(width, 0))}" '
        f'height="{n(max(height, 0))}" fill="{fill}"/>'
    )


def line(x1: float, y1: float, x2: float, y2: float, stroke: str, width: float = 1) -> str:
    return (
        f'<line x1="{n(x1)}" y1="{n(y1)}" x2="{n(x2)}" y2="{n(y2)}" '
        f'stroke="{stroke}" stroke-width="{n(width)}"/>'
    )


def tooltip(content: str) -> str:
    """A <title> child: the full text, shown on hover and read by screen
    readers, where the drawn label had to be shortened."""
    return f"<title>{text(content)}</title>"


def document(kind: str, *, title: str, desc: str, height: float, body: Iterable[str]) -> SafeString:
    """The <svg> root around `body`.

    No width or height attribute, only a viewBox: the chart takes the width
    of its container and keeps its proportions, in the browser and in
    WeasyPrint alike. The ids that tie the accessible name to <title> and
    <desc> are derived from the content, so two charts on one page do not
    clash and the output stays the same from one run to the next.
    """
    inner = "".join(body)
    digest = hashlib.sha1(f"{kind}\n{title}\n{desc}\n{inner}".encode()).hexdigest()[:10]
    ident = f"chart-{digest}"
    # Everything is escaped above, so the string may go into a template as is.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {n(height)}" '
        f'role="img" aria-labelledby="{ident}-title {ident}-desc" '
        f'class="chart chart-{kind}" font-family="{FONT_FAMILY}" font-size="{FONT_SIZE}">'
        f'<title id="{ident}-title">{text(title)}</title>'
        f'<desc id="{ident}-desc">{text(desc)}</desc>'
        # An opaque background: on a dark page the dark labels stay legible.
        f'<rect width="{WIDTH}" height="{n(height)}" fill="#ffffff"/>'
        f"{inner}</svg>"
    )
