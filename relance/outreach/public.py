"""The journalist's pages, reached from the links in campaign messages: no
account, no login, in the journalist's language (relance.outreach.links)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from relance.accounts.models import Agency, Language
from relance.contacts.models import Beat
from relance.contacts.services import preferences
from relance.contacts.services.contacts import set_opt_out
from relance.outreach import links
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
