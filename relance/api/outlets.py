"""`/outlets`: the media (titles, stations, sites) of the database."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts.models import Language
from relance.accounts.permissions import Cap
from relance.api.auth import actor
from relance.api.common import get_or_404, reader, with_search
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, LocalDateTime, PageOut, WriteSchema, patch_schema
from relance.contacts.models import Outlet, OutletKind, Periodicity, Tier
from relance.contacts.search import search_outlets
from relance.contacts.services import outlets as services
from relance.contacts.services.outlets import OUTLET_DEFAULTS

router = Router(tags=["outlets"])


class OutletIn(WriteSchema):
    name: str
    kind: OutletKind = OUTLET_DEFAULTS["kind"]
    periodicity: Periodicity = OUTLET_DEFAULTS["periodicity"]
    language: Language = OUTLET_DEFAULTS["language"]
    country: str = Field(OUTLET_DEFAULTS["country"], description="ISO 3166-1 code: FR, CA…")
    region: str = Field("", description="Region or province: “Auvergne-Rhône-Alpes”, “QC”.")
    city: str = ""
    timezone: str = Field(
        "",
        max_length=64,
        description="IANA time zone; when empty, the country's (Europe/Paris for FR).",
    )
    audience: int | None = Field(None, description="Readers, listeners or viewers.")
    tier: Tier = OUTLET_DEFAULTS["tier"]
    closing_weekday: int | None = Field(
        None, description="Day the issue closes: 0 = Monday … 6 = Sunday."
    )
    lead_time_days: int | None = Field(None, description="Days ahead a magazine plans its pages.")
    website: str = Field("", max_length=200)
    feed_urls: list[str] = []
    editorial_line: str = ""
    notes: str = ""


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    OutletPatch = OutletIn
else:
    OutletPatch = patch_schema(OutletIn, "OutletPatch")


class OutletOut(Schema):
    id: int
    name: str
    kind: str
    periodicity: str
    language: str
    country: str
    region: str
    city: str
    timezone: str
    audience: int | None
    tier: int
    closing_weekday: int | None
    lead_time_days: int | None
    website: str
    feed_urls: list[str]
    editorial_line: str
    notes: str
    created_at: LocalDateTime
    updated_at: LocalDateTime


class OutletQuery(PageQuery):
    search: str = Field("", description="Full text: name, city, region, editorial line.")
    q: str = Field("", description="Same as `search`.")
    kind: list[OutletKind] = []
    periodicity: list[Periodicity] = []
    country: str = ""
    region: str = ""
    language: Language | None = None
    sort: str = Field("name", description="name, -audience or kind.")


@router.get("", response={200: PageOut[OutletOut], **ERRORS}, summary="List outlets")
def list_outlets(request: HttpRequest, query: Query[OutletQuery]) -> dict[str, Any]:
    qs = search_outlets(reader(request, Cap.VIEW_MEDIA), with_search(request))
    return page_of(request, qs, query)


@router.post("", response={201: OutletOut, **ERRORS}, summary="Create an outlet")
def create_outlet(request: HttpRequest, payload: OutletIn) -> Status[Outlet]:
    return Status(201, services.create_outlet(actor(request), payload.data()))


@router.get("/{id}", response={200: OutletOut, **ERRORS}, summary="Get an outlet")
def get_outlet(request: HttpRequest, id: int) -> Outlet:
    reader(request, Cap.VIEW_MEDIA)
    return get_or_404(Outlet.objects.all(), id)


@router.patch("/{id}", response={200: OutletOut, **ERRORS}, summary="Update an outlet")
def update_outlet(request: HttpRequest, id: int, payload: OutletPatch) -> Outlet:
    reader(request, Cap.VIEW_MEDIA)
    outlet = get_or_404(Outlet.objects.all(), id)
    return services.update_outlet(actor(request), outlet, payload.data())


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete an outlet")
def delete_outlet(request: HttpRequest, id: int) -> Status[None]:
    """Its shows go with it; its contacts stay, without an outlet."""
    reader(request, Cap.VIEW_MEDIA)
    services.delete_outlet(actor(request), get_or_404(Outlet.objects.all(), id))
    return Status(204, None)
