"""Background work of the media database: running an import from the page.

Tasks take ids, not objects, and are enqueued on commit
(`transaction.on_commit(lambda: run_import.enqueue(job.pk))`).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connection
from django.tasks import task
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from relance.contacts.importing import import_contacts
from relance.contacts.models import ImportJob, ImportState

logger = logging.getLogger(__name__)
PROGRESS_EVERY = 0.5  # seconds between two progress writes (the page polls every 500 ms)


@task()
def run_import(job_id: int) -> dict[str, Any]:
    """Run one ImportJob. Claimed atomically (queued -> running), so a job
    enqueued twice, or picked by two workers, runs once."""
    claimed = ImportJob.objects.filter(pk=job_id, state=ImportState.QUEUED).update(
        state=ImportState.RUNNING, processed_rows=0
    )
    if not claimed:
        return {"job": job_id, "ran": False}
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    user = job.created_by
    last = 0.0

    def progress(phase: str, done: int, total: int) -> None:
        # The import's writes happen in one transaction that others cannot
        # see until it commits; progress is written outside it: the rows
        # checked, then the "writing" phase (the page shows a moving bar).
        nonlocal last
        now = time.monotonic()
        if connection.in_atomic_block or (now - last < PROGRESS_EVERY and done < total):
            return
        last = now
        processed = job.total_rows * done // total if total else 0
        if phase == "writing":
            processed = job.total_rows
        # "at" is the heartbeat the progress page uses to spot a worker that died.
        ImportJob.objects.filter(pk=job_id).update(
            processed_rows=processed, report={"phase": phase, "at": timezone.now().isoformat()}
        )

    try:
        with translation.override(getattr(user, "language", None) or "fr"):
            with job.file.open("rb") as handle:
                data = handle.read()
            result = import_contacts(
                user,
                data,
                filename=job.filename,
                format=job.format or "auto",
                mapping=job.mapping,
                on_duplicate=job.on_duplicate,
                progress=progress,
            )
            report = result.as_dict()
    except Exception as exc:  # never leave a job "running" forever
        logger.exception("import job %s failed", job_id)
        with translation.override(getattr(user, "language", None) or "fr"):
            message = _("The import stopped unexpectedly; nothing was written (%(error)s).") % {
                "error": exc.__class__.__name__
            }
        report = {
            "ok": False,
            "errors": [{"row": None, "column": "", "field": "", "message": message, "line": None}],
        }
    ok = bool(report.get("ok"))
    ImportJob.objects.filter(pk=job_id).update(
        state=ImportState.DONE if ok else ImportState.FAILED,
        processed_rows=job.total_rows,
        report=report,
        finished_at=timezone.now(),
    )
    if ok:
        # The uploaded file is a copy of personal data with no further use
        # once imported (GDPR: keep no more than needed); the report stays.
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job_id).update(file="")
    return {"job": job_id, "ran": True, "ok": ok}
