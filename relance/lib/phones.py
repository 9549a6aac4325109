"""Phone numbers: validated and stored in E.164, shown in national format.

Press officers type numbers every way ("06 12 34 56 78", "+33 6…", "(514)
555-0134"); a number without a country prefix is read in the country of the
contact's outlet (France by default).
"""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from django.utils.translation import gettext as _


class PhoneError(ValueError):
    pass


def to_e164(raw: str, region: str = "FR") -> str:
    """E.164 form of `raw`, or PhoneError with a message for the user."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError(_("The phone number is empty."))
    try:
        number = phonenumbers.parse(text, (region or "FR").upper())
    except phonenumbers.NumberParseException:
        raise PhoneError(_("“%(value)s” is not a phone number.") % {"value": text}) from None
    if not phonenumbers.is_valid_number(number):
        raise PhoneError(_("“%(value)s” is not a valid phone number.") % {"value": text})
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=4096)
def display(e164: str, viewer_region: str = "FR") -> str:
    """National format for numbers of the viewer's country, international
    format for the others ("06 12 34 56 78", "+1 514-555-0134")."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    if phonenumbers.region_code_for_number(number) == viewer_region:
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


@lru_cache(maxsize=4096)
def national(e164: str) -> str:
    """The number as dialled inside its own country ("01 42 68 53 00", "(514) 555-0134")."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
