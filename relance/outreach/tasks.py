"""Background sending: tasks take outbox row ids and are enqueued on commit
(`relance.outreach.services.queue_campaign`)."""

from __future__ import annotations

from django.tasks import task

from relance.outreach import sending


@task()
def send_outbox(ids: list[int]) -> dict[str, int]:
    """Claim and send these outbox rows; rows already taken, paused or not
    yet due are left alone, so running this twice is harmless."""
    return sending.send_batch(ids)


@task()
def recover_outbox() -> dict[str, int]:
    return sending.recover()
