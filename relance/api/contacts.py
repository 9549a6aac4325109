"""`/contacts` and `/contacts/{id}/relationships`: the people of the media
database and who in the team knows them."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts.models import Language, User
from relance.accounts.permissions import Cap
from relance.api import limits
from relance.api.auth import actor
from relance.api.common import get_or_404, reader, with_search
from relance.api.errors import NON_FIELD
from relance.api.pagination import ApiPage, PageQuery, envelope, page_of, paginate
from relance.api.schemas import (
    ERRORS,
    MAX_ID,
    Id,
    LocalDateTime,
    PageOut,
    WriteSchema,
    patch_schema,
)
from relance.contacts.models import (
    Beat,
    Contact,
    ContactBeat,
    ContactEmail,
    ContactPhone,
    ContactRole,
    LegalBasis,
    Relationship,
)
from relance.contacts.search import (
    ContactFilters,
    search_page,
    visible_contacts,
)
from relance.contacts.services import contacts as services
from relance.contacts.services.contacts import SCALAR_FIELDS
from relance.contacts.validation import CONTACT_DEFAULTS

router = Router(tags=["contacts"])


class EmailIn(WriteSchema):
    address: str = Field(max_length=254)
    label: str = ""
    is_primary: bool = False


class PhoneIn(WriteSchema):
    number: str = Field(max_length=40, description="Any usual format; stored in E.164.")
    label: str = ""
    is_primary: bool = False


class ContactIn(WriteSchema):
    first_name: str = ""
    last_name: str = Field("", description="A contact needs a first or a last name.")
    role: ContactRole = CONTACT_DEFAULTS["role"]
    title: str = ""
    outlet_id: Id | None = None
    show_id: Id | None = Field(None, description="A show of the contact's outlet.")
    email: str | None = Field(
        None, max_length=254, description="The primary e-mail (the others in `emails` stay)."
    )
    emails: list[EmailIn] = []
    phone: str | None = Field(None, max_length=40, description="The primary phone.")
    phones: list[PhoneIn] = []
    beats: list[str] = Field([], description="Beat names, created when new.")
    language: Language = CONTACT_DEFAULTS["language"]
    social: dict[str, str] = Field({}, description='Handles by network: {"x": "@name"}.')
    accepts_phone: bool = True
    preferred_channel: str = Field("", description="email, phone, social or empty.")
    best_hours: str = Field("", description="“09:30-11:30” or “09:00-10:00,14:00-15:30”.")
    paused_until: date | None = None
    opted_out: bool = Field(
        False, description="An opt-out made by the journalist cannot be cleared through the API."
    )
    do_not_contact: bool = False
    vip: bool = False
    notes: str = ""
    legal_basis: LegalBasis = CONTACT_DEFAULTS["legal_basis"]
    source: str = ""


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    ContactPatch = ContactIn
else:
    ContactPatch = patch_schema(ContactIn, "ContactPatch")


class EmailOut(Schema):
    address: str
    label: str
    is_primary: bool
    status: str


class PhoneOut(Schema):
    number: str
    label: str
    is_primary: bool


class ContactOut(Schema):
    id: int
    first_name: str
    last_name: str
    role: str
    title: str
    outlet_id: int | None
    outlet: str | None
    show_id: int | None
    show: str | None
    email: str | None
    emails: list[EmailOut]
    phone: str | None
    phones: list[PhoneOut]
    beats: list[str]
    language: str
    social: dict[str, str]
    accepts_phone: bool
    preferred_channel: str
    best_hours: str
    paused_until: date | None
    opted_out: bool
    opted_out_source: str = Field(
        description="“self” when the journalist opted out (only they can undo it), “agency”."
    )
    do_not_contact: bool
    email_status: str | None
    vip: bool
    notes: str
    legal_basis: str
    source: str
    created_at: LocalDateTime
    updated_at: LocalDateTime


class ContactQuery(PageQuery):
    """The same parameters as the contacts page (relance.contacts.search)."""

    search: str = Field("", description="Full text over names, outlet, show, beats, notes.")
    q: str = Field("", description="Same as `search`.")
    role: list[str] = []
    kind: list[str] = Field([], description="Outlet kind.")
    periodicity: list[str] = Field([], description="Outlet periodicity.")
    country: str = ""
    region: str = ""
    language: str = ""
    beat: list[str] = []
    owner: str = Field("", description="Username of a team member who knows the contact.")
    opted_out: str = Field("", description="yes, no or empty (all).")
    outlet: str = Field("", description="Outlet id.")
    list_id: str = Field("", alias="list", description="Media list id.")
    vip: str = Field("", description="yes, no or empty.")
    sort: str = Field("name", description="name, -name, outlet, -outlet, role, updated, -updated.")


# ContactOut's own fields, read as values: building model instances and
# resolving each field through them cost more than the search itself.
_OUT_VALUES = ("id", *SCALAR_FIELDS, "opted_out", "opted_out_source", "created_at", "updated_at")


# Every e-mail, phone and beat of a page of contacts in one statement (a
# round trip and a compilation per ORM query is most of the time on
# PostgreSQL). Columns: kind, contact, text, label, primary, status; in the
# order ContactOut lists them (primary first, then by id; beats by name).
_DETAILS = """
SELECT 0, contact_id, address, label, is_primary, status, id, '' FROM {email}
  WHERE contact_id IN ({ids})
