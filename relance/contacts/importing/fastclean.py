"""`clean_contact` at import speed.

`validation.clean_contact` is the single definition of a valid contact, but
it costs about 240 µs a row (phonenumbers' parser alone ~75 µs, Django's
e-mail domain regex ~25 µs, translated labels looked up on every call). A
100,000-row import must check a row in a few dozen microseconds.

`RowCleaner.clean` returns exactly what `clean_contact(data, region=…)`
returns, or None when it is not sure; the caller then runs `clean_contact`
itself, which gives the result or the error messages. It is fast because:

* fields with few distinct values (role, language, flags, beats, dates…) are
  cleaned once per distinct value, by `clean_contact` itself, and memoised;
* phone numbers in the shapes people type in France and North America are
  checked against phonenumbers' own metadata without its string parser;
* e-mail addresses use Django's validator with the domain check memoised
  (an agency's file has a few hundred domains for thousands of addresses).

tests/test_import_fastclean.py checks the equivalence on generated data;
anything this module does not recognise falls back to the validators.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email as _email_validator

from relance.contacts.documents import beat_key
from relance.contacts.validation import (
    SOCIAL_NETWORKS,
    EmailValue,
    PhoneValue,
    clean_contact,
)
from relance.lib.text import clean_text, squash

# --- Phones -------------------------------------------------------------

_NANP_REGIONS = frozenset({"CA", "US"})
_TYPE_DESCS = (
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
    "fixed_line",
    "mobile",
)


def _strip_separators(raw: str) -> str:
    # Chained replace is several times faster than a regex or str.translate
    # on this hot path (a hundred thousand numbers per import).
    return (
        raw.replace(" ", "")
        .replace(".", "")
        .replace("-", "")
        .replace("/", "")
        .replace("(", "")
        .replace(")", "")
        .replace("\u00a0", "")
        .replace("\u202f", "")
    )


def fast_e164(raw: str, region: str) -> str | None:
    """The E.164 form `to_e164(raw, region)` would give, or None to let it
    decide (unusual shape, other country, or an invalid number)."""
    if len(raw) > 40 or "(0)" in raw:
        return None
    digits = _strip_separators(raw)
    plus = digits[:1] == "+"
    body = digits[1:] if plus else digits
    # ASCII digits only: phonenumbers also reads other scripts' digits, and
    # those are left to it.
    if not body.isascii() or not body.isdigit():
        return None
    size = len(body)
    code = 0
    nsn = ""
    if plus:
        if size == 11 and body[:2] == "33" and body[2] != "0":
            code, nsn = 33, body[2:]
        elif size == 11 and body[0] == "1" and body[1] not in "01":
            code, nsn = 1, body[1:]
    elif region == "FR":
        if size == 10 and body[0] == "0" and body[1] != "0":
            code, nsn = 33, body[1:]
        elif size == 13 and body[:4] == "0033" and body[4] != "0":
            code, nsn = 33, body[4:]
    elif region in _NANP_REGIONS:
        if size == 10 and body[0] not in "01":
            code, nsn = 1, body
        elif size == 11 and body[0] == "1" and body[1] not in "01":
            code, nsn = 1, body[1:]
    if not code:
        return None
    return f"+{code}{nsn}" if _valid(code, nsn) else None


@lru_cache(maxsize=64)
def _region_patterns(region: str) -> tuple[dict[int, Any], Any, Any]:
    """For one region: by number length, one compiled pattern true exactly
    when phonenumbers' `_number_type_helper` finds a type (the general
    pattern as a look-ahead, then any type pattern allowing that length);
    the general pattern for lengths no type lists; the leading-digits pattern."""
    from phonenumbers import PhoneMetadata

    metadata = PhoneMetadata.metadata_for_region(region, None)
    if metadata is None:
        return {}, None, None
    general = metadata.general_desc
    if general is None or not general.national_number_pattern:
        return {}, None, None
    descs = [
        d
        for d in (getattr(metadata, n) for n in _TYPE_DESCS)
        if d is not None and d.national_number_pattern
    ]
    lengths = set(general.possible_length or ()) | {
        n for d in descs for n in (d.possible_length or ())
    }
    by_length: dict[int, Any] = {}
    for length in lengths:
        alternatives = [
            d.national_number_pattern
            for d in descs
            if not d.possible_length or length in d.possible_length
        ]
        if alternatives:
            by_length[length] = re.compile(
                rf"(?=(?:{general.national_number_pattern})\Z)(?:"
                + "|".join(f"(?:{a})" for a in alternatives)
                + ")"
            )
    # Types without listed lengths accept any length the general pattern does.
    open_types = [d.national_number_pattern for d in descs if not d.possible_length]
    fallback = (
        re.compile(
            rf"(?=(?:{general.national_number_pattern})\Z)(?:"
            + "|".join(f"(?:{a})" for a in open_types)
            + ")"
        )
        if open_types
        else None
    )
    leading = re.compile(metadata.leading_digits) if metadata.leading_digits else None
    return by_length, fallback, leading


def _of_some_type(nsn: str, region: str) -> bool:
    """phonenumbers' `_number_type_helper(nsn, metadata) != UNKNOWN`."""
    by_length, fallback, _leading = _region_patterns(region)
    pattern = by_length.get(len(nsn), fallback)
    return pattern is not None and pattern.fullmatch(nsn) is not None


