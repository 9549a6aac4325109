"""The campaign report: cover, plain-language summary, effort, results,
coverage list, charts, learnings and next steps, in the client's language
and the agency's colours; HTML for the page and the file, PDF through
WeasyPrint (the charts are SVG drawn on the server, so they are in both).

`relance report CAMPAIGN --format html|pdf --output FILE`, the campaign's
Report page and the client portal all call `campaign_html` / `campaign_pdf`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relance.accounts.models import Agency, Client
from relance.campaigns.models import Campaign, Recipient
from relance.contacts.models import Channel
from relance.coverage.models import Article, CoverageItem
from relance.interactions.models import Outcome
from relance.lib.gcpause import no_gc_pauses
from relance.reports import charts, metrics
from relance.reports.labels import number


@dataclass(slots=True)
class Learning:
    """Who did what with the campaign, by name."""

    covered: list[tuple[str, str, int]]  # (journalist or outlet, outlet, pieces)
    responded: list[tuple[str, str]]  # answered without coverage yet
    declined: list[tuple[str, str]]
    beats: list[tuple[str, int]]  # beats of those who covered
    angles: list[tuple[str, int]]  # key messages taken up
    # The news context: what else the outlets that covered it published
    # that day, from the monitoring: (outlet, day, [titles]).
    context: list[tuple[str, date, list[str]]] = field(default_factory=list)


def _who(item: CoverageItem) -> str:
    return item.contact.full_name if item.contact else (item.author or item.outlet_label)


def learnings(campaign: Campaign, m: metrics.Metrics) -> Learning:
    items = m.results.items
    pieces: Counter[tuple[str, str]] = Counter((_who(i), i.outlet_label) for i in items)
    covered_ids = {i.contact_id for i in items if i.contact_id}
    rows = (
        Recipient.objects.filter(campaign=campaign)
        .exclude(contact_id__in=covered_ids)
        .select_related("contact__outlet")
        .order_by("contact__last_name", "contact__first_name")
    )
    declined_ids = set(
        campaign.interactions.filter(outcome__in=[Outcome.DECLINED, Outcome.RSVP_NO]).values_list(
            "contact_id", flat=True
        )
    )
    responded, declined = [], []
    for r in rows:
        outlet = r.contact.outlet.name if r.contact.outlet else ""
        if r.contact_id in declined_ids or r.rsvp == "no":
            declined.append((r.contact.full_name, outlet))
        elif r.replied_at or r.rsvp in ("yes", "maybe"):
            responded.append((r.contact.full_name, outlet))
    beats: Counter[str] = Counter()
    for i in items:
        if i.contact is not None:
            beats.update(b.name for b in i.contact.beats.all())
    return Learning(
        context=news_context(items),
        covered=[(who, outlet, n) for (who, outlet), n in pieces.most_common()],
        responded=responded[:20],
        declined=declined[:20],
        beats=beats.most_common(6),
        angles=[(msg, n) for msg, n in m.results.messages if n],
    )


CONTEXT_DAYS = 8
CONTEXT_TITLES = 4


def news_context(items: list[CoverageItem]) -> list[tuple[str, date, list[str]]]:
    """What else the outlets that ran the coverage published the same day,
    as monitoring saw it (one query): the competition for their pages."""
    days: dict[tuple[int, date], str] = {}
    for i in items:
        if i.outlet_id and i.outlet is not None:
            days.setdefault((i.outlet_id, timezone.localdate(i.published_at)), i.outlet.name)
    if not days:
        return []
    ours = {i.article_id for i in items if i.article_id}
    wanted = sorted(days, key=lambda k: (k[1], days[k]))[:CONTEXT_DAYS]
    dates = sorted({d for _, d in wanted})
    other: dict[tuple[int, date], list[str]] = {}
    rows = (
        Article.objects.filter(
            outlet_id__in={o for o, _ in wanted},
            published_at__date__range=(dates[0], dates[-1]),
            duplicate_of__isnull=True,
        )
        .exclude(pk__in=ours)
        .order_by("published_at", "pk")
        .values_list("outlet_id", "published_at", "title")
    )
    for outlet_id, published, title in rows:
        key = (outlet_id, timezone.localdate(published))
        if key in days and title and len(other.setdefault(key, [])) < CONTEXT_TITLES:
            other[key].append(title)
    return [(days[k], k[1], other[k]) for k in wanted if other.get(k)]


def summary(campaign: Campaign, m: metrics.Metrics) -> str:
    """The report's first paragraph, in plain words."""
    r, e = m.results, m.effort
    if not r.count:
        return _(
            "%(sent)s journalists received “%(title)s”. No coverage has been confirmed yet; "
            "monitoring goes on for 90 days after the send."
        ) % {"sent": number(e.sent), "title": campaign.title}
    text = ngettext(
        "“%(title)s” reached %(sent)s journalists and gave %(count)s piece of coverage in "
        "%(outlets)s outlets, for a potential audience of %(reach)s.",
        "“%(title)s” reached %(sent)s journalists and gave %(count)s pieces of coverage in "
        "%(outlets)s outlets, for a potential audience of %(reach)s.",
        r.count,
    ) % {
        "title": campaign.title,
        "sent": number(e.sent),
        "count": number(r.count),
        "outlets": number(r.outlets),
        "reach": number(r.reach),
    }
    positive = r.tone.get("positive", 0)
    if positive:
        text += " " + ngettext(
            "%(n)s of them is positive.", "%(n)s of them are positive.", positive
        ) % {"n": number(positive)}
    taken = [msg for msg, n in r.messages if n]
    if taken:
        text += " " + _("The key message most taken up: “%(msg)s”.") % {
            "msg": max(r.messages, key=lambda x: x[1])[0]
        }
    return text


