"""`build_demo()`: the demo agency, idempotently.

The small things (agency, team, clients, beats, media lists) go through the
ORM and the services; outlets, shows and contacts go through the bulk path
(`relance.demo.bulk`), which leaves exactly the rows and derived columns the
services would have written. Running it again with the same or a smaller
size changes nothing; with a larger size it adds the missing outlets and
contacts.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.db.models import Count, Max, Prefetch
from django.utils import timezone

from relance.accounts.models import Agency, Client, User
from relance.contacts import choices
from relance.contacts.documents import beat_key, contact_document, contact_name_key
from relance.contacts.models import (
    Beat,
    Contact,
    ContactEmail,
    MediaList,
    Outlet,
    Relationship,
    Show,
)
from relance.contacts.services.beats import beats_for
from relance.demo import DEMO_AGENCY_NAME, DEMO_PASSWORD, DEMO_SOURCE, bulk
from relance.demo import vocabulary as v
from relance.demo.campaigns import build_campaigns
from relance.demo.catalog import Catalog, OutletSpec, outlet_count
from relance.demo.coverage import build_coverage
from relance.demo.followups import build_followups
from relance.demo.spec import INFLUENCER_ALLOCS, OutletRef, SpecBuilder, build_spec

# From this many new contacts on, indexes and full-text triggers are dropped
# during the load and rebuilt after (below, keeping them is cheaper).
BULK_THRESHOLD = 20_000
# Contacts whose derived columns are recomputed with the services after a
# big build, as a guard (every contact when the build is small).
VERIFY_SAMPLE = 400
OUTLET_COLUMNS = (
    *("id", "name", "name_key", "kind", "periodicity", "language", "country", "region"),
    *("city", "timezone", "audience", "tier", "closing_weekday", "lead_time_days", "website"),
    *("feed_urls", "editorial_line", "notes", "search_document", "created_at", "updated_at"),
)
SHOW_COLUMNS = (
    *("id", "outlet_id", "name", "description", "air_days", "air_start", "air_end"),
    *("schedule_notes", "created_at", "updated_at"),
)


class DemoError(Exception):
    """The demo cannot be built here (message for the user)."""


@dataclass
class Login:
    username: str
    name: str
    role: str
    password: str


@dataclass
class DemoResult:
    agency: str
    contacts: int
    added: int
    outlets: int
    seconds: float
    logins: list[Login] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.added / self.seconds if self.seconds else 0.0


def build_demo(
    contacts: int = 2000,
    seed: int = 42,
    *,
    progress: Callable[[str], None] | None = None,
    strategy: str = "auto",
) -> DemoResult:
    """Build (or complete) the demo agency with `contacts` contacts.

    `strategy`: "auto", "simple" (keep indexes and triggers) or "bulk" (drop
    and rebuild them; on SQLite with an empty contacts table, the full-text
    index is built in a parallel thread)."""
    say = progress or (lambda _label: None)
    start = time.perf_counter()
    _refuse_foreign_data()
    with transaction.atomic():
        agency = _agency()
        users = _team()
        beats = _beats()
    say("agency and team")
    existing = Contact.objects.filter(source=DEMO_SOURCE).count()
    added = 0
    timings: dict[str, float] = {}
    if existing < contacts:
        added = contacts - existing
        timings = _build_contacts(seed, contacts, existing, users, beats, say, strategy)
    _lists(users["directrice"])
    say("media lists")
    build_campaigns(seed)
    say("campaigns")
    build_followups(seed)
    say("follow-ups and today's calls")
    build_coverage(seed)
    say("coverage")
    choices.forget()
    seconds = time.perf_counter() - start
    return DemoResult(
        agency=agency.name,
        contacts=existing + added,
        added=added,
        outlets=Outlet.objects.count(),
        seconds=seconds,
        logins=logins(),
        timings=timings,
    )


def logins() -> list[Login]:
    rows = [Login(u, f"{f} {la}", r, DEMO_PASSWORD) for u, f, la, r, _, _ in v.TEAM]
    rows += [Login(c[5], f"{c[6]} {c[7]}", "client_viewer", DEMO_PASSWORD) for c in v.CLIENTS]
    return rows


# --- the agency -----------------------------------------------------------------
def _refuse_foreign_data() -> None:
    """Never mix the demo into a real media base."""
    if Contact.objects.exclude(source=DEMO_SOURCE).exists():
        raise DemoError(
            "This database already holds contacts that are not the demo's. "
            "Build the demo in its own data directory (RELANCE_DATA_DIR) or database."
        )


def _agency() -> Agency:
    agency = Agency.objects.order_by("id").first()
    if agency is None:
        return Agency.objects.create(name=DEMO_AGENCY_NAME, primary_color="#0e7490")
    if agency.name == "Relance":  # the placeholder Agency.current() creates
        agency.name = DEMO_AGENCY_NAME
        agency.primary_color = "#0e7490"
        agency.save(update_fields=["name", "primary_color"])
    return agency


def _team() -> dict[str, int]:
    """The team and one viewer per client; returns username -> id. Existing
    accounts are left alone (their password may have been changed)."""
    hashed = None
    existing = dict(User.objects.values_list("username", "id"))

    def create(username: str, **fields: Any) -> None:
        nonlocal hashed
        if username in existing:
            return
        # One hash for everyone: the password hasher is deliberately slow.
        hashed = hashed or make_password(DEMO_PASSWORD)
        user = User.objects.create(
            username=username,
            password=hashed,
            email=f"{username}@agence-relance-demo.example",
            language="fr",
            **fields,
        )
        existing[username] = user.pk

    for username, first, last, role, capacity, tz in v.TEAM:
        create(
            username,
            first_name=first,
            last_name=last,
            role=role,
            daily_call_capacity=capacity,
            time_zone=tz,
            is_staff=role == "director",
        )
    for name, lang, website, description, colour, viewer, first, last in v.CLIENTS:
        client, _ = Client.objects.get_or_create(
            name=name,
            defaults={
                "language": lang,
                "website": website,
                "description": description,
                "primary_color": colour,
                "brands": v.CLIENT_WATCH.get(name, ([], []))[0],
                "competitors": v.CLIENT_WATCH.get(name, ([], []))[1],
            },
        )
        tz = "America/Montreal" if "boreal" in viewer else "Europe/Paris"
        create(
            viewer,
            first_name=first,
            last_name=last,
            role="client_viewer",
            client=client,
            daily_call_capacity=0,
            time_zone=tz,
        )
    return existing


def _beats() -> dict[str, tuple[int, str, int]]:
    """Vocabulary beat -> (id, name as stored, rank in the database's order)."""
    rows = {b.key: b for b in beats_for(v.BEATS)}
    order = {name: i for i, name in enumerate(Beat.objects.values_list("name", flat=True))}
    return {
        name: (rows[beat_key(name)].pk, rows[beat_key(name)].name, order[rows[beat_key(name)].name])
        for name in v.BEATS
    }


# --- outlets and contacts ---------------------------------------------------------
def _next_id(model: type[Any]) -> int:
    top = model.objects.aggregate(m=Max("id"))["m"] or 0
    if connection.vendor == "sqlite":
        with connection.cursor() as c:
            c.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [model._meta.db_table])
            row = c.fetchone()
            top = max(top, row[0] if row else 0)
    return top + 1


