"""`/shows`: programmes of TV and radio stations, podcast series."""

from __future__ import annotations

from datetime import time
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts.permissions import Cap
from relance.api.auth import actor
from relance.api.common import get_or_404, name_search, reader
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, Id, LocalDateTime, PageOut, WriteSchema, patch_schema
from relance.contacts.models import Outlet, Show
from relance.contacts.services import outlets as services

router = Router(tags=["shows"])


class ShowIn(WriteSchema):
    outlet_id: Id
    name: str
    description: str = ""
    air_days: list[int] = Field([], description="Weekdays on air: 0 = Monday … 6 = Sunday.")
    air_start: time | None = Field(None, description="On air from (outlet's time zone).")
    air_end: time | None = None
    schedule_notes: str = ""


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    ShowPatch = ShowIn
else:
    ShowPatch = patch_schema(ShowIn, "ShowPatch")


class ShowOut(Schema):
    id: int
    outlet_id: int
    outlet: str
    name: str
    description: str
    air_days: list[int]
    air_start: time | None
    air_end: time | None
    schedule_notes: str
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_outlet(obj: Show) -> str:
        return obj.outlet.name


class ShowQuery(PageQuery):
    outlet_id: Id | None = None
    search: str = Field("", description="Part of the show's name.")
    q: str = Field("", description="Same as `search`.")


def _shows() -> Any:
    return Show.objects.select_related("outlet")


@router.get("", response={200: PageOut[ShowOut], **ERRORS}, summary="List shows")
def list_shows(request: HttpRequest, query: Query[ShowQuery]) -> dict[str, Any]:
    reader(request, Cap.VIEW_MEDIA)
    qs = _shows().order_by("outlet__name", "name", "id")
    if query.outlet_id:
        qs = qs.filter(outlet_id=query.outlet_id)
    qs = name_search(qs, query.search or query.q, "name")
    return page_of(request, qs, query)


@router.post("", response={201: ShowOut, **ERRORS}, summary="Create a show")
def create_show(request: HttpRequest, payload: ShowIn) -> Status[Show]:
    reader(request, Cap.VIEW_MEDIA)
    data = payload.data()
    outlet = Outlet.objects.filter(pk=data.pop("outlet_id")).first()
    if outlet is None:
        raise ValidationError({"outlet_id": [_("This outlet does not exist.")]})
    show = services.create_show(actor(request), outlet, data)
    return Status(201, _shows().get(pk=show.pk))


@router.get("/{id}", response={200: ShowOut, **ERRORS}, summary="Get a show")
def get_show(request: HttpRequest, id: int) -> Show:
    reader(request, Cap.VIEW_MEDIA)
    return get_or_404(_shows(), id)


@router.patch("/{id}", response={200: ShowOut, **ERRORS}, summary="Update a show")
def update_show(request: HttpRequest, id: int, payload: ShowPatch) -> Show:
    reader(request, Cap.VIEW_MEDIA)
    show = get_or_404(_shows(), id)
    data = payload.data()
    if data.pop("outlet_id", show.outlet_id) != show.outlet_id:
        # Contacts of the show work for its outlet: moving it would leave
        # them attached to a show of another outlet.
        raise ValidationError(
            {"outlet_id": [_("A show cannot move to another outlet; create it there.")]}
        )
    services.update_show(actor(request), show, data)
    return _shows().get(pk=show.pk)


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete a show")
def delete_show(request: HttpRequest, id: int) -> Status[None]:
    reader(request, Cap.VIEW_MEDIA)
    services.delete_show(actor(request), get_or_404(Show.objects.all(), id))
    return Status(204, None)
