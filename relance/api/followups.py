"""`/campaigns/{id}/followups`: the follow-up plan, the same as the page and
`relance plan-followups --json` (DESIGN.md §4 "Plan output")."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema

from relance.api.auth import actor
from relance.api.campaigns import router
from relance.api.common import get_or_404
from relance.api.schemas import ERRORS
from relance.campaigns.services import clean_datetime, visible_campaigns
from relance.followups import services


class PlannedOut(Schema):
    contact_id: int
    contact: str
    outlet: str
    channel: str = Field(description="phone, email or social.")
    window_start: str = Field(description="ISO-8601, in the outlet's time zone.")
    window_end: str
    assignee: str = Field(description="Username of who calls or writes.")
    priority: float = Field(description="Expected value of the follow-up, 0-1.")
    reasons: list[str]
    via_contact_id: int | None = Field(
        description="TV and radio: the desk or researcher called about a host."
    )
    via: str
    state: str = Field(description="planned, or claimed (someone has it in hand now).")
    warm: bool = Field(description="A warm contact: called first.")


class SkippedOut(Schema):
    contact_id: int
    contact: str
    outlet: str
    reason_code: str = Field(
        description="opted_out, already_responded, declined, bounced, not_sent, pressure_cap,"
        " outlet_already_planned, low_priority, paused, no_channel, too_late."
    )
    reason: str
    priority: float | None


class PlanOut(Schema):
    campaign: int
    at: str
    planned: list[PlannedOut]
    skipped: list[SkippedOut]
    cut: float | None = Field(
        description="The lowest priority the team's calling capacity kept, when some were cut."
    )


@router.get(
    "/{id}/followups",
    response={200: PlanOut, **ERRORS},
    summary="The campaign's follow-up plan",
)
def followups(request: HttpRequest, id: int, at: str = "") -> dict[str, Any]:
    """For each recipient, a planned follow-up (channel, window, assignee,
    priority, reasons) or a skip with its reason, at `at` (ISO-8601; now by
    default). Deterministic for the same facts and `at`. The plan names
    journalists: client viewers get 403."""
    user = actor(request)
    brief = get_or_404(visible_campaigns(user), id)
    try:
        moment = clean_datetime(services.query_datetime(at))
    except ValueError as exc:
        raise ValidationError({"at": [str(exc)]}) from None
    return services.plan_followups(user, brief, moment).to_json()