def _outlets(specs: list[OutletSpec], now: datetime) -> list[OutletRef]:
    """Store the outlets and shows of the catalogue that are missing; returns
    every catalogue outlet with its ids."""
    stored = dict(Outlet.objects.values_list("name_key", "id"))
    missing = [o for o in specs if o.name_key not in stored]
    ops = connection.ops
    ts = ops.adapt_datetimefield_value(now)
    json_field = Outlet._meta.get_field("feed_urls")
    days_field = Show._meta.get_field("air_days")
    new_shows: list[tuple[int, str, int]] = []
    if missing:
        next_outlet, next_show = _next_id(Outlet), _next_id(Show)
        outlet_rows, show_rows = [], []
        for o in missing:
            stored[o.name_key] = next_outlet
            p = o.place
            feeds = json_field.get_db_prep_save(o.feed_urls, connection)
            outlet_rows.append(
                (next_outlet, o.name, o.name_key, o.kind, o.periodicity, o.language, p.country,
                 p.region, p.city, p.timezone, o.audience, o.tier, o.closing_weekday,
                 o.lead_time_days, o.website, feeds, o.editorial_line, "", o.document, ts, ts)
            )  # fmt: skip
            for s in o.shows:
                days = days_field.get_db_prep_save(s.air_days, connection)
                start, end = (ops.adapt_timefield_value(t) for t in (s.air_start, s.air_end))
                notes = s.schedule_notes
                show_rows.append(
                    (next_show, next_outlet, s.name, s.description, days, start, end, notes, ts, ts)
                )
                new_shows.append((next_outlet, s.name, next_show))
                next_show += 1
            next_outlet += 1
        bulk.insert_rows(
            Outlet._meta.db_table,
            OUTLET_COLUMNS,
            outlet_rows,
        )
        bulk.insert_rows(
            Show._meta.db_table,
            SHOW_COLUMNS,
            show_rows,
        )
        with connection.cursor() as c:
            for sql in ops.sequence_reset_sql(_style(), [Outlet, Show]):
                c.execute(sql)
    show_ids: dict[int, dict[str, int]] = {}
    for outlet_id, name, show_id in new_shows:
        show_ids.setdefault(outlet_id, {})[name] = show_id
    if len(missing) < len(specs):
        # Outlets stored by an earlier build: read their shows back.
        for outlet_id, name, show_id in Show.objects.values_list("outlet_id", "name", "id"):
            show_ids.setdefault(outlet_id, {})[name] = show_id
    refs = []
    for o in specs:
        oid = stored[o.name_key]
        ids = show_ids.get(oid, {})
        refs.append(OutletRef(o, oid, [ids[s.name] for s in o.shows if s.name in ids]))
        if len(refs[-1].show_ids) != len(o.shows):
            # An outlet of the same name that is not the demo's: no shows to use.
            refs[-1].spec.shows = [s for s in o.shows if s.name in ids]
    return refs


