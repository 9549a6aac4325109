"""Template helpers of the media database pages: phone numbers in the
national format, relationship strength, social handles as links."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from relance.contacts.validation import SOCIAL_LABELS
from relance.lib.phones import display, national

register = template.Library()

# Profile address for a bare handle; networks whose handles need a server
# (mastodon, bluesky custom domains) are shown as typed.
_SOCIAL_URLS = {
    "x": "https://x.com/{}",
    "instagram": "https://www.instagram.com/{}",
    "threads": "https://www.threads.net/@{}",
    "tiktok": "https://www.tiktok.com/@{}",
    "bluesky": "https://bsky.app/profile/{}",
}


@register.filter
def phone(e164: str) -> str:
    """ "+33612345678" -> "06 12 34 56 78": as dialled inside its country."""
    return national(e164 or "")


@register.filter
def phone_intl(e164: str) -> str:
    """ "+33612345678" -> "+33 6 12 34 56 78" (a region no number has)."""
    return display(e164 or "", "ZZ")


def strength_words() -> dict[int, str]:
    return {
        0: _("Met once"),
        1: _("Knows them"),
        2: _("Good relationship"),
        3: _("Long-standing"),
    }


@register.filter
def strength_label(value: int) -> str:
    return strength_words().get(int(value or 0), "")


@register.filter
def strength_dots(value: int) -> str:
    n = max(0, min(3, int(value or 0)))
    return "●" * n + "○" * (3 - n)


@register.filter
def social_url(handle: str, network: str) -> str:
    """A link for a social handle, or "" when it cannot be built."""
    text = (handle or "").strip()
    if text.startswith(("https://", "http://")):
        return text
    pattern = _SOCIAL_URLS.get(network)
    return pattern.format(text.lstrip("@")) if pattern and text else ""


@register.filter
def social_label(network: str) -> str:
    return SOCIAL_LABELS.get(network, network)


@register.simple_tag
def contact_rows(contacts, selectable=False, today=None, pressure=None):
    """The rows of the contacts table (rendered in Python: see contacts/rows.py);
    `pressure`: contact id -> how solicited by the agency (follow-ups)."""
    from django.utils import timezone

    from relance.contacts.rows import contact_rows as render

    return render(
        contacts,
        selectable=bool(selectable),
        today=today or timezone.localdate(),
        pressure=pressure or None,
    )
