"""The campaign's message (per language, preview, test send) and sending
pages (queue now or later, progress, pause, resume, re-queue). Thin callers
of `relance.outreach.services`, which decide who may do what."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from relance.accounts.models import Language
from relance.accounts.permissions import Cap, has
from relance.campaigns.models import Campaign, Recipient
from relance.campaigns.services import can_edit, clean_datetime, sanitise_body, visible_campaigns
from relance.campaigns.views import POST, READ, WRITE, gated
from relance.outreach import compose, services
from relance.outreach.models import InboundKind, InboundMessage, OutboxMessage, OutboxState


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    qs = visible_campaigns(request.user).select_related("client", "manager")
    return get_object_or_404(qs, pk=pk)


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 1 <= number <= 2**63 - 1 else None


@gated(Cap.VIEW_CAMPAIGNS, WRITE)
def message_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    saved = services.messages_by_language(campaign)
    forms: dict[str, dict[str, Any]] = {
        code: {
            "language": code,
            "label": label,
            "subject": saved[code].subject if code in saved else "",
            "body": saved[code].body if code in saved else "",
            "errors": {},
        }
        for code, label in Language.choices
    }
    if request.method == "POST":
        language = request.POST.get("language", "")
        if language not in forms:
            language = campaign.language
        form = forms[language]
        form["subject"] = request.POST.get("subject", "")
        form["body"] = request.POST.get("body", "")
        try:
            services.save_message(request.user, campaign, language, request.POST)
        except ValidationError as exc:
            form["errors"] = exc.message_dict if hasattr(exc, "error_dict") else {"": exc.messages}
        else:
            messages.success(request, _("Message saved."))
            return redirect("outreach:message_edit", pk=campaign.pk)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "forms": [forms[code] for code, _label in Language.choices],
        "fields": [compose.field_tag(name) for name in compose.MERGE_FIELDS],
        "can_edit": can_edit(request.user, campaign),
        "can_send": services.can_send(request.user, campaign),
        "has_message": bool(saved),
        "recipients": list(
            Recipient.objects.filter(campaign=campaign)
            .select_related("contact")
            .order_by("contact__last_name", "contact__first_name", "id")[:500]
        ),
    }
    return render(request, "outreach/message.html", context)


@gated(Cap.VIEW_CAMPAIGNS, READ)
def message_preview(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    recipient = None
    recipient_id = _int(request.GET.get("recipient"))
    if recipient_id:
        recipient = get_object_or_404(
            Recipient.objects.select_related("contact__outlet", "contact__show"),
            pk=recipient_id,
            campaign=campaign,
        )
    language = request.GET.get("language") or None
    result = services.preview(
        request.user, campaign, recipient.contact if recipient else None, language
    )
    context: dict[str, Any] = {"nav": "campaigns", "campaign": campaign, "recipient": recipient}
    if result is not None:
        chosen, rendered = result
        context.update(
            {
                "language": chosen,
                "subject": rendered.subject,
                # Sanitised on save, values escaped as they go in: once more
                # here, for rows written by other means.
                "html": mark_safe(sanitise_body(rendered.html)),
                "text": rendered.text,
                "attachments": list(campaign.attachments.all()),
            }
        )
    return render(request, "outreach/preview.html", context)


@gated(Cap.SEND_CAMPAIGNS, POST)
def message_test(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    try:
        address = services.send_test(request.user, campaign, request.POST.get("language") or None)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    except Exception:  # the mail server is down: say so, do not answer 500
        messages.error(request, _("The test message could not be sent: check the mail server."))
    else:
        messages.success(request, _("Test message sent to %(address)s.") % {"address": address})
    return redirect("outreach:message_edit", pk=campaign.pk)


# --- Sending --------------------------------------------------------------------------


def _progress_context(request: HttpRequest, campaign: Campaign) -> dict[str, Any]:
    counts = services.progress(campaign)
    # Who the messages went to is the media database's: a client viewer
    # follows the counts, not the journalists' names and addresses.
    problems = (
        list(
            OutboxMessage.objects.filter(
                campaign=campaign,
                state__in=[OutboxState.UNCERTAIN, OutboxState.FAILED, OutboxState.SKIPPED],
            )
            .select_related("contact")
            .order_by("state", "id")[:200]
        )
        if has(request.user, Cap.VIEW_MEDIA)
        else []
    )
    waiting = (
        OutboxMessage.objects.filter(campaign=campaign, state=OutboxState.QUEUED)
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return {
        "campaign": campaign,
        "counts": counts,
        # Scheduled (or waiting for a retry): when the next message is due.
        "next_at": waiting if waiting is not None and waiting > timezone.now() else None,
        "percent": (100 * counts["done"] // counts["total"]) if counts["total"] else 0,
        "problems": problems,
        "can_send": services.can_send(request.user, campaign),
        "live": counts["queued"] + counts["sending"] > 0,
    }


@gated(None, READ)
def sending(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    context = _progress_context(request, campaign)
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "outreach/includes/progress.html", context)
    context.update(
        {
            "nav": "campaigns",
            "has_message": bool(services.messages_by_language(campaign)),
            "recipient_count": Recipient.objects.filter(campaign=campaign).count(),
            "engagement": services.engagement(campaign),
            # Replies read from the campaign mailbox (relance ingest-mail).
            "replies": list(
                InboundMessage.objects.filter(campaign=campaign, kind=InboundKind.REPLY)
                .select_related("contact")
                .order_by("-received_at", "-id")[:50]
            )
            if has(request.user, Cap.VIEW_MEDIA)
            else [],
        }
    )
    return render(request, "outreach/sending.html", context)


def _back(campaign: Campaign) -> HttpResponse:
    return redirect(reverse("outreach:sending", args=[campaign.pk]))


@gated(Cap.SEND_CAMPAIGNS, POST)
def send(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    services.require_send(request.user, campaign)
    try:
        at = clean_datetime(request.POST.get("at") or None)
    except ValueError as exc:
        messages.error(request, str(exc))
        return _back(campaign)
    try:
        report = services.queue_campaign(request.user, campaign, at=at)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return _back(campaign)
    if report.at is not None:
        messages.success(
            request,
            _("%(count)d message(s) scheduled.") % {"count": report.queued},
        )
    else:
        messages.success(request, _("%(count)d message(s) queued.") % {"count": report.queued})
    if report.left_out:
        messages.warning(
            request,
            _("Left out: %(reasons)s.") % {"reasons": "; ".join(report.left_out_text())},
        )
    return _back(campaign)


@gated(Cap.SEND_CAMPAIGNS, POST)
def pause(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    count = services.pause(request.user, campaign)
    messages.success(request, _("Sending paused (%(count)d waiting).") % {"count": count})
    return _back(campaign)


@gated(Cap.SEND_CAMPAIGNS, POST)
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    count = services.resume(request.user, campaign)
    messages.success(request, _("Sending resumed (%(count)d waiting).") % {"count": count})
    return _back(campaign)


@gated(Cap.SEND_CAMPAIGNS, POST)
def requeue(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    ids = [i for i in map(_int, request.POST.getlist("row")) if i]
    count = services.requeue(request.user, campaign, ids or None)
    messages.success(request, _("%(count)d message(s) queued again.") % {"count": count})
    return _back(campaign)
