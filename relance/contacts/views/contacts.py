"""The contacts page: search, filters, sort, paging and bulk list actions.

The URL is the state: `ContactFilters.from_params(request.GET)` reads it, and
every link on the page (sort headers, pages, page size) is built from the
canonical form of the same state, so a bookmarked or shared address shows the
same results. htmx requests get only the results block.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.accounts.models import Language
from relance.accounts.permissions import Cap, has
from relance.contacts.choices import filter_choices
from relance.contacts.forms import team_members
from relance.contacts.models import (
    ContactRole,
    ListKind,
    MediaList,
    OutletKind,
    Periodicity,
)
from relance.contacts.rows import table_rows
from relance.contacts.search import (
    PAGE_SIZES,
    ContactFilters,
    Page,
    search_contacts,
    search_page,
)
from relance.contacts.services import lists as list_services
from relance.contacts.services import reads
from relance.contacts.views.common import (
    contact_query,
    media_view,
    messages_of,
    pager_links,
    readable_page,
    render_results,
    with_query,
)

# The table's columns: (label, sort when first clicked, sort when clicked again).
# Names and outlets read A→Z first; "updated" shows the newest first.
COLUMNS = (
    (gettext_lazy("Name"), "name", "-name"),
    (gettext_lazy("Role"), "role", None),
    (gettext_lazy("Outlet"), "outlet", "-outlet"),
    (gettext_lazy("Beats"), None, None),
    (gettext_lazy("E-mail and phone"), None, None),
    (gettext_lazy("Language"), None, None),
    (gettext_lazy("Who knows them"), None, None),
    (gettext_lazy("Updated"), "-updated", "updated"),
)


def sort_columns(path: str, filters: ContactFilters, size: int) -> list[dict]:
    columns = []
    for label, first, second in COLUMNS:
        column: dict = {"label": label}
        if first:
            current = filters.sort
            active = current in (first, second)
            target = second if (active and current == first and second) else first
            column["url"] = with_query(path, contact_query(filters, sort=target, size=size))
            if active:
                ascending = current in ("name", "role", "outlet", "updated")
                column["aria_sort"] = "ascending" if ascending else "descending"
        columns.append(column)
    return columns


def count_display(page: Page) -> str:
    """ "1,234", or "1,000+" when counting stopped at the search's cap (the
    page counted one more than the cap: that one is not shown)."""
    if page.capped:
        return f"{intcomma(page.count - 1)}+"
    return intcomma(page.count)


def plain_columns() -> list[dict]:
    """The same columns, not sortable (outlet and list pages)."""
    return [{"label": label} for label, _first, _second in COLUMNS]


def results_context(request, filters: ContactFilters) -> dict:
    """What the results block needs; the same queries whatever the page size."""
    path = reverse("contacts:contact_list")
    number, size, readable = readable_page(
        request, request.GET.get("page"), request.GET.get("size")
    )
    page = search_page(request.user, filters, number, size, prepare=table_rows)
    reads.charge_contact_reads(request.user, len(page.items))
    from relance.followups.services import pressure

    # "called 2× this week by the agency", "being called now by …": two
    # queries for the page, whatever its size.
    pressures = pressure([row.pk for row in page.items])
    query = contact_query(filters)
    # Static lists: targets of the bulk actions and choices of the list filter.
    static_lists = list(MediaList.objects.filter(kind=ListKind.STATIC).only("pk", "name"))
    return {
        "filters": filters,
        "page": page,
        "count_display": count_display(page),
        "page_sizes": PAGE_SIZES,
        "columns": sort_columns(path, filters, page.size),
        "pager": pager_links(
            path, page, lambda n: contact_query(filters, size=page.size, page=n), readable
        ),
        # The search alone (no paging), for bulk actions, exports and smart lists.
        "query": query,
        "state_url": with_query(path, contact_query(filters, size=page.size, page=page.number)),
        "static_lists": static_lists,
        "today": timezone.localdate(),
        "pressure": {pk: p.label for pk, p in pressures.items() if p.label},
        "selectable": bool(static_lists) and has(request.user, Cap.MANAGE_LISTS),
    }


def filter_options() -> dict:
    """Choices of the filter form (full page only: htmx swaps keep the form)."""
    return {
        "roles": ContactRole.choices,
        "kinds": OutletKind.choices,
        "periodicities": Periodicity.choices,
        "languages": Language.choices,
        **filter_choices(),
        "owners": list(team_members().only("pk", "username", "first_name", "last_name")),
    }


@media_view()
def contact_list(request):
    filters = ContactFilters.from_params(request.GET)
    context = results_context(request, filters)
    context["nav"] = "contacts"
    if not request.htmx:
        context.update(filter_options())
    return render_results(request, "contacts/contact_list.html", context, context["state_url"])


@media_view(Cap.MANAGE_LISTS, methods=("POST",))
def contact_bulk(request):
    """Add the selected contacts (or every result of the search) to a static
    list, or remove them from it; back to the same search."""
    query = request.POST.get("query", "")
    back = with_query(reverse("contacts:contact_list"), query)
    list_id = request.POST.get("list", "")
    if not list_id.isdigit():
        messages.error(request, _("Choose a list first."))
        return redirect(back)
    media_list = get_object_or_404(MediaList, pk=int(list_id))
    action = request.POST.get("action")
    everything = request.POST.get("all_results") == "1"
    ids = [int(i) for i in request.POST.getlist("ids") if i.isdigit()]
    if not everything and not ids:
        messages.warning(request, _("Select at least one contact."))
        return redirect(back)
    filters = ContactFilters.from_params(QueryDict(query))
    try:
        if action == "add":
            if everything:
                added = list_services.add_search_results(request.user, media_list, filters)
            else:
                added = list_services.add_members(request.user, media_list, ids)
            messages.success(
                request,
                _("%(count)d contact(s) added to “%(list)s”.")
                % {"count": added, "list": media_list.name},
            )
        elif action == "remove":
            if everything:
                ids = list(
                    search_contacts(request.user, filters).order_by().values_list("pk", flat=True)
                )
            removed = list_services.remove_members(request.user, media_list, ids)
            messages.success(
                request,
                _("%(count)d contact(s) removed from “%(list)s”.")
                % {"count": removed, "list": media_list.name},
            )
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        messages.error(request, messages_of(exc))
    return redirect(back)
