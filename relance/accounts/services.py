"""Writes to the team (users) and the agency's clients.

Like every service: typed, atomic, permission-checked (`require`), audited,
and raising ValidationError({field: [message…]}) with every problem at once,
in the user's language. Pages, API and CLI all call these.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import (
    Agency,
    ApiToken,
    Client,
    Language,
    Role,
    User,
    color_validator,
)
from relance.accounts.permissions import Cap, has, require
from relance.audit import services as audit
from relance.contacts.validation import clean_email, clean_url
from relance.lib.files import IMAGE_TYPES, sniff
from relance.lib.phones import PhoneError, to_e164
from relance.lib.text import fold

USER_FIELDS = (
    "username",
    "role",
    "first_name",
    "last_name",
    "email",
    "language",
    "time_zone",
    "phone",
    "daily_call_capacity",
    "client_id",
    "is_active",
)
CLIENT_FIELDS = (
    "name",
    "language",
    "website",
    "description",
    "primary_color",
    "brands",
    "competitors",
)
MAX_NAMES = 50
MAX_NAME_CHARS = 100
MAX_CALL_CAPACITY = 200

_username = UnicodeUsernameValidator()


class _Errors:
    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _text(value: Any, name: str, limit: int, errors: _Errors) -> str:
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        errors.add(name, _("Too long: at most %(limit)d characters.") % {"limit": limit})
    return text


# --- Users ------------------------------------------------------------------


def _clean_user(data: Mapping[str, Any], user: User | None) -> dict[str, Any]:
    """Clean the user fields present in `data` (all of them for a new user)."""
    errors = _Errors()
    for name in sorted(set(data) - set(USER_FIELDS) - {"password"}):
        errors.add(name, _("Unknown field."))
    values: dict[str, Any] = {}
    if "username" in data or user is None:
        username = str(data.get("username") or "").strip()
        values["username"] = username
        if not username:
            errors.add("username", _("A user needs a username."))
        elif len(username) > 150:
            errors.add("username", _("Too long: at most %(limit)d characters.") % {"limit": 150})
        else:
            try:
                _username(username)
            except ValidationError:
                errors.add("username", _("Use only letters, digits and the characters @ . + - _."))
            taken = User.objects.filter(username__iexact=username)
            if user is not None:
                taken = taken.exclude(pk=user.pk)
            if taken.exists():
                errors.add("username", _("Another user already has this username."))
    if "role" in data or user is None:
        role = str(data.get("role") or "")
        values["role"] = role
        if role not in Role.values:
            errors.add(
                "role",
                _("“%(value)s” is not a valid %(label)s; use one of: %(allowed)s.")
                % {"value": role, "label": _("role"), "allowed": ", ".join(Role.values)},
            )
    for name, limit in (("first_name", 150), ("last_name", 150)):
        if name in data:
            values[name] = _text(data[name], name, limit, errors)
    if "email" in data:
        email = str(data.get("email") or "").strip()
        if email:
            try:
                email = clean_email(email)
            except ValueError as exc:
                errors.add("email", str(exc))
        values["email"] = email
    if "language" in data:
        values["language"] = str(data.get("language") or "")
        if values["language"] not in Language.values:
            errors.add(
                "language",
                _("“%(value)s” is not a valid %(label)s; use one of: %(allowed)s.")
                % {
                    "value": values["language"],
                    "label": _("language"),
                    "allowed": ", ".join(Language.values),
                },
            )
    if "time_zone" in data:
        values["time_zone"] = str(data.get("time_zone") or "").strip()
        try:
            zoneinfo.ZoneInfo(values["time_zone"])
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):  # OSError: absurd names
            errors.add(
                "time_zone",
                _("“%(value)s” is not a known time zone.") % {"value": values["time_zone"]},
            )
    if "phone" in data:
        raw = str(data.get("phone") or "").strip()
        try:
            values["phone"] = to_e164(raw) if raw else ""
        except PhoneError as exc:
            errors.add("phone", str(exc))
    if "daily_call_capacity" in data:
        capacity = data["daily_call_capacity"]
        if (
            isinstance(capacity, bool)
            or not isinstance(capacity, int)
            or not 0 <= capacity <= MAX_CALL_CAPACITY
        ):
            errors.add(
                "daily_call_capacity",
                _("Expected a number from %(low)d to %(high)d.")
                % {"low": 0, "high": MAX_CALL_CAPACITY},
            )
        values["daily_call_capacity"] = capacity
    if "is_active" in data:
        if not isinstance(data["is_active"], bool):
            errors.add("is_active", _("Expected true or false."))
        values["is_active"] = data["is_active"]
    _clean_client_link(data, user, values, errors)
    if "password" in data and data["password"] not in (None, ""):
        password = str(data["password"])
        probe = user or User(
            username=values.get("username", ""),
            email=values.get("email", ""),
            first_name=values.get("first_name", ""),
            last_name=values.get("last_name", ""),
        )
        try:
            validate_password(password, probe)
        except ValidationError as exc:
            for message in exc.messages:
                errors.add("password", message)
        values["password"] = password
    errors.raise_if_any()
    return values


def _clean_client_link(
    data: Mapping[str, Any], user: User | None, values: dict[str, Any], errors: _Errors
) -> None:
    """Client viewers belong to exactly one client (the only work they see);
    team members belong to none."""
    role = values.get("role", user.role if user else "")
    if "client_id" in data:
        client_id = data["client_id"]
        if client_id in (None, ""):
            values["client_id"] = None
        elif (
            isinstance(client_id, bool)
            or not isinstance(client_id, int)
            or not Client.objects.filter(pk=client_id).exists()
        ):
            errors.add("client_id", _("This client does not exist."))
            return
        else:
            values["client_id"] = client_id
    client_id = values.get("client_id", user.client_id if user else None)
    if role == Role.CLIENT_VIEWER and not client_id:
        errors.add("client_id", _("A client viewer needs the client whose work they see."))
    elif role != Role.CLIENT_VIEWER and role in Role.values:
        if "client_id" in data and client_id:
            errors.add("client_id", _("Only client viewers belong to a client."))
        values["client_id"] = None  # a viewer promoted into the team leaves the client


def _other_active_directors(user: User) -> bool:
    return User.objects.filter(role=Role.DIRECTOR, is_active=True).exclude(pk=user.pk).exists()


@transaction.atomic
def create_user(actor: User | None, data: Mapping[str, Any]) -> User:
    """Add a team member (or a client viewer). Without a password the account
    cannot log in until its owner sets one ("forgot your password")."""
    require(actor, Cap.MANAGE_TEAM)
    values = _clean_user(data, None)
    password = values.pop("password", None)
    user = User(**values)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    audit.record(actor, "create", user, changes={"role": user.role})
    return user


@transaction.atomic
def update_user(actor: User | None, user: User, data: Mapping[str, Any]) -> User:
    require(actor, Cap.MANAGE_TEAM)
    user = User.objects.select_for_update().get(pk=user.pk)
    values = _clean_user(data, user)
    password = values.pop("password", None)
    losing_director = (
        user.role == Role.DIRECTOR
        and user.is_active
        and (values.get("role", Role.DIRECTOR) != Role.DIRECTOR or values.get("is_active") is False)
    )
    # Nobody could manage the team any more (roles, accounts, this very fix).
    if losing_director and not _other_active_directors(user):
        raise ValidationError({"role": [_("The agency needs at least one active director.")]})
    if values.get("is_active") is False and actor is not None and user.pk == actor.pk:
        raise ValidationError({"is_active": [_("You cannot deactivate your own account.")]})
    before = {k: getattr(user, k) for k in values}
    for name, value in values.items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    user.save()
    if values.get("is_active") is False:
        _revoke_tokens(user)
    changes = audit.diff(before, values)
    if password:
        changes["password"] = ["…", "…"]  # that it changed, never the value
    if changes:
        audit.record(actor, "update", user, changes=changes)
    return user


@transaction.atomic
def deactivate_user(actor: User | None, user: User) -> User:
    """Someone leaves: the account stops working (sessions and API tokens
    included) but stays, so the audit trail and past campaigns still say who
    did what."""
    return update_user(actor, user, {"is_active": False})


def _revoke_tokens(user: User) -> None:
    ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())


# --- Clients ----------------------------------------------------------------


def _clean_client(data: Mapping[str, Any], client: Client | None) -> dict[str, Any]:
    errors = _Errors()
    for name in sorted(set(data) - set(CLIENT_FIELDS)):
        errors.add(name, _("Unknown field."))
    values: dict[str, Any] = {}
    if "name" in data or client is None:
        values["name"] = _text(data.get("name"), "name", 200, errors)
        if not values["name"]:
            errors.add("name", _("A client needs a name."))
        elif _client_name_taken(values["name"], client):
            errors.add("name", _("Another client already has this name."))
    if "language" in data:
        values["language"] = str(data.get("language") or "")
        if values["language"] not in Language.values:
            errors.add(
                "language",
                _("“%(value)s” is not a valid %(label)s; use one of: %(allowed)s.")
                % {
                    "value": values["language"],
                    "label": _("language"),
                    "allowed": ", ".join(Language.values),
                },
            )
    if "website" in data:
        try:
            values["website"] = clean_url(data.get("website"))
        except ValueError as exc:
            errors.add("website", str(exc))
    if "description" in data:
        values["description"] = str(data.get("description") or "").strip()
    if "primary_color" in data:
        color = str(data.get("primary_color") or "").strip()
        if color:
            try:
                color_validator(color)
            except ValidationError as exc:
                errors.add("primary_color", " ".join(exc.messages))
        values["primary_color"] = color
    for name in ("brands", "competitors"):
        if name in data:
            try:
                values[name] = _names(data.get(name))
            except ValueError as exc:
                errors.add(name, str(exc))
    brands = values.get("brands", client.brands if client else [])
    rivals = values.get("competitors", client.competitors if client else [])
    clash = {fold(b) for b in brands} & {fold(c) for c in rivals}
    if clash and ("brands" in values or "competitors" in values):
        same = next(c for c in rivals if fold(c) in clash)
        errors.add("competitors", _("“%(name)s” is one of the client's brands.") % {"name": same})
    errors.raise_if_any()
    return values


def _names(value: Any) -> list[str]:
    """Brands or competitors: a list of names, or text with one per line;
    the same name twice (accents and case aside) is kept once."""
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise ValueError(_("Expected a list of names, one per line."))
    names: dict[str, str] = {}
    for raw in value:
        name = " ".join(raw.split())
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise ValueError(
                _("Keep each name under %(limit)d characters: “%(start)s…” is longer.")
                % {"limit": MAX_NAME_CHARS, "start": name[:40]}
            )
        names.setdefault(fold(name), name)
    if len(names) > MAX_NAMES:
        raise ValueError(_("At most %(limit)d names.") % {"limit": MAX_NAMES})
    return list(names.values())


def _client_name_taken(name: str, client: Client | None) -> bool:
    """“Éolia” and “EOLIA” are one client. Compared in Python: SQLite folds
    only ASCII letters (its iexact would let “éolia” in next to “Éolia”), and
    an agency has a few hundred clients at most."""
    key = fold(name)
    others = Client.objects.all()
    if client is not None:
        others = others.exclude(pk=client.pk)
    return any(fold(other) == key for other in others.values_list("name", flat=True))


@transaction.atomic
def create_client(actor: User | None, data: Mapping[str, Any]) -> Client:
    require(actor, Cap.EDIT_CLIENTS)
    client = Client.objects.create(**_clean_client(data, None))
    audit.record(actor, "create", client)
    return client


@transaction.atomic
def update_client(actor: User | None, client: Client, data: Mapping[str, Any]) -> Client:
    require(actor, Cap.EDIT_CLIENTS)
    values = _clean_client(data, client)
    before = {k: getattr(client, k) for k in values}
    for name, value in values.items():
        setattr(client, name, value)
    client.save()
    changes = audit.diff(before, values)
    if changes:
        audit.record(actor, "update", client, changes=changes)
    return client


@transaction.atomic
def delete_client(actor: User | None, client: Client) -> None:
    """Delete a client. Refused while active viewer accounts belong to it
    (they would be deleted with it; deactivated ones go with it) and once it
    has campaigns."""
    require(actor, Cap.EDIT_CLIENTS)
    if User.objects.filter(client=client, is_active=True).exists():
        raise ValidationError(
            _(
                "Active client viewer accounts belong to this client: deactivate them or"
                " attach them to another client first."
            )
        )
    if client.campaigns.exists():  # type: ignore[attr-defined]
        raise ValidationError(
            _(
                "This client has campaigns: they are the record of the agency's work"
                " for it, so the client cannot be deleted."
            )
        )
    audit.record(actor, "delete", client)
    client.delete()


def visible_clients(actor: User | None) -> QuerySet[Client]:
    """The clients the actor may see: all of them for the team, their own
    for a client viewer."""
    if has(actor, Cap.VIEW_CLIENTS):
        return Client.objects.all()
    if (
        actor is not None
        and actor.is_active
        and actor.role == Role.CLIENT_VIEWER
        and actor.client_id
    ):
        return Client.objects.filter(pk=actor.client_id)
    raise PermissionDenied(_("Your role does not allow this."))


# --- The agency ----------------------------------------------------------------

AGENCY_FIELDS = ("name", "primary_color", "default_language", "track_opens", "track_clicks")


LOGO_MAX_BYTES = 512 * 1024


def _logo(upload: Any) -> tuple[bytes, str]:
    """The logo's bytes and type: a PNG, JPEG, GIF or WebP image by its
    content, at most 512 KB (it is embedded in every report)."""
    content = upload.read(LOGO_MAX_BYTES + 1)
    if len(content) > LOGO_MAX_BYTES:
        raise ValueError(_("The logo must be at most 512 KB."))
    kind = sniff(content[:16])
    if kind is None or kind[0] not in IMAGE_TYPES:
        raise ValueError(_("The logo must be a PNG, JPEG, GIF or WebP image."))
    return content, kind[0]


@transaction.atomic
def update_agency(actor: User | None, data: Mapping[str, Any]) -> Agency:
    """The agency's settings; directors only. Every problem at once."""
    require(actor, Cap.MANAGE_AGENCY)
    agency = Agency.current()
    errors = _Errors()
    values: dict[str, Any] = {}
    if "name" in data:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors.add("name", _("The agency needs a name."))
        elif len(name) > 200:
            errors.add("name", _("Too long: at most %(limit)d characters.") % {"limit": 200})
        values["name"] = name
    if "primary_color" in data:
        color = str(data.get("primary_color") or "").strip()
        try:
            color_validator(color)
        except ValidationError as exc:
            errors.add("primary_color", " ".join(exc.messages))
        values["primary_color"] = color
    if "default_language" in data:
        language = str(data.get("default_language") or "")
        if language not in Language.values:
            errors.add("default_language", _("Choose French or English."))
        values["default_language"] = language
    for name in ("track_opens", "track_clicks"):
        if name in data:
            values[name] = bool(data[name])
    if data.get("remove_logo"):
        values["logo"], values["logo_type"] = b"", ""
    elif data.get("logo"):
        try:
            values["logo"], values["logo_type"] = _logo(data["logo"])
        except ValueError as exc:
            errors.add("logo", str(exc))
    errors.raise_if_any()
    before = {k: getattr(agency, k) for k in values if k != "logo"}
    for name, value in values.items():
        setattr(agency, name, value)
    agency.save()
    changes = audit.diff(before, {k: v for k, v in values.items() if k != "logo"})
    if changes:
        audit.record(actor, "update", agency, changes=changes)
    return agency
