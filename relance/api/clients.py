"""`/clients`: the agency's clients (annonceurs). A client viewer sees only
their own."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts import services
from relance.accounts.models import Client, Language
from relance.api.auth import actor
from relance.api.common import get_or_404, name_search
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, LocalDateTime, PageOut, WriteSchema, patch_schema

router = Router(tags=["clients"])


class ClientIn(WriteSchema):
    name: str
    language: Language = Language.FR
    website: str = ""
    description: str = ""
    primary_color: str = Field("", description="For the client's reports: “#1d4ed8”.")
    brands: list[str] = Field([], description="Brands and products coverage monitoring looks for.")
    competitors: list[str] = Field([], description="Competitors, for the share of voice.")


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    ClientPatch = ClientIn
else:
    ClientPatch = patch_schema(ClientIn, "ClientPatch")


class ClientOut(Schema):
    id: int
    name: str
    language: str
    website: str
    description: str
    primary_color: str
    brands: list[str]
    competitors: list[str]
    created_at: LocalDateTime
    updated_at: LocalDateTime


class ClientQuery(PageQuery):
    search: str = Field("", description="Part of the client's name.")
    q: str = Field("", description="Same as `search`.")
    language: Language | None = None


@router.get("", response={200: PageOut[ClientOut], **ERRORS}, summary="List clients")
def list_clients(request: HttpRequest, query: Query[ClientQuery]) -> dict[str, Any]:
    qs = services.visible_clients(actor(request)).order_by("name", "id")
    qs = name_search(qs, query.search or query.q, "name")
    if query.language:
        qs = qs.filter(language=query.language)
    return page_of(request, qs, query)


@router.post("", response={201: ClientOut, **ERRORS}, summary="Create a client")
def create_client(request: HttpRequest, payload: ClientIn) -> Status[Client]:
    return Status(201, services.create_client(actor(request), payload.data()))


@router.get("/{id}", response={200: ClientOut, **ERRORS}, summary="Get a client")
def get_client(request: HttpRequest, id: int) -> Client:
    # Another client than a viewer's own is "not found", not "forbidden":
    # a viewer does not learn which other clients the agency has.
    return get_or_404(services.visible_clients(actor(request)), id)


@router.patch("/{id}", response={200: ClientOut, **ERRORS}, summary="Update a client")
def update_client(request: HttpRequest, id: int, payload: ClientPatch) -> Client:
    user = actor(request)
    client = get_or_404(services.visible_clients(user), id)
    return services.update_client(user, client, payload.data())


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete a client")
def delete_client(request: HttpRequest, id: int) -> Status[None]:
    """Refused (400) while active client viewer accounts belong to it."""
    user = actor(request)
    services.delete_client(user, get_or_404(services.visible_clients(user), id))
    return Status(204, None)
