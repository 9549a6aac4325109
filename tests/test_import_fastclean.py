"""The import's fast cleaning path gives exactly what the validators give
(relance.contacts.validation and relance.lib.phones), or defers to them."""

from __future__ import annotations

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from relance.contacts.importing.fastclean import RowCleaner, fast_e164, fast_email
from relance.contacts.validation import clean_contact, clean_email
from relance.lib.phones import PhoneError, to_e164

REGIONS = ("FR", "CA", "US", "BE")


def reference_phone(raw: str, region: str) -> str | None:
    try:
        return to_e164(raw, region)
    except PhoneError:
        return None


def _formatted(rnd: random.Random, digits: str) -> str:
    style = rnd.randrange(6)
    if style == 0:
        return digits
    if style == 1:
        return " ".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    if style == 2:
        return ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    if style == 3:
        return "-".join(digits[i : i + 3] for i in range(0, len(digits), 3))
    if style == 4 and len(digits) >= 10:
        return f"({digits[-10:-7]}) {digits[-7:-4]}-{digits[-4:]}"
    return digits[:3] + "\u00a0" + digits[3:]


def test_fast_phone_path_agrees_with_phonenumbers_on_many_numbers():
    rnd = random.Random(2026)
    fast_hits = 0
    for _ in range(4000):
        prefix = rnd.choice(["0", "+33", "0033", "", "1", "+1", "+32", "00"])
        size = {"0": 9, "+33": 9, "0033": 9, "": 10, "1": 10, "+1": 10}.get(prefix, 9)
        size += rnd.choice([0, 0, 0, -1, 1])  # and some of the wrong length
        body = rnd.choice("123456789") + "".join(rnd.choice("0123456789") for _ in range(size - 1))
        raw = _formatted(rnd, prefix + body)
        region = rnd.choice(REGIONS)
        fast = fast_e164(raw, region)
        if fast is not None:
            fast_hits += 1
            assert fast == reference_phone(raw, region), (raw, region)
    assert fast_hits > 500  # the fast path really is taken


phone_text = st.text(alphabet="0123456789 +-.()/", min_size=0, max_size=20)


@settings(max_examples=300, deadline=None)
@given(raw=phone_text, region=st.sampled_from(REGIONS))
def test_fast_phone_path_is_right_or_defers(raw, region):
    fast = fast_e164(raw, region)
    assert fast is None or fast == reference_phone(raw, region)


def reference_email(value: str) -> str | None:
    try:
        return clean_email(value)
    except ValueError:
        return None


emails = st.one_of(
    st.emails().map(str),
    st.text(alphabet="abcAB.-_+@<> é:mailto", max_size=30),
    st.builds(lambda a, b: f"{a}@{b}", st.text(max_size=10), st.text(max_size=12)),
)


@settings(max_examples=300, deadline=None)
@given(value=emails)
def test_fast_email_path_is_right_or_defers(value):
    fast = fast_email(value)
    assert fast is None or fast == reference_email(value)


words = st.sampled_from(
    [
        "",
        " ",
        "oui",
        "non",
        "yes",
        "x",
        "0",
        "peut-être",
        "journalist",
        "editor",
        "fr",
        "en",
        "FR",
        "de",
        "phone",
        "email",
        "consent",
        "2026-12-31",
        "31/12/2026",
        "12/31/2026",
        "09:30-11:30",
        "9h-10h",
        "25:00-26:00",
        "Énergie",
        "Culture; Énergie",
        "a" * 90,
    ]
)
rows = st.fixed_dictionaries(
    {},
    optional={
        "first_name": st.text(max_size=8) | st.just("x" * 101) | st.just(" a\u00a0 b\x1c\u2028"),
        "last_name": st.text(max_size=8),
        "title": st.text(max_size=6),
        "notes": st.text(max_size=10),
        "source": st.text(max_size=5),
        "role": words,
        "language": words,
        "preferred_channel": words,
        "legal_basis": words,
        "accepts_phone": words,
        "opted_out": words,
        "do_not_contact": words,
        "vip": words,
        "best_hours": words,
        "paused_until": words,
        "beats": st.lists(words, max_size=4),
        "emails": st.lists(
            st.fixed_dictionaries({"address": emails, "label": st.sampled_from(["", "work"])}),
            max_size=3,
        ),
        "phones": st.lists(
            st.fixed_dictionaries(
                {
                    "number": phone_text | st.sampled_from(["06 12 34 56 78", "(514) 555-0134"]),
                    "label": st.sampled_from(["", "mobile"]),
                }
            ),
            max_size=3,
        ),
        "social": st.dictionaries(
            st.sampled_from(["x", "twitter", "linkedin", "myspace"]),
            st.text(max_size=5),
            max_size=2,
        ),
    },
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=rows, region=st.sampled_from(REGIONS))
def test_row_cleaner_gives_clean_contacts_result_or_defers(data, region):
    cleaner = RowCleaner()
    fast = cleaner.clean(data, region)
    try:
        expected = clean_contact(data, region=region)
    except Exception:  # ValidationError: the fast path must have deferred
        assert fast is None
        return
    if fast is not None:
        assert fast == expected
    # Asked again (answers now memoised), the same result.
    assert cleaner.clean(data, region) == fast


@pytest.mark.parametrize(
    "data",
    [
        {
            "first_name": "Claire",
            "last_name": "Dubois",
            "beats": ["Énergie", "énergie ", "Climat"],
            "emails": [
                {"address": "Claire@Exemple.FR", "label": ""},
                {"address": "claire@exemple.fr", "label": "work"},
            ],
            "phones": [{"number": "06 12 34 56 78", "label": "mobile"}],
        },
        {"first_name": "Cher"},  # one name: kept as the last name
        {"last_name": "Dubois", "role": "journalist", "language": "EN", "vip": "oui"},
    ],
)
def test_row_cleaner_common_rows_take_the_fast_path(data):
    fast = RowCleaner().clean(data, "FR")
    assert fast is not None and fast == clean_contact(data, region="FR")


@settings(max_examples=200, deadline=None)
@given(a=st.text(max_size=20), b=st.text(max_size=20))
def test_ratio_on_name_keys_is_token_sort_ratio(a, b):
    """The duplicate finder compares name keys with fuzz.ratio: on keys
    (sorted words) it is the token_sort_ratio the design asks for."""
    from rapidfuzz import fuzz

    from relance.contacts.documents import contact_name_key

    x, y = contact_name_key(a, ""), contact_name_key(b, "")
    assert fuzz.ratio(x, y) == fuzz.token_sort_ratio(x, y)
