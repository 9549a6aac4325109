"""The journalist's pages, reached from the links in campaign messages: no
account, no login, in the journalist's language (relance.outreach.links)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from relance.accounts.models import Agency, Language
from relance.campaigns.models import Rsvp
from relance.campaigns.recipients import MAX_GUESTS
from relance.contacts.models import Beat
from relance.contacts.services import preferences
from relance.contacts.services.contacts import set_opt_out
from relance.outreach import invitations, links, tracking
from relance.outreach.models import OutboxMessage


class PreferencesForm(forms.Form):
    unsubscribe = forms.BooleanField(
        label=_("Unsubscribe: receive no more messages from this agency"), required=False
    )
    no_calls = forms.BooleanField(label=_("Please do not call me"), required=False)
    paused_until = forms.DateField(
        label=_("Send me nothing until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    language = forms.ChoiceField(label=_("Language of the messages"), choices=Language.choices)
    beats = forms.ModelMultipleChoiceField(
        label=_("The subjects I cover"),
        # By folded name: "Énergie" among the E's, not after "Vin".
        queryset=Beat.objects.order_by("key"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


def _bad_link(request: HttpRequest, exc: links.BadLink) -> HttpResponse:
    return render(
        request,
        "outreach/link_invalid.html",
        {"expired": exc.expired},
        status=410 if exc.expired else 400,
    )


def _language(row: OutboxMessage, request: HttpRequest) -> str:
    wanted = request.GET.get("lang", "")
    return wanted if wanted in Language.values else (row.contact.language or "fr")


@require_http_methods(["GET", "POST"])
def preferences_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = links.row_for(token)
    except links.BadLink as exc:
        return _bad_link(request, exc)
    contact = row.contact
    with translation.override(_language(row, request)):
        saved = request.method == "GET" and request.GET.get("saved") == "1"
        status = 200
        if request.method == "POST":
            form = PreferencesForm(request.POST)
            if form.is_valid():
                data = form.cleaned_data
                choice = preferences.OwnPreferences(
                    opted_out=data["unsubscribe"],
                    accepts_phone=not data["no_calls"],
                    paused_until=data["paused_until"],
                    language=data["language"],
                    beats=[b.pk for b in data["beats"]],
                )
                try:
                    preferences.save_own_preferences(contact, choice)
                    # Shown again in the language just chosen.
                    return redirect(f"{request.path}?saved=1")
                except ValidationError as exc:
                    problems = (
                        exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
                    )
                    for name, messages in problems.items():
                        for message in messages:
                            form.add_error(name if name in form.fields else None, message)
            status = 400
        if request.method == "GET":
            now = preferences.current(contact)
            form = PreferencesForm(
                initial={
                    "unsubscribe": now.opted_out,
                    "no_calls": not now.accepts_phone,
                    "paused_until": now.paused_until,
                    "language": now.language,
                    "beats": now.beats,
                }
            )
        return render(
            request,
            "outreach/preferences.html",
            {
                "form": form,
                "saved": saved,
                "contact": contact,
                "agency": Agency.current().name,
                "today": timezone.localdate(),
            },
            status=status,
        )


# Mail programs post here without a page or a cookie (RFC 8058 one-click):
# the signed link is the only authority, so CSRF protection does not apply.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def unsubscribe_page(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = links.row_for(token)
    except links.BadLink as exc:
        return _bad_link(request, exc)
    with translation.override(_language(row, request)):
        done = False
        # A GET only asks: link checkers and previews open links by themselves.
        if request.method == "POST":
            set_opt_out(None, row.contact, True, by_journalist=True)
            done = True
        return render(
            request,
            "outreach/unsubscribe.html",
            {
                "done": done,
                "agency": Agency.current().name,
                "preferences_url": links.for_row(row.pk).preferences,
            },
        )


# --- Invitations: the answer page and the calendar file -----------------------------------


class RsvpForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your answer"),
        choices=[("yes", _("Yes, I will come")), ("maybe", _("Maybe")), ("no", _("No, I cannot"))],
        widget=forms.RadioSelect,
    )
    guests = forms.IntegerField(
        label=_("People coming with you (photographer, camera crew)"),
        min_value=0,
        max_value=MAX_GUESTS,
        initial=0,
        required=False,
    )
    note = forms.CharField(
        label=_("A word for the press officer (optional)"),
        required=False,
        max_length=invitations.MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@require_http_methods(["GET", "POST"])
def rsvp_page(request: HttpRequest, token: str) -> HttpResponse:
    """The journalist's answer to an invitation. The links of the message
    open it with the answer chosen; it is recorded when confirmed (POST)."""
    try:
        row = links.row_for(token)
    except links.BadLink as exc:
        return _bad_link(request, exc)
    recipient = row.recipient
    campaign = recipient.campaign
    with translation.override(_language(row, request)):
        zone = invitations.event_timezone(campaign)
        context: dict[str, object] = {
            "campaign": campaign,
            "agency": Agency.current().name,
            "recipient": recipient,
            "zone": zone,
            "starts": timezone.localtime(campaign.event_at, zone) if campaign.event_at else None,
            "ends": timezone.localtime(campaign.event_end, zone) if campaign.event_end else None,
            "ics_url": links.for_row(row.pk).rsvp + "event.ics",
            "preferences_url": links.for_row(row.pk).preferences,
            "over": invitations.is_over(campaign),
            "is_event": campaign.is_event,
            "saved": request.GET.get("saved") == "1",
        }
        status = 200
        if request.method == "POST":
            form = RsvpForm(request.POST)
            if form.is_valid():
                try:
                    answer = invitations.clean_answer(form.cleaned_data)
                    invitations.respond(recipient, answer)
                    return redirect(f"{request.path}?saved=1")
                except ValidationError as exc:
                    for message in exc.messages:
                        form.add_error(None, message)
            status = 400
        else:
            wanted = request.GET.get("answer", "")
            form = RsvpForm(
                initial={
                    "answer": wanted if wanted in Rsvp.values else recipient.rsvp or None,
                    "guests": recipient.guests,
                    "note": recipient.rsvp_note,
                }
            )
        context["form"] = form
        return render(request, "outreach/rsvp.html", context, status=status)


def event_ics(request: HttpRequest, token: str) -> HttpResponse:
    try:
        row = links.row_for(token)
    except links.BadLink as exc:
        return _bad_link(request, exc)
    campaign = row.campaign
    if not campaign.is_event or campaign.event_at is None:
        return _bad_link(request, links.BadLink(expired=False))
    response = HttpResponse(invitations.ics(campaign), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{invitations.ICS_FILENAME}"'
    return response


# --- Tracking ------------------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD"])
def click(request: HttpRequest, token: str) -> HttpResponse:
    """The redirect behind every link of a campaign message. HEAD requests
    (link checkers) are sent on without being counted."""
    target = tracking.click_target(token)
    if target is None:
        return _bad_link(request, links.BadLink(expired=False))
    if request.method == "GET":
        tracking.record_click(target)
    response = HttpResponseRedirect(target.url)
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response


@require_http_methods(["GET", "HEAD"])
def pixel(request: HttpRequest, token: str) -> HttpResponse:
    """The open-tracking image: always the same transparent pixel, counted
    when the token is good (never an error page inside a message)."""
    if request.method == "GET":
        tracking.record_open(token)
    response = HttpResponse(tracking.PIXEL, content_type="image/gif")
    response["Cache-Control"] = "no-store, private"
    return response
