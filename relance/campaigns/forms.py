"""Forms of the campaign pages. They collect what the user typed; the
service validates (the same messages as the API) and its field errors are put
back next to the inputs (`relance.contacts.forms.apply_errors`)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Language, User
from relance.campaigns import services
from relance.campaigns.models import Campaign, CampaignKind
from relance.contacts.forms import apply_errors

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


def _label(name: str):
    return lazy(lambda: capfirst(Campaign._meta.get_field(name).verbose_name), str)()


def _local_input(value) -> str:
    return timezone.localtime(value).strftime(DATETIME_INPUT) if value else ""


def _person(user: User) -> str:
    full = user.get_full_name()
    return f"{full} ({user.username})" if full else user.username


class CampaignForm(forms.Form):
    client_id = forms.ChoiceField(label=_label("client"))
    title = forms.CharField(label=_label("title"), required=False)
    kind = forms.ChoiceField(label=_label("kind"), choices=CampaignKind.choices)
    language = forms.ChoiceField(label=_label("language"), choices=Language.choices)
    summary = forms.CharField(
        label=_label("summary"),
        required=False,
        help_text=_("Two or three sentences: what the campaign announces, for the team."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    body = forms.CharField(
        label=_label("body"),
        required=False,
        help_text=_(
            "The text of the release or invitation. Plain text keeps its paragraphs; simple"
            " HTML is kept too (paragraphs, bold, italics, lists, links, subheadings, quotes),"
            " anything else is removed."
        ),
        widget=forms.Textarea(attrs={"rows": 14}),
    )
    key_messages = forms.CharField(
        label=_label("key_messages"),
        required=False,
        help_text=_("One per line: what every journalist should remember."),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    talking_points = forms.CharField(
        label=_label("talking_points"),
        required=False,
        help_text=_("One per line: short sentences to say on the phone, straight to the point."),
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    products = forms.CharField(
        label=_label("products"),
        required=False,
        help_text=_(
            "One per line: products, services or spokespeople the coverage should name."
            " Coverage monitoring looks for them with the client's names."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    embargo_until = forms.CharField(
        label=_label("embargo_until"),
        required=False,
        help_text=_("Nothing may be published before this moment. Leave empty without embargo."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_at = forms.CharField(
        label=_label("event_at"),
        required=False,
        help_text=_("Events and press conferences only."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_ends_at = forms.CharField(
        label=_label("event_ends_at"),
        required=False,
        help_text=_("Optional: for the calendar file (two hours, one for a press conference)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    event_place = forms.CharField(
        label=_label("event_place"),
        required=False,
        help_text=_("Events and press conferences only: the address journalists come to."),
    )
    manager = forms.ChoiceField(label=_label("manager"))
    team = forms.MultipleChoiceField(
        label=_label("team"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Who works on it and makes the calls."),
    )

    def __init__(
        self,
        *args: Any,
        actor: User,
        campaign: Campaign | None = None,
        clients=None,
        **kwargs: Any,
    ) -> None:
        self.actor = actor
        self.campaign = campaign
        if campaign is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "client_id": str(campaign.client_id),
                "title": campaign.title,
                "kind": campaign.kind,
                "language": campaign.language,
                "summary": campaign.summary,
                "body": campaign.body,
                "key_messages": "\n".join(campaign.key_messages),
                "talking_points": "\n".join(campaign.talking_points),
                "products": "\n".join(campaign.products),
                "embargo_until": _local_input(campaign.embargo_until),
                "event_at": _local_input(campaign.event_at),
                "event_ends_at": _local_input(campaign.event_ends_at),
                "event_place": campaign.event_place,
                "manager": campaign.manager.username if campaign.manager else "",
                "team": list(campaign.team.values_list("username", flat=True)),
            }
        super().__init__(*args, **kwargs)
        self.fields["client_id"].choices = [
            ("", "—"),
            *((str(c.pk), c.name) for c in clients or []),
        ]
        managers = list(services.possible_managers())
        if campaign is not None and campaign.manager and campaign.manager not in managers:
            managers.append(campaign.manager)  # shown, so the form says why it is refused
        self.fields["manager"].choices = [("", "—"), *((u.username, _person(u)) for u in managers)]
        if campaign is None and not self.is_bound:
            self.initial.setdefault("manager", actor.username)
        self.fields["team"].choices = [
            (u.username, f"{_person(u)} · {u.get_role_display()}") for u in services.possible_team()
        ]
        self.service_data: dict[str, Any] = {}

    def clean(self):
        data = super().clean()
        values = {name: data.get(name) for name in services.FIELDS if name in data}
        self.service_data = values
        return data

    def save(self) -> Campaign | None:
        try:
            if self.campaign is None:
                return services.create_campaign(self.actor, self.service_data)
            return services.update_campaign(self.actor, self.campaign, self.service_data)
        except ValidationError as exc:
            apply_errors(self, exc)
            return None


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File (PDF or image)"),
        widget=forms.ClearableFileInput(
            attrs={"accept": "application/pdf,image/png,image/jpeg,image/gif,image/webp"}
        ),
    )
    title = forms.CharField(
        label=_("Title"),
        required=False,
        help_text=_("Left empty: the file's name."),
    )
