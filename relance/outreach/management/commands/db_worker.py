"""`relance db_worker`: django-tasks-db's worker, plus the outbox's recovery.

When it starts, and then every minute (or every SENDING_TIMEOUT_SECONDS if
shorter) in a background thread, rows a dead worker left 'sending' become
'uncertain' (or queued again if they were never started), and queued rows
whose task was lost get one again (relance.outreach.sending.recover).
Every half hour it enqueues the re-writing of the follow-up plans
(relance.followups.tasks.refresh_plans), every five minutes the polling of
the due feeds (relance.coverage.tasks.poll_feeds) and, with
RELANCE_INBOUND_IMAP_URL set, the reading of the campaign mailbox
(relance.outreach.tasks.ingest_imap). See PERIODIC.
"""

from __future__ import annotations

import logging
import threading
import time
from importlib import import_module
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from relance.outreach import sending

logger = logging.getLogger(__name__)


# Periodic work the watcher enqueues: (task, every seconds, what it is).
# Each is harmless run twice at once (plans are re-computed, feeds claimed,
# inbound messages keyed), so a second worker's watcher does no harm.
PERIODIC = [
    ("relance.followups.tasks.refresh_plans", 1800.0, "the follow-up plans"),
    ("relance.coverage.tasks.poll_feeds", 300.0, "the feeds"),
]
IMAP_TASK = ("relance.outreach.tasks.ingest_imap", 300.0, "the mailbox reading")


def _enqueue(path: str, what: str) -> None:
    module, name = path.rsplit(".", 1)
    try:
        getattr(import_module(module), name).enqueue()
    except Exception:
        logger.exception("could not enqueue %s", what)
    finally:
        close_old_connections()


def _watch(stop: threading.Event, every: float) -> None:
    last: dict[str, float] = {}
    while not stop.wait(every):
        periodic = [*PERIODIC, *([IMAP_TASK] if settings.INBOUND_IMAP_URL else [])]
        for path, period, what in periodic:
            if time.monotonic() - last.get(path, 0.0) >= period:
                last[path] = time.monotonic()
                _enqueue(path, what)
        try:
            sending.mark_stale()
        except Exception:  # the next round tries again; sending goes on
            logger.exception("outbox recovery failed")
        finally:
            close_old_connections()


class Command(WorkerCommand):
    help = WorkerCommand.help + " Recovers the campaign outbox on start and every minute."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            sending.recover()
        except DatabaseError:  # not migrated yet, database away: tasks will say so
            logger.exception("outbox recovery failed at start")
        finally:
            close_old_connections()
        stop = threading.Event()
        every = float(min(60, settings.SENDING_TIMEOUT_SECONDS))
        watcher = threading.Thread(target=_watch, args=(stop, every), daemon=True)
        watcher.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
