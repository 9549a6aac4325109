"""The worker's watcher enqueues the periodic work: every task it names
exists and runs (tasks run at once under the test settings)."""

from __future__ import annotations

import logging

import pytest

from relance.outreach.management.commands import db_worker


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "period", "what"), [*db_worker.PERIODIC, db_worker.IMAP_TASK])
def test_each_periodic_task_is_enqueued_without_error(path, period, what, caplog, settings):
    settings.INBOUND_IMAP_URL = ""  # the mailbox task must cope with no mailbox
    with caplog.at_level(logging.ERROR, logger=db_worker.logger.name):
        db_worker._enqueue(path, what)
    assert not caplog.records, [r.getMessage() for r in caplog.records]
    assert period >= 60