UNION ALL
SELECT 1, contact_id, number, label, is_primary, '', id, '' FROM {phone}
  WHERE contact_id IN ({ids})
UNION ALL
SELECT 2, cb.contact_id, b.name, '', FALSE, '', 0, b.name FROM {contact_beat} cb
  JOIN {beat} b ON b.id = cb.beat_id WHERE cb.contact_id IN ({ids})
ORDER BY 1, 5 DESC, 8, 7
"""


def contact_dicts(qs: QuerySet[Contact]) -> list[dict[str, Any]]:
    """What ContactOut shows for each contact of `qs`, in its order, as plain
    values in two queries whatever their number."""
    rows = list(qs.values(*_OUT_VALUES, "outlet__name", "show__name"))
    if not rows:
        return rows
    by_id = {row["id"]: row for row in rows}
    for row in rows:
        row["outlet"], row["show"] = row.pop("outlet__name"), row.pop("show__name")
        row.update(emails=[], phones=[], beats=[], email=None, email_status=None, phone=None)
    sql = _DETAILS.format(
        ids=", ".join(["%s"] * len(by_id)),
        email=ContactEmail._meta.db_table,
        phone=ContactPhone._meta.db_table,
        contact_beat=ContactBeat._meta.db_table,
        beat=Beat._meta.db_table,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(by_id) * 3)
        for kind, contact_id, text, label, primary, status, _id, _name in cursor.fetchall():
            row = by_id[contact_id]
            primary = bool(primary)  # SQLite answers 0 or 1
            if kind == 0:
                row["emails"].append(
                    {"address": text, "label": label, "is_primary": primary, "status": status}
                )
                if primary and row["email"] is None:
                    row["email"], row["email_status"] = text, status
            elif kind == 1:
                row["phones"].append({"number": text, "label": label, "is_primary": primary})
                if primary and row["phone"] is None:
                    row["phone"] = text
            else:
                row["beats"].append(text)
    return rows


def contact_filters(params: Any) -> ContactFilters:
    """Filters read like the page reads them; where the page drops a value it
    does not understand, the API says so (400) rather than answer something
    else than what was asked."""
    filters = ContactFilters.from_params(params)
    errors = list(filters.errors)
    for name in ("outlet", "list_id"):
        value = getattr(filters, name)
        if value and int(value) > MAX_ID:
            errors.append(_("“%(value)s” is not an id.") % {"value": value})
    if errors:
        raise ValidationError({NON_FIELD: errors})
    return filters


def contact_page(
    request: HttpRequest,
    user: User,
    qs: QuerySet[Contact],
    query: PageQuery,
    count: int | None = None,
) -> dict[str, Any]:
    """A page of contacts, within what the user's role may read (see limits).
    `count`: the capped count when the search already knows it."""
    size, last = limits.contact_page(user, query.page, query.page_size)
    page = paginate(qs.only("pk"), query.page, size, count=count)
    page.items = contact_dicts(qs.filter(pk__in=[c.pk for c in page.items]))
    limits.charge_contact_reads(user, len(page.items))
    return envelope(request, page, page.items, last_page=last)


def _contact(user: User, id: int) -> dict[str, Any]:
    """What ContactOut shows of one visible contact, or 404."""
    found = contact_dicts(visible_contacts(user).filter(pk=id)) if 1 <= id <= MAX_ID else []
    if not found:
        raise Http404
    return found[0]


@router.get("", response={200: PageOut[ContactOut], **ERRORS}, summary="List contacts")
def list_contacts(request: HttpRequest, query: Query[ContactQuery]) -> dict[str, Any]:
    user = reader(request, Cap.VIEW_MEDIA)
    filters = contact_filters(with_search(request))
    size, last = limits.contact_page(user, query.page, query.page_size)
    # The same search as the contacts page (fast at a million contacts), with
    # the page asked for, even past the end (an empty page ends a script's loop).
    found = search_page(user, filters, query.page, size, prepare=contact_dicts, clamp=False)
    limits.charge_contact_reads(user, len(found.items))
    more = len(found.items) == size and (found.capped or found.number * size < found.count)
    page = ApiPage(found.items, found.number, size, found.count, found.capped, more=more)
    return envelope(request, page, page.items, last_page=last)


@router.post("", response={201: ContactOut, **ERRORS}, summary="Create a contact")
def create_contact(request: HttpRequest, payload: ContactIn) -> Status[dict[str, Any]]:
    user = actor(request)
    contact = services.create_contact(user, payload.data())
    return Status(201, _contact(user, contact.pk))


@router.get("/{id}", response={200: ContactOut, **ERRORS}, summary="Get a contact")
def get_contact(request: HttpRequest, id: int) -> dict[str, Any]:
    user = reader(request, Cap.VIEW_MEDIA)
    contact = _contact(user, id)
    limits.charge_contact_reads(user, 1)
    return contact


@router.patch("/{id}", response={200: ContactOut, **ERRORS}, summary="Update a contact")
def update_contact(request: HttpRequest, id: int, payload: ContactPatch) -> dict[str, Any]:
    """Only the fields sent change. An opt-out made by the journalist cannot be
    cleared (400): journalists' choices win."""
    user = reader(request, Cap.VIEW_MEDIA)
    services.update_contact(user, get_or_404(visible_contacts(user), id), payload.data())
    return _contact(user, id)


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete a contact")
def delete_contact(request: HttpRequest, id: int) -> Status[None]:
    user = reader(request, Cap.VIEW_MEDIA)
    services.delete_contact(user, get_or_404(visible_contacts(user), id))
    return Status(204, None)


