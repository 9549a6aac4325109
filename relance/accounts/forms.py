"""Forms of the account pages: rate-limited login and password reset, and the
profile."""

from __future__ import annotations

from datetime import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from relance.accounts.emails import send_password_link
from relance.accounts.models import User
from relance.accounts.ratelimit import (
    LOGIN_LIMITER,
    PASSWORD_RESET_LIMITER,
    client_ip,
    minutes_until,
)
from relance.audit import services as audit
from relance.lib.phones import PhoneError, display, to_e164

# Time zones offered on the profile: where French-speaking press officers
# work (France and its overseas departments, Quebec and the rest of Canada,
# Belgium, Switzerland, Luxembourg, francophone Africa) plus a few hubs.
COMMON_TIME_ZONES = [
    "Europe/Paris",
    "Europe/Brussels",
    "Europe/Luxembourg",
    "Europe/Zurich",
    "Europe/Monaco",
    "Europe/London",
    "America/Montreal",
    "America/Toronto",
    "America/Moncton",
    "America/Halifax",
    "America/Winnipeg",
    "America/Edmonton",
    "America/Vancouver",
    "America/New_York",
    "America/Guadeloupe",
    "America/Martinique",
    "America/Cayenne",
    "America/Miquelon",
    "Indian/Reunion",
    "Indian/Mayotte",
    "Pacific/Noumea",
    "Pacific/Tahiti",
    "Africa/Casablanca",
    "Africa/Algiers",
    "Africa/Tunis",
    "Africa/Dakar",
    "Africa/Abidjan",
    "UTC",
]


class RateLimited:
    """Set on a form refused by a limiter; views answer 429 with Retry-After."""

    retry_at: datetime | None = None


class LoginForm(RateLimited, AuthenticationForm):
    """Django's login form, refusing to even check the password once the
    username or the address has used up its failures."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is None or not password:
            return super().clean()
        ip = client_ip(self.request)
        self.retry_at = LOGIN_LIMITER.blocked_until(username, ip)
        if self.retry_at is not None:
            minutes = minutes_until(self.retry_at)
            raise ValidationError(
                ngettext(
                    "Too many failed attempts. To protect the account, logging in is paused:"
                    " try again in %(minutes)d minute.",
                    "Too many failed attempts. To protect the account, logging in is paused:"
                    " try again in %(minutes)d minutes.",
                    minutes,
                ),
                code="rate_limited",
                params={"minutes": minutes},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            # Inactive accounts land here too (the backend refuses them like a
            # wrong password), so the page never says which accounts exist.
            LOGIN_LIMITER.hit(username, ip)
            raise
        LOGIN_LIMITER.clear(username)
        return cleaned


class ResetRequestForm(RateLimited, PasswordResetForm):
    """Django's reset form, limited per address typed and per network, and
    sending the e-mail in the recipient's language with a link on BASE_URL."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.fields["email"].label = _("E-mail address")

    def clean(self):
        cleaned = super().clean()
        email = cleaned.get("email")
        if email:
            # Counted on what was typed, whether or not an account has it, so
            # the answer says nothing about which addresses exist.
            self.retry_at = PASSWORD_RESET_LIMITER.blocked_until(email, client_ip(self.request))
            if self.retry_at is not None:
                minutes = minutes_until(self.retry_at)
                raise ValidationError(
                    ngettext(
                        "Too many reset requests for this address or from your network:"
                        " try again in %(minutes)d minute.",
                        "Too many reset requests for this address or from your network:"
                        " try again in %(minutes)d minutes.",
                        minutes,
                    ),
                    code="rate_limited",
                    params={"minutes": minutes},
                )
        return cleaned

    def get_users(self, email):
        """Active accounts with this address, including invited accounts that
        have no usable password yet: this is how they get a fresh link."""
        return [
            u
            for u in User.objects.filter(email__iexact=email.strip(), is_active=True)
            if u.email.casefold() == email.strip().casefold()
        ]

    def save(self, *args, **kwargs):
        email = self.cleaned_data["email"]
        PASSWORD_RESET_LIMITER.hit(email, client_ip(self.request))
        for user in self.get_users(email):
            send_password_link(
                user,
                subject_template="registration/reset_email_subject.txt",
                text_template="registration/reset_email.txt",
                html_template="registration/reset_email.html",
                fail_silently=True,
            )


class ProfileForm(forms.ModelForm):
    """What a team member may change about themselves. Role, client and call
    capacity are set by whoever manages the team."""

    time_zone = forms.ChoiceField(label=_("Time zone"))

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone", "phone"]
        widgets = {"phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Validation writes the submitted values onto the instance: keep the
        # stored ones for the audit trail.
        self._before = {name: getattr(self.instance, name) for name in self.Meta.fields}
        zones = list(COMMON_TIME_ZONES)
        if self.instance.time_zone and self.instance.time_zone not in zones:
            zones.insert(0, self.instance.time_zone)  # keep a zone set elsewhere
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in zones]
        self.fields["email"].required = True
        self.fields["email"].help_text = _("Password reset links are sent to this address.")
        self.fields["phone"].help_text = _("Shown to colleagues who need to reach you.")
        if self.instance.phone and not self.is_bound:
            self.initial["phone"] = display(self.instance.phone, self._phone_region())

    def _phone_region(self) -> str:
        zone = self.data.get("time_zone") if self.is_bound else self.instance.time_zone
        return "CA" if str(zone or "").startswith("America/") else "FR"

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        taken = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk).exists()
        if taken:
            raise ValidationError(_("Another account already uses this e-mail address."))
        return email

    def clean_phone(self):
        raw = self.cleaned_data.get("phone", "").strip()
        if not raw:
            return ""
        try:
            return to_e164(raw, self._phone_region())
        except PhoneError as exc:
            raise ValidationError(str(exc)) from None

    @transaction.atomic
    def save(self, commit: bool = True) -> User:
        user = super().save(commit=commit)
        changes = audit.diff(self._before, {name: getattr(user, name) for name in self._before})
        if changes:
            audit.record(user, "profile_update", user, changes=changes)
        return user