def _valid(code: int, nsn: str) -> bool:
    """phonenumbers.is_valid_number for a parsed number, region lookup included."""
    regions = _regions(code)
    if not regions:
        return False
    region = regions[0] if len(regions) == 1 else None
    if region is None:
        for candidate in regions:
            leading = _region_patterns(candidate)[2]
            if leading is not None:
                if leading.match(nsn):
                    region = candidate
                    break
            elif _of_some_type(nsn, candidate):
                region = candidate
                break
    return region is not None and _of_some_type(nsn, region)


@lru_cache(maxsize=16)
def _regions(code: int) -> tuple[str, ...]:
    from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

    return tuple(COUNTRY_CODE_TO_REGION_CODE.get(code) or ())


# --- E-mail -------------------------------------------------------------


# Django's validator patterns are lazily compiled proxies; the plain compiled
# pattern saves a microsecond on each of a hundred thousand addresses.
_USER = re.compile(_email_validator.user_regex.pattern, _email_validator.user_regex.flags)


@lru_cache(maxsize=8192)
def _domain_ok(domain: str) -> bool:
    return domain in _email_validator.domain_allowlist or bool(
        _email_validator.validate_domain_part(domain)
    )


def fast_email(value: str) -> str | None:
    """`validation.clean_email(value)` when the address is valid, else None."""
    address = _squash(value).strip("<>").strip()
    if address[:7].lower() == "mailto:":
        address = address[7:]
    if not address or "@" not in address or len(address) > 254:
        return None  # (over 254: valid for Django, refused by clean_email)
    local, domain = address.rsplit("@", 1)
    if not _USER.match(local) or not _domain_ok(domain):
        return None
    return f"{local}@{domain.lower()}"


def _squash(text: str) -> str:
    """lib.text.squash, without its two regexes for the common case: text
    with no control character, no space but ASCII space, no double space
    (str.isprintable() is false for every control and every other space)."""
    if text.isprintable() and "  " not in text:
        return text.strip()
    return squash(text)


# --- Rows ---------------------------------------------------------------

_MEMO_FIELDS = frozenset(
    {
        "role",
        "language",
        "preferred_channel",
        "legal_basis",
        "accepts_phone",
        "opted_out",
        "do_not_contact",
        "vip",
        "best_hours",
        "paused_until",
    }
)
_TEXT_LIMITS = {"first_name": 100, "last_name": 100, "title": 150, "source": 200}
_BAD = object()
_MEMO_LIMIT = 200_000


