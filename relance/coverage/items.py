"""Coverage items: what matching proposes, what the team confirms or
rejects, and what it adds by hand (docs/coverage.md, "Coverage").

Writes go through here, with permission checks, so the pages, the API and
the commands cannot differ.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from relance.accounts.models import Client, Role, User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import Campaign
from relance.campaigns.targeting import brief_terms
from relance.contacts.models import Contact, Outlet, OutletKind
from relance.coverage import matching
from relance.coverage.models import (
    Article,
    CoverageItem,
    CoverageSettings,
    CoverageSource,
    CoverageStatus,
    Medium,
    Tone,
)
from relance.lib.text import name_key

# Campaigns whose coverage monitoring looks for: sent in the last 90 days.
# Later pieces exist (a monthly's long lead time, a follow-up feature) but
# are rare enough to be added by hand.
ACTIVE_DAYS = 90
# Reviews the threshold learns from: the most recent ones.
LEARN_FROM = 500

# The medium an outlet's kind implies; a wire's dispatch runs on the web.
MEDIUM_OF_KIND: dict[str, str] = {
    OutletKind.PRINT: Medium.PRINT,
    OutletKind.TV: Medium.TV,
    OutletKind.RADIO: Medium.RADIO,
    OutletKind.WEB: Medium.WEB,
    OutletKind.PODCAST: Medium.PODCAST,
    OutletKind.BLOG: Medium.BLOG,
    OutletKind.WIRE: Medium.WEB,
}


# --- What monitoring listens for ----------------------------------------------


def active_campaigns(start: datetime, end: datetime) -> QuerySet[Campaign]:
    """Campaigns an article published between `start` and `end` may be
    coverage of: sent before it, at most ACTIVE_DAYS earlier."""
    return Campaign.objects.filter(
        sent_at__isnull=False,
        sent_at__gte=start - timedelta(days=ACTIVE_DAYS),
        sent_at__lte=end,
    ).select_related("client")


def watch_for(campaign: Campaign) -> matching.Watch:
    client = campaign.client
    names: list[tuple[str, str]] = [("client", client.name)]
    names += [("brand", b) for b in client.brands or []]
    names += [("product", p) for p in campaign.products or []]
    names += [("competitor", c) for c in client.competitors or []]
    return matching.Watch(
        campaign_id=campaign.pk,
        client_id=client.pk,
        names=tuple(names),
        key_messages=tuple(m for m in campaign.key_messages or [] if m.strip()),
        terms=_terms(
            campaign.title,
            campaign.summary,
            campaign.body,
            tuple(campaign.key_messages or []),
            campaign.language,
        ),
        language=campaign.language,
    )


# Every poll that brings new articles matches them against all active
# campaigns: the release's stemmed terms and the automaton are kept for as
# long as the campaigns read the same (keyed by content, never stale).
@lru_cache(maxsize=4096)
def _terms(
    title: str, summary: str, body: str, messages: tuple[str, ...], language: str
) -> tuple[str, ...]:
    return tuple(brief_terms(title, summary, body, messages, language))


@lru_cache(maxsize=4)
def matcher_for(watches: tuple[matching.Watch, ...]) -> matching.Matcher:
    return matching.Matcher(watches)


def threshold() -> float:
    return CoverageSettings.current().threshold


# --- Matching new articles --------------------------------------------------------


def match_articles(articles: Sequence[Article]) -> list[CoverageItem]:
    """Propose coverage for `articles` (the monitoring's new ones): one
    candidate per article and campaign it may be coverage of. An article
    already proposed for a campaign, confirmed or rejected, is not proposed
    again."""
    if not articles:
        return []
    dates = [a.published_at or a.fetched_at for a in articles]
    campaigns = {c.pk: c for c in active_campaigns(min(dates), max(dates) + timedelta(days=1))}
    if not campaigns:
        return []
    matcher = matcher_for(tuple(watch_for(c) for c in campaigns.values()))
    cut = threshold()
    outlets = {
        o.pk: o
        for o in Outlet.objects.filter(pk__in={a.outlet_id for a in articles if a.outlet_id})
    }
    made: list[CoverageItem] = []
    for article in articles:
        published = article.published_at or article.fetched_at
        outlet = outlets.get(article.outlet_id) if article.outlet_id else None
        for found in matcher.match(article.title, article.text or article.summary, threshold=cut):
            campaign = campaigns[found.campaign_id]
            # Coverage of a campaign comes after it went out (the day it was
            # sent counts: a date without a time reads as midnight), within
            # ACTIVE_DAYS.
            assert campaign.sent_at is not None
            days = (timezone.localdate(published) - timezone.localdate(campaign.sent_at)).days
            if not 0 <= days <= ACTIVE_DAYS:
                continue
            made.append(
                CoverageItem(
                    client_id=campaign.client_id,
                    campaign=campaign,
                    article=article,
                    status=CoverageStatus.CANDIDATE,
                    source=CoverageSource.FEED,
                    outlet=outlet,
                    contact=attribute(article.author, outlet),
                    author=article.author[:300],
                    url=article.url,
                    title=(article.title or article.url)[:1000],
                    published_at=published,
                    medium=MEDIUM_OF_KIND.get(outlet.kind, Medium.WEB) if outlet else Medium.WEB,
                    audience=outlet.audience or 0 if outlet else 0,
                    key_messages=found.messages,
                    score=found.score,
                    evidence=evidence(found),
                )
            )
    CoverageItem.objects.bulk_create(made, ignore_conflicts=True)
    return made


def evidence(found: matching.Match) -> dict[str, Any]:
    return {
        "names": found.names,
        "relevance": found.relevance,
        "passages": [p.to_json() for p in found.passages],
    }


# --- Bylines ----------------------------------------------------------------------

_BYLINE_NOISE = re.compile(r"^\s*(par|by|de|propos recueillis par)\s+", re.IGNORECASE)
_BYLINE_CUT = re.compile(r"\s*(?:,|;|/|\||\bet\b|\band\b|\(|—|–|\s-\s).*$", re.IGNORECASE)


def byline_name(author: str) -> str:
    """The first person of a byline: "Par Claire Dubois, avec AFP" → "Claire Dubois"."""
    name = _BYLINE_NOISE.sub("", author or "")
    return _BYLINE_CUT.sub("", name).strip()


def attribute(author: str, outlet: Outlet | None) -> Contact | None:
    """The outlet's journalist who signed the piece: the same name, word
    order and accents aside, or failing that a near one (a typo, a missing
    hyphen). Only within the outlet: two Claire Dubois at two papers are
    two people."""
    name = byline_name(author)
    if not name or outlet is None:
        return None
    key = name_key("", name)
    people = list(
        Contact.objects.filter(outlet=outlet, erased_at__isnull=True).only(
            "id", "first_name", "last_name"
        )
    )
    for person in people:
        if name_key(person.first_name, person.last_name) == key:
            return person
    best, best_score = None, 0.0
    for person in people:
        score = fuzz.token_sort_ratio(key, name_key(person.first_name, person.last_name))
        if score > best_score:
            best, best_score = person, score
    return best if best_score >= 90 else None


# --- Reviewing ----------------------------------------------------------------------


def visible_coverage(actor: User | None) -> QuerySet[CoverageItem]:
    """Everything for the team; a client viewer sees their own client's
    confirmed coverage, never candidates nor rejections."""
    items = CoverageItem.objects.select_related("outlet", "campaign", "client", "contact")
    if has(actor, Cap.VIEW_CAMPAIGNS):
        return items
    if (
        actor is not None
        and actor.is_active
        and actor.role == Role.CLIENT_VIEWER
        and actor.client_id
    ):
        return items.filter(client_id=actor.client_id, status=CoverageStatus.CONFIRMED)
    raise PermissionDenied(_("Your role does not allow this."))


@transaction.atomic
def review(
    actor: User | None,
    item: CoverageItem,
    decision: str,
    *,
    tone: str | None = None,
    key_messages: Iterable[str] | None = None,
) -> CoverageItem:
    """Confirm or reject a piece of coverage; a confirmation may set its
    tone and the key messages it carries. Every review teaches the
    threshold (matching.learned_threshold)."""
    require(actor, Cap.EDIT_COVERAGE)
    if decision not in (CoverageStatus.CONFIRMED, CoverageStatus.REJECTED):
        raise ValidationError({"decision": _("Choose confirm or reject.")})
    item = CoverageItem.objects.select_for_update().get(pk=item.pk)
    before = item.status
    item.status = decision
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    fields = ["status", "reviewed_by", "reviewed_at"]
    if tone is not None:
        item.tone = _tone(tone)
        fields.append("tone")
    if key_messages is not None:
        item.key_messages = _messages(item.campaign, key_messages)
        fields.append("key_messages")
    item.save(update_fields=fields)
    audit.record(actor, "review", item, changes={"status": [before, decision]})
    if item.source == CoverageSource.FEED:
        learn_threshold()
    return item


def learn_threshold() -> float:
    """Re-learn the threshold from the latest reviews of what matching found."""
    rows = (
        CoverageItem.objects.filter(
            source=CoverageSource.FEED,
            status__in=(CoverageStatus.CONFIRMED, CoverageStatus.REJECTED),
        )
        .order_by("-reviewed_at")
        .values_list("score", "status")[:LEARN_FROM]
    )
    settings_row = CoverageSettings.current()
    value = matching.learned_threshold(
        [(score, status == CoverageStatus.CONFIRMED) for score, status in rows],
        default=matching.DEFAULT_THRESHOLD,
    )
    if value != settings_row.threshold:
        settings_row.threshold = value
        settings_row.save(update_fields=["threshold", "updated_at"])
    return value


def _tone(value: str) -> str:
    value = (value or "").strip()
    if value and value not in Tone.values:
        raise ValidationError(
            {"tone": _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(Tone.values)}}
        )
    return value


def _messages(campaign: Campaign | None, values: Iterable[str]) -> list[str]:
    """The key messages present, from those of the campaign (in its order)."""
    wanted = {v.strip() for v in values if v and v.strip()}
    known = list(campaign.key_messages or []) if campaign else []
    unknown = wanted - set(known)
    if unknown:
        raise ValidationError(
            {
                "key_messages": _("Not a key message of this campaign: %(value)s")
                % {"value": sorted(unknown)[0]}
            }
        )
    return [m for m in known if m in wanted]


# --- Adding by hand ---------------------------------------------------------------------


@transaction.atomic
def add(
    actor: User | None,
    data: Mapping[str, Any],
    *,
    source: str = CoverageSource.MANUAL,
    article: Article | None = None,
    attachment: Any = None,
) -> CoverageItem:
    """Coverage added by hand, from an address or from a file: confirmed at
    once (someone saw it). Every field checked; errors name the field."""
    require(actor, Cap.EDIT_COVERAGE)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    campaign = None
    if data.get("campaign_id"):
        campaign = Campaign.objects.filter(pk=_int(data.get("campaign_id")) or 0).first()
        if campaign is None:
            errors["campaign_id"] = _("No such campaign.")
    client_id = _int(data.get("client_id")) or (campaign.client_id if campaign else None)
    if not client_id or not Client.objects.filter(pk=client_id).exists():
        errors["client_id"] = _("Choose the client this coverage is about.")
    elif campaign is not None and campaign.client_id != client_id:
        errors["campaign_id"] = _("This campaign is another client's.")
    outlet = None
    if data.get("outlet_id"):
        outlet = Outlet.objects.filter(pk=_int(data.get("outlet_id")) or 0).first()
        if outlet is None:
            errors["outlet_id"] = _("No such outlet.")
    outlet_name = str(data.get("outlet_name") or "").strip()[:200]
    if outlet is None and outlet_name:
        # A name the media database knows is that outlet (its audience, kind).
        outlet = Outlet.objects.filter(name__iexact=outlet_name).order_by("pk").first()
    if outlet is None and not outlet_name and "outlet_id" not in errors:
        errors["outlet_name"] = _("Say which outlet ran it.")
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = _("A coverage item needs a title.")
    published = _when(data.get("published_at"))
    if published is None:
        errors["published_at"] = _("Give the date it was published (YYYY-MM-DD).")
    medium = str(data.get("medium") or "").strip() or (
        MEDIUM_OF_KIND.get(outlet.kind, Medium.WEB) if outlet else ""
    )
    if medium not in Medium.values:
        errors["medium"] = _("Choose one of: %(allowed)s.") % {"allowed": ", ".join(Medium.values)}
    audience = data.get("audience")
    audience_value: int | None
    if audience in (None, ""):
        audience_value = outlet.audience or 0 if outlet else 0
    else:
        audience_value = _int(audience)
        if audience_value is None or audience_value < 0:
            errors["audience"] = _("The audience is a whole number of people.")
    url = str(data.get("url") or "").strip()[:2000]
    if url and not url.lower().startswith(("http://", "https://")):
        errors["url"] = _("An address starts with http:// or https://.")
    try:
        tone = _tone(str(data.get("tone") or ""))
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        tone = ""
    messages_in = data.get("key_messages") or []
    if isinstance(messages_in, str):
        messages_in = messages_in.splitlines()
    try:
        messages = _messages(campaign, messages_in)
    except ValidationError as exc:
        errors.update({k: " ".join(v) for k, v in exc.message_dict.items()})
        messages = []
    rights = str(data.get("rights_held") or "").lower() in ("1", "true", "on", "yes")
    if attachment is not None and not rights:
        errors["attachment"] = _(
            "Press clippings are copyrighted: attach a copy only if the agency holds the rights."
        )
    if errors:
        raise ValidationError(errors)
    assert published is not None
    values.update(
        client_id=client_id,
        campaign=campaign,
        outlet=outlet,
        outlet_name=outlet_name if outlet is None else "",
        title=title[:1000],
        url=url,
        published_at=published,
        author=str(data.get("author") or "").strip()[:300],
        medium=medium,
        audience=audience_value or 0,
        tone=tone,
        key_messages=messages,
        summary=str(data.get("summary") or "").strip(),
        rights_held=rights,
    )
    item = CoverageItem(
        status=CoverageStatus.CONFIRMED,
        source=source,
        article=article,
        contact=attribute(values["author"], outlet),
        created_by=actor,
        reviewed_by=actor,
        reviewed_at=timezone.now(),
        **values,
    )
    if attachment is not None:
        item.attachment.save(attachment.name, attachment, save=False)
    item.save()
    audit.record(actor, "create", item)
    return item


def _int(value: Any) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if timezone.is_aware(value) else timezone.make_aware(value)
    text = str(value or "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


# --- From an address ----------------------------------------------------------------------


def from_url(url: str) -> dict[str, Any]:
    """What the page at `url` says about itself, to fill in the form: title,
    byline, date, its outlet when the media database knows the site. The
    text itself is not kept (it is the publisher's)."""
    from urllib.parse import urlsplit

    from relance.coverage.collect import read_page
    from relance.coverage.fetch import FetchError

    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        raise ValidationError({"url": _("An address starts with http:// or https://.")})
    try:
        page, why = read_page(url)
    except FetchError as exc:
        raise ValidationError({"url": str(exc)}) from None
    if page is None:
        raise ValidationError({"url": why})
    host = (urlsplit(url).hostname or "").removeprefix("www.")
    outlet = None
    if host:
        outlet = Outlet.objects.filter(website__icontains=host).order_by("-audience", "pk").first()
    return {
        "url": page.canonical_url or url,
        "title": page.title,
        "author": page.author,
        "published_at": page.published.isoformat() if page.published else "",
        "outlet_id": outlet.pk if outlet else "",
        "outlet_name": "" if outlet else page.site_name,
        "summary": page.description,
    }


# --- The agency's settings: advertising value equivalence ------------------------------


@transaction.atomic
def save_settings(actor: User | None, data: Mapping[str, Any]) -> CoverageSettings:
    """Switch advertising value equivalence on or off and set its rates
    (€ per thousand of audience, per medium); directors only, audited."""
    require(actor, Cap.MANAGE_AGENCY)
    row = CoverageSettings.current()
    errors: dict[str, str] = {}
    rates: dict[str, float] = {}
    for medium in Medium.values:
        raw = str(data.get(f"rate_{medium}") or "").strip().replace(",", ".")
        if not raw:
            continue
        try:
            value = float(raw)
        except ValueError:
            errors[f"rate_{medium}"] = _("A number of euros, like 12.5.")
            continue
        if not 0 <= value <= 100_000:
            errors[f"rate_{medium}"] = _("Between 0 and 100,000 euros per thousand.")
            continue
        rates[medium] = value
    enabled = str(data.get("ave_enabled") or "").lower() in ("1", "true", "on", "yes")
    if enabled and not rates:
        errors["ave_enabled"] = _("Give the rate of at least one medium first.")
    if errors:
        raise ValidationError(errors)
    before = {"ave_enabled": row.ave_enabled, "ave_rates": row.ave_rates}
    row.ave_enabled, row.ave_rates = enabled, rates
    row.save(update_fields=["ave_enabled", "ave_rates", "updated_at"])
    changes = audit.diff(before, {"ave_enabled": enabled, "ave_rates": rates})
    if changes:
        audit.record(actor, "update", row, changes=changes)
    return row


def ave(items: Iterable[CoverageItem], row: CoverageSettings | None = None) -> float | None:
    """The advertising value equivalent of `items`, or None when the agency
    has not switched it on."""
    row = row or CoverageSettings.current()
    if not row.ave_enabled:
        return None
    rates = row.ave_rates or {}
    return round(sum(i.audience / 1000 * float(rates.get(i.medium, 0)) for i in items), 2)