def next_steps(campaign: Campaign, m: metrics.Metrics, learned: Learning) -> list[str]:
    steps = []
    if learned.responded:
        steps.append(
            ngettext(
                "%(n)s journalist answered without publishing yet: send them the material "
                "they asked for and offer an interview.",
                "%(n)s journalists answered without publishing yet: send them the material "
                "they asked for and offer an interview.",
                len(learned.responded),
            )
            % {"n": len(learned.responded)}
        )
    missing = [msg for msg, n in m.results.messages if not n]
    if missing:
        steps.append(
            _("Not taken up yet: “%(msg)s”. Lead with it in interviews and the next release.")
            % {"msg": missing[0]}
        )
    if learned.covered:
        steps.append(
            _(
                "Thank those who covered it and keep them informed first next time: they rank "
                "higher in the next targeting on this subject."
            )
        )
    if not m.results.count:
        steps.append(
            _("Follow up the outlets whose coverage is still expected (weeklies, monthlies).")
        )
    return steps


def campaign_context(campaign: Campaign) -> dict[str, Any]:
    m = metrics.for_campaign(campaign)
    _with_excerpts(m)
    learned = learnings(campaign, m)
    brand = campaign.client.primary_color or Agency.current().primary_color or None
    return {
        "campaign": campaign,
        "client": campaign.client,
        "agency": Agency.current(),
        "brand": brand or "#1d4ed8",
        "metrics": m,
        "summary": summary(campaign, m),
        "learnings": learned,
        "next_steps": next_steps(campaign, m, learned),
        "followups": _followups(m),
        "outcomes": _outcomes(m),
        "generated": timezone.localtime(),
        "charts": _charts(m, brand),
        "ave_shown": any(f.key == "ave" for f in m.figures),
    }


EXCERPT_CHARS = 240


def excerpt(item: CoverageItem) -> list[tuple[str, bool]]:
    """The first passage matching marked, cut to about two lines."""
    passages = (item.evidence or {}).get("passages") or []
    if not passages:
        return []
    out: list[tuple[str, bool]] = []
    room = EXCERPT_CHARS
    for text, marked in passages[-1].get("segments", []):
        if room <= 0:
            out.append(("…", False))
            break
        if len(text) > room and not marked:
            text = text[:room].rsplit(" ", 1)[0] + " …"
        out.append((text, bool(marked)))
        room -= len(text)
    return out


def _with_excerpts(m: metrics.Metrics) -> None:
    for item in m.results.items:
        item.excerpt = excerpt(item)  # type: ignore[attr-defined]


