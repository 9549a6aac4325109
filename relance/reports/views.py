"""The campaign report as a page and as a PDF, for the team and for the
client's own viewers (the client portal): `_campaign` answers 404 for
another client's campaign."""

from __future__ import annotations

from datetime import date, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import slugify

from relance.accounts.services import visible_clients
from relance.campaigns.views import READ, _campaign, gated
from relance.reports import report


@gated(None, READ)
def campaign_report(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    return HttpResponse(report.campaign_html(campaign))


@gated(None, READ)
def campaign_report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    response = HttpResponse(report.campaign_pdf(campaign), content_type="application/pdf")
    name = slugify(campaign.title)[:60] or f"campaign-{campaign.pk}"
    response["Content-Disposition"] = f'inline; filename="{name}.pdf"'
    return response


def _period(request: HttpRequest) -> tuple[date, date]:
    """?from=&to= (YYYY-MM-DD); by default the last 90 days. A bad date is
    the default, said on the page rather than refused."""
    today = timezone.localdate()
    try:
        start = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        start = today - timedelta(days=90)
    try:
        end = date.fromisoformat(request.GET.get("to", ""))
    except ValueError:
        end = today
    return (start, end) if start <= end else (end, start)


@gated(None, READ)
def client_report(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_object_or_404(visible_clients(request.user), pk=pk)
    start, end = _period(request)
    if request.GET.get("format") == "pdf":
        response = HttpResponse(
            report.client_pdf(client, start, end), content_type="application/pdf"
        )
        name = slugify(client.name)[:60] or f"client-{client.pk}"
        response["Content-Disposition"] = f'inline; filename="{name}-{start}-{end}.pdf"'
        return response
    return HttpResponse(report.client_html(client, start, end))
