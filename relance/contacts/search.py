"""Finding contacts and outlets: full-text search plus filters.

The same `ContactFilters` drive the contacts page (and its URL), the API's
query parameters and saved searches (smart lists), so a bookmarked page, an
API call and a smart list with the same parameters return the same contacts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from relance.accounts.models import Language, User
from relance.accounts.permissions import Cap, require
from relance.contacts import sortrank
from relance.contacts.documents import FACET, beat_key, facet
from relance.contacts.models import (
    Contact,
    ContactRole,
    ListKind,
    MediaList,
    MediaListMember,
    Outlet,
    OutletKind,
    Periodicity,
)
from relance.lib.paging import (
    COUNT_CAP,
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    Bounds,
    Page,
    page_bounds,
    paginate,
)
from relance.lib.text import fold, words

CONTACT_SORTS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("-last_name", "-first_name", "-id"),
    "outlet": ("outlet__name", "last_name", "first_name", "id"),
    "-outlet": ("-outlet__name", "-last_name", "-first_name", "-id"),
    "role": ("role", "last_name", "first_name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("-updated_at", "-id"),
}


def _multi(params: Mapping[str, Any], name: str) -> list[str]:
    getlist = getattr(params, "getlist", None)
    raw = getlist(name) if getlist else params.get(name)
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        raw = raw.split(",")
    elif not isinstance(raw, list | tuple):
        raw = [raw]  # a saved search may hold {"role": 5}: read it as text
    return [str(v).strip() for v in raw if str(v).strip()]


def _one(params: Mapping[str, Any], name: str) -> str:
    values = _multi(params, name)
    return values[0] if values else ""


@dataclass
class ContactFilters:
    q: str = ""
    role: list[str] = field(default_factory=list)
    kind: list[str] = field(default_factory=list)
    periodicity: list[str] = field(default_factory=list)
    country: str = ""
    region: str = ""
    language: str = ""
    beat: list[str] = field(default_factory=list)
    owner: str = ""
    opted_out: str = ""  # "" all, "yes" only opted out / do-not-contact, "no" only reachable
    outlet: str = ""
    list_id: str = ""  # the `list` URL parameter
    vip: str = ""
    sort: str = "name"
    errors: list[str] = field(default_factory=list, compare=False)

    FILTER_KEYS = (
        "q",
        "role",
        "kind",
        "periodicity",
        "country",
        "region",
        "language",
        "beat",
        "owner",
        "opted_out",
        "outlet",
        "list_id",
        "vip",
    )

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> ContactFilters:
        """Read filters from a query string or a saved search. Unknown values
        are dropped with a message in `errors` instead of failing."""
        f = cls(
            q=_one(params, "q")[:200],
            role=_multi(params, "role"),
            kind=_multi(params, "kind"),
            periodicity=_multi(params, "periodicity"),
            country=_one(params, "country").upper()[:2],
            region=_one(params, "region")[:60],
            language=_one(params, "language").lower(),
            beat=_multi(params, "beat"),
            owner=_one(params, "owner"),
            opted_out=_one(params, "opted_out").lower(),
            outlet=_one(params, "outlet"),
            list_id=_one(params, "list"),
            vip=_one(params, "vip").lower(),
            sort=_one(params, "sort") or "name",
        )
        f._check("role", {c.value for c in ContactRole})
        f._check("kind", {c.value for c in OutletKind})
        f._check("periodicity", {c.value for c in Periodicity})
        if f.language and f.language not in {c.value for c in Language}:
            f.errors.append(_("Unknown language “%(value)s” ignored.") % {"value": f.language})
            f.language = ""
        for name in ("opted_out", "vip"):
            value = getattr(f, name)
            mapped = {
                "1": "yes",
                "true": "yes",
                "oui": "yes",
                "0": "no",
                "false": "no",
                "non": "no",
            }
            value = mapped.get(value, value)
            if value not in ("", "yes", "no"):
                f.errors.append(_("“%(value)s” ignored: use yes or no.") % {"value": value})
                value = ""
            setattr(f, name, value)
        for name in ("outlet", "list_id"):
            value = getattr(f, name)
            if value and not (value.isdigit() and len(value) <= 18):
                f.errors.append(
                    _("“%(value)s” is not an id; ignored.") % {"value": getattr(f, name)}
                )
                setattr(f, name, "")
        if f.sort not in CONTACT_SORTS and f.sort != "relevance":
            f.errors.append(_("Unknown sort “%(value)s”; sorted by name.") % {"value": f.sort})
            f.sort = "name"
        return f

    def _check(self, name: str, allowed: set[str]) -> None:
        values = getattr(self, name)
        bad = [v for v in values if v not in allowed]
        if bad:
            label = {"role": _("role"), "kind": _("outlet kind"), "periodicity": _("periodicity")}
            self.errors.append(
                _("%(name)s “%(value)s” is unknown and was ignored (%(param)s).")
                % {"name": label[name].capitalize(), "value": ", ".join(bad), "param": name}
            )
            setattr(self, name, [v for v in values if v in allowed])

    def to_params(self) -> dict[str, Any]:
        """The non-empty filters, as stored in a smart list or put in a URL."""
        data = asdict(self)
        data.pop("errors")
        data["list"] = data.pop("list_id")
        if data["sort"] == "name":
            data.pop("sort")
        return {k: v for k, v in data.items() if v not in ("", [], None)}

    @property
    def active(self) -> bool:
        return any(getattr(self, k) for k in self.FILTER_KEYS)


@dataclass
class Plan:
    """A contact search as index lookups: prefix `terms` typed by the user and
    `facets`, groups of exact tokens (any token of a group, every group)."""

    terms: list[str]
    facets: list[list[str]]
    list_id: int | None = None
    impossible: bool = False  # a filter names something that does not exist

    @property
    def indexed(self) -> bool:
        return bool(self.terms or self.facets)


def user_terms(query: str) -> list[str]:
    """The words typed by the user; facet-like words are dropped so nobody can
    match a facet by typing it."""
    return [w for w in words(query) if not w.startswith(FACET)][:12]


def plan_for(filters: ContactFilters) -> Plan:
    groups: list[list[str]] = []

    def group(name: str, values: list[str]) -> None:
        if values:
            groups.append(sorted({facet(name, v) for v in values}))

    group("role", filters.role)
    group("kind", filters.kind)
    group("per", filters.periodicity)
    group("country", [filters.country] if filters.country else [])
    group("region", [filters.region] if filters.region else [])
    group("lang", [filters.language] if filters.language else [])
    group("beat", [beat_key(b) for b in filters.beat])
    group("outlet", [filters.outlet] if filters.outlet else [])
    group("vip", [filters.vip] if filters.vip else [])
    group("optout", [filters.opted_out] if filters.opted_out else [])
    impossible = False
    if filters.owner:
        user_id = User.objects.filter(username=filters.owner).values_list("pk", flat=True).first()
        impossible = user_id is None
        group("owner", [str(user_id)] if user_id else [])
    plan = Plan(terms=user_terms(filters.q), facets=groups, impossible=impossible)
    if filters.list_id:
        media_list = MediaList.objects.filter(pk=int(filters.list_id)).first()
        if media_list is None:
            plan.impossible = True
        elif media_list.kind == ListKind.SMART:
            # A saved search inside a search: both sets of conditions apply.
            saved = plan_for(ContactFilters.from_params(media_list.filters))
            plan.terms += saved.terms
            plan.facets += saved.facets
            plan.impossible |= saved.impossible
        else:
            plan.list_id = media_list.pk
    return plan


def index_query(plan: Plan) -> str:
    """The plan in the engine's full-text query language."""
    if connection.vendor == "postgresql":
        parts = [f"{t}:*" for t in plan.terms]
        parts += ["(" + " | ".join(g) + ")" for g in plan.facets]
        return " & ".join(parts)
    parts = [f'"{t}"*' for t in plan.terms]
    parts += ["(" + " OR ".join(f'"{t}"' for t in g) + ")" for g in plan.facets]
    return " AND ".join(parts)


