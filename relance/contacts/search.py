"""Finding contacts and outlets: full-text search plus filters.

The same `ContactFilters` drive the contacts page (and its URL), the API's
query parameters and saved searches (smart lists), so a bookmarked page, an
API call and a smart list with the same parameters return the same contacts.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.db import connection
from django.db.models import BooleanField, Exists, OuterRef, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.utils.translation import gettext as _

from relance.accounts.models import Language, User
from relance.accounts.permissions import Cap, require
from relance.contacts.documents import beat_key
from relance.contacts.models import (
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    ContactRole,
    MediaListMember,
    Outlet,
    OutletKind,
    Periodicity,
    Relationship,
)
from relance.lib.text import fold, words

# Results are counted up to this many; beyond, pages say "10,000+" rather than
# count a million rows for a number nobody reads.
COUNT_CAP = 10_000
PAGE_SIZES = (25, 50, 100, 200)
DEFAULT_PAGE_SIZE = 50

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
            if getattr(f, name) and not getattr(f, name).isdigit():
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
            self.errors.append(
                _("Unknown %(name)s “%(value)s” ignored.") % {"name": name, "value": ", ".join(bad)}
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


def fulltext_condition(query: str) -> RawSQL | None:
    """A boolean SQL condition matching contacts whose document holds every
    word of `query` (as a prefix: "ecolo" finds "écologie"), or None."""
    terms = words(query)[:12]
    if not terms:
        return None
    if connection.vendor == "postgresql":
        tsquery = " & ".join(f"{t}:*" for t in terms)
        return RawSQL(
            "to_tsvector('simple'::regconfig, contacts_contact.search_document)"
            " @@ to_tsquery('simple'::regconfig, %s)",
            [tsquery],
            output_field=BooleanField(),
        )
    match = " ".join(f'"{t}"*' for t in terms)
    return RawSQL(
        "contacts_contact.id IN (SELECT rowid FROM contacts_contact_fts"
        " WHERE contacts_contact_fts MATCH %s)",
        [match],
        output_field=BooleanField(),
    )


def visible_contacts(actor: User | None) -> QuerySet[Contact]:
    """Every contact the actor may see: the media database minus erased rows."""
    require(actor, Cap.VIEW_MEDIA)
    return Contact.objects.filter(erased_at__isnull=True)


def search_contacts(actor: User | None, filters: ContactFilters) -> QuerySet[Contact]:
    qs = visible_contacts(actor)
    condition = fulltext_condition(filters.q)
    if condition is not None:
        qs = qs.filter(condition)
    if filters.role:
        qs = qs.filter(role__in=filters.role)
    if filters.kind:
        qs = qs.filter(outlet__kind__in=filters.kind)
    if filters.periodicity:
        qs = qs.filter(outlet__periodicity__in=filters.periodicity)
    if filters.country:
        qs = qs.filter(outlet__country=filters.country)
    if filters.region:
        qs = qs.filter(outlet__region__iexact=filters.region)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.outlet:
        qs = qs.filter(outlet_id=int(filters.outlet))
    if filters.vip:
        qs = qs.filter(vip=filters.vip == "yes")
    if filters.opted_out == "yes":
        qs = qs.filter(Q(opted_out=True) | Q(do_not_contact=True))
    elif filters.opted_out == "no":
        qs = qs.filter(opted_out=False, do_not_contact=False)
    for name in filters.beat:
        qs = qs.filter(
            Exists(ContactBeat.objects.filter(contact=OuterRef("pk"), beat__key=beat_key(name)))
        )
    if filters.owner:
        qs = qs.filter(
            Exists(
                Relationship.objects.filter(
                    contact=OuterRef("pk"), user__username=filters.owner, strength__gte=1
                )
            )
        )
    if filters.list_id:
        qs = qs.filter(
            Exists(
                MediaListMember.objects.filter(
                    contact=OuterRef("pk"), media_list_id=int(filters.list_id)
                )
            )
        )
    return qs.order_by(*CONTACT_SORTS.get(filters.sort, CONTACT_SORTS["name"]))


def with_display_data(qs: QuerySet[Contact]) -> QuerySet[Contact]:
    """What a contact row shows (outlet, show, primary e-mail and phone, beats,
    relationships), in a fixed number of queries whatever the page size."""
    return qs.select_related("outlet", "show").prefetch_related(
        Prefetch(
            "emails",
            queryset=ContactEmail.objects.filter(is_primary=True),
            to_attr="primary_emails",
        ),
        Prefetch(
            "phones",
            queryset=ContactPhone.objects.filter(is_primary=True),
            to_attr="primary_phones",
        ),
        "beats",
        Prefetch("relationships", queryset=Relationship.objects.select_related("user")),
    )


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    count: int  # capped at COUNT_CAP + 1
    capped: bool

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def last(self) -> int | None:
        return None if self.capped else max(1, -(-self.count // self.size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


def paginate(qs: QuerySet, page: Any = 1, size: Any = DEFAULT_PAGE_SIZE) -> Page:
    """One page and a capped count, in two queries."""
    try:
        size = int(size)
    except (TypeError, ValueError):
        size = DEFAULT_PAGE_SIZE
    size = size if size in PAGE_SIZES else DEFAULT_PAGE_SIZE
    try:
        number = max(1, int(page))
    except (TypeError, ValueError):
        number = 1
    count = qs.order_by()[: COUNT_CAP + 1].count()
    capped = count > COUNT_CAP
    if not capped:
        last = max(1, -(-count // size))
        number = min(number, last)
    offset = (number - 1) * size
    items = list(qs[offset : offset + size])
    return Page(items=items, number=number, size=size, count=count, capped=capped)


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


__all__ = ["ContactFilters", "fold", "paginate", "search_contacts", "with_display_data"]
