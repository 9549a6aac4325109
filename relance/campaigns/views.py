"""Campaign pages: the list (filters, search), the brief, its form and the
media kit. Thin callers of `relance.campaigns.services`, which decide who
sees and changes what; the gates here only refuse early and cleanly."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from relance.accounts.models import Role
from relance.accounts.permissions import Cap, require
from relance.accounts.services import visible_clients
from relance.campaigns import services
from relance.campaigns.forms import AttachmentForm, CampaignForm
from relance.campaigns.models import Campaign, CampaignAttachment, CampaignKind, CampaignStatus
from relance.contacts.views.common import pager_links, query_string, render_results, with_query
from relance.lib.paging import PAGE_SIZES, paginate

READ = ("GET", "HEAD")
WRITE = ("GET", "HEAD", "POST")
POST = ("POST",)


def gated(cap: Cap | None, methods: tuple[str, ...] = READ):
    """Login, then the HTTP method, then the capability (PermissionDenied ->
    the 403 page)."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def check(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if cap is not None:
                require(request.user, cap)
            return view(request, *args, **kwargs)

        return login_required(require_http_methods(list(methods))(check))

    return decorate


def _campaign(request: HttpRequest, pk: int) -> Campaign:
    # Another client's campaign is "not found" for a client viewer: they do
    # not learn what else the agency works on.
    qs = services.visible_campaigns(request.user).select_related("client", "manager")
    return get_object_or_404(qs, pk=pk)


def _int(value: str | None) -> int | None:
    try:
        number = int(value or "")
    except ValueError:
        return None
    return number if 1 <= number <= 2**63 - 1 else None


@gated(None)
def campaign_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    campaigns = services.visible_campaigns(user)  # 403 for anyone without campaigns
    params: dict[str, Any] = {}
    q = request.GET.get("q", "").strip()
    if q:
        params["q"] = q
    client_id = _int(request.GET.get("client"))
    if client_id:
        params["client"] = client_id
    kinds = [k for k in request.GET.getlist("kind") if k in CampaignKind.values]
    statuses = [s for s in request.GET.getlist("status") if s in CampaignStatus.values]
    if kinds:
        params["kind"] = kinds
    if statuses:
        params["status"] = statuses
    mine = request.GET.get("mine") == "1" and user.role != Role.CLIENT_VIEWER
    if mine:
        params["mine"] = "1"
    qs = services.filter_campaigns(
        campaigns.select_related("client", "manager"),
        search=q,
        client_id=client_id,
        kinds=kinds,
        statuses=statuses,
        mine=user if mine else None,
    ).order_by("-updated_at", "-id")
    page = paginate(qs, request.GET.get("page"), request.GET.get("size"))
    path = reverse("campaigns:campaign_list")

    def query(number: int) -> str:
        extra: dict[str, Any] = {"page": number if number > 1 else None}
        if page.size != 50:
            extra["size"] = page.size
        return query_string({**params, **extra})

    context = {
        "nav": "campaigns",
        "params": params,
        "page": page,
        "page_sizes": PAGE_SIZES,
        "pager": pager_links(path, page, query),  # type: ignore[arg-type]
        "clients": list(visible_clients(user).order_by("name")),
        "kinds": CampaignKind.choices,
        "statuses": CampaignStatus.choices,
        "selected_kinds": kinds,
        "selected_statuses": statuses,
        "is_viewer": user.role == Role.CLIENT_VIEWER,
    }
    return render_results(
        request, "campaigns/campaign_list.html", context, with_query(path, query(page.number))
    )


@gated(None)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        # Sanitised on write; once more on display, for rows written by other
        # means (a data migration, a script).
        "body": mark_safe(services.sanitise_body(campaign.body)),
        "team": list(campaign.team.order_by("username")),
        "attachments": list(campaign.attachments.all()),
        "can_edit": services.can_edit(request.user, campaign),
        "can_delete": services.can_delete(request.user),
        "attachment_form": AttachmentForm(),
        "max_size": services.attachment_max_bytes(),
    }
    return render(request, "campaigns/campaign_detail.html", context)