# The contact ids matching a full-text query on SQLite (the index's rowid is
# the name rank of sortrank.py, the id in its low bits).
FTS_IDS = (
    f"SELECT rowid & {sortrank.ID_MASK} FROM contacts_contact_fts"
    " WHERE contacts_contact_fts MATCH %s"
)


def index_condition(plan: Plan) -> RawSQL:
    """The plan as a condition answered by the engine's full-text index."""
    if connection.vendor == "postgresql":
        sql = "contacts_contact.search_vector @@ to_tsquery('simple'::regconfig, %s)"
    else:
        sql = f"contacts_contact.id IN ({FTS_IDS})"
    return RawSQL(sql, [index_query(plan)], output_field=BooleanField())


def first_hits(plan: Plan, limit: int) -> list[int]:
    """The ids of the first `limit` matches, read from the index alone (erased
    contacts have an empty document, so the index never holds them)."""
    if connection.vendor == "postgresql":
        sql = (
            "SELECT id FROM contacts_contact WHERE search_vector"
            " @@ to_tsquery('simple'::regconfig, %s) LIMIT %s"
        )
    else:
        sql = f"{FTS_IDS} LIMIT %s"
    with connection.cursor() as cursor:
        cursor.execute(sql, [index_query(plan), limit])
        return [row[0] for row in cursor.fetchall()]


