"""Paging API lists: the same capped count as the pages
(`relance.contacts.search.COUNT_CAP`), any page size from 1 to 200, and
absolute `next`/`previous` links a client can follow until `next` is null.

`relance.contacts.search.paginate` serves the HTML pages: it only knows the
page sizes offered in their menu (25, 50, 100, 200) and clamps a page past the
end back to the last one. A script asking for `page_size=10` must get 10, and
a loop asking for the page after the last must get an empty page rather than
the last page again (or it never ends), hence this small variant over the
same `Page` and `COUNT_CAP`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Schema
from pydantic import Field

from relance.contacts.search import COUNT_CAP, DEFAULT_PAGE_SIZE, Page

MAX_PAGE_SIZE = 200
# Deep enough for any real use (200 x 100,000 = 20 million rows) while keeping
# OFFSET within what both databases accept.
MAX_PAGE = 100_000


class PageQuery(Schema):
    page: int = Field(default=1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    page_size: int = Field(
        default=DEFAULT_PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE, description="Results per page (1–200)."
    )


@dataclass
class ApiPage(Page):
    more: bool = False  # a row exists after this page (read, not inferred from the count)


def paginate(qs: QuerySet[Any], page: int, size: int, count: int | None = None) -> ApiPage:
    """One page and a count capped at COUNT_CAP + 1, in two queries (one when
    the caller knows the count). One row more than the page is read, so `next`
    is right even past the capped count."""
    if count is None:
        count = qs.order_by()[: COUNT_CAP + 1].count()
    offset = (page - 1) * size
    items = list(qs[offset : offset + size + 1])
    more = len(items) > size
    return ApiPage(
        items=items[:size], number=page, size=size, count=count, capped=count > COUNT_CAP, more=more
    )


def _link(request: HttpRequest, page: int, size: int) -> str:
    params = request.GET.copy()
    params["page"] = str(page)
    params["page_size"] = str(size)
    return request.build_absolute_uri(f"{request.path}?{params.urlencode()}")


def envelope(
    request: HttpRequest, page: ApiPage, results: list[Any], *, last_page: int | None = None
) -> dict[str, Any]:
    """The paginated answer. `last_page` stops `next` early for callers who
    may not read further (see `limits`)."""
    has_next = page.more and (last_page is None or page.number < last_page)
    return {
        "count": page.shown_count,
        "count_capped": page.capped,
        "page": page.number,
        "page_size": page.size,
        "next": _link(request, page.number + 1, page.size) if has_next else None,
        "previous": _link(request, page.number - 1, page.size) if page.number > 1 else None,
        "results": results,
    }


def page_of(request: HttpRequest, qs: QuerySet[Any], query: PageQuery) -> dict[str, Any]:
    """Paginate a queryset whose rows the response schema reads directly."""
    page = paginate(qs, query.page, query.page_size)
    return envelope(request, page, page.items)