# --- Relationships -----------------------------------------------------------


class RelationshipIn(WriteSchema):
    user: str = Field(max_length=150, description="Username of the team member.")
    strength: int = Field(description="0 (met once) to 3 (long-standing).")
    notes: str = ""


class RelationshipOut(Schema):
    user: str
    strength: int
    notes: str
    updated_at: LocalDateTime

    @staticmethod
    def resolve_user(obj: Relationship) -> str:
        return obj.user.username


@router.get(
    "/{id}/relationships",
    response={200: PageOut[RelationshipOut], **ERRORS},
    summary="List who knows a contact",
)
def list_relationships(request: HttpRequest, id: int, query: Query[PageQuery]) -> dict[str, Any]:
    user = reader(request, Cap.VIEW_MEDIA)
    contact = get_or_404(visible_contacts(user), id)
    qs = Relationship.objects.filter(contact=contact).select_related("user")
    return page_of(request, qs.order_by("-strength", "user__username"), query)


def _set_relationship(request: HttpRequest, id: int, payload: RelationshipIn) -> Status[Any]:
    user = reader(request, Cap.VIEW_MEDIA)
    contact = get_or_404(visible_contacts(user), id)
    member = User.objects.filter(username=payload.user).first()
    if member is None:
        raise ValidationError({"user": [_("No team member has this username.")]})
    existed = Relationship.objects.filter(contact=contact, user=member).exists()
    rel = services.set_relationship(user, contact, member, payload.strength, payload.notes)
    return Status(200 if existed else 201, rel)


@router.post(
    "/{id}/relationships",
    response={(200, 201): RelationshipOut, **ERRORS},
    summary="Set who knows a contact",
)
def add_relationship(request: HttpRequest, id: int, payload: RelationshipIn) -> Status[Any]:
    """Creates the relationship (201) or updates it (200)."""
    return _set_relationship(request, id, payload)


@router.put(
    "/{id}/relationships",
    response={(200, 201): RelationshipOut, **ERRORS},
    summary="Set who knows a contact (same as POST)",
)
def put_relationship(request: HttpRequest, id: int, payload: RelationshipIn) -> Status[Any]:
    return _set_relationship(request, id, payload)


@router.delete(
    "/{id}/relationships/{username}",
    response={204: None, **ERRORS},
    summary="Remove a relationship",
)
def delete_relationship(request: HttpRequest, id: int, username: str) -> Status[None]:
    user = reader(request, Cap.VIEW_MEDIA)
    contact = get_or_404(visible_contacts(user), id)
    if "\x00" in username:  # PostgreSQL refuses NUL in a query
        raise Http404
    member = get_object_or_404(User, username=username)
    if not services.remove_relationship(user, contact, member):
        raise Http404
    return Status(204, None)
