"""The demo's outlets and their shows, France and Quebec.

The catalogue is an endless, deterministic sequence: about 300 base outlets
(national titles, regional dailies, local weeklies and stations, web media,
podcasts, blogs, two wire agencies), then local outlets drawn from patterns.
The first K outlets are the same whatever K, so a bigger build keeps the
outlets of a smaller one.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import time
from typing import TypeVar

from relance.contacts.documents import outlet_document, outlet_name_key
from relance.demo import vocabulary as v
from relance.lib.text import words

T = TypeVar("T")
BASE_OUTLETS = 300
CONTACTS_PER_EXTRA_OUTLET = 30

# Left out of e-mail domains: "Le Courrier de Lyon" -> courrier-lyon.example.
_STOPWORDS = frozenset(
    {"le", "la", "les", "l", "de", "du", "des", "d", "et", "en", "au", "aux", "a", "un", "une"}
    | {"the", "of", "on", "in"}
)


def outlet_count(contacts: int) -> int:
    """About one outlet per 30 contacts, never fewer than the base 300."""
    return max(BASE_OUTLETS, contacts // CONTACTS_PER_EXTRA_OUTLET)


@dataclass
class ShowSpec:
    name: str
    description: str
    air_days: list[int]
    air_start: time | None
    air_end: time | None
    schedule_notes: str


@dataclass
class OutletSpec:
    name: str
    kind: str
    periodicity: str
    language: str
    place: v.Place
    tier: int
    archetype: str
    audience: int | None
    closing_weekday: int | None
    lead_time_days: int | None
    domain: str
    editorial_line: str
    name_key: str
    document: str
    name_doc: str  # the words of the name alone, as contact documents include them
    shows: list[ShowSpec] = field(default_factory=list)

    @property
    def website(self) -> str:
        return f"https://www.{self.domain}"

    @property
    def feed_urls(self) -> list[str]:
        if self.kind == "podcast":
            return [f"{self.website}/podcast.xml"]
        if self.kind == "blog":
            return [f"{self.website}/feed/"]
        if self.kind in ("tv", "radio"):
            return [f"{self.website}/info/rss.xml"] if self.tier < 3 else []
        feeds = [f"{self.website}/rss.xml"]
        if self.tier == 1:
            feeds.append(f"{self.website}/rss/{self.domain.split('.')[0]}-{self.archetype}.xml")
        return feeds

    @property
    def variant(self) -> str:
        """Which vocabulary the newsroom uses: France, Quebec or English."""
        if self.language == "en":
            return "en"
        return "fr" if self.place.country == "FR" else "qc"


# Expected contacts per outlet, by kind, periodicity and tier: a national
# daily has a newsroom, a blog has its author.
def contact_weight(o: OutletSpec) -> float:
    tier = o.tier
    if o.kind == "print":
        if o.periodicity == "daily":
            return (45.0, 20.0, 8.0)[tier - 1]
        if o.periodicity == "weekly":
            return (14.0, 5.0, 3.0)[tier - 1]
        return (6.0, 5.0, 3.0)[tier - 1]
    return {
        "tv": (40.0, 14.0, 6.0),
        "radio": (30.0, 10.0, 5.0),
        "web": (14.0, 7.0, 3.0),
        "podcast": (4.0, 3.0, 2.0),
        "blog": (1.2, 1.2, 1.2),
        "wire": (35.0, 20.0, 10.0),
    }[o.kind][tier - 1]


_AUDIENCE: dict[tuple[str, int], tuple[int, int]] = {
    ("daily", 1): (80_000, 350_000),
    ("daily", 2): (20_000, 150_000),
    ("daily", 3): (5_000, 30_000),
    ("weekly", 1): (150_000, 500_000),
    ("weekly", 2): (8_000, 60_000),
    ("weekly", 3): (3_000, 25_000),
    ("magazine", 1): (100_000, 400_000),
    ("magazine", 2): (20_000, 250_000),
    ("magazine", 3): (5_000, 30_000),
    ("tv", 1): (1_000_000, 5_000_000),
    ("tv", 2): (100_000, 600_000),
    ("tv", 3): (10_000, 80_000),
    ("radio", 1): (500_000, 3_000_000),
    ("radio", 2): (40_000, 300_000),
    ("radio", 3): (5_000, 40_000),
    ("web", 1): (1_000_000, 8_000_000),
    ("web", 2): (100_000, 1_000_000),
    ("web", 3): (5_000, 80_000),
    ("podcast", 1): (50_000, 200_000),
    ("podcast", 2): (10_000, 150_000),
    ("podcast", 3): (2_000, 30_000),
    ("blog", 1): (500, 40_000),
    ("blog", 2): (500, 40_000),
    ("blog", 3): (500, 40_000),
}


# Lead times of magazines, in days: they plan their pages weeks ahead.
_LEAD = {"monthly": (30, 35, 45, 60), "bimonthly": (45, 60, 75), "quarterly": (60, 75, 90)}


def _round3(n: int) -> int:
    """Audiences are estimates: keep three significant digits."""
    digits = len(str(n))
    step = 10 ** max(0, digits - 3)
    return n // step * step


class Catalog:
    """Generates outlets in a fixed order from the seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"{seed}:outlets")
        # random() and plain arithmetic: choice() and randint() cost several
        # times more, and a big build draws a few hundred thousand times.
        self._random = self.rng.random
        self.domains: set[str] = set()
        self.names: set[str] = set()
        self._parts: dict[str, tuple[str, str, list[str]]] = {}
        self._lines: dict[tuple[str, ...], tuple[str, str]] = {}
        self._docs: dict[str, str] = {}

    def outlets(self, count: int) -> list[OutletSpec]:
        out: list[OutletSpec] = []
        for outlet in self._sequence():
            if len(out) == count:
                break
            out.append(outlet)
        return out

    # --- the sequence -----------------------------------------------------
    def _sequence(self) -> Iterator[OutletSpec]:
        base = 0
        for row in v.NATIONAL_FR + v.NATIONAL_CA:
            name, kind, periodicity, archetype, city, tier, lang = row
            country = "FR" if row in v.NATIONAL_FR else "CA"
            place = v.PLACE_BY_CITY[(country, city)]
            if country == "FR":
                scope = ("national", "") if tier == 1 or city == "Paris" else ("national", city)
            else:
                scope = ("franco-ontarien", "") if place.region == "ON" else ("québécois", "")
            made = self._make((name,), kind, periodicity, archetype, place, tier, lang, scope)
            if made:
                base += 1
                yield made
        for place in v.PLACES:
            for made in self._regional(place):
                if base < BASE_OUTLETS and made:
                    base += 1
                    yield made
        while True:
            made = self._extra()
            if made:
                yield made

    def _regional(self, place: v.Place) -> Iterator[OutletSpec | None]:
        """The regional references of a city: a daily and a station for cities,
        a weekly for towns."""
        rng = self.rng
        big = place.size >= 2
        if place.city in ("Paris", "Montréal"):
            return
        if big and place.region != "ON":
            pattern = rng.choice(v.REGIONAL_DAILY_PATTERNS)
            tier = 2 if place.size == 3 or rng.random() < 0.5 else 3
            yield self._local(pattern, "print", "daily", "regional", place, tier)
            yield self._local(
                rng.choice(v.LOCAL_PATTERNS["radio"]), "radio", "daily", "regional", place, 2
            )
        if place.size == 3:
            yield self._local(
                rng.choice(v.LOCAL_PATTERNS["tv"]), "tv", "daily", "regional", place, 2
            )
        if not big:
            yield self._local(
                rng.choice(v.LOCAL_PATTERNS["weekly"]), "print", "weekly", "local", place, 3
            )

    # Kinds of the local outlets that make up the long tail, with their share.
    _EXTRA_KINDS = (
        ("print", "weekly", 0.2),
        ("web", "continuous", 0.2),
        ("blog", "irregular", 0.25),
        ("podcast", "weekly", 0.12),
        ("radio", "daily", 0.08),
        ("print", "monthly", 0.08),
        ("tv", "daily", 0.03),
        ("print", "daily", 0.04),
    )

    def pick(self, seq: Sequence[T]) -> T:
        return seq[int(self._random() * len(seq))]

    def between(self, low: int, high: int) -> int:
        return low + int(self._random() * (high - low + 1))

    def _extra(self) -> OutletSpec | None:
        random = self._random
        r = random()
        for kind, periodicity, share in self._EXTRA_KINDS:  # noqa: B007 (the one picked)
            r -= share
            if r < 0:
                break
        r = random()
        place = self.pick(v.FR_PLACES if r < 0.7 else v.QC_PLACES if r < 0.96 else v.ON_PLACES)
        english = place.country == "CA" and random() < 0.12
        patterns = v.LOCAL_PATTERNS[{"print": periodicity}.get(kind, kind)]
        if english and kind in v.ENGLISH_PATTERNS:
            patterns = v.ENGLISH_PATTERNS[kind]
        else:
            english = False
        pattern = self.pick(patterns)
        archetype = "local"
        if kind == "blog":
            archetype = v.BLOG_ARCHETYPES.get(pattern.split()[0], "lifestyle")
        elif kind == "podcast" or (kind == "print" and periodicity == "monthly"):
            archetype = self.pick(("culture", "economie", "ecologie", "gastronomie", "sport"))
        tier = 3 if random() < 0.85 or kind == "blog" else 2
        return self._local(
            pattern, kind, periodicity, archetype, place, tier, "en" if english else "fr"
        )

    def _local(
        self,
        pattern: str,
        kind: str,
        periodicity: str,
        archetype: str,
        place: v.Place,
        tier: int,
        lang: str = "fr",
    ) -> OutletSpec | None:
        parts: tuple[str, ...] = (pattern.format(c=place.city),)
        if parts[0] in self.names:
            # Plain names run out in a big build: local editions by sector.
            parts = (parts[0], self.pick(v.SECTORS))
        scope = ("régional", place.city) if tier <= 2 else ("local", place.city)
        return self._make(parts, kind, periodicity, archetype, place, tier, lang, scope)

    def _part(self, text: str) -> tuple[str, str, list[str]]:
        """(document words, name key, domain words) of one piece of a name,
        computed once: a big build reuses the same pieces thousands of times."""
        cached = self._parts.get(text)
        if cached is None:
            ws = words(text)
            cached = (
                outlet_document(text, "", "", ""),
                outlet_name_key(text),
                [w for w in ws if w not in _STOPWORDS] or ws,
            )
            self._parts[text] = cached
        return cached

    def _doc(self, text: str) -> str:
        cached = self._docs.get(text)
        if cached is None:
            cached = self._docs[text] = outlet_document(text, "", "", "")
        return cached

    def _editorial(
        self, kind: str, periodicity: str, scope: tuple[str, str], focus: tuple[str, ...]
    ) -> tuple[str, str]:
        """The editorial line and its document words."""
        key = (kind, periodicity, *scope, *focus)
        cached = self._lines.get(key)
        if cached is None:
            label, feminine = v.KIND_LABELS.get((kind, periodicity), ("Média", False))
            adjective, city = scope
            if feminine:
                adjective = {"québécois": "québécoise", "franco-ontarien": "franco-ontarienne"}.get(
                    adjective, adjective + "e"
                )
            where = ""
            if city:
                where = (
                    f", édité à {city}"
                    if adjective.startswith("national")
                    else f", {city} et sa région"
                    if adjective.startswith("régional")
                    else f", {city} et ses environs"
                )
            topics = ", ".join(b.lower() for b in focus[:-1]) + f" et {focus[-1].lower()}"
            line = f"{label} {adjective}{where} : {topics}."
            # Words never span the pieces (spaces and punctuation between).
            doc = " ".join(d for d in map(self._doc, (label, adjective, where, topics)) if d)
            cached = (line, doc)
            self._lines[key] = cached
        return cached

    def _make(
        self,
        parts: tuple[str, ...],
        kind: str,
        periodicity: str,
        archetype: str,
        place: v.Place,
        tier: int,
        lang: str,
        scope: tuple[str, str],
    ) -> OutletSpec | None:
        name = " ".join(parts)
        if name in self.names:
            return None
        # `outlet_document` and `outlet_name_key` fold and split each field
        # word by word, so a name made of pieces is the pieces' words joined.
        pieces = [self._part(p) for p in parts]
        domain = "-".join(w for p in pieces for w in p[2]) + ".example"
        if domain in self.domains or not domain.isascii():
            return None
        self.names.add(name)
        self.domains.add(domain)
        magazine = periodicity in ("monthly", "bimonthly", "quarterly")
        bucket = "magazine" if magazine else periodicity if kind == "print" else kind
        low, high = _AUDIENCE.get((bucket, tier), (0, 0))
        audience = _round3(self.between(low, high)) if high else None
        closing = None
        if kind == "print" and periodicity != "daily":
            # Weeklies close early in the week for a Thursday or Friday issue.
            closing = self.pick((0, 1, 1, 2, 2, 3)) if not magazine else self.between(0, 4)
        lead_time = self.pick(_LEAD[periodicity]) if periodicity in _LEAD else None
        beats = v.ARCHETYPES[archetype]
        focus = beats[: self.between(3, min(5, len(beats)))]
        line, line_doc = self._editorial(kind, periodicity, scope, focus)
        city_doc, region_doc = self._part(place.city)[0], self._part(place.region)[0]
        document = " ".join(
            d for d in (*(p[0] for p in pieces), city_doc, region_doc, line_doc) if d
        )
        outlet = OutletSpec(
            name=name,
            kind=kind,
            periodicity=periodicity,
            language=lang,
            place=place,
            tier=tier,
            archetype=archetype,
            audience=audience,
            closing_weekday=closing,
            lead_time_days=lead_time,
            domain=domain,
            editorial_line=line,
            name_key=" ".join(p[1] for p in pieces if p[1]),
            document=document,
            name_doc=" ".join(p[0] for p in pieces if p[0]),
        )
        outlet.shows = self._shows(outlet)
        return outlet

    def _shows(self, o: OutletSpec) -> list[ShowSpec]:
        rng = self.rng
        if o.kind == "podcast":
            picked = rng.sample(v.PODCAST_SERIES, rng.randint(1, 2))
            return [ShowSpec(n, d, [], None, None, notes) for n, d, notes in picked]
        if o.kind not in ("tv", "radio"):
            return []
        if o.language == "en":
            templates = v.SHOWS_EN
        elif o.place.country == "FR":
            templates = v.TV_SHOWS_FR if o.kind == "tv" else v.RADIO_SHOWS_FR
        else:
            templates = v.TV_SHOWS_QC if o.kind == "tv" else v.RADIO_SHOWS_QC
        count = min(len(templates), rng.randint(2, 5) if o.tier < 3 else rng.randint(2, 3))
        picked = sorted(rng.sample(range(len(templates)), count))
        return [
            ShowSpec(t.name, t.description, list(t.air_days), t.start, t.end, t.notes)
            for t in (templates[i] for i in picked)
        ]
