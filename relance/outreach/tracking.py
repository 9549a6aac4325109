"""Opens and clicks, honestly.

* **Clicks**: each web link of a campaign message points to a signed
  redirect naming the outbox row and the link (`TrackedLink`); the redirect
  counts the click for that recipient, then sends the browser on. A click
  is a fact: somebody (or a mail security scanner) followed the link.
* **Opens**: a 1×1 image at the end of the HTML part, loaded when the
  message is displayed with its images. That is approximate both ways:
  mail programs that block images show no open, and privacy proxies (Apple
  Mail) load every image of every message received, read or not. The pages
  say "approximate"; the planner uses opens only as a hint.

The agency can switch either off (`Agency.track_opens`, `track_clicks`):
messages then carry no pixel or plain links, and what older messages still
carry is not recorded any more. Test sends and previews are never tracked.
Nothing is recorded for a contact who opted out or was erased.
"""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from relance.accounts.models import Agency
from relance.campaigns.models import Recipient
from relance.interactions import services as interactions
from relance.interactions.models import Outcome
from relance.outreach.links import LINK_DAYS
from relance.outreach.models import OutboxMessage, OutboxState, TrackedLink

SALT = "relance.outreach.tracking"
# The smallest transparent GIF.
PIXEL = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
# Links the sanitiser kept (campaigns.services.sanitise_body): double quotes,
# entities escaped. Only the web is tracked, never mailto: links, and never
# an address with a merge field in it (it differs for each recipient).
_HREF = re.compile(r'href="(https?://[^"]+)"')
# Messages seen in this state can be opened or clicked.
_DELIVERED = (OutboxState.SENT, OutboxState.UNCERTAIN, OutboxState.BOUNCED)


def switches() -> tuple[bool, bool]:
    """(track opens, track clicks) for the agency."""
    agency = Agency.current()
    return agency.track_opens, agency.track_clicks


def trackable_urls(body: str) -> list[str]:
    """The web addresses of a message body, once each, in order."""
    urls = (html.unescape(m.group(1)) for m in _HREF.finditer(body))
    return list(dict.fromkeys(u for u in urls if "{{" not in u))


def _digest(url: str) -> str:
    return hashlib.sha1(url.encode("utf-8"), usedforsecurity=False).hexdigest()


def links_for(campaign_id: int, urls: Iterable[str]) -> dict[str, int]:
    """The TrackedLink id of each address, created when first needed."""
    wanted = {_digest(u): u for u in urls}
    if not wanted:
        return {}
    known = dict(
        TrackedLink.objects.filter(campaign_id=campaign_id, digest__in=wanted).values_list(
            "digest", "pk"
        )
    )
    missing = [d for d in wanted if d not in known]
    if missing:
        # Two workers may load the same campaign at once: the unique
        # constraint keeps one row, and both read it back.
        TrackedLink.objects.bulk_create(
            [TrackedLink(campaign_id=campaign_id, url=wanted[d], digest=d) for d in missing],
            ignore_conflicts=True,
        )
        known = dict(
            TrackedLink.objects.filter(campaign_id=campaign_id, digest__in=wanted).values_list(
                "digest", "pk"
            )
        )
    return {wanted[d]: pk for d, pk in known.items()}


@lru_cache(maxsize=1)
def _prefixes() -> tuple[str, str]:
    base = settings.BASE_URL.rstrip("/")
    click = reverse("outreach:click", args=["TOKEN"]).removesuffix("TOKEN/")
    pixel = reverse("outreach:pixel", args=["TOKEN"]).removesuffix("TOKEN.gif")
    return base + click, base + pixel


def rewrite(markup: str, row_id: int, link_ids: dict[str, int]) -> str:
    """The HTML with each known web link through the click redirect."""
    click, _pixel = _prefixes()

    def replace(match: re.Match[str]) -> str:
        link_id = link_ids.get(html.unescape(match.group(1)))
        if link_id is None:
            return match.group(0)
        token = signing.dumps([row_id, link_id], salt=SALT, compress=False)
        return f'href="{click}{token}/"'

    return _HREF.sub(replace, markup)