def _form_page(request: HttpRequest, form: CampaignForm, campaign: Campaign | None):
    context = {"nav": "campaigns", "form": form, "campaign": campaign}
    return render(request, "campaigns/campaign_form.html", context)


@gated(Cap.EDIT_CAMPAIGNS, WRITE)
def campaign_create(request: HttpRequest) -> HttpResponse:
    clients = list(visible_clients(request.user).order_by("name"))
    if request.method == "POST":
        form = CampaignForm(request.POST, actor=request.user, clients=clients)
        if form.is_valid() and (campaign := form.save()) is not None:
            messages.success(request, _("Campaign created."))
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
        return _form_page(request, form, None)
    initial = {}
    client_id = _int(request.GET.get("client"))
    if client_id:
        initial["client_id"] = str(client_id)
        client = next((c for c in clients if c.pk == client_id), None)
        if client is not None:
            initial["language"] = client.language
    form = CampaignForm(actor=request.user, clients=clients, initial=initial)
    if "manager" not in form.initial:
        form.initial["manager"] = request.user.username
    return _form_page(request, form, None)


@gated(Cap.EDIT_CAMPAIGNS, WRITE)
def campaign_edit(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    services.require_edit(request.user, campaign)
    clients = list(visible_clients(request.user).order_by("name"))
    if request.method == "POST":
        form = CampaignForm(request.POST, actor=request.user, campaign=campaign, clients=clients)
        if form.is_valid() and form.save() is not None:
            messages.success(request, _("Changes saved."))
            return redirect("campaigns:campaign_detail", pk=campaign.pk)
        return _form_page(request, form, campaign)
    form = CampaignForm(actor=request.user, campaign=campaign, clients=clients)
    return _form_page(request, form, campaign)


@gated(Cap.EDIT_ALL_CAMPAIGNS, WRITE)
def campaign_delete(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    error = ""
    if request.method == "POST":
        title = campaign.title
        try:
            services.delete_campaign(request.user, campaign)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("%(name)s was deleted.") % {"name": title})
            return redirect("campaigns:campaign_list")
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "error": error,
        "attachment_count": campaign.attachments.count(),
    }
    return render(request, "campaigns/campaign_delete.html", context)


# --- The media kit ------------------------------------------------------------------


def _kit_url(campaign: Campaign) -> str:
    return reverse("campaigns:campaign_detail", args=[campaign.pk]) + "#attachments"


@gated(Cap.EDIT_CAMPAIGNS, POST)
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        for field_errors in form.errors.values():
            for message in field_errors:
                messages.error(request, message)
        return redirect(_kit_url(campaign))
    upload = form.cleaned_data["file"]
    try:
        attachment = services.add_attachment(
            request.user, campaign, upload, form.cleaned_data.get("title") or ""
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, format_html("{}: {}", upload.name, message))
    else:
        messages.success(request, _("%(name)s was added.") % {"name": attachment.filename})
    return redirect(_kit_url(campaign))


def _attachment(request: HttpRequest, pk: int, attachment_id: int) -> CampaignAttachment:
    campaign = _campaign(request, pk)
    return get_object_or_404(
        CampaignAttachment.objects.select_related("campaign"), pk=attachment_id, campaign=campaign
    )


@gated(None)
def attachment_download(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = _attachment(request, pk, attachment_id)
    try:
        stream = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    # Served as a download with the type the content was checked to be:
    # never rendered in the page's origin.
    return FileResponse(
        stream,
        as_attachment=True,
        filename=attachment.filename,
        content_type=attachment.content_type,
    )


@gated(Cap.EDIT_CAMPAIGNS, POST)
def attachment_delete(request: HttpRequest, pk: int, attachment_id: int) -> HttpResponse:
    attachment = _attachment(request, pk, attachment_id)
    campaign = attachment.campaign
    services.delete_attachment(request.user, attachment)
    messages.success(request, _("%(name)s was deleted.") % {"name": attachment.filename})
    return redirect(_kit_url(campaign))
