"""Loading what the planner needs, in a fixed number of bulk queries.

Every query here is per campaign, never per recipient: the cost of a plan
grows with the rows read, not with round trips (docs/performance.md,
"Follow-up plan"). Recipients are joined rather than listed, so that a
10,000-recipient campaign does not send 10,000 parameters.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from relance.accounts.models import Role, User
from relance.campaigns.models import Campaign, Recipient, RecipientState
from relance.contacts.models import (
    Contact,
    ContactEmail,
    ContactPhone,
    ContactRole,
    EmailStatus,
    Relationship,
)
from relance.coverage.models import CoverageItem, CoverageStatus
from relance.followups.models import FollowUp, FollowUpState
from relance.followups.planner import (
    CampaignFacts,
    Claimed,
    ContactFacts,
    Facts,
    OutletFacts,
    RecipientFacts,
    Touch,
    UserFacts,
)
from relance.followups.policy import Hours, Policy
from relance.interactions.models import SYSTEM_OUTCOMES, Interaction, Outcome

# Callers of the pool when a campaign names no team: those whose job is
# calling. Managers and directors call the contacts they know or the VIPs.
POOL_ROLES = (Role.PRESS_OFFICER, Role.INTERN)
CALLER_ROLES = (Role.DIRECTOR, Role.MANAGER, Role.PRESS_OFFICER, Role.INTERN)
POSITIVE = (
    Outcome.REPLIED,
    Outcome.INTERESTED,
    Outcome.WILL_ATTEND,
    Outcome.SEND_MATERIAL,
    Outcome.RSVP_YES,
)
OPEN_STATES = (FollowUpState.PLANNED, FollowUpState.CLAIMED)


# The columns of a contact the planner reads, in ContactFacts' order.
CONTACT_FIELDS = (
    "id",
    "first_name",
    "last_name",
    "role",
    "outlet_id",
    "show_id",
    "vip",
    "opted_out",
    "do_not_contact",
    "paused_until",
    "accepts_phone",
    "preferred_channel",
    "best_hours",
    "social",
)


CONTACT_COLUMNS = (*CONTACT_FIELDS, "has_phone", "has_email", "has_good_email")
# The columns of an outlet the planner reads, in OutletFacts' order.
OUTLET_FIELDS = (
    "id",
    "name",
    "kind",
    "periodicity",
    "timezone",
    "country",
    "region",
    "audience",
    "tier",
    "closing_weekday",
    "lead_time_days",
)


@lru_cache(maxsize=1024)
def _hours(text: str) -> tuple[Hours, ...]:
    out = []
    for part in (text or "").split(","):
        try:
            out.append(Hours.parse(part.strip()))
        except ValueError:
            continue  # old free text: the rule's hours apply
    return tuple(out)


def _contact_rows(contacts: QuerySet[Contact], *more: str) -> list[tuple[Any, ...]]:
    """CONTACT_COLUMNS (CONTACT_FIELDS, then whether the contact has a
    phone, an address, and an address that has not bounced), then `more`.
    Phones and addresses are asked per contact through their (contact, …)
    indexes: a semi-join on the recipients would read the whole table."""
    phones = ContactPhone.objects.filter(contact=OuterRef("pk"))
    emails = ContactEmail.objects.filter(contact=OuterRef("pk"))
    return list(
        contacts.annotate(
            has_phone=Exists(phones),
            has_email=Exists(emails),
            has_good_email=Exists(emails.exclude(status=EmailStatus.BOUNCED)),
        ).values_list(*CONTACT_COLUMNS, *more)
    )


def _add_load(load: dict[tuple[int, Any], int], calls: QuerySet[FollowUp]) -> None:
    """Count `calls` per caller and local day of the outlet. Counted in SQL
    per (caller, start, time zone): calls share a few slots, so a plan of
    6,000 calls comes back as a few hundred rows."""
    for user_id, start, tz, n in (
        calls.order_by()
        .values_list("assignee_id", "window_start", "contact__outlet__timezone")
        .annotate(n=Count("id"))
    ):
        load[(user_id, start.astimezone(ZoneInfo(tz or "Europe/Paris")).date())] += n


def _name(first: str, last: str) -> str:
    return f"{first} {last}".strip()


def load(
    campaign: Campaign, policy: Policy, at: datetime, *, only: set[int] | None = None
) -> Facts:
    """The facts of `campaign` at `at`; with `only`, of those contacts,
    the rest of the campaign's plan as it stands (its outlets taken, its
    callers' load), for re-planning one contact after an outcome."""
    # Everything is "of the campaign's recipients": a semi-join on the
    # recipients (IN (SELECT contact_id …)), narrowed to `only` when
    # re-planning a few contacts; never a list of 10,000 ids.
    recipient_rows = Recipient.objects.filter(campaign=campaign)
    if only is not None:
        recipient_rows = recipient_rows.filter(contact_id__in=only)
    ids = recipient_rows.values("contact_id")
    in_campaign = Q(id__in=ids)
    mine = Q(contact_id__in=ids)
    sent_states = (RecipientState.SENT, RecipientState.BOUNCED)
    # Tuples, not dicts: at 10,000 recipients the reading is most of the cost.
    recipients = [
        RecipientFacts(
            contact_id,
            sent_at if state in sent_states else None,
            state,
            opens,
            clicked,
            replied_at,
            state == RecipientState.BOUNCED or bounced,
            rsvp,
            score,
        )
        for (
            contact_id,
            state,
            sent_at,
            opens,
            clicked,
            replied_at,
            bounced,
            rsvp,
            score,
        ) in recipient_rows.annotate(
            clicked=ExpressionWrapper(Q(clicked_at__isnull=False), BooleanField()),
            bounced=ExpressionWrapper(Q(bounced_at__isnull=False), BooleanField()),
        ).values_list(
            "contact_id",
            "state",
            "sent_at",
            "opens",
            "clicked",
            "replied_at",
            "bounced",
            "rsvp",
            "score",
        )
    ]
    rows = _contact_rows(
        Contact.objects.filter(in_campaign, erased_at__isnull=True).order_by(),
        *(f"outlet__{field}" for field in OUTLET_FIELDS),
    )
    # The outlets come with their contacts (a join per row is cheaper than
    # a second semi-join on the recipients).
    outlets: dict[int, OutletFacts] = {}
    for r in rows:
        o = r[len(CONTACT_COLUMNS) :]
        if o[0] is not None and o[0] not in outlets:
            outlets[o[0]] = OutletFacts(
                o[0],
                o[1],
                o[2],
                o[3],
                o[4] or "Europe/Paris",
                o[5] or "FR",
                o[6] or "",
                o[7] or 0,
                o[8],
                o[9],
                o[10],
            )
    # Hosts of TV and radio shows are reached through the desk or the
    # show's researcher: load those too, with their own preferences.
    broadcast = sorted(
        {
            r[4]
            for r in rows
            if r[3] == ContactRole.HOST
            and r[4] in outlets
            and outlets[r[4]].kind in ("tv", "radio")
        }
    )
    desk_rows: list[tuple[Any, ...]] = []
    if broadcast:
        desk_rows = _contact_rows(
            Contact.objects.filter(
                outlet_id__in=broadcast,
                role__in=(ContactRole.ASSIGNMENT_EDITOR, ContactRole.RESEARCHER),
                erased_at__isnull=True,
            ).order_by("id")
        )
    known = {r[0] for r in rows}
    extra = [r for r in desk_rows if r[0] not in known]
    extra_ids = [r[0] for r in extra]
    # Recipients, then the desks: two queries, not one with an OR.
    whose = [mine] + ([Q(contact_id__in=extra_ids)] if extra_ids else [])
    contacts = {}
    for (
        cid,
        first,
        last,
        role,
        outlet_id,
        show_id,
        vip,
        opted_out,
        do_not_contact,
        paused_until,
        accepts_phone,
        preferred,
        best_hours,
        social,
        has_phone,
        has_email,
        has_good_email,
    ) in [r[: len(CONTACT_COLUMNS)] for r in (*rows, *extra)]:
        contacts[cid] = ContactFacts(
            cid,
            f"{first} {last}".strip(),
            role,
            outlet_id,
            show_id,
            vip,
            opted_out,
            do_not_contact,
            paused_until,
            accepts_phone,
            has_phone,
            has_email,
            has_email and not has_good_email,
            preferred or "",
            bool(social),
            _hours(best_hours) if best_hours else (),
        )
    outlet_desks: dict[int, list[int]] = defaultdict(list)
    show_researchers: dict[int, list[int]] = defaultdict(list)
    for r in desk_rows:
        if r[3] == ContactRole.RESEARCHER and r[5]:
            show_researchers[r[5]].append(r[0])
        else:
            outlet_desks[r[4]].append(r[0])

    users = {
        u["id"]: UserFacts(u["id"], u["username"], u["role"], u["daily_call_capacity"])
        for u in User.objects.filter(is_active=True, role__in=CALLER_ROLES).values(
            "id", "username", "role", "daily_call_capacity"
        )
    }
    team = [uid for uid in campaign.team.values_list("id", flat=True) if uid in users]
    pool = sorted(uid for uid in team if users[uid].role in (Role.MANAGER, *POOL_ROLES)) or sorted(
        uid for uid, u in users.items() if u.role in POOL_ROLES
    )

    relationships: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for contact_id, user_id, strength in (
        Relationship.objects.filter(mine)
        # Strongest first: the planner takes the first who can.
        .order_by("contact_id", "-strength", "user_id")
        .values_list("contact_id", "user_id", "strength")
    ):
        relationships[contact_id].append((user_id, strength))

    # Calls agency-wide around `at`: what the caps count. Back, as far as a
    # past call can still block one: the period, or the spacing in working
    # days (two calendar days each covers weekends and holidays); ahead,
    # far enough for the calls other campaigns planned.
    horizon = timedelta(days=max(policy.call_period_days, 7) + 21)
    lookback = timedelta(days=max(policy.call_period_days, 2 * policy.days_between_calls + 2))
    calls: dict[int, list[datetime]] = defaultdict(list)
    for callee in whose:
        for contact_id, moment in (
            Interaction.objects.filter(
                callee,
                channel="phone",
                direction="out",
                at__gte=at - lookback,
                at__lte=at + horizon,
            )
            .order_by()
            .values_list("contact_id", "at")
        ):
            calls[contact_id].append(moment)
    other = FollowUp.objects.filter(state__in=OPEN_STATES, channel="phone").exclude(
        campaign=campaign
    )
    seen: set[int] = set()
    for who in [mine, Q(via_id__in=ids), *([Q(via_id__in=extra_ids)] if extra_ids else [])]:
        for pk, contact_id, via_id, start in other.filter(who).values_list(
            "pk", "contact_id", "via_id", "window_start"
        ):
            if pk not in seen:
                seen.add(pk)
                calls[via_id or contact_id].append(start)
    load: dict[tuple[int, object], int] = defaultdict(int)
    _add_load(
        load,
        other.filter(
            window_start__gte=at - timedelta(days=1),
            window_start__lte=at + horizon,
            assignee__isnull=False,
        ),
    )

    outlets_taken: dict[int, str] = {}
    if only is not None:
        # The rest of this campaign's plan stands: its calls load the
        # callers' days and hold their outlets.
        rest = FollowUp.objects.filter(campaign=campaign, state__in=OPEN_STATES).exclude(
            contact_id__in=only
        )
        # Outlets held: only those of the contacts re-planned matter; read
        # from their outlets' contacts, not from the campaign's whole plan.
        for outlet_id, first, last in (
            rest.filter(
                contact_id__in=Contact.objects.filter(outlet_id__in=list(outlets)).values("id")
            )
            .order_by()
            .values_list("contact__outlet_id", "contact__first_name", "contact__last_name")
        ):
            outlets_taken.setdefault(outlet_id, _name(first, last))
        # Callers' days: the planned calls (as many as capacities allow,
        # whatever the list's size).
        _add_load(load, rest.filter(channel="phone", assignee__isnull=False))
    touches: dict[int, list[Touch]] = defaultdict(list)
    campaign_touches = Interaction.objects.filter(campaign=campaign)
    if only is not None:
        campaign_touches = campaign_touches.filter(contact_id__in=only)
    for t in (
        campaign_touches.exclude(outcome__in=[o for o in SYSTEM_OUTCOMES])
        .order_by("at", "id")
        .values("contact_id", "at", "channel", "direction", "outcome", "details")
    ):
        back = (t["details"] or {}).get("call_back_at")
        touches[t["contact_id"]].append(
            Touch(
                at=t["at"],
                channel=t["channel"],
                direction=t["direction"],
                outcome=t["outcome"],
                call_back_at=datetime.fromisoformat(back) if back else None,
            )
        )
    written: dict[int, list[datetime]] = defaultdict(list)
    claimed: dict[int, Claimed] = {}
    own = FollowUp.objects.filter(campaign=campaign).exclude(state=FollowUpState.PLANNED)
    if only is not None:
        own = own.filter(contact_id__in=only)
    for f in own:
        if f.state == FollowUpState.DONE:
            if f.channel != "phone" and f.done_at:
                written[f.contact_id].append(f.done_at)
            continue
        claimed[f.contact_id] = Claimed(
            contact_id=f.contact_id,
            user_id=f.claimed_by_id or f.assignee_id,
            channel=f.channel,
            window_start=f.window_start,
            window_end=f.window_end,
            since=f.claimed_at or f.planned_at,
            via_id=f.via_id,
        )

    history: dict[int, tuple[int, int]] = {}
    warm: set[int] = set()
    past = (
        Recipient.objects.filter(mine, sent_at__isnull=False)
        .exclude(campaign=campaign)
        .values("contact_id")
        .annotate(
            pitches=Count("id"),
            answers=Count("id", filter=Q(replied_at__isnull=False) | ~Q(rsvp="")),
        )
        .values_list("contact_id", "pitches", "answers")
    )
    for contact_id, pitches, answers in past:
        history[contact_id] = (answers, pitches)
    for contact_id, campaigns in (
        Interaction.objects.filter(mine, outcome__in=POSITIVE)
        .exclude(campaign=campaign)
        .values("contact_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("contact_id", "n")
    ):
        warm.add(contact_id)
        answers, pitches = history.get(contact_id, (0, 0))
        history[contact_id] = (min(max(answers, campaigns), max(pitches, campaigns)), pitches)
    for contact_id, strengths in relationships.items():
        if any(s >= policy.relationship_strength for _, s in strengths):
            warm.add(contact_id)
    # Journalists who covered the agency's past campaigns (the learnings of
    # the coverage reports): ranked up and warm (planner).
    covered = dict(
        CoverageItem.objects.filter(mine, status=CoverageStatus.CONFIRMED, campaign__isnull=False)
        .exclude(campaign=campaign)
        .values("contact_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("contact_id", "n")
    )

    # Outlets that ran the agency's past campaigns. Counted over all the
    # confirmed coverage (an agency's is thousands of rows, not millions)
    # rather than over a list of every recipient's outlet.
    outlet_covered = {
        outlet_id: n
        for outlet_id, n in CoverageItem.objects.filter(
            status=CoverageStatus.CONFIRMED, campaign__isnull=False, outlet__isnull=False
        )
        .exclude(campaign=campaign)
        .values("outlet_id")
        .annotate(n=Count("campaign_id", distinct=True))
        .values_list("outlet_id", "n")
        if outlet_id in outlets
    }
    return Facts(
        campaign=CampaignFacts(
            id=campaign.pk,
            kind=campaign.kind,
            sent_at=campaign.sent_at,
            event_at=campaign.event_at,
            manager_id=campaign.manager_id if campaign.manager_id in users else None,
        ),
        recipients=recipients,
        contacts=contacts,
        outlets=outlets,
        users=users,
        pool=pool,
        relationships=dict(relationships),
        outlet_desks=dict(outlet_desks),
        show_researchers=dict(show_researchers),
        calls=dict(calls),
        touches=dict(touches),
        written=dict(written),
        claimed=claimed,
        load=dict(load),  # type: ignore[arg-type]
        history=history,
        covered=covered,
        outlet_covered=outlet_covered,
        warm=warm,
        outlets_taken=outlets_taken,
    )
