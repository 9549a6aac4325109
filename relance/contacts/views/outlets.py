"""Outlets (médias) and their shows: list, page, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from relance.accounts.models import Language
from relance.accounts.permissions import Cap
from relance.contacts.forms import COMMON_TIMEZONES, OutletForm, ShowForm
from relance.contacts.models import Contact, Outlet, OutletKind, Periodicity, Show
from relance.contacts.rows import table_rows
from relance.contacts.search import (
    DEFAULT_PAGE_SIZE,
    PAGE_SIZES,
    ContactFilters,
    paginate,
    search_outlets,
    search_page,
)
from relance.contacts.services import outlets as outlet_services
from relance.contacts.services import reads
from relance.contacts.views.common import (
    media_view,
    pager_links,
    query_string,
    readable_page,
    render_results,
    with_query,
)
from relance.contacts.views.contacts import count_display, plain_columns

OUTLET_FILTERS = ("q", "kind", "periodicity", "country", "region", "language", "sort")
OUTLET_CONTACTS_PER_PAGE = 25


def _outlet_params(request) -> dict:
    """The outlet search as typed, minus empty values, for links."""
    params = {}
    for key in OUTLET_FILTERS:
        values = [v for v in request.GET.getlist(key) if v.strip()]
        if values:
            params[key] = values if key in ("kind", "periodicity") else values[0]
    return params


@media_view()
def outlet_list(request):
    path = reverse("contacts:outlet_list")
    params = _outlet_params(request)
    page = paginate(
        search_outlets(request.user, request.GET), request.GET.get("page"), request.GET.get("size")
    )
    ids = [o.pk for o in page.items]
    # Counted for the page shown only: counting for 30,000 outlets at once
    # would make every page slow.
    counts = dict(
        Contact.objects.filter(outlet_id__in=ids, erased_at__isnull=True)
        .values("outlet_id")
        .annotate(n=Count("id"))
        .values_list("outlet_id", "n")
    )
    for outlet in page.items:
        outlet.contact_count = counts.get(outlet.pk, 0)

    def query(number: int) -> str:
        extra = {"page": number if number > 1 else None}
        if page.size != DEFAULT_PAGE_SIZE:
            extra["size"] = page.size
        return query_string({**params, **extra})

    context = {
        "nav": "outlets",
        "params": params,
        "page": page,
        "count_display": count_display(page),
        "page_sizes": PAGE_SIZES,
        "pager": pager_links(path, page, query),
        "kinds": OutletKind.choices,
        "periodicities": Periodicity.choices,
        "languages": Language.choices,
        "selected_kinds": params.get("kind", []),
        "selected_periodicities": params.get("periodicity", []),
    }
    if not request.htmx:
        context["countries"] = list(
            Outlet.objects.order_by("country").values_list("country", flat=True).distinct()
        )
        context["regions"] = list(
            Outlet.objects.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        )
    return render_results(
        request, "contacts/outlet_list.html", context, with_query(path, query(page.number))
    )


@media_view()
def outlet_detail(request, pk: int):
    outlet = get_object_or_404(Outlet, pk=pk)
    filters = ContactFilters(outlet=str(outlet.pk))
    number, size, readable = readable_page(
        request, request.GET.get("page"), OUTLET_CONTACTS_PER_PAGE
    )
    contacts = search_page(request.user, filters, number, size, prepare=table_rows)
    reads.charge_contact_reads(request.user, len(contacts.items))
    path = reverse("contacts:outlet_detail", args=[outlet.pk])
    context = {
        "nav": "outlets",
        "outlet": outlet,
        "shows": list(outlet.shows.annotate(n=Count("contacts")).order_by("name")),
        "page": contacts,
        "pager": pager_links(path, contacts, lambda n: f"page={n}" if n > 1 else "", readable),
        "columns": plain_columns(),
        "contacts_url": with_query(
            reverse("contacts:contact_list"), query_string({"outlet": outlet.pk})
        ),
        "show_form": ShowForm(),
        "today": timezone.localdate(),
    }
    return render(request, "contacts/outlet_detail.html", context)


def _outlet_form_page(request, form: OutletForm, outlet: Outlet | None):
    return render(
        request,
        "contacts/outlet_form.html",
        {"nav": "outlets", "form": form, "outlet": outlet, "timezones": COMMON_TIMEZONES},
    )


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def outlet_create(request):
    if request.method == "POST":
        form = OutletForm(request.POST)
        if form.is_valid() and (outlet := form.save(request.user)) is not None:
            messages.success(request, _("Outlet created."))
            return redirect("contacts:outlet_detail", pk=outlet.pk)
        return _outlet_form_page(request, form, None)
    return _outlet_form_page(request, OutletForm(), None)


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def outlet_edit(request, pk: int):
    outlet = get_object_or_404(Outlet, pk=pk)
    if request.method == "POST":
        form = OutletForm(request.POST, outlet=outlet)
        if form.is_valid() and form.save(request.user) is not None:
            messages.success(request, _("Changes saved."))
            return redirect("contacts:outlet_detail", pk=outlet.pk)
        return _outlet_form_page(request, form, outlet)
    return _outlet_form_page(request, OutletForm(outlet=outlet), outlet)


@media_view(Cap.DELETE_MEDIA, methods=("GET", "HEAD", "POST"))
def outlet_delete(request, pk: int):
    outlet = get_object_or_404(Outlet, pk=pk)
    if request.method == "POST":
        name = outlet.name
        outlet_services.delete_outlet(request.user, outlet)
        messages.success(request, _("%(name)s was deleted.") % {"name": name})
        return redirect("contacts:outlet_list")
    context = {
        "nav": "outlets",
        "outlet": outlet,
        "contact_count": outlet.contacts.filter(erased_at__isnull=True).count(),
        "show_count": outlet.shows.count(),
    }
    return render(request, "contacts/outlet_delete.html", context)


# --- Shows ---------------------------------------------------------------------


def _show_form_page(request, form: ShowForm, outlet: Outlet, show: Show | None):
    context = {"nav": "outlets", "form": form, "outlet": outlet, "show": show}
    return render(request, "contacts/show_form.html", context)


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def show_create(request, pk: int):
    outlet = get_object_or_404(Outlet, pk=pk)
    if request.method == "POST":
        form = ShowForm(request.POST)
        if form.is_valid() and form.save(request.user, outlet) is not None:
            messages.success(request, _("Show added."))
            return redirect(reverse("contacts:outlet_detail", args=[outlet.pk]) + "#shows")
        return _show_form_page(request, form, outlet, None)
    return _show_form_page(request, ShowForm(), outlet, None)


@media_view(Cap.EDIT_MEDIA, methods=("GET", "HEAD", "POST"))
def show_edit(request, pk: int):
    show = get_object_or_404(Show.objects.select_related("outlet"), pk=pk)
    if request.method == "POST":
        form = ShowForm(request.POST, show=show)
        if form.is_valid() and form.save(request.user, show.outlet) is not None:
            messages.success(request, _("Changes saved."))
            return redirect(reverse("contacts:outlet_detail", args=[show.outlet_id]) + "#shows")
        return _show_form_page(request, form, show.outlet, show)
    return _show_form_page(request, ShowForm(show=show), show.outlet, show)


@media_view(Cap.DELETE_MEDIA, methods=("GET", "HEAD", "POST"))
def show_delete(request, pk: int):
    show = get_object_or_404(Show.objects.select_related("outlet"), pk=pk)
    if request.method == "POST":
        outlet_id = show.outlet_id
        outlet_services.delete_show(request.user, show)
        messages.success(request, _("%(name)s was deleted.") % {"name": show.name})
        return redirect(reverse("contacts:outlet_detail", args=[outlet_id]) + "#shows")
    context = {
        "nav": "outlets",
        "show": show,
        "outlet": show.outlet,
        "contact_count": show.contacts.filter(erased_at__isnull=True).count(),
    }
    return render(request, "contacts/show_delete.html", context)
