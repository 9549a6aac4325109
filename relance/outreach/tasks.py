"""Background sending: tasks take outbox row ids and are enqueued on commit
(`relance.outreach.services.queue_campaign`)."""

from __future__ import annotations

from django.conf import settings
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


@task()
def ingest_imap() -> dict[str, int]:
    """Read the campaign mailbox named by RELANCE_INBOUND_IMAP_URL (its
    unseen messages); nothing when the setting is empty. The worker runs it
    every few minutes (see the db_worker command)."""
    from collections import Counter

    from relance.outreach import inbound
    from relance.outreach.mailboxes import parse_imap_url

    if not settings.INBOUND_IMAP_URL:
        return {}
    outcomes = inbound.ingest_imap(parse_imap_url(settings.INBOUND_IMAP_URL))
    return dict(Counter(o.effect for o in outcomes))
