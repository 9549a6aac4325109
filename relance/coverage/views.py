"""Coverage pages: the review queue, a campaign's coverage, adding coverage
by hand, from an address or a file. Thin callers of `relance.coverage.items`,
which checks who may do what."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.permissions import Cap, has
from relance.accounts.services import visible_clients
from relance.campaigns.views import POST, READ, WRITE, _campaign, _int, gated
from relance.contacts.views.common import pager_links, query_string, with_query
from relance.coverage import items
from relance.coverage.models import CoverageSource, CoverageStatus, Medium, Tone
from relance.lib.paging import paginate

REVIEW_PAGE = 25


@gated(Cap.EDIT_COVERAGE, READ)
def review_queue(request: HttpRequest) -> HttpResponse:
    """What monitoring found, best first, with the passages that matched."""
    queue = items.visible_coverage(request.user).filter(status=CoverageStatus.CANDIDATE)
    params: dict[str, Any] = {}
    client_id = _int(request.GET.get("client"))
    if client_id:
        queue = queue.filter(client_id=client_id)
        params["client"] = client_id
    campaign_id = _int(request.GET.get("campaign"))
    if campaign_id:
        queue = queue.filter(campaign_id=campaign_id)
        params["campaign"] = campaign_id
    page = paginate(
        queue.order_by("-score", "-published_at", "pk"), request.GET.get("page"), REVIEW_PAGE
    )
    path = reverse("coverage:review")
    context = {
        "nav": "coverage",
        "page": page,
        "pager": pager_links(path, page, lambda n: query_string({**params, "page": n})),
        "back": query_string({**params, "page": page.number}),
        "clients": visible_clients(request.user),
        "params": params,
        "tones": Tone.choices,
        "threshold": items.threshold(),
    }
    return render(request, "coverage/review.html", context)


@gated(Cap.EDIT_COVERAGE, POST)
def review_item(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_object_or_404(items.visible_coverage(request.user), pk=pk)
    decision = request.POST.get("decision", "")
    error = ""
    try:
        item = items.review(
            request.user,
            item,
            decision,
            tone=request.POST.get("tone", "") if decision == CoverageStatus.CONFIRMED else None,
            key_messages=request.POST.getlist("key_messages")
            if decision == CoverageStatus.CONFIRMED
            else None,
        )
    except ValidationError as exc:
        error = " ".join(exc.messages)
        item.refresh_from_db()
    if request.htmx:  # type: ignore[attr-defined]
        # 200 even with an error: htmx swaps only successful answers, and
        # the row must say why the click did nothing.
        context = {"item": item, "tones": Tone.choices, "error": error, "done": not error}
        return render(request, "coverage/_candidate.html", context)
    if error:
        messages.error(request, error)
    return redirect(with_query(reverse("coverage:review"), request.POST.get("back", "")))


@gated(None, READ)
def campaign_coverage(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    coverage = items.visible_coverage(request.user).filter(campaign=campaign)
    counts = coverage.aggregate(
        confirmed=Count("pk", filter=Q(status=CoverageStatus.CONFIRMED)),
        candidates=Count("pk", filter=Q(status=CoverageStatus.CANDIDATE)),
    )
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "coverage": coverage.filter(status=CoverageStatus.CONFIRMED).order_by("-published_at"),
        "counts": counts,
        "can_edit": has(request.user, Cap.EDIT_COVERAGE),
    }
    return render(request, "coverage/campaign.html", context)


class CoverageForm(forms.Form):
    """The fields of coverage added by hand; `items.add` checks them."""

    client_id = forms.TypedChoiceField(label=gettext_lazy("Client"), coerce=int, required=False)
    campaign_id = forms.TypedChoiceField(label=gettext_lazy("Campaign"), coerce=int, required=False)
    url = forms.CharField(label=gettext_lazy("Address"), required=False, max_length=2000)
    title = forms.CharField(label=gettext_lazy("Title"), required=False, max_length=1000)
    outlet_name = forms.CharField(
        label=gettext_lazy("Outlet"),
        required=False,
        max_length=200,
        help_text=gettext_lazy("As in the media database when it is there."),
    )
    outlet_id = forms.CharField(widget=forms.HiddenInput, required=False)
    published_at = forms.CharField(
        label=gettext_lazy("Published"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    author = forms.CharField(label=gettext_lazy("Author"), required=False, max_length=300)
    medium = forms.ChoiceField(
        label=gettext_lazy("Medium"), required=False, choices=[("", "—"), *Medium.choices]
    )
    audience = forms.CharField(
        label=gettext_lazy("Audience"),
        required=False,
        help_text=gettext_lazy("Potential reach; the outlet's own figure when it is known."),
    )
    tone = forms.ChoiceField(
        label=gettext_lazy("Tone"), required=False, choices=[("", "—"), *Tone.choices]
    )
    key_messages = forms.MultipleChoiceField(
        label=gettext_lazy("Key messages present"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    summary = forms.CharField(
        label=gettext_lazy("Your summary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy(
            "In your own words: press clippings are copyrighted, so Relance keeps the link "
            "and your summary, not the article."
        ),
    )
    attachment = forms.FileField(label=gettext_lazy("Clipping or segment file"), required=False)
    rights_held = forms.BooleanField(
        label=gettext_lazy("The agency holds the rights to keep a copy"), required=False
    )

    def __init__(self, *args: Any, user: Any, campaign: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["client_id"].choices = [
            ("", "—"),
            *((c.pk, c.name) for c in visible_clients(user)),
        ]
        campaigns = items.Campaign.objects.filter(sent_at__isnull=False).order_by("-sent_at")[:200]
        self.fields["campaign_id"].choices = [("", "—"), *((c.pk, c.title) for c in campaigns)]
        messages_ = campaign.key_messages if campaign is not None else []
        self.fields["key_messages"].choices = [(m, m) for m in messages_]


@gated(Cap.EDIT_COVERAGE, WRITE)
def add_coverage(request: HttpRequest) -> HttpResponse:
    campaign = None
    campaign_id = _int(request.GET.get("campaign") or request.POST.get("campaign_id"))
    if campaign_id:
        campaign = _campaign(request, campaign_id)
    initial: dict[str, Any] = {}
    if campaign is not None:
        initial = {"campaign_id": campaign.pk, "client_id": campaign.client_id}
    if request.method == "POST" and request.POST.get("action") == "fetch":
        # Read the page first: the form comes back filled in, to check.
        data = request.POST.copy()
        form = CoverageForm(data, user=request.user, campaign=campaign)
        try:
            found = items.from_url(request.POST.get("url", ""))
        except ValidationError as exc:
            form.is_valid()
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            for name, value in found.items():
                if not data.get(name):
                    data[name] = value
            form = CoverageForm(
                initial={**initial, **data.dict()}, user=request.user, campaign=campaign
            )
        return render(
            request, "coverage/add.html", {"nav": "coverage", "form": form, "campaign": campaign}
        )
    if request.method == "POST":
        form = CoverageForm(request.POST, request.FILES, user=request.user, campaign=campaign)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "attachment"}
            upload = form.cleaned_data.get("attachment")
            source = (
                CoverageSource.FILE
                if upload
                else CoverageSource.URL
                if data.get("url")
                else CoverageSource.MANUAL
            )
            try:
                item = items.add(request.user, data, source=source, attachment=upload)
            except ValidationError as exc:
                for name, errors in exc.message_dict.items():
                    form.add_error(name if name in form.fields else None, errors)
            else:
                messages.success(request, _("Coverage added: %(title)s") % {"title": item.title})
                if item.campaign_id:
                    return redirect("coverage:campaign", pk=item.campaign_id)
                return redirect("coverage:review")
    else:
        form = CoverageForm(initial=initial, user=request.user, campaign=campaign)
    return render(
        request, "coverage/add.html", {"nav": "coverage", "form": form, "campaign": campaign}
    )


@gated(None, READ)
def attachment(request: HttpRequest, pk: int) -> HttpResponse:
    """A clipping's copy, for those who may see the item."""
    from django.http import FileResponse, Http404

    item = get_object_or_404(items.visible_coverage(request.user), pk=pk)
    if not item.attachment:
        raise Http404
    return FileResponse(item.attachment.open("rb"), as_attachment=True)


@gated(Cap.MANAGE_AGENCY, WRITE)
def settings_page(request: HttpRequest) -> HttpResponse:
    """The director's choices: advertising value equivalence (off unless
    switched on, with the agency's own rates), and the matching threshold
    the reviews have taught (shown, not edited)."""
    row = items.CoverageSettings.current()
    errors: dict[str, list[str]] = {}
    posted: dict[str, str] = {}
    if request.method == "POST":
        posted = {k: request.POST.get(k, "") for k in request.POST if k != "csrfmiddlewaretoken"}
        try:
            items.save_settings(request.user, posted)
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.success(request, _("Settings saved."))
            return redirect("coverage:settings")
    rates = [
        (
            value,
            label,
            posted.get(f"rate_{value}", row.ave_rates.get(value, "")),
            errors.get(f"rate_{value}", []),
        )
        for value, label in Medium.choices
    ]
    context = {
        "nav": "agency",
        "row": row,
        "rates": rates,
        "errors": errors,
        "enabled": (posted.get("ave_enabled") == "on") if posted else row.ave_enabled,
    }
    return render(request, "coverage/settings.html", context)
