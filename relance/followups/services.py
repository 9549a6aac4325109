"""Follow-ups: computing and keeping the plan, claiming, logging outcomes.

* `compute(campaign, at)` loads the facts and runs the planner (pure core,
  relance.followups.planner); `plan_followups(actor, …)` is the same with
  the permission check, for the page, the API and the command.
* `sync` writes the planned rows the call desk works from (`FollowUp`),
  without touching what someone has in hand or has done.
* `claim` is atomic: of two people opening the same follow-up, one gets it.
* `record_outcome` logs the call (relance.interactions) and re-plans that
  contact and their outlet at once (DESIGN.md §5.9).

The journalist's current choices are checked again at claim time and when
the desk is read (`allowed_now`), so a "no calls" said on the preference
page a minute ago wins over a plan computed this morning.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Role, User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.campaigns.models import Campaign, Recipient
from relance.campaigns.services import visible_campaigns
from relance.contacts.models import Contact
from relance.followups import facts as facts_module
from relance.followups.models import FollowUp, FollowUpPolicy, FollowUpState
from relance.followups.planner import Facts, Plan, plan
from relance.followups.policy import Policy
from relance.interactions import services as interactions
from relance.interactions.models import Interaction, Outcome
from relance.lib.gcpause import no_gc_pauses

OPEN = (FollowUpState.PLANNED, FollowUpState.CLAIMED)
# A claim nobody closed (the caller went to lunch): others may take it over.
CLAIM_TIMEOUT = timedelta(minutes=45)
# The call desk's outcome buttons, in their order, with their keys.
CALL_OUTCOMES = [
    (Outcome.INTERESTED, "1"),
    (Outcome.WILL_ATTEND, "2"),
    (Outcome.DECLINED, "3"),
    (Outcome.SEND_MATERIAL, "4"),
    (Outcome.CALL_BACK, "5"),
    (Outcome.NO_ANSWER, "6"),
    (Outcome.WRONG_PERSON, "7"),
    (Outcome.STOP_CALLING, "8"),
]
EVENT_ONLY = {Outcome.WILL_ATTEND}


# --- Policy ---------------------------------------------------------------------------


def current_policy() -> Policy:
    row = FollowUpPolicy.objects.order_by("id").first()
    if row is None or not row.values:
        return Policy()
    try:
        return Policy.from_values(row.values)
    except ValidationError:  # a setting removed by an upgrade: defaults
        return Policy()


@transaction.atomic
def save_policy(actor: User | None, values: Mapping[str, Any]) -> Policy:
    """The director's choices; ValidationError names each wrong field."""
    require(actor, Cap.MANAGE_AGENCY)
    policy = Policy.from_values(dict(values))
    row = FollowUpPolicy.objects.select_for_update().order_by("id").first()
    before = row.values if row else {}
    stored = policy.to_values()
    if row is None:
        row = FollowUpPolicy.objects.create(values=stored, updated_by=actor)
    else:
        row.values, row.updated_by = stored, actor
        row.save()
    changed = {k: [before.get(k), stored.get(k)] for k in set(before) | set(stored)}
    changed = {k: v for k, v in changed.items() if v[0] != v[1]}
    if changed:
        audit.record(actor, "followup_policy", row, changes=changed)
    return policy


# --- The plan -----------------------------------------------------------------------