def _style() -> Any:
    from django.core.management.color import no_style

    return no_style()


def _build_contacts(
    seed: int,
    contacts: int,
    existing: int,
    users: dict[str, int],
    beats: dict[str, tuple[int, str, int]],
    say: Callable[[str], None],
    strategy: str,
) -> dict[str, float]:
    now = timezone.now()
    clock = time.perf_counter()
    specs = Catalog(seed).outlets(outlet_count(contacts))
    with transaction.atomic():
        refs = _outlets(specs, now)
    say(f"{len(refs):,} outlets")
    influencers: dict[str, int] = {}
    if existing:
        counts = dict(
            Contact.objects.filter(source=DEMO_SOURCE, outlet__isnull=False)
            .values_list("outlet_id")
            .annotate(n=Count("id"))
            .values_list("outlet_id", "n")
        )
        for ref in refs:
            ref.existing = counts.get(ref.outlet_id, 0)
        for _group, domain, _zone in INFLUENCER_ALLOCS:
            influencers[domain] = ContactEmail.objects.filter(
                contact__source=DEMO_SOURCE, address__endswith="@" + domain
            ).count()
    count = contacts - existing
    empty = not Contact.objects.exists()
    start_id = _next_id(Contact)
    builder = SpecBuilder(
        seed,
        users=users,
        beats=beats,
        now=now,
        today=timezone.localdate(),
        adapt_ts=connection.ops.adapt_datetimefield_value,
        adapt_date=connection.ops.adapt_datefield_value,
    )
    spec = build_spec(builder, refs, count, start_id, influencers)
    prepared = time.perf_counter() - clock
    say("pools")
    big = strategy == "bulk" or (strategy == "auto" and count >= BULK_THRESHOLD)
    loader = bulk.Loader(say)
    timings = {"outlets and pools": round(prepared, 3)}
    timings.update(loader.load(spec, bulk=big, fts_worker=empty and strategy != "simple"))
    _check_derived(start_id, count, say)
    say("sample checked")
    return timings


