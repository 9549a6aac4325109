"""Creating and editing outlets and their shows."""

from __future__ import annotations

import zoneinfo
from collections.abc import Mapping
from datetime import time
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.dateparse import parse_time
from django.utils.translation import gettext as _

from relance.accounts.models import Language, User
from relance.accounts.permissions import Cap, require
from relance.audit import services as audit
from relance.contacts import choices
from relance.contacts.documents import outlet_document, outlet_name_key
from relance.contacts.models import Contact, Outlet, OutletKind, Periodicity, Show, Tier
from relance.contacts.services.contacts import reindex_ids
from relance.contacts.validation import Problems, clean_url
from relance.lib.text import clean_text, squash

OUTLET_DEFAULTS: dict[str, Any] = {
    "name": "",
    "kind": OutletKind.PRINT.value,
    "periodicity": Periodicity.DAILY.value,
    "language": Language.FR.value,
    "country": "FR",
    "region": "",
    "city": "",
    "timezone": "",
    "audience": None,
    "tier": Tier.MAIN.value,
    "closing_weekday": None,
    "lead_time_days": None,
    "website": "",
    "feed_urls": [],
    "editorial_line": "",
    "notes": "",
}
# Where an outlet's country implies its clock when none is given.
DEFAULT_TIMEZONES = {
    "FR": "Europe/Paris",
    "CA": "America/Montreal",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "LU": "Europe/Luxembourg",
    "US": "America/New_York",
}
# Outlet fields copied into its contacts' search documents.
INDEXED_OUTLET_FIELDS = ("name", "kind", "periodicity", "country", "region")


