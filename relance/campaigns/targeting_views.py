"""The targeting page: proposals with reasons and warnings, adding contacts
or a media list, the current recipients. A thin caller of
`relance.campaigns.recipients`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relance.accounts.permissions import Cap
from relance.campaigns import recipients, services, targeting
from relance.campaigns.views import WRITE, _campaign, _int, gated
from relance.contacts.models import MediaList


def _report(request: HttpRequest, result: recipients.AddResult) -> None:
    messages.success(
        request,
        ngettext("%(n)d recipient added.", "%(n)d recipients added.", len(result.added))
        % {"n": len(result.added)},
    )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(n)d was already on the campaign.",
                "%(n)d were already on the campaign.",
                len(result.already),
            )
            % {"n": len(result.already)},
        )
    for code, ids in sorted(result.refused.items()):
        messages.warning(
            request,
            _("%(n)d not added: %(reason)s.")
            % {"n": len(ids), "reason": targeting.warning_label(code)},
        )


@gated(Cap.EDIT_CAMPAIGNS, WRITE)
def targeting_page(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign(request, pk)
    services.require_edit(request.user, campaign)
    if request.method == "POST":
        action = request.POST.get("action")
        ids = [i for i in (_int(v) for v in request.POST.getlist("contact")) if i]
        try:
            if action == "add":
                result = recipients.add_recipients(
                    request.user,
                    campaign,
                    ids,
                    allow_recent=request.POST.get("allow_recent") == "1",
                )
                _report(request, result)
            elif action == "add_list":
                list_id = _int(request.POST.get("list"))
                if list_id:
                    result = recipients.add_recipients(request.user, campaign, list_id=list_id)
                    _report(request, result)
            elif action == "remove":
                removed = recipients.remove_recipients(request.user, campaign, ids)
                messages.success(
                    request,
                    ngettext("%(n)d recipient removed.", "%(n)d recipients removed.", removed)
                    % {"n": removed},
                )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        return redirect("campaigns:targeting", pk=campaign.pk)
    proposals = recipients.propose(request.user, campaign)
    current = list(
        campaign.recipients.select_related("contact", "contact__outlet").order_by(
            "-score", "contact__last_name", "contact__first_name", "id"
        )[:1000]
    )
    totals = recipients.totals(campaign)
    context = {
        "nav": "campaigns",
        "campaign": campaign,
        "proposals": proposals,
        "current": current,
        "totals": totals,
        "excluded": [
            (targeting.warning_label(code), n) for code, n in sorted(totals["excluded"].items())
        ],
        "lists": list(MediaList.objects.order_by("name").values("id", "name")[:500]),
        "can_override": recipients.can_override_recent(request.user, campaign),
        "terms": recipients.terms_of(campaign),
    }
    return render(request, "campaigns/targeting.html", context)
