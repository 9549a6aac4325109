"""The manager's side of follow-ups: a campaign's plan (and saving it for
the call desk, sending its e-mail follow-ups), the check-in at the door of
an event, the overview across campaigns and callers, and the agency's
follow-up policy. Thin callers of `relance.followups.services`,
`.checkin` and `.overview`; the services decide who may do what."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from relance.accounts.models import User
from relance.accounts.permissions import Cap
from relance.campaigns.models import Campaign, Recipient
from relance.campaigns.services import can_edit, clean_datetime
from relance.campaigns.views import POST, READ, WRITE, _campaign, gated
from relance.contacts.models import Channel
from relance.followups import checkin, services
from relance.followups import overview as overview_service
from relance.followups.models import FollowUp, FollowUpState
from relance.followups.planner import Skipped
from relance.followups.policy import Hours, Policy, settings_fields
from relance.outreach.services import can_send, require_send

# The skip codes of DESIGN.md §4, in the order a manager reads them: the
# journalist's choices and answers first, then the rules, then the cut.
SKIP_LABELS: dict[str, Any] = {
    "already_responded": gettext_lazy("Already answered"),
    "declined": gettext_lazy("Declined"),
    "opted_out": gettext_lazy("Opted out or do not contact"),
    "paused": gettext_lazy("Paused"),
    "bounced": gettext_lazy("Bounced"),
    "no_channel": gettext_lazy("No way to reach them"),
    "not_sent": gettext_lazy("Not sent"),
    "pressure_cap": gettext_lazy("Pressure cap"),
    "outlet_already_planned": gettext_lazy("One contact per outlet"),
    "too_late": gettext_lazy("Too late"),
    "low_priority": gettext_lazy("Low priority"),
}


def priority_text(value: float | None) -> str:
    # As the planner's sentences write it ("the cut is at priority 0.30"),
    # so the line, the rows and the reasons agree to the last digit.
    return "—" if value is None else f"{value:.2f}"


def _channel_labels() -> dict[str, str]:
    return {k: str(v) for k, v in Channel.choices}


# --- The plan page -------------------------------------------------------------------


@dataclass
class PlanRow:
    contact_id: int
    name: str
    outlet: str
    channel: str
    channel_label: str
    start: datetime
    end: datetime
    tz: str
    other_tz: bool
    assignee: str
    priority: float
    reasons: list[str]
    via: str
    claimed: bool
    warm: bool

    @property
    def priority_text(self) -> str:
        return priority_text(self.priority)


@dataclass
class CallerGroup:
    name: str
    rows: list[PlanRow] = field(default_factory=list)

    @property
    def calls(self) -> int:
        return sum(1 for r in self.rows if r.channel == Channel.PHONE)

    @property
    def written(self) -> int:
        return len(self.rows) - self.calls


@dataclass
class DayGroup:
    day: date
    callers: list[CallerGroup]

    @property
    def count(self) -> int:
        return sum(len(c.rows) for c in self.callers)


@dataclass
class SkipRow:
    contact_id: int
    name: str
    outlet: str
    reason: str
    priority: float | None

    @property
    def priority_text(self) -> str:
        return priority_text(self.priority)


@dataclass
class SkipGroup:
    code: str
    label: str
    count: int
    rows: list[SkipRow]
    # low_priority: those shown under the capacity line instead.
    below_line: int = 0


def _at(request: HttpRequest) -> tuple[datetime | None, str]:
    """`?at=` as an aware datetime, or None (now); the raw text when it was
    usable, for the form and the links."""
    raw = request.GET.get("at", "")
    if not raw.strip():
        return None, ""
    try:
        at = clean_datetime(services.query_datetime(raw))
    except ValueError as exc:
        messages.error(
            request,
            _("The moment to plan at (at) is not usable: %(error)s The plan is shown as of now.")
            % {"error": exc},
        )
        return None, ""
    return at, raw


def _display_names(view: services.PlanView) -> dict[int, str]:
    ids = {p.assignee_id for p in view.plan.planned if p.assignee_id}
    return {
        u.pk: u.get_full_name() or u.username
        for u in User.objects.filter(pk__in=ids).only("pk", "username", "first_name", "last_name")
    }


def _offset(moment: datetime, tz: str) -> Any:
    try:
        return moment.astimezone(ZoneInfo(tz)).utcoffset()
    except (ValueError, KeyError):  # a zone name no longer known
        return None


def _planned_rows(view: services.PlanView, user_tz: str) -> list[PlanRow]:
    names = _display_names(view)
    channels = _channel_labels()
    rows = []
    for p in view.plan.planned:
        contact = view.facts.contacts.get(p.contact_id)
        outlet = view.facts.outlets.get(contact.outlet_id or 0) if contact else None
        tz = outlet.timezone if outlet else user_tz
        if _offset(p.window_start, tz) is None:
            tz = user_tz
        rows.append(
            PlanRow(
                contact_id=p.contact_id,
                name=view.name(p.contact_id),
                outlet=outlet.name if outlet else "",
                channel=p.channel,
                channel_label=channels.get(p.channel, p.channel),
                start=p.window_start,
                end=p.window_end,
                tz=tz,
                other_tz=_offset(p.window_start, tz) != _offset(p.window_start, user_tz),
                assignee=names.get(p.assignee_id or 0) or view.username(p.assignee_id) or "—",
                priority=p.priority,
                reasons=[r.text() for r in p.reasons],
                via=view.name(p.via_id),
                claimed=p.claimed,
                warm=p.warm,
            )
        )
    return rows


def _by_day(rows: list[PlanRow]) -> list[DayGroup]:
    """Day (in the reader's time zone), then caller; in a caller's day, what
    is in hand first, then warm contacts, then by priority (the desk's order)."""
    days: dict[date, dict[str, CallerGroup]] = {}
    for row in rows:
        day = timezone.localtime(row.start).date()
        group = days.setdefault(day, {}).setdefault(row.assignee, CallerGroup(row.assignee))
        group.rows.append(row)
    out = []
    for day in sorted(days):
        callers = sorted(days[day].values(), key=lambda g: g.name.casefold())
        for group in callers:
            group.rows.sort(key=lambda r: (not r.claimed, not r.warm, -r.priority, r.start))
        out.append(DayGroup(day, callers))
    return out


def _skip_groups(view: services.PlanView) -> tuple[list[SkipGroup], list[SkipRow]]:
    """Skips by reason code; the capacity cut apart, for the line."""
    grouped: dict[str, list[Skipped]] = {}
    for s in view.plan.skipped:
        grouped.setdefault(s.reason_code, []).append(s)
    order = list(SKIP_LABELS)
    groups, below = [], []
    for code in sorted(grouped, key=lambda c: (order.index(c) if c in order else 99, c)):
        rows, cut = [], 0
        for s in sorted(grouped[code], key=lambda s: (-(s.priority or 0), view.name(s.contact_id))):
            row = SkipRow(
                s.contact_id,
                view.name(s.contact_id),
                view.outlet(s.contact_id),
                s.reason.text(),
                s.priority,
            )
            if s.reason.code == "capacity":
                below.append(row)
                cut += 1
            else:
                rows.append(row)
        groups.append(
            SkipGroup(code, str(SKIP_LABELS.get(code, code)), len(grouped[code]), rows, cut)
        )
    return groups, below


def _saved(campaign: Campaign) -> dict[str, Any]:
    """What the call desk works from: the rows saved, by state."""
    rows = (
        FollowUp.objects.filter(campaign=campaign)
        .order_by()
        .values_list("state")
        .annotate(n=Count("id"), last=Max("planned_at"))
    )
    result: dict[str, Any] = {"planned": 0, "claimed": 0, "done": 0, "at": None}
    for state, count, last in rows:
        result[state] = count
        if state == FollowUpState.PLANNED:
            result["at"] = last
    return result


def _due_emails(campaign: Campaign, user: User):
    """Saved e-mail follow-ups whose window opened, up to the end of today:
    sending one earlier would break the timing the plan chose."""
    _start, end = services.day_bounds(timezone.localdate(), user)
    return services.allowed_now(
        FollowUp.objects.filter(
            campaign=campaign,
            state=FollowUpState.PLANNED,
            channel=Channel.EMAIL,
            window_start__lt=end,
        )
    )


@gated(Cap.VIEW_MEDIA, READ)
def campaign_plan(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    at, at_text = _at(request)
    view = services.plan_followups(request.user, campaign, at)
    user_tz = timezone.get_current_timezone_name()
    rows = _planned_rows(view, user_tz)
    skip_groups, below = _skip_groups(view)
    channels = _channel_labels()
    by_channel = Counter(p.channel for p in view.plan.planned)
    can_send_now = at is None and can_send(request.user, campaign)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "at": view.plan.at,
        "at_text": at_text,
        "is_now": at is None,
        "user_tz": user_tz,
        "planned_count": len(rows),
        "planned_by_channel": [
            (channels.get(code, code), n) for code, n in sorted(by_channel.items())
        ],
        "skipped_count": len(view.plan.skipped),
        "skipped_by_reason": [(g.code, g.label, g.count) for g in skip_groups],
        "days": _by_day(rows),
        "skip_groups": skip_groups,
        "below_line": below,
        "cut": None if view.plan.cut is None else priority_text(view.plan.cut),
        "saved": _saved(campaign),
        "can_save": at is None and can_edit(request.user, campaign),
        "can_send": can_send_now,
        "due_emails": _due_emails(campaign, request.user).count() if can_send_now else 0,
    }
    return render(request, "followups/plan/plan.html", context)


@gated(Cap.EDIT_CAMPAIGNS, POST)
def campaign_plan_save(request: HttpRequest, pk: int) -> HttpResponse:
    """The plan now, written for the call desk (what someone has in hand or
    has done stays as it is)."""
    campaign = _campaign(request, pk)
    if not can_edit(request.user, campaign):
        raise PermissionDenied(
            _("Only the campaign's manager, its team and account managers may change it.")
        )
    view = services.refresh(request.user, campaign)
    count = sum(1 for p in view.plan.planned if not p.claimed)
    messages.success(
        request,
        ngettext(
            "%(count)d follow-up saved for the call desk.",
            "%(count)d follow-ups saved for the call desk.",
            count,
        )
        % {"count": count},
    )
    return redirect("followups:campaign_plan", pk=campaign.pk)


@gated(Cap.SEND_CAMPAIGNS, POST)
def campaign_plan_send(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the saved e-mail follow-ups that are due; each refusal (an
    address that bounced since, someone else on it) named by contact."""
    campaign = _campaign(request, pk)
    require_send(request.user, campaign)
    rows = list(_due_emails(campaign, request.user).select_related("contact").order_by("id"))
    if not rows:
        messages.info(
            request,
            _("No e-mail follow-up is due today. Save the plan for the call desk first."),
        )
        return redirect("followups:campaign_plan", pk=campaign.pk)
    sent, refused = 0, []
    for row in rows:
        try:
            services.send_written(request.user, row)
        except services.AlreadyClaimed as exc:
            refused.append((row.contact.full_name, str(exc)))
        except (ValidationError, PermissionDenied) as exc:
            text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            refused.append((row.contact.full_name, text))
        else:
            sent += 1
    if sent:
        messages.success(
            request,
            ngettext(
                "%(count)d e-mail follow-up queued.", "%(count)d e-mail follow-ups queued.", sent
            )
            % {"count": sent},
        )
    for name, text in refused:
        messages.error(request, _("%(name)s: %(error)s") % {"name": name, "error": text})
    return redirect("followups:campaign_plan", pk=campaign.pk)


# --- Check-in --------------------------------------------------------------------------


def _event(request: HttpRequest, pk: int) -> Campaign:
    campaign = _campaign(request, pk)
    if not campaign.is_event:
        raise Http404  # a release has nobody at the door
    return campaign


@gated(Cap.VIEW_MEDIA, READ)
def checkin_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _event(request, pk)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "arrivals": checkin.arrivals(request.user, campaign),
        "counts": checkin.counts(campaign),
        "can_mark": checkin.can_mark(request.user),
    }
    return render(request, "followups/plan/checkin.html", context)


@gated(Cap.EDIT_MEDIA, POST)
def checkin_mark(request: HttpRequest, pk: int, recipient_id: int) -> HttpResponse:
    campaign = _event(request, pk)
    recipient = get_object_or_404(
        Recipient.objects.select_related("campaign", "contact"),
        pk=recipient_id,
        campaign=campaign,
        contact__erased_at__isnull=True,
    )
    came = request.POST.get("came", "")
    error = ""
    if came not in ("0", "1"):
        error = _("Say whether they came.")
    else:
        try:
            checkin.mark(request.user, recipient, came == "1")
        except ValidationError as exc:
            error = " ".join(exc.messages)
    if request.htmx:  # type: ignore[attr-defined]
        context = {
            "campaign": campaign,
            "a": checkin.arrival(recipient),
            "counts": checkin.counts(campaign),
            "can_mark": True,
            "error": error,
            "oob": True,
        }
        # 200 even with an error: htmx swaps only successful answers, and
        # the row must say why the tap did nothing.
        return render(request, "followups/plan/_checkin_row.html", context)
    if error:
        messages.error(request, error)
    return redirect("followups:checkin", pk=campaign.pk)


# --- Overview --------------------------------------------------------------------------


@gated(Cap.EDIT_ALL_CAMPAIGNS, READ)
def overview(request: HttpRequest) -> HttpResponse:
    data = overview_service.overview(request.user)
    return render(request, "followups/plan/overview.html", {"nav": "overview", "overview": data})


# --- The policy --------------------------------------------------------------------------

# The settings page's sections; a field added to Policy later and not listed
# here shows under "Other" rather than not at all.
POLICY_GROUPS: list[tuple[Any, tuple[str, ...]]] = [
    (
        gettext_lazy("Timing"),
        (
            "press_conference_hours",
            "event_days_before",
            "event_hours",
            "daily_hours",
            "evening_close",
            "weekly_days_min",
            "weekly_days_max",
            "monthly_days_min",
            "monthly_days_max",
            "release_hours",
            "broadcast_hours",
            "blog_days",
            "late_days",
        ),
    ),
    (
        gettext_lazy("Protecting journalists (agency-wide caps)"),
        (
            "followups_per_campaign",
            "calls_per_period",
            "call_period_days",
            "days_between_calls",
            "no_answer_retries",
        ),
    ),
    (gettext_lazy("Who calls"), ("relationship_strength", "top_tier")),
    (
        gettext_lazy("Priority"),
        (
            "weight_relevance",
            "weight_audience",
            "weight_engagement",
            "weight_relationship",
            "weight_responsiveness",
            "min_priority",
        ),
    ),
]


@dataclass
class PolicyField:
    name: str
    label: str
    help: str
    kind: str  # hours, int, float
    value: str
    default: str
    low: float
    high: float
    errors: list[str]

    @property
    def changed(self) -> bool:
        return self.value != self.default


def _kind(spec: Any) -> str:
    if spec.type in ("Hours", Hours):
        return "hours"
    return "int" if spec.type in ("int", int) else "float"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _policy_sections(
    current: Policy, posted: dict[str, str] | None, errors: dict[str, list[str]]
) -> list[tuple[str, list[PolicyField]]]:
    default = Policy()
    fields = {}
    for spec in settings_fields():
        meta = spec.metadata
        fields[spec.name] = PolicyField(
            name=spec.name,
            label=str(meta.get("label", spec.name)),
            help=str(meta.get("help", "")),
            kind=_kind(spec),
            value=posted[spec.name]
            if posted is not None and spec.name in posted
            else _text(getattr(current, spec.name)),
            default=_text(getattr(default, spec.name)),
            low=meta.get("low", 0),
            high=meta.get("high", 100),
            errors=errors.get(spec.name, []),
        )
    sections = []
    listed: set[str] = set()
    for title, names in POLICY_GROUPS:
        items = [fields[n] for n in names if n in fields]
        listed.update(names)
        if items:
            sections.append((str(title), items))
    rest = [f for n, f in fields.items() if n not in listed]
    if rest:
        sections.append((_("Other"), rest))
    return sections


@gated(Cap.MANAGE_AGENCY, WRITE)
def policy_page(request: HttpRequest) -> HttpResponse:
    current = services.current_policy()
    posted: dict[str, str] | None = None
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        reset = request.POST.get("reset", "")
        names = [spec.name for spec in settings_fields()]
        if reset == "__all__":
            values: dict[str, Any] = {}
        elif reset:
            if reset not in names:
                messages.error(request, _("Unknown setting."))
                return redirect("followups:policy")
            values = current.to_values()
            values.pop(reset, None)
        else:
            posted = {name: request.POST.get(name, "").strip() for name in names}
            values = dict(posted)
        try:
            services.save_policy(request.user, values)
        except ValidationError as exc:
            errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
            if posted is None:  # a reset that the rest of the policy refuses
                posted = {k: _text(v) for k, v in values.items()}
        else:
            messages.success(
                request,
                _("All settings are back to their defaults.")
                if reset == "__all__"
                else _("Setting back to its default.")
                if reset
                else _("Follow-up policy saved."),
            )
            return redirect("followups:policy")
    context = {
        "nav": "agency",
        "sections": _policy_sections(current, posted, errors),
        "errors": errors,
        "error_count": len(errors),
        "general_errors": errors.get("__all__", []),
        "custom": bool(current.to_values()),
    }
    return render(request, "followups/plan/policy.html", context, status=400 if errors else 200)