def verify_sample(start_id: int, count: int, sample: int = VERIFY_SAMPLE) -> str | None:
    """Recompute the derived columns of a sample of new contacts with the
    services' own code; returns a description of the first difference."""
    from relance.contacts.services.contacts import facts_of

    step = max(1, count // sample)
    ids = list(range(start_id, start_id + count, step))
    qs = (
        Contact.objects.filter(pk__in=ids)
        .select_related("outlet", "show")
        .prefetch_related(
            "beats",
            "emails",
            Prefetch(
                "relationships",
                queryset=Relationship.objects.filter(strength__gte=1).only("contact_id", "user_id"),
            ),
        )
    )
    for c in qs:
        expected = contact_document(facts_of(c))
        key = contact_name_key(c.first_name, c.last_name)
        if c.search_document != expected or c.name_key != key:
            return (
                f"contact {c.pk}: stored {c.search_document!r} / {c.name_key!r}, "
                f"services {expected!r} / {key!r}"
            )
    return None


def _check_derived(start_id: int, count: int, say: Callable[[str], None]) -> None:
    """The bulk path assembles documents from precomputed parts; if
    `relance.contacts.documents` changed in a way it does not know, the
    services recompute every new contact (slow, but the base stays right)
    and the build says so."""
    from relance.contacts.services.contacts import reindex_ids

    difference = verify_sample(start_id, count)
    if difference is None:
        return
    say(
        "WARNING: relance/demo/sqlgen.py is out of step with relance/contacts/documents.py "
        f"({difference}); recomputing the new contacts' search documents with the services."
    )
    reindex_ids(range(start_id, start_id + count))
    difference = verify_sample(start_id, count)
    if difference:
        raise DemoError(f"derived columns still differ after reindexing: {difference}")


# --- media lists ---------------------------------------------------------------------
def _lists(director_id: int) -> None:
    from relance.contacts.services import lists

    director = User.objects.get(pk=director_id)
    clients = {c.name: c for c in Client.objects.filter(name__in=[c[0] for c in v.CLIENTS])}
    heliande, borealie = (clients.get(c[0]) for c in v.CLIENTS)
    smart = [
        (
            "Héliande — journalistes énergie",
            {"q": "énergie", "role": "journalist"},
            heliande,
            "Journalistes qui couvrent l'énergie (recherche enregistrée).",
        ),
        (
            "Boréalie — gastronomie au Québec",
            {"q": "gastronomie", "country": "CA"},
            borealie,
            "Médias québécois qui parlent de gastronomie.",
        ),
    ]
    for name, filters, client, description in smart:
        if not MediaList.objects.filter(name=name).exists():
            lists.create_list(
                director,
                {
                    "name": name,
                    "kind": "smart",
                    "filters": filters,
                    "description": description,
                    "client_id": client.pk if client else None,
                },
            )
    name = "Héliande — lancement du parc solaire (presse nationale)"
    if MediaList.objects.filter(name=name).exists():
        return
    media_list = lists.create_list(
        director,
        {
            "name": name,
            "kind": "static",
            "description": "Presse nationale et régionale à inviter à l'inauguration.",
            "client_id": heliande.pk if heliande else None,
        },
    )
    members = list(
        Contact.objects.filter(
            source=DEMO_SOURCE,
            beats__name__in=["Énergie", "Environnement", "Climat"],
            outlet__country="FR",
            outlet__tier__lte=2,
            opted_out=False,
        )
        .order_by("id")
        .values_list("id", flat=True)
        .distinct()[:60]
    )
    if members:
        lists.add_members(director, media_list, members)
