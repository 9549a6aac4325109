"""The guest list of an invitation: live answers, an answer taken by phone,
and the exports for the door. Thin callers of `relance.outreach.guests`
and `relance.campaigns.recipients`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.text import slugify
from django.utils.translation import gettext as _

from relance.accounts.permissions import Cap, has
from relance.campaigns import recipients
from relance.campaigns.models import Campaign, Recipient
from relance.campaigns.services import can_edit, visible_campaigns
from relance.campaigns.views import POST, READ, gated
from relance.outreach import guests, invitations


def _invitation(request: HttpRequest, pk: int) -> Campaign:
    qs = visible_campaigns(request.user).select_related("client", "manager")
    campaign = get_object_or_404(qs, pk=pk)
    if not campaign.is_event:
        raise Http404  # a release has no guests
    return campaign


@gated(None, READ)
def guest_list(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _invitation(request, pk)
    status = request.GET.get("status", "")
    if status not in guests.STATUSES:
        status = ""
    # Who comes is the media database's: a client viewer reads the counts.
    names = has(request.user, Cap.VIEW_MEDIA)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "counts": guests.counts(campaign),
        "statuses": guests.STATUSES,
        "status": status,
        "guests": guests.guest_list(request.user, campaign, status) if names else [],
        "names": names,
        "can_edit": can_edit(request.user, campaign),
        "can_export": has(request.user, Cap.EXPORT_CONTACTS),
        "over": invitations.is_over(campaign),
        "answers": [("", "—"), ("yes", _("Yes")), ("maybe", _("Maybe")), ("no", _("No"))],
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "outreach/includes/guests.html", context)
    return render(request, "outreach/guests.html", context)


@gated(Cap.EDIT_CAMPAIGNS, POST)
def guest_answer(request: HttpRequest, pk: int, recipient_id: int) -> HttpResponse:
    """An answer given by phone or in person, typed by the team."""
    campaign = _invitation(request, pk)
    row = get_object_or_404(
        Recipient.objects.select_related("campaign"), pk=recipient_id, campaign=campaign
    )
    raw = request.POST.get("guests", "").strip()
    try:
        count = int(raw) if raw else None
    except ValueError:
        count = -1
    try:
        recipients.set_rsvp(request.user, row, request.POST.get("answer") or None, count)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Answer recorded for %(name)s.") % {"name": row.contact})
    return redirect("outreach:guests", pk=campaign.pk)


def _filename(campaign: Campaign, extension: str) -> str:
    # The file name in the reader's language: "inauguration-invites.csv".
    suffix = slugify(_("guests"))
    return f"{slugify(campaign.title)[:60] or suffix}-{suffix}.{extension}"


@gated(Cap.EXPORT_CONTACTS, READ)
def guest_export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    campaign = _invitation(request, pk)
    if fmt == "csv":
        response = HttpResponse(
            guests.as_csv(request.user, campaign), content_type="text/csv; charset=utf-8"
        )
    elif fmt == "pdf":
        response = HttpResponse(
            guests.as_pdf(request.user, campaign), content_type="application/pdf"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{_filename(campaign, fmt)}"'
    return response
