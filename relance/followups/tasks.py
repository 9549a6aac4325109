"""Background re-planning: the worker writes every active campaign's plan
every half hour (db_worker's watcher), so "My calls today" follows the new
day, new sends and answers that arrived by mail."""

from __future__ import annotations

from django.tasks import task

from relance.followups import services


@task()
def refresh_plans() -> int:
    """Write the plan of every active campaign; returns how many. Running it
    twice at once is harmless: claimed and done rows are never touched."""
    return services.refresh_all()