def scan_condition_sql(plan: Plan, column: str) -> tuple[str, list[str]]:
    """The plan checked row by row on the document text (SQLite), to filter
    rows read in sort order: the same words and facets as the index query."""
    clauses, params = [], []
    for term in plan.terms:
        clauses.append(f"(' ' || {column}) LIKE %s")
        params.append(f"% {term}%")
    for g in plan.facets:
        ors = [f"({column} || ' ') LIKE %s" for _t in g]
        clauses.append("(" + " OR ".join(ors) + ")")
        params += [f"% {t} %" for t in g]
    return " AND ".join(clauses), params


def fulltext_condition(query: str) -> RawSQL | None:
    """Contacts whose words match every word of `query` as a prefix."""
    plan = Plan(terms=user_terms(query), facets=[])
    return index_condition(plan) if plan.terms else None


def visible_contacts(actor: User | None) -> QuerySet[Contact]:
    """Every contact the actor may see: the media database minus erased rows."""
    require(actor, Cap.VIEW_MEDIA)
    return Contact.objects.filter(erased_at__isnull=True)


def _apply(qs: QuerySet[Contact], plan: Plan, condition: RawSQL | None) -> QuerySet[Contact]:
    if plan.impossible:
        return qs.none()
    if condition is not None:
        qs = qs.filter(condition)
    if plan.list_id:
        qs = qs.filter(
            Exists(
                MediaListMember.objects.filter(contact=OuterRef("pk"), media_list_id=plan.list_id)
            )
        )
    return qs


def search_contacts(actor: User | None, filters: ContactFilters) -> QuerySet[Contact]:
    """Every contact matching the filters, in the requested order."""
    plan = plan_for(filters)
    qs = _apply(visible_contacts(actor), plan, index_condition(plan) if plan.indexed else None)
    return qs.order_by(*CONTACT_SORTS.get(filters.sort, CONTACT_SORTS["name"]))


# A search page counts matches up to this many ("1,000+" beyond): counting
# tens of thousands of matches costs more than finding the page.
SEARCH_COUNT_CAP = 1000