def pixel_tag(row_id: int) -> str:
    _click, pixel = _prefixes()
    token = signing.dumps(row_id, salt=SALT)
    return (
        f'<img src="{pixel}{token}.gif" width="1" height="1" alt="" '
        'style="border:0;width:1px;height:1px">'
    )


# --- Recording ------------------------------------------------------------------------------


def _read(token: str) -> tuple[object, bool]:
    """The signed value and whether it is recent enough to be counted.
    BadSignature when altered."""
    signer = signing.TimestampSigner(salt=SALT)
    value = signer.unsign_object(token)
    try:
        signer.unsign_object(token, max_age=timedelta(days=LINK_DAYS))
    except signing.SignatureExpired:
        return value, False
    return value, True


def _row(row_id: int) -> Mapping[str, Any] | None:
    return (
        OutboxMessage.objects.filter(
            pk=row_id,
            state__in=_DELIVERED,
            contact__erased_at__isnull=True,
            contact__opted_out=False,
        )
        .values("pk", "recipient_id", "contact_id", "campaign_id")
        .first()
    )


def _opened(row: Mapping[str, Any], now: datetime) -> None:
    interactions.observed(
        key=f"open:{row['pk']}",
        contact_id=row["contact_id"],
        campaign_id=row["campaign_id"],
        outcome=Outcome.OPENED,
        at=now,
    )


def record_open(token: str, now: datetime | None = None) -> bool:
    """Count an open for the pixel's row; False when nothing was counted."""
    try:
        row_id, fresh = _read(token)
    except signing.BadSignature:
        return False
    if not fresh or not isinstance(row_id, int) or not switches()[0]:
        return False
    row = _row(row_id)
    if row is None:
        return False
    now = now or timezone.now()
    Recipient.objects.filter(pk=row["recipient_id"]).update(
        opens=F("opens") + 1, opened_at=Coalesce("opened_at", now)
    )
    _opened(row, now)
    return True


@dataclass(frozen=True)
class Click:
    url: str
    row_id: int
    link_id: int
    fresh: bool  # recent enough to be counted


def click_target(token: str) -> Click | None:
    """Where a click link leads, None when it was altered. An old link
    still leads to its address; it is just not counted any more."""
    try:
        value, fresh = _read(token)
    except signing.BadSignature:
        return None
    if not (isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value)):
        return None
    row_id, link_id = value
    url = TrackedLink.objects.filter(pk=link_id).values_list("url", flat=True).first()
    if url is None:
        return None
    return Click(url=url, row_id=row_id, link_id=link_id, fresh=fresh)


def record_click(click: Click, now: datetime | None = None) -> bool:
    """Count the click for its recipient; False when nothing was counted."""
    if not click.fresh or not switches()[1]:
        return False
    row = _row(click.row_id)
    campaign_id = (
        TrackedLink.objects.filter(pk=click.link_id).values_list("campaign_id", flat=True).first()
    )
    if row is None or campaign_id != row["campaign_id"]:
        return False
    now = now or timezone.now()
    # A click proves the message was opened, images or not.
    Recipient.objects.filter(pk=row["recipient_id"]).update(
        clicks=F("clicks") + 1,
        clicked_at=Coalesce("clicked_at", now),
        opened_at=Coalesce("opened_at", now),
    )
    TrackedLink.objects.filter(pk=click.link_id).update(clicks=F("clicks") + 1)
    _opened(row, now)
    interactions.observed(
        key=f"click:{click.row_id}:{click.link_id}",
        contact_id=row["contact_id"],
        campaign_id=row["campaign_id"],
        outcome=Outcome.CLICKED,
        at=now,
        details={"url": click.url},
    )
    return True
