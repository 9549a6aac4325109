"""The contact read limits of roles without export rights, as the API
applies them (the policy itself: relance.contacts.services.reads).

Through the API, a `page_size` above the limit is lowered (the answer says
so in its `page_size`), `next` stops at the last page the role may read, a
deeper `page` answers 403 asking to refine the search, and a spent hourly
budget answers 429 with `Retry-After`.
"""

from __future__ import annotations

from relance.accounts.models import User
from relance.api.errors import QuotaExceeded
from relance.contacts.services import reads


def contact_page(actor: User, page: int, page_size: int) -> tuple[int, int | None]:
    """(page size to use, last page this actor may read or None)."""
    size, last = reads.page_limits(actor, page_size)
    if last is not None and page > last:
        raise reads.too_deep()
    return size, last


def charge_contact_reads(actor: User, count: int) -> None:
    try:
        reads.charge_contact_reads(actor, count)
    except reads.ReadBudgetExceeded as exc:
        raise QuotaExceeded(exc.message, retry_after=exc.retry_after) from None
