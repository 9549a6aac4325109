"""How much of the contact database a role without export rights may read
through the API.

The issue: "Interns cannot export or bulk-download contacts … enforced in
services and API". Exporting is `Cap.EXPORT_CONTACTS`, which interns and
community managers lack (DESIGN.md §7: exports of the whole database are
reserved to roles allowed to make them). They still need the API for their
daily work: look a journalist up, read the twenty names of a call list, fix a
phone number. What they must not be able to do is script the API into an
export. The decision, for every role without `Cap.EXPORT_CONTACTS`:

1. Pages of contacts hold at most 25 results (`page_size` above that is
   lowered to 25; the answer says so in its `page_size`).
2. Only the first 100 results of any search or list can be read (four pages):
   `next` stops there and a deeper `page` answers 403 asking to refine the
   search. Someone looking for a person or working through a call list never
   goes that deep; someone paging through everything hits it at once.
3. Contact records read — in lists and one by one, since walking ids is the
   other way to copy a database — count against a budget per hour
   (`RELANCE_API_CONTACT_READS_PER_HOUR` in settings, default 500: a busy
   hour of calls reads well under a hundred). Over it, the API answers 429
   with `Retry-After`.

Roles with the capability (directors, managers, press officers) are not
limited: they may export the whole database anyway.

The budget is counted in Django's cache. With the default per-process cache
each web process counts on its own; a production set-up with several
processes should point CACHES at a shared cache to make it exact.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from relance.accounts.models import User
from relance.accounts.permissions import Cap, has
from relance.api.errors import QuotaExceeded

RESTRICTED_PAGE_SIZE = 25
RESTRICTED_MAX_RESULTS = 100
DEFAULT_READS_PER_HOUR = 500


def restricted(actor: User) -> bool:
    return not has(actor, Cap.EXPORT_CONTACTS)


def contact_page(actor: User, page: int, page_size: int) -> tuple[int, int | None]:
    """(page size to use, last page this actor may read or None)."""
    if not restricted(actor):
        return page_size, None
    size = min(page_size, RESTRICTED_PAGE_SIZE)
    last = -(-RESTRICTED_MAX_RESULTS // size)
    if page > last:
        raise PermissionDenied(
            _(
                "Your role can read the first %(limit)d results of a search; refine the"
                " search (exports are made by a manager)."
            )
            % {"limit": RESTRICTED_MAX_RESULTS}
        )
    return size, last


def charge_contact_reads(actor: User, count: int) -> None:
    """Count `count` contact records read by `actor`; 429 over the budget."""
    if count <= 0 or not restricted(actor):
        return
    budget = int(getattr(settings, "RELANCE_API_CONTACT_READS_PER_HOUR", DEFAULT_READS_PER_HOUR))
    now = int(time.time())
    hour = now // 3600
    key = f"relance:api:contact-reads:{actor.pk}:{hour}"
    cache.add(key, 0, timeout=3600 + 60)
    try:
        total = cache.incr(key, count)
    except ValueError:  # expired between add and incr
        cache.set(key, count, timeout=3600 + 60)
        total = count
    if total > budget:
        raise QuotaExceeded(
            _(
                "Your role may read %(budget)d contacts an hour through the API; ask a"
                " manager for an export."
            )
            % {"budget": budget},
            retry_after=(hour + 1) * 3600 - now,
        )
