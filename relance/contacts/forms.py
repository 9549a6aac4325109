"""Forms of the media database pages.

They only collect what the user typed: validation belongs to the services
(`relance.contacts.validation`, `services.outlets.clean_outlet`…), which the
API and the import use too, so a message is the same everywhere. `clean()`
runs the service's validation and `save()` calls the service's write; the
service's field errors are mapped back onto the form fields so they show next
to the input, in the user's language. The services are atomic: a form that
comes back with errors has written nothing.
"""

from __future__ import annotations

from itertools import zip_longest
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.functional import lazy
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from relance.accounts.models import Client, Language, Role, User
from relance.contacts.models import (
    Channel,
    Contact,
    ContactRole,
    LegalBasis,
    ListKind,
    MediaList,
    Outlet,
    OutletKind,
    Periodicity,
    Relationship,
    Show,
    Tier,
    Weekday,
)
from relance.contacts.services import contacts as contact_services
from relance.contacts.services import lists as list_services
from relance.contacts.services import outlets as outlet_services
from relance.contacts.validation import SOCIAL_NETWORKS, clean_contact
from relance.lib.phones import display

# Time zones offered for outlets (free text is accepted too, checked by the service).
COMMON_TIMEZONES = (
    "Europe/Paris",
    "America/Montreal",
    "America/Toronto",
    "America/Vancouver",
    "America/Halifax",
    "America/Winnipeg",
    "America/Edmonton",
    "America/Moncton",
    "Europe/Brussels",
    "Europe/Zurich",
    "Europe/Luxembourg",
    "Europe/London",
    "America/New_York",
    "Indian/Reunion",
    "America/Martinique",
    "America/Guadeloupe",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Africa/Dakar",
    "Africa/Casablanca",
)


def _label(model: type[Model], name: str):
    """The model's translated verbose name, capitalised (one string to translate)."""
    return lazy(lambda: capfirst(model._meta.get_field(name).verbose_name), str)()


def apply_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str] | None = None):
    """Put a service's ValidationError on the form: each message on the field
    it names (through `aliases` when the form calls it differently), the rest
    at the top of the form."""
    aliases = {"email": "emails", "phone": "phones", **(aliases or {})}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, messages in exc.message_dict.items():
        target = aliases.get(name, name)
        for message in messages:
            if target in form.fields:
                if target not in form.errors or message not in form.errors[target]:
                    form.add_error(target, message)
            else:
                form.add_error(None, message)


# --- Contacts ----------------------------------------------------------------


class EntriesWidget(forms.Widget):
    """Repeated rows of inputs (`emails-address`, `emails-label`, one
    `emails-primary` radio holding the row's index) read as a list of dicts.
    Rows left blank are dropped, so removing a row is emptying it."""

    def __init__(self, key: str, attrs: dict | None = None):
        super().__init__(attrs)
        self.key = key

    def value_from_datadict(self, data, files, name):
        values = data.getlist(f"{name}-{self.key}") if hasattr(data, "getlist") else []
        labels = data.getlist(f"{name}-label") if hasattr(data, "getlist") else []
        primary = data.get(f"{name}-primary", "")
        rows = []
        for index, (value, label) in enumerate(zip_longest(values, labels, fillvalue="")):
            if not str(value).strip():
                continue
            rows.append(
                {
                    self.key: str(value).strip(),
                    "label": str(label).strip(),
                    "is_primary": primary == str(index),
                }
            )
        return rows

    def value_omitted_from_data(self, data, files, name):
        return False


