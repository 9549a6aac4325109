"""`/coverage`: coverage items (retombées). The team sees everything and
adds coverage by hand; a client viewer sees their client's confirmed
coverage only (relance.coverage.items.visible_coverage)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.api.auth import actor
from relance.api.common import get_or_404
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, LocalDateTime, PageOut, WriteSchema
from relance.coverage import items
from relance.coverage.models import CoverageItem, CoverageStatus, Medium, Tone

router = Router(tags=["coverage"])


class CoverageOut(Schema):
    id: int
    client_id: int
    campaign_id: int | None
    status: str = Field(description="candidate (to review), confirmed or rejected.")
    source: str = Field(description="feed, url, file or manual.")
    title: str
    url: str
    published_at: LocalDateTime
    outlet_id: int | None
    outlet: str = Field(description="The outlet's name, from the media database or as given.")
    contact_id: int | None = Field(description="The journalist it is attributed to.")
    author: str
    medium: str
    audience: int = Field(description="Potential reach: the outlet's stated audience.")
    tone: str = Field(description="positive, neutral, negative or empty.")
    key_messages: list[str]
    summary: str
    score: float = Field(description="Matching's score, 0-1 (feed items).")
    names: list[str] = Field(description="The names matching found in it.")

    @staticmethod
    def resolve_outlet(obj: CoverageItem) -> str:
        return obj.outlet_label

    @staticmethod
    def resolve_names(obj: CoverageItem) -> list[str]:
        return list((obj.evidence or {}).get("names", []))


class CoverageQuery(PageQuery):
    client_id: int | None = None
    campaign_id: int | None = None
    status: CoverageStatus | None = None
    since: datetime | None = Field(None, description="Published at or after (ISO-8601).")


class CoverageIn(WriteSchema):
    client_id: int | None = Field(None, description="Defaults to the campaign's client.")
    campaign_id: int | None = None
    title: str
    url: str = ""
    published_at: str = Field(description="ISO-8601 date or date and time.")
    outlet_id: int | None = None
    outlet_name: str = Field("", description="When the outlet is not in the media database.")
    author: str = ""
    medium: Medium | None = None
    audience: int | None = None
    tone: Tone | None = None
    key_messages: list[str] = Field(default_factory=list)
    summary: str = ""


class ReviewIn(WriteSchema):
    decision: CoverageStatus = Field(description="confirmed or rejected.")
    tone: Tone | None = None
    key_messages: list[str] | None = None


@router.get("", response={200: PageOut[CoverageOut], **ERRORS}, summary="List coverage")
def list_coverage(request: HttpRequest, query: Query[CoverageQuery]) -> dict[str, Any]:
    qs = items.visible_coverage(actor(request)).order_by("-published_at", "-id")
    if query.client_id:
        qs = qs.filter(client_id=query.client_id)
    if query.campaign_id:
        qs = qs.filter(campaign_id=query.campaign_id)
    if query.status:
        qs = qs.filter(status=query.status)
    if query.since:
        qs = qs.filter(published_at__gte=query.since)
    return page_of(request, qs, query)


@router.get("/{id}", response={200: CoverageOut, **ERRORS}, summary="Get a coverage item")
def get_coverage(request: HttpRequest, id: int) -> CoverageItem:
    return get_or_404(items.visible_coverage(actor(request)), id)


@router.post("", response={201: CoverageOut, **ERRORS}, summary="Add coverage by hand")
def add_coverage(request: HttpRequest, payload: CoverageIn) -> Status[CoverageItem]:
    data = payload.data()
    source = "url" if data.get("url") else "manual"
    return Status(201, items.add(actor(request), data, source=source))


@router.post(
    "/{id}/review", response={200: CoverageOut, **ERRORS}, summary="Confirm or reject coverage"
)
def review_coverage(request: HttpRequest, id: int, payload: ReviewIn) -> CoverageItem:
    user = actor(request)
    item = get_or_404(items.visible_coverage(user), id)
    data = payload.data()
    return items.review(
        user, item, data["decision"], tone=data.get("tone"), key_messages=data.get("key_messages")
    )
