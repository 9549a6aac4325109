"""Personal data requests about one person: access (everything we hold, as
JSON) and erasure. Both are recorded in the audit trail by the services."""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from relance.accounts.permissions import Cap
from relance.contacts.services import gdpr
from relance.contacts.views.common import media_view
from relance.contacts.views.contact_pages import _contact


@media_view(Cap.EXPORT_CONTACTS, methods=("POST",))
def export_person(request, pk: int):
    """A download, but a POST: it is an access request, and it is logged."""
    contact = _contact(pk, editable=True)
    data = gdpr.export_person(request.user, contact)
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="contact-{contact.pk}.json"'
    return response


@media_view(Cap.ERASE_PERSONAL_DATA, methods=("GET", "HEAD", "POST"))
def erase_person(request, pk: int):
    contact = _contact(pk, editable=True)
    if request.method == "POST":
        gdpr.erase_person(request.user, contact)
        messages.success(request, _("The person's data was erased."))
        return redirect("contacts:contact_detail", pk=contact.pk)
    return render(request, "contacts/contact_erase.html", {"nav": "contacts", "contact": contact})