class RowCleaner:
    """Cleans rows like `clean_contact`, remembering what it has seen."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, Any], Any] = {}
        self._beat_memo: dict[str, tuple[str, str, bool]] = {}
        self._defaults: dict[str, Any] | None = None

    def defaults(self) -> dict[str, Any]:
        if self._defaults is None:
            cleaned = clean_contact({"last_name": "-"})
            cleaned["last_name"] = ""
            self._defaults = cleaned
        return self._defaults

    def _field(self, name: str, value: Any) -> Any:
        key = (name, value)
        try:
            return self._memo[key]
        except KeyError:
            pass
        except TypeError:  # not hashable: let clean_contact decide
            return _BAD
        try:
            cleaned = clean_contact({name: value}, partial=True)[name]
        except (ValidationError, KeyError):
            cleaned = _BAD
        if len(self._memo) > _MEMO_LIMIT:
            self._memo.clear()
        self._memo[key] = cleaned
        return cleaned

    def _beats(self, values: Any) -> list[str] | None:
        """validation.clean_beats, with each distinct beat squashed and keyed
        once (a file has a few dozen beats over thousands of rows)."""
        if not isinstance(values, list):
            return None
        seen: set[str] = set()
        beats: list[str] = []
        memo = self._beat_memo
        for value in values:
            try:
                name, key, too_long = memo[value]
            except (KeyError, TypeError):
                if not isinstance(value, str):
                    return None
                name = _squash(value)
                key = beat_key(name)
                too_long = len(name) > 80
                memo[value] = (name, key, too_long)
            if not key or key in seen:
                continue
            if too_long:
                return None
            seen.add(key)
            beats.append(name)
        return beats

    def clean(self, data: dict[str, Any], region: str) -> dict[str, Any] | None:
        """`clean_contact(data, region=region)`, or None (then call it)."""
        out = dict(self.defaults())
        for name, value in data.items():
            if name in _TEXT_LIMITS:
                text = _squash(str(value if value is not None else ""))
                if len(text) > _TEXT_LIMITS[name]:
                    return None
                out[name] = text
            elif name == "notes":
                out[name] = clean_text(str(value or "")).strip()
            elif name in _MEMO_FIELDS:
                cleaned = self._field(name, value)
                if cleaned is _BAD:
                    return None
                out[name] = cleaned
            elif name == "beats":
                beats = self._beats(value)
                if beats is None:
                    return None
                out[name] = beats
            elif name == "emails":
                emails = _emails(value)
                if emails is None:
                    return None
                out[name] = emails
            elif name == "phones":
                phones = _phones(value, (region or "FR").upper())
                if phones is None:
                    return None
                out[name] = phones
            elif name == "social":
                social = _social(value)
                if social is None:
                    return None
                out[name] = social
            else:
                return None
        if not out["last_name"] and not out["first_name"]:
            return None
        # Fresh containers: the defaults' lists are shared between rows.
        for name, empty in (("emails", []), ("phones", []), ("beats", []), ("social", {})):
            if name not in data:
                out[name] = empty
        if not out["last_name"]:
            out["last_name"], out["first_name"] = out["first_name"], ""
        return out


def _label(label: Any) -> str:
    """An e-mail or phone label as clean_contact keeps it."""
    return _text_label(label) if label.__class__ is str else squash(str(label))[:30]


@lru_cache(maxsize=1024)
def _text_label(label: str) -> str:
    # A file has a few labels (its column names, "work", "cell"…).
    return squash(label)[:30]


def _emails(entries: Any) -> list[EmailValue] | None:
    if not isinstance(entries, list):
        return None
    emails: list[EmailValue] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or "is_primary" in entry:
            return None
        address = fast_email(str(entry.get("address") or ""))
        if address is None:
            return None
        lowered = address.lower()
        if lowered in seen:
            continue
        seen.add(lowered)
        label = entry.get("label") or ""
        emails.append(EmailValue(address, _label(label) if label else "", False))
    if emails:
        emails[0].is_primary = True
    return emails


def _phones(entries: Any, region: str) -> list[PhoneValue] | None:
    if not isinstance(entries, list):
        return None
    phones: list[PhoneValue] = []
    seen: set[str] = set()
    for entry in entries:
        if not isinstance(entry, dict) or "is_primary" in entry:
            return None
        number = fast_e164(str(entry.get("number") or "").strip(), region)
        if number is None:
            return None
        if number in seen:
            continue
        seen.add(number)
        label = entry.get("label") or ""
        phones.append(PhoneValue(number, _label(label) if label else "", False))
    if phones:
        phones[0].is_primary = True
    return phones


def _social(value: Any) -> dict[str, str] | None:
    if not isinstance(value, dict):
        return None
    social: dict[str, str] = {}
    for network, handle in value.items():
        name = str(network).strip().lower()
        if name == "twitter":
            name = "x"
        if name not in SOCIAL_NETWORKS:
            return None
        text = squash(str(handle or ""))
        if text:
            social[name] = text[:200]
    return social