@dataclass
class PlanView:
    """A plan and the facts it came from (for names in the output)."""

    plan: Plan
    facts: Facts

    def name(self, contact_id: int | None) -> str:
        if contact_id is None:
            return ""
        contact = self.facts.contacts.get(contact_id)
        return contact.name if contact else ""

    def outlet(self, contact_id: int) -> str:
        contact = self.facts.contacts.get(contact_id)
        outlet = self.facts.outlets.get(contact.outlet_id or 0) if contact else None
        return outlet.name if outlet else ""

    def username(self, user_id: int | None) -> str:
        user = self.facts.users.get(user_id or 0)
        return user.username if user else ""

    def to_json(self) -> dict[str, Any]:
        """DESIGN.md §4 "Plan output", extended with `via`, `state`, `warm`
        and the capacity cut."""
        plan = self.plan
        return {
            "campaign": plan.campaign_id,
            "at": plan.at.isoformat(),
            "planned": [
                {
                    "contact_id": p.contact_id,
                    "contact": self.name(p.contact_id),
                    "outlet": self.outlet(p.contact_id),
                    "channel": p.channel,
                    "window_start": p.window_start.isoformat(),
                    "window_end": p.window_end.isoformat(),
                    "assignee": self.username(p.assignee_id),
                    "priority": p.priority,
                    "reasons": [r.text() for r in p.reasons],
                    "via_contact_id": p.via_id,
                    "via": self.name(p.via_id),
                    "state": "claimed" if p.claimed else "planned",
                    "warm": p.warm,
                }
                for p in plan.planned
            ],
            "skipped": [
                {
                    "contact_id": s.contact_id,
                    "contact": self.name(s.contact_id),
                    "outlet": self.outlet(s.contact_id),
                    "reason_code": s.reason_code,
                    "reason": s.reason.text(),
                    "priority": s.priority,
                }
                for s in plan.skipped
            ],
            "cut": plan.cut,
        }


def _aware(at: datetime | None) -> datetime:
    if at is None:
        return timezone.now()
    if timezone.is_naive(at):
        return timezone.make_aware(at, timezone.get_current_timezone())
    return at


def compute(
    campaign: Campaign,
    at: datetime | None = None,
    *,
    policy: Policy | None = None,
    only: Iterable[int] | None = None,
) -> PlanView:
    """The plan at `at` (now by default), without permission checks."""
    at = _aware(at)
    policy = policy or current_policy()
    with no_gc_pauses():
        facts = facts_module.load(campaign, policy, at, only=None if only is None else set(only))
        return PlanView(plan(facts, policy, at), facts)


def query_datetime(text: str) -> str:
    """`?at=2026-03-10T09:00:00+01:00` typed in an address bar arrives with
    a space for the "+": put it back."""
    text = (text or "").strip()
    if "T" in text and " " in text:
        text = text.replace(" ", "+")
    return text


def require_view(actor: User | None, campaign: Campaign) -> None:
    # The plan names journalists: the media database's readers only (a
    # client viewer follows the counts on the reports).
    require(actor, Cap.VIEW_MEDIA)
    if not visible_campaigns(actor).filter(pk=campaign.pk).exists():
        raise PermissionDenied(_("Your role does not allow this."))


def plan_followups(actor: User | None, campaign: Campaign, at: datetime | None = None) -> PlanView:
    require_view(actor, campaign)
    return compute(campaign, at)


@transaction.atomic
def sync(campaign: Campaign, view: PlanView, *, only: Iterable[int] | None = None) -> int:
    """Write the planned rows: create and update what the plan keeps, drop
    the planned rows it no longer has. Rows in someone's hands or done
    stay. Returns the number of planned rows."""
    now = timezone.now()
    wanted = {p.contact_id: p for p in view.plan.planned if not p.claimed}
    existing_qs = FollowUp.objects.filter(campaign=campaign, state=FollowUpState.PLANNED)
    if only is not None:
        existing_qs = existing_qs.filter(contact_id__in=list(only))
    existing = {f.contact_id: f for f in existing_qs}
    gone = [f.pk for cid, f in existing.items() if cid not in wanted]
    if gone:
        FollowUp.objects.filter(pk__in=gone, state=FollowUpState.PLANNED).delete()
    changed: list[FollowUp] = []
    created: list[FollowUp] = []
    for contact_id, p in wanted.items():
        row = existing.get(contact_id)
        values = {
            "via_id": p.via_id,
            "channel": p.channel,
            "window_start": p.window_start,
            "window_end": p.window_end,
            "assignee_id": p.assignee_id,
            "priority": p.priority,
            "warm": p.warm,
            "reasons": [r.to_json() for r in p.reasons],
        }
        if row is None:
            created.append(
                FollowUp(campaign=campaign, contact_id=contact_id, planned_at=now, **values)
            )
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            row.planned_at = now
            changed.append(row)
    FollowUp.objects.bulk_create(created, batch_size=500, ignore_conflicts=True)
    FollowUp.objects.bulk_update(
        changed,
        [
            "via_id",
            "channel",
            "window_start",
            "window_end",
            "assignee_id",
            "priority",
            "warm",
            "reasons",
            "planned_at",
        ],
        batch_size=500,
    )
    return len(wanted)