def _charts(m: metrics.Metrics, brand: str | None) -> dict[str, Any]:
    r = m.results
    return {
        "time": charts.line_or_bars_over_time(
            r.per_day, title=_("Coverage over time"), start=m.start, end=m.end, brand=brand
        ),
        "kind": charts.bars(
            list(r.by_kind.items()), title=_("Coverage by outlet kind"), brand=brand
        ),
        "tone": charts.tone_share(r.tone, title=_("Tone")),
        "reach": charts.bars(r.reach_by_outlet, title=_("Potential reach by outlet"), brand=brand),
    }


def client_context(client: Client, start: date, end: date) -> dict[str, Any]:
    """A client's period across campaigns: what was sent, what came of it,
    and the share of voice against the named competitors."""
    m = metrics.for_client(client.pk, start, end)
    _with_excerpts(m)
    brand = client.primary_color or Agency.current().primary_color or None
    campaigns = list(
        Campaign.objects.filter(client=client, sent_at__date__range=(start, end)).order_by(
            "sent_at"
        )
    )
    per_campaign = Counter(i.campaign_id for i in m.results.items)
    voice = metrics.share_of_voice(client.pk, start, end)
    context: dict[str, Any] = {
        "client": client,
        "agency": Agency.current(),
        "brand": brand or "#1d4ed8",
        "metrics": m,
        "period": (start, end),
        "campaigns": [(c, per_campaign.get(c.pk, 0)) for c in campaigns],
        "summary": period_summary(client, m, len(campaigns)),
        "generated": timezone.localtime(),
        "charts": _charts(m, brand),
        "followups": _followups(m),
        "outcomes": _outcomes(m),
        "ave_shown": any(f.key == "ave" for f in m.figures),
    }
    if voice:
        context["charts"]["voice"] = charts.bars(
            voice, title=_("Share of voice: articles naming each"), brand=brand, sort=False
        )
    return context


def period_summary(client: Client, m: metrics.Metrics, campaigns: int) -> str:
    r = m.results
    return ngettext(
        "%(campaigns)s campaign sent; %(count)s pieces of coverage confirmed in %(outlets)s "
        "outlets, for a potential audience of %(reach)s.",
        "%(campaigns)s campaigns sent; %(count)s pieces of coverage confirmed in %(outlets)s "
        "outlets, for a potential audience of %(reach)s.",
        campaigns,
    ) % {
        "campaigns": number(campaigns),
        "count": number(r.count),
        "outlets": number(r.outlets),
        "reach": number(r.reach),
    }


def _outcomes(m: metrics.Metrics) -> list[tuple[str, int]]:
    labels = dict(Outcome.choices)
    done = sorted(m.effort.outcomes.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(str(labels.get(k, k)), n) for k, n in done]


def _followups(m: metrics.Metrics) -> list[tuple[str, int]]:
    labels = dict(Channel.choices)
    return [(str(labels.get(k, k)), n) for k, n in sorted(m.effort.followups_by_channel.items())]


def client_html(client: Client, start: date, end: date, *, for_pdf: bool = False) -> str:
    with translation.override(client.language or settings.LANGUAGE_CODE):
        context = client_context(client, start, end)
        context["for_pdf"] = for_pdf
        return render_to_string("reports/client.html", context)


def client_pdf(client: Client, start: date, end: date) -> bytes:
    return _pdf(client_html(client, start, end, for_pdf=True))


def _pdf(html: str) -> bytes:
    from weasyprint import HTML

    # Layout makes ~10^6 objects: collections would cost a second.
    with no_gc_pauses():
        return HTML(string=html).write_pdf()


def campaign_html(campaign: Campaign, *, for_pdf: bool = False) -> str:
    """The report as a standalone HTML document, in the client's language."""
    with translation.override(campaign.client.language or settings.LANGUAGE_CODE):
        context = campaign_context(campaign)
        context["for_pdf"] = for_pdf
        return render_to_string("reports/campaign.html", context)


def campaign_pdf(campaign: Campaign) -> bytes:
    return _pdf(campaign_html(campaign, for_pdf=True))
