"""`/interactions`: every exchange with a contact — sends, opens, clicks,
bounces, replies and RSVPs recorded by Relance, calls and meetings recorded
by the team, also after the fact (a call made from a mobile phone)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.api.auth import actor
from relance.api.common import get_or_404
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, Id, LocalDateTime, PageOut, WriteSchema
from relance.interactions import services
from relance.interactions.models import Channel, Direction, Interaction, Outcome

router = Router(tags=["interactions"])


class InteractionOut(Schema):
    id: int
    contact_id: int
    campaign_id: int | None
    user: str | None = Field(description="The team member on the agency's side, if any.")
    channel: str = Field(description="email, phone, social, meeting or other.")
    direction: str = Field(description="out (the agency) or in (the contact).")
    outcome: str
    at: LocalDateTime
    notes: str
    details: dict[str, Any] = Field(description="The link clicked, a bounce's reason, guests…")
    recorded_by_relance: bool = Field(
        description="True for what Relance observed itself (cannot be deleted)."
    )
    recorded_by: str | None

    @staticmethod
    def resolve_user(obj: Interaction) -> str | None:
        return obj.user.username if obj.user else None

    @staticmethod
    def resolve_recorded_by(obj: Interaction) -> str | None:
        return obj.recorded_by.username if obj.recorded_by else None

    @staticmethod
    def resolve_recorded_by_relance(obj: Interaction) -> bool:
        return obj.key is not None


class InteractionIn(WriteSchema):
    contact_id: Id
    campaign_id: Id | None = None
    channel: Channel = Field(Channel.PHONE, description="email, phone, social, meeting or other.")
    direction: Direction = Field(Direction.OUT, description="out (the agency) or in (the contact).")
    outcome: Outcome = Field(
        description="What came of it: interested, will_attend, declined, send_material,"
        " call_back, no_answer, wrong_person, stop_calling, replied, rsvp_yes, rsvp_no,"
        " rsvp_maybe or note. `stop_calling` sets the contact's accepts_phone to false for"
        " every campaign; an answer to an invitation goes on its guest list."
    )
    at: datetime | None = Field(None, description="When it happened; now by default.")
    notes: str = ""
    user: str | None = Field(
        None, description="Username of who made the call (account managers only); the caller."
    )


class InteractionQuery(PageQuery):
    contact_id: Id | None = None
    campaign_id: Id | None = None
    user: str | None = Field(None, description="Username of the team member.")
    channel: Channel | None = None
    direction: Direction | None = None
    outcome: Outcome | None = None
    since: datetime | None = Field(None, description="From this moment on (included).")
    until: datetime | None = Field(None, description="Before this moment.")


def _rows(request: HttpRequest) -> Any:
    return services.visible_interactions(actor(request)).select_related("user", "recorded_by")


@router.get("", response={200: PageOut[InteractionOut], **ERRORS}, summary="List interactions")
def list_interactions(request: HttpRequest, query: Query[InteractionQuery]) -> dict[str, Any]:
    """Newest first. A client viewer reads none (403): they are the media
    database's."""
    qs = services.filter_interactions(
        _rows(request),
        contact_id=query.contact_id,
        campaign_id=query.campaign_id,
        user=query.user,
        channel=query.channel,
        direction=query.direction,
        outcome=query.outcome,
        since=query.since,
        until=query.until,
    ).order_by("-at", "-id")
    return page_of(request, qs, query)


@router.post("", response={201: InteractionOut, **ERRORS}, summary="Record an interaction")
def create_interaction(request: HttpRequest, payload: InteractionIn) -> Status[Interaction]:
    """What a team member reports; what Relance records itself (sent,
    opened, clicked, bounced, soft_bounce, auto_reply, unsubscribed) is
    refused (400)."""
    interaction = services.log(actor(request), payload.data())
    return Status(201, _rows(request).get(pk=interaction.pk))


@router.get("/{id}", response={200: InteractionOut, **ERRORS}, summary="Get an interaction")
def get_interaction(request: HttpRequest, id: int) -> Interaction:
    return get_or_404(_rows(request), id)


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete an interaction")
def delete_interaction(request: HttpRequest, id: int) -> Status[None]:
    """An entry made by mistake, by whoever recorded it or an account
    manager (403 otherwise, and for what Relance recorded itself)."""
    services.delete(actor(request), get_or_404(_rows(request), id))
    return Status(204, None)