# Sorts that can be read in order from an index on the contacts table.
_WINDOW_KEYS = {
    "name": ("last_name", "first_name", "id"),
    "-name": ("last_name DESC", "first_name DESC", "id DESC"),
    "role": ("role", "last_name", "first_name", "id"),
    "updated": ("updated_at", "id"),
    "-updated": ("updated_at DESC", "id DESC"),
}
_ALL_KEYS = {
    **{k: tuple(f"c.{key}" for key in keys) for k, keys in _WINDOW_KEYS.items()},
    "outlet": ("o.name", "c.last_name", "c.first_name", "c.id"),
    "-outlet": ("o.name DESC", "c.last_name DESC", "c.first_name DESC", "c.id DESC"),
}
# When matches are many, the page is first looked for in a window of the sort
# index this many rows long per row wanted: enough when at least one contact in
# 40 matches near the start of the sort order, which is the case of the broad
# searches whose matches are the costliest to sort (a beat, a region). If the
# window comes up short (sparser matches, or matches clustered further on, as a
# surname is in name order), the page sorts every match instead. The window is
# not sized from the ids of the first matches: imports and the demo give
# consecutive ids to contacts of one outlet or country, so ids say little about
# where matches fall in name order.
_WINDOW_PER_ROW = 40
_WINDOW_MAX = 30_000


def search_page(
    actor: User | None,
    filters: ContactFilters,
    page: Any = 1,
    size: Any = DEFAULT_PAGE_SIZE,
    prepare: Callable[[QuerySet[Contact]], Iterable[Any]] | None = None,
    clamp: bool = True,
) -> Page:
    """One page of a contact search and its count (up to SEARCH_COUNT_CAP),
    fast at a million contacts.

    In name order (the default) on SQLite, the full-text index gives the
    matches already in name order (sortrank.py): the count and the page come
    from the first matches alone. Otherwise the first matches are read from
    the index: when they are all the matches the page is sorted from them;
    when there are more, the page comes from walking the sort index over a
    bounded window, checking each row against the search (on PostgreSQL the
    name index carries the search vector, so that walk is index-only), or,
    when the window comes up short, from sorting every match.
    """
    plan = plan_for(filters)
    base = visible_contacts(actor)
    order = CONTACT_SORTS.get(filters.sort, CONTACT_SORTS["name"])
    prepare = prepare or (lambda qs: qs)  # model instances, as the caller's query reads them
    cap = SEARCH_COUNT_CAP

    def done(ids: list[int], bounds: Bounds, count: int, every_match: bool = False) -> Page:
        """The page's rows from its ids, or from the ids of every match."""
        qs = base.filter(pk__in=ids).order_by(*order)
        if every_match:
            qs = qs[bounds.offset : bounds.offset + bounds.size]
        rows = list(prepare(qs)) if ids else []
        return Page(rows, bounds.number, bounds.size, count, bounds.capped)

    if not plan.indexed or plan.impossible or plan.list_id:
        qs = _apply(base, plan, index_condition(plan) if plan.indexed else None)
        count = qs.order_by()[: cap + 1].count()
        bounds = page_bounds(page, size, count, cap, clamp)
        rows = list(prepare(qs.order_by(*order)[bounds.offset : bounds.offset + bounds.size]))
        return Page(rows, bounds.number, bounds.size, count, bounds.capped)
    if filters.sort in ("name", "-name") and connection.vendor == "sqlite":
        descending = filters.sort == "-name"
        wanted = page_bounds(page, size, 0, cap, clamp=False)
        # Enough matches for the capped count and for the page asked for.
        limit = max(cap + 1, wanted.offset + wanted.size)
        ranks = _ranks(plan, descending, limit)
        complete = len(ranks) < limit
        bounds = _bounds(page, size, len(ranks), complete, clamp)
        page_ids = _rank_slice(ranks, plan, descending, bounds.offset, bounds.size, complete)
        return done(page_ids, bounds, min(len(ranks), cap + 1))
    hits = first_hits(plan, cap + 1)
    count = len(hits)
    bounds = page_bounds(page, size, count, cap, clamp)
    if count <= cap:
        # Every match is known: sort them in the database.
        return done(hits, bounds, count, every_match=True)
    ids: list[int] | None = None
    if filters.sort in _WINDOW_KEYS:
        ids = _window_ids(plan, filters.sort, bounds.offset, bounds.size)
    if ids is None:
        ids = _sorted_ids(plan, filters.sort, bounds.offset, bounds.size)
    return done(ids, bounds, count)


