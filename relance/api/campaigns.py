"""`/campaigns`: campaign briefs (releases, event invitations, press
conferences). A client viewer reads only their own client's campaigns;
another client's answer 404."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from relance.accounts.models import Language
from relance.accounts.permissions import Cap, require
from relance.api.auth import actor
from relance.api.common import get_or_404
from relance.api.pagination import PageQuery, page_of
from relance.api.schemas import ERRORS, Id, LocalDateTime, PageOut, WriteSchema, patch_schema
from relance.campaigns import recipients, services
from relance.campaigns.models import Campaign, CampaignKind, CampaignStatus, Rsvp

router = Router(tags=["campaigns"])


class CampaignIn(WriteSchema):
    client_id: Id
    title: str
    kind: CampaignKind = Field(
        CampaignKind.RELEASE, description="release, event or press_conference."
    )
    language: Language | None = Field(None, description="fr or en; the client's by default.")
    summary: str = ""
    body: str = Field(
        "",
        description="HTML (p, br, strong, em, ul, ol, li, a, h2, h3, blockquote); anything"
        " else is removed. Plain text is kept as paragraphs.",
    )
    key_messages: list[str] = Field([], description="Short lines.")
    talking_points: list[str] = Field([], description="Short lines said on the phone.")
    products: list[str] = Field(
        [], description="Products, services, spokespeople the coverage should name."
    )
    embargo_until: datetime | None = None
    event_at: datetime | None = Field(
        None, description="Required for events and press conferences; refused for releases."
    )
    event_ends_at: datetime | None = Field(
        None, description="Optional end of the event (after `event_at`)."
    )
    event_place: str = Field(
        "", description="Required for events and press conferences; refused for releases."
    )
    manager: str | None = Field(
        None, description="Username of the member in charge; the caller by default."
    )
    team: list[str] = Field([], description="Usernames of the team members on it.")


if TYPE_CHECKING:  # the same fields, all optional (see patch_schema)
    CampaignPatch = CampaignIn
else:
    CampaignPatch = patch_schema(CampaignIn, "CampaignPatch")


class AttachmentOut(Schema):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    url: str

    @staticmethod
    def resolve_url(obj: Any, context: Any) -> str:
        from django.urls import reverse

        path = reverse("campaigns:attachment_download", args=[obj.campaign_id, obj.pk])
        request = context["request"] if context else None
        return request.build_absolute_uri(path) if request else path


class CampaignOut(Schema):
    id: int
    client_id: int
    title: str
    kind: str
    language: str
    status: str
    summary: str
    body: str
    key_messages: list[str]
    talking_points: list[str]
    products: list[str]
    embargo_until: LocalDateTime | None
    event_at: LocalDateTime | None
    event_ends_at: LocalDateTime | None
    event_place: str
    manager: str | None
    team: list[str]
    sent_at: LocalDateTime | None
    attachments: list[AttachmentOut]
    created_by: str | None
    created_at: LocalDateTime
    updated_at: LocalDateTime

    @staticmethod
    def resolve_manager(obj: Campaign) -> str | None:
        return obj.manager.username if obj.manager else None

    @staticmethod
    def resolve_team(obj: Campaign) -> list[str]:
        return sorted(u.username for u in obj.team.all())

    @staticmethod
    def resolve_attachments(obj: Campaign) -> list[Any]:
        return list(obj.attachments.all())

    @staticmethod
    def resolve_created_by(obj: Campaign) -> str | None:
        return obj.created_by.username if obj.created_by else None


class CampaignQuery(PageQuery):
    search: str = Field("", description="Words of the title, summary, key messages or place.")
    q: str = Field("", description="Same as `search`.")
    client_id: Id | None = None
    kind: CampaignKind | None = None
    status: CampaignStatus | None = None


def _campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    """What the caller may see, with what the answer reads in a few queries."""
    from relance.accounts.models import User

    return (
        services.visible_campaigns(actor(request))
        .select_related("manager", "created_by")
        .prefetch_related(
            Prefetch("team", queryset=User.objects.only("id", "username")), "attachments"
        )
    )


@router.get("", response={200: PageOut[CampaignOut], **ERRORS}, summary="List campaigns")
def list_campaigns(request: HttpRequest, query: Query[CampaignQuery]) -> dict[str, Any]:
    qs = services.filter_campaigns(
        _campaigns(request),
        search=query.search or query.q,
        client_id=query.client_id,
        kinds=[query.kind] if query.kind else [],
        statuses=[query.status] if query.status else [],
    ).order_by("-updated_at", "-id")
    return page_of(request, qs, query)


@router.post("", response={201: CampaignOut, **ERRORS}, summary="Create a campaign")
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status[Campaign]:
    data = payload.data()
    if data.get("language") is None:
        data.pop("language", None)  # the client's language
    campaign = services.create_campaign(actor(request), data)
    return Status(201, _campaigns(request).get(pk=campaign.pk))


@router.get("/{id}", response={200: CampaignOut, **ERRORS}, summary="Get a campaign")
def get_campaign(request: HttpRequest, id: int) -> Campaign:
    return get_or_404(_campaigns(request), id)


@router.patch("/{id}", response={200: CampaignOut, **ERRORS}, summary="Update a campaign")
def update_campaign(request: HttpRequest, id: int, payload: CampaignPatch) -> Campaign:
    """Fields left out keep their value; `null` empties the optional dates."""
    user = actor(request)
    campaign = get_or_404(services.visible_campaigns(user), id)
    services.update_campaign(user, campaign, payload.data())
    return _campaigns(request).get(pk=id)


@router.delete("/{id}", response={204: None, **ERRORS}, summary="Delete a campaign")
def delete_campaign(request: HttpRequest, id: int) -> Status[None]:
    """Drafts only; its files go with it."""
    user = actor(request)
    services.delete_campaign(user, get_or_404(services.visible_campaigns(user), id))
    return Status(204, None)


# --- Recipients (targeting, outside sends, RSVPs) -----------------------------


class RecipientOut(Schema):
    contact_id: int
    state: str = Field(description="targeted, queued, sent, failed or bounced.")
    sent_at: LocalDateTime | None
    opened_at: LocalDateTime | None = Field(description="The first open (approximate).")
    clicked_at: LocalDateTime | None
    replied_at: LocalDateTime | None
    bounced_at: LocalDateTime | None
    opens: int = Field(description="Opens seen (approximate).")
    clicks: int
    rsvp: str | None = Field(description="yes, no, maybe or null.")
    rsvp_at: LocalDateTime | None
    guests: int
    rsvp_note: str = Field(description="What the journalist wrote with the answer.")
    score: float | None = Field(description="Relevance when targeting proposed the contact.")
    reasons: list[str] = Field(description="Why targeting proposed the contact.")

    @staticmethod
    def resolve_rsvp(obj: Any) -> str | None:
        return obj.rsvp or None


class RecipientsIn(WriteSchema):
    contact_ids: list[int] = Field([], description="Contacts to add.")
    list_id: Id | None = Field(None, description="A media list whose members to add.")
    sent_at: datetime | None = Field(
        None,
        description="Records a send made outside Relance (wire service, another tool):"
        " these recipients count as sent.",
    )
    allow_recent: bool = Field(
        False,
        description="Add contacts pitched in the last 7 days anyway (campaign manager"
        " and account managers only). Opt-outs, pauses and bounces are never added.",
    )


class RecipientsAdded(Schema):
    added: int
    already: int
    refused: dict[str, int] = Field(
        description="Contacts not added, by reason: opted_out, do_not_contact, paused,"
        " bounced, recently_pitched."
    )
    refused_ids: dict[str, list[int]]
    unknown: list[int] = Field(description="Ids of no contact (or of erased contacts).")


class RsvpIn(WriteSchema):
    rsvp: Rsvp | None = Field(description="yes, no, maybe, or null to clear it.")
    guests: int | None = Field(None, description="Companions or camera crew, 0-50.")


@router.get(
    "/{id}/recipients",
    response={200: PageOut[RecipientOut], **ERRORS},
    summary="List a campaign's recipients",
)
def list_recipients(request: HttpRequest, id: int, query: Query[PageQuery]) -> dict[str, Any]:
    """The target list is part of the media database: a client viewer sees
    the campaign, not who it went to (403)."""
    user = actor(request)
    brief = get_or_404(services.visible_campaigns(user), id)
    require(user, Cap.VIEW_MEDIA)
    return page_of(request, brief.recipients.order_by("id"), query)


@router.post(
    "/{id}/recipients",
    response={200: RecipientsAdded, **ERRORS},
    summary="Add recipients (or record an outside send)",
)
def add_recipients(request: HttpRequest, id: int, payload: RecipientsIn) -> dict[str, Any]:
    """Contacts who opted out, are do-not-contact, paused, whose address
    bounced, or (unless `allow_recent`) were pitched in the last 7 days are
    refused and counted by reason."""
    user = actor(request)
    brief = get_or_404(services.visible_campaigns(user), id)
    result = recipients.add_recipients(
        user,
        brief,
        payload.contact_ids,
        list_id=payload.list_id,
        sent_at=payload.sent_at,
        allow_recent=payload.allow_recent,
    )
    return result.as_dict()


@router.patch(
    "/{id}/recipients/{contact_id}",
    response={200: RecipientOut, **ERRORS},
    summary="Record a recipient's RSVP",
)
def update_recipient(request: HttpRequest, id: int, contact_id: int, payload: RsvpIn) -> Any:
    user = actor(request)
    brief = get_or_404(services.visible_campaigns(user), id)
    if not 1 <= contact_id <= 2**63 - 1:
        raise Http404
    row = brief.recipients.filter(contact_id=contact_id).select_related("campaign").first()
    if row is None:
        raise Http404
    data = payload.data()
    return recipients.set_rsvp(user, row, data.get("rsvp"), data.get("guests"))
