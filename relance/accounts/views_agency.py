"""The agency's settings page (directors): name, colour, language, and
whether campaign messages count opens and clicks. A thin caller of
`relance.accounts.services.update_agency`."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts import services
from relance.accounts.models import Agency, Language
from relance.accounts.permissions import Cap
from relance.accounts.views_team import WRITE, gated, put_errors


class AgencyForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    primary_color = forms.CharField(
        label=gettext_lazy("Colour"),
        max_length=7,
        help_text=gettext_lazy("For reports and the press room, like #1d4ed8."),
        widget=forms.TextInput(attrs={"size": 8}),
    )
    default_language = forms.ChoiceField(
        label=gettext_lazy("Default language"), choices=Language.choices
    )
    track_opens = forms.BooleanField(
        label=gettext_lazy("Count opens (a tracking image in each message)"),
        required=False,
        help_text=gettext_lazy(
            "Approximate, and some journalists and clients object to it. Switched off, messages"
            " carry no image and opens are no longer counted."
        ),
    )
    track_clicks = forms.BooleanField(
        label=gettext_lazy("Count clicks (links pass through Relance)"),
        required=False,
        help_text=gettext_lazy("Switched off, links go straight to their address."),
    )
    logo = forms.FileField(
        label=gettext_lazy("Logo"),
        required=False,
        help_text=gettext_lazy(
            "On the cover of the reports: PNG, JPEG, GIF or WebP, 512 KB at most."
        ),
    )
    remove_logo = forms.BooleanField(label=gettext_lazy("Remove the logo"), required=False)


@gated(Cap.MANAGE_AGENCY, WRITE)
def agency_settings(request: HttpRequest) -> HttpResponse:
    agency = Agency.current()
    if request.method == "POST":
        form = AgencyForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                services.update_agency(request.user, form.cleaned_data)
            except ValidationError as exc:
                put_errors(form, exc, {})
            else:
                messages.success(request, _("Settings saved."))
                return redirect("agency_settings")
    else:
        initial: dict[str, Any] = {name: getattr(agency, name) for name in services.AGENCY_FIELDS}
        form = AgencyForm(initial=initial)
    context = {"nav": "agency", "form": form, "agency": agency}
    return render(request, "accounts/agency.html", context)
