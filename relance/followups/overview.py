"""The follow-ups overview for account managers and the director: per active
campaign what is planned, in hand and done and what it gave (by channel and
by caller); per caller today's load against their daily capacity; across
the agency, the journalists most called this week, all clients together.

Read only, and a fixed number of queries whatever the number of campaigns,
callers or journalists (each figure is one grouped query), so the page
stays fast in a busy week.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import Count, Max, Q
from django.utils import timezone

from relance.accounts.models import Role, User
from relance.accounts.permissions import Cap, require
from relance.campaigns.models import Campaign
from relance.contacts.models import Channel, Contact
from relance.followups import services
from relance.followups.models import FollowUp, FollowUpState
from relance.interactions.models import Interaction, Outcome

TOP_SOLICITED = 20
WEEK = timedelta(days=7)
# Who shows on the load table even with nothing today: those whose job is
# the calls (a director shows when they have calls).
CALLER_ROLES = frozenset({Role.PRESS_OFFICER, Role.INTERN, Role.MANAGER})


def outcome_label(code: str) -> str:
    labels = dict(Outcome.choices)
    return str(labels.get(code, code or "—"))


def channel_label(code: str) -> str:
    return str(dict(Channel.choices).get(code, code))


def user_name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@dataclass
class CampaignLine:
    campaign: Campaign
    planned: int = 0
    in_progress: int = 0
    done: int = 0
    # label -> outcome label -> count
    by_channel: dict[str, dict[str, int]] = field(default_factory=dict)
    by_caller: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.planned + self.in_progress + self.done


@dataclass
class CallerLoad:
    user: User
    planned: int = 0  # phone follow-ups of today still to make (planned or in hand)
    done: int = 0  # phone follow-ups done today

    @property
    def name(self) -> str:
        return user_name(self.user)

    @property
    def capacity(self) -> int:
        return self.user.daily_call_capacity

    @property
    def load(self) -> int:
        return self.planned + self.done

    @property
    def over(self) -> bool:
        return self.load > self.capacity

    @property
    def percent(self) -> int:
        if not self.capacity:
            return 100 if self.load else 0
        return min(100, round(100 * self.load / self.capacity))


@dataclass
class Solicited:
    contact_id: int
    name: str
    outlet: str
    calls: int
    last_call: datetime | None
    clients: list[str]
    at_cap: bool


@dataclass
class Overview:
    day: date
    campaigns: list[CampaignLine]
    callers: list[CallerLoad]
    solicited: list[Solicited]
    calls_per_period: int


def _nested(rows: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    return {
        key: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for key, values in sorted(rows.items())
    }


def overview(actor: User | None, now: datetime | None = None) -> Overview:
    require(actor, Cap.EDIT_ALL_CAMPAIGNS)
    assert actor is not None
    now = now or timezone.now()
    day = timezone.localtime(now).date()
    start, end = services.day_bounds(day, actor)

    campaigns = list(
        services.active_campaigns(now).select_related("client").order_by("-sent_at", "-id")
    )
    lines = {c.pk: CampaignLine(c) for c in campaigns}
    ids = list(lines)
    for campaign_id, state, count in (
        FollowUp.objects.filter(campaign_id__in=ids)
        .order_by()
        .values_list("campaign_id", "state")
        .annotate(n=Count("id"))
    ):
        line = lines[campaign_id]
        if state == FollowUpState.PLANNED:
            line.planned = count
        elif state == FollowUpState.CLAIMED:
            line.in_progress = count
        else:
            line.done = count
    done_rows = list(
        FollowUp.objects.filter(campaign_id__in=ids, state=FollowUpState.DONE)
        .order_by()
        .values_list("campaign_id", "channel", "claimed_by_id", "assignee_id", "outcome")
        .annotate(n=Count("id"))
    )

    # Today's calls: what is still to be made and what was made.
    planned_today = dict(
        FollowUp.objects.filter(
            state__in=services.OPEN,
            channel=Channel.PHONE,
            window_start__lt=end,
            window_end__gte=start,
            assignee__isnull=False,
        )
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("id"))
    )
    done_today = dict(
        FollowUp.objects.filter(
            state=FollowUpState.DONE,
            channel=Channel.PHONE,
            done_at__gte=start,
            done_at__lt=end,
            claimed_by__isnull=False,
        )
        .order_by()
        .values_list("claimed_by_id")
        .annotate(n=Count("id"))
    )
    wanted = {r[2] or r[3] for r in done_rows} | set(planned_today) | set(done_today)
    wanted.discard(None)
    users = {
        u.pk: u
        for u in User.objects.filter(
            Q(is_active=True, role__in=[r for r in Role.values if r != Role.CLIENT_VIEWER])
            | Q(pk__in=wanted)
        )
    }
    for campaign_id, channel, claimed_by, assignee, outcome, count in done_rows:
        line = lines[campaign_id]
        label = outcome_label(outcome)
        by_channel = line.by_channel.setdefault(channel_label(channel), {})
        by_channel[label] = by_channel.get(label, 0) + count
        who = user_name(users.get(claimed_by or assignee or 0))
        by_caller = line.by_caller.setdefault(who, {})
        by_caller[label] = by_caller.get(label, 0) + count
    for line in lines.values():
        line.by_channel = _nested(line.by_channel)
        line.by_caller = _nested(line.by_caller)

    callers = [
        CallerLoad(u, planned_today.get(u.pk, 0), done_today.get(u.pk, 0))
        for u in users.values()
        if u.is_active
        and u.role != Role.CLIENT_VIEWER
        and (u.pk in planned_today or u.pk in done_today or u.role in CALLER_ROLES)
    ]
    callers.sort(key=lambda c: (-c.load, c.name.casefold()))

    policy = services.current_policy()
    return Overview(
        day=day,
        campaigns=list(lines.values()),
        callers=callers,
        solicited=most_solicited(now, policy.calls_per_period),
        calls_per_period=policy.calls_per_period,
    )


def most_solicited(now: datetime, cap: int, limit: int = TOP_SOLICITED) -> list[Solicited]:
    """The journalists the agency called most in the last seven days, every
    client together (three queries)."""
    calls = Interaction.objects.filter(
        channel="phone", direction="out", at__gte=now - WEEK, contact__erased_at__isnull=True
    )
    top = list(
        calls.order_by()
        .values("contact_id")
        .annotate(n=Count("id"), last=Max("at"))
        .order_by("-n", "-last", "contact_id")[:limit]
    )
    if not top:
        return []
    top_ids = [row["contact_id"] for row in top]
    contacts = {
        c.pk: c
        for c in Contact.objects.filter(pk__in=top_ids)
        .select_related("outlet")
        .only("pk", "first_name", "last_name", "outlet__name")
    }
    clients: dict[int, set[str]] = defaultdict(set)
    for contact_id, client in (
        calls.filter(contact_id__in=top_ids, campaign__isnull=False)
        .order_by()
        .values_list("contact_id", "campaign__client__name")
        .distinct()
    ):
        clients[contact_id].add(client)
    out = []
    for row in top:
        contact = contacts.get(row["contact_id"])
        if contact is None:
            continue
        out.append(
            Solicited(
                contact_id=contact.pk,
                name=contact.full_name,
                outlet=contact.outlet.name if contact.outlet else "",
                calls=row["n"],
                last_call=row["last"],
                clients=sorted(clients.get(contact.pk, set()), key=str.casefold),
                at_cap=row["n"] >= cap,
            )
        )
    return out
