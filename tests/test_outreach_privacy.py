"""A person's export holds the campaigns they were targeted by, the
messages sent to them and the mail received from them; erasing the person
blanks those and stops what was still waiting to be sent."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from relance.campaigns.models import RecipientState
from relance.contacts.services.gdpr import erase_person, export_person
from relance.outreach.models import InboundMessage, OutboxMessage, OutboxState

from .factories import campaign, contact, recipients

pytestmark = pytest.mark.django_db


@pytest.fixture
def claire(cast):
    m = cast["manager"]
    person = contact(m, "Dubois", emails=["claire@courrier.example"])
    now = timezone.now()
    first, second = campaign(m, "Parc éolien"), campaign(m, "Salon de l'auto")
    rows = []
    for brief, state in ((first, OutboxState.SENT), (second, OutboxState.QUEUED)):
        (rec,) = recipients(m, brief, [person])
        rec.state = RecipientState.SENT if state == OutboxState.SENT else RecipientState.QUEUED
        rec.sent_at = now if state == OutboxState.SENT else None
        rec.save()
        rows.append(
            OutboxMessage.objects.create(
                campaign=brief,
                recipient=rec,
                contact=person,
                to_address="claire@courrier.example",
                language="fr",
                message_id=f"<{brief.pk}.1@agence.example>",
                state=state,
                next_attempt_at=now,
                sent_at=now if state == OutboxState.SENT else None,
            )
        )
    InboundMessage.objects.create(
        key="<reply-1@courrier.example>",
        kind="reply",
        outbox=rows[0],
        campaign=first,
        contact=person,
        sender="claire@courrier.example",
        subject="Re: Parc éolien",
        summary="Je viendrai jeudi.",
        received_at=now,
    )
    return person


def test_the_export_holds_campaigns_messages_and_replies(cast, claire):
    data = export_person(cast["director"], claire)
    json.dumps(data)  # what the page downloads
    assert [c["campaign"] for c in data["campaigns"]] == ["Parc éolien", "Salon de l'auto"]
    assert [m["state"] for m in data["campaign_messages"]] == ["sent", "queued"]
    assert data["campaign_messages"][0]["address"] == "claire@courrier.example"
    assert data["received_messages"][0]["text"] == "Je viendrai jeudi."


def test_erasure_blanks_messages_and_stops_waiting_ones(cast, claire):
    erase_person(cast["director"], claire)
    rows = OutboxMessage.objects.filter(contact=claire).order_by("id")
    assert [r.to_address for r in rows] == ["", ""]
    assert [r.state for r in rows] == [OutboxState.SENT, OutboxState.SKIPPED]
    reply = InboundMessage.objects.get(contact=claire)
    assert (reply.sender, reply.subject, reply.summary) == ("", "", "")
    assert reply.kind == "reply"  # the campaign still counts a reply
    data = export_person(cast["director"], claire)
    assert "claire" not in json.dumps(data).lower()