def _int(value: Any, low: int, high: int, *, optional: bool = True) -> int | None:
    if value in (None, "") and optional:
        return None
    if isinstance(value, bool):
        raise ValueError(_("Expected a whole number."))
    try:
        number = int(str(value).replace(" ", "").replace("\u202f", ""))
    except (TypeError, ValueError):
        raise ValueError(_("Expected a whole number.")) from None
    if not low <= number <= high:
        raise ValueError(
            _("Expected a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return number


def _choice(value: Any, choices: type[models.TextChoices], label: str) -> str:
    allowed = set(choices.values)
    text = str(value or "").strip()
    if text not in allowed:
        raise ValueError(
            _("“%(value)s” is not a valid %(label)s; use one of: %(allowed)s.")
            % {"value": value, "label": label, "allowed": ", ".join(sorted(allowed))}
        )
    return text


def _feeds(value: Any) -> list[str]:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        value = value.split()
    if not isinstance(value, list | tuple):
        raise ValueError(_("Expected a list of addresses."))
    return list(dict.fromkeys(clean_url(v) for v in value if str(v).strip()))


def _timezone(value: Any) -> str:
    text = str(value or "").strip()
    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(_("“%(value)s” is not a known time zone.") % {"value": text}) from None
    return text


def clean_outlet(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    problems = Problems()
    for name in sorted(set(data) - set(OUTLET_DEFAULTS)):
        problems.add(name, _("Unknown field."))
    values = {} if partial else dict(OUTLET_DEFAULTS)
    values.update({k: v for k, v in data.items() if k in OUTLET_DEFAULTS})
    cleaners = {
        "name": lambda v: squash(str(v or ""))[:200],
        "kind": lambda v: _choice(v, OutletKind, _("kind")),
        "periodicity": lambda v: _choice(v, Periodicity, _("periodicity")),
        "language": lambda v: _choice(str(v or "").lower(), Language, _("language")),
        "country": lambda v: _country(v),
        "region": lambda v: squash(str(v or ""))[:60],
        "city": lambda v: squash(str(v or ""))[:100],
        "timezone": lambda v: v,  # checked below, once the country is known
        "audience": lambda v: _int(v, 0, 2_000_000_000),
        "tier": lambda v: _int(v, 1, 3, optional=False),
        "closing_weekday": lambda v: _int(v, 0, 6),
        "lead_time_days": lambda v: _int(v, 0, 365),
        "website": clean_url,
        "feed_urls": _feeds,
        "editorial_line": lambda v: clean_text(str(v or "")).strip(),
        "notes": lambda v: clean_text(str(v or "")).strip(),
    }
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        try:
            cleaned[name] = cleaners[name](value)
        except (ValueError, TypeError) as exc:
            problems.add(name, str(exc))
    if "name" in cleaned and not cleaned["name"]:
        problems.add("name", _("An outlet needs a name."))
    if "timezone" in cleaned:
        tz = cleaned["timezone"] or DEFAULT_TIMEZONES.get(cleaned.get("country", ""), "")
        if not tz and not partial:
            tz = "Europe/Paris"
        if not tz:
            del cleaned["timezone"]  # an emptied zone keeps the outlet's current one
        else:
            try:
                cleaned["timezone"] = _timezone(tz)
            except ValueError as exc:
                problems.add("timezone", str(exc))
    problems.raise_if_any()
    return cleaned


def _country(value: Any) -> str:
    text = str(value or "").strip().upper()
    if len(text) != 2 or not text.isalpha():
        raise ValueError(_("Use a two-letter country code (FR, CA…)."))
    return text


def _derive(outlet: Outlet) -> None:
    outlet.name_key = outlet_name_key(outlet.name)
    outlet.search_document = outlet_document(
        outlet.name, outlet.city, outlet.region, outlet.editorial_line
    )


@transaction.atomic
def create_outlet(actor: User | None, data: Mapping[str, Any], *, check: bool = True) -> Outlet:
    if check:
        require(actor, Cap.EDIT_MEDIA)
    outlet = Outlet(**clean_outlet(data))
    _derive(outlet)
    outlet.save()
    choices.forget()
    audit.record(actor, "create", outlet)
    return outlet


@transaction.atomic
def update_outlet(actor: User | None, outlet: Outlet, data: Mapping[str, Any]) -> Outlet:
    require(actor, Cap.EDIT_MEDIA)
    values = clean_outlet(data, partial=True)
    before = {k: getattr(outlet, k) for k in values}
    indexed = {k: getattr(outlet, k) for k in INDEXED_OUTLET_FIELDS}
    for name, value in values.items():
        setattr(outlet, name, value)
    _derive(outlet)
    outlet.save()
    if any(getattr(outlet, k) != v for k, v in indexed.items()):
        choices.forget()
        # Contacts are found by their outlet's name, kind, periodicity and
        # place: keep their index in step.
        reindex_ids(Contact.objects.filter(outlet=outlet).values_list("pk", flat=True))
    changes = audit.diff(before, values)
    if changes:
        audit.record(actor, "update", outlet, changes=changes)
    return outlet


@transaction.atomic
def delete_outlet(actor: User | None, outlet: Outlet) -> None:
    """Delete an outlet and its shows; its contacts stay, without an outlet."""
    require(actor, Cap.DELETE_MEDIA)
    ids = list(Contact.objects.filter(outlet=outlet).values_list("pk", flat=True))
    audit.record(actor, "delete", outlet, changes={"contacts_detached": len(ids)})
    outlet.delete()
    choices.forget()
    reindex_ids(ids)


def clean_show(data: Mapping[str, Any], *, partial: bool = False) -> dict[str, Any]:
    problems = Problems()
    known = {"name", "description", "air_days", "air_start", "air_end", "schedule_notes"}
    for name in sorted(set(data) - known - {"outlet_id"}):
        problems.add(name, _("Unknown field."))
    cleaned: dict[str, Any] = {}
    if "name" in data or not partial:
        cleaned["name"] = squash(str(data.get("name") or ""))[:200]
        if not cleaned["name"]:
            problems.add("name", _("A show needs a name."))
    for key in ("description", "schedule_notes"):
        if key in data or not partial:
            cleaned[key] = str(data.get(key) or "").strip()[
                : 200 if key == "schedule_notes" else None
            ]
    if "air_days" in data or not partial:
        try:
            days = data.get("air_days") or []
            if isinstance(days, str):
                days = [d for d in days.replace(" ", ",").split(",") if d]
            cleaned["air_days"] = sorted({int(_int(d, 0, 6, optional=False) or 0) for d in days})
        except (ValueError, TypeError):
            problems.add("air_days", _("Days on air are weekday numbers from 0 (Monday) to 6."))
    for key in ("air_start", "air_end"):
        if key in data or not partial:
            cleaned[key] = _time(data.get(key), key, problems)
    start, end = cleaned.get("air_start"), cleaned.get("air_end")
    if start and end and start >= end:
        problems.add("air_end", _("The show must end after it starts."))
    problems.raise_if_any()
    return cleaned


def _time(value: Any, key: str, problems: Problems) -> time | None:
    if value in (None, ""):
        return None
    if isinstance(value, time):
        return value
    parsed = parse_time(str(value).strip().replace("h", ":")) if str(value).strip() else None
    if parsed is None:
        problems.add(key, _("“%(value)s” is not a time like 06:30.") % {"value": value})
    return parsed


@transaction.atomic
def create_show(actor: User | None, outlet: Outlet, data: Mapping[str, Any]) -> Show:
    require(actor, Cap.EDIT_MEDIA)
    values = clean_show(data)
    if Show.objects.filter(outlet=outlet, name__iexact=values["name"]).exists():
        raise ValidationError({"name": [_("This outlet already has a show with this name.")]})
    show = Show.objects.create(outlet=outlet, **values)
    audit.record(actor, "create", show)
    return show


@transaction.atomic
def update_show(actor: User | None, show: Show, data: Mapping[str, Any]) -> Show:
    require(actor, Cap.EDIT_MEDIA)
    values = clean_show(data, partial=True)
    if (
        "name" in values
        and Show.objects.filter(outlet=show.outlet, name__iexact=values["name"])
        .exclude(pk=show.pk)
        .exists()
    ):
        raise ValidationError({"name": [_("This outlet already has a show with this name.")]})
    before = {k: getattr(show, k) for k in values}
    for name, value in values.items():
        setattr(show, name, value)
    show.save()
    if "name" in values and before["name"] != values["name"]:
        reindex_ids(Contact.objects.filter(show=show).values_list("pk", flat=True))
    changes = audit.diff(before, values)
    if changes:
        audit.record(actor, "update", show, changes=changes)
    return show


@transaction.atomic
def delete_show(actor: User | None, show: Show) -> None:
    require(actor, Cap.DELETE_MEDIA)
    ids = list(Contact.objects.filter(show=show).values_list("pk", flat=True))
    audit.record(actor, "delete", show)
    show.delete()
    reindex_ids(ids)
