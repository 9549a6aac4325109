"""The interactions log: what Relance records itself (sends through the
outbox and outside it, mailbox events), what the team records after the
fact through the API with its effects ("stop calling me" is final for every
campaign, an answer goes on the guest list), bad input by field, who may
read and delete, the contact's timeline, the personal-data export and
erasure, and the backfill of older history."""

# The fixtures imported from api_fixtures are, by design, parameter names.
# ruff: noqa: F811

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from relance.audit.models import AuditEntry
from relance.campaigns.models import Recipient
from relance.campaigns.recipients import add_recipients
from relance.contacts.models import Contact
from relance.contacts.services.gdpr import erase_person, export_person
from relance.interactions.models import Interaction

from .api_fixtures import api, media, tokens  # noqa: F401
from .factories import campaign, contact, message, recipients
from .test_outreach_sending import queue

pytestmark = pytest.mark.django_db


def call(api, who="officer", **body):
    return api(who).post("/interactions", body)


def test_each_message_sent_is_on_the_contacts_history(
    cast, smtpd, settings, tmp_path, django_capture_on_commit_callbacks, login
):
    settings.DATA_DIR = tmp_path
    m = cast["manager"]
    claire = contact(m, "Dubois", emails=["claire@courrier.example"])
    brief = campaign(m, "Salon de l'énergie", team=["officer"])
    recipients(m, brief, [claire])
    message(m, brief, "fr")
    queue(cast["officer"], brief, django_capture_on_commit_callbacks)
    (sent,) = Interaction.objects.filter(contact=claire)
    assert (sent.outcome, sent.channel, sent.direction) == ("sent", "email", "out")
    assert sent.campaign_id == brief.pk and sent.user == cast["officer"]
    assert sent.key is not None  # recorded by Relance, not deletable
    page = login("manager").get(reverse("contacts:contact_detail", args=[claire.pk]))
    assert "Sent “Salon de l&#x27;énergie”" in page.content.decode()


def test_a_send_made_outside_relance_is_recorded_once(cast, media):
    brief = campaign(cast["manager"], team=["officer"])
    when = timezone.now() - timedelta(days=1)
    for _ in range(2):
        add_recipients(cast["manager"], brief, [media.claire.pk], sent_at=when)
    (sent,) = Interaction.objects.filter(contact=media.claire)
    assert sent.outcome == "sent" and sent.details == {"outside": True} and sent.at == when


def test_a_call_is_recorded_after_the_fact_and_listed(api, media, cast):
    yesterday = (timezone.now() - timedelta(days=1)).replace(microsecond=0)
    response = call(
        api,
        contact_id=media.claire.pk,
        outcome="interested",
        at=yesterday.isoformat(),
        notes="Veut une interview jeudi",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "phone" and body["direction"] == "out"
    assert body["user"] == "officer" and body["recorded_by"] == "officer"
    assert body["recorded_by_relance"] is False
    listed = api("manager").get("/interactions", contact_id=media.claire.pk).json()
    assert [i["id"] for i in listed["results"]] == [body["id"]]
    assert api("manager").get("/interactions", channel="email").json()["results"] == []
    since = (yesterday + timedelta(hours=1)).isoformat()
    assert api("manager").get("/interactions", since=since).json()["results"] == []


def test_stop_calling_me_is_final_for_every_campaign(api, media):
    assert media.claire.accepts_phone
    response = call(api, "intern", contact_id=media.claire.pk, outcome="stop_calling")
    assert response.status_code == 201
    media.claire.refresh_from_db()
    assert media.claire.accepts_phone is False
    entry = AuditEntry.objects.filter(action="preferences", target_id=media.claire.pk).get()
    assert entry.changes["by"] == "journalist" and entry.actor.username == "intern"


def test_an_answer_given_on_the_phone_goes_on_the_guest_list(api, media, cast):
    event = campaign(
        cast["manager"],
        "Inauguration",
        kind="event",
        event_at=(timezone.now() + timedelta(days=5)).isoformat(),
        event_place="Lyon",
        team=["officer"],
    )
    Recipient.objects.create(campaign=event, contact=media.claire)
    response = call(api, contact_id=media.claire.pk, campaign_id=event.pk, outcome="will_attend")
    assert response.status_code == 201
    assert Recipient.objects.get(campaign=event).rsvp == "yes"
    release = campaign(cast["manager"], "Résultats", team=["officer"])
    refused = call(api, contact_id=media.claire.pk, campaign_id=release.pk, outcome="rsvp_yes")
    assert refused.status_code == 400 and "outcome" in refused.json()["errors"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"outcome": "interested"}, "contact_id"),
        ({"contact_id": 999_999, "outcome": "interested"}, "contact_id"),
        ({"outcome": "opened"}, "outcome"),  # Relance's own observation
        ({"outcome": "sent"}, "outcome"),
        ({"outcome": "maybe_later"}, "outcome"),
        ({"outcome": "interested", "channel": "fax"}, "channel"),
        ({"outcome": "interested", "at": "demain"}, "at"),
        ({"outcome": "interested", "at": "2099-01-01T10:00:00+01:00"}, "at"),
        ({"outcome": "interested", "campaign_id": 999_999}, "campaign_id"),
        ({"outcome": "interested", "user": "nobody"}, "user"),
        ({"outcome": "interested", "notes": "x" * 5001}, "notes"),
    ],
)
def test_bad_input_is_refused_by_field(api, media, body, field):
    if "contact_id" not in body and field != "contact_id":
        body = {"contact_id": media.claire.pk, **body}
    response = call(api, **body)
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not Interaction.objects.exists()


