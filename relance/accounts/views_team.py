"""Team and clients pages, and the friendly page for an expired form (CSRF).

Thin callers of relance.accounts.services: the forms here only turn what the
browser sent into the service's plain data and put the service's
ValidationError back on the fields; every permission and rule (the last
active director, a client viewer's client) is enforced by the services, so
the page, the API and the CLI agree.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import REASON_NO_CSRF_COOKIE
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from relance.accounts import services
from relance.accounts.emails import send_password_link
from relance.accounts.forms import COMMON_TIME_ZONES
from relance.accounts.models import Agency, Client, Language, Role, User
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.lib.phones import PhoneError, display, to_e164

READ = ("GET", "HEAD")
WRITE = ("GET", "HEAD", "POST")
POST = ("POST",)


def gated(cap: Cap | None, methods: tuple[str, ...] = READ):
    """Login, then the capability (PermissionDenied -> the 403 page), then the
    HTTP method. The services check again: this only refuses early and cleanly."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if cap is not None:
                require(request.user, cap)
            return view(request, *args, **kwargs)

        return login_required(require_http_methods(list(methods))(check))

    return decorate


def put_errors(form: forms.Form, exc: ValidationError, aliases: dict[str, str]) -> None:
    """A service's ValidationError on the form: each message next to the field
    it names (`aliases` maps service names to form names), the rest on top."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, field_messages in exc.message_dict.items():
        target = aliases.get(name, name)
        for message in field_messages:
            form.add_error(target if target in form.fields else None, message)


def _phone_region(time_zone: str) -> str:
    # Same rule as the profile: people in the Americas type Canadian numbers.
    return "CA" if str(time_zone or "").startswith("America/") else "FR"


# --- Team -------------------------------------------------------------------


class MemberForm(forms.Form):
    """A team member (or a client viewer account), as a director edits it."""

    username = forms.CharField(label=gettext_lazy("Username"), max_length=150)
    first_name = forms.CharField(label=gettext_lazy("First name"), required=False)
    last_name = forms.CharField(label=gettext_lazy("Last name"), required=False)
    email = forms.CharField(
        label=gettext_lazy("E-mail address"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    phone = forms.CharField(
        label=gettext_lazy("Phone"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=Role.choices)
    client = forms.ChoiceField(
        label=gettext_lazy("Client"),
        required=False,
        help_text=gettext_lazy("Client viewers only: the one client whose work they see."),
    )
    daily_call_capacity = forms.IntegerField(
        label=gettext_lazy("Daily call capacity"),
        initial=25,
        help_text=gettext_lazy("Follow-up calls this person can make in a working day (0 to 200)."),
        widget=forms.NumberInput(attrs={"min": 0, "max": services.MAX_CALL_CAPACITY}),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"), choices=Language.choices, initial=Language.FR
    )
    time_zone = forms.ChoiceField(label=gettext_lazy("Time zone"), initial="Europe/Paris")

    def __init__(self, *args: Any, member: User | None = None, **kwargs: Any) -> None:
        self.member = member
        if member is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "username": member.username,
                "first_name": member.first_name,
                "last_name": member.last_name,
                "email": member.email,
                "phone": display(member.phone, _phone_region(member.time_zone))
                if member.phone
                else "",
                "role": member.role,
                "client": member.client_id or "",
                "daily_call_capacity": member.daily_call_capacity,
                "language": member.language,
                "time_zone": member.time_zone,
            }
        super().__init__(*args, **kwargs)
        self.fields["client"].choices = [
            ("", "—"),
            *Client.objects.order_by("name").values_list("pk", "name"),
        ]
        zones = list(COMMON_TIME_ZONES)
        if member is not None and member.time_zone not in zones:
            zones.insert(0, member.time_zone)  # keep a zone set elsewhere (API, profile)
        self.fields["time_zone"].choices = [(z, z.replace("_", " ")) for z in zones]

    def clean_email(self) -> str:
        email = self.cleaned_data["email"].strip()
        # Password links go to this address: two accounts sharing it would both
        # get every reset e-mail (the profile page refuses it the same way).
        taken = User.objects.filter(email__iexact=email)
        if self.member is not None:
            taken = taken.exclude(pk=self.member.pk)
        if email and taken.exists():
            raise ValidationError(_("Another account already uses this e-mail address."))
        return email

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"].strip()
        if not raw:
            return ""
        try:
            return to_e164(raw, _phone_region(self.data.get("time_zone", "")))
        except PhoneError as exc:
            raise ValidationError(str(exc)) from None

    def service_data(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in self.fields if name in USER_INPUTS}
        client = self.cleaned_data.get("client")
        data["client_id"] = int(client) if client else None
        return data

    def apply(self, exc: ValidationError) -> None:
        put_errors(self, exc, {"client_id": "client"})


USER_INPUTS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "daily_call_capacity",
    "language",
    "time_zone",
    "password",
)


class NewMemberForm(MemberForm):
    """Adds how the newcomer gets a password: an e-mailed link (the usual
    way: nobody else ever knows it), or one typed by the director."""

    INVITE, PASSWORD = "invite", "password"

    access = forms.ChoiceField(
        label=gettext_lazy("Password"),
        choices=[
            (INVITE, gettext_lazy("Send an invitation: they choose their own password")),
            (PASSWORD, gettext_lazy("Type a password now and give it to them")),
        ],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=gettext_lazy("Password to give them"),
        required=False,
        strip=False,
        help_text=gettext_lazy("Only if you type a password now."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("access") == self.INVITE:
            data["password"] = ""
            if "email" in data and not data["email"]:
                self.add_error("email", _("The invitation is sent to this address: fill it in."))
        elif data.get("access") == self.PASSWORD and not data.get("password"):
            self.add_error("password", _("Type a password, or send an invitation instead."))
        return data

    @property
    def invites(self) -> bool:
        return self.cleaned_data.get("access") == self.INVITE


def send_invitation(actor: User, member: User) -> None:
    """E-mail `member` a link to choose their password, in their language.

    The link is a password-reset link (Django's default token generator and the
    `password_reset_confirm` page): it works once, expires after
    PASSWORD_RESET_TIMEOUT, and dies as soon as a password is set or the
    person logs in. Links (RELANCE_BASE_URL) and language follow the same
    rules as the reset e-mail (relance.accounts.emails).
    """
    send_password_link(
        member,
        subject_template="accounts/team/invitation_subject.txt",
        text_template="accounts/team/invitation_email.txt",
        html_template="accounts/team/invitation_email.html",
        extra_context={
            "inviter": actor.get_full_name() or actor.username,
            "agency": Agency.current().name,
        },
    )
    audit.record(actor, "invitation_sent", member)


@gated(Cap.VIEW_TEAM)
def team(request: HttpRequest) -> HttpResponse:
    """Everyone in the team sees who is who (to know whom to ask, and who
    calls how much); only directors change it."""
    people = list(User.objects.select_related("client").order_by("-is_active", "username"))
    context = {
        "nav": "team",
        "members": [u for u in people if u.role != Role.CLIENT_VIEWER],
        "viewers": [u for u in people if u.role == Role.CLIENT_VIEWER],
        "can_manage": has(request.user, Cap.MANAGE_TEAM),
    }
    return render(request, "accounts/team/list.html", context)


def _member_page(request: HttpRequest, form: MemberForm, member: User | None) -> HttpResponse:
    context = {"nav": "team", "form": form, "member": member}
    return render(request, "accounts/team/form.html", context)


@gated(Cap.MANAGE_TEAM, WRITE)
def team_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        # The client page links here to add a viewer: role and client preset.
        initial = {k: request.GET[k] for k in ("role", "client") if request.GET.get(k)}
        return _member_page(request, NewMemberForm(initial=initial), None)
    form = NewMemberForm(request.POST)
    if not form.is_valid():
        return _member_page(request, form, None)
    try:
        member = services.create_user(request.user, form.service_data())
    except ValidationError as exc:
        form.apply(exc)
        return _member_page(request, form, None)
    name = str(member)
    if form.invites:
        send_invitation(request.user, member)
        messages.success(
            request,
            _("%(name)s was added. An invitation to choose a password was sent to %(email)s.")
            % {"name": name, "email": member.email},
        )
    else:
        messages.success(request, _("%(name)s was added.") % {"name": name})
    return redirect("team")


@gated(Cap.MANAGE_TEAM, WRITE)
def team_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    if request.method != "POST":
        return _member_page(request, MemberForm(member=member), member)
    form = MemberForm(request.POST, member=member)
    if not form.is_valid():
        return _member_page(request, form, member)
    try:
        services.update_user(request.user, member, form.service_data())
    except ValidationError as exc:
        form.apply(exc)
        return _member_page(request, form, member)
    messages.success(request, _("Changes saved."))
    return redirect("team")


def _error_message(exc: ValidationError) -> str:
    return " ".join(exc.messages) or _("Invalid value.")


@gated(Cap.MANAGE_TEAM, POST)
def team_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    try:
        services.deactivate_user(request.user, member)
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(
            request,
            _("%(name)s can no longer log in. Their past work keeps their name.")
            % {"name": member},
        )
    return redirect("team_edit", pk=member.pk)


@gated(Cap.MANAGE_TEAM, POST)
def team_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(User, pk=pk)
    try:
        services.update_user(request.user, member, {"is_active": True})
    except ValidationError as exc:
        messages.error(request, _error_message(exc))
    else:
        messages.success(request, _("%(name)s can log in again.") % {"name": member})
    return redirect("team_edit", pk=member.pk)


@gated(Cap.MANAGE_TEAM, POST)
def team_invite(request: HttpRequest, pk: int) -> HttpResponse:
    """Send the set-password link again (the first one expired or was lost)."""
    member = get_object_or_404(User, pk=pk)
    if not member.is_active:
        messages.error(request, _("Reactivate the account before sending an invitation."))
    elif not member.email:
        messages.error(request, _("Add an e-mail address first: the invitation is sent there."))
    else:
        send_invitation(request.user, member)
        messages.success(
            request, _("An invitation was sent to %(email)s.") % {"email": member.email}
        )
    return redirect("team_edit", pk=member.pk)


# --- Clients ----------------------------------------------------------------


class ClientForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=200,
        error_messages={"required": gettext_lazy("A client needs a name.")},
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language"),
        choices=Language.choices,
        initial=Language.FR,
        help_text=gettext_lazy("The language of the client's reports."),
    )
    website = forms.CharField(
        label=gettext_lazy("Website"),
        required=False,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )
    description = forms.CharField(
        label=gettext_lazy("Description"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    primary_color = forms.CharField(
        label=gettext_lazy("Colour"),
        required=False,
        max_length=7,
        help_text=gettext_lazy("For the client's reports, like #1d4ed8."),
        widget=forms.TextInput(attrs={"placeholder": "#1d4ed8", "size": 8}),
    )
    brands = forms.CharField(
        label=gettext_lazy("Brands and products to watch"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line. Coverage monitoring looks for them with the client's name."
        ),
    )
    competitors = forms.CharField(
        label=gettext_lazy("Competitors (share of voice)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "One per line: their mentions in the press give the share of voice."
        ),
    )

    def __init__(self, *args: Any, client: Client | None = None, **kwargs: Any) -> None:
        if client is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(client, name) for name in services.CLIENT_FIELDS}
            # Stored as lists, edited one per line; the service splits them back.
            for name in ("brands", "competitors"):
                kwargs["initial"][name] = "\n".join(getattr(client, name))
        super().__init__(*args, **kwargs)

    def service_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.CLIENT_FIELDS}


def _visible(request: HttpRequest):
    # Raises PermissionDenied (the 403 page) for anyone with no client to see.
    return services.visible_clients(request.user)


@gated(None)
def client_list(request: HttpRequest) -> HttpResponse:
    """Every client for the team; a client viewer sees only their own."""
    sees_media = has(request.user, Cap.VIEW_MEDIA)
    clients = _visible(request).annotate(
        viewer_count=Count("viewers", filter=Q(viewers__is_active=True), distinct=True)
    )
    if sees_media:
        clients = clients.annotate(list_count=Count("media_lists", distinct=True))
    context = {
        "nav": "clients",
        "clients": list(clients.order_by("name")),
        "sees_media": sees_media,
        "can_edit": has(request.user, Cap.EDIT_CLIENTS),
    }
    return render(request, "accounts/clients/list.html", context)


@gated(None)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Another client than a viewer's own is "not found", not "forbidden": a
    # viewer does not learn which other clients the agency has.
    client = get_object_or_404(_visible(request), pk=pk)
    sees_media = has(request.user, Cap.VIEW_MEDIA)
    context = {
        "nav": "clients",
        "client": client,
        "viewers": list(client.viewers.order_by("-is_active", "username")),
        "sees_media": sees_media,
        "can_edit": has(request.user, Cap.EDIT_CLIENTS),
        "can_manage_team": has(request.user, Cap.MANAGE_TEAM),
        "sees_team": has(request.user, Cap.VIEW_TEAM),
    }
    if sees_media:
        # Client viewers see nothing of the media database, lists included.
        context["media_lists"] = list(
            client.media_lists.annotate(member_count=Count("members")).order_by("name")
        )
    return render(request, "accounts/clients/detail.html", context)


def _client_page(request: HttpRequest, form: ClientForm, client: Client | None) -> HttpResponse:
    context = {"nav": "clients", "form": form, "client": client}
    return render(request, "accounts/clients/form.html", context)


@gated(Cap.EDIT_CLIENTS, WRITE)
def client_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _client_page(request, ClientForm(), None)
    form = ClientForm(request.POST)
    if form.is_valid():
        try:
            client = services.create_client(request.user, form.service_data())
        except ValidationError as exc:
            put_errors(form, exc, {})
        else:
            messages.success(request, _("Client created."))
            return redirect("client_detail", pk=client.pk)
    return _client_page(request, form, None)


@gated(Cap.EDIT_CLIENTS, WRITE)
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(_visible(request), pk=pk)
    if request.method != "POST":
        return _client_page(request, ClientForm(client=client), client)
    form = ClientForm(request.POST, client=client)
    if form.is_valid():
        try:
            services.update_client(request.user, client, form.service_data())
        except ValidationError as exc:
            put_errors(form, exc, {})
        else:
            messages.success(request, _("Changes saved."))
            return redirect("client_detail", pk=client.pk)
    return _client_page(request, form, client)


@gated(Cap.EDIT_CLIENTS, WRITE)
def client_delete(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(_visible(request), pk=pk)
    error = ""
    if request.method == "POST":
        name = client.name
        try:
            services.delete_client(request.user, client)
        except ValidationError as exc:
            error = _error_message(exc)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": name})
            return redirect("client_list")
    context = {
        "nav": "clients",
        "client": client,
        "error": error,
        "active_viewers": client.viewers.filter(is_active=True).count(),
        "inactive_viewers": client.viewers.filter(is_active=False).count(),
        "list_count": client.media_lists.count() if has(request.user, Cap.VIEW_MEDIA) else 0,
    }
    return render(request, "accounts/clients/delete.html", context, status=400 if error else 200)


# --- Expired forms ----------------------------------------------------------


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form refused because its security token is missing
    or stale. Nearly always a page left open across a logout, a login or a
    long pause; nobody should meet Django's technical page for that."""
    back = request.META.get("HTTP_REFERER", "")
    safe = url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    context = {
        "back_url": back if back and safe else "",
        "no_cookie": reason == REASON_NO_CSRF_COOKIE,
        "debug_reason": reason if settings.DEBUG else "",
    }
    return render(request, "403_csrf.html", context, status=403)