def _bounds(page: Any, size: Any, found: int, complete: bool, clamp: bool) -> Bounds:
    """Page bounds when `found` matches were read in order, all of them if
    `complete`: a page past the end of a complete read shows the last one."""
    cap = SEARCH_COUNT_CAP
    bounds = page_bounds(page, size, min(found, cap + 1), cap, clamp)
    if clamp and complete and found and bounds.offset >= found:
        number = -(-found // bounds.size)
        bounds = Bounds(number, bounds.size, (number - 1) * bounds.size, bounds.capped)
    return bounds


def _ranks(
    plan: Plan, descending: bool, limit: int | None, after: int | None = None, bucket_end: int = 0
) -> list[int]:
    """Full-text ranks of matches in name order (SQLite). With `after`, only
    those past that rank and inside its bucket."""
    sql = "SELECT rowid FROM contacts_contact_fts WHERE contacts_contact_fts MATCH %s"
    params: list[Any] = [index_query(plan)]
    if after is not None:
        sql += " AND rowid < %s AND rowid >= %s" if descending else " AND rowid > %s AND rowid < %s"
        params += [after, bucket_end]
    sql += " ORDER BY rowid DESC" if descending else " ORDER BY rowid"
    if limit is not None:
        sql += " LIMIT %s"
        params.append(limit)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _rank_slice(
    ranks: list[int], plan: Plan, descending: bool, offset: int, size: int, complete: bool
) -> list[int]:
    """The ids of a page in exact name order. Ranks order name buckets; the
    matches of the buckets the page touches are sorted by their names."""
    window = ranks[offset : offset + size]
    if not window:
        return []
    first, last = sortrank.bucket(window[0]), sortrank.bucket(window[-1])
    start, end = offset, offset + len(window)
    while start > 0 and sortrank.bucket(ranks[start - 1]) == first:
        start -= 1
    while end < len(ranks) and sortrank.bucket(ranks[end]) == last:
        end += 1
    group = ranks[start:end]
    if end == len(ranks) and not complete:
        # The last bucket may go on past the matches read so far.
        edge = (last << sortrank.ID_BITS) if descending else ((last + 1) << sortrank.ID_BITS)
        group += _ranks(plan, descending, None, after=ranks[-1], bucket_end=edge)
    names = {
        pk: (last_name, first_name)
        for pk, last_name, first_name in Contact.objects.filter(
            pk__in=[sortrank.contact_id(r) for r in group]
        ).values_list("pk", "last_name", "first_name")
    }

    def key(rank: int) -> tuple[int, str, str, int]:
        pk = sortrank.contact_id(rank)
        last_name, first_name = names.get(pk, ("", ""))
        return (sortrank.bucket(rank), last_name, first_name, pk)

    group.sort(key=key, reverse=descending)
    return [sortrank.contact_id(r) for r in group[offset - start : offset - start + size]]


def _window_size(offset: int, size: int) -> int:
    return (offset + size) * _WINDOW_PER_ROW


# On PostgreSQL the name index carries the search vector (migration 0003):
# walking it in name order is index-only, about 0.5 µs a contact on the
# reference machine, so a name-sorted page looks this far before sorting
# every match instead.
_PG_NAME_WINDOW = 10_000


def _window_ids(plan: Plan, sort: str, offset: int, size: int) -> list[int] | None:
    window = _window_size(offset, size)
    keys = ", ".join(_WINDOW_KEYS[sort])
    columns = "id, last_name, first_name, role, updated_at"
    postgresql = connection.vendor == "postgresql"
    if postgresql and sort in ("name", "-name"):
        window = max(window, _PG_NAME_WINDOW)
        columns = "id, last_name, first_name"  # no more than the index holds
    elif window > _WINDOW_MAX:
        return None
    if postgresql:
        # The outer ORDER BY repeats the window's: PostgreSQL knows the rows
        # already come in that order, so it stops at the page without sorting.
        sql = (
            f"SELECT id FROM (SELECT {columns}, search_vector FROM contacts_contact"
            f" WHERE erased_at IS NULL ORDER BY {keys} LIMIT %s) AS w"
            f" WHERE search_vector @@ to_tsquery('simple'::regconfig, %s)"
            f" ORDER BY {keys} LIMIT %s OFFSET %s"
        )
        params: list[Any] = [window, index_query(plan), size, offset]
    else:
        # SQLite runs the window as a co-routine and filters its rows in the
        # window's order, stopping at the page (the page is sorted again when
        # its rows are read; tests check the ids against the index path).
        probe, probe_params = scan_condition_sql(plan, "w.search_document")
        sql = (
            f"SELECT id FROM (SELECT id, search_document FROM contacts_contact"
            f" WHERE erased_at IS NULL ORDER BY {keys} LIMIT %s) AS w"
            f" WHERE {probe} LIMIT %s OFFSET %s"
        )
        params = [window, *probe_params, size, offset]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) == size:
            return ids
        # A short page is the true last page only if the window held every row.
        cursor.execute(
            "SELECT count(*) FROM (SELECT 1 FROM contacts_contact"
            " WHERE erased_at IS NULL LIMIT %s) AS t",
            [window],
        )
        return ids if cursor.fetchone()[0] < window else None


