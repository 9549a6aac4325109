"""The call desk: "My calls today", the call sheet, one-click outcomes.

Thin callers of `relance.followups.services`: the claim, the outcome and
its re-plan, and the journalist's current choices are all decided there.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relance.accounts.models import Agency, User
from relance.accounts.permissions import Cap
from relance.campaigns.models import Recipient
from relance.campaigns.views import POST, READ, gated
from relance.contacts.models import ContactPhone
from relance.followups import services
from relance.followups.models import FollowUp, FollowUpState
from relance.followups.reasons import texts
from relance.interactions.models import Interaction
from relance.outreach.models import OutboxKind, OutboxMessage

PRONUNCIATION = ("prononciation", "pronunciation", "se prononce")


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _day(request: HttpRequest) -> date:
    text = request.GET.get("day", "")
    if not text:
        return timezone.localdate()
    try:
        return date.fromisoformat(text)
    except ValueError:
        messages.error(request, _("“%(value)s” is not a date like 2026-03-09.") % {"value": text})
        return timezone.localdate()


def _tz(row: FollowUp) -> ZoneInfo:
    outlet = row.contact.outlet
    return ZoneInfo(outlet.timezone if outlet and outlet.timezone else "Europe/Paris")


def _rows(user: User, day: date) -> list[dict[str, Any]]:
    rows = services.my_calls(user, day)
    pressure = services.pressure({r.via_id or r.contact_id for r in rows})
    mine = timezone.get_current_timezone()
    out = []
    for row in rows:
        tz = _tz(row)
        start, end = row.window_start.astimezone(tz), row.window_end.astimezone(tz)
        out.append(
            {
                "row": row,
                "start": start,
                "end": end,
                "zone": str(tz)
                if start.utcoffset() != row.window_start.astimezone(mine).utcoffset()
                else "",
                "reasons": texts(row.reasons)[:2],
                "pressure": pressure.get(row.via_id or row.contact_id),
                "mine": row.state == FollowUpState.CLAIMED and row.claimed_by_id == user.pk,
            }
        )
    return out


def _next_day_with_calls(user: User, day: date) -> date | None:
    _start, end = services.day_bounds(day, user)
    row = (
        services.allowed_now(FollowUp.objects.filter(assignee=user, state__in=services.OPEN))
        .filter(window_start__gte=end)
        .order_by("window_start")
        .first()
    )
    if row is None:
        return None
    return row.window_start.astimezone(ZoneInfo(user.time_zone or "Europe/Paris")).date()


@gated(Cap.EDIT_MEDIA, READ)
def my_calls(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    day = _day(request)
    rows = _rows(user, day)
    context = {
        "nav": "calls",
        "day": day,
        "today": day == timezone.localdate(),
        "rows": rows,
        "calls": sum(1 for r in rows if r["row"].channel == "phone"),
        "capacity": user.daily_call_capacity,
        "next_day": None if rows else _next_day_with_calls(user, day),
        "previous": day - timedelta(days=1),
        "following": day + timedelta(days=1),
    }
    template = "followups/desk/_list.html" if request.htmx else "followups/desk/my_calls.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _followup(request: HttpRequest, pk: int) -> FollowUp:
    qs = services.visible_followups(request.user).select_related(
        "contact__outlet",
        "contact__show",
        "campaign__client",
        "campaign__manager",
        "via",
        "assignee",
        "claimed_by",
    )
    return get_object_or_404(qs, pk=pk)


def pronunciation(notes: str) -> str:
    """The contact's pronunciation note: a line of their notes that starts
    with "Prononciation :" or "Pronunciation:" (the notes are where teams
    already keep it)."""
    for line in (notes or "").splitlines():
        if line.strip().casefold().startswith(PRONUNCIATION):
            return line.split(":", 1)[-1].strip() if ":" in line else line.strip()
    return ""


def opening_line(row: FollowUp, caller: User) -> str:
    """An angle for the first sentence: who calls, for whom, and the one
    thing that might interest this journalist — never "did you get my
    release?"."""
    campaign = row.campaign
    contact = row.via or row.contact
    agency = Agency.current().name
    hook = campaign.talking_points[0] if campaign.talking_points else campaign.summary
    values = {
        "first_name": contact.first_name or contact.last_name,
        "caller": caller.first_name or caller.username,
        "agency": agency,
        "client": campaign.client.name,
        "title": campaign.title,
        "hook": (hook or campaign.title).rstrip(". "),
    }
    if campaign.is_event:
        return (
            _(
                "Hello %(first_name)s, %(caller)s from %(agency)s. I am calling about "
                "%(title)s for %(client)s: %(hook)s. Can I count on you, or on someone "
                "from your desk?"
            )
            % values
        )
    if row.via_id:
        values["host"] = row.contact.full_name
        return (
            _(
                "Hello %(first_name)s, %(caller)s from %(agency)s. I have a subject for "
                "%(host)s's show: %(hook)s. Who should I talk to about it?"
            )
            % values
        )
    return (
        _(
            "Hello %(first_name)s, %(caller)s from %(agency)s, for %(client)s. A quick "
            "idea for you: %(hook)s. Would an interview or figures help you?"
        )
        % values
    )


