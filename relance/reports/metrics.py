"""What was done and what came of it, for a campaign or a client over a
period: the figures of the report, each with its definition (shown next to
it, so a client reads "potential reach" as potential).

Only confirmed coverage counts. Everything is read in a fixed number of
aggregate queries, whatever the number of items.
"""

from __future__ import annotations

import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.campaigns.models import Campaign, Recipient, RecipientState, Rsvp
from relance.contacts.models import OutletKind, Periodicity
from relance.coverage.models import CoverageItem, CoverageStatus, Medium, Tone
from relance.followups.models import FollowUp, FollowUpState
from relance.interactions.models import Outcome


@dataclass(slots=True)
class Figure:
    """One number of the report and what it means."""

    key: str
    label: str
    value: float | int | None
    definition: str
    unit: str = ""  # "", "%", "days"


@dataclass(slots=True)
class Effort:
    recipients: int = 0
    sent: int = 0
    opened: int = 0
    replied: int = 0
    bounced: int = 0
    followups_by_channel: dict[str, int] = field(default_factory=dict)
    outcomes: dict[str, int] = field(default_factory=dict)
    rsvp_yes: int = 0
    attended: int = 0


@dataclass(slots=True)
class Results:
    items: list[CoverageItem]
    count: int = 0
    reach: int = 0
    outlets: int = 0
    journalists: int = 0
    target_share: float | None = None  # share of recipients who covered
    by_kind: dict[str, int] = field(default_factory=dict)
    by_periodicity: dict[str, int] = field(default_factory=dict)
    by_medium: dict[str, int] = field(default_factory=dict)
    tone: dict[str, int] = field(default_factory=dict)
    per_day: list[tuple[date, int]] = field(default_factory=list)
    reach_by_outlet: list[tuple[str, int]] = field(default_factory=list)
    days_to_coverage: float | None = None  # median, from the send
    messages: list[tuple[str, int]] = field(default_factory=list)  # pull-through


@dataclass(slots=True)
class Metrics:
    title: str
    start: date | None
    end: date | None
    effort: Effort
    results: Results
    figures: list[Figure]


def confirmed(qs: QuerySet[CoverageItem]) -> QuerySet[CoverageItem]:
    return (
        qs.filter(status=CoverageStatus.CONFIRMED)
        .select_related("outlet", "contact")
        .prefetch_related("contact__beats")
    )


def for_campaign(campaign: Campaign) -> Metrics:
    items = confirmed(CoverageItem.objects.filter(campaign=campaign))
    recipients = Recipient.objects.filter(campaign=campaign)
    effort = _effort(recipients, FollowUp.objects.filter(campaign=campaign))
    results = _results(list(items.order_by("published_at", "pk")), campaign.key_messages or [])
    sent_contacts = set(
        recipients.filter(sent_at__isnull=False).values_list("contact_id", flat=True)
    )
    if sent_contacts:
        covered = {i.contact_id for i in results.items if i.contact_id in sent_contacts}
        results.target_share = len(covered) / len(sent_contacts)
    if campaign.sent_at:
        delays = [
            (i.published_at - campaign.sent_at).total_seconds() / 86400
            for i in results.items
            if i.published_at >= campaign.sent_at
        ]
        results.days_to_coverage = statistics.median(delays) if delays else None
    start = timezone.localdate(campaign.sent_at) if campaign.sent_at else None
    end = max((timezone.localdate(i.published_at) for i in results.items), default=start)
    return Metrics(campaign.title, start, end, effort, results, figures(effort, results))


def for_client(client_id: int, start: date, end: date) -> Metrics:
    """A client's period: the campaigns sent in it and every confirmed item
    published in it (campaign or not)."""
    lo = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    hi = timezone.make_aware(datetime.combine(end, datetime.max.time()))
    campaigns = Campaign.objects.filter(client_id=client_id, sent_at__range=(lo, hi))
    items = confirmed(
        CoverageItem.objects.filter(client_id=client_id, published_at__range=(lo, hi))
    )
    effort = _effort(
        Recipient.objects.filter(campaign__in=campaigns),
        FollowUp.objects.filter(campaign__in=campaigns),
    )
    messages = [m for c in campaigns for m in c.key_messages or []]
    results = _results(list(items.order_by("published_at", "pk")), list(dict.fromkeys(messages)))
    return Metrics("", start, end, effort, results, figures(effort, results))


def _effort(recipients: QuerySet[Recipient], followups: QuerySet[FollowUp]) -> Effort:
    counts = recipients.aggregate(
        recipients=Count("pk"),
        sent=Count("pk", filter=Q(sent_at__isnull=False) & ~Q(state=RecipientState.BOUNCED)),
        opened=Count("pk", filter=Q(opened_at__isnull=False)),
        replied=Count("pk", filter=Q(replied_at__isnull=False)),
        bounced=Count("pk", filter=Q(state=RecipientState.BOUNCED)),
        rsvp_yes=Count("pk", filter=Q(rsvp=Rsvp.YES)),
        attended=Count("pk", filter=Q(attended_at__isnull=False)),
    )
    done = followups.filter(state=FollowUpState.DONE)
    by_channel = dict(
        done.order_by().values_list("channel").annotate(n=Count("pk")).values_list("channel", "n")
    )
    outcomes = dict(
        done.exclude(outcome="")
        .order_by()
        .values_list("outcome")
        .annotate(n=Count("pk"))
        .values_list("outcome", "n")
    )
    return Effort(followups_by_channel=by_channel, outcomes=outcomes, **counts)


