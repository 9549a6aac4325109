"""Pages of results with a capped count.

Counting a million rows for a number nobody reads costs more than the page
itself, so results are counted up to COUNT_CAP and shown as "10,000+" beyond.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

COUNT_CAP = 10_000
PAGE_SIZES = (25, 50, 100, 200)  # offered in the pages' menus
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200


@dataclass
class Page:
    items: list[Any]
    number: int
    size: int
    count: int  # counted up to a cap (+1)
    capped: bool  # True: there are more than `count` - 1 results

    @property
    def has_next(self) -> bool:
        return self.number * self.size < self.count

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def shown_count(self) -> int:
        """The count to print: the exact number, or the cap when capped."""
        return self.count - 1 if self.capped else self.count

    @property
    def last(self) -> int | None:
        return None if self.capped else max(1, -(-self.count // self.size))

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.size + len(self.items)


@dataclass
class Bounds:
    number: int
    size: int
    offset: int
    capped: bool


def page_bounds(
    page: Any, size: Any, count: int, cap: int = COUNT_CAP, clamp: bool = True
) -> Bounds:
    """Page number and size read from user input. `count` was counted up to
    `cap` + 1. Pages for people are `clamp`ed to what exists (a page past the
    end shows the last one); the API answers an empty page instead, so that a
    script following `next` stops."""
    try:
        size = int(size)
    except (TypeError, ValueError, OverflowError):
        size = DEFAULT_PAGE_SIZE
    size = size if 1 <= size <= MAX_PAGE_SIZE else DEFAULT_PAGE_SIZE
    try:
        number = max(1, int(page))
    except (TypeError, ValueError, OverflowError):
        number = 1
    capped = count > cap
    if not clamp:
        return Bounds(number=number, size=size, offset=(number - 1) * size, capped=capped)
    if not capped:
        number = min(number, max(1, -(-count // size)))
    # Deep pages of a capped count stop at ten times the cap: nobody pages that
    # far, and an OFFSET of millions would read millions of rows.
    number = min(number, max(1, cap * 10 // size))
    return Bounds(number=number, size=size, offset=(number - 1) * size, capped=capped)


def paginate(
    qs: QuerySet, page: Any = 1, size: Any = DEFAULT_PAGE_SIZE, count: int | None = None
) -> Page:
    """One page and a capped count, in two queries (one if `count` is known)."""
    if count is None:
        count = qs.order_by()[: COUNT_CAP + 1].count()
    bounds = page_bounds(page, size, count)
    items = list(qs[bounds.offset : bounds.offset + bounds.size])
    return Page(items, bounds.number, bounds.size, count, bounds.capped)