def _sorted_ids(plan: Plan, sort: str, offset: int, size: int) -> list[int]:
    keys = ", ".join(_ALL_KEYS.get(sort, _ALL_KEYS["name"]))
    join = "LEFT JOIN contacts_outlet o ON o.id = c.outlet_id" if "o." in keys else ""
    member = ""
    params: list[Any] = [index_query(plan)]
    if plan.list_id:
        member = (
            " AND EXISTS (SELECT 1 FROM contacts_medialistmember m"
            " WHERE m.contact_id = c.id AND m.media_list_id = %s)"
        )
        params.append(plan.list_id)
    if connection.vendor == "postgresql":
        # MATERIALIZED: collect the matches through the index first; left to
        # itself the planner may walk the name index hoping to meet matches
        # early, which is slow when they cluster (a surname).
        sql = (
            "WITH hits AS MATERIALIZED (SELECT id FROM contacts_contact"
            " WHERE search_vector @@ to_tsquery('simple'::regconfig, %s))"
            f" SELECT c.id FROM contacts_contact c JOIN hits ON hits.id = c.id {join}"
            f" WHERE c.erased_at IS NULL{member} ORDER BY {keys} LIMIT %s OFFSET %s"
        )
    else:
        sql = (
            f"SELECT c.id FROM contacts_contact c {join} WHERE c.id IN ({FTS_IDS})"
            f" AND c.erased_at IS NULL{member} ORDER BY {keys} LIMIT %s OFFSET %s"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, size, offset])
        return [row[0] for row in cursor.fetchall()]


def search_outlets(actor: User | None, params: Mapping[str, Any]) -> QuerySet[Outlet]:
    require(actor, Cap.VIEW_MEDIA)
    qs = Outlet.objects.all()
    for term in words(_one(params, "q"))[:12]:
        qs = qs.filter(search_document__contains=term)
    kinds = [k for k in _multi(params, "kind") if k in OutletKind.values]
    if kinds:
        qs = qs.filter(kind__in=kinds)
    periodicities = [p for p in _multi(params, "periodicity") if p in Periodicity.values]
    if periodicities:
        qs = qs.filter(periodicity__in=periodicities)
    if country := _one(params, "country").upper():
        qs = qs.filter(country=country)
    if region := _one(params, "region"):
        qs = qs.filter(region__iexact=region)
    if language := _one(params, "language").lower():
        qs = qs.filter(language=language)
    sort = {"name": ("name",), "-audience": ("-audience", "name"), "kind": ("kind", "name")}
    return qs.order_by(*sort.get(_one(params, "sort"), ("name",)))


def field_names() -> list[str]:
    return [f.name for f in fields(ContactFilters) if f.name != "errors"]


__all__ = [
    "COUNT_CAP",
    "PAGE_SIZES",
    "ContactFilters",
    "Page",
    "fold",
    "paginate",
    "search_contacts",
    "search_page",
]