def refresh(actor: User | None, campaign: Campaign) -> PlanView:
    """The plan now, written for the call desk."""
    view = plan_followups(actor, campaign)
    sync(campaign, view)
    return view


def replan_contacts(campaign: Campaign, contact_ids: Iterable[int]) -> PlanView:
    """Re-plan a few contacts at once (after an outcome), the rest of the
    campaign's plan standing: its outlets and its callers' load count."""
    ids = set(contact_ids)
    view = compute(campaign, only=ids)
    sync(campaign, view, only=ids)
    return view


def active_campaigns(now: datetime | None = None) -> QuerySet[Campaign]:
    """Campaigns whose follow-ups may still be useful: sent in the last
    weeks, or an event still to come."""
    now = now or timezone.now()
    return Campaign.objects.filter(
        Q(sent_at__gte=now - timedelta(days=30)) | Q(event_at__gte=now),
        recipients__sent_at__isnull=False,
    ).distinct()


def refresh_all(now: datetime | None = None) -> int:
    """Every active campaign's plan, written (the worker runs it each
    morning; `relance plan-followups --all --save`)."""
    count = 0
    for campaign in active_campaigns(now).order_by("id"):
        sync(campaign, compute(campaign, now))
        count += 1
    return count


# --- The journalist's choices, checked again at the desk --------------------------------


def allowed_now(qs: QuerySet[FollowUp], today: date | None = None) -> QuerySet[FollowUp]:
    """Open follow-ups whose contact still allows them today: opted out,
    do not contact or paused since the plan, or "no calls" for a call,
    and they are gone from every desk at once."""
    today = today or timezone.localdate()
    return (
        qs.filter(contact__opted_out=False, contact__do_not_contact=False)
        .filter(contact__erased_at__isnull=True)
        .filter(Q(contact__paused_until__isnull=True) | Q(contact__paused_until__lt=today))
        .exclude(channel="phone", contact__accepts_phone=False, via__isnull=True)
    )


# --- Claiming -------------------------------------------------------------------------------


class AlreadyClaimed(Exception):
    def __init__(self, followup: FollowUp) -> None:
        self.followup = followup
        who = followup.claimed_by.get_full_name() if followup.claimed_by else "?"
        super().__init__(_("%(who)s is already on it.") % {"who": who or followup.claimed_by})


def can_call(user: User | None, followup: FollowUp) -> bool:
    if not interactions.can_log(user):
        return False
    assert user is not None
    # VIP contacts are never given to interns (DESIGN.md §5.7).
    return not (followup.contact.vip and user.role == Role.INTERN)


def claim(actor: User | None, followup_id: int, now: datetime | None = None) -> FollowUp:
    """Take a follow-up: one atomic UPDATE on its state, so of two people
    opening it at once exactly one wins; the other gets AlreadyClaimed."""
    require(actor, Cap.EDIT_MEDIA)
    assert actor is not None
    now = now or timezone.now()
    followup = FollowUp.objects.select_related("contact", "claimed_by").get(pk=followup_id)
    if not can_call(actor, followup):
        raise PermissionDenied(_("VIP contacts are called by experienced team members."))
    if followup.state == FollowUpState.CLAIMED and followup.claimed_by_id == actor.pk:
        return followup
    if not allowed_now(FollowUp.objects.filter(pk=followup_id)).exists():
        raise ValidationError(_("This journalist's choices changed: no follow-up now."))
    won = (
        FollowUp.objects.filter(pk=followup_id)
        .filter(
            Q(state=FollowUpState.PLANNED)
            | Q(state=FollowUpState.CLAIMED, claimed_at__lt=now - CLAIM_TIMEOUT)
        )
        .update(state=FollowUpState.CLAIMED, claimed_by=actor, claimed_at=now)
    )
    followup.refresh_from_db()
    if not won:
        raise AlreadyClaimed(followup)
    return followup