class EntriesField(forms.Field):
    def __init__(self, key: str, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(widget=EntriesWidget(key), **kwargs)

    def to_python(self, value):
        return list(value or [])


def team_members():
    return User.objects.filter(is_active=True).exclude(role=Role.CLIENT_VIEWER)


class ContactForm(forms.Form):
    first_name = forms.CharField(label=_label(Contact, "first_name"), required=False)
    last_name = forms.CharField(label=_label(Contact, "last_name"), required=False)
    role = forms.ChoiceField(label=_label(Contact, "role"), choices=ContactRole.choices)
    title = forms.CharField(label=_label(Contact, "title"), required=False)
    outlet_id = forms.CharField(label=_label(Contact, "outlet"), required=False)
    show_id = forms.CharField(label=_label(Contact, "show"), required=False)
    language = forms.ChoiceField(label=_label(Contact, "language"), choices=Language.choices)
    beats = forms.CharField(
        label=_label(Contact, "beats"),
        required=False,
        help_text=_("Separate beats with commas: Énergie, Culture, Tech."),
        widget=forms.TextInput(attrs={"list": "beat-options", "autocomplete": "off"}),
    )
    emails = EntriesField("address", label=_("E-mail addresses"))
    phones = EntriesField("number", label=_("Phone numbers"))
    accepts_phone = forms.BooleanField(label=_label(Contact, "accepts_phone"), required=False)
    preferred_channel = forms.ChoiceField(
        label=_label(Contact, "preferred_channel"),
        choices=[("", _("No preference")), *Channel.choices],
        required=False,
    )
    best_hours = forms.CharField(
        label=_label(Contact, "best_hours"),
        required=False,
        help_text=_("In the outlet's time zone, e.g. 09:30-11:30, 14:00-15:30."),
    )
    paused_until = forms.CharField(
        label=_label(Contact, "paused_until"),
        required=False,
        help_text=_("Holidays, “no follow-ups for now”: nobody contacts them before this date."),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    opted_out = forms.BooleanField(label=_label(Contact, "opted_out"), required=False)
    do_not_contact = forms.BooleanField(label=_label(Contact, "do_not_contact"), required=False)
    vip = forms.BooleanField(label=_label(Contact, "vip"), required=False)
    notes = forms.CharField(
        label=_label(Contact, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    legal_basis = forms.ChoiceField(
        label=_label(Contact, "legal_basis"), choices=LegalBasis.choices
    )
    source = forms.CharField(
        label=_label(Contact, "source"),
        required=False,
        help_text=_("Where the details come from: business card, outlet website, import…"),
    )

    def __init__(self, *args, contact: Contact | None = None, **kwargs):
        self.contact = contact
        if contact is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(contact)
        super().__init__(*args, **kwargs)
        for network in SOCIAL_NETWORKS:
            self.fields[f"social_{network}"] = forms.CharField(
                label=self._network_label(network), required=False
            )
        self.service_data: dict[str, Any] = {}
        if contact is not None and contact.opted_out and contact.opted_out_source == "self":
            # The journalist's own "no" is theirs to lift (DESIGN §7): the box
            # is shown ticked and locked, and the service refuses anyway.
            self.fields["opted_out"].disabled = True
            self.fields["opted_out"].help_text = _(
                "They unsubscribed themselves; only they can subscribe again."
            )

    @staticmethod
    def _network_label(network: str) -> str:
        from relance.contacts.templatetags.mediadb import social_label

        return social_label(network)

    @staticmethod
    def initial_for(contact: Contact) -> dict[str, Any]:
        region = contact.outlet.country if contact.outlet_id else "FR"
        initial: dict[str, Any] = {
            name: getattr(contact, name) for name in contact_services.SCALAR_FIELDS
        }
        initial["opted_out"] = contact.opted_out
        initial["beats"] = ", ".join(b.name for b in contact.beats.all())
        initial["emails"] = [
            {"address": e.address, "label": e.label, "is_primary": e.is_primary}
            for e in contact.emails.all()
        ]
        # Numbers of the outlet's country shown nationally, others with their
        # prefix, so that saving the form unchanged reads them back the same.
        initial["phones"] = [
            {"number": display(p.number, region), "label": p.label, "is_primary": p.is_primary}
            for p in contact.phones.all()
        ]
        for network, handle in (contact.social or {}).items():
            initial[f"social_{network}"] = handle
        initial["outlet_id"] = str(contact.outlet_id or "")
        initial["show_id"] = str(contact.show_id or "")
        return initial

    def _rows(self, name: str, key: str) -> list[dict[str, Any]]:
        if self.is_bound:
            raw = self.fields[name].widget.value_from_datadict(
                self.data, None, self.add_prefix(name)
            )
        else:
            raw = self.initial.get(name) or []
        rows = [
            {"value": r.get(key, ""), "label": r.get("label", ""), "primary": bool(r["is_primary"])}
            for r in raw
        ]
        if rows and not any(r["primary"] for r in rows):
            rows[0]["primary"] = True
        # One empty row to type into, even without JavaScript.
        rows.append({"value": "", "label": "", "primary": not rows})
        return rows

    @property
    def email_rows(self):
        return self._rows("emails", "address")

    @property
    def phone_rows(self):
        return self._rows("phones", "number")

    @property
    def social_fields(self):
        return [self[f"social_{n}"] for n in SOCIAL_NETWORKS]

    def clean(self):
        data = super().clean()
        values = {k: v for k, v in data.items() if not k.startswith("social_")}
        values["social"] = {
            n: data.get(f"social_{n}", "") for n in SOCIAL_NETWORKS if data.get(f"social_{n}")
        }
        self.service_data = values
        if self.errors:
            return data
        try:
            clean_contact(
                values,
                region=contact_services.region_for(_as_id(values.get("outlet_id"))),
                partial=self.contact is not None,
            )
        except ValidationError as exc:
            apply_errors(self, exc)
        return data

    def save(self, actor: User) -> Contact | None:
        """Create or update through the service; None (and errors on the
        form) when the service refuses."""
        try:
            if self.contact is None:
                return contact_services.create_contact(actor, self.service_data)
            return contact_services.update_contact(actor, self.contact, self.service_data)
        except ValidationError as exc:
            apply_errors(self, exc)
            return None


def _as_id(value: Any) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class RelationshipForm(forms.Form):
    user = forms.ModelChoiceField(label=_("Team member"), queryset=User.objects.none())
    strength = forms.TypedChoiceField(
        label=_label(Relationship, "strength"),
        coerce=int,
        choices=[
            (0, _("0 · met once")),
            (1, _("1 · knows them")),
            (2, _("2 · good relationship")),
            (3, _("3 · long-standing")),
        ],
        initial=1,
    )
    notes = forms.CharField(label=_("Notes"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = team_members()

    def save(self, actor: User, contact: Contact):
        try:
            return contact_services.set_relationship(
                actor,
                contact,
                self.cleaned_data["user"],
                self.cleaned_data["strength"],
                self.cleaned_data["notes"],
            )
        except ValidationError as exc:
            apply_errors(self, exc)
            return None


# --- Outlets and shows -------------------------------------------------------


def _blank(choices) -> list[tuple[Any, Any]]:
    return [("", "—"), *choices]


class OutletForm(forms.Form):
    name = forms.CharField(label=_label(Outlet, "name"), required=False)
    kind = forms.ChoiceField(label=_label(Outlet, "kind"), choices=OutletKind.choices)
    periodicity = forms.ChoiceField(
        label=_label(Outlet, "periodicity"), choices=Periodicity.choices
    )
    language = forms.ChoiceField(label=_label(Outlet, "language"), choices=Language.choices)
    country = forms.CharField(
        label=_label(Outlet, "country"),
        initial="FR",
        required=False,
        help_text=_("Two letters: FR, CA, BE, CH…"),
        widget=forms.TextInput(attrs={"maxlength": 2, "size": 3, "autocomplete": "off"}),
    )
    region = forms.CharField(label=_label(Outlet, "region"), required=False)
    city = forms.CharField(label=_label(Outlet, "city"), required=False)
    timezone = forms.CharField(
        label=_label(Outlet, "timezone"),
        required=False,
        help_text=_("Left empty: the country's usual time zone."),
        widget=forms.TextInput(attrs={"list": "timezone-options", "autocomplete": "off"}),
    )
    audience = forms.CharField(
        label=_label(Outlet, "audience"),
        required=False,
        help_text=_("Readers, listeners or viewers"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    tier = forms.TypedChoiceField(
        label=_label(Outlet, "tier"), choices=Tier.choices, coerce=int, initial=Tier.MAIN
    )
    closing_weekday = forms.ChoiceField(
        label=_label(Outlet, "closing_weekday"),
        choices=_blank(Weekday.choices),
        required=False,
        help_text=_("The day the issue closes (bouclage): follow-ups that day are wasted."),
    )
    lead_time_days = forms.CharField(
        label=_label(Outlet, "lead_time_days"),
        required=False,
        help_text=_("How far ahead the outlet plans its pages (magazines)."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    website = forms.CharField(label=_label(Outlet, "website"), required=False)
    feed_urls = forms.CharField(
        label=_label(Outlet, "feed_urls"),
        required=False,
        help_text=_("One address per line (RSS or Atom)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    editorial_line = forms.CharField(
        label=_label(Outlet, "editorial_line"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_label(Outlet, "notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, outlet: Outlet | None = None, **kwargs):
        self.outlet = outlet
        if outlet is not None and "initial" not in kwargs:
            initial = {name: getattr(outlet, name) for name in outlet_services.OUTLET_DEFAULTS}
            initial["feed_urls"] = "\n".join(outlet.feed_urls or [])
            initial["closing_weekday"] = (
                "" if outlet.closing_weekday is None else str(outlet.closing_weekday)
            )
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        values = dict(data)
        values["feed_urls"] = [u for u in (data.get("feed_urls") or "").split() if u]
        self.service_data = values
        try:
            outlet_services.clean_outlet(values, partial=self.outlet is not None)
        except ValidationError as exc:
            apply_errors(self, exc)
        return data

    def save(self, actor: User) -> Outlet | None:
        try:
            if self.outlet is None:
                return outlet_services.create_outlet(actor, self.service_data)
            return outlet_services.update_outlet(actor, self.outlet, self.service_data)
        except ValidationError as exc:
            apply_errors(self, exc)
            return None


class ShowForm(forms.Form):
    name = forms.CharField(label=_label(Show, "name"), required=False)
    description = forms.CharField(
        label=_label(Show, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    air_days = forms.MultipleChoiceField(
        label=_label(Show, "air_days"),
        choices=Weekday.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    air_start = forms.CharField(
        label=_label(Show, "air_start"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    air_end = forms.CharField(
        label=_label(Show, "air_end"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    schedule_notes = forms.CharField(label=_label(Show, "schedule_notes"), required=False)

    def __init__(self, *args, show: Show | None = None, **kwargs):
        self.show = show
        if show is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": show.name,
                "description": show.description,
                "air_days": [str(d) for d in show.air_days or []],
                "air_start": show.air_start,
                "air_end": show.air_end,
                "schedule_notes": show.schedule_notes,
            }
        super().__init__(*args, **kwargs)

    def save(self, actor: User, outlet: Outlet) -> Show | None:
        data = dict(self.cleaned_data)
        try:
            if self.show is None:
                return outlet_services.create_show(actor, outlet, data)
            return outlet_services.update_show(actor, self.show, data)
        except ValidationError as exc:
            apply_errors(self, exc)
            return None


# --- Media lists -------------------------------------------------------------


class MediaListForm(forms.Form):
    name = forms.CharField(label=_label(MediaList, "name"), required=False)
    kind = forms.ChoiceField(
        label=_label(MediaList, "kind"),
        choices=ListKind.choices,
        initial=ListKind.STATIC,
        widget=forms.RadioSelect,
    )
    description = forms.CharField(
        label=_label(MediaList, "description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    client_id = forms.ChoiceField(label=_label(MediaList, "client"), required=False)
    # The saved search, as the contacts page's query string.
    search = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, media_list: MediaList | None = None, **kwargs):
        self.media_list = media_list
        if media_list is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "name": media_list.name,
                "kind": media_list.kind,
                "description": media_list.description,
                "client_id": str(media_list.client_id or ""),
            }
        super().__init__(*args, **kwargs)
        self.fields["client_id"].choices = _blank(Client.objects.values_list("pk", "name"))
        if media_list is not None:
            # A list cannot change kind, and a saved search's filters are
            # changed by saving a new search.
            del self.fields["kind"]
            del self.fields["search"]

    def save(self, actor: User) -> MediaList | None:
        from django.http import QueryDict

        data = {
            "name": self.cleaned_data["name"],
            "description": self.cleaned_data["description"],
            "client_id": self.cleaned_data["client_id"] or None,
        }
        try:
            if self.media_list is None:
                data["kind"] = self.cleaned_data["kind"]
                if data["kind"] == ListKind.SMART:
                    data["filters"] = QueryDict(self.cleaned_data.get("search") or "")
                return list_services.create_list(actor, data)
            return list_services.update_list(actor, self.media_list, data)
        except ValidationError as exc:
            apply_errors(self, exc)
            return None
