"""Validation of contact data, shared by the forms, the API and the import.

Pure functions over plain values (no database access), so the import can run
them over a hundred thousand rows quickly and the messages are the same
everywhere: each names the field and says what is wrong, in the user's
language.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from relance.accounts.models import Language
from relance.contacts.documents import beat_key
from relance.contacts.models import Channel, ContactRole, LegalBasis
from relance.lib.phones import PhoneError, to_e164
from relance.lib.text import clean_text, squash

# The social networks a contact's handles are kept for, with their names.
SOCIAL_LABELS = {
    "x": "X",
    "linkedin": "LinkedIn",
    "instagram": "Instagram",
    "bluesky": "Bluesky",
    "mastodon": "Mastodon",
    "facebook": "Facebook",
    "threads": "Threads",
    "tiktok": "TikTok",
    "youtube": "YouTube",
}
SOCIAL_NETWORKS = tuple(SOCIAL_LABELS)
_HOURS = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)\s*-\s*([01]\d|2[0-3]):([0-5]\d)$")
_TRUE_WORDS = {"1", "true", "yes", "y", "oui", "o", "vrai", "x", "on"}
_FALSE_WORDS = {"0", "false", "no", "n", "non", "faux", "", "off"}

ROLES = {c.value for c in ContactRole}
LANGUAGES = {c.value for c in Language}
CHANNELS = {c.value for c in Channel}
LEGAL_BASES = {c.value for c in LegalBasis}

# Every field a contact write accepts, with its default for a new contact.
CONTACT_DEFAULTS: dict[str, Any] = {
    "first_name": "",
    "last_name": "",
    "role": ContactRole.JOURNALIST.value,
    "title": "",
    "outlet_id": None,
    "show_id": None,
    "language": Language.FR.value,
    "beats": [],
    "emails": [],
    "phones": [],
    "social": {},
    "accepts_phone": True,
    "preferred_channel": "",
    "best_hours": "",
    "paused_until": None,
    "opted_out": False,
    "do_not_contact": False,
    "vip": False,
    "notes": "",
    "legal_basis": LegalBasis.LEGITIMATE_INTEREST.value,
    "source": "",
}


@dataclass
class EmailValue:
    address: str
    label: str = ""
    is_primary: bool = False


@dataclass
class PhoneValue:
    number: str  # E.164
    label: str = ""
    is_primary: bool = False


@dataclass
class Problems:
    """Field errors collected while cleaning; raised together at the end."""

    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def clean_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value if value is not None else "").strip().casefold()
    if text in _TRUE_WORDS:
        return True
    if text in _FALSE_WORDS:
        return False
    raise ValueError(_("“%(value)s” is not yes or no.") % {"value": value})


def clean_best_hours(value: str) -> str:
    """ "9:30-11:30, 14h-15h" -> "09:30-11:30,14:00-15:00"."""
    text = squash(value).replace("h", ":").replace("H", ":").replace("–", "-")
    if not text:
        return ""
    slots = []
    for part in re.split(r"[,;/]| et | and ", text):
        part = part.strip()
        if not part:
            continue
        part = re.sub(r"(?<!\d)(\d)(?=:)", r"0\1", part)  # 9:30 -> 09:30
        part = re.sub(r":(?=\s*-|$)", ":00", part)  # 14:-15: -> 14:00-15:00
        match = _HOURS.match(part)
        if not match or match.group(1, 2) >= match.group(3, 4):
            raise ValueError(
                _("“%(value)s” is not a time range like 09:30-11:30.") % {"value": part}
            )
        slots.append(f"{match[1]}:{match[2]}-{match[3]}:{match[4]}")
    if len(slots) > 4:
        raise ValueError(_("At most four time ranges."))
    return ",".join(slots)


def clean_beats(values: Iterable[str] | str) -> list[str]:
    if isinstance(values, str):
        values = re.split(r"[;,|\n]", values)
    seen: set[str] = set()
    beats = []
    for value in values:
        name = squash(str(value))
        key = beat_key(name)
        if not key or key in seen:
            continue
        if len(name) > 80:
            raise ValueError(
                _("A beat is longer than 80 characters: “%(value)s”.") % {"value": name}
            )
        seen.add(key)
        beats.append(name)
    return beats


_url = URLValidator(schemes=["http", "https"])


def clean_url(value: Any) -> str:
    """An http(s) address (a website, a feed), or "" when empty."""
    text = squash(str(value or ""))
    if not text:
        return ""
    if len(text) > 200:
        raise ValueError(_("An address has at most 200 characters."))
    try:
        _url(text)
    except ValidationError:
        raise ValueError(
            _("“%(value)s” is not a valid http(s) address.") % {"value": text}
        ) from None
    return text


def clean_email(value: str) -> str:
    address = squash(value).strip("<>").strip()
    if address.lower().startswith("mailto:"):
        address = address[7:]
    try:
        validate_email(address)
    except ValidationError:
        raise ValueError(
            _("“%(value)s” is not a valid e-mail address.") % {"value": value}
        ) from None
    if len(address) > 254:  # RFC 5321's limit, and the column's
        raise ValueError(_("An e-mail address has at most 254 characters."))
    local, _at, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def _entries(values: Any, key: str) -> list[dict[str, Any]]:
    """Accept ["a@x", …] or [{"address": "a@x", "label": …, "is_primary": …}, …]."""
    if values is None or values == "":
        return []
    if isinstance(values, str):
        values = [v for v in re.split(r"[;,\n]", values) if v.strip()]
    if not isinstance(values, list | tuple):
        raise ValueError(_("Expected a list."))
    out = []
    for item in values:
        if isinstance(item, Mapping):
            out.append(dict(item))
        else:
            out.append({key: item})
    return out


def clean_emails(values: Any) -> list[EmailValue]:
    emails: list[EmailValue] = []
    seen = set()
    for entry in _entries(values, "address"):
        address = clean_email(str(entry.get("address") or ""))
        if address.lower() in seen:
            continue
        seen.add(address.lower())
        emails.append(
            EmailValue(
                address=address,
                label=squash(str(entry.get("label") or ""))[:30],
                is_primary=clean_bool(entry.get("is_primary", False)),
            )
        )
    return _one_primary(emails)


def clean_phones(values: Any, region: str) -> list[PhoneValue]:
    phones: list[PhoneValue] = []
    seen = set()
    for entry in _entries(values, "number"):
        try:
            number = to_e164(str(entry.get("number") or ""), region)
        except PhoneError as exc:
            raise ValueError(str(exc)) from None
        if number in seen:
            continue
        seen.add(number)
        phones.append(
            PhoneValue(
                number=number,
                label=squash(str(entry.get("label") or ""))[:30],
                is_primary=clean_bool(entry.get("is_primary", False)),
            )
        )
    return _one_primary(phones)


def _one_primary[T: (EmailValue, PhoneValue)](items: list[T]) -> list[T]:
    """Exactly one primary when there is anything: the first one marked, else
    the first one."""
    if not items:
        return items
    primary = next((i for i, item in enumerate(items) if item.is_primary), 0)
    for i, item in enumerate(items):
        item.is_primary = i == primary
    return items


def clean_social(value: Any) -> dict[str, str]:
    if not value:
        return {}
    if not isinstance(value, Mapping):
        raise ValueError(_('Expected an object like {"x": "@handle"}.'))
    social = {}
    for network, handle in value.items():
        name = str(network).strip().lower()
        if name == "twitter":
            name = "x"
        if name not in SOCIAL_NETWORKS:
            raise ValueError(
                _("Unknown network “%(name)s”; use one of: %(known)s.")
                % {"name": network, "known": ", ".join(SOCIAL_NETWORKS)}
            )
        text = squash(str(handle or ""))
        if text:
            social[name] = text[:200]
    return social


def _choice(value: Any, allowed: set[str], label: str) -> str:
    text = str(value or "").strip()
    if text not in allowed:
        raise ValueError(
            _("“%(value)s” is not a valid %(label)s; use one of: %(allowed)s.")
            % {"value": value, "label": label, "allowed": ", ".join(sorted(allowed))}
        )
    return text


def clean_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    text = str(value).strip()
    parsed = None
    try:
        parsed = parse_date(text)
    except ValueError:
        parsed = None
    if parsed is None:
        match = re.match(r"^(\d{1,2})/(\d{1,2})/(\d{4})$", text)  # 31/12/2026
        if match:
            try:
                parsed = date(int(match[3]), int(match[2]), int(match[1]))
            except ValueError:
                parsed = None
    if parsed is None:
        raise ValueError(_("“%(value)s” is not a date (use 2026-12-31).") % {"value": value})
    return parsed


def _text(value: Any, limit: int) -> str:
    text = squash(str(value if value is not None else ""))
    if len(text) > limit:
        raise ValueError(_("Too long: at most %(limit)d characters.") % {"limit": limit})
    return text


def clean_contact(
    data: Mapping[str, Any],
    *,
    region: str = "FR",
    partial: bool = False,
    current_emails: list[dict[str, Any]] | None = None,
    current_phones: list[dict[str, Any]] | None = None,
) -> dict:
    """Clean the contact fields present in `data`.

    Returns the cleaned values (only the keys given when `partial`, else every
    field with its default). Raises ValidationError({field: [message…]}) listing
    every problem at once. `region` is the country used for numbers typed
    without a prefix (the outlet's). A single `email` (`phone`) becomes the
    primary one, in front of `emails` or, failing that, `current_emails`.
    """
    problems = Problems()
    unknown = set(data) - set(CONTACT_DEFAULTS) - {"email", "phone"}
    for name in sorted(unknown):
        problems.add(name, _("Unknown field."))
    values: dict[str, Any] = {} if partial else dict(CONTACT_DEFAULTS)
    values.update({k: v for k, v in data.items() if k in CONTACT_DEFAULTS})
    # `email` and `phone` (single values, as in the API) add a primary entry.
    if "email" in data and data["email"] not in (None, ""):
        others = values.get("emails") if "emails" in data else current_emails
        values["emails"] = [{"address": data["email"], "is_primary": True}] + [
            e
            for e in _safe_entries(others, "address")
            if str(e.get("address", "")).lower() != str(data["email"]).lower()
        ]
    if "phone" in data and data["phone"] not in (None, ""):
        values["phones"] = [
            {"number": data["phone"], "is_primary": True},
            *_safe_entries(values.get("phones") if "phones" in data else current_phones, "number"),
        ]

    cleaners = {
        "first_name": lambda v: _text(v, 100),
        "last_name": lambda v: _text(v, 100),
        "title": lambda v: _text(v, 150),
        "source": lambda v: _text(v, 200),
        "notes": lambda v: clean_text(str(v or "")).strip(),
        "role": lambda v: _choice(v, ROLES, _("role")),
        "language": lambda v: _choice(str(v or "").lower()[:2], LANGUAGES, _("language")),
        "preferred_channel": lambda v: (v and _choice(v, CHANNELS, _("channel"))) or "",
        "legal_basis": lambda v: _choice(v, LEGAL_BASES, _("legal basis")),
        "beats": clean_beats,
        "emails": clean_emails,
        "phones": lambda v: clean_phones(v, region),
        "social": clean_social,
        "best_hours": clean_best_hours,
        "paused_until": clean_date,
        "accepts_phone": clean_bool,
        "opted_out": clean_bool,
        "do_not_contact": clean_bool,
        "vip": clean_bool,
        "outlet_id": _optional_id,
        "show_id": _optional_id,
    }
    cleaned: dict[str, Any] = {}
    for name, value in values.items():
        try:
            cleaned[name] = cleaners[name](value)
        except (ValueError, TypeError) as exc:
            problems.add(name, str(exc) or _("Invalid value."))
    named = not partial or "last_name" in cleaned or "first_name" in cleaned
    if named and not (cleaned.get("last_name") or cleaned.get("first_name")):
        problems.errors.setdefault("last_name", [_("A contact needs a name.")])
    # Report errors under the name the caller used (`email` in the API).
    for single, plural in (("email", "emails"), ("phone", "phones")):
        if single in data and plural not in data and plural in problems.errors:
            problems.errors[single] = problems.errors.pop(plural)
    problems.raise_if_any()
    # A desk or a single-name blogger: keep the one name as the last name so
    # sorting and duplicate detection see it.
    if not partial and not cleaned["last_name"] and cleaned["first_name"]:
        cleaned["last_name"], cleaned["first_name"] = cleaned["first_name"], ""
    return cleaned


def _safe_entries(values: Any, key: str) -> list[dict[str, Any]]:
    try:
        return _entries(values, key)
    except ValueError:
        return []


def _optional_id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise ValueError(_("Expected an id."))
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ValueError(_("Expected an id.")) from None
    if not 0 < number < 2**63:
        raise ValueError(_("Expected an id."))
    return number
