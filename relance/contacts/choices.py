"""What the contacts page offers in its filters from the data itself: the
countries and regions of the outlets, and the beats.

Reading them scans every outlet (tens of thousands in a big base) on each
full page, so they are cached for a while; writes that add outlets or beats
call `forget()` so a new choice shows at once.
"""

from __future__ import annotations

from typing import Any

from django.core.cache import cache

from relance.contacts.models import Beat, Outlet

KEY = "contacts:filter-choices"
TIMEOUT = 600


def _read() -> dict[str, Any]:
    return {
        "countries": list(
            Outlet.objects.order_by("country").values_list("country", flat=True).distinct()
        ),
        "regions": list(
            Outlet.objects.exclude(region="")
            .order_by("region")
            .values_list("region", flat=True)
            .distinct()
        ),
        "beat_names": list(Beat.objects.order_by("name").values_list("name", flat=True)),
    }


def filter_choices() -> dict[str, Any]:
    return cache.get_or_set(KEY, _read, TIMEOUT) or _read()


def forget() -> None:
    cache.delete(KEY)