def _sheet_context(request: HttpRequest, row: FollowUp, **extra: Any) -> dict[str, Any]:
    user = _user(request)
    callee = row.via or row.contact
    phones = list(ContactPhone.objects.filter(contact=callee).order_by("-is_primary", "id"))
    recipient = Recipient.objects.filter(campaign=row.campaign, contact=row.contact).first()
    history = list(
        Interaction.objects.filter(contact_id__in={row.contact_id, callee.pk})
        .exclude(outcome__in=("opened", "clicked"))
        .select_related("campaign", "user")
        .order_by("-at", "-id")[:10]
    )
    followup_mails = list(
        OutboxMessage.objects.filter(
            campaign=row.campaign, contact=row.contact, kind=OutboxKind.FOLLOWUP
        ).order_by("-queued_at")[:3]
    )
    pressure = services.pressure([callee.pk]).get(callee.pk)
    tz = _tz(row)
    fresh = row.claimed_at is not None and row.claimed_at > timezone.now() - services.CLAIM_TIMEOUT
    taken = row.state == FollowUpState.CLAIMED and row.claimed_by_id != user.pk and fresh
    outlet = row.contact.outlet
    return {
        "nav": "calls",
        "row": row,
        "campaign": row.campaign,
        "contact": row.contact,
        "callee": callee,
        "outlet": outlet,
        "phones": phones,
        "recipient": recipient,
        "history": history,
        "followup_mails": followup_mails,
        "pressure": pressure,
        "start": row.window_start.astimezone(tz),
        "end": row.window_end.astimezone(tz),
        "zone": str(tz),
        "reasons": texts(row.reasons),
        "pronunciation": pronunciation(callee.notes),
        # Said in the journalist's language, whatever the caller's screen.
        "opening": _in_language(callee.language, opening_line, row, user),
        "outcomes": services.outcome_choices(row.campaign),
        "taken": taken,
        "mine": row.state == FollowUpState.CLAIMED and row.claimed_by_id == user.pk,
        "done": row.state == FollowUpState.DONE,
        "can_call": services.can_call(user, row),
        "closing_day": _weekday(outlet.closing_weekday) if outlet else "",
        "errors": {},
        "general_errors": [],
        "values": {},
        **extra,
    }


def _in_language(language: str, make: Any, *args: Any) -> str:
    with translation.override(language or "fr"):
        return str(make(*args))


def _weekday(value: int | None) -> str:
    from django.utils.dates import WEEKDAYS

    return str(WEEKDAYS[value]) if value is not None and 0 <= value <= 6 else ""


@gated(Cap.EDIT_MEDIA, READ)
def call_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    row = _followup(request, pk)
    return render(request, "followups/desk/call_sheet.html", _sheet_context(request, row))


@gated(Cap.EDIT_MEDIA, POST)
def claim(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the call: the follow-up is ours, or someone else's already."""
    row = _followup(request, pk)
    try:
        services.claim(request.user, row.pk)
    except services.AlreadyClaimed as exc:
        messages.warning(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("calls:my_calls")
    return redirect("calls:call_sheet", pk=row.pk)


def _call_back_at(text: str) -> datetime | str:
    """A `datetime-local` value, read in the user's time zone."""
    text = (text or "").strip()
    if not text:
        return ""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text  # the service names the problem
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_current_timezone())
    return moment


@gated(Cap.EDIT_MEDIA, POST)
def outcome(request: HttpRequest, pk: int) -> HttpResponse:
    row = _followup(request, pk)
    data = request.POST
    try:
        services.record_outcome(
            request.user,
            row,
            data.get("outcome", ""),
            notes=data.get("notes", ""),
            call_back_at=_call_back_at(data.get("call_back_at", "")),
            suggested=data.get("suggested", ""),
        )
    except services.AlreadyClaimed as exc:
        messages.warning(request, str(exc))
        return redirect("calls:call_sheet", pk=row.pk)
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        general = exc.messages if not errors else errors.get("__all__", [])
        context = _sheet_context(request, row, errors=errors, general_errors=general, values=data)
        return render(request, "followups/desk/call_sheet.html", context, status=400)
    labels = {value: label for value, label, _key in services.outcome_choices(row.campaign)}
    label = labels.get(data.get("outcome", ""), "")
    messages.success(
        request, _("%(name)s: %(outcome)s.") % {"name": row.contact.full_name, "outcome": label}
    )
    return redirect(reverse("calls:my_calls"))


@gated(Cap.EDIT_MEDIA, POST)
def release(request: HttpRequest, pk: int) -> HttpResponse:
    row = _followup(request, pk)
    services.release(request.user, row)
    return redirect("calls:my_calls")


@gated(Cap.EDIT_MEDIA, POST)
def send(request: HttpRequest, pk: int) -> HttpResponse:
    """A written follow-up: the e-mail queued, or the social message marked sent."""
    row = _followup(request, pk)
    try:
        services.send_written(request.user, row, notes=request.POST.get("notes", ""))
    except services.AlreadyClaimed as exc:
        messages.warning(request, str(exc))
    except (ValidationError, PermissionDenied) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        messages.error(request, text)
    else:
        if row.channel == "email":
            messages.success(
                request,
                _("Follow-up e-mail queued for %(name)s.") % {"name": row.contact.full_name},
            )
        else:
            messages.success(request, _("Marked as sent."))
    return redirect("calls:my_calls")