def test_only_account_managers_record_for_someone_else(api, media):
    mine = call(api, "officer", contact_id=media.claire.pk, outcome="note", user="intern")
    assert mine.status_code == 400 and "user" in mine.json()["errors"]
    theirs = call(api, "manager", contact_id=media.claire.pk, outcome="note", user="intern")
    assert theirs.status_code == 201 and theirs.json()["user"] == "intern"
    assert theirs.json()["recorded_by"] == "manager"


def test_who_may_delete(api, media, cast, smtpd, settings, tmp_path):
    entry = call(api, "intern", contact_id=media.claire.pk, outcome="no_answer").json()
    assert api("officer").delete(f"/interactions/{entry['id']}").status_code == 403
    assert api("intern").delete(f"/interactions/{entry['id']}").status_code == 204
    again = call(api, "intern", contact_id=media.claire.pk, outcome="no_answer").json()
    assert api("manager").delete(f"/interactions/{again['id']}").status_code == 204
    observed = Interaction.objects.create(
        key="open:1",
        contact=media.claire,
        channel="email",
        direction="in",
        outcome="opened",
        at=timezone.now(),
    )
    assert api("director").delete(f"/interactions/{observed.pk}").status_code == 403
    assert Interaction.objects.filter(pk=observed.pk).exists()


def test_a_client_viewer_reads_no_interactions(api, media):
    assert api("viewer").get("/interactions").status_code == 403


def test_the_timeline_shows_calls_and_replies(api, media, login):
    call(api, contact_id=media.claire.pk, outcome="send_material", notes="Le dossier en PDF")
    page = login("manager").get(reverse("contacts:contact_detail", args=[media.claire.pk]))
    html = page.content.decode()
    assert "Phone: Send me the material" in html and "Le dossier en PDF" in html


def test_export_and_erasure(api, media, cast):
    call(api, contact_id=media.claire.pk, outcome="interested", notes="Appeler sa cheffe")
    exported = export_person(cast["director"], media.claire)
    (row,) = exported["interactions"]
    assert row["outcome"] == "interested" and row["notes"] == "Appeler sa cheffe"
    Interaction.objects.create(
        key="inbound:1",
        contact=media.claire,
        channel="email",
        direction="in",
        outcome="bounced",
        at=timezone.now(),
        details={"address": "claire.dubois@courrier.example", "reason": "userunknown"},
    )
    erase_person(cast["director"], Contact.objects.get(pk=media.claire.pk))
    rows = Interaction.objects.filter(contact_id=media.claire.pk)
    assert rows.count() == 2  # the counts stay true
    assert set(rows.values_list("notes", flat=True)) == {""}
    assert all("address" not in r.details for r in rows)
    assert rows.get(outcome="bounced").details == {"reason": "userunknown"}
    # An erased person's interactions are no longer listed.
    assert api("manager").get("/interactions").json()["results"] == []


def test_older_history_is_backfilled(cast, media):
    import importlib

    from django.apps import apps

    backfill = importlib.import_module("relance.interactions.migrations.0002_backfill").backfill
    brief = campaign(cast["manager"], team=["officer"])
    when = timezone.now() - timedelta(days=2)
    add_recipients(cast["manager"], brief, [media.claire.pk, media.elodie.pk], sent_at=when)
    Recipient.objects.filter(contact=media.claire).update(rsvp="yes", rsvp_at=when, guests=1)
    Interaction.objects.all().delete()
    backfill(apps, None)
    backfill(apps, None)  # safe to run twice
    outcomes = sorted(Interaction.objects.values_list("contact__last_name", "outcome"))
    assert outcomes == [("Dubois", "rsvp_yes"), ("Dubois", "sent"), ("Tremblay", "sent")]
