"""One contact: its page, the create/edit form, deletion, the opt-out and
do-not-contact switches and the team's relationships with them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.permissions import Cap
from relance.audit import services as audit
from relance.contacts.forms import ContactForm, RelationshipForm
from relance.contacts.models import Beat, Contact, Outlet, Show
from relance.contacts.search import search_outlets
from relance.contacts.services import contacts as contact_services
from relance.contacts.services import reads
from relance.contacts.timeline import timeline
from relance.contacts.views.common import media_view, messages_of

OUTLET_MATCHES = 30


def _contact(pk: int, *, editable: bool = False) -> Contact:
    contact = get_object_or_404(
        Contact.objects.select_related("outlet", "show", "created_by"), pk=pk
    )
    if editable and contact.erased_at:
        raise Http404(_("This person's data was erased."))
    return contact


def _detail_context(request, contact: Contact, relationship_form=None) -> dict:
    from relance.followups.services import pressure

    relationships = list(contact.relationships.select_related("user"))
    return {
        "nav": "contacts",
        "contact": contact,
        "emails": list(contact.emails.all()),
        "phones": list(contact.phones.all()),
        "beats": list(contact.beats.all()),
        "social": sorted((contact.social or {}).items()),
        "relationships": relationships,
        "relationship_form": relationship_form or RelationshipForm(prefix="rel"),
        "lists": list(contact.lists.order_by("name")),
        "events": timeline(contact),
        "today": timezone.localdate(),
        "opted_out_by_journalist": contact.opted_out and contact.opted_out_source == "self",
        # How solicited they are by the whole agency: every client's calls.
        "pressure": pressure([contact.pk]).get(contact.pk),
    }


@media_view()
def contact_detail(request, pk: int):
    contact = _contact(pk)
    if contact.erased_at:
        # A tombstone: the row stays for statistics, the person is gone.
        erased = audit.history("contact", [contact.pk]).filter(action="erase").first()
        return render(
            request,
            "contacts/contact_erased.html",
            {"nav": "contacts", "contact": contact, "erasure": erased},
            status=410,
        )
    reads.charge_contact_reads(request.user, 1)
    return render(request, "contacts/contact_detail.html", _detail_context(request, contact))


# --- Create and edit -----------------------------------------------------------


def _outlet_options(request, query: str, selected: str) -> tuple[list[Outlet], str, int]:
    """Outlets offered in the form's select: the matches of a search (the
    first one chosen) and the current outlet. 30,000 outlets would not fit in
    a select, so it only ever holds a few. Returns (options, selected id,
    number of matches)."""
    matches: list[Outlet] = []
    if query.strip():
        matches = list(search_outlets(request.user, {"q": query})[:OUTLET_MATCHES])
    options = list(matches)
    if selected.isdigit() and not any(str(o.pk) == selected for o in options):
        current = Outlet.objects.filter(pk=int(selected)).first()
        if current is not None:
            options.insert(0, current)
        else:
            selected = ""
    if matches:
        selected = str(matches[0].pk)
    return options, selected, len(matches)


def _shows(outlet_id: str) -> list[Show]:
    if not outlet_id.isdigit():
        return []
    return list(Show.objects.filter(outlet_id=int(outlet_id)).order_by("name"))


def _form_page(request, form: ContactForm, contact: Contact | None, outlet_query: str = ""):
    selected = str(form["outlet_id"].value() or "")
    options, selected, match_count = _outlet_options(request, outlet_query, selected)
    context = {
        "matches": bool(outlet_query.strip()),
        "match_count": match_count,
        "nav": "contacts",
        "form": form,
        "contact": contact,
        "outlet_query": outlet_query,
        "outlet_options": options,
        "selected_outlet": selected,
        "shows": _shows(selected),
        "selected_show": str(form["show_id"].value() or ""),
        "beat_names": list(Beat.objects.order_by("name").values_list("name", flat=True)),
    }
    return render(request, "contacts/contact_form.html", context)


def _submit(request, contact: Contact | None):
    form = ContactForm(request.POST, contact=contact)
    if "_find_outlet" in request.POST:
        # Without JavaScript, "Find" re-displays the form with the matching
        # outlets; nothing is validated or saved yet.
        form._errors = ErrorDict()
        return _form_page(request, form, contact, request.POST.get("outlet_q", ""))
    if form.is_valid():
        saved = form.save(request.user)
        if saved is not None:
            messages.success(
                request,
                (_("Contact created.") if contact is None else _("Changes saved.")),
            )
            return redirect("contacts:contact_detail", pk=saved.pk)
    return _form_page(request, form, contact, request.POST.get("outlet_q", ""))


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def contact_create(request):
    if request.method == "POST":
        return _submit(request, None)
    initial = {"role": "journalist", "language": "fr", "accepts_phone": True}
    if (outlet := request.GET.get("outlet", "")).isdigit():
        initial["outlet_id"] = outlet
    initial["legal_basis"] = "legitimate_interest"
    return _form_page(request, ContactForm(initial=initial), None)


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def contact_edit(request, pk: int):
    contact = _contact(pk, editable=True)
    if request.method == "POST":
        return _submit(request, contact)
    return _form_page(request, ContactForm(contact=contact), contact)


@media_view()
def outlet_choices(request):
    """htmx: the outlet select of the contact form, filled with the outlets
    matching what was typed, and the show select of the first of them."""
    query = request.GET.get("outlet_q", "")
    options, selected, match_count = _outlet_options(
        request, query, request.GET.get("outlet_id", "")
    )
    return render(
        request,
        "contacts/includes/outlet_choice.html",
        {
            "outlet_options": options,
            "selected_outlet": selected,
            "shows": _shows(selected),
            "selected_show": "",
            "matches": bool(query.strip()),
            "match_count": match_count,
            "oob_shows": True,
        },
    )


@media_view()
def show_choices(request):
    """htmx: the show select for the outlet just chosen."""
    outlet_id = request.GET.get("outlet_id", "")
    return render(
        request,
        "contacts/includes/show_choice.html",
        {"shows": _shows(outlet_id), "selected_show": "", "selected_outlet": outlet_id},
    )


# --- Delete, switches, relationships ---------------------------------------------


@media_view(Cap.DELETE_MEDIA, methods=("GET", "HEAD", "POST"))
def contact_delete(request, pk: int):
    contact = _contact(pk, editable=True)
    if request.method == "POST":
        name = contact.full_name
        contact_services.delete_contact(request.user, contact)
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect("contacts:contact_list")
    return render(request, "contacts/contact_delete.html", {"nav": "contacts", "contact": contact})


FLAGS = ("opted_out", "do_not_contact", "vip")


@media_view(Cap.EDIT_MEDIA, methods=("POST",))
def contact_flag(request, pk: int):
    """Switch opted-out, do-not-contact or VIP on or off."""
    contact = _contact(pk, editable=True)
    flag = request.POST.get("flag", "")
    value = request.POST.get("value") == "1"
    if flag not in FLAGS:
        messages.error(request, _("Unknown setting."))
        return redirect("contacts:contact_detail", pk=contact.pk)
    try:
        if flag == "opted_out":
            contact_services.set_opt_out(request.user, contact, value)
        else:
            contact_services.update_contact(request.user, contact, {flag: value})
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(request, _("Saved."))
    return redirect("contacts:contact_detail", pk=contact.pk)


@media_view(Cap.EDIT_MEDIA, methods=("POST",))
def relationship_set(request, pk: int):
    contact = _contact(pk, editable=True)
    form = RelationshipForm(request.POST, prefix="rel")
    if form.is_valid() and form.save(request.user, contact) is not None:
        messages.success(request, _("Relationship saved."))
        return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#relationships")
    context = _detail_context(request, contact, relationship_form=form)
    return render(request, "contacts/contact_detail.html", context)


@media_view(Cap.EDIT_MEDIA, methods=("POST",))
def relationship_remove(request, pk: int, user_id: int):
    contact = _contact(pk, editable=True)
    relationship = get_object_or_404(contact.relationships.select_related("user"), user_id=user_id)
    contact_services.remove_relationship(request.user, contact, relationship.user)
    messages.success(request, _("Relationship removed."))
    return redirect(reverse("contacts:contact_detail", args=[contact.pk]) + "#relationships")
