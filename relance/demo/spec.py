"""The small tables the SQL contact generator joins.

A contact is the combination of: an *allocation* (the outlet it works for,
and its place in that newsroom), a first and a last name, a *position*
(role, title, show), a *profile* (channels, opt-outs, relationships), a
*beat combination* and a creation date. This module turns the catalogue and
the pools into those tables; `sqlgen` joins them.

Every text that ends up in `search_document` is precomputed here, per pool
entry, with the `relance.contacts.documents` functions: the document of a
contact is then the concatenation of its entries' parts, in the field order
of `contact_document` (which folds each field on its own and joins words
with single spaces). `builder.verify_sample` checks this against
`contact_document` after every build.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from relance.contacts.documents import beat_key, facet
from relance.demo import pools
from relance.demo import vocabulary as v
from relance.demo.catalog import OutletSpec, contact_weight

# Share of the contacts that are influencers without an outlet.
INFLUENCER_SHARE = 0.03
COMBOS_PER_ARCHETYPE = 16
PROFILE_GROUP_OF_ROLE = {
    "journalist": "press",
    "editor": "press",
    "host": "press",
    "other": "press",
    "assignment_editor": "desk",
    "researcher": "desk",
    "producer": "desk",
    "blogger": "creator",
    "influencer": "creator",
}
# Influencers write from personal addresses on shared (fictitious) domains.
INFLUENCER_ALLOCS = (("fr", "mel-perso.example", "fr1"), ("qc", "courriel-perso.example", "qc514"))


@dataclass
class Table:
    name: str
    # (column, type) with type in: int, text, bool, date, ts
    columns: tuple[tuple[str, str], ...]
    key: tuple[str, ...]
    rows: list[tuple[Any, ...]] = field(default_factory=list)


@dataclass
class OutletRef:
    """An outlet of the catalogue as stored: its id, its shows' ids, and how
    many demo contacts it already has (new ones continue the sequence)."""

    spec: OutletSpec
    outlet_id: int
    show_ids: list[int]
    existing: int = 0


@dataclass
class Spec:
    tables: dict[str, Table]
    keys: pools.HashKeys
    start_id: int
    count: int


def _t(name: str, key: str, columns: str) -> Table:
    cols = tuple((c.split(":")[0], c.split(":")[1]) for c in columns.split())
    return Table(name, cols, tuple(key.split()))


def new_tables() -> dict[str, Table]:
    tables = [
        _t(
            "demo_fname",
            "idx",
            "idx:int name:text gender:int doc:text k1:text k2:text slug:text handle:text",
        ),
        _t("demo_lname", "idx", "idx:int name:text doc:text k1:text k2:text slug:text handle:text"),
        _t(
            "demo_pos",
            "posid",
            "posid:int role:text title_m:text title_f:text tdoc_m:text tdoc_f:text"
            " show_ord:int prof_base:int role_facet:text",
        ),
        _t("demo_tplpos", "tpl j", "tpl:int j:int posid:int"),
        _t(
            "demo_alloc",
            "aid",
            "aid:int outlet_id:int start_id:int cnt:int j0:int lang:text lang_facet:text"
            " domain:text domain_doc:text outlet_doc:text outlet_facets:text tpl:int"
            " default_posid:int show_base:int combo_base:int f_base:int f_size:int l_base:int"
            " l_size:int pair_off:int pair_step:int phone_base:int phone_n:int",
        ),
        _t("demo_show", "shid", "shid:int show_id:int doc:text"),
        _t("demo_combo", "cid", "cid:int doc:text facets:text"),
        _t("demo_combo_beat", "cid beat_id", "cid:int beat_id:int"),
        _t(
            "demo_profile",
            "pid",
            "pid:int accepts_phone:bool preferred_channel:text best_hours:text"
            " paused_until:date opted_out:bool do_not_contact:bool vip:bool notes:text"
            " notes_doc:text facets:text owners:text social_kind:int n_phones:int"
            " email_status:text",
        ),
        _t("demo_profile_rel", "pid user_id", "pid:int user_id:int strength:int notes:text"),
        _t("demo_phone", "idx", "idx:int number:text"),
        _t("demo_ts", "idx", "idx:int created:ts updated:ts"),
        _t("demo_nums", "n", "n:int"),
    ]
    return {t.name: t for t in tables}


# --- Newsrooms -----------------------------------------------------------------
Position = tuple[v.Title, int | None]  # (title, show ordinal)


def staff(o: OutletSpec | None) -> tuple[list[Position], v.Title]:
    """The newsroom of an outlet, most useful first (the first contacts of an
    outlet fill these), and the title of everyone else."""
    if o is None:
        return [], v.T_INFLUENCER
    qc = o.variant == "qc"
    shows = range(len(o.shows))
    titles: list[v.Title]
    on_shows: list[Position] = []
    if o.kind == "print" and o.periodicity == "daily":
        titles = (
            [v.T_EDITOR_IN_CHIEF, v.T_DEPUTY, v.T_EDITION, v.T_SECTION, v.T_SECTION, v.T_SECTION]
            if o.tier == 1
            else [v.T_EDITOR_IN_CHIEF, v.T_EDITION, v.T_SECTION]
        )
        default = v.T_JOURNALIST
    elif o.kind == "print":
        weekly = o.periodicity in ("weekly", "biweekly")
        titles = [v.T_EDITOR_IN_CHIEF, v.T_SECTION if weekly else v.T_SUBEDITOR]
        default = v.T_JOURNALIST
    elif o.kind in ("tv", "radio"):
        # TV and radio are reached through the desk and the shows' researchers
        # (policy rule 4), so they come first.
        desk = v.T_ASSIGN_QC if qc else v.T_PLANNING if o.kind == "tv" else v.T_EDITION
        researcher = v.T_RESEARCHER_QC if qc else v.T_PROGRAMMER
        host = v.T_HOST if o.kind == "tv" else v.T_HOST_RADIO
        producer = v.T_PRODUCER_QC if qc else v.T_PRODUCER
        titles = [desk, v.T_EDITOR_IN_CHIEF]
        for s in shows:
            on_shows += [(researcher, s), (host, s)]
        on_shows += [(producer, s) for s in shows]
        if o.tier == 1:
            on_shows.append((desk, None))
        default = v.T_REPORTER if o.kind == "tv" else v.T_JOURNALIST
    elif o.kind == "podcast":
        titles = []
        for s in shows:
            on_shows += [(v.T_HOST_RADIO, s), (v.T_PRODUCER, s)]
        default = v.T_COLUMNIST
    elif o.kind == "blog":
        titles, default = [v.T_BLOG_OWNER], v.T_BLOG_GUEST
    elif o.kind == "wire":
        titles = [v.T_EDITOR_IN_CHIEF, v.T_DESK, v.T_DESK, v.T_EDITION]
        default = v.T_JOURNALIST
    else:
        titles, default = [v.T_EDITOR_IN_CHIEF, v.T_SECTION], v.T_JOURNALIST
    out: list[Position] = [(t, None) for t in titles] + on_shows
    if o.variant == "en":
        out = [(v.EN_TITLES[t], s) for t, s in out]
        default = v.EN_TITLES[default]
    return out, default


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), exactly."""
    if total <= 0 or not weights:
        return [0] * len(weights)
    scale = total / sum(weights)
    raw = [w * scale for w in weights]
    counts = [int(r) for r in raw]
    rest = total - sum(counts)
    for i in sorted(range(len(raw)), key=lambda i: (counts[i] - raw[i], i))[:rest]:
        counts[i] += 1
    return counts


