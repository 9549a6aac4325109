"""How much of the contact database a role without export rights may read,
through the pages and through the API alike.

The issue: "Interns cannot export or bulk-download contacts … enforced in
services and API". Exporting is `Cap.EXPORT_CONTACTS`, which interns and
community managers lack (DESIGN.md §7: exports of the whole database are
reserved to roles allowed to make them). They still need to read contacts
for their daily work: look a journalist up, read the twenty names of a call
list, fix a phone number. What they must not be able to do is page or script
their way through the whole database. For every role without
`Cap.EXPORT_CONTACTS`:

1. Pages of contacts hold at most 25 results.
2. Only the first 100 results of any search or list can be read (four
   pages). Someone looking for a person or working through a call list never
   goes that deep; someone paging through everything hits it at once.
3. Contact records read — in lists and one by one, since walking ids is the
   other way to copy a database — count against one budget per person and
   per hour, shared by the pages and the API
   (`RELANCE_API_CONTACT_READS_PER_HOUR`, default 500: a busy hour of calls
   reads well under a hundred). Over it, reading stops until the hour ends.

Roles with the capability (directors, managers, press officers) are not
limited: they may export the whole database anyway.

The budget is counted in Django's cache: with several web processes, point
CACHES at a shared cache to make it exact (the default file cache is shared
by the processes of one machine).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, has

RESTRICTED_PAGE_SIZE = 25
RESTRICTED_MAX_RESULTS = 100


class ReadBudgetExceeded(PermissionDenied):
    """The hourly budget of contact reads is spent; `retry_after` seconds
    until the next hour."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def restricted(actor: User | None) -> bool:
    return not has(actor, Cap.EXPORT_CONTACTS)


def page_limits(actor: User | None, page_size: int) -> tuple[int, int | None]:
    """(page size to use, last page number this actor may read, or None)."""
    if not restricted(actor):
        return page_size, None
    size = max(1, min(page_size, RESTRICTED_PAGE_SIZE))
    return size, -(-RESTRICTED_MAX_RESULTS // size)


def too_deep() -> PermissionDenied:
    return PermissionDenied(
        _(
            "Your role can read the first %(limit)d results of a search; refine the"
            " search (exports are made by a manager)."
        )
        % {"limit": RESTRICTED_MAX_RESULTS}
    )


def charge_contact_reads(actor: User | None, count: int) -> None:
    """Count `count` contact records read by `actor`; ReadBudgetExceeded
    over the budget."""
    if actor is None or count <= 0 or not restricted(actor):
        return
    budget = int(settings.RELANCE_API_CONTACT_READS_PER_HOUR)
    now = int(time.time())
    hour = now // 3600
    key = f"relance:contact-reads:{actor.pk}:{hour}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        total = cache.incr(key, count)
    except ValueError:  # expired between add and incr
        cache.set(key, count, timeout=3600 + 60)
        total = count
    if total > budget:
        raise ReadBudgetExceeded(
            _(
                "Your role may read %(budget)d contacts an hour; ask a manager for an"
                " export, or come back in %(minutes)d minutes."
            )
            % {"budget": budget, "minutes": max(1, ((hour + 1) * 3600 - now) // 60)},
            retry_after=(hour + 1) * 3600 - now,
        )
