"""`/lists`: media lists (fichiers), static or saved searches, and their
members."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from django.core.exceptions import ValidationError
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status
from pydantic import AfterValidator

from relance.accounts.permissions import Cap
from relance.api.auth import actor
from relance.api.common import get_or_404, name_search, reader
from relance.api.contacts import ContactOut, contact_filters, contact_page
from relance.api.errors import NON_FIELD
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, Id, LocalDateTime, PageOut, WriteSchema, patch_schema
from relance.contacts.models import ListKind, MediaList
from relance.contacts.services import lists as services

router = Router(tags=["lists"])

# Larger batches go through `filters` (every result of a search) or several
# calls; an IN list of this size stays within both databases' limits.
MAX_IDS_PER_CALL = 10_000


def _filter_values(value: dict[str, Any]) -> dict[str, Any]:
    # Checked here rather than typed `str | list[str]`: pydantic would report
    # a wrong value once per branch of the union, under keys like
    # "filters.role.list[str]".
    for item in value.values():
        items = item if isinstance(item, list) else [item]
        if not all(isinstance(v, str) for v in items):
            raise ValueError(_("Filter values are text or lists of text."))
    return value


Filters = Annotated[dict[str, Any], AfterValidator(_filter_values)]
FILTERS_HELP = (
    "The parameters of GET /contacts: "
    '{"search": "énergie", "role": ["journalist"], "country": "FR"}.'
)


class ListIn(WriteSchema):
    name: str
    kind: ListKind = Field(ListKind.STATIC, description="static, or smart (a saved search).")
    description: str = ""
    filters: Filters = Field({}, description="For smart lists. " + FILTERS_HELP)
    client_id: Id | None = None


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    ListPatch = ListIn
else:
    ListPatch = patch_schema(ListIn, "ListPatch")


class ListOut(Schema):
    id: int
    name: str
    kind: str
    description: str
    filters: dict[str, Any]
    client_id: int | None
    created_by: str | None
    members_count: int | None = Field(description="Static lists only.")
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_created_by(obj: MediaList) -> str | None:
        return obj.created_by.username if obj.created_by else None

    @staticmethod
    def resolve_members_count(obj: MediaList) -> int | None:
        return obj.members_count if obj.kind == ListKind.STATIC else None  # type: ignore[attr-defined]


class ListQuery(PageQuery):
    search: str = Field("", description="Part of the list's name.")
    q: str = Field("", description="Same as `search`.")
    kind: ListKind | None = None
    client_id: Id | None = None


class MembersIn(WriteSchema):
    contact_ids: list[Id] | None = Field(None, max_length=MAX_IDS_PER_CALL)
    filters: Filters | None = Field(
        None, description="Add every contact matching this search. " + FILTERS_HELP
    )


class MembersOut(Schema):
    count: int = Field(description="Contacts added (or removed) by this call.")


def search_as_q(filters: dict[str, Any]) -> dict[str, Any]:
    """`search` is the API's name for the page's `q`."""
    filters = dict(filters)
    if "search" in filters:
        filters.setdefault("q", filters.pop("search"))
    return filters


def _list_data(payload: WriteSchema) -> dict[str, Any]:
    data = payload.data()
    if "filters" in data:
        data["filters"] = search_as_q(data["filters"])
    return data


def _lists() -> QuerySet[MediaList]:
    return MediaList.objects.select_related("created_by").annotate(
        members_count=Count("medialistmember")
    )


@router.get("", response={200: PageOut[ListOut], **ERRORS}, summary="List media lists")
def list_lists(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    reader(request, Cap.VIEW_MEDIA)
    qs = _lists().order_by("name", "id")
    qs = name_search(qs, query.search or query.q, "name")
    if query.kind:
        qs = qs.filter(kind=query.kind)
    if query.client_id:
        qs = qs.filter(client_id=query.client_id)
    return page_of(request, qs, query)


@router.post("", response={201: ListOut, **ERRORS}, summary="Create a media list")
def create_list(request: HttpRequest, payload: ListIn) -> Status[MediaList]:
    media_list = services.create_list(actor(request), _list_data(payload))
    return Status(201, _lists().get(pk=media_list.pk))


@router.get("/{id}", response={200: ListOut, **ERRORS}, summary="Get a media list")
def get_list(request: HttpRequest, id: int) -> MediaList:
    reader(request, Cap.VIEW_MEDIA)
    return get_or_404(_lists(), id)


@router.patch("/{id}", response={200: ListOut, **ERRORS}, summary="Update a media list")
def update_list(request: HttpRequest, id: int, payload: ListPatch) -> MediaList:
    reader(request, Cap.VIEW_MEDIA)
    media_list = get_or_404(MediaList.objects.all(), id)
    services.update_list(actor(request), media_list, _list_data(payload))
    return _lists().get(pk=id)


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete a media list")
def delete_list(request: HttpRequest, id: int) -> Status[None]:
    """The list goes; its contacts stay."""
    reader(request, Cap.VIEW_MEDIA)
    services.delete_list(actor(request), get_or_404(MediaList.objects.all(), id))
    return Status(204, None)


@router.get(
    "/{id}/contacts",
    response={200: PageOut[ContactOut], **ERRORS},
    summary="The list's contacts now",
)
def list_members(request: HttpRequest, id: int, query: Query[PageQuery]) -> dict[str, Any]:
    """A static list's members; a saved search re-run now."""
    user = reader(request, Cap.VIEW_MEDIA)
    media_list = get_or_404(MediaList.objects.all(), id)
    return contact_page(request, user, services.list_contacts(user, media_list), query)


def _one_of(payload: MembersIn, *, filters_allowed: bool) -> None:
    given = [name for name in ("contact_ids", "filters") if getattr(payload, name) is not None]
    if filters_allowed and len(given) != 1:
        raise ValidationError({NON_FIELD: [_("Send either “contact_ids” or “filters”.")]})
    if not filters_allowed and given != ["contact_ids"]:
        raise ValidationError({"contact_ids": [_("Send the ids of the contacts to remove.")]})


@router.post(
    "/{id}/members", response={200: MembersOut, **ERRORS}, summary="Add contacts to a list"
)
def add_members(request: HttpRequest, id: int, payload: MembersIn) -> dict[str, int]:
    """`{"contact_ids": [1, 2]}`, or `{"filters": {…}}` to add every result of
    a search (not only one page). Static lists only."""
    user = reader(request, Cap.VIEW_MEDIA)
    media_list = get_or_404(MediaList.objects.all(), id)
    _one_of(payload, filters_allowed=True)
    if payload.filters is not None:
        filters = contact_filters(search_as_q(payload.filters))
        if not filters.active:
            # The whole database in one list is never what was meant, and a
            # million-row insert in one request is not something to start by
            # accident.
            raise ValidationError({"filters": [_("Give at least one filter.")]})
        return {"count": services.add_search_results(user, media_list, filters)}
    return {"count": services.add_members(user, media_list, payload.contact_ids or [])}


@router.delete(
    "/{id}/members", response={200: MembersOut, **ERRORS}, summary="Remove contacts from a list"
)
def remove_members(request: HttpRequest, id: int, payload: MembersIn) -> dict[str, int]:
    """`{"contact_ids": [1, 2]}`. Static lists only."""
    user = reader(request, Cap.VIEW_MEDIA)
    media_list = get_or_404(MediaList.objects.all(), id)
    _one_of(payload, filters_allowed=False)
    return {"count": services.remove_members(user, media_list, payload.contact_ids or [])}
