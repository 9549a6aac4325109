"""Media lists (fichiers): static lists and saved searches."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Language
from relance.accounts.permissions import Cap, has
from relance.contacts.forms import MediaListForm
from relance.contacts.models import ContactRole, ListKind, MediaList, OutletKind, Periodicity
from relance.contacts.rows import table_rows
from relance.contacts.search import ContactFilters, paginate, search_contacts
from relance.contacts.services import lists as list_services
from relance.contacts.services import reads
from relance.contacts.views.common import (
    contact_query,
    media_view,
    messages_of,
    pager_links,
    query_string,
    readable_page,
    render_results,
    with_query,
)
from relance.contacts.views.contacts import count_display, plain_columns

# A saved search's size is its search re-run; on the index it is counted up
# to this many only, so a page of lists stays fast on a million contacts.
INDEX_COUNT_CAP = 1_000
LISTS_PER_PAGE = 50


def describe_filters(filters: ContactFilters) -> list[str]:
    """A saved search in words: ["Search: énergie", "Role: Journalist"…]."""
    choices = {
        "role": dict(ContactRole.choices),
        "kind": dict(OutletKind.choices),
        "periodicity": dict(Periodicity.choices),
    }
    labels = {
        "q": _("Search"),
        "role": _("Role"),
        "kind": _("Outlet kind"),
        "periodicity": _("Periodicity"),
        "country": _("Country"),
        "region": _("Region"),
        "language": _("Language"),
        "beat": _("Beat"),
        "owner": _("Known by"),
        "opted_out": _("Opted out"),
        "outlet": _("Outlet"),
        "vip": _("VIP"),
    }
    words = {"yes": _("yes"), "no": _("no")}
    lines = []
    for key, label in labels.items():
        value = getattr(filters, key)
        if not value:
            continue
        if isinstance(value, list):
            text = ", ".join(str(choices.get(key, {}).get(v, v)) for v in value)
        elif key == "language":
            text = str(dict(Language.choices).get(value, value))
        else:
            text = str(words.get(value, value))
        lines.append(f"{label}: {text}")
    return lines


@media_view()
def list_index(request):
    qs = MediaList.objects.select_related("client").annotate(member_count=Count("medialistmember"))
    page = paginate(qs.order_by("name"), request.GET.get("page"), LISTS_PER_PAGE)
    for media_list in page.items:
        if media_list.kind == ListKind.SMART:
            found = (
                search_contacts(request.user, ContactFilters.from_params(media_list.filters))
                .order_by()[: INDEX_COUNT_CAP + 1]
                .count()
            )
            media_list.member_count = min(found, INDEX_COUNT_CAP)
            media_list.count_capped = found > INDEX_COUNT_CAP
    path = reverse("contacts:list_index")
    context = {
        "nav": "lists",
        "page": page,
        "pager": pager_links(path, page, lambda n: f"page={n}" if n > 1 else ""),
    }
    return render(request, "contacts/list_index.html", context)


def _form_page(request, form: MediaListForm, media_list: MediaList | None, search: str = ""):
    filters = ContactFilters.from_params(_query_dict(search))
    context = {
        "nav": "lists",
        "form": form,
        "media_list": media_list,
        "search_summary": describe_filters(filters),
        "search_url": with_query(reverse("contacts:contact_list"), search),
    }
    return render(request, "contacts/list_form.html", context)


def _query_dict(query: str):
    from django.http import QueryDict

    return QueryDict(query or "")


@media_view(Cap.MANAGE_LISTS, methods=("GET", "HEAD", "POST"))
def list_create(request):
    if request.method == "POST":
        form = MediaListForm(request.POST)
        if form.is_valid() and (media_list := form.save(request.user)) is not None:
            messages.success(request, _("List created."))
            return redirect("contacts:list_detail", pk=media_list.pk)
        return _form_page(request, form, None, request.POST.get("search", ""))
    # From the contacts page: ?kind=smart&search=<the search's query string>.
    search = contact_query(ContactFilters.from_params(_query_dict(request.GET.get("search", ""))))
    kind = ListKind.SMART if request.GET.get("kind") == ListKind.SMART else ListKind.STATIC
    form = MediaListForm(initial={"kind": kind, "search": search})
    return _form_page(request, form, None, search)


@media_view()
def list_detail(request, pk: int):
    media_list = get_object_or_404(MediaList.objects.select_related("client", "created_by"), pk=pk)
    path = reverse("contacts:list_detail", args=[media_list.pk])
    # A saved search is re-run now: contacts added since it was saved appear.
    qs = list_services.list_contacts(request.user, media_list)
    number, size, readable = readable_page(
        request, request.GET.get("page"), request.GET.get("size")
    )
    page = paginate(qs.only("pk"), number, size)
    page.items = table_rows(qs.filter(pk__in=[c.pk for c in page.items]))
    reads.charge_contact_reads(request.user, len(page.items))

    def query(number: int) -> str:
        return query_string(
            {"page": number if number > 1 else None, "size": request.GET.get("size")}
        )

    smart = media_list.kind == ListKind.SMART
    filters = ContactFilters.from_params(media_list.filters) if smart else None
    search = contact_query(filters) if filters else query_string({"list": media_list.pk})
    context = {
        "nav": "lists",
        "media_list": media_list,
        "page": page,
        "count_display": count_display(page),
        "pager": pager_links(path, page, query, readable),
        "columns": plain_columns(),
        "today": timezone.localdate(),
        "selectable": not smart and has(request.user, Cap.MANAGE_LISTS),
        "search_summary": describe_filters(filters) if filters else [],
        "search_url": with_query(reverse("contacts:contact_list"), search),
        "export_query": search,
    }
    return render_results(
        request, "contacts/list_detail.html", context, with_query(path, query(page.number))
    )


@media_view(Cap.MANAGE_LISTS, methods=("GET", "HEAD", "POST"))
def list_edit(request, pk: int):
    media_list = get_object_or_404(MediaList, pk=pk)
    if request.method == "POST":
        form = MediaListForm(request.POST, media_list=media_list)
        if form.is_valid() and form.save(request.user) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:list_detail", pk=media_list.pk)
        return _form_page(request, form, media_list)
    return _form_page(request, MediaListForm(media_list=media_list), media_list)


@media_view(Cap.MANAGE_LISTS, methods=("GET", "HEAD", "POST"))
def list_delete(request, pk: int):
    media_list = get_object_or_404(MediaList, pk=pk)
    list_services.require_deletable(request.user, media_list)
    if request.method == "POST":
        name = media_list.name
        list_services.delete_list(request.user, media_list)
        messages.success(request, _("The list “%(name)s” was deleted.") % {"name": name})
        return redirect("contacts:list_index")
    return render(request, "contacts/list_delete.html", {"nav": "lists", "media_list": media_list})


@media_view(Cap.MANAGE_LISTS, methods=("POST",))
def list_remove_members(request, pk: int):
    media_list = get_object_or_404(MediaList, pk=pk)
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    back = reverse("contacts:list_detail", args=[media_list.pk])
    if not ids:
        messages.warning(request, _("Select at least one contact."))
        return redirect(back)
    try:
        removed = list_services.remove_members(request.user, media_list, ids)
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    else:
        messages.success(
            request,
            _("%(count)d contact(s) removed from “%(list)s”.")
            % {"count": removed, "list": media_list.name},
        )
    return redirect(back)