def release(actor: User | None, followup: FollowUp) -> None:
    """Give it back to the plan (not reached, not now)."""
    require(actor, Cap.EDIT_MEDIA)
    assert actor is not None
    if followup.claimed_by_id != actor.pk and not has(actor, Cap.EDIT_ALL_CAMPAIGNS):
        raise PermissionDenied(_("Only who has it in hand may give it back."))
    FollowUp.objects.filter(pk=followup.pk, state=FollowUpState.CLAIMED).update(
        state=FollowUpState.PLANNED, claimed_by=None, claimed_at=None
    )


# --- Outcomes -------------------------------------------------------------------------


def _clean_call_back(value: Any, now: datetime) -> datetime:
    from relance.campaigns.services import clean_datetime

    try:
        moment = clean_datetime(value)
    except ValueError as exc:
        raise ValidationError({"call_back_at": [str(exc)]}) from None
    if moment is None:
        raise ValidationError({"call_back_at": [_("Say when to call back.")]})
    if moment <= now:
        raise ValidationError({"call_back_at": [_("Choose a time in the future.")]})
    if moment > now + timedelta(days=31):
        raise ValidationError({"call_back_at": [_("Within a month, or plan it anew later.")]})
    return moment


def record_outcome(
    actor: User | None,
    followup: FollowUp,
    outcome: str,
    *,
    notes: str = "",
    call_back_at: Any = None,
    suggested: str = "",
    now: datetime | None = None,
) -> Interaction:
    """Log what the call gave, close the follow-up, apply what it means,
    and re-plan that contact and their outlet at once."""
    now = now or timezone.now()
    if outcome not in {o for o, _key in CALL_OUTCOMES}:
        raise ValidationError({"outcome": [_("Choose one of the call outcomes.")]})
    with transaction.atomic():
        current = claim(actor, followup.pk, now)  # atomic: nobody else logs it
        assert actor is not None
        campaign = current.campaign
        if outcome in EVENT_ONLY and not campaign.is_event:
            raise ValidationError({"outcome": [_("Only an event has a guest list.")]})
        details: dict[str, Any] = {"followup": current.pk}
        if current.via_id:
            details["via_contact_id"] = current.via_id
        if outcome == Outcome.CALL_BACK:
            details["call_back_at"] = _clean_call_back(call_back_at, now).isoformat()
        if outcome == Outcome.WRONG_PERSON and suggested.strip():
            details["suggested"] = suggested.strip()[:200]
        interaction = interactions.log(
            actor,
            {
                "contact_id": current.contact_id,
                "campaign_id": campaign.pk,
                "channel": "phone" if current.channel == "phone" else current.channel,
                "direction": "out",
                "outcome": outcome,
                "notes": notes,
                "at": now,
            },
            now=now,
            details=details,
        )
        FollowUp.objects.filter(pk=current.pk).update(
            state=FollowUpState.DONE, done_at=now, outcome=outcome, interaction=interaction
        )
        if outcome == Outcome.SEND_MATERIAL:
            from relance.followups.mail import queue_followup_email

            queue_followup_email(actor, current, material=True, system=True)
    replan_contacts(campaign, _neighbours(current))
    return interaction


def send_written(actor: User | None, followup: FollowUp, *, notes: str = "") -> None:
    """A planned e-mail follow-up sent (through the outbox), or a social
    message the caller sent from the account: done, on the history."""
    from relance.followups.mail import queue_followup_email

    now = timezone.now()
    with transaction.atomic():
        current = claim(actor, followup.pk, now)
        assert actor is not None
        if current.channel == "email":
            queue_followup_email(actor, current, material=False, system=False)
            interaction = None
        else:
            interaction = interactions.log(
                actor,
                {
                    "contact_id": current.contact_id,
                    "campaign_id": current.campaign_id,
                    "channel": "social",
                    "direction": "out",
                    "outcome": Outcome.NOTE,
                    "notes": notes or _("Follow-up sent by social message."),
                    "at": now,
                },
                now=now,
                details={"followup": current.pk},
            )
        FollowUp.objects.filter(pk=current.pk).update(
            state=FollowUpState.DONE,
            done_at=now,
            outcome="sent",
            interaction=interaction,
        )
    replan_contacts(current.campaign, _neighbours(current))


