"""The follow-up planner: plain functions over plain facts (DESIGN.md §3, §5).

`plan(facts, policy, at)` answers for one campaign at one moment, for every
recipient: a follow-up (channel, window in the outlet's time zone, who
calls, priority, reasons) or a skip (a reason code and its sentence). It
reads nothing from the database and no clock: the same facts and `at` give
the same plan, which is what lets the page, the API and the command agree,
and what the table and property tests pin down. `relance.followups.facts`
loads the facts in a few bulk queries.

The order of the rules is the order of DESIGN.md §5: a send first, then the
journalist's own choices and answers, then the channel, the timing and the
caps, and last what the team can do in the day (capacity); the outlet rule
and the capacity are decided in priority order, so the best follow-ups are
the ones kept.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from relance.followups.policy import Hours, Policy
from relance.followups.reasons import Reason
from relance.lib.gcpause import no_gc_pauses
from relance.lib.workdays import for_place

# --- Facts ------------------------------------------------------------------------


@dataclass(slots=True)
class OutletFacts:
    id: int
    name: str
    kind: str
    periodicity: str
    timezone: str = "Europe/Paris"
    country: str = "FR"
    region: str = ""
    audience: int = 0
    tier: int = 2
    closing_weekday: int | None = None
    lead_time_days: int | None = None


@dataclass(slots=True)
class ContactFacts:
    id: int
    name: str
    role: str = "journalist"
    outlet_id: int | None = None
    show_id: int | None = None
    vip: bool = False
    opted_out: bool = False
    do_not_contact: bool = False
    paused_until: date | None = None
    accepts_phone: bool = True
    has_phone: bool = True
    has_email: bool = True
    email_bounced: bool = False
    preferred_channel: str = ""
    has_social: bool = False
    best_hours: tuple[Hours, ...] = ()


@dataclass(slots=True)
class RecipientFacts:
    contact_id: int
    sent_at: datetime | None
    state: str = "sent"
    opens: int = 0
    clicked: bool = False
    replied_at: datetime | None = None
    bounced: bool = False
    rsvp: str = ""
    score: float | None = None


@dataclass(slots=True)
class CampaignFacts:
    id: int
    kind: str
    sent_at: datetime | None
    event_at: datetime | None = None
    manager_id: int | None = None


@dataclass(slots=True)
class UserFacts:
    id: int
    username: str
    role: str
    capacity: int = 25


@dataclass(slots=True)
class Touch:
    """An interaction on this campaign: a call, an answer, an outcome."""

    at: datetime
    channel: str
    direction: str
    outcome: str
    call_back_at: datetime | None = None


@dataclass(slots=True)
class Claimed:
    """A follow-up of this campaign someone has in hand: kept as it is."""

    contact_id: int
    user_id: int | None
    channel: str
    window_start: datetime
    window_end: datetime
    since: datetime
    via_id: int | None = None


@dataclass
class Facts:
    campaign: CampaignFacts
    recipients: list[RecipientFacts]
    contacts: dict[int, ContactFacts]
    outlets: dict[int, OutletFacts] = field(default_factory=dict)
    users: dict[int, UserFacts] = field(default_factory=dict)
    # Who calls when nobody knows the contact (the campaign's team, else
    # every press officer and intern).
    pool: list[int] = field(default_factory=list)
    # contact -> [(user, strength)]
    relationships: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    # Broadcast desks: outlet -> assignment editors, show -> researchers
    # (contacts, also in `contacts`), for hosts' follow-ups.
    outlet_desks: dict[int, list[int]] = field(default_factory=dict)
    show_researchers: dict[int, list[int]] = field(default_factory=dict)
    # Agency-wide calls to each person, every campaign and client: made
    # (interactions) and planned by other campaigns (their follow-ups).
    calls: dict[int, list[datetime]] = field(default_factory=dict)
    touches: dict[int, list[Touch]] = field(default_factory=dict)
    # Written follow-ups already done on this campaign (e-mail, social).
    written: dict[int, list[datetime]] = field(default_factory=dict)
    claimed: dict[int, Claimed] = field(default_factory=dict)
    # (user, local day) -> calls planned by other campaigns.
    load: dict[tuple[int, date], int] = field(default_factory=dict)
    # contact -> (answers, pitches) over past campaigns.
    history: dict[int, tuple[int, int]] = field(default_factory=dict)
    # contact -> past campaigns of the agency they covered (confirmed).
    covered: dict[int, int] = field(default_factory=dict)
    # outlet -> past campaigns of the agency it ran coverage of.
    outlet_covered: dict[int, int] = field(default_factory=dict)
    # Contacts with a past positive outcome (warm: called first).
    warm: set[int] = field(default_factory=set)
    # Re-planning a few contacts: outlets the rest of the plan holds.
    # outlet -> the name of the contact whose follow-up holds it.
    outlets_taken: dict[int, str] = field(default_factory=dict)


# --- Result -----------------------------------------------------------------------


@dataclass
class Planned:
    contact_id: int
    channel: str
    window_start: datetime
    window_end: datetime
    assignee_id: int | None
    priority: float
    reasons: list[Reason]
    via_id: int | None = None
    warm: bool = False
    claimed: bool = False


@dataclass
class Skipped:
    contact_id: int
    reason_code: str
    reason: Reason
    priority: float | None = None


@dataclass
class Plan:
    campaign_id: int
    at: datetime
    planned: list[Planned] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    # The lowest priority kept by the calling capacity, when some were cut.
    cut: float | None = None

    def by_contact(self) -> dict[int, Planned | Skipped]:
        out: dict[int, Planned | Skipped] = {p.contact_id: p for p in self.planned}
        out.update({s.contact_id: s for s in self.skipped})
        return out


ANSWER_CODES = {
    "replied": "already_responded",
    "interested": "already_responded",
    "will_attend": "already_responded",
    "send_material": "already_responded",
    "wrong_person": "already_responded",
    "rsvp_yes": "already_responded",
    "rsvp_maybe": "already_responded",
    "declined": "declined",
    "rsvp_no": "declined",
    "stop_calling": "declined",
}
_WRITING_ROLES = {"blogger", "influencer"}
_BROADCAST = {"tv", "radio"}
_CONTINUOUS = {"daily", "continuous"}
# Less than this left of a window today is no window: the next day's.
MIN_WINDOW = timedelta(minutes=15)
_WEEKLY = {"weekly", "biweekly"}


def _iso(day: date | datetime) -> str:
    return day.isoformat()


@dataclass
class _Candidate:
    recipient: RecipientFacts
    contact: ContactFacts
    callee: ContactFacts  # who is actually called (the desk for a host)
    outlet: OutletFacts | None
    channel: str
    tz: ZoneInfo
    days: list[date]  # the useful days, in order
    hours: Hours
    evening_close: bool
    not_after: datetime | None  # events: before the event starts
    priority: float
    reasons: list[Reason]
    exempt_caps: bool = False
    fixed: tuple[datetime, datetime] | None = None


class _Planner:
    def __init__(self, facts: Facts, policy: Policy, at: datetime) -> None:
        self.f = facts
        self.p = policy
        self.at = at
        self.load: dict[tuple[int, date], int] = defaultdict(int, facts.load)
        self.outlets_taken: dict[int, str] = dict(facts.outlets_taken)
        self.max_score = max((r.score or 0.0 for r in facts.recipients), default=0.0)
        self.pool_full: set[tuple[date, bool]] = set()
        self.slots: dict[tuple[Any, ...], tuple[datetime, datetime] | None] = {}
        self.rules: dict[tuple[Any, ...], tuple[Any, ...]] = {}
        self.audiences: dict[int, tuple[float, Reason | None]] = {}
        # Relationships strongest first (ties by user), callers in id order.
        self.knowers = {
            cid: sorted(rels, key=lambda r: (-r[1], r[0]))
            for cid, rels in facts.relationships.items()
        }
        callers = [
            facts.users[uid]
            for uid in sorted(set(facts.pool))
            if uid in facts.users and facts.users[uid].role != "client_viewer"
        ]
        self.pool_all = callers
        self.pool_vip = [u for u in callers if u.role != "intern"]
        self.weights = (
            policy.weight_relevance
            + policy.weight_audience
            + policy.weight_engagement
            + policy.weight_relationship
            + policy.weight_responsiveness
        ) or 1.0
        self.cut_skips: list[Skipped] = []

    # -- the run --------------------------------------------------------------

    def run(self) -> Plan:
        plan = Plan(self.f.campaign.id, self.at)
        candidates: list[_Candidate] = []
        for recipient in sorted(self.f.recipients, key=lambda r: r.contact_id):
            contact = self.f.contacts.get(recipient.contact_id)
            if contact is None:
                continue
            claimed = self.f.claimed.get(contact.id)
            if claimed is not None:
                plan.planned.append(self._keep_claimed(claimed, contact, recipient))
                continue
            result = self._candidate(recipient, contact)
            if isinstance(result, Skipped):
                plan.skipped.append(result)
            else:
                candidates.append(result)
        candidates.sort(key=lambda c: (-c.priority, c.contact.id))
        for cand in candidates:
            placed = self._place(cand)
            if isinstance(placed, Skipped):
                plan.skipped.append(placed)
            else:
                plan.planned.append(placed)
        kept = [p.priority for p in plan.planned if p.channel == "phone" and not p.claimed]
        if self.cut_skips:
            plan.cut = min(kept) if kept else None
            for skip in self.cut_skips:
                skip.reason.params["cut"] = plan.cut if plan.cut is not None else 1.0
        plan.planned.sort(key=lambda p: (p.window_start, -p.priority, p.contact_id))
        plan.skipped.sort(key=lambda s: s.contact_id)
        return plan

    def _keep_claimed(
        self, claimed: Claimed, contact: ContactFacts, recipient: RecipientFacts
    ) -> Planned:
        if contact.outlet_id is not None:
            self.outlets_taken.setdefault(contact.outlet_id, contact.name)
        outlet = self.f.outlets.get(contact.outlet_id or 0)
        tz = ZoneInfo(outlet.timezone if outlet else "Europe/Paris")
        if claimed.user_id is not None and claimed.channel == "phone":
            self.load[(claimed.user_id, claimed.window_start.astimezone(tz).date())] += 1
        user = self.f.users.get(claimed.user_id or 0)
        reason = Reason(
            "a_claimed",
            {"user": user.username if user else "?", "since": _iso(claimed.since)},
        )
        return Planned(
            contact_id=contact.id,
            channel=claimed.channel,
            window_start=claimed.window_start,
            window_end=claimed.window_end,
            assignee_id=claimed.user_id,
            priority=self._priority(recipient, contact, outlet)[0],
            reasons=[reason],
            via_id=claimed.via_id,
            warm=contact.id in self.f.warm or contact.id in self.f.covered,
            claimed=True,
        )

    # -- per recipient: the gates, then channel, timing and priority -------------

    def _skip(self, contact: ContactFacts, code: str, reason: str, **params: Any) -> Skipped:
        return Skipped(contact.id, code, Reason(reason, params))

    def _candidate(self, recipient: RecipientFacts, contact: ContactFacts) -> _Candidate | Skipped:
        # §5.1 only after a send.
        if recipient.sent_at is None:
            return self._skip(contact, "not_sent", "not_sent")
        if recipient.sent_at > self.at:
            return self._skip(contact, "not_sent", "sent_later", at=_iso(self.at))
        # §5.2 never: the journalist's own choices first.
        if contact.opted_out:
            return self._skip(contact, "opted_out", "opted_out")
        if contact.do_not_contact:
            return self._skip(contact, "opted_out", "do_not_contact")
        if recipient.bounced:
            return self._skip(contact, "bounced", "bounced")
        answered = self._answered(recipient, contact)
        if answered is not None:
            return answered
        touches = self.f.touches.get(contact.id, [])
        written = self.f.written.get(contact.id, [])
        if len(written) >= self.p.followups_per_campaign:
            return self._skip(contact, "pressure_cap", "mail_done", on=_iso(written[-1].date()))
        misses = [t for t in touches if t.outcome == "no_answer"]
        if len(misses) > self.p.no_answer_retries:
            return self._skip(contact, "pressure_cap", "tries_done", count=len(misses))
        outlet = self.f.outlets.get(contact.outlet_id) if contact.outlet_id else None
        channel = self._channel(contact, outlet)
        if isinstance(channel, Skipped):
            return channel
        channel_name, callee, channel_reasons = channel
        timing = self._timing(recipient, contact, outlet, channel_name, touches)
        if isinstance(timing, Skipped):
            return timing
        priority, priority_reasons = self._priority(recipient, contact, outlet)
        cand = timing
        cand.callee = callee
        cand.priority = priority
        cand.reasons = cand.reasons + channel_reasons + priority_reasons
        return cand

    def _answered(self, recipient: RecipientFacts, contact: ContactFacts) -> Skipped | None:
        # Replied, declined, confirmed: they answered; following up again
        # for this campaign is exactly the harassment journalists resent.
        answers = [
            t
            for t in self.f.touches.get(contact.id, [])
            if t.outcome in ANSWER_CODES and (t.direction == "in" or t.channel == "phone")
        ]
        if answers:
            last = max(answers, key=lambda t: t.at)
            code = ANSWER_CODES[last.outcome]
            key = {"declined": "declined", "rsvp_no": "declined", "stop_calling": "stop_calling"}
            reason = key.get(last.outcome, "outcome" if last.channel == "phone" else "replied")
            return self._skip(contact, code, reason, on=_iso(last.at.date()), outcome=last.outcome)
        if recipient.rsvp:
            code = "declined" if recipient.rsvp == "no" else "already_responded"
            return self._skip(contact, code, "rsvp", rsvp=recipient.rsvp)
        if recipient.replied_at is not None:
            return self._skip(
                contact, "already_responded", "replied", on=_iso(recipient.replied_at.date())
            )
        return None

    def _channel(
        self, contact: ContactFacts, outlet: OutletFacts | None
    ) -> tuple[str, ContactFacts, list[Reason]] | Skipped:
        can_write = contact.has_email and not contact.email_bounced
        writing = contact.role in _WRITING_ROLES or (outlet is not None and outlet.kind == "blog")
        if writing:
            if contact.preferred_channel == "social" and contact.has_social:
                return "social", contact, [Reason("c_social")]
            if can_write:
                return "email", contact, [Reason("c_writing")]
            if contact.has_social:
                return "social", contact, [Reason("c_social")]
            return self._skip(contact, "no_channel", "no_channel")
        callee = contact
        reasons: list[Reason] = []
        if outlet is not None and outlet.kind in _BROADCAST and contact.role == "host":
            desk = self._desk(contact)
            if desk is not None:
                callee = desk
                reasons.append(Reason("c_via", {"via": desk.name, "role": desk.role}))
        if contact.preferred_channel == "email" and can_write:
            return "email", contact, [Reason("c_prefers_email")]
        if callee.accepts_phone and callee.has_phone:
            return "phone", callee, [Reason("c_phone"), *reasons]
        if can_write:
            code = "c_no_phone" if not callee.accepts_phone else "c_no_number"
            return "email", contact, [Reason(code)]
        if contact.has_social:
            return "social", contact, [Reason("c_social")]
        return self._skip(contact, "no_channel", "no_channel")

    def _desk(self, host: ContactFacts) -> ContactFacts | None:
        """The show's researcher, else the outlet's assignment desk, who
        takes calls and has not opted out."""
        ids = list(self.f.show_researchers.get(host.show_id or 0, []))
        ids += self.f.outlet_desks.get(host.outlet_id or 0, [])
        for cid in ids:
            desk = self.f.contacts.get(cid)
            if (
                desk is not None
                and not desk.opted_out
                and not desk.do_not_contact
                and desk.accepts_phone
                and desk.has_phone
            ):
                return desk
        return None

    def _timing(
        self,
        recipient: RecipientFacts,
        contact: ContactFacts,
        outlet: OutletFacts | None,
        channel: str,
        touches: list[Touch],
    ) -> _Candidate | Skipped:
        p = self.p
        tz = ZoneInfo(outlet.timezone if outlet else "Europe/Paris")
        cal = for_place(outlet.country if outlet else "FR", outlet.region if outlet else "")
        assert recipient.sent_at is not None
        sent_day = recipient.sent_at.astimezone(tz).date()
        writing = contact.role in _WRITING_ROLES
        key = (
            None
            if outlet is None
            else (
                outlet.kind,
                outlet.periodicity,
                outlet.timezone,
                outlet.country,
                outlet.region,
                outlet.closing_weekday,
                outlet.lead_time_days,
            ),
            writing,
            sent_day,
        )
        rule = self.rules.get(key)
        if rule is None:
            rule = self.rules[key] = self._rule(outlet, writing, sent_day, tz, cal)
        if len(rule) == 2:
            return self._skip(contact, "too_late", rule[0], **rule[1])
        days, hours, evening_close, not_after, shared = rule
        reasons = list(shared)
        fixed: tuple[datetime, datetime] | None = None
        exempt = False
        # Outcomes of this campaign move the window: a call back at the time
        # the journalist asked, one more try after no answer.
        backs = [t for t in touches if t.outcome == "call_back" and t.call_back_at]
        misses = [t for t in touches if t.outcome == "no_answer"]
        if backs:
            back = max(backs, key=lambda t: t.at)
            assert back.call_back_at is not None
            if back.call_back_at >= self.at:
                # Their own request: the spacing caps protect journalists
                # from us, not from what they asked for.
                fixed = (back.call_back_at, back.call_back_at + timedelta(minutes=30))
                exempt = True
                reasons = [Reason("t_call_back")]
        if misses and fixed is None:
            last_try = max(t.at for t in misses).astimezone(tz).date()
            days = [d for d in days if d > last_try] or [
                d
                for d in _days(cal.add(last_try, 1), cal.add(last_try, 1 + p.late_days))
                if cal.working(d)
            ]
            reasons.insert(0, Reason("t_retry", {"on": _iso(last_try)}))
        if contact.best_hours and fixed is None:
            hours_text = ",".join(str(h) for h in contact.best_hours)
            reasons.append(Reason("t_best_hours", {"hours": hours_text}))
        return _Candidate(
            recipient=recipient,
            contact=contact,
            callee=contact,
            outlet=outlet,
            channel=channel,
            tz=tz,
            days=days,
            hours=hours,
            evening_close=evening_close,
            not_after=not_after,
            priority=0.0,
            reasons=reasons,
            exempt_caps=exempt,
            fixed=fixed,
        )

    def _rule(
        self, outlet: OutletFacts | None, writing: bool, sent_day: date, tz: ZoneInfo, cal: Any
    ) -> tuple[Any, ...]:
        """The rule's days (working days only, but a press conference's),
        hours and reasons for an outlet's kind and periodicity and a send
        day; or (reason, params) of a `too_late`. Cached per plan: ten
        thousand recipients share a few dozen rules."""
        p = self.p
        camp = self.f.campaign
        reasons: list[Reason] = []
        evening_close = False
        not_after: datetime | None = None
        kind = outlet.kind if outlet else "print"
        periodicity = outlet.periodicity if outlet else "irregular"
        if camp.kind in ("event", "press_conference"):
            if camp.event_at is None:
                return ("no_event_date", {})
            if camp.event_at <= self.at:
                return ("event_passed", {})
            event_day = camp.event_at.astimezone(tz).date()
            not_after = camp.event_at
            if camp.kind == "press_conference":
                # The morning of the day: invited journalists decide that
                # morning, with the day's news in front of them.
                days = [event_day]
                hours = p.press_conference_hours
                reasons.append(Reason("t_press_conference"))
            else:
                target = event_day
                for _ in range(p.event_days_before):
                    target -= timedelta(days=1)
                    while not cal.working(target):
                        target -= timedelta(days=1)
                if target <= sent_day:
                    # The invitation went out late: as soon as possible.
                    first = cal.add(sent_day, 1)
                    reasons.append(Reason("t_event_late"))
                else:
                    first = target
                    reasons.append(Reason("t_event", {"days": p.event_days_before}))
                days = _days(first, event_day)
                hours = p.event_hours
        elif kind in _BROADCAST:
            first = cal.add(sent_day, 1)
            days = _days(first, cal.add(first, p.late_days))
            hours = p.broadcast_hours
            reasons.append(Reason("t_broadcast"))
        elif writing or kind == "blog":
            first = cal.add(sent_day, p.blog_days)
            days = _days(first, cal.add(first, p.late_days))
            hours = p.release_hours
            reasons.append(Reason("t_blog", {"days": p.blog_days}))
        elif periodicity in _CONTINUOUS or kind in ("web", "wire"):
            first = cal.add(sent_day, 1)
            days = _days(first, cal.add(first, p.late_days))
            hours = p.daily_hours
            evening_close = True
            reasons.append(Reason("t_daily"))
        elif periodicity in _WEEKLY:
            first = cal.add(sent_day, p.weekly_days_min)
            last = cal.add(sent_day, p.weekly_days_max)
            days = [
                d
                for d in _days(first, cal.add(last, p.late_days))
                # Weeklies close on their closing day: calling then is useless.
                if outlet is None or d.weekday() != outlet.closing_weekday
            ]
            hours = p.release_hours
            closing = (
                -1 if outlet is None or outlet.closing_weekday is None else outlet.closing_weekday
            )
            reasons.append(
                Reason(
                    "t_weekly",
                    {"low": p.weekly_days_min, "high": p.weekly_days_max, "weekday": closing},
                )
            )
        else:
            first = cal.add(sent_day, p.monthly_days_min)
            last = cal.add(sent_day, p.monthly_days_max)
            days = _days(first, cal.add(last, p.late_days))
            hours = p.release_hours
            reasons.append(
                Reason("t_monthly", {"low": p.monthly_days_min, "high": p.monthly_days_max})
            )
            # Magazines fix their pages weeks ahead: past the lead time, the
            # news will be old when the issue comes out.
            lead = outlet.lead_time_days if outlet else None
            if lead and camp.event_at is not None:
                news_day = camp.event_at.astimezone(tz).date()
                if first + timedelta(days=lead) > news_day:
                    return ("lead_time", {"days": lead, "news": _iso(news_day)})
        if camp.kind != "press_conference":
            days = [d for d in days if cal.working(d)]
        return days, hours, evening_close, not_after, tuple(reasons)

    def _priority(
        self, recipient: RecipientFacts, contact: ContactFacts, outlet: OutletFacts | None
    ) -> tuple[float, list[Reason]]:
        """Expected value of a follow-up (§5.3), in [0, 1]."""
        p = self.p
        reasons: list[Reason] = []
        relevance = 0.5
        if recipient.score is not None and self.max_score > 0:
            relevance = max(0.0, min(1.0, recipient.score / self.max_score))
            reasons.append(Reason("p_relevance", {"score": round(relevance, 2)}))
        audience = 0.3
        if outlet is not None:
            audience, reason = self._audience(outlet)
            if reason is not None:
                reasons.append(reason)
        # Opened or clicked without answering: interested, maybe busy.
        engagement = 0.2
        if recipient.clicked:
            engagement = 1.0
            reasons.append(Reason("p_clicked"))
        elif recipient.opens:
            engagement = 0.7
            reasons.append(Reason("p_opened", {"count": recipient.opens}))
        strength = 0
        knower = None
        for user_id, s in self.f.relationships.get(contact.id, []):
            if s > strength:
                strength, knower = s, user_id
        if knower is not None:
            user = self.f.users.get(knower)
            reasons.append(
                Reason(
                    "p_relationship", {"user": user.username if user else "?", "strength": strength}
                )
            )
        answers, pitches = self.f.history.get(contact.id, (0, 0))
        covered = self.f.covered.get(contact.id, 0)
        responsiveness = 0.3
        if covered:
            # Coverage is the answer that counts most: each campaign
            # covered weighs as one more answer.
            reasons.append(Reason("p_covered", {"n": covered}))
            pitches = max(pitches, covered)
            responsiveness = min(1.0, (answers + covered) / pitches)
        elif contact.outlet_id in self.f.outlet_covered:
            # Their outlet takes the agency's stories: a weaker sign.
            n = self.f.outlet_covered[contact.outlet_id]
            reasons.append(Reason("p_outlet_covered", {"n": n}))
            responsiveness = max(responsiveness, min(1.0, answers / pitches) if pitches else 0, 0.5)
        elif pitches:
            responsiveness = min(1.0, answers / pitches)
            if answers:
                reasons.append(Reason("p_responsive", {"answers": answers, "pitches": pitches}))
            elif pitches >= 3:
                reasons.append(Reason("p_unresponsive", {"pitches": pitches}))
        value = (
            p.weight_relevance * relevance
            + p.weight_audience * audience
            + p.weight_engagement * engagement
            + p.weight_relationship * strength / 3
            + p.weight_responsiveness * responsiveness
        ) / self.weights
        return round(value, 3), reasons

    def _audience(self, outlet: OutletFacts) -> tuple[float, Reason | None]:
        known = self.audiences.get(outlet.id)
        if known is None:
            reach = min(1.0, math.log10(outlet.audience + 1) / 6.5) if outlet.audience else 0.0
            tier = {1: 1.0, 2: 0.6}.get(outlet.tier, 0.3)
            reason = None
            if outlet.audience:
                reason = Reason(
                    "p_audience", {"audience": f"{outlet.audience:,}", "tier": outlet.tier}
                )
            known = self.audiences[outlet.id] = (0.5 * reach + 0.5 * tier, reason)
        return known

    # -- placing, in priority order: outlet, caps, capacity -----------------------

    def _place(self, cand: _Candidate) -> Planned | Skipped:
        contact = cand.contact
        p = self.p
        if cand.priority < p.min_priority:
            return Skipped(
                contact.id,
                "low_priority",
                Reason("below_floor", {"priority": cand.priority, "floor": p.min_priority}),
                cand.priority,
            )
        if contact.outlet_id is not None and contact.outlet_id in self.outlets_taken:
            return Skipped(
                contact.id,
                "outlet_already_planned",
                Reason("outlet_taken", {"other": self.outlets_taken[contact.outlet_id]}),
                cand.priority,
            )
        paused_until = contact.paused_until
        blocked_by: Reason | None = None
        first_blocked: date | None = None
        full_day: date | None = None
        cal = for_place(
            cand.outlet.country if cand.outlet else "FR", cand.outlet.region if cand.outlet else ""
        )
        windows: list[tuple[datetime, datetime]]
        if cand.fixed is not None:
            windows = [cand.fixed]
        else:
            windows = []
            for day in cand.days:
                # Thousands of recipients share a few outlets' rules.
                key = (
                    day,
                    cand.hours,
                    cand.contact.best_hours,
                    cand.evening_close,
                    cand.tz,
                    cand.not_after,
                )
                if key in self.slots:
                    slot = self.slots[key]
                else:
                    slot = self.slots[key] = self._slot(cand, day)
                if slot is not None:
                    windows.append(slot)
        paused_seen = False
        for start, end in windows:
            local_day = start.astimezone(cand.tz).date()
            if paused_until is not None and local_day <= paused_until:
                paused_seen = True
                continue
            if cand.channel == "phone" and not cand.exempt_caps:
                problem = self._cap_problem(cand.callee.id, start, cal, cand.tz)
                if problem is not None:
                    if blocked_by is None:
                        blocked_by, first_blocked = problem, local_day
                    continue
            assignee, assign_reason = self._assign(cand, local_day)
            if assignee is None:
                full_day = full_day or local_day
                continue
            if cand.channel == "phone":
                self.load[(assignee, local_day)] += 1
            if contact.outlet_id is not None:
                self.outlets_taken[contact.outlet_id] = contact.name
            reasons = list(cand.reasons)
            if blocked_by is not None and first_blocked is not None:
                reasons.insert(
                    0,
                    Reason(
                        "t_deferred_cap",
                        {"from": _iso(first_blocked), "detail": blocked_by.text()},
                    ),
                )
            if paused_seen and paused_until is not None:
                reasons.insert(0, Reason("t_deferred_pause", {"until": _iso(paused_until)}))
            reasons[:0] = _holidays_before(cand, cal, local_day)
            assert assign_reason is not None
            reasons.append(assign_reason)
            return Planned(
                contact_id=contact.id,
                channel=cand.channel,
                window_start=start,
                window_end=end,
                assignee_id=assignee,
                priority=cand.priority,
                reasons=reasons,
                via_id=cand.callee.id if cand.callee.id != contact.id else None,
                warm=contact.id in self.f.warm or contact.id in self.f.covered,
            )
        if full_day is not None and blocked_by is None:
            skip = Skipped(
                contact.id,
                "low_priority",
                Reason("capacity", {"day": _iso(full_day), "cut": 1.0}),
                cand.priority,
            )
            self.cut_skips.append(skip)
            return skip
        if blocked_by is not None:
            return Skipped(
                contact.id,
                "pressure_cap",
                Reason("pressure_none", {"detail": blocked_by.text()}),
                cand.priority,
            )
        if paused_seen and paused_until is not None:
            return Skipped(
                contact.id, "paused", Reason("paused", {"until": _iso(paused_until)}), cand.priority
            )
        last = cand.days[-1] if cand.days else self.at.astimezone(cand.tz).date()
        return Skipped(
            contact.id, "too_late", Reason("window_passed", {"last": _iso(last)}), cand.priority
        )

    def _slot(self, cand: _Candidate, day: date) -> tuple[datetime, datetime] | None:
        """The window on `day` in the outlet's time: the rule's hours, inside
        the contact's best hours when they overlap, never in a daily's
        evening close, never before `at`, never after an event starts."""
        rule = [(cand.hours.start, cand.hours.end)]
        ranges = rule
        if cand.contact.best_hours:
            inside = [
                (max(a, h.start), min(b, h.end))
                for a, b in rule
                for h in cand.contact.best_hours
                if max(a, h.start) < min(b, h.end)
            ]
            # Best hours outside the rule's hours win: they are the
            # journalist's own, and the rule's day still holds.
            ranges = inside or [(h.start, h.end) for h in cand.contact.best_hours]
        if cand.evening_close:
            # Never while the paper is being closed, best hours or not.
            ranges = self._outside_close(ranges) or self._outside_close(rule)
        for a, b in sorted(ranges):
            start = datetime.combine(day, a, cand.tz)
            end = datetime.combine(day, b, cand.tz)
            if cand.not_after is not None and end > cand.not_after:
                end = cand.not_after
            if start < self.at:
                start = _ceil(self.at.astimezone(cand.tz))
            if end - start >= MIN_WINDOW:
                return start, end
        return None

    def _outside_close(self, ranges: list[tuple[time, time]]) -> list[tuple[time, time]]:
        close = self.p.evening_close
        out: list[tuple[time, time]] = []
        for a, b in ranges:
            if a < close.start:
                out.append((a, min(b, close.start)))
            if b > close.end:
                out.append((max(a, close.end), b))
        return [(a, b) for a, b in out if a < b]

    def _cap_problem(
        self, contact_id: int, start: datetime, cal: Any, tz: ZoneInfo
    ) -> Reason | None:
        """§5.6: the calls the agency made or planned to this person, all
        clients together, keep at most N calls in any period and a spacing
        of working days between two calls."""
        p = self.p
        calls = self.f.calls.get(contact_id, [])
        if not calls:
            return None
        day = start.astimezone(tz).date()
        for call in calls:
            other = call.astimezone(tz).date()
            low, high = min(day, other), max(day, other)
            if cal.between(low, high) < p.days_between_calls:
                return Reason("pressure_spacing_detail", {"on": _iso(other)})
        period = timedelta(days=p.call_period_days)
        merged = sorted([*calls, start])
        index = merged.index(start)
        n = p.calls_per_period
        for i in range(max(0, index - n), index + 1):
            if i + n < len(merged) and merged[i + n] - merged[i] < period:
                return Reason("pressure_count_detail", {"count": n, "days": p.call_period_days})
        return None

    def _assign(self, cand: _Candidate, day: date) -> tuple[int | None, Reason | None]:
        """§5.7: the strongest relationship, else the manager for VIP and
        top-tier outlets, else the pool, balanced by what is left of each
        caller's day. VIP contacts never go to interns."""
        p = self.p
        calling = cand.channel == "phone"
        vip = cand.contact.vip
        load = self.load
        users = self.f.users
        for user_id, strength in self.knowers.get(cand.contact.id, ()):
            if strength < p.relationship_strength:
                break  # strongest first: the rest are weaker
            user = users.get(user_id)
            if user is None or (vip and user.role == "intern"):
                continue
            if not calling or user.capacity - load[(user_id, day)] > 0:
                params = {"user": user.username, "strength": strength}
                return user.id, Reason("a_relationship", params)
        manager = users.get(self.f.campaign.manager_id or 0)
        top = cand.outlet is not None and cand.outlet.tier <= p.top_tier
        if (
            (vip or top)
            and manager is not None
            and not (vip and manager.role == "intern")
            and (not calling or manager.capacity - load[(manager.id, day)] > 0)
        ):
            code = "a_manager_vip" if vip else "a_manager_tier"
            return manager.id, Reason(code, {"user": manager.username})
        full_key = (day, vip)
        if calling and full_key in self.pool_full:
            return None, None
        best: UserFacts | None = None
        best_free, best_share = 0, 0.0
        # Balanced by capacity: the caller with the largest share of their
        # day still free (an intern's 12 calls count as much as a press
        # officer's 40); in id order, so of equal shares the first wins.
        for user in self.pool_vip if vip else self.pool_all:
            free = user.capacity - load[(user.id, day)] if calling else 1
            if free <= 0:
                continue
            share = free / user.capacity if calling and user.capacity else 1.0
            if share > best_share:
                best, best_free, best_share = user, free, share
        if best is None:
            if calling:
                # Loads only grow during a run: the pool stays full that day.
                self.pool_full.add(full_key)
            return None, None
        if not calling:
            return best.id, Reason("a_writer", {"user": best.username})
        return best.id, Reason(
            "a_pool", {"user": best.username, "free": best_free, "capacity": best.capacity}
        )


def _holidays_before(cand: _Candidate, cal: Any, day: date) -> list[Reason]:
    """Public holidays the window stepped over, said once: "14 July is a
    public holiday there" explains a Friday call for a Wednesday send."""
    assert cand.recipient.sent_at is not None
    sent_day = cand.recipient.sent_at.astimezone(cand.tz).date()
    return [
        Reason("t_holiday", {"day": _iso(d), "name": cal.holiday_name(d)})
        for d in _days(sent_day + timedelta(days=1), day)
        if d.weekday() < 5 and cal.holiday(d)
    ]


def _days(first: date, last: date) -> list[date]:
    out = []
    day = first
    while day <= last:
        out.append(day)
        day += timedelta(days=1)
    return out


def _ceil(moment: datetime) -> datetime:
    """Up to the next five minutes: a window starts at a time one can read."""
    base = moment.replace(second=0, microsecond=0)
    extra = (5 - base.minute % 5) % 5
    if extra == 0 and moment > base:
        extra = 5
    return base + timedelta(minutes=extra)


def plan(facts: Facts, policy: Policy, at: datetime) -> Plan:
    """The follow-up plan of `facts.campaign` at `at` (aware datetime)."""
    with no_gc_pauses():
        return _Planner(facts, policy, at).run()
