"""The history recorded before interactions existed, as interactions: the
sends of the outbox and those made outside Relance, first opens, RSVPs and
what the campaign mailbox brought back. Keys make it safe to run on a
database that already has some."""

from django.db import migrations

BATCH = 2000

_OUTCOME_OF_EFFECT = {
    "hard_bounce": "bounced",
    "soft_bounce": "soft_bounce",
    "paused": "auto_reply",
    "auto_reply": "auto_reply",
    "replied": "replied",
    "opted_out": "unsubscribed",
}


def _flush(Interaction, rows):
    if rows:
        Interaction.objects.bulk_create(rows, ignore_conflicts=True, batch_size=BATCH)
        rows.clear()


def backfill(apps, schema_editor):
    Interaction = apps.get_model("interactions", "Interaction")
    Outbox = apps.get_model("outreach", "OutboxMessage")
    Recipient = apps.get_model("campaigns", "Recipient")
    Inbound = apps.get_model("outreach", "InboundMessage")
    rows = []

    def add(**values):
        values.setdefault("channel", "email")
        values.setdefault("notes", "")
        values.setdefault("details", {})
        rows.append(Interaction(**values))
        if len(rows) >= BATCH:
            _flush(Interaction, rows)

    sent = Outbox.objects.filter(sent_at__isnull=False).values_list(
        "pk", "attempts", "contact_id", "campaign_id", "queued_by_id", "sent_at"
    )
    for pk, attempts, contact_id, campaign_id, user_id, at in sent.iterator(BATCH):
        add(
            key=f"sent:{pk}:{attempts}",
            contact_id=contact_id,
            campaign_id=campaign_id,
            user_id=user_id,
            direction="out",
            outcome="sent",
            at=at,
        )
    recipients = Recipient.objects.values_list(
        "pk",
        "campaign_id",
        "contact_id",
        "added_by_id",
        "sent_at",
        "opened_at",
        "rsvp",
        "rsvp_at",
        "guests",
        "outbox__pk",
    )
    for (
        pk,
        campaign_id,
        contact_id,
        user_id,
        sent_at,
        opened_at,
        rsvp,
        rsvp_at,
        guests,
        outbox_id,
    ) in recipients.iterator(BATCH):
        common = {"contact_id": contact_id, "campaign_id": campaign_id}
        if sent_at is not None and outbox_id is None:
            add(
                key=f"outside:{campaign_id}:{contact_id}",
                user_id=user_id,
                direction="out",
                outcome="sent",
                at=sent_at,
                details={"outside": True},
                **common,
            )
        if opened_at is not None and outbox_id is not None:
            add(key=f"open:{outbox_id}", direction="in", outcome="opened", at=opened_at, **common)
        if rsvp and rsvp_at is not None:
            add(
                key=f"rsvp:{pk}",
                direction="in",
                outcome=f"rsvp_{rsvp}",
                at=rsvp_at,
                details={"guests": guests},
                **common,
            )
    inbound = Inbound.objects.filter(contact_id__isnull=False).values_list(
        "pk", "contact_id", "campaign_id", "effect", "recipient", "reason", "return_date",
        "summary", "received_at",
    )
    for pk, contact_id, campaign_id, effect, address, reason, back, text, at in inbound.iterator(
        BATCH
    ):
        outcome = _OUTCOME_OF_EFFECT.get(effect)
        if outcome is None:
            continue
        details = {}
        if outcome in ("bounced", "soft_bounce", "unsubscribed"):
            details = {"address": address, "reason": reason}
        elif back:
            details = {"return_date": back.isoformat()}
        add(
            key=f"inbound:{pk}",
            contact_id=contact_id,
            campaign_id=campaign_id,
            direction="in",
            outcome=outcome,
            at=at,
            notes=text[:5000],
            details=details,
        )
    _flush(Interaction, rows)


class Migration(migrations.Migration):
    dependencies = [
        ("interactions", "0001_initial"),
        ("outreach", "0003_tracked_links"),
        ("campaigns", "0003_tracking_rsvp_event_end"),
    ]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