def _results(items: list[CoverageItem], key_messages: list[str]) -> Results:
    out = Results(items=items, count=len(items))
    out.reach = sum(i.audience for i in items)
    out.outlets = len({i.outlet_id or i.outlet_name for i in items})
    out.journalists = len({i.contact_id for i in items if i.contact_id})
    kinds: Counter[str] = Counter()
    periodicity: Counter[str] = Counter()
    for i in items:
        kinds[i.outlet.kind if i.outlet else ""] += 1
        periodicity[i.outlet.periodicity if i.outlet else ""] += 1
    kind_labels = dict(OutletKind.choices)
    out.by_kind = {
        str(kind_labels.get(k, _("Not in the media database"))): n for k, n in kinds.most_common()
    }
    periodicity_labels = dict(Periodicity.choices)
    out.by_periodicity = {
        str(periodicity_labels.get(k, _("Unknown"))): n for k, n in periodicity.most_common()
    }
    medium_labels = dict(Medium.choices)
    out.by_medium = {
        str(medium_labels.get(k, k)): n for k, n in Counter(i.medium for i in items).most_common()
    }
    tones = Counter(i.tone for i in items if i.tone)
    out.tone = {value: tones.get(value, 0) for value in Tone.values}
    days = Counter(timezone.localdate(i.published_at) for i in items)
    out.per_day = sorted(days.items())
    reach: Counter[str] = Counter()
    for i in items:
        reach[i.outlet_label or "—"] += i.audience
    out.reach_by_outlet = reach.most_common()
    out.messages = [(m, sum(1 for i in items if m in (i.key_messages or []))) for m in key_messages]
    return out


def _share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def figures(effort: Effort, results: Results) -> list[Figure]:
    """The headline numbers, each defined in the reader's language; the
    advertising value equivalent only if the agency switched it on."""
    from relance.coverage.items import ave

    value = ave(results.items)
    extra = []
    if value is not None:
        extra.append(
            Figure(
                "ave",
                _("Advertising value equivalent (contested)"),
                round(value),
                _(
                    "What the same space would have cost as advertising, at the agency's rates "
                    "per thousand of audience: a contested measure, which says nothing of what "
                    "readers took from the coverage."
                ),
                "€",
            )
        )
    return _figures(effort, results) + extra


def _figures(effort: Effort, results: Results) -> list[Figure]:
    calls = effort.followups_by_channel.get("phone", 0)
    reached = sum(
        effort.outcomes.get(o, 0)
        for o in (Outcome.INTERESTED, Outcome.WILL_ATTEND, Outcome.DECLINED, Outcome.SEND_MATERIAL)
    )
    return [
        Figure(
            "coverage",
            _("Coverage"),
            results.count,
            _("Articles, clippings and segments confirmed by the team."),
        ),
        Figure(
            "reach",
            _("Potential reach"),
            results.reach,
            _(
                "The sum of the stated audiences of the outlets that ran them: how many people "
                "could have seen them, not how many did."
            ),
        ),
        Figure(
            "outlets",
            _("Outlets"),
            results.outlets,
            _("Different outlets that ran coverage."),
        ),
        Figure(
            "target_share",
            _("Targeted journalists who covered"),
            None if results.target_share is None else round(100 * results.target_share, 1),
            _(
                "Journalists who received the release and signed coverage of it, out of all "
                "who received it."
            ),
            "%",
        ),
        Figure(
            "days",
            _("Time to coverage"),
            None if results.days_to_coverage is None else round(results.days_to_coverage, 1),
            _("Median time from the send to publication."),
            "days",
        ),
        Figure(
            "sent",
            _("Messages sent"),
            effort.sent,
            _("Releases or invitations delivered to a journalist's mailbox, bounces excluded."),
        ),
        Figure(
            "opened",
            _("Opened (approximate)"),
            _share(effort.opened, effort.sent),
            _(
                "Share of messages opened, as far as tracking can tell: images blocked and "
                "privacy proxies hide some opens and invent others."
            ),
            "%",
        ),
        Figure(
            "replied",
            _("Replies"),
            effort.replied,
            _("Journalists who answered the message."),
        ),
        Figure(
            "calls",
            _("Follow-up calls"),
            calls,
            _(
                "Calls made from the call desk; %(reached)s reached someone (interested, "
                "declined, asked for material or said they would come)."
            )
            % {"reached": reached},
        ),
    ]


def share_of_voice(client_id: int, start: date, end: date) -> list[tuple[str, int]]:
    """Monitored articles published between `start` and `end` naming the
    client (its name or brands) and each named competitor: one article
    counts once per name, a syndicated copy once more (each outlet ran it)."""
    from relance.accounts.models import Client
    from relance.coverage.matching import Matcher, Watch
    from relance.coverage.models import Article

    client = Client.objects.get(pk=client_id)
    ours = [client.name, *(client.brands or [])]
    rivals = list(client.competitors or [])
    if not rivals:
        return []
    # One watch per party: the matcher says which parties an article names.
    watches = [Watch(0, client.pk, tuple(("client", n) for n in ours))]
    watches += [Watch(i + 1, client.pk, (("client", name),)) for i, name in enumerate(rivals)]
    matcher = Matcher(watches)
    lo = timezone.make_aware(datetime.combine(start, datetime.min.time()))
    hi = timezone.make_aware(datetime.combine(end, datetime.max.time()))
    counts = Counter[int]()
    articles = Article.objects.filter(published_at__range=(lo, hi)).values_list("title", "text")
    for title, text in articles.iterator(chunk_size=500):
        for found in matcher.match(title, text, threshold=0):
            counts[found.campaign_id] += 1
    return [(client.name, counts[0])] + [(name, counts[i + 1]) for i, name in enumerate(rivals)]