def _neighbours(followup: FollowUp) -> list[int]:
    """The contact and the other recipients at the same outlet: the one
    follow-up per outlet passes to the next when this one is done."""
    ids = [followup.contact_id]
    outlet_id = Contact.objects.filter(pk=followup.contact_id).values_list("outlet_id", flat=True)
    outlet = outlet_id.first()
    if outlet is not None:
        ids += list(
            Recipient.objects.filter(campaign_id=followup.campaign_id, contact__outlet_id=outlet)
            .exclude(contact_id=followup.contact_id)
            .values_list("contact_id", flat=True)[:50]
        )
    return ids


# --- Reading for the desk and the pages ---------------------------------------------------


def day_bounds(day: date, user: User) -> tuple[datetime, datetime]:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo(user.time_zone or "Europe/Paris")
    start = datetime.combine(day, datetime.min.time(), tz)
    return start, start + timedelta(days=1)


def my_calls(user: User, day: date | None = None) -> list[FollowUp]:
    """ "My calls today": warm contacts first, to get into the rhythm, then
    by priority (DESIGN.md §5.8); what the caller has in hand on top."""
    day = day or timezone.localdate()
    start, end = day_bounds(day, user)
    rows = list(
        allowed_now(FollowUp.objects.filter(state__in=OPEN), day)
        .filter(
            Q(assignee=user, window_start__lt=end, window_end__gte=start)
            | Q(state=FollowUpState.CLAIMED, claimed_by=user)
        )
        .select_related("contact__outlet", "contact__show", "campaign__client", "via", "claimed_by")
    )
    rows.sort(
        key=lambda f: (
            f.state != FollowUpState.CLAIMED,
            not f.warm,
            -f.priority,
            f.window_start,
            f.pk,
        )
    )
    return rows


@dataclass
class Pressure:
    """How solicited a journalist is by the whole agency right now."""

    calls_week: int = 0
    last_call: datetime | None = None
    in_call_by: str = ""
    planned: int = 0

    @property
    def label(self) -> str:
        parts = []
        if self.in_call_by:
            parts.append(_("being called now by %(who)s") % {"who": self.in_call_by})
        if self.calls_week:
            parts.append(
                _("called %(count)d× this week by the agency") % {"count": self.calls_week}
            )
        return "; ".join(parts)

    @property
    def high(self) -> bool:
        return self.calls_week >= current_policy().calls_per_period


def pressure(contact_ids: Iterable[int], now: datetime | None = None) -> dict[int, Pressure]:
    """Per contact: calls by the agency in the last seven days (every
    client), and who has them on the phone now. Two queries."""
    now = now or timezone.now()
    ids = list(contact_ids)
    out: dict[int, Pressure] = {}
    if not ids:
        return out
    for contact_id, at in Interaction.objects.filter(
        contact_id__in=ids, channel="phone", direction="out", at__gte=now - timedelta(days=7)
    ).values_list("contact_id", "at"):
        p = out.setdefault(contact_id, Pressure())
        p.calls_week += 1
        p.last_call = max(p.last_call or at, at)
    for contact_id, via_id, first, last, username in FollowUp.objects.filter(
        Q(contact_id__in=ids) | Q(via_id__in=ids),
        state=FollowUpState.CLAIMED,
        claimed_at__gte=now - CLAIM_TIMEOUT,
    ).values_list(
        "contact_id",
        "via_id",
        "claimed_by__first_name",
        "claimed_by__last_name",
        "claimed_by__username",
    ):
        who = f"{first} {last}".strip() or username
        for cid in (contact_id, via_id):
            if cid in ids:
                out.setdefault(cid, Pressure()).in_call_by = who
    return out


def outcome_choices(campaign: Campaign) -> list[tuple[str, str, str]]:
    """(value, label, key) of the outcome buttons this campaign offers."""
    labels = dict(Outcome.choices)
    return [
        (str(o), str(labels[o]), key)
        for o, key in CALL_OUTCOMES
        if campaign.is_event or o not in EVENT_ONLY
    ]


def visible_followups(actor: User | None) -> QuerySet[FollowUp]:
    require(actor, Cap.VIEW_MEDIA)
    return FollowUp.objects.filter(campaign__in=visible_campaigns(actor))
