"""Pools drawn once from the seed: names, phone numbers, contact profiles, dates.

At a million contacts nothing may be computed per contact in Python: every
contact is a combination of pool entries chosen by the SQL generator
(`relance.demo.sqlgen`). The pools carry each entry's share of the derived
columns, computed with the `relance.contacts.documents` functions.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import phonenumbers
from faker import Faker

from relance.contacts.documents import contact_name_key
from relance.demo import vocabulary as v
from relance.lib.text import search_document, words

# Faker locale of each name group; the group follows the outlet (France,
# French-speaking Canada, English-speaking Canada).
NAME_LOCALES = {"fr": "fr_FR", "qc": "fr_CA", "en": "en_CA"}
# Compound first names (Jean-Marc, Marie-Ève) and double-barrelled last
# names, as a share of the plain ones Faker knows. Every allocation (one
# outlet's contacts) walks first × last combinations without repeating one,
# so the pool sizes bound the contacts of a single outlet (tens of
# thousands: far more than any newsroom, enough for the influencers).
COMPOUNDS = {"fr": (0.1, 0.06), "qc": (0.12, 0.04), "en": (0.0, 0.03)}
COMPOUND_FIRST = {"fr": ("Jean", "Marie"), "qc": ("Jean", "Marie"), "en": ()}

# Phone numbers reserved for fiction, so no demo call can reach a real person:
# ARCEP sets aside 01 99 00 xx xx, 02 61 91 xx xx, 03 53 01 xx xx,
# 04 65 71 xx xx and 05 36 49 xx xx; the NANP reserves 555-0100…555-0199 in
# every area code.
FR_FICTION = {
    "fr1": "+3319900",
    "fr2": "+3326191",
    "fr3": "+3335301",
    "fr4": "+3346571",
    "fr5": "+3353649",
}
CA_AREA_CODES = {
    "qc514": ("514", "438", "263"),
    "qc418": ("418", "581", "367"),
    "qc819": ("819", "873", "468"),
    "qc450": ("450", "579", "354"),
    "on613": ("613", "343"),
    "on416": ("416", "647", "437"),
    "on705": ("705", "249"),
}
PROFILE_GROUPS = ("press", "desk", "creator")
PROFILES_PER_GROUP = 512
TIMESTAMPS = 1024


@functools.lru_cache(maxsize=4096)
def part(text: str) -> str:
    """The words `contact_document` indexes for one field (it runs
    `search_document` over the fields), with a trailing space or nothing, so
    SQL can concatenate parts and trim the end."""
    doc = search_document(text)
    return doc + " " if doc else ""


@dataclass
class NamePool:
    group: str
    names: list[str] = field(default_factory=list)
    genders: list[int] = field(default_factory=list)  # 1 = feminine (job titles agree)
    docs: list[str] = field(default_factory=list)
    keys: list[tuple[str, str | None]] = field(default_factory=list)
    slugs: list[str] = field(default_factory=list)
    _seen: set[str] = field(default_factory=set)

    def add(self, name: str, gender: int) -> bool:
        slug = "-".join(words(name))
        # E-mail local parts must be plain ASCII, and the SQL name key
        # handles names of one or two words.
        key = contact_name_key(name, "").split(" ")
        if not slug or not slug.isascii() or slug in self._seen or len(key) > 2:
            return False
        self._seen.add(slug)
        self.names.append(name)
        self.genders.append(gender)
        self.docs.append(part(name))
        self.keys.append((key[0], key[1] if len(key) > 1 else None))
        self.slugs.append(slug)
        return True

    def __len__(self) -> int:
        return len(self.names)


@functools.cache
def name_pools(seed: int) -> dict[str, tuple[NamePool, NamePool]]:
    """(first names, last names) per group, drawn from a seeded Faker (once
    per process: Faker is the slow part of a small build). Read-only."""
    pools: dict[str, tuple[NamePool, NamePool]] = {}
    for group, locale in NAME_LOCALES.items():
        rng = random.Random(f"{seed}:names:{group}")
        fake = Faker(locale)
        fake.seed_instance(rng.randrange(2**32))
        first, last = NamePool(group), NamePool(group)
        singles: list[tuple[str, int]] = []
        for _ in range(600):
            gender = rng.random() < 0.5
            name = fake.first_name_female() if gender else fake.first_name_male()
            if first.add(name, int(gender)):
                singles.append((name, int(gender)))
        # Compound first names (Jean-Marc, Marie-Ève) are common in France
        # and Quebec and widen the pool beyond Faker's lists.
        prefixes = COMPOUND_FIRST[group]
        n_first = round(len(first) * (1 + COMPOUNDS[group][0]))
        attempts = 0
        while prefixes and len(first) < n_first and attempts < n_first * 20:
            attempts += 1
            base, gender = rng.choice(singles)
            prefix = "Marie" if gender else "Jean"
            if prefix in prefixes and base not in ("Jean", "Marie") and "-" not in base:
                first.add(f"{prefix}-{base}", gender)
        bases: list[str] = []
        for _ in range(800):
            name = fake.last_name()
            if last.add(name, 0):
                bases.append(name)
        n_last = round(len(last) * (1 + COMPOUNDS[group][1]))
        attempts = 0
        while len(last) < n_last and attempts < n_last * 20:
            attempts += 1
            a, b = rng.choice(bases), rng.choice(bases)
            if a != b and " " not in a + b and "-" not in a + b:
                last.add(f"{a}-{b}", 0)
        pools[group] = (first, last)
    return pools


def phone_pool(seed: int, per_zone: int) -> dict[str, list[str]]:
    """E.164 numbers per zone, from the ranges reserved for fiction."""
    rng = random.Random(f"{seed}:phones")
    zones: dict[str, list[str]] = {}
    for zone, prefix in FR_FICTION.items():
        suffixes = rng.sample(range(10_000), min(per_zone, 10_000))
        zones[zone] = [f"{prefix}{s:04d}" for s in suffixes]
    for zone, codes in CA_AREA_CODES.items():
        numbers = [f"+1{code}55501{s:02d}" for code in codes for s in range(100)]
        rng.shuffle(numbers)
        zones[zone] = numbers
    for numbers in zones.values():
        # Guard against a numbering-plan update in `phonenumbers` making a
        # reserved range invalid: check its ends and a few in between.
        for number in (numbers[0], numbers[-1], *rng.sample(numbers, min(5, len(numbers)))):
            if not phonenumbers.is_valid_number(phonenumbers.parse(number)):
                raise ValueError(f"demo phone range no longer valid: {number}")
    return zones


@dataclass(frozen=True)
class Profile:
    """Everything about a contact that is not their name or their outlet."""

    accepts_phone: bool
    preferred_channel: str
    best_hours: str
    paused_until: date | None
    opted_out: bool
    do_not_contact: bool
    vip: bool
    notes: str
    social_kind: int  # 0 none, 1 x, 2 linkedin, 3 x + linkedin, 4 instagram + bluesky
    n_phones: int
    email_status: str
    relationships: tuple[tuple[str, int, str], ...]  # (username, strength, notes)


def _pick(rng: random.Random, weighted: tuple[tuple[object, float], ...]) -> object:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


def profiles(seed: int, today: date) -> dict[str, list[Profile]]:
    """Profiles per group: press (journalists, editors, hosts), desk
    (assignment editors, researchers, producers) and creators (bloggers,
    influencers)."""
    rng = random.Random(f"{seed}:profiles")
    # Who in the team knows journalists: mostly the director and the managers.
    knowers = (
        ("directrice", 0.34),
        ("marc", 0.24),
        ("sophie", 0.2),
        ("julie", 0.08),
        ("thomas", 0.08),
        ("amina", 0.06),
    )
    out: dict[str, list[Profile]] = {}
    for group in PROFILE_GROUPS:
        rows = []
        for _ in range(PROFILES_PER_GROUP):
            creator = group == "creator"
            accepts = rng.random() < (0.3 if creator else 0.95 if group == "desk" else 0.85)
            channel = _pick(
                rng,
                (("email", 0.5), ("social", 0.4), ("", 0.1))
                if creator
                else (("", 0.4), ("phone", 0.45), ("email", 0.15))
                if group == "desk"
                else (("", 0.55), ("email", 0.3), ("phone", 0.12), ("social", 0.03)),
            )
            if channel == "phone" and not accepts:
                channel = "email"
            vip = not creator and rng.random() < 0.05
            n_rel = _pick(rng, ((0, 0.76), (1, 0.19), (2, 0.05)))
            if vip:
                n_rel = max(int(n_rel), 1)  # VIPs are known to someone senior
            rels: list[tuple[str, int, str]] = []
            while len(rels) < int(n_rel):
                username = str(_pick(rng, knowers))
                if any(r[0] == username for r in rels):
                    continue
                strength = int(_pick(rng, ((0, 0.15), (1, 0.4), (2, 0.3), (3, 0.15))))
                if vip and username == "directrice":
                    strength = 3
                note = rng.choice(v.RELATIONSHIP_NOTES) if rng.random() < 0.2 else ""
                rels.append((username, strength, note))
            rows.append(
                Profile(
                    accepts_phone=accepts,
                    preferred_channel=str(channel),
                    best_hours=rng.choice(v.BEST_HOURS) if rng.random() < 0.3 else "",
                    paused_until=(
                        today + timedelta(days=rng.randint(3, 45)) if rng.random() < 0.03 else None
                    ),
                    opted_out=rng.random() < 0.015,
                    do_not_contact=rng.random() < 0.01,
                    vip=vip,
                    notes=rng.choice(v.CONTACT_NOTES) if rng.random() < 0.12 else "",
                    social_kind=(
                        rng.choice((1, 3, 4, 4))
                        if creator
                        else rng.choice((1, 2, 3))
                        if rng.random() < (0.1 if group == "desk" else 0.35)
                        else 0
                    ),
                    n_phones=int(
                        _pick(rng, ((0, 0.6), (1, 0.4)))
                        if creator
                        else _pick(rng, ((0, 0.12), (1, 0.6), (2, 0.28)))
                    ),
                    email_status="bounced" if rng.random() < 0.01 else "valid",
                    relationships=tuple(rels),
                )
            )
        out[group] = rows
    return out


def timestamps(seed: int, now: datetime) -> list[tuple[datetime, datetime]]:
    """(created_at, updated_at) pairs over the last three years."""
    rng = random.Random(f"{seed}:timestamps")
    pairs = []
    for _ in range(TIMESTAMPS):
        created = now - timedelta(seconds=rng.randrange(3 * 365 * 86400))
        updated = created + (now - created) * rng.random() ** 2
        pairs.append((created.replace(microsecond=0), updated.replace(microsecond=0)))
    return pairs


# --- The hash the SQL generator uses -----------------------------------------
# A prime below 2**30 keeps every intermediate product under 2**63, so the
# same integer arithmetic runs unchanged in SQLite and PostgreSQL.
PRIME = 1_073_741_789


@dataclass(frozen=True)
class HashKeys:
    a: int
    b: int
    fields: tuple[tuple[int, int], ...]

    @classmethod
    def from_seed(cls, seed: int, n_fields: int) -> HashKeys:
        rng = random.Random(f"{seed}:hash")
        return cls(
            a=rng.randrange(1 << 20, 1 << 29) | 1,
            b=rng.randrange(PRIME),
            fields=tuple((rng.randrange(1 << 29), rng.randrange(1 << 29)) for _ in range(n_fields)),
        )

    def value(self, contact_id: int, k: int) -> int:
        """Python twin of `sqlgen.hash_sql`: used by tests."""
        x = (contact_id * self.a + self.b) % PRIME
        c, d = self.fields[k]
        return ((x + c) * (x + d)) % PRIME
