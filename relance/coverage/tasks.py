"""Background monitoring: the worker polls the due feeds every few minutes
(enqueued by db_worker's watcher, see docs/coverage.md)."""

from __future__ import annotations

from django.tasks import task

from relance.coverage import services


@task()
def poll_feeds() -> dict[str, int]:
    """Poll every due feed; returns counts by feed outcome and by entry
    outcome. Running it twice at once is harmless: each feed is claimed
    before it is polled, and articles are keyed by canonical URL."""
    results = services.poll_due_feeds()
    counts: dict[str, int] = {"feeds": len(results)}
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
        for item in result.items:
            counts[f"items_{item.status}"] = counts.get(f"items_{item.status}", 0) + 1
    return counts
