"""What every media database page shares: the permission gate, list state in
the URL, and rendering a whole page or only its results for htmx."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django_htmx.http import push_url

from relance.accounts.permissions import Cap, require
from relance.contacts.search import DEFAULT_PAGE_SIZE, ContactFilters, Page
from relance.contacts.services import reads
from relance.lib.paging import page_bounds


def media_view(cap: Cap = Cap.VIEW_MEDIA, *, methods: tuple[str, ...] = ("GET", "HEAD")):
    """Login, then the capability (PermissionDenied -> 403 page), then the
    HTTP method. The services check the capability again: this only gives a
    clean 403 before any work is done."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, cap)
            try:
                return view(request, *args, **kwargs)
            except reads.ReadBudgetExceeded as exc:
                response = render(request, "429.html", {"message": exc.message}, status=429)
                response["Retry-After"] = str(exc.retry_after)
                return response

        if methods == ("POST",):
            checked = require_POST(gated)
        else:
            checked = require_http_methods(list(methods))(gated)
        return login_required(checked)

    return decorate


def wants_partial(request: HttpRequest) -> bool:
    """An htmx request for the results only (a boosted link wants the page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted


def render_results(
    request: HttpRequest, template: str, context: dict[str, Any], canonical_url: str
) -> HttpResponse:
    """The whole page, or only its `results` partial for htmx, with the
    address bar set to the canonical URL of the state shown (so it can be
    bookmarked, shared and reloaded into the same page)."""
    if wants_partial(request):
        response = render(request, f"{template}#results", context)
        return push_url(response, canonical_url)
    return render(request, template, context)


def query_string(params: Mapping[str, Any]) -> str:
    return urlencode({k: v for k, v in params.items() if v not in ("", None, [])}, doseq=True)


def contact_query(filters: ContactFilters, **extra: Any) -> str:
    """The canonical query string of a contacts search; defaults left out."""
    params: dict[str, Any] = filters.to_params()
    if extra.get("size") and extra["size"] != DEFAULT_PAGE_SIZE:
        params["size"] = extra["size"]
    if extra.get("page") and extra["page"] > 1:
        params["page"] = extra["page"]
    if "sort" in extra:
        params["sort"] = extra["sort"]
        if params["sort"] == "name":
            del params["sort"]
    return query_string(params)


def with_query(path: str, query: str) -> str:
    return f"{path}?{query}" if query else path


def pager_links(
    path: str, page: Page, make_query: Callable[[int], str], readable: int | None = None
) -> dict[str, str]:
    """Links to the other pages; none past the last page the user may read
    (`readable`, see reads.page_limits), with the reason instead."""
    links = {}
    if page.has_previous:
        links["previous"] = with_query(path, make_query(page.number - 1))
        links["first"] = with_query(path, make_query(1))
    if page.has_next and readable is not None and page.number >= readable:
        links["limit"] = str(reads.too_deep().args[0])
    elif page.has_next:
        links["next"] = with_query(path, make_query(page.number + 1))
        if page.last and (readable is None or page.last <= readable):
            links["last"] = with_query(path, make_query(page.last))
    return links


def readable_page(request: HttpRequest, page: Any, size: Any) -> tuple[int, int, int | None]:
    """(page number, page size, last readable page or None) for this user:
    roles without export rights read small pages, and no further than the
    first results of a search (relance.contacts.services.reads)."""
    wanted = page_bounds(page, size, 0, clamp=False)
    size, last = reads.page_limits(request.user, wanted.size)
    number = wanted.number if last is None else min(wanted.number, last)
    return number, size, last


def messages_of(exc: ValidationError) -> str:
    return " ".join(exc.messages) or _("Invalid value.")