class SpecBuilder:
    """Fills the tables. `adapt_ts`/`adapt_date` turn Python values into what
    the database connection expects (Django's backend operations)."""

    def __init__(
        self,
        seed: int,
        *,
        users: dict[str, int],
        beats: dict[str, tuple[int, str, int]],
        now: datetime,
        today: date,
        adapt_ts: Callable[[datetime], Any],
        adapt_date: Callable[[date], Any],
    ) -> None:
        self.seed = seed
        self.users = users
        # vocabulary name -> (id, name as stored, rank in the database's order)
        self.beats = beats
        self.now, self.today = now, today
        self.adapt_ts, self.adapt_date = adapt_ts, adapt_date
        self.tables = new_tables()
        self._facets: dict[tuple[str, str], str] = {}
        self._pos: dict[Position, int] = {}
        self._tpl: dict[tuple[tuple[Position, ...], v.Title], tuple[int, int]] = {}
        self.groups: dict[str, tuple[int, int, int, int]] = {}
        self.phone_zones: dict[str, tuple[int, int]] = {}
        self.combo_base: dict[str, int] = {}

    def facet(self, name: str, value: object) -> str:
        key = (name, str(value))
        token = self._facets.get(key)
        if token is None:
            token = self._facets[key] = facet(name, value) + " "
        return token

    def id_facet(self, name: str, value: int) -> str:
        """facet(name, id) for thousands of ids: the token of an integer is
        the name's prefix and the digits (checked against facet() once)."""
        prefix = self._facets.get((name, "<id>"))
        if prefix is None:
            prefix = self._facets[(name, "<id>")] = facet(name, 0)[:-1]
            if facet(name, 1234567890) != f"{prefix}1234567890":
                raise ValueError(f"facet({name!r}, id) is not prefix + digits any more")
        return f"{prefix}{value} "

    # --- pools -------------------------------------------------------------
    def add_names(self) -> None:
        fnames, lnames = self.tables["demo_fname"].rows, self.tables["demo_lname"].rows
        for group, (first, last) in pools.name_pools(self.seed).items():
            f_base, l_base = len(fnames), len(lnames)
            for i in range(len(first)):
                k1, k2 = first.keys[i]
                slug, name, doc = first.slugs[i], first.names[i], first.docs[i]
                handle = slug.replace("-", "")
                fnames.append((f_base + i, name, first.genders[i], doc, k1, k2, slug, handle))
            for i in range(len(last)):
                k1, k2 = last.keys[i]
                slug = last.slugs[i]
                lnames.append(
                    (l_base + i, last.names[i], last.docs[i], k1, k2, slug, slug.replace("-", ""))
                )
            self.groups[group] = (f_base, len(first), l_base, len(last))

    def add_phones(self, per_zone: int) -> None:
        rows = self.tables["demo_phone"].rows
        for zone, numbers in pools.phone_pool(self.seed, per_zone).items():
            base = len(rows)
            self.phone_zones[zone] = (base, len(numbers))
            rows.extend((base + i, n) for i, n in enumerate(numbers))

    def add_profiles(self) -> None:
        rows = self.tables["demo_profile"].rows
        rels = self.tables["demo_profile_rel"].rows
        profiles = pools.profiles(self.seed, self.today)
        for group in pools.PROFILE_GROUPS:
            for p in profiles[group]:
                pid = len(rows)
                # The planner's order, and the services' (relationships are
                # listed strongest first, then by username).
                known = sorted(
                    (r for r in p.relationships if r[0] in self.users), key=lambda r: (-r[1], r[0])
                )
                owners = "".join(self.facet("owner", self.users[u]) for u, s, _ in known if s >= 1)
                rows.append(
                    (
                        pid,
                        p.accepts_phone,
                        p.preferred_channel,
                        p.best_hours,
                        self.adapt_date(p.paused_until) if p.paused_until else None,
                        p.opted_out,
                        p.do_not_contact,
                        p.vip,
                        p.notes,
                        pools.part(p.notes),
                        self.facet("vip", "yes" if p.vip else "no")
                        + self.facet("optout", "yes" if p.opted_out or p.do_not_contact else "no"),
                        owners,
                        p.social_kind,
                        p.n_phones,
                        p.email_status,
                    )
                )
                rels.extend((pid, self.users[u], s, note) for u, s, note in known)

    def add_combos(self) -> None:
        """A few beat combinations per editorial archetype; contacts of an
        outlet draw from its archetype's."""
        rng = random.Random(f"{self.seed}:combos")
        combos, links = self.tables["demo_combo"].rows, self.tables["demo_combo_beat"].rows
        for archetype, focus in v.ARCHETYPES.items():
            self.combo_base[archetype] = len(combos)
            for _ in range(COMBOS_PER_ARCHETYPE):
                k = rng.choices((1, 2, 3), (0.35, 0.45, 0.2))[0]
                picked: list[str] = []
                while len(picked) < k:
                    beat = (
                        rng.choice(v.BEATS)
                        if rng.random() < 0.12
                        else focus[min(int(rng.expovariate(0.45)), len(focus) - 1)]
                    )
                    if beat not in picked and beat in self.beats:
                        picked.append(beat)
                # The services list a contact's beats by name in the
                # database's collation (Beat.Meta.ordering), as stored.
                chosen = sorted((self.beats[b] for b in picked), key=lambda b: b[2])
                names = [name for _, name, _ in chosen]
                cid = len(combos)
                combos.append(
                    (
                        cid,
                        pools.part(" ".join(names)),
                        "".join(self.facet("beat", beat_key(n)) for n in names),
                    )
                )
                links.extend((cid, beat_id) for beat_id, _, _ in chosen)

    def add_timestamps(self) -> None:
        rows = self.tables["demo_ts"].rows
        for i, (created, updated) in enumerate(pools.timestamps(self.seed, self.now)):
            rows.append((i, self.adapt_ts(created), self.adapt_ts(updated)))

    # --- newsrooms ----------------------------------------------------------
    def _posid(self, position: Position) -> int:
        posid = self._pos.get(position)
        if posid is None:
            title, show = position
            posid = self._pos[position] = len(self._pos)
            prof_base = pools.PROFILE_GROUPS.index(PROFILE_GROUP_OF_ROLE[title.role])
            self.tables["demo_pos"].rows.append(
                (
                    posid,
                    title.role,
                    title.masculine,
                    title.feminine,
                    pools.part(title.masculine),
                    pools.part(title.feminine),
                    show,
                    prof_base * pools.PROFILES_PER_GROUP,
                    self.facet("role", title.role),
                )
            )
        return posid

    def _template(self, o: OutletSpec | None) -> tuple[int, int]:
        positions, default = staff(o)
        key = (tuple(positions), default)
        found = self._tpl.get(key)
        if found is None:
            tpl = len(self._tpl)
            rows = self.tables["demo_tplpos"].rows
            rows.extend((tpl, j, self._posid(p)) for j, p in enumerate(positions))
            found = self._tpl[key] = (tpl, self._posid((default, None)))
        return found

    def add_allocations(
        self, outlets: list[OutletRef], count: int, start_id: int, influencers: dict[str, int]
    ) -> int:
        """Share `count` new contacts among the outlets and the influencers;
        returns the largest allocation (the generator's number series)."""
        rng = random.Random(f"{self.seed}:alloc")
        infl = round(count * INFLUENCER_SHARE)
        weights = [contact_weight(r.spec) for r in outlets]
        counts = allocate(count - infl, weights) + allocate(infl, (0.7, 0.3))
        alloc_rows = self.tables["demo_alloc"].rows
        shows = self.tables["demo_show"].rows
        next_id, largest = start_id, 0
        entries: list[tuple[OutletRef | None, str, str, str]]
        entries = [(r, r.spec.variant, r.spec.domain, r.spec.place.phone_zone) for r in outlets]
        entries += [(None, group, domain, zone) for group, domain, zone in INFLUENCER_ALLOCS]
        # Outlets first (ids start with the national titles), influencers
        # after, each with their own draws so that a bigger build keeps them.
        infl_rng = random.Random(f"{self.seed}:alloc:influencers")
        for aid, ((ref, group, domain, zone), cnt) in enumerate(zip(entries, counts, strict=True)):
            f_base, f_size, l_base, l_size = self.groups[group]
            pairs = f_size * l_size
            # Drawn for every allocation, used or not, so that an outlet keeps
            # its name sequence from one build size to another.
            bits = (rng if ref else infl_rng).getrandbits(64)
            pair_off = bits % pairs
            pair_step = 1 + (bits >> 32) % (pairs - 1)
            while math.gcd(pair_step, pairs) != 1:
                pair_step = pair_step % (pairs - 1) + 1
            if cnt == 0:
                continue
            o = ref.spec if ref else None
            tpl, default_posid = self._template(o)
            show_base = len(shows)
            if ref:
                shows.extend(
                    (show_base + i, show_id, pools.part(s.name))
                    for i, (s, show_id) in enumerate(zip(ref.spec.shows, ref.show_ids, strict=True))
                )
            j0 = ref.existing if ref else influencers.get(domain, 0)
            if j0 + cnt > pairs:
                raise ValueError(f"too many contacts for one outlet ({domain}): {j0 + cnt}")
            phone_base, phone_n = self.phone_zones[zone]
            lang = o.language if o else "fr"
            outlet_facets = ""
            if o and ref:
                outlet_facets = (
                    self.id_facet("outlet", ref.outlet_id)
                    + self.facet("kind", o.kind)
                    + self.facet("per", o.periodicity)
                    + self.facet("country", o.place.country)
                    + (self.facet("region", o.place.region) if o.place.region else "")
                )
            alloc_rows.append(
                (
                    aid,
                    ref.outlet_id if ref else None,
                    next_id,
                    cnt,
                    j0,
                    lang,
                    self.facet("lang", lang),
                    domain,
                    # The words of an address on this domain: name parts come
                    # from the name pools; "courrier-lyon.example" adds these.
                    domain.removesuffix(".example").replace("-", " ") + " example ",
                    o.name_doc + " " if o and o.name_doc else "",
                    outlet_facets,
                    tpl,
                    default_posid,
                    show_base,
                    self.combo_base[o.archetype if o else "lifestyle"],
                    f_base,
                    f_size,
                    l_base,
                    l_size,
                    pair_off,
                    pair_step,
                    phone_base,
                    phone_n,
                )
            )
            next_id += cnt
            largest = max(largest, cnt)
        self.tables["demo_nums"].rows.extend((n,) for n in range(largest))
        return largest


def build_spec(
    builder: SpecBuilder,
    outlets: list[OutletRef],
    count: int,
    start_id: int,
    influencers: dict[str, int],
) -> Spec:
    builder.add_names()
    # Enough distinct numbers that few contacts share one, within the
    # 10,000-number fiction ranges.
    builder.add_phones(max(1000, min(10_000, count // 5)))
    builder.add_profiles()
    builder.add_combos()
    builder.add_timestamps()
    builder.add_allocations(outlets, count, start_id, influencers)
    return Spec(
        tables=builder.tables,
        keys=pools.HashKeys.from_seed(builder.seed, 2),
        start_id=start_id,
        count=count,
    )
