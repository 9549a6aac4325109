"""`relance db_worker`: django-tasks-db's worker, plus the outbox's recovery.

When it starts, and then every minute (or every SENDING_TIMEOUT_SECONDS if
shorter) in a background thread, rows a dead worker left 'sending' become
'uncertain' (or queued again if they were never started), and queued rows
whose task was lost get one again (relance.outreach.sending.recover).
Every half hour it enqueues the re-writing of the follow-up plans
(relance.followups.tasks.refresh_plans). With RELANCE_INBOUND_IMAP_URL set,
it also enqueues the reading of the
campaign mailbox every five minutes (relance.outreach.tasks.ingest_imap;
running it twice at once is harmless: inbound messages are keyed).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django_tasks_db.management.commands.db_worker import Command as WorkerCommand

from relance.outreach import sending

logger = logging.getLogger(__name__)


IMAP_EVERY = 300.0
# Follow-up plans are re-written this often (relance.followups.tasks).
PLANS_EVERY = 1800.0


def _watch(stop: threading.Event, every: float) -> None:
    last_imap = 0.0
    last_plans = 0.0
    while not stop.wait(every):
        if time.monotonic() - last_plans >= PLANS_EVERY:
            last_plans = time.monotonic()
            try:
                from relance.followups.tasks import refresh_plans

                refresh_plans.enqueue()
            except Exception:
                logger.exception("could not enqueue the follow-up plans")
            finally:
                close_old_connections()
        try:
            sending.mark_stale()
        except Exception:  # the next round tries again; sending goes on
            logger.exception("outbox recovery failed")
        finally:
            close_old_connections()
        if settings.INBOUND_IMAP_URL and time.monotonic() - last_imap >= IMAP_EVERY:
            last_imap = time.monotonic()
            try:
                from relance.outreach.tasks import ingest_imap

                ingest_imap.enqueue()
            except Exception:
                logger.exception("could not enqueue the mailbox reading")
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
